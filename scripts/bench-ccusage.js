#!/usr/bin/env node
// `npm run bench:usage`: tokstat's local-log reader side by side with ccusage (native binary from npm, installed once
// into .vscode-test/). Compiles nothing: it runs out/bench/ccusage.js, which `npx tsc -p .` produces.
//   node scripts/bench-ccusage.js [--mb 500] [--runs 2] [--keep] [--js-ccusage]
// --mb 50 is the quick / CI size; --keep leaves the generated corpus in the temp folder (the path is printed).
// Prints figures and ratios, `bench-usage: N figures, N goals missed`, and writes bench-results/usage.json.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'out', 'bench', 'ccusage.js');
if (!fs.existsSync(entry)) {
  console.error('bench-usage: out/bench/ccusage.js not found; run `npx tsc -p .` first');
  process.exit(1);
}
const r = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
