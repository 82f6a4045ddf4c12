#!/usr/bin/env node
// Extension-host tier: runs the mocha suite test/integration (compiled to out/test/integration) inside the
// extension host of a real VS Code — code-server 4.100.3 driven by headless Chromium. The workbench is opened
// with a smoke-test `payload` (extensionDevelopmentPath = this repo, extensionTestsPath = the suite's index);
// when run() settles the workbench calls window.codeAutomationExit(code), which we expose from Playwright.
// The suite writes report.txt + summary.json to TOKSTAT_TEST_REPORT_DIR; we stream the report and print
// `extension-host: N passed, N failed`.
//
// Usage: node scripts/run-exthost.js [--new] [--no-compile] [--no-build] [--grep <pattern>]
//   --new runs it on code-server 4.139.1 (VS Code 1.139.1, Node 24 from npm) and prints `extension-host-new: …`.
// Env: TOKSTAT_EXTHOST_TIMEOUT_MS (hard limit, default 300000), CI=true (missing prerequisites fail).
const fs = require('node:fs');
const path = require('node:path');
const { root, compile, build, skipOrFail, requireSupport } = require('./lib');

const argv = process.argv.slice(2);
// --new: the same suite on the newest supported VS Code (code-server 4.139.1 on Node 24), as its own tier.
const NEW = argv.includes('--new');
if (NEW) process.env.CODE_SERVER_VERSION = 'new';
const TIER = NEW ? 'extension-host-new' : 'extension-host';
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : undefined;
// For debugging the harness itself against another extension folder (must be publisher tokstat, name tokstat).
const extensionPath = path.resolve(process.env.TOKSTAT_EXTENSION_PATH || root);
const HARD_TIMEOUT_MS = Number(process.env.TOKSTAT_EXTHOST_TIMEOUT_MS || 300_000);

async function main() {
  if (!argv.includes('--no-compile') && !compile()) {
    console.log(`${TIER}: 0 passed, 1 failed (type errors)`);
    return 1;
  }
  if (!argv.includes('--no-build') && !build()) {
    console.log(`${TIER}: 0 passed, 1 failed (build failed)`);
    return 1;
  }
  const cs = requireSupport();
  const missing = cs.missingPrerequisite({ browser: true });
  if (missing) skipOrFail(TIER, missing);
  if (extensionPath === root && !fs.existsSync(path.join(root, 'dist', 'extension.js'))) skipOrFail(TIER, 'dist/extension.js missing (npm run build)');
  const index = path.join(root, 'out', 'test', 'integration', 'index.js');
  if (!fs.existsSync(index)) {
    console.log(`${TIER}: 0 passed, 1 failed (${path.relative(root, index)} missing)`);
    return 1;
  }

  const started = Date.now();
  const dirs = cs.makeRunDirs(TIER);
  const reportDir = path.join(dirs.base, 'report');
  fs.mkdirSync(reportDir, { recursive: true });
  // Until a test points them at its own fakes, every provider goes to a closed loopback port: no test can
  // reach a real service even on a machine with internet.
  cs.seedSettings(dirs, {
    'tokstat.endpoints': { copilot: 'http://127.0.0.1:9', 'github-oauth': 'http://127.0.0.1:9', openrouter: 'http://127.0.0.1:9/api/v1' },
  });

  // A second extension that uses tokstat's exported API as any other extension would (test/fixtures/apiConsumer),
  // installed from a VSIX: the workbench payload takes one extensionDevelopmentPath only (it is read into a Map).
  try {
    installApiConsumer(cs, dirs);
  } catch (e) {
    console.log(`${TIER}: 0 passed, 1 failed (the API consumer fixture could not be installed: ${e.message})`);
    return 1;
  }

  let server;
  let browser;
  let exitCode = 1;
  let reason = '';
  let streamed = 0;
  const reportFile = path.join(reportDir, 'report.txt');
  const streamReport = () => {
    try {
      const text = fs.readFileSync(reportFile, 'utf8');
      if (text.length > streamed) {
        process.stdout.write(text.slice(streamed));
        streamed = text.length;
      }
    } catch {
      /* not written yet */
    }
  };
  const ticker = setInterval(streamReport, 500);
  try {
    server = await cs.startCodeServer({
      dirs,
      env: { TOKSTAT_TEST_HOOKS: '1', TOKSTAT_TEST_REPORT_DIR: reportDir, TOKSTAT_TEST_GREP: grep, TOKSTAT_TEST_TIER: TIER },
    });
    console.log(`${TIER}: code-server on ${server.url} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    browser = await cs.launchBrowser(dirs);
    const exited = new Promise((resolve) => {
      browser.page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code)));
    });
    const payload = [
      ['extensionDevelopmentPath', cs.remoteUri(server.port, extensionPath)],
      ['extensionTestsPath', cs.remoteUri(server.port, index.replace(/\.js$/, ''))],
    ];
    await browser.page.goto(cs.workbenchUrl(server, payload));
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), HARD_TIMEOUT_MS);
    });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      reason = `no result within ${HARD_TIMEOUT_MS / 1000} s (hard timeout)`;
      await browser.page.screenshot({ path: path.join(dirs.base, 'timeout.png') }).catch(() => undefined);
    } else exitCode = result;
  } catch (e) {
    reason = e && e.stack ? e.stack : String(e);
  } finally {
    clearInterval(ticker);
    streamReport();
    if (browser) await browser.close();
    if (server) await server.stop();
  }

  let summary;
  try {
    summary = JSON.parse(fs.readFileSync(path.join(reportDir, 'summary.json'), 'utf8'));
  } catch {
    summary = undefined;
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  let passed = summary ? summary.passed : 0;
  let failed = summary ? summary.failed : 0;
  const pending = summary ? summary.pending : 0;
  if (summary && summary.error) reason ||= summary.error;
  // A run that ended badly without a failing test (load error, crash, time-out) still counts as a failure.
  if ((exitCode !== 0 || !summary) && failed === 0) failed = 1;
  if (exitCode === 0 && summary && summary.failed > 0) exitCode = 1;
  if (failed > 0 || exitCode !== 0) {
    if (reason) console.error(`${TIER}: ${reason}`);
    cs.reportFailureLogs(dirs);
  }
  console.log(`${TIER}: ${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''} (${secs} s)`);
  return failed > 0 || exitCode !== 0 ? 1 : 0;
}

function installApiConsumer(cs, dirs) {
  const vsix = path.join(dirs.base, 'api-consumer.vsix');
  const res = require('node:child_process').spawnSync(
    process.execPath,
    [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', vsix],
    { cwd: path.join(root, 'test', 'fixtures', 'apiConsumer'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  );
  if (res.status !== 0) throw new Error(`vsce package exited ${res.status}: ${res.stderr || res.stdout}`);
  cs.installVsix(dirs, vsix);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    console.log(`${TIER}: 0 passed, 1 failed (runner crashed)`);
    process.exit(1);
  },
);
