// Loads the chunks that activation does not need. In the bundle (esbuild defines globalThis.__TOKSTAT_BUNDLE__) each
// chunk is a sibling file of dist/extension.js, required on first use; under tsc/unit tests it is the source module.
// The dead branch is removed by esbuild, so the chunk's code is not bundled twice. Each chunk's entry point is the
// `chunk.ts` beside the feature it carries (features/net, features/insights, features/usage, features/export,
// features/spend, features/incidents); this is the one file that
// names them (eslint), and esbuild.js keeps `./<name>.js` external only when required from here. It lives with the
// features, not in src/core: the insights chunk carries vscode code (notifications), and core must not reach it.
// require() is the point here (a run-time load of a sibling file esbuild leaves external), hence the disable.
/* eslint-disable @typescript-eslint/no-require-imports */
type Flag = { __TOKSTAT_BUNDLE__?: boolean };

export function loadNet(): typeof import('./net/chunk') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./net.js') : require('./net/chunk');
}

export function loadInsights(): typeof import('./insights/chunk') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./insights.js') : require('./insights/chunk');
}

export function loadUsage(): typeof import('./usage/chunk') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./usage.js') : require('./usage/chunk');
}

export function loadExport(): typeof import('./export/chunk') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./export.js') : require('./export/chunk');
}

export function loadSpend(): typeof import('./spend/chunk') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./spend.js') : require('./spend/chunk');
}

export function loadIncidents(): typeof import('./incidents/chunk') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./incidents.js') : require('./incidents/chunk');
}
