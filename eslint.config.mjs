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
  ui: './src/ui',
  commands: './src/commands',
  lazy: './src/lazy',
  wiring: ['./src/extension.ts', './src/testing.ts'],
  webview: './webview',
};

/** `target` must not import from any of `from`. */
const zone = (target, from, message) => from.flat().map((f) => ({ target, from: f, message }));

const layerZones = [
  // The bottom layer: model types, formatting, the webview protocol. Both bundles compile it.
  ...zone(P.shared, [P.core, P.cli, P.host, P.ui, P.commands, P.lazy, P.wiring, P.webview], 'src/shared imports only src/shared.'),
  // Providers, polling, history, usage, pricing: plain Node, shared by the extension and the CLI.
  ...zone(P.core, [P.cli, P.host, P.ui, P.commands, P.lazy, P.wiring, P.webview], 'src/core imports only src/core and src/shared.'),
  ...zone(P.cli, [P.host, P.ui, P.commands, P.lazy, P.wiring, P.webview], 'src/cli imports only src/cli, src/core and src/shared.'),
  // VS Code adapters (settings, secrets, log, notifications, features). The chunk loader src/host/lazy.ts is the one
  // file that may name the chunks in src/lazy (their types; the code is required at run time).
  ...zone(P.host, [P.ui, P.commands, P.cli, P.wiring, P.webview], 'src/host imports only src/host, src/core and src/shared.'),
  ...zone('./src/host/!(lazy).ts', [P.lazy], 'Only the chunk loader src/host/lazy.ts names the lazy chunks.'),
  // Status bar, tree, dashboard panel.
  ...zone(P.ui, [P.commands, P.host, P.lazy, P.cli, P.wiring, P.webview], 'src/ui imports only src/ui, src/core and src/shared.'),
  // Command handlers: may use the host adapters and the chunk loader, never the wiring.
  ...zone(P.commands, [P.lazy, P.cli, P.wiring, P.webview], 'src/commands imports src/commands, src/host, src/ui, src/core and src/shared.'),
  // Chunk entry points: re-export core (and host, for the host-dependent part of a chunk).
  ...zone(P.lazy, [P.ui, P.commands, P.cli, P.wiring, P.webview], 'src/lazy re-exports core, shared and host only.'),
  // The dashboard's browser bundle sees the host only through src/shared.
  { target: P.webview, from: './src', except: ['./shared'], message: 'webview/ imports only webview/ and src/shared.' },
];

const noVscode = {
  'no-restricted-imports': [
    'error',
    { paths: [{ name: 'vscode', message: 'Only src/host, src/ui, src/commands and the wiring (src/extension.ts) use the VS Code API.' }] },
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
  { files: ['src/shared/**/*.ts', 'src/core/**/*.ts', 'src/cli/**/*.ts', 'src/lazy/**/*.ts', 'webview/**/*.ts'], rules: noVscode },
);
