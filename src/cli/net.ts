// The CLI's network stack (undici, the proxy-aware router), a chunk of its own in the bundle (dist/cli-net.js): only a
// price-list download needs it, and parsing it on every run would cost more than a whole repeat `tokstat usage`.
export { UndiciHttpClient } from '../core/undiciClient';
export { envRouter } from '../core/net/dispatcher';
