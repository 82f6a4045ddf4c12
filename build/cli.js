'use strict';
// The `tokstat` CLI bundle's esbuild options, shared by esbuild.js and the tests that spawn the bundle as users run
// it (test/unit/cli/mcp.unit.test.ts: the MCP server under the SDK's own client), so what is tested is what ships.
const path = require('path');
const { slimUndici } = require('./slimUndici.js');

/**
 * `tokstat mcp` lives in its own chunk (dist/mcp.js, about 3 MB with the MCP SDK and zod) that src/cli/main.ts
 * requires only for that command, so `guard`, `quota` and `usage` start as fast as before.
 */
const mcpChunk = (root) => ({
  name: 'cli-mcp-chunk',
  setup(build) {
    const main = path.join(root, 'src', 'cli', 'main.ts');
    build.onResolve({ filter: /^\.\/mcp$/ }, (args) => (args.importer === main ? { path: './mcp.js', external: true } : undefined));
  },
});

/**
 * The CLI's network stack (undici, dist/cli-net.js), which src/cli/read.ts requires only for a price download: loading
 * it costs more than a whole repeat run of `tokstat usage`.
 */
const netChunk = (root) => ({
  name: 'cli-net-chunk',
  setup(build) {
    const read = path.join(root, 'src', 'cli', 'read.ts');
    build.onResolve({ filter: /^\.\/net$/ }, (args) => (args.importer === read ? { path: './cli-net.js', external: true } : undefined));
  },
});

/**
 * dist/cli.js is a launcher (src/cli/launcher.ts) that loads the bundle, dist/cli-main.js, through a V8 code cache
 * (src/cli/codeCache.ts): compiling the bundle on every run was ~10–15 % of a repeat `tokstat usage` run.
 * @param {{ root: string, minify?: boolean, outdir?: string, plugins?: unknown[] }} o */
function cliBuildOptions(o) {
  return {
    bundle: true,
    minify: !!o.minify,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
    legalComments: 'none',
    absWorkingDir: o.root,
    entryPoints: { cli: path.join(o.root, 'src', 'cli', 'launcher.ts'), 'cli-main': path.join(o.root, 'src', 'cli', 'main.ts'), mcp: path.join(o.root, 'src', 'cli', 'mcp.ts'), 'cli-net': path.join(o.root, 'src', 'cli', 'net.ts') },
    outdir: o.outdir ?? path.join(o.root, 'dist'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    mainFields: ['module', 'main'],
    define: {
      'process.env.NODE_ENV': o.minify ? '"production"' : '"development"',
      __TOKSTAT_VERSION__: JSON.stringify(require(path.join(o.root, 'package.json')).version),
      __TOKSTAT_CLI_MAIN__: JSON.stringify('cli-main.js'),
    },
    plugins: [...(o.plugins ?? []), slimUndici, mcpChunk(o.root), netChunk(o.root)],
  };
}

module.exports = { cliBuildOptions };
