// Two bundles: the extension (Node, CommonJS, `vscode` external) and the dashboard webview (browser, IIFE).
// `--watch` rebuilds on change; `--production` minifies (source maps are always written).
// Type-checking is separate (`npm run typecheck`), as in vscode-extension-samples/esbuild-sample.
const esbuild = require('esbuild');
const { webviewBuildOptions } = require('./build/webview.js');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the form VS Code's $esbuild-watch problem matcher understands. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
  plugins: [problemMatcher],
};

// Keeps the extension bundle small (goal ≤ 400 KB minified): undici → build/undici-slim.js and friends (see
// build/slimUndici.js).
const { slimUndici } = require('./build/slimUndici.js');
const { cliBuildOptions } = require('./build/cli.js');

/** Chunks loaded at run time by src/features/chunks.ts: external in the extension bundle, built as their own files. */
const lazyLoader = require('path').join(__dirname, 'src', 'features', 'chunks.ts');
const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter: /^\.\/(net|insights|usage|export|spend|incidents)\.js$/ }, (args) =>
      args.importer === lazyLoader ? { path: args.path, external: true } : undefined,
    );
  },
};

const webview = webviewBuildOptions({ root: __dirname, minify: production });
const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    mainFields: ['module', 'main'],
    define: { ...common.define, 'globalThis.__TOKSTAT_BUNDLE__': 'true' },
    plugins: [problemMatcher, slimUndici, lazyChunks],
  },
  {
    // Chunks the extension loads after activation (src/features/chunks.ts), each beside its feature.
    ...common,
    entryPoints: { net: 'src/features/net/chunk.ts', insights: 'src/features/insights/chunk.ts', usage: 'src/features/usage/chunk.ts', export: 'src/features/export/chunk.ts', spend: 'src/features/spend/chunk.ts', incidents: 'src/features/incidents/chunk.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    mainFields: ['module', 'main'],
    plugins: [problemMatcher, slimUndici],
  },
  {
    // Parses agent logs off the extension host's thread (src/core/usage/scanner.ts starts it as dist/usageWorker.js).
    ...common,
    entryPoints: { usageWorker: 'src/core/usage/usageWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
  },
  // The `tokstat` command-line tool (package.json `bin`), from the same core as the extension (build/cli.js, shared
  // with the tests that spawn it).
  cliBuildOptions({ root: __dirname, minify: production, plugins: [problemMatcher] }),
  {
    // The dashboard (build/webview.js, shared with the tests' webview harness).
    ...common,
    ...webview,
    outdir: 'dist/webview',
    plugins: [problemMatcher, ...webview.plugins],
  },
];

/** Files loaded at run time next to the bundles: sql.js's WebAssembly (opencode's SQLite database). */
function copyAssets() {
  const fs = require('fs');
  fs.mkdirSync('dist', { recursive: true });
  fs.copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), 'dist/sql-wasm.wasm');
}

async function main() {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  if (watch) {
    copyAssets();
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  try {
    await Promise.all(contexts.map((c) => c.rebuild()));
    copyAssets();
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
