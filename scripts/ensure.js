#!/usr/bin/env node
// What `npm start` and `npm test` need before they run, set up by themselves on a fresh clone (node built-ins only:
// this runs before node_modules exists):
//   - npm dependencies: `npm ci` when node_modules is missing or does not match package-lock.json (every direct
//     dependency at the locked version); a stamp with the lock's hash makes the next check instant;
//   - Debian packages (Chromium for the browser tiers, ripgrep and build tools for code-server): scripts/setup-system.sh,
//     when this user can install them (root, or passwordless sudo); otherwise it says what to install and the tiers
//     that need them skip (in CI, where they must exist, they fail);
//   - code-server (a real VS Code for the extension-host and e2e tiers and `npm start`): scripts/setup-code-server.sh.
// Usage from a script: require('./ensure').ensure({ system: true, codeServer: true }) → true when all is ready.
// TOKSTAT_NO_SETUP=1 skips all of it (for machines set up by other means).
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'node_modules', '.tokstat-lock-sha256');

function sh(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (res.error) console.error(`setup: ${cmd}: ${res.error.message}`);
  return res.status ?? 1;
}

function lockHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(path.join(root, 'package-lock.json'))).digest('hex');
}

/** Why node_modules does not match package-lock.json, or undefined when it does. */
function staleReason() {
  if (!fs.existsSync(path.join(root, 'node_modules'))) return 'node_modules is missing';
  const hash = lockHash();
  try {
    if (fs.readFileSync(STAMP, 'utf8').trim() === hash) return undefined;
  } catch {
    /* no stamp yet: compare what is installed */
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const want = lock.packages?.[`node_modules/${name}`]?.version;
    let have;
    try {
      have = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return `${name} is not installed`;
    }
    if (want && have !== want) return `${name} is ${have}, package-lock.json wants ${want}`;
  }
  try {
    fs.writeFileSync(STAMP, `${hash}\n`);
  } catch {
    /* read-only node_modules: check again next time */
  }
  return undefined;
}

function ensureDependencies() {
  const why = staleReason();
  if (!why) return true;
  console.log(`setup: ${why}; running npm ci (about a minute)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (sh(npm, ['ci', '--no-audit', '--no-fund']) !== 0) {
    console.error('setup: npm ci failed');
    return false;
  }
  fs.writeFileSync(STAMP, `${lockHash()}\n`);
  return true;
}

const SYSTEM_PACKAGES = ['chromium', 'ripgrep', 'build-essential', 'python3', 'libkrb5-dev', 'git', 'tinyproxy', 'prometheus', 'prometheus-pushgateway', 'fonts-wqy-microhei'];

function missingSystemPackages() {
  if (spawnSync('sh', ['-c', 'command -v dpkg-query'], { stdio: 'ignore' }).status !== 0) return undefined; // not Debian
  return SYSTEM_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return !/install ok installed/.test(r.stdout || '');
  });
}

function canInstallSystemPackages() {
  if (process.getuid && process.getuid() === 0) return true;
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

function ensureSystem() {
  const missing = missingSystemPackages();
  if (!missing || missing.length === 0) return true;
  if (!canInstallSystemPackages()) {
    console.log(`setup: Debian packages missing: ${missing.join(' ')} — install them (sudo apt-get install ${missing.join(' ')}); the tiers that need them skip until then`);
    return false;
  }
  return sh('bash', [path.join(__dirname, 'setup-system.sh')]) === 0;
}

function ensureCodeServer(version) {
  return sh('bash', [path.join(__dirname, 'setup-code-server.sh')], { env: { ...process.env, CODE_SERVER_VERSION: version } }) === 0;
}

/** Sets up what is asked for; returns false when something could not be set up (the caller decides what follows). */
function ensure({ system = false, codeServer = false, newCodeServer = false } = {}) {
  if (/^(1|true)$/i.test(process.env.TOKSTAT_NO_SETUP || '')) return true;
  if (!ensureDependencies()) return false;
  let ok = true;
  if (system) ok = ensureSystem() && ok;
  // 4.100.3: the oldest VS Code tested (system Node 20); `new` = 4.139.1 on Node 24 from npm (the newest).
  if (codeServer) ok = ensureCodeServer('4.100.3') && ok;
  if (newCodeServer) ok = ensureCodeServer('new') && ok;
  return ok;
}

module.exports = { ensure, staleReason };

if (require.main === module) process.exit(ensure({ system: true, codeServer: true }) ? 0 : 1);
