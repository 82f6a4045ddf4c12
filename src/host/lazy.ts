// Loads the chunks that activation does not need. In the bundle (esbuild defines globalThis.__TOKSTAT_BUNDLE__) each
// chunk is a sibling file of dist/extension.js, required on first use; under tsc/unit tests it is the source module.
// The dead branch is removed by esbuild, so the chunk's code is not bundled twice. It lives in the host layer, not in
// src/core: the insights chunk carries host code (notifications, hence `vscode`), and core must not reach it.
// require() is the point here (a run-time load of a sibling file esbuild leaves external), hence the disable.
/* eslint-disable @typescript-eslint/no-require-imports */
type Flag = { __TOKSTAT_BUNDLE__?: boolean };

export function loadNet(): typeof import('../lazy/net') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./net.js') : require('../lazy/net');
}

export function loadInsights(): typeof import('../lazy/insights') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./insights.js') : require('../lazy/insights');
}

export function loadUsage(): typeof import('../lazy/usage') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./usage.js') : require('../lazy/usage');
}

export function loadExport(): typeof import('../lazy/export') {
  return (globalThis as Flag).__TOKSTAT_BUNDLE__ ? require('./export.js') : require('../lazy/export');
}
