// One poll per account across hosts (issue #19 §2): the lease and the snapshot mirror in globalState, with a fake
// globalState whose changes reach the other windows after a delay, and a fake clock. Each "host" has its own
// snapshot files (an in-memory store) and its own file lease (AlwaysLeader: one window per host here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { SharedMementoBackend } from '../../fakes/sharedMemento';
import { InMemorySnapshotStore } from '../../fakes/memoryStores';
import {
  CrossHostLease,
  LEADER_KEY,
  MAX_MIRRORED_ENTRY_CHARS,
  SNAPSHOTS_KEY,
  SharedSnapshotStore,
  readLeaderRecord,
  readMirror,
} from '../../../src/core/state/hostSpan';
import type { Lease } from '../../../src/core/state/lease';
import { AlwaysLeader } from '../../fakes/alwaysLeader';
import { nullLogger } from '../../../src/core/log';
import { PollScheduler } from '../../../src/core/scheduler/scheduler';
import { makeMeter } from '../../../src/shared/model';
import type { AccountState } from '../../../src/core/state/snapshotStore';

const MIN = 60_000;

function lease(backend: SharedMementoBackend, clock: FakeClock, host: string, inner: Lease = new AlwaysLeader()): CrossHostLease {
  return new CrossHostLease({ inner, kv: backend.view(host), hostId: host, log: nullLogger, clock, ttlMs: 60_000, staleAfterMs: 600_000 });
}

function state(id: string, at: number, used: number): AccountState {
  return {
    version: 1,
    snapshot: { accountId: id, takenAt: at, status: 'ok', meters: [makeMeter({ id: 'm', label: 'M', kind: 'quota', unit: 'requests', source: 'official', capturedAt: at, used, limit: 100 })] },
    schedule: { lastAttemptAt: at, nextDueAt: at + 5 * MIN, failures: 0 },
  };
}

test('a second host follows while the first renews, and takes over once the record stops changing for the TTL', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 2_000);
  const laptop = lease(backend, clock, 'local:laptop');
  const devbox = lease(backend, clock, 'ssh-remote:devbox');
  assert.equal(await laptop.tryAcquire(), true);
  clock.advance(2_000); // the claim reaches the devbox's window
  assert.equal(await devbox.tryAcquire(), false);
  assert.equal(devbox.otherHost(), 'local:laptop');
  // The laptop renews every 10 s: the devbox never sees the record stand still for 60 s.
  for (let i = 0; i < 12; i++) {
    clock.advance(10_000);
    assert.equal(await laptop.renew(), true);
    assert.equal(await devbox.tryAcquire(), false, `renewed at step ${i}`);
  }
  // The laptop sleeps (lid closed): no renew. The devbox first sees the last beat (it arrives 2 s late), then takes
  // over once it has seen no change for the 60 s TTL on its own clock.
  clock.advance(30_000);
  assert.equal(await devbox.tryAcquire(), false, 'the last beat just arrived');
  clock.advance(30_000);
  assert.equal(await devbox.tryAcquire(), false, 'not yet: 30 s without a change');
  clock.advance(30_000);
  assert.equal(await devbox.tryAcquire(), true, 'record unchanged for the TTL');
  assert.equal(readLeaderRecord(backend.view('ssh-remote:devbox'))?.host, 'ssh-remote:devbox');
  // The laptop wakes: its renew sees the devbox's record (after the delay) and it steps down.
  clock.advance(2_000);
  assert.equal(await laptop.renew(), false);
  assert.equal(laptop.isHeld(), false);
  assert.equal(await laptop.tryAcquire(), false, 'the devbox keeps renewing');
});

test('a record left hours ago by a host that is gone is taken over at once; a release hands over at once', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 0);
  backend.plant(LEADER_KEY, { host: 'local:old-laptop', token: 'abc', beat: 7, at: clock.now() - 3 * 3_600_000 });
  const devbox = lease(backend, clock, 'ssh-remote:devbox');
  assert.equal(await devbox.tryAcquire(), true);
  const laptop = lease(backend, clock, 'local:laptop');
  assert.equal(await laptop.tryAcquire(), false);
  await devbox.release();
  assert.equal(readLeaderRecord(backend.view('local:laptop')), undefined, 'release clears the record');
  assert.equal(await laptop.tryAcquire(), true);
});

test('two hosts that claim at once: the last write wins and the other steps down at its next renew', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 3_000);
  const a = lease(backend, clock, 'local:laptop');
  const b = lease(backend, clock, 'wsl:laptop');
  assert.equal(await a.tryAcquire(), true);
  assert.equal(await b.tryAcquire(), true, 'b has not seen a yet');
  clock.advance(10_000);
  const renewA = await a.renew();
  const renewB = await b.renew();
  assert.deepEqual([renewA, renewB].filter(Boolean).length, 1, 'exactly one keeps the lease');
  assert.equal(renewA, false, 'b wrote last');
});

test('the host lease comes first: a window whose host lease is taken never writes the shared record', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 0);
  const taken: Lease = { tryAcquire: async () => false, renew: async () => false, release: async () => undefined, isHeld: () => false };
  const l = lease(backend, clock, 'local:laptop', taken);
  assert.equal(await l.tryAcquire(), false);
  assert.equal(backend.updates.get('local:laptop') ?? 0, 0);
  // A window of the same host whose host lease is free takes over from a dead window of that host at once.
  backend.plant(LEADER_KEY, { host: 'local:laptop', token: 'dead', beat: 3, at: clock.now() });
  assert.equal(await lease(backend, clock, 'local:laptop').tryAcquire(), true);
});

test('a damaged or foreign leader record is ignored (validated), never a crash', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 0);
  for (const bad of ['x', 42, null, { host: 1 }, { host: 'h', token: 't', beat: -1, at: 0 }, { host: 'h'.repeat(500), token: 't', beat: 1, at: 0 }]) {
    backend.plant(LEADER_KEY, bad);
    assert.equal(readLeaderRecord(backend.view('w')), undefined, JSON.stringify(bad).slice(0, 40));
    assert.equal(await lease(backend, clock, `local:${String(Math.random())}`).tryAcquire(), true);
  }
});

test('the mirror: the newer of file and mirror is read; other hosts hear of a change on the next check; bounded', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 1_000);
  const laptopFiles = new InMemorySnapshotStore();
  const devboxFiles = new InMemorySnapshotStore();
  const laptop = new SharedSnapshotStore({ local: laptopFiles, kv: backend.view('laptop'), log: nullLogger, clock, pollMs: 5_000 });
  const devbox = new SharedSnapshotStore({ local: devboxFiles, kv: backend.view('devbox'), log: nullLogger, clock, pollMs: 5_000 });
  const heard: string[] = [];
  devbox.onDidChangeExternally((id) => heard.push(id));
  const mine: string[] = [];
  laptop.onDidChangeExternally((id) => mine.push(id));

  await devboxFiles.write('acc1', state('acc1', clock.now() - MIN, 10)); // an old reading on the devbox's disk
  await laptop.write('acc1', state('acc1', clock.now(), 42));
  assert.equal((await laptopFiles.read('acc1'))?.snapshot?.meters[0]?.used, 42, 'the host file is written too');
  clock.advance(5_000);
  await flushMicrotasks();
  assert.deepEqual(heard, ['acc1'], 'the devbox heard of it at its next check');
  assert.deepEqual(mine, [], 'a window does not hear its own write');
  assert.equal((await devbox.read('acc1'))?.snapshot?.meters[0]?.used, 42, 'the newer (mirrored) reading wins');
  assert.deepEqual(await devbox.list(), ['acc1']);

  // An entry too big to share is not mirrored (that host's windows keep their file).
  const big = state('acc2', clock.now(), 1);
  big.snapshot!.meters = Array.from({ length: 200 }, (_, i) => makeMeter({ id: `m${i}`, label: 'x'.repeat(80), kind: 'quota', unit: 'requests', source: 'official', capturedAt: clock.now(), used: i, limit: 1000 }));
  assert.ok(JSON.stringify(big).length > MAX_MIRRORED_ENTRY_CHARS);
  await laptop.write('acc2', big);
  assert.equal(readMirror(backend.view('laptop')).has('acc2'), false);
  assert.ok(await laptopFiles.read('acc2'));

  // Delete goes everywhere.
  await laptop.delete('acc1');
  clock.advance(5_000);
  await flushMicrotasks();
  assert.deepEqual(await devbox.read('acc1'), await devboxFiles.read('acc1'), 'only the devbox’s own file is left');
  assert.deepEqual(heard, ['acc1', 'acc1']);
  laptop.dispose();
  devbox.dispose();
});

test('a damaged mirror is ignored entry by entry (validated), never a crash', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 0);
  backend.plant(SNAPSHOTS_KEY, { version: 1, accounts: { good: state('good', 1, 5), 'bad id!': state('bad id!', 1, 5), other: state('someone-else', 1, 5), junk: 'x' } });
  assert.deepEqual([...readMirror(backend.view('w')).keys()], ['good']);
  for (const bad of [null, 'x', { version: 2, accounts: {} }, { version: 1, accounts: [] }]) {
    backend.plant(SNAPSHOTS_KEY, bad);
    assert.equal(readMirror(backend.view('w')).size, 0);
  }
});

test('two hosts, one scheduler each: every account is polled once per interval in all, and the other host shows the reading', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 2_000);
  const open = (host: string) => {
    const calls: number[] = [];
    const store = new SharedSnapshotStore({ local: new InMemorySnapshotStore(), kv: backend.view(host), log: nullLogger, clock, pollMs: 5_000 });
    const s = new PollScheduler({
      clock,
      log: nullLogger,
      random: () => 0.5,
      store,
      lease: lease(backend, clock, host),
      leaseRenewMs: 10_000,
      leaseRetryMs: 15_000,
      intervalMs: () => 5 * MIN,
      fetch: async () => {
        calls.push(clock.now());
        return { meters: [makeMeter({ id: 'm', label: 'M', kind: 'quota', unit: 'requests', source: 'official', capturedAt: clock.now(), used: calls.length, limit: 100 })] };
      },
    });
    return { host, s, store, calls };
  };
  const laptop = open('local:laptop');
  const hosts = [laptop];
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      for (const h of hosts) await h.s.whenIdle();
      await flushMicrotasks();
    }
  };
  laptop.s.setAccounts(['claude1']);
  await settle();
  clock.advance(3_000);
  const devbox = open('ssh-remote:devbox');
  hosts.push(devbox);
  devbox.s.setAccounts(['claude1']);
  await settle();
  assert.equal(laptop.s.isLeader(), true);
  assert.equal(devbox.s.isLeader(), false);
  // 30 minutes: six polls in all, all by the laptop.
  for (let t = 0; t < 30 * MIN; t += 5_000) {
    clock.advance(5_000);
    await settle();
  }
  assert.equal(devbox.calls.length, 0, 'the devbox never polled');
  assert.ok(laptop.calls.length >= 6 && laptop.calls.length <= 7, `laptop polled ${laptop.calls.length} times`);
  // The last poll reaches the devbox within the propagation delay plus one mirror check.
  clock.advance(2_000 + 5_000);
  await settle();
  const shown = devbox.s.getSnapshot('claude1');
  assert.equal(shown?.meters[0]?.used, laptop.calls.length, 'the devbox shows the laptop’s last reading');
  // The laptop window closes: the devbox takes over at once (the record is cleared) and does not re-poll early.
  const lastLaptopPoll = laptop.calls[laptop.calls.length - 1]!;
  await laptop.s.shutdown();
  hosts.shift();
  for (let t = 0; t < 20_000; t += 5_000) {
    clock.advance(5_000);
    await settle();
  }
  assert.equal(devbox.s.isLeader(), true);
  for (let t = 0; t < 10 * MIN; t += 5_000) {
    clock.advance(5_000);
    await settle();
  }
  assert.ok(devbox.calls.length >= 1, 'the devbox polls now');
  assert.ok(devbox.calls[0]! >= lastLaptopPoll + 5 * MIN, 'not before the interval since the laptop’s last poll');
  await devbox.s.shutdown();
});
