// Two "windows" (schedulers) over one storage folder: real FileLease + FileSnapshotStore, a shared fake clock for
// the schedule. fs.watch is off and rescans are driven by the test so the interleaving is deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { PollScheduler } from '../../../src/core/scheduler/scheduler';
import { FileSnapshotStore } from '../../../src/core/state/snapshotStore';
import { FileLease } from '../../../src/core/state/lease';
import { nullLogger } from '../../../src/core/log';
import { makeMeter } from '../../../src/shared/model';

const MIN = 60_000;
const INTERVAL = 5 * MIN;

interface Window {
  name: string;
  s: PollScheduler;
  store: FileSnapshotStore;
  calls: Array<{ id: string; at: number }>;
}

function openWindow(name: string, root: string, clock: FakeClock): Window {
  const calls: Array<{ id: string; at: number }> = [];
  const store = new FileSnapshotStore({ folder: path.join(root, 'snapshots'), log: nullLogger, watch: false, rescanMs: 0, clock });
  const lease = new FileLease({ dir: path.join(root, 'leader.lock'), log: nullLogger, clock, ttlMs: 30_000 });
  const s = new PollScheduler({
    clock,
    log: nullLogger,
    random: () => 0.5,
    store,
    lease,
    leaseRenewMs: 10_000,
    leaseRetryMs: 15_000,
    intervalMs: () => INTERVAL,
    fetch: async (id) => {
      calls.push({ id, at: clock.now() });
      const used = calls.length;
      return { meters: [makeMeter({ id: 'm', label: 'M', kind: 'quota', unit: 'requests', source: 'official', capturedAt: clock.now(), used, limit: 100 })], identity: `${name}` };
    },
  });
  return { name, s, store, calls };
}

async function settleAll(windows: Window[]): Promise<void> {
  for (let i = 0; i < 3; i++) {
    for (const w of windows) await w.s.whenIdle();
    for (const w of windows) await w.store.rescan();
    for (const w of windows) await w.s.whenIdle();
    await flushMicrotasks();
  }
}

function isManualCall(c: { id: string; at: number }, tManual: number, id: string): boolean {
  return id === 'x' && c.at === tManual;
}

function count(windows: Window[], id: string, from = -Infinity, to = Infinity): number {
  return windows.flatMap((w) => w.calls).filter((c) => c.id === id && c.at >= from && c.at < to).length;
}

test('leader election: one window polls, each account once per interval in total, follower mirrors, takeover without re-poll', async () => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-mw-'));
  const clock = new FakeClock();
  const a = openWindow('A', root, clock);
  await settleAll([a]);
  const b = openWindow('B', root, clock);
  const all = [a, b];
  const settle = () => settleAll(all);
  await settle();
  assert.equal(a.s.isLeader(), true);
  assert.equal(b.s.isLeader(), false);

  const t0 = clock.now();
  a.s.setAccounts(['x', 'y']);
  b.s.setAccounts(['x', 'y']);
  await settle();
  assert.equal(a.calls.length, 2, 'leader polled both at once');
  assert.equal(b.calls.length, 0, 'follower does not poll on schedule');
  assert.deepEqual(b.s.getSnapshot('x'), a.s.getSnapshot('x'), 'follower shows the leader result from the store');
  assert.equal(b.s.getSnapshot('x')?.identity, 'A');

  // One hour: both windows alive, timers (polls, renewals, follower lease retries) interleaved.
  await clock.advanceAsync(60 * MIN, settle);
  for (const id of ['x', 'y']) {
    for (let k = 0; k < 12; k++) {
      assert.equal(count(all, id, t0 + k * INTERVAL, t0 + (k + 1) * INTERVAL), 1, `${id} in interval ${k}`);
    }
  }
  assert.equal(b.calls.length, 0);
  assert.equal(b.s.isLeader(), false, 'the renewed lease is never stolen');

  // Manual refresh in the follower: it fetches and the leader counts it (no leader poll for x for a full interval).
  await clock.advanceAsync(2 * MIN, settle);
  const tManual = clock.now();
  const r = await b.s.refresh('x');
  assert.equal(r.outcome, 'fetched');
  assert.equal(b.calls.length, 1);
  await settle();
  assert.equal(a.s.getSnapshot('x')?.identity, 'B', 'leader shows the follower result');
  assert.equal(a.s.nextPollAt('x'), tManual + INTERVAL);
  await clock.advanceAsync(INTERVAL - 1, settle);
  assert.equal(count(all, 'x', tManual, clock.now() + 1), 1, 'no leader poll within the interval after the manual one');
  await clock.advanceAsync(1, settle);
  assert.equal(count(all, 'x', tManual, clock.now() + 1), 2);

  // Leader goes away right after polling: the follower takes over quickly and does not re-poll.
  const lastX = Math.max(...all.flatMap((w) => w.calls).filter((c) => c.id === 'x').map((c) => c.at));
  const lastY = Math.max(...all.flatMap((w) => w.calls).filter((c) => c.id === 'y').map((c) => c.at));
  const aCalls = a.calls.length;
  await a.s.shutdown();
  assert.equal(a.s.isLeader(), false);
  const bCallsBefore = b.calls.length;
  await clock.advanceAsync(15_000, settle);
  assert.equal(b.s.isLeader(), true, 'follower took over within one retry period');
  assert.equal(b.calls.length, bCallsBefore, 'no re-poll of just-polled accounts on takeover');
  assert.equal(b.s.nextPollAt('x'), lastX + INTERVAL);
  assert.equal(b.s.nextPollAt('y'), lastY + INTERVAL);
  await clock.advanceAsync(30 * MIN, settle);
  assert.equal(a.calls.length, aCalls, 'disposed window never polls again');
  for (const id of ['x', 'y']) {
    // Automatic polls only: the user's manual refresh may legitimately come sooner than an interval.
    const times = all.flatMap((w) => w.calls).filter((c) => c.id === id && !(isManualCall(c, tManual, id))).map((c) => c.at).sort((p, q) => p - q);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= INTERVAL, `${id}: polls ${times[i - 1]} and ${times[i]} too close`);
  }
  await b.s.shutdown();
  a.store.dispose();
  b.store.dispose();
  assert.equal(clock.pendingTimers(), 0);
  assert.deepEqual((await fsp.readdir(root)).sort(), ['snapshots'], 'lease released on dispose');
});

test('a crashed leader (no release) is replaced after the lease TTL without re-polling', async () => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-mw-'));
  const clock = new FakeClock();
  const a = openWindow('A', root, clock);
  await settleAll([a]);
  const b = openWindow('B', root, clock);
  const all = [a, b];
  a.s.setAccounts(['x']);
  b.s.setAccounts(['x']);
  await settleAll(all);
  assert.equal(a.calls.length, 1);
  // Simulate a crash: A's timers stop (no renew, no release). Only B keeps running.
  const polledAt = a.calls[0]!.at;
  (a.s as unknown as { deps: { lease: { release(): Promise<void> } } }).deps.lease.release = async () => undefined;
  a.s.dispose();
  await clock.advanceAsync(29_000, () => settleAll([b]));
  assert.equal(b.s.isLeader(), false, 'lease still valid');
  await clock.advanceAsync(20_000, () => settleAll([b]));
  assert.equal(b.s.isLeader(), true, 'stale lease taken over');
  assert.equal(b.calls.length, 0);
  await clock.advanceAsync(polledAt + INTERVAL - clock.now(), () => settleAll([b]));
  assert.equal(b.calls.length, 1);
  assert.equal(count(all, 'x'), 2);
  await b.s.shutdown();
  a.store.dispose();
  b.store.dispose();
});
