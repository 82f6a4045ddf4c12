#!/usr/bin/env node
// End-to-end tier: the person-driven scenarios in test/e2e/*.e2e.test.ts (compiled to out/test/e2e), run by
// mocha in this Node process. Each scenario starts the loopback provider fakes here, installs the packaged
// tokstat.vsix into a fresh code-server, and drives the workbench in headless Chromium with playwright-core.
// Steps of a scenario build on each other, so the run stops at the first failure (bail) and reports the
// steps it did not reach. Screenshots, DOM dumps and logs land in test-results/e2e/.
//
// Usage: node scripts/run-e2e.js [--no-compile] [--no-package] [--grep <pattern>]
// Env: TOKSTAT_VSIX (default ./tokstat.vsix), TOKSTAT_E2E_TIMEOUT_MS (hard limit, default 600000), CI=true.
const fs = require('node:fs');
const path = require('node:path');
const { root, run, compile, skipOrFail, requireSupport } = require('./lib');

const TIER = 'e2e';
const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : undefined;
const HARD_TIMEOUT_MS = Number(process.env.TOKSTAT_E2E_TIMEOUT_MS || 600_000);

function findTests(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (e.name.endsWith('.e2e.test.js')) out.push(p);
  }
  return out.sort();
}

async function main() {
  const started = Date.now();
  if (!argv.includes('--no-compile') && !compile()) {
    console.log(`${TIER}: 0 passed, 1 failed (type errors)`);
    return 1;
  }
  const vsix = path.resolve(process.env.TOKSTAT_VSIX || path.join(root, 'tokstat.vsix'));
  if (!argv.includes('--no-package') && run('npm', ['run', '--silent', 'package']) !== 0) {
    console.log(`${TIER}: 0 passed, 1 failed (npm run package failed)`);
    return 1;
  }
  const cs = requireSupport();
  const missing = cs.missingPrerequisite({ browser: true });
  if (missing) skipOrFail(TIER, missing);
  if (!fs.existsSync(vsix)) {
    console.log(`${TIER}: 0 passed, 1 failed (${path.relative(root, vsix)} missing: npm run package)`);
    return 1;
  }
  process.env.TOKSTAT_VSIX = vsix;
  const files = findTests(path.join(root, 'out', 'test', 'e2e'));
  if (files.length === 0) {
    console.log(`${TIER}: 0 passed, 1 failed (no out/test/e2e/**/*.e2e.test.js)`);
    return 1;
  }

  const Mocha = require('mocha');
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 120_000, bail: true, color: !process.env.CI, ...(grep ? { grep } : {}) });
  for (const f of files) mocha.addFile(f);
  let total = 0;
  const hard = setTimeout(() => {
    console.error(`${TIER}: hard timeout after ${HARD_TIMEOUT_MS / 1000} s`);
    console.log(`${TIER}: 0 passed, 1 failed (hard timeout)`);
    process.exit(1); // the 'exit' handler in codeServer.ts kills code-server's process group
  }, HARD_TIMEOUT_MS);
  hard.unref();
  const stats = await new Promise((resolve, reject) => {
    let runner;
    try {
      runner = mocha.run(() => resolve(runner.stats));
    } catch (e) {
      reject(e);
      return;
    }
    total = runner.total;
  });
  clearTimeout(hard);
  const passed = stats.passes;
  const failed = stats.failures;
  const notRun = Math.max(0, total - stats.passes - stats.failures - stats.pending);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const extra = [stats.pending ? `${stats.pending} skipped` : '', notRun ? `${notRun} not run after the first failure` : ''].filter(Boolean).join(', ');
  console.log(`${TIER}: ${passed} passed, ${failed} failed${extra ? `, ${extra}` : ''} (${secs} s)`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    console.log(`${TIER}: 0 passed, 1 failed (runner crashed)`);
    process.exit(1);
  },
);
