#!/usr/bin/env node
// `npm start`: build and package tokstat, then try it in a real VS Code.
//   - desktop VS Code (`code` on PATH): `code --extensionDevelopmentPath=<repo>` (a new window, this checkout);
//   - otherwise code-server 4.100.3 (installed by scripts/setup-code-server.sh if missing) with tokstat.vsix
//     installed into a private profile under .vscode-test/start/ (kept between runs, so accounts you add stay);
//     prints the local URL; Ctrl+C stops it.
// Options: --code-server (use code-server even when `code` exists), --port N (default: a free port).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root, run } = require('./lib');
const { ensure } = require('./ensure');

const argv = process.argv.slice(2);
const portAt = argv.indexOf('--port');
const port = portAt >= 0 ? Number(argv[portAt + 1]) : 0;
const VER = process.env.CODE_SERVER_VERSION || '4.100.3';
const entry = path.join(root, '.vscode-test', `code-server-${VER}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function main() {
  // A fresh clone needs nothing else: npm dependencies are installed here when missing or stale.
  if (!ensure()) return 1;
  if (run('npm', ['run', '--silent', 'build']) !== 0) return 1;
  if (run('npm', ['run', '--silent', 'package']) !== 0) return 1;
  const vsix = path.join(root, 'tokstat.vsix');

  if (!argv.includes('--code-server') && hasCommand('code')) {
    console.log('start: opening a VS Code window with this checkout as the development extension');
    return run('code', [`--extensionDevelopmentPath=${root}`, root]);
  }

  if (!fs.existsSync(entry)) {
    console.log(`start: code-server ${VER} not installed yet; installing (about 2 minutes)`);
    if (run('bash', [path.join(__dirname, 'setup-code-server.sh')]) !== 0) return 1;
  }
  const base = path.join(root, '.vscode-test', 'start');
  const dirs = {
    config: path.join(base, 'xdg-config'),
    data: path.join(base, 'xdg-data'),
    tmp: path.join(base, 'tmp'),
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const configFile = path.join(base, 'code-server.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(
      settingsFile,
      JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'extensions.autoUpdate': false, 'chat.disableAIFeatures': true, 'security.workspace.trust.enabled': false }, null, 2),
    );
  }
  const env = { ...process.env, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data, TMPDIR: dirs.tmp };
  delete env.GITHUB_TOKEN;
  delete env.PASSWORD;
  const common = ['--config', configFile, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  if (run(process.execPath, [entry, ...common, '--force', '--install-extension', vsix], { env }) !== 0) return 1;

  const child = spawn(
    process.execPath,
    [entry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', root],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const onData = (b) => {
    out += b;
    const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
    if (m && !onData.printed) {
      onData.printed = true;
      console.log(`\nstart: tokstat is running in code-server (VS Code ${VER.replace(/^4\./, '1.')}): open ${m[1]}?folder=${encodeURIComponent(root)}\nstart: Ctrl+C stops it.`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', (b) => {
    onData(b);
    if (process.env.TOKSTAT_VERBOSE) process.stderr.write(b);
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      process.exit(0);
    }, 3000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => {
    if (!onData.printed) console.error(`start: code-server exited (${code}) before listening:\n${out}`);
    process.exit(code ?? 0);
  });
  return undefined;
}

const code = main();
if (code !== undefined) process.exit(code);
