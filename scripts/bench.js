#!/usr/bin/env node
// `npm run bench`: production build, compile the bench (tsc → out/), run it. Prints figures and ratios.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const run = (args, label) => {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`bench: ${label} failed`);
    process.exit(r.status ?? 1);
  }
};
run(['esbuild.js', '--production'], 'production build');
run([require.resolve('typescript/bin/tsc'), '-p', root], 'compile');
run([path.join(root, 'out', 'bench', 'run.js')], 'benchmarks');
