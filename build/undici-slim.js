'use strict';
// What tokstat uses of undici — an Agent (connection pool), a ProxyAgent and Dispatcher#request — without fetch, WebSocket, the
// cache, the mock agent, pipeline/stream/upgrade and the other ~300 KB of undici's index. esbuild maps
// `import … from 'undici'` here (see esbuild.js); the types still come from the real package.
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const request = require('undici/lib/api/api-request.js');
// ProxyAgent opens its CONNECT tunnels with Dispatcher#connect.
const connect = require('undici/lib/api/api-connect.js');
const Agent = require('undici/lib/dispatcher/agent');
const ProxyAgent = require('undici/lib/dispatcher/proxy-agent');

// undici's index does the same for its whole API: request() and connect() live on Dispatcher.prototype.
Dispatcher.prototype.request = request;
Dispatcher.prototype.connect = connect;

module.exports = { Agent, Dispatcher, ProxyAgent };
