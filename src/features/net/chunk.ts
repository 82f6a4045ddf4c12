// Chunk loaded on the first network request or device sign-in (dist/net.js): undici and the octokit device flow are
// not needed to activate the extension, so they stay out of the activation bundle.
export { UndiciHttpClient } from '../../core/undiciClient';
export { ProxyRouter } from '../../core/net/dispatcher';
export { startDeviceFlow } from '../../core/auth/deviceFlow';
