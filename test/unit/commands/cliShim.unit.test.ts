// The 'tokstat' launcher of "Install 'tokstat' Command in PATH": where it goes, that it runs the CLI with the given
// runtime, that only ours is rewritten or removed, and that an update's new folder is picked up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installShim, refreshShim, shimContent, shimPlace, shimState, uninstallShim, type ShimTarget } from '../../../src/core/cliShim';

const CLI = path.resolve(__dirname, '../../../src/cli/main.js'); // tsc's output of the CLI: prints `dev` for --version

function tmpHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-shim-'));
}

test('on POSIX the launcher goes to the first of ~/.local/bin and ~/bin on PATH, else ~/.local/bin (said not on PATH); on Windows to %LOCALAPPDATA%', () => {
  const home = '/home/dev';
  assert.deepEqual(shimPlace({ PATH: '/usr/bin:/home/dev/bin' }, home, 'linux'), { dir: '/home/dev/bin', file: '/home/dev/bin/tokstat', onPath: true });
  assert.deepEqual(shimPlace({ PATH: '/home/dev/.local/bin:/home/dev/bin' }, home, 'darwin'), { dir: '/home/dev/.local/bin', file: '/home/dev/.local/bin/tokstat', onPath: true });
  assert.deepEqual(shimPlace({ PATH: '/usr/bin' }, home, 'linux'), { dir: '/home/dev/.local/bin', file: '/home/dev/.local/bin/tokstat', onPath: false });
  const w = shimPlace({ Path: 'C:\\Windows', LOCALAPPDATA: 'C:\\Users\\dev\\AppData\\Local' }, 'C:\\Users\\dev', 'win32');
  assert.match(w.file, /tokstat[\\/]bin[\\/]tokstat\.cmd$/);
  assert.equal(w.onPath, false);
});

test('the installed launcher runs the CLI with the given runtime, is executable and marked as ours; installing again changes nothing', { skip: process.platform === 'win32' && 'POSIX launcher' }, () => {
  const home = tmpHome();
  try {
    const place = shimPlace({ PATH: `${path.join(home, '.local', 'bin')}:/usr/bin` }, home, process.platform);
    const t: ShimTarget = { execPath: process.execPath, cliPath: CLI, platform: process.platform };
    const r = installShim(place, t);
    assert.deepEqual(r, { ok: true, place, changed: true });
    assert.equal(fs.statSync(place.file).mode & 0o777, 0o755);
    const run = spawnSync(place.file, ['--version'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'dev', 'the launcher ran the CLI');
    assert.equal(shimState(place, t), 'ours-current');
    assert.deepEqual(installShim(place, t), { ok: true, place, changed: false });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('a path with spaces and quotes survives the shell', { skip: process.platform === 'win32' && 'POSIX launcher' }, () => {
  const home = tmpHome();
  try {
    const odd = path.join(home, "it's a dir");
    fs.mkdirSync(odd);
    const cli = path.join(odd, 'cli.js');
    fs.writeFileSync(cli, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))');
    const place = shimPlace({ PATH: '' }, home, process.platform);
    installShim(place, { execPath: process.execPath, cliPath: cli, platform: process.platform });
    const run = spawnSync(place.file, ['a b', "c'd", '$HOME'], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(run.stdout), ['a b', "c'd", '$HOME']);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('a tokstat that is not ours is never overwritten or removed', () => {
  const home = tmpHome();
  try {
    const place = shimPlace({ PATH: '' }, home, 'linux');
    fs.mkdirSync(place.dir, { recursive: true });
    fs.writeFileSync(place.file, '#!/usr/bin/env node\nrequire("tokstat/cli.js")\n');
    const t: ShimTarget = { execPath: '/usr/bin/node', cliPath: '/ext/dist/cli.js', platform: 'linux' };
    assert.deepEqual(installShim(place, t), { ok: false, place, reason: 'foreign' });
    assert.equal(uninstallShim(place, t), 'foreign');
    assert.equal(refreshShim(place, t), false);
    assert.match(fs.readFileSync(place.file, 'utf8'), /require\("tokstat\/cli\.js"\)/, 'left as it was');
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('after an update the launcher of ours is rewritten to the new folder; uninstall removes only ours', () => {
  const home = tmpHome();
  try {
    const place = shimPlace({ PATH: '' }, home, 'linux');
    const v1: ShimTarget = { execPath: '/opt/code/code', cliPath: '/ext/tokstat.tokstat-0.1.0/dist/cli.js', platform: 'linux' };
    const v2: ShimTarget = { ...v1, cliPath: '/ext/tokstat.tokstat-0.2.0/dist/cli.js' };
    assert.equal(refreshShim(place, v2), false, 'never installed: nothing written at activation');
    assert.equal(fs.existsSync(place.file), false);
    installShim(place, v1);
    assert.equal(shimState(place, v2), 'ours-outdated');
    assert.equal(refreshShim(place, v2), true);
    assert.equal(fs.readFileSync(place.file, 'utf8'), shimContent(v2));
    assert.equal(uninstallShim(place, v2), 'ours-current');
    assert.equal(fs.existsSync(place.file), false);
    assert.equal(uninstallShim(place, v2), 'absent');
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('the Windows launcher runs the bundle with the editor runtime as Node', () => {
  const text = shimContent({ execPath: 'C:\\Program Files\\Microsoft VS Code\\Code.exe', cliPath: 'C:\\ext\\dist\\cli.js', platform: 'win32' });
  assert.match(text, /set ELECTRON_RUN_AS_NODE=1\r\n"C:\\Program Files\\Microsoft VS Code\\Code\.exe" "C:\\ext\\dist\\cli\.js" %\*/);
});
