#!/usr/bin/env node
// `npm test`: the whole test suite, one stage after another (2 cores: the code-server tiers must not overlap).
//   0. setup          dependencies, Debian packages and code-server when missing (scripts/ensure.js)
//   1. type-check (tsc -p . emits out/, tsc -p webview --noEmit), lint (`npm run lint`: layers, cycles, promises) and package (`npm run package` = `npm run release -- --dry-run`: production build, tokstat.vsix
//                    checked for the Marketplace and Open VSX, the CLI's npm tarball installed into a temporary prefix and run)
//   2. unit            node --test out/test/unit/**/*.unit.test.js (plain Node: no browser)
//      webview         node --test out/test/webview/**/*.webview.test.js: the dashboard bundle in headless Chromium
//                      (playwright-core; scripts/run-unit.js --tier webview)
//   3. extension-host  mocha inside code-server's extension host         (scripts/run-exthost.js)
//      extension-host-new  the same suite on the newest supported VS Code: code-server 4.139.1 on Node 24 from npm
//                      (scripts/run-exthost.js --new; 4.100.3 above is the oldest tested, issue #19 §3)
//   4. e2e             code-server + headless Chromium, driven as a person (scripts/run-e2e.js)
//   5. leak-check      no test secret in anything the code-server runs wrote (scripts/leak-check.js)
//   6. bench-smoke     `npm run bench`'s every part on reduced sizes (TOKSTAT_BENCH_SMOKE=1, ~30 s): proves the bench
//                      still runs; its goals are checked by `npm run bench` itself, not here
// Each stage prints `<stage>: N passed, N failed` (or `<stage>: skipped (reason)`); the last line is the total,
// exactly `N passed, N failed`, which CI parses. Exit status is non-zero on any failure. A stage that is not a
// test suite (type-check, lint, package, leak-check) counts as one test. With CI=true a tier whose prerequisites are
// missing fails instead of skipping.
// The same extension-host suite also runs under @vscode/test-electron on machines with internet and a display
// server: TOKSTAT_ELECTRON=1 npm test (adds scripts/run-electron.js under xvfb-run -a).
// Options: --only unit,webview,extension-host,extension-host-new,e2e,leak-check,bench-smoke (subset of the tiers; type-check, lint and package always run).
const { spawn } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const { root, isCI } = require('./lib');
const { ensure } = require('./ensure');

const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? new Set(argv[onlyAt + 1].split(',')) : undefined;
const wanted = (stage) => !only || only.has(stage);

const results = []; // { stage, passed, failed, skipped?, secs }

/** Runs a command, echoing its output live, and returns { code, output }. */
function exec(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b) => {
      output += b;
      process.stdout.write(b);
    });
    child.stderr.on('data', (b) => {
      output += b;
      process.stderr.write(b);
    });
    child.on('error', (e) => {
      output += String(e);
      resolve({ code: 1, output });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

function banner(title) {
  console.log(`\n━━━ ${title} ━━━`);
}

/** A check that is not a test suite: one test, passed or failed. */
async function check(stage, cmd, args, env) {
  banner(stage);
  const t0 = Date.now();
  const { code } = await exec(cmd, args, env);
  const r = { stage, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, secs: (Date.now() - t0) / 1000 };
  results.push(r);
  console.log(`${stage}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} (${r.secs.toFixed(1)} s)`);
  return code === 0;
}

/** A test tier whose runner prints `<tier>: N passed, N failed` or `<tier>: skipped (reason)`. */
async function tier(stage, cmd, args, parse, env) {
  banner(stage);
  const t0 = Date.now();
  const { code, output } = await exec(cmd, args, env);
  const secs = (Date.now() - t0) / 1000;
  const skipped = new RegExp(`^${stage}: skipped \\((.*)\\)\\s*$`, 'm').exec(output);
  let counts = parse(output);
  if (skipped && code === 0) {
    results.push({ stage, passed: 0, failed: 0, skipped: skipped[1], secs });
    return true;
  }
  if (!counts) counts = { passed: 0, failed: 0 };
  // A runner that died without reporting a failing test still fails the stage.
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  results.push({ stage, ...counts, secs });
  if (parse !== parseSummaryLine(stage)) console.log(`${stage}: ${counts.passed} passed, ${counts.failed} failed`);
  return code === 0 && counts.failed === 0;
}

const summaryParsers = new Map();
function parseSummaryLine(stage) {
  if (!summaryParsers.has(stage)) {
    summaryParsers.set(stage, (output) => {
      const all = [...output.matchAll(new RegExp(`^${stage}: (\\d+) passed, (\\d+) failed`, 'gm'))];
      const m = all[all.length - 1];
      return m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
    });
  }
  return summaryParsers.get(stage);
}

/** node --test's spec reporter ends with `ℹ pass N` / `ℹ fail N`. */
function parseNodeTest(output) {
  const pass = /^ℹ pass (\d+)/m.exec(output);
  const fail = /^ℹ fail (\d+)/m.exec(output);
  if (!pass || !fail) return undefined;
  return { passed: Number(pass[1]), failed: Number(fail[1]) };
}

function notRun(stage, why) {
  results.push({ stage, passed: 0, failed: 1, secs: 0 });
  console.log(`${stage}: 0 passed, 1 failed (not run: ${why})`);
}

function skip(stage, reason) {
  results.push({ stage, passed: 0, failed: 0, skipped: reason, secs: 0 });
  console.log(`${stage}: skipped (${reason})`);
}

async function main() {
  const t0 = Date.now();
  // A fresh clone needs nothing else: dependencies, Debian packages and code-server are set up here when missing.
  banner('setup');
  const needsBrowser = wanted('webview') || wanted('extension-host') || wanted('extension-host-new') || wanted('e2e') || wanted('bench-smoke');
  if (!ensure({ system: needsBrowser, codeServer: wanted('extension-host') || wanted('e2e'), newCodeServer: wanted('extension-host-new') })) {
    if (!fs.existsSync(path.join(root, 'node_modules', 'typescript'))) {
      console.log('0 passed, 1 failed (setup: npm dependencies could not be installed)');
      return 1;
    }
    console.log(isCI ? 'setup: incomplete; the tiers that need what is missing will fail' : 'setup: incomplete; the tiers that need what is missing will skip');
  }
  const node = process.execPath;
  const tsc = require.resolve('typescript/bin/tsc');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

  // tsc emits out/ even with type errors, so the tiers still run and report; the type-check itself fails.
  await check('typecheck', node, [tsc, '-p', root]);
  await check('typecheck-webview', node, [tsc, '-p', path.join(root, 'webview'), '--noEmit']);
  // Layering, import cycles and unhandled promises (eslint.config.mjs; docs/architecture.md).
  const eslint = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'); // not in eslint's package exports
  await check('lint', node, [eslint, '--max-warnings', '0', 'src', 'webview', 'test', 'bench']);
  const packaged = await check('package', npm, ['run', '--silent', 'package']);

  if (wanted('unit')) await tier('unit', node, [path.join(__dirname, 'run-unit.js'), '--no-compile'], parseNodeTest);
  if (wanted('webview')) await tier('webview', node, [path.join(__dirname, 'run-unit.js'), '--no-compile', '--tier', 'webview'], parseNodeTest);
  if (wanted('extension-host')) {
    if (packaged) await tier('extension-host', node, [path.join(__dirname, 'run-exthost.js'), '--no-compile', '--no-build'], parseSummaryLine('extension-host'));
    else notRun('extension-host', 'build/package failed');
  }
  if (wanted('extension-host-new')) {
    if (packaged) await tier('extension-host-new', node, [path.join(__dirname, 'run-exthost.js'), '--new', '--no-compile', '--no-build'], parseSummaryLine('extension-host-new'));
    else notRun('extension-host-new', 'build/package failed');
  }
  if (process.env.TOKSTAT_ELECTRON === '1' && wanted('extension-host')) {
    await tier('extension-host-electron', node, [path.join(__dirname, 'run-electron.js'), '--no-compile', '--no-build'], parseSummaryLine('extension-host-electron'));
  }
  if (wanted('e2e')) {
    if (packaged) await tier('e2e', node, [path.join(__dirname, 'run-e2e.js'), '--no-compile', '--no-package'], parseSummaryLine('e2e'));
    else notRun('e2e', 'package failed');
  }
  if (wanted('leak-check')) {
    const ran = results.some((r) => (r.stage === 'extension-host' || r.stage === 'extension-host-new' || r.stage === 'e2e') && !r.skipped);
    if (ran) await check('leak-check', node, [path.join(__dirname, 'leak-check.js')]);
    else skip('leak-check', 'no code-server tier ran');
  }
  if (wanted('bench-smoke')) {
    // After `package`, whose production build the bench measures (dist/); out/bench was emitted by the type-check.
    if (packaged) await check('bench-smoke', node, [path.join(root, 'out', 'bench', 'run.js')], { TOKSTAT_BENCH_SMOKE: '1' });
    else notRun('bench-smoke', 'package failed');
  }

  banner('summary');
  for (const r of results) {
    const what = r.skipped ? `skipped (${r.skipped})` : `${r.passed} passed, ${r.failed} failed`;
    console.log(`  ${r.stage.padEnd(24)} ${what.padEnd(48)} ${r.secs.toFixed(1).padStart(6)} s`);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`  ${'total'.padEnd(24)} ${''.padEnd(48)} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s${isCI ? ' (CI)' : ''}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
