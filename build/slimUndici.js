'use strict';
// The esbuild plugin that keeps undici small in the bundles, shared by esbuild.js and the unit test that runs the
// bundled network chunk (test/unit/net/bundle.unit.test.ts), so the undici that the tests exercise is the one that
// ships:
// - `undici` → build/undici-slim.js (Agent, ProxyAgent, Dispatcher#request and #connect only);
// - the FormData encoder the HTTP clients load for FormData bodies → a stub (tokstat sends strings only);
// - undici's non-SIMD llhttp WebAssembly (a 72 KB fallback for CPUs without WASM SIMD, which every platform VS Code
//   runs on has) → the SIMD build, so the bytes are not shipped twice.
const path = require('path');

const slimUndici = {
  name: 'slim-undici',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: require.resolve('./undici-slim.js') }));
    build.onResolve({ filter: /web\/fetch\/body\.js$/ }, (args) =>
      /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h[12]\.js$/.test(args.importer)
        ? { path: require.resolve('./undici-no-formdata.js') }
        : undefined,
    );
    build.onResolve({ filter: /llhttp-wasm\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}undici${path.sep}`) ? { path: require.resolve('undici/lib/llhttp/llhttp_simd-wasm.js') } : undefined,
    );
  },
};

module.exports = { slimUndici };
