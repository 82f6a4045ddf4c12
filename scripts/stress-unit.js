#!/usr/bin/env node
// Determinism proof for the unit tier: runs it N times in a row while a CPU burner (one worker thread spinning per
// core) competes for every core, and prints each run's result with the names of any failing tests. A unit test that
// passes alone but fails here depends on timing (a real timer, a sleep, a deadline): make it deterministic with the
// fake clock (test/fakes/fakeClock.ts), awaited events or an injected watcher, never a longer sleep.
//   node scripts/stress-unit.js --runs 20                 the whole unit tier 20 times
//   node scripts/stress-unit.js --runs 5 accountRepository  only the unit files whose path contains the text
// Options: --runs N (default 20), --burners N (default: one per core), --no-compile (use out/ as it is).
// Exit status is non-zero when any run failed.
const { spawn, spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
function option(name, fallback) {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`stress-unit: ${name} needs a whole number`);
    process.exit(2);
  }
  return n;
}
const runs = option('--runs', 20);
const burners = option('--burners', typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
const filters = argv.filter((a, i) => !a.startsWith('-') && argv[i - 1] !== '--runs' && argv[i - 1] !== '--burners');

if (!argv.includes('--no-compile')) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit', cwd: root });
  if (tsc.status !== 0) {
    console.error('stress-unit: type errors (see above)');
    process.exit(tsc.status ?? 1);
  }
}

/** One run of the unit tier; resolves with its counts and the failing tests' names. */
function runOnce() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'run-unit.js'), '--no-compile', ...filters], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    child.on('close', (code) => {
      const pass = /^ℹ pass (\d+)/m.exec(output);
      const fail = /^ℹ fail (\d+)/m.exec(output);
      // The spec reporter repeats every failure under "✖ failing tests:" at the end, one `✖ <name>` per test.
      const tail = output.slice(Math.max(0, output.lastIndexOf('✖ failing tests:')));
      const failing = output.includes('✖ failing tests:')
        ? [...new Set([...tail.matchAll(/^\s*✖ (.+?)(?: \([\d.]+m?s\))?$/gm)].map((m) => m[1]).filter((n) => n !== 'failing tests:'))]
        : [];
      resolve({ code: code ?? 1, passed: pass ? Number(pass[1]) : 0, failed: fail ? Number(fail[1]) : code === 0 ? 0 : 1, failing, output });
    });
  });
}

async function main() {
  const spin = 'const { parentPort } = require("node:worker_threads"); parentPort.postMessage("up"); let x = 0; for (;;) x = (x + Math.sqrt(x + 1)) % 1e9;';
  const workers = [];
  await Promise.all(
    Array.from({ length: burners }, () => {
      const w = new Worker(spin, { eval: true });
      workers.push(w);
      return new Promise((resolve) => w.once('message', resolve));
    }),
  );
  console.log(`stress-unit: ${runs} run(s) of the unit tier${filters.length ? ` (${filters.join(', ')})` : ''} beside ${burners} spinning thread(s) on ${os.cpus().length} core(s)`);
  const t0 = Date.now();
  let bad = 0;
  const flaky = new Map();
  for (let i = 1; i <= runs; i++) {
    const t = Date.now();
    const r = await runOnce();
    const secs = ((Date.now() - t) / 1000).toFixed(1);
    const ok = r.code === 0 && r.failed === 0;
    if (!ok) bad++;
    console.log(`run ${i}/${runs}: ${ok ? 'pass' : 'FAIL'} (${r.passed} passed, ${r.failed} failed, ${secs} s)`);
    for (const name of r.failing) {
      console.log(`  ✖ ${name}`);
      flaky.set(name, (flaky.get(name) ?? 0) + 1);
    }
    if (!ok && r.failing.length === 0) console.log(r.output.split('\n').slice(-30).join('\n'));
  }
  await Promise.all(workers.map((w) => w.terminate()));
  console.log(`stress-unit: ${runs - bad} of ${runs} run(s) passed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  for (const [name, n] of flaky) console.log(`  failed ${n}×: ${name}`);
  return bad === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
