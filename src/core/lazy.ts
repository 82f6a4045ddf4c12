// Loads the chunks that activation does not need. In the bundle (esbuild defines globalThis.__TOKSTAT_BUNDLE__) each
// chunk is a sibling file of dist/extension.js, required on first use; under tsc/unit tests it is the source module.
// The dead branch is removed by esbuild, so the chunk's code is not bundled twice.
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
