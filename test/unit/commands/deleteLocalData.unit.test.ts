// "tokstat: Delete Local Data": the command asks, leaves a marker and reloads; the next activation empties the storage
// folder before any store opens it. Keys and accounts go only when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as CommandModule from '../../../src/commands/deleteLocalData';
import { DELETE_MARKER, deleteLocalDataIfRequested } from '../../../src/core/localData';
import { withVscodeStub } from '../../support/vscodeStub';

let answer: string | undefined;
const executed: unknown[][] = [];
const handlers = new Map<string, (...a: unknown[]) => unknown>();
const fakeVscode = {
  window: {
    showWarningMessage: async (_m: string, opts: { modal?: boolean }, ...items: string[]) => {
      assert.equal(opts.modal, true, 'asked in a modal');
      assert.deepEqual(items, ['Delete Local Data', 'Delete Data, Accounts and Keys']);
      return answer;
    },
    showErrorMessage: async () => undefined,
  },
  commands: {
    registerCommand: (id: string, fn: (...a: unknown[]) => unknown) => {
      handlers.set(id, fn);
      return { dispose: () => handlers.delete(id) };
    },
    executeCommand: async (...a: unknown[]) => void executed.push(a),
  },
};
const { registerDeleteLocalData } = withVscodeStub(fakeVscode, () => require('../../../src/commands/deleteLocalData') as typeof CommandModule);

function storage(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-localdata-'));
  for (const d of ['snapshots', 'history/v2/acc', 'usage', 'usage-api', 'alerts', 'pricing', 'leader.lock']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'history', 'v2', 'acc', 'raw-2026-12-01.log'), 'x');
  fs.writeFileSync(path.join(dir, 'alerts', 'alerts.json'), '{}');
  return dir;
}

function setup() {
  const dir = storage();
  const removed: string[] = [];
  const repo = { list: () => [{ id: 'a' }, { id: 'b' }] as never, remove: async (id: string) => void removed.push(id) };
  const logs: string[] = [];
  const d = registerDeleteLocalData({ storage: dir, repo, log: { trace() {}, debug() {}, info: (m: string) => logs.push(m), warn() {}, error() {} } });
  executed.length = 0;
  return { dir, removed, run: () => handlers.get('tokstat.deleteLocalData')!(), dispose: () => d.dispose() };
}

test('cancelled: nothing is marked, removed or reloaded', async () => {
  const s = setup();
  answer = undefined;
  await s.run();
  assert.equal(fs.existsSync(path.join(s.dir, DELETE_MARKER)), false);
  assert.deepEqual(s.removed, []);
  assert.deepEqual(executed, []);
  assert.equal(deleteLocalDataIfRequested(s.dir), undefined, 'without the marker the next activation deletes nothing');
  assert.ok(fs.existsSync(path.join(s.dir, 'history', 'v2', 'acc', 'raw-2026-12-01.log')));
  s.dispose();
});

test('"Delete Local Data": marked and reloaded, accounts kept; the next activation empties the folder', async () => {
  const s = setup();
  answer = 'Delete Local Data';
  await s.run();
  assert.ok(fs.existsSync(path.join(s.dir, DELETE_MARKER)));
  assert.deepEqual(executed, [['workbench.action.reloadWindow']]);
  assert.deepEqual(s.removed, [], 'accounts and keys stay');
  assert.deepEqual(deleteLocalDataIfRequested(s.dir), ['alerts', 'history', 'leader.lock', 'pricing', 'snapshots', 'usage', 'usage-api']);
  assert.deepEqual(fs.readdirSync(s.dir), [], 'nothing left, the marker included');
  assert.equal(deleteLocalDataIfRequested(s.dir), undefined, 'once');
  s.dispose();
});

test('"Delete Data, Accounts and Keys": every account (and so its key) is removed too', async () => {
  const s = setup();
  answer = 'Delete Data, Accounts and Keys';
  await s.run();
  assert.deepEqual(s.removed, ['a', 'b']);
  assert.ok(fs.existsSync(path.join(s.dir, DELETE_MARKER)));
  assert.deepEqual(executed, [['workbench.action.reloadWindow']]);
  s.dispose();
});
