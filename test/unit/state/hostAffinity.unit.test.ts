// Per-account host affinity (issue #19 §2): an account whose credential file lives on one host is polled by a window
// on that host even when the cross-host leader runs elsewhere. Two simulated hosts share one fake globalState (whose
// changes reach the other window 2 s later) and one fake clock; each has its own snapshot files, its own file lease
// (AlwaysLeader: one window per host) and its own credential files. The fake fetch plays the credential resolver: a
// credential file that is not on the polling host fails before any request, with the resolver's "lives on" message;
// only a readable credential reaches the (counted) provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { SharedMementoBackend } from '../../fakes/sharedMemento';
import { InMemorySnapshotStore } from '../../fakes/memoryStores';
import { AlwaysLeader } from '../../fakes/alwaysLeader';
import { CrossHostLease, SharedSnapshotStore } from '../../../src/core/state/hostSpan';
import { HostAffinity, presenceKey, readPresence } from '../../../src/core/state/hostAffinity';
import type { Lease } from '../../../src/core/state/lease';
import { nullLogger } from '../../../src/core/log';
import { PollScheduler } from '../../../src/core/scheduler/scheduler';
import { ProviderError } from '../../../src/core/errors';
import { makeMeter } from '../../../src/shared/model';

const MIN = 60_000;
const LAPTOP = 'local:laptop';
const DEVBOX = 'ssh-remote:devbox';
/** Account → the host its credential file lives on (undefined: a key in SecretStorage, readable everywhere). */
const HOMES: Record<string, string | undefined> = { 'claude-devbox': DEVBOX, 'openrouter-key': undefined };

interface Request {
  host: string;
  account: string;
  at: number;
}

function world() {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 2_000);
  /** What reached the provider, per host and account. */
  const requests: Request[] = [];
  /** Every fetch the schedulers started (including the ones that failed to read a credential). */
  const attempts: Request[] = [];
  const hosts: Host[] = [];

  interface Host {
    name: string;
    s: PollScheduler;
    store: SharedSnapshotStore;
    affinity: HostAffinity;
    /** A crash: the window stops without releasing anything. */
    crash(): void;
  }

  const open = (name: string, storage = name): Host => {
    const kv = backend.view(storage);
    const affinity = new HostAffinity({ kv, hostId: name, log: nullLogger, clock, ttlMs: 60_000, staleAfterMs: 600_000 });
    const cross = new CrossHostLease({ inner: new AlwaysLeader(), kv, hostId: `${name}#${storage}`, log: nullLogger, clock, ttlMs: 60_000, staleAfterMs: 600_000, presence: affinity });
    let crashed = false;
    const lease: Lease = {
      tryAcquire: () => cross.tryAcquire(),
      renew: () => cross.renew(),
      release: async () => (crashed ? undefined : cross.release()),
      isHeld: () => cross.isHeld(),
    };
    const homes = () => new Map(Object.entries(HOMES).flatMap(([id, home]) => (home ? [[id, home] as const] : [])));
    const store = new SharedSnapshotStore({ local: new InMemorySnapshotStore(), kv, log: nullLogger, clock, pollMs: 5_000, homes });
    const s = new PollScheduler({
      clock,
      log: nullLogger,
      random: () => 0.5,
      store,
      lease,
      leaseRenewMs: 10_000,
      leaseRetryMs: 15_000,
      intervalMs: () => 5 * MIN,
      route: (id) => affinity.route(HOMES[id]),
      fetch: async (account) => {
        attempts.push({ host: name, account, at: clock.now() });
        const home = HOMES[account];
        if (home !== undefined && home !== name) throw new ProviderError('config', `This sign-in lives on ${home}: the window that polls runs on ${name}.`);
        requests.push({ host: name, account, at: clock.now() });
        const used = requests.filter((r) => r.account === account).length;
        return { meters: [makeMeter({ id: 'm', label: 'M', kind: 'quota', unit: 'requests', source: 'official', capturedAt: clock.now(), used, limit: 100 })] };
      },
    });
    const sub = affinity.onDidChange(() => s.reschedule());
    const host: Host = {
      name,
      s,
      store,
      affinity,
      crash: () => {
        crashed = true;
        sub.dispose();
        s.dispose();
        store.dispose();
        hosts.splice(hosts.indexOf(host), 1);
      },
    };
    hosts.push(host);
    s.setAccounts(Object.keys(HOMES));
    return host;
  };

  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      for (const h of hosts) await h.s.whenIdle();
      await flushMicrotasks();
    }
  };
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 5_000) {
      clock.advance(5_000);
      await settle();
    }
  };
  const count = (list: Request[], host: string, account: string, from = -Infinity): number => list.filter((r) => r.host === host && r.account === account && r.at >= from).length;
  return { clock, backend, requests, attempts, open, settle, run, count, hosts };
}

test('leader on the laptop, Claude credential on the devbox with a live devbox window: the devbox polls it, the laptop never does', async () => {
  const w = world();
  const laptop = w.open(LAPTOP);
  await w.settle();
  w.clock.advance(3_000);
  // Alone, the leader tried the devbox's credential once (it is not on the laptop: "lives on", no request).
  assert.equal(w.count(w.attempts, LAPTOP, 'claude-devbox'), 1);
  assert.match(laptop.s.getSnapshot('claude-devbox')?.error?.message ?? '', /lives on ssh-remote:devbox/);
  const devbox = w.open(DEVBOX);
  const opened = w.clock.now();
  await w.settle();
  assert.equal(laptop.s.isLeader(), true);
  assert.equal(devbox.s.isLeader(), false, 'the devbox is not the cross-host leader');
  assert.equal(w.count(w.requests, DEVBOX, 'claude-devbox'), 1, 'the devbox window polled it at once (the laptop could not read it)');
  await w.run(30 * MIN);
  assert.equal(devbox.affinity.holdsHost(), true);
  // The Claude credential: polled by the devbox, once per interval, never tried by the laptop again.
  const devboxClaude = w.count(w.requests, DEVBOX, 'claude-devbox');
  assert.ok(devboxClaude >= 7 && devboxClaude <= 8, `the devbox polled it ${devboxClaude} times in 30 min`);
  assert.equal(w.count(w.attempts, LAPTOP, 'claude-devbox', opened), 0, 'the laptop never tried it again');
  assert.equal(w.requests.filter((r) => r.account === 'claude-devbox' && r.host !== DEVBOX).length, 0, 'no other host reached the provider with it');
  // The API-key account: polled by the leader only, once per interval.
  const laptopKey = w.count(w.requests, LAPTOP, 'openrouter-key');
  assert.ok(laptopKey >= 6 && laptopKey <= 7, `the leader polled the key account ${laptopKey} times`);
  assert.equal(w.count(w.attempts, DEVBOX, 'openrouter-key'), 0, 'the devbox never polled the key account');
  // Both windows show both readings (through the mirror in globalState).
  await w.run(10_000);
  assert.equal(laptop.s.getSnapshot('claude-devbox')?.meters[0]?.used, devboxClaude, 'the laptop shows the devbox’s reading');
  assert.equal(laptop.s.getSnapshot('claude-devbox')?.status, 'ok');
  assert.equal(devbox.s.getSnapshot('openrouter-key')?.meters[0]?.used, laptopKey, 'the devbox shows the leader’s reading');
  // A manual refresh in the laptop window leaves it to the devbox instead of failing over a file that is not there.
  const r = await laptop.s.refresh('claude-devbox');
  assert.equal(r.outcome, 'elsewhere');
  assert.equal(w.count(w.attempts, LAPTOP, 'claude-devbox', opened), 0);
  await laptop.s.shutdown();
  await devbox.s.shutdown();
});

test('the devbox window goes away without a word: after the TTL the account says where it lives, and nobody reaches the provider', async () => {
  const w = world();
  const laptop = w.open(LAPTOP);
  await w.settle();
  w.clock.advance(3_000);
  const devbox = w.open(DEVBOX);
  await w.run(10 * MIN);
  assert.ok(w.count(w.requests, DEVBOX, 'claude-devbox') >= 2);
  assert.ok(readPresence(w.backend.view('x'), DEVBOX), 'the devbox’s presence is in globalState');
  devbox.crash();
  const crashedAt = w.clock.now();
  const requestsBefore = w.requests.length;
  // Within the TTL the laptop still leaves the account to the devbox.
  await w.run(50_000);
  assert.equal(w.count(w.attempts, LAPTOP, 'claude-devbox', crashedAt), 0, 'not before the TTL');
  await w.run(20 * MIN);
  // The leader took the account over and tried it: the credential file is not on the laptop, so no request.
  const tries = w.attempts.filter((a) => a.host === LAPTOP && a.account === 'claude-devbox' && a.at >= crashedAt);
  assert.ok(tries.length >= 1, 'the leader tried it');
  assert.ok(tries[0]!.at >= crashedAt + 60_000, 'only after the record stood still for the TTL');
  assert.equal(w.requests.filter((r) => r.account === 'claude-devbox').length, w.count(w.requests, DEVBOX, 'claude-devbox'), 'no request for it from anywhere since');
  assert.ok(w.requests.slice(requestsBefore).every((r) => r.host === LAPTOP && r.account === 'openrouter-key'));
  const shown = laptop.s.getSnapshot('claude-devbox');
  assert.match(shown?.error?.message ?? '', /lives on ssh-remote:devbox/);
  // The last good reading is kept beside the message.
  assert.ok((shown?.meters.length ?? 0) > 0);
  // The devbox comes back: it polls the account again and the laptop stops trying.
  const back = w.open(DEVBOX);
  await w.run(15 * MIN);
  const since = w.clock.now() - 12 * MIN;
  assert.equal(w.count(w.attempts, LAPTOP, 'claude-devbox', since), 0, 'the laptop left it to the devbox again');
  assert.ok(w.count(w.requests, DEVBOX, 'claude-devbox', since) >= 2);
  assert.equal(laptop.s.getSnapshot('claude-devbox')?.status, 'ok');
  await laptop.s.shutdown();
  await back.s.shutdown();
});

test('a devbox window that closes hands its sign-ins back at once (its presence is cleared), never to two pollers', async () => {
  const w = world();
  const laptop = w.open(LAPTOP);
  await w.settle();
  w.clock.advance(3_000);
  const devbox = w.open(DEVBOX);
  await w.run(6 * MIN);
  await devbox.s.shutdown();
  w.hosts.splice(w.hosts.indexOf(devbox), 1);
  assert.equal(readPresence(w.backend.view(DEVBOX), DEVBOX), undefined, 'cleared on close');
  await w.run(10 * MIN);
  assert.ok(w.count(w.attempts, LAPTOP, 'claude-devbox') >= 1, 'the leader tries it (and says where it lives)');
  await laptop.s.shutdown();
});

test('the devbox leads: the laptop window polls the sign-in that lives on the laptop, the devbox only the rest', async () => {
  const w = world();
  HOMES['claude-laptop'] = LAPTOP;
  try {
    const devbox = w.open(DEVBOX);
    await w.settle();
    w.clock.advance(3_000);
    const laptop = w.open(LAPTOP);
    await w.run(30 * MIN);
    assert.equal(devbox.s.isLeader(), true);
    assert.ok(w.count(w.requests, LAPTOP, 'claude-laptop') >= 6);
    assert.ok(w.count(w.requests, DEVBOX, 'claude-devbox') >= 6);
    assert.ok(w.count(w.requests, DEVBOX, 'openrouter-key') >= 6);
    assert.equal(w.count(w.attempts, DEVBOX, 'claude-laptop'), 1, 'the leader tried it once, before the laptop window opened');
    assert.equal(w.requests.filter((r) => r.account === 'claude-laptop' && r.host !== LAPTOP).length, 0);
    assert.equal(w.count(w.attempts, LAPTOP, 'claude-devbox') + w.count(w.attempts, LAPTOP, 'openrouter-key'), 0);
    await devbox.s.shutdown();
    await laptop.s.shutdown();
  } finally {
    delete HOMES['claude-laptop'];
  }
});

test('two storage folders on one host (VS Code and code-server): one window reads the host’s files, never both', async () => {
  const w = world();
  const laptop = w.open(LAPTOP);
  await w.settle();
  // Both devbox windows start within the propagation delay: both claim, the last write wins at the next beat.
  const a = w.open(DEVBOX, 'devbox-stable');
  const b = w.open(DEVBOX, 'devbox-insiders');
  await w.run(30 * MIN);
  assert.equal([a, b].filter((h) => h.affinity.holdsHost()).length, 1, 'one holder');
  const polls = w.count(w.requests, DEVBOX, 'claude-devbox');
  assert.ok(polls >= 6 && polls <= 8, `${polls} polls in 30 min (at most one extra at the hand-over)`);
  const other = a.affinity.holdsHost() ? b : a;
  assert.equal(other.affinity.route(DEVBOX), 'this-host');
  assert.equal(w.count(w.attempts, LAPTOP, 'claude-devbox'), 1, 'the leader’s one try before the devbox windows opened');
  for (const h of [laptop, a, b]) await h.s.shutdown();
});

test('damaged or foreign presence values are ignored (validated): the leader keeps the account, the host window reclaims it', async () => {
  const clock = new FakeClock();
  const backend = new SharedMementoBackend(clock, 0);
  const laptop = new HostAffinity({ kv: backend.view('laptop'), hostId: LAPTOP, log: nullLogger, clock });
  const bad: unknown[] = [
    'x',
    42,
    null,
    [],
    { host: DEVBOX },
    { host: DEVBOX, token: 't', beat: -1, at: clock.now() },
    { host: DEVBOX, token: 't', beat: 1.5, at: clock.now() },
    { host: DEVBOX, token: 't'.repeat(65), beat: 1, at: clock.now() },
    { host: DEVBOX, token: 't', beat: 1, at: 'now' },
    // A well-formed record for another host, planted under the devbox's key.
    { host: 'local:elsewhere', token: 't', beat: 1, at: clock.now() },
    { host: 'h'.repeat(10_000), token: 't', beat: 1, at: clock.now() },
  ];
  for (const value of bad) {
    backend.plant(presenceKey(DEVBOX), value);
    assert.equal(readPresence(backend.view('laptop'), DEVBOX), undefined, JSON.stringify(value).slice(0, 60));
    assert.equal(laptop.route(DEVBOX), 'leader', 'falls back to the cross-host leader');
  }
  // A getter that throws (a broken store) is no crash either.
  const throwing = new HostAffinity({ kv: { get: () => { throw new Error('boom'); }, update: async () => undefined }, hostId: LAPTOP, log: nullLogger, clock });
  assert.equal(throwing.route(DEVBOX), 'leader');
  await throwing.beat(true);
  // The devbox's own window overwrites the damaged value and holds its host.
  const devbox = new HostAffinity({ kv: backend.view('devbox'), hostId: DEVBOX, log: nullLogger, clock });
  await devbox.beat(true);
  assert.equal(devbox.holdsHost(), true);
  assert.equal(laptop.route(DEVBOX), 'other-host');
  assert.equal(laptop.route(undefined), 'leader');
  // A record hours old is gone at once.
  backend.plant(presenceKey('wsl:laptop'), { host: 'wsl:laptop', token: 'old', beat: 9, at: clock.now() - 3 * 3_600_000 });
  assert.equal(laptop.route('wsl:laptop'), 'leader');
  // A window that loses its host lease gives the record up.
  await devbox.beat(false);
  assert.equal(devbox.holdsHost(), false);
  assert.equal(readPresence(backend.view('laptop'), DEVBOX), undefined);
});
