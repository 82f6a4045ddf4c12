// Small helpers shared by the test runners (scripts/test.js, run-exthost.js, run-e2e.js, leak-check.js, start.js).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const isCI = /^(1|true|yes)$/i.test(process.env.CI || '');

/** Runs a command with inherited stdio; returns its exit status (null → 1). */
function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (res.error) console.error(`${cmd}: ${res.error.message}`);
  return res.status ?? 1;
}

/** tsc -p . (src + test + bench → out/). */
function compile() {
  return run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root]) === 0;
}

/** esbuild bundles (dist/extension.js, dist/webview/dashboard.js). */
function build() {
  return run(process.execPath, [path.join(root, 'esbuild.js')]) === 0;
}

/**
 * A tier that cannot run here: a skip on a developer machine, a failure in CI (where the prerequisites are
 * installed by .ci/run, so their absence is a broken pipeline, not a reason to go green).
 */
function skipOrFail(tier, reason) {
  if (isCI) {
    console.log(`${tier}: 0 passed, 1 failed (prerequisite missing in CI: ${reason})`);
    process.exit(1);
  }
  console.log(`${tier}: skipped (${reason})`);
  process.exit(0);
}

function requireSupport() {
  const p = path.join(root, 'out', 'test', 'support', 'codeServer.js');
  if (!fs.existsSync(p)) {
    console.error(`${path.relative(root, p)} missing: compile first (tsc -p .)`);
    process.exit(1);
  }
  return require(p);
}

module.exports = { root, isCI, run, compile, build, skipOrFail, requireSupport };
