// `npm run lint` (and the `lint` stage of `npm test`). Three kinds of rule, in this order of importance:
//   1. layering (docs/architecture.md, "What may import what"): import-x/no-restricted-paths zones per folder, plus
//      no-restricted-imports for `vscode`, which is a package and not a path;
//   2. no import cycles between our modules (import-x/no-cycle; `import type` edges are erased by tsc and ignored);
//   3. promises: a promise is awaited, returned, or explicitly `void`ed with a .catch (no-floating-promises,
//      no-misused-promises), type-aware, over src/, webview/, test/ and bench/.
// The rest of typescript-eslint's `recommended` set is on where it finds little in this code base; the handful of
// rules that only report style the team has settled otherwise (see below) are off, so a lint failure means something.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const here = import.meta.dirname;

/** Every top-level part of ours, by path relative to this folder. */
const P = {
  shared: './src/shared',
  core: './src/core',
  cli: './src/cli',
  host: './src/host',
  features: './src/features',
  ui: './src/ui',
  commands: './src/commands',
  wiring: ['./src/extension.ts', './src/testing.ts'],
  webview: './webview',
};
/** The vscode-free part of a feature (`src/features/<feature>/core/`), and the rest of the feature (its vscode side). */
const featureCore = './src/features/*/core/**';
const featureHost = ['./src/features/*.ts', './src/features/*/*.ts'];
/** Chunk entry points (`src/features/<feature>/chunk.ts`): named only by the chunk loader src/features/chunks.ts. */
const chunkEntries = './src/features/*/chunk.ts';

/** `target` must not import from any of `from`. */
const zone = (target, from, message) => from.flat().map((f) => ({ target, from: f, message }));

const layerZones = [
  // The bottom layer: model types, formatting, the webview protocol. Both bundles compile it.
  ...zone(P.shared, [P.core, P.cli, P.host, P.features, P.ui, P.commands, P.wiring, P.webview], 'src/shared imports only src/shared.'),
  // Providers, polling, history, usage, pricing: plain Node, shared by the extension, the CLI and the usage worker.
  ...zone(P.core, [P.cli, P.host, P.features, P.ui, P.commands, P.wiring, P.webview], 'src/core imports only src/core and src/shared.'),
  ...zone(P.cli, [P.host, P.features, P.ui, P.commands, P.wiring, P.webview], 'src/cli imports only src/cli, src/core and src/shared.'),
  // Thin VS Code adapters (settings, secrets, log channel, keychain, proxy settings, GitHub sign-in, credential files).
  ...zone(P.host, [P.features, P.ui, P.commands, P.cli, P.wiring, P.webview], 'src/host imports only src/host, src/core and src/shared.'),
  // Features (history and alerts, local usage, notifications, discovery, the language-model tool, the API, the lazily
  // loaded network chunk): core, shared, the host adapters and each other; never the surfaces or the wiring.
  ...zone(P.features, [P.ui, P.commands, P.cli, P.wiring, P.webview], 'src/features imports src/features, src/host, src/core and src/shared.'),
  // A feature's vscode-free part stays as plain as src/core (no vscode rule below, too).
  ...zone(featureCore, [P.host, featureHost, P.ui, P.commands, P.cli, P.wiring, P.webview], 'src/features/*/core imports only feature cores, src/core and src/shared.'),
  // The chunk loader is the one file that names the chunks (their types; the code is required at run time).
  ...zone('./src/**/!(chunks).ts', [chunkEntries], 'Only the chunk loader src/features/chunks.ts names the chunk entry points.'),
  // Status bar, tree, dashboard panel: they render the model and know neither the host adapters nor the features.
  ...zone(P.ui, [P.commands, P.host, P.features, P.cli, P.wiring, P.webview], 'src/ui imports only src/ui, src/core and src/shared.'),
  // Command handlers: may use the host adapters, the features (and the chunk loader) and the ui, never the wiring.
  ...zone(P.commands, [P.cli, P.wiring, P.webview], 'src/commands imports src/commands, src/features, src/host, src/ui, src/core and src/shared.'),
  // The dashboard's browser bundle sees the host only through src/shared.
  { target: P.webview, from: './src', except: ['./shared'], message: 'webview/ imports only webview/ and src/shared.' },
];

const noVscode = {
  'no-restricted-imports': [
    'error',
    { paths: [{ name: 'vscode', message: 'Only src/host, src/features (outside their core/), src/ui, src/commands and the wiring (src/extension.ts) use the VS Code API.' }] },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'dist-cli/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'bench-results/**', 'media/**', 'build/**', 'scripts/**', '*.js', '*.mjs'] },
  {
    files: ['src/**/*.ts', 'webview/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: here },
    },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'webview/tsconfig.json'], noWarnOnMultipleProjects: true })],
      'import-x/extensions': ['.ts'],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's test()/describe() return a promise the runner itself awaits: top-level calls are the documented use.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // tsc (noUnusedLocals) already reports unused locals; its rule knows about `_`-prefixed parameters.
      '@typescript-eslint/no-unused-vars': 'off',
      // TypeScript checks these better than the untyped core rules.
      'no-undef': 'off',
      'no-redeclare': 'off',
      // Every hit is deliberate: sanitisers of untrusted text and ANSI handling match control characters on purpose.
      'no-control-regex': 'off',
      // Only flags an initial value overwritten before it is read (`let x = 0; if (…) x = …`): style, not a bug.
      'no-useless-assignment': 'off',
      // `let x; … () => x … x = v` is read (by the closure) before it is assigned: it cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Test doubles and benches poke at internals (any) and re-require modules after stubbing them (require()).
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['src/**/*.ts', 'webview/**/*.ts'], rules: { 'import-x/no-restricted-paths': ['error', { basePath: here, zones: layerZones }] } },
  { files: ['src/shared/**/*.ts', 'src/core/**/*.ts', 'src/cli/**/*.ts', 'src/features/*/core/**/*.ts', 'webview/**/*.ts'], rules: noVscode },
);
