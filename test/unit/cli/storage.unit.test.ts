// The CLI finds the extension's storage wherever VS Code keeps it: the desktop editors, code-server, and the servers
// of remote windows (VS Code Server for Remote-SSH/WSL/containers, Codespaces, Cursor, Windsurf, VSCodium), where the
// extension runs in a remote window and the agents' logs are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findStorage, storageCandidates } from '../../../src/cli/storage';

test('the remote servers’ storage is among the candidates on Linux and macOS, not on Windows', () => {
  const linux = storageCandidates({}, '/home/dev', 'linux');
  for (const server of ['.vscode-server', '.vscode-server-insiders', '.vscode-remote', '.cursor-server', '.windsurf-server', '.vscodium-server']) {
    assert.ok(linux.includes(`/home/dev/${server}/data/User/globalStorage/tokstat.tokstat`), server);
  }
  assert.ok(linux.includes('/home/dev/.config/Code/User/globalStorage/tokstat.tokstat'));
  assert.ok(!storageCandidates({ APPDATA: 'C:\\Users\\dev\\AppData\\Roaming' }, 'C:\\Users\\dev', 'win32').some((p) => /\.(vscode|cursor|windsurf|vscodium)-server|\.vscode-remote/.test(p)));
});

test('on a remote host with only VS Code Server, the CLI finds its storage', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-remote-home-'));
  try {
    const dir = path.join(home, '.vscode-server', 'data', 'User', 'globalStorage', 'tokstat.tokstat');
    fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
    assert.equal(findStorage(undefined, { XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share') }, home).dir, process.platform === 'win32' ? undefined : dir);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('with a fake HOME, the CLI finds the storage of each editor’s server on its own, and the latest written of several', () => {
  if (process.platform === 'win32') return;
  const servers: Array<[string, string]> = [
    ['VS Code Server (Remote-SSH, WSL, Dev Containers)', '.vscode-server'],
    ['Codespaces', '.vscode-remote'],
    ['Cursor Server', '.cursor-server'],
    ['Windsurf', '.windsurf-server'],
    ['VSCodium', '.vscodium-server'],
  ];
  const storageIn = (home: string, server: string) => path.join(home, server, 'data', 'User', 'globalStorage', 'tokstat.tokstat');
  for (const [what, server] of servers) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-fake-home-'));
    try {
      const env = { HOME: home };
      assert.equal(findStorage(undefined, env, home).dir, undefined, `${what}: nothing there yet`);
      const dir = storageIn(home, server);
      fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
      assert.equal(findStorage(undefined, env, home).dir, dir, what);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
  // Cursor and VS Code Server both installed on one remote host: the one whose snapshots changed last is used.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-fake-home-'));
  try {
    const older = storageIn(home, '.vscode-server');
    const newer = storageIn(home, '.cursor-server');
    for (const d of [older, newer]) fs.mkdirSync(path.join(d, 'snapshots'), { recursive: true });
    fs.utimesSync(path.join(older, 'snapshots'), new Date(2026, 0, 1), new Date(2026, 0, 1));
    fs.utimesSync(path.join(newer, 'snapshots'), new Date(2026, 0, 2), new Date(2026, 0, 2));
    assert.equal(findStorage(undefined, { HOME: home }, home).dir, newer);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
