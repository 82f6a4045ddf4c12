#!/usr/bin/env node
// The extension-host suite (out/test/integration, the same one run-exthost.js runs in code-server) under a
// desktop VS Code via @vscode/test-electron. Needs internet (test-electron downloads VS Code into .vscode-test/)
// and a display: without $DISPLAY it re-runs itself under `xvfb-run -a`. Not part of the default `npm test`
// on this offline machine; enable with TOKSTAT_ELECTRON=1 npm test, or run it directly:
//   node scripts/run-electron.js [--no-compile] [--no-build]       Env: VSCODE_VERSION (default 'stable')
// Prints `extension-host-electron: N passed, N failed`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root, compile, build, skipOrFail } = require('./lib');

const TIER = 'extension-host-electron';
const argv = process.argv.slice(2);

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function main() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.TOKSTAT_UNDER_XVFB) {
    if (!hasCommand('xvfb-run')) skipOrFail(TIER, 'no $DISPLAY and xvfb-run missing (apt-get install xvfb)');
    const res = spawnSync('xvfb-run', ['-a', process.execPath, __filename, ...argv], { stdio: 'inherit', env: { ...process.env, TOKSTAT_UNDER_XVFB: '1' } });
    return res.status ?? 1;
  }
  if (!argv.includes('--no-compile') && !compile()) return 1;
  if (!argv.includes('--no-build') && !build()) return 1;
  const { runTests } = require('@vscode/test-electron');
  const base = path.join(root, 'test-results', TIER);
  fs.rmSync(base, { recursive: true, force: true });
  const userData = path.join(base, 'user-data');
  const reportDir = path.join(base, 'report');
  const workspace = path.join(base, 'workspace');
  for (const d of [path.join(userData, 'User'), reportDir, workspace]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'tokstat.endpoints': { copilot: 'http://127.0.0.1:9', 'github-oauth': 'http://127.0.0.1:9', openrouter: 'http://127.0.0.1:9/api/v1' },
    }),
  );
  let code = 1;
  try {
    code = await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index'),
      extensionTestsEnv: { TOKSTAT_TEST_HOOKS: '1', TOKSTAT_TEST_REPORT_DIR: reportDir },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userData, '--extensions-dir', path.join(base, 'extensions')],
    });
  } catch (e) {
    console.error(`${TIER}: ${e && e.message ? e.message : e}`);
  }
  let summary;
  try {
    summary = JSON.parse(fs.readFileSync(path.join(reportDir, 'summary.json'), 'utf8'));
    process.stdout.write(fs.readFileSync(path.join(reportDir, 'report.txt'), 'utf8'));
  } catch {
    summary = undefined;
  }
  const passed = summary ? summary.passed : 0;
  let failed = summary ? summary.failed : 0;
  if ((code !== 0 || !summary) && failed === 0) failed = 1;
  console.log(`${TIER}: ${passed} passed, ${failed} failed${summary && summary.pending ? `, ${summary.pending} skipped` : ''}`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    console.error(e);
    console.log(`${TIER}: 0 passed, 1 failed (runner crashed)`);
    process.exit(1);
  },
);
