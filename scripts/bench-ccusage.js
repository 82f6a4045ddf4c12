#!/usr/bin/env node
// `npm run bench:usage`: tokstat's local-log reader side by side with ccusage (native binary from npm, installed once
// into .vscode-test/). Compiles nothing: it runs out/bench/ccusage.js, which `npx tsc -p .` produces.
//   node scripts/bench-ccusage.js [--mb 500] [--runs 2] [--keep] [--js-ccusage] [--no-cli]
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
const r = spawnSync(process.execPath, [entry, ...process.argv.slice(2).filter((a) => a !== '--no-cli')], { stdio: 'inherit', cwd: root });
if (r.status !== 0 || process.argv.includes('--no-cli')) process.exit(r.status ?? 1);
// Then the `tokstat usage` CLI (dist/cli.js, `npm run build -- --production` or `npm run bench` builds it) against the
// same ccusage binary on a corpus of the same size: cold and repeat ratios, bytes read by the repeat runs.
const cli = path.join(root, 'out', 'bench', 'cliUsage.js');
if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) {
  console.error('bench-usage: dist/cli.js not found; run `node esbuild.js --production` first (or pass --no-cli)');
  process.exit(1);
}
const mbAt = process.argv.indexOf('--mb');
const c = spawnSync(process.execPath, [cli, ...(mbAt > 0 ? ['--mb', process.argv[mbAt + 1]] : [])], { stdio: 'inherit', cwd: root });
process.exit(c.status ?? 1);
