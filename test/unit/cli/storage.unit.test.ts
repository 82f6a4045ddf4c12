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
