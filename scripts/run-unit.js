#!/usr/bin/env node
// Unit tier: compiles src + test with tsc into out/, then runs every out/test/unit/**/*.unit.test.js with
// Node's test runner. Extra arguments filter test files by substring, e.g. `npm run test:unit -- copilot`.
// `--tier webview` runs the webview tier instead: out/test/webview/**/*.webview.test.js, the dashboard's tests that
// build the real webview bundle and drive it in headless Chromium (playwright-core). The unit tier stays plain Node.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tierAt = process.argv.indexOf('--tier');
const tier = tierAt >= 0 ? process.argv[tierAt + 1] : 'unit';
if (tier !== 'unit' && tier !== 'webview') {
  console.error(`run-unit: unknown tier ${tier} (unit or webview)`);
  process.exit(2);
}
const filters = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && all[i - 1] !== '--tier');
if (!process.argv.includes('--no-compile')) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit', cwd: root });
  if (tsc.status !== 0) {
    console.error(`${tier}: type errors (see above)`);
    process.exit(tsc.status ?? 1);
  }
}
const files = [];
(function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(`.${tier}.test.js`) && (filters.length === 0 || filters.some((f) => p.includes(f)))) files.push(p);
  }
})(path.join(root, 'out', 'test', tier));
if (files.length === 0) {
  console.error(`${tier}: no test files found`);
  process.exit(1);
}
// Every test's temporary folders go under one folder of this run (os.tmpdir() follows TMPDIR), removed at the end,
// so no run leaves tokstat-* folders behind in the system's temp folder, whatever a test forgot to remove.
const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'tokstat-unit-'));
const res = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files.sort()], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, TOKSTAT_UNIT: '1', TMPDIR: tmp },
});
try {
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
} catch (e) {
  console.error(`${tier}: could not remove ${tmp}: ${e && e.message}`);
}
process.exit(res.status ?? 1);
