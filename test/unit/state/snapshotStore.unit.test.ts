import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSnapshotStore, isValidAccountId, type AccountState } from '../../../src/core/state/snapshotStore';
import { InMemorySnapshotStore } from '../../fakes/memoryStores';
import type { Logger } from '../../../src/core/log';
import { FakeClock } from '../../fakes/fakeClock';

function memLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (lvl: string) => (m: string) => void lines.push(`${lvl} ${m}`);
  return { lines, trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

async function tmpDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-store-'));
}

function state(id: string, takenAt: number, extra = ''): AccountState {
  return {
    version: 1,
    // The window length a provider states (Meter.windowMs) is part of what is kept: pace needs it after a restart.
    snapshot: { accountId: id, takenAt, status: 'ok', meters: [{ id: 'm', label: 'M' + extra, kind: 'quota', unit: 'requests', source: 'official', capturedAt: takenAt, used: 1, resetsAt: takenAt + 3_600_000, windowMs: 18_000_000 }], lastSuccessAt: takenAt },
    schedule: { lastAttemptAt: takenAt, nextDueAt: takenAt + 300_000, failures: 0 },
  };
}

function store(folder: string, log: Logger = memLog(), extra: Partial<ConstructorParameters<typeof FileSnapshotStore>[0]> = {}) {
  return new FileSnapshotStore({ folder, log, watch: false, rescanMs: 0, ...extra });
}

test('account ids are validated as safe file names', async () => {
  for (const ok of ['a', 'acc_1', 'A-b_9']) assert.ok(isValidAccountId(ok), ok);
  for (const bad of ['', '../x', 'a/b', 'a.json', 'a b', '..', 'x\u0000']) assert.ok(!isValidAccountId(bad), JSON.stringify(bad));
  const s = store(await tmpDir());
  await assert.rejects(s.read('../etc'));
  await assert.rejects(s.write('a/b', state('a/b', 1)));
  await assert.rejects(s.delete('..'));
  s.dispose();
});

test('write then read round-trips; list and delete', async () => {
  const dir = path.join(await tmpDir(), 'nested', 'snapshots');
  const s = store(dir);
  assert.equal(await s.read('a'), undefined);
  await s.write('a', state('a', 1000));
  await s.write('b', state('b', 2000));
  assert.deepEqual(await s.read('a'), state('a', 1000));
  assert.deepEqual(await s.list(), ['a', 'b']);
  const onDisk = JSON.parse(await fsp.readFile(path.join(dir, 'a.json'), 'utf8'));
  assert.equal(onDisk.version, 1);
  assert.equal(onDisk.schedule.lastAttemptAt, 1000);
  await s.delete('a');
  await s.delete('a');
  assert.equal(await s.read('a'), undefined);
  assert.deepEqual(await s.list(), ['b']);
  s.dispose();
});

test('corrupt, partial and foreign files are ignored and logged, never thrown', async () => {
  const dir = await tmpDir();
  const log = memLog();
  const s = store(dir, log);
  const full = JSON.stringify(state('a', 1));
  await fsp.writeFile(path.join(dir, 'a.json'), full.slice(0, full.length / 2));
  assert.equal(await s.read('a'), undefined);
  await fsp.writeFile(path.join(dir, 'b.json'), '\u0000\u0001garbage');
  assert.equal(await s.read('b'), undefined);
  await fsp.writeFile(path.join(dir, 'c.json'), JSON.stringify({ version: 2, schedule: { failures: 0 } }));
  assert.equal(await s.read('c'), undefined);
  await fsp.writeFile(path.join(dir, 'd.json'), JSON.stringify(state('other', 1)));
  assert.equal(await s.read('d'), undefined, 'snapshot of another account');
  await fsp.writeFile(path.join(dir, 'e.json'), JSON.stringify({ version: 1, schedule: { failures: 'x' } }));
  assert.equal(await s.read('e'), undefined);
  assert.equal(log.lines.filter((l) => l.startsWith('warn [snapshot-store]')).length, 5);
  // A rescan over corrupt files does not throw either.
  await s.rescan();
  s.dispose();
});

test('atomic write: concurrent readers never see a partial file; no temp files are left', async () => {
  const dir = await tmpDir();
  const writer = store(dir);
  const reader = store(dir);
  await writer.write('a', state('a', 0));
  const big = 'x'.repeat(200_000);
  let stop = false;
  let reads = 0;
  let bad = 0;
  const readLoop = (async () => {
    while (!stop) {
      const raw = await fsp.readFile(path.join(dir, 'a.json'), 'utf8');
      try {
        JSON.parse(raw);
      } catch {
        bad++;
      }
      if ((await reader.read('a')) === undefined) bad++;
      reads++;
    }
  })();
  for (let i = 1; i <= 60; i++) await writer.write('a', state('a', i, big + i));
  stop = true;
  await readLoop;
  assert.ok(reads > 0);
  assert.equal(bad, 0);
  assert.deepEqual(await fsp.readdir(dir), ['a.json']);
  assert.equal((await reader.read('a'))?.snapshot?.takenAt, 60);
  writer.dispose();
  reader.dispose();
});

test('external changes are reported by rescan; own writes are not', async () => {
  const dir = await tmpDir();
  const a = store(dir);
  const b = store(dir);
  await a.whenReady();
  await b.whenReady();
  const seenA: string[] = [];
  const seenB: string[] = [];
  a.onDidChangeExternally((id) => seenA.push(id));
  b.onDidChangeExternally((id) => seenB.push(id));
  await b.write('x', state('x', 1));
  await a.rescan();
  await b.rescan();
  assert.deepEqual(seenA, ['x']);
  assert.deepEqual(seenB, [], 'own write is not external');
  await a.rescan();
  assert.deepEqual(seenA, ['x'], 'unchanged file not reported twice');
  await a.write('x', state('x', 2));
  await b.rescan();
  await a.rescan();
  assert.deepEqual(seenB, ['x']);
  assert.deepEqual(seenA, ['x']);
  await b.delete('x');
  await a.rescan();
  assert.deepEqual(seenA, ['x', 'x'], 'deletion reported');
  a.dispose();
  b.dispose();
});

test('fs.watch (or the periodic rescan fallback) delivers external changes; dispose stops both', async () => {
  const dir = await tmpDir();
  const watcher = new FileSnapshotStore({ folder: dir, log: memLog(), watch: true, rescanMs: 200 });
  await watcher.whenReady();
  const other = store(dir);
  const got = new Promise<string>((resolve) => watcher.onDidChangeExternally(resolve));
  await other.write('w', state('w', 5));
  const id = await Promise.race([got, new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no change event within 30 s')), 30_000).unref())]);
  assert.equal(id, 'w');
  watcher.dispose();
  let late = 0;
  watcher.onDidChangeExternally(() => late++);
  await other.write('w', state('w', 6));
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(late, 0);
  other.dispose();
});

test('the rescan timer uses the injected clock and is cleared on dispose', async () => {
  const dir = await tmpDir();
  const clock = new FakeClock();
  const s = new FileSnapshotStore({ folder: dir, log: memLog(), watch: false, rescanMs: 1000, clock });
  await s.whenReady();
  assert.equal(clock.pendingTimers(), 1);
  s.dispose();
  assert.equal(clock.pendingTimers(), 0);
});

test('in-memory store: copies, validation and simulated external writes', async () => {
  const s = new InMemorySnapshotStore();
  const st = state('a', 1);
  await s.write('a', st);
  const r = (await s.read('a'))!;
  r.schedule.failures = 99;
  assert.equal((await s.read('a'))!.schedule.failures, 0, 'reads are copies');
  const seen: string[] = [];
  s.onDidChangeExternally((id) => seen.push(id));
  s.simulateExternalWrite('a', state('a', 2));
  assert.deepEqual(seen, ['a']);
  assert.equal((await s.read('a'))!.snapshot!.takenAt, 2);
  await assert.rejects(s.read('bad/id'));
  s.dispose();
  assert.ok(fs.existsSync(os.tmpdir()));
});
