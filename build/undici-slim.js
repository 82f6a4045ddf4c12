'use strict';
// What tokstat uses of undici — an Agent (connection pool) and Dispatcher#request — without fetch, WebSocket, the
// cache, the mock agent, pipeline/stream/upgrade/connect and the other ~300 KB of undici's index. esbuild maps
// `import … from 'undici'` here (see esbuild.js); the types still come from the real package.
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const request = require('undici/lib/api/api-request.js');
const Agent = require('undici/lib/dispatcher/agent');

// undici's index does the same for its whole API: request() lives on Dispatcher.prototype.
Dispatcher.prototype.request = request;

module.exports = { Agent, Dispatcher };
