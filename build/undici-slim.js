'use strict';
// What tokstat uses of undici — an Agent (connection pool) and Dispatcher#request — without fetch, WebSocket, the
// cache, the mock agent and the other ~300 KB of undici's index. esbuild maps `import … from 'undici'` here
// (see esbuild.js); the types still come from the real package.
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const api = require('undici/lib/api/index.js');
const Agent = require('undici/lib/dispatcher/agent');

// undici's index does the same: the request/stream/… API lives on Dispatcher.prototype.
Object.assign(Dispatcher.prototype, api);

module.exports = { Agent, Dispatcher };
