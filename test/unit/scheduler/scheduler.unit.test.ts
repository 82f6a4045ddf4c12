import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { PollScheduler, type PollSchedulerDeps } from '../../../src/core/scheduler/scheduler';
import { InMemorySnapshotStore } from '../../fakes/memoryStores';
import { AlwaysLeader } from '../../fakes/alwaysLeader';
import { ProviderError } from '../../../src/core/errors';
import { makeMeter, type Snapshot } from '../../../src/shared/model';
import type { FetchResult } from '../../../src/core/providers/types';
import { parseRetryAfter } from '../../../src/core/retryAfter';
import type { Logger } from '../../../src/core/log';

const MIN = 60_000;
const HOUR = 60 * MIN;
const INTERVAL = 5 * MIN;

type FetchImpl = (id: string, signal: AbortSignal) => Promise<FetchResult>;

function result(now: number, used = 10): FetchResult {
  return { meters: [makeMeter({ id: 'm', label: 'Requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: now, used, limit: 100 })], plan: 'pro' };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

function memLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (lvl: string) => (m: string) => void lines.push(`${lvl} ${m}`);
  return { lines, trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

function harness(over: Partial<PollSchedulerDeps> = {}) {
  const clock = new FakeClock();
  const store = new InMemorySnapshotStore();
  const log = memLog();
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  let impl: FetchImpl = async () => result(clock.now());
  const changes: Array<[string, Snapshot | undefined]> = [];
  const loading: Array<[string, boolean]> = [];
  const s = new PollScheduler({
    clock,
    log,
    random: () => 0.5,
    fetch: (id, signal) => {
      calls.push(id);
      signals.push(signal);
      return impl(id, signal);
    },
    intervalMs: () => INTERVAL,
    store,
    lease: new AlwaysLeader(),
    ...over,
  });
  s.onDidChange((id, snap) => changes.push([id, snap]));
  s.onDidChangeLoading((id, l) => loading.push([id, l]));
  const settle = async (): Promise<void> => {
    await s.whenIdle();
    await flushMicrotasks();
    await s.whenIdle();
  };
  return {
    clock,
    store,
    log,
    calls,
    signals,
    changes,
    loading,
    s,
    settle,
    setImpl: (f: FetchImpl) => {
      impl = f;
    },
    count: (id: string) => calls.filter((c) => c === id).length,
  };
}

test('first fetch right after setAccounts, then once per interval', async () => {
  const h = harness();
  h.s.setAccounts(['a']);
  await h.settle();
  assert.deepEqual(h.calls, ['a']);
  const snap = h.s.getSnapshot('a')!;
  assert.equal(snap.status, 'ok');
  assert.equal(snap.lastSuccessAt, snap.takenAt);
  assert.equal(snap.meters.length, 1);
  assert.equal(h.s.nextPollAt('a'), h.clock.now() + INTERVAL);
  assert.deepEqual(h.loading, [
    ['a', true],
    ['a', false],
  ]);
  assert.ok(h.changes.some(([id, sn]) => id === 'a' && sn?.status === 'ok'));
  const stored = await h.store.read('a');
  assert.equal(stored?.snapshot?.status, 'ok');
  assert.equal(stored?.schedule.failures, 0);

  await h.clock.advanceAsync(INTERVAL - 1, h.settle);
  assert.equal(h.count('a'), 1);
  await h.clock.advanceAsync(1, h.settle);
  assert.equal(h.count('a'), 2);
  await h.clock.advanceAsync(HOUR, h.settle);
  assert.equal(h.count('a'), 2 + 12);
  h.s.dispose();
});

test('an account polled recently (shared state) is not re-polled on setAccounts', async () => {
  const h = harness();
  const t = h.clock.now();
  await h.store.write('a', { version: 1, schedule: { lastAttemptAt: t - MIN, nextDueAt: t + 4 * MIN, failures: 0 }, snapshot: { accountId: 'a', takenAt: t - MIN, status: 'ok', meters: [], lastSuccessAt: t - MIN } });
  h.s.setAccounts(['a']);
  await h.settle();
  assert.equal(h.count('a'), 0);
  assert.equal(h.s.getSnapshot('a')?.takenAt, t - MIN, 'cached snapshot shown at once');
  await h.clock.advanceAsync(4 * MIN, h.settle);
  assert.equal(h.count('a'), 1);
  h.s.dispose();
});

test('Retry-After in seconds: no automatic call before retryAt, manual refresh refused with the time', async () => {
  const h = harness();
  h.setImpl(async () => {
    throw new ProviderError('rate-limited', 'Too many requests', { status: 429, retryAt: parseRetryAfter('1800', h.clock.now()) });
  });
  h.s.setAccounts(['a']);
  await h.settle();
  const t0 = h.clock.now();
  assert.equal(h.count('a'), 1);
  assert.equal(h.s.getSnapshot('a')?.status, 'error');
  assert.equal(h.s.getSnapshot('a')?.error?.kind, 'rate-limited');
  assert.equal(h.s.nextPollAt('a'), t0 + 30 * MIN);

  const r = await h.s.refresh('a');
  assert.equal(r.outcome, 'rate-limited');
  assert.equal(r.rateLimitedUntil, t0 + 30 * MIN);
  assert.equal(r.snapshot?.error?.kind, 'rate-limited');
  assert.equal(h.count('a'), 1, 'manual refresh did not call the provider');

  h.setImpl(async () => result(h.clock.now()));
  await h.clock.advanceAsync(30 * MIN - 1, h.settle);
  assert.equal(h.count('a'), 1);
  await h.clock.advanceAsync(1, h.settle);
  assert.equal(h.count('a'), 2);
  assert.equal(h.s.getSnapshot('a')?.status, 'ok');
  h.s.dispose();
});

test('Retry-After as an HTTP-date is honoured', async () => {
  const h = harness();
  const until = h.clock.now() + 2 * HOUR;
  h.setImpl(async () => {
    throw new ProviderError('rate-limited', 'slow down', { status: 429, retryAt: parseRetryAfter(new Date(until).toUTCString(), h.clock.now()) });
  });
  h.s.setAccounts(['a']);
  await h.settle();
  assert.equal(h.s.nextPollAt('a'), until);
  await h.clock.advanceAsync(2 * HOUR - 1, h.settle);
  assert.equal(h.count('a'), 1);
  await h.clock.advanceAsync(1, h.settle);
  assert.equal(h.count('a'), 2);
  h.s.dispose();
});

test('auth error: auth-required, zero automatic calls for a day; manual refresh tries once; new credentials poll', async () => {
  const h = harness();
  h.setImpl(async () => {
    throw new ProviderError('auth', 'Invalid key', { status: 401 });
  });
  h.s.setAccounts(['a']);
  await h.settle();
  assert.equal(h.s.getSnapshot('a')?.status, 'auth-required');
  assert.equal(h.s.nextPollAt('a'), undefined);
  await h.clock.advanceAsync(24 * HOUR, h.settle);
  assert.equal(h.count('a'), 1, 'no retry storm');

  const r = await h.s.refresh('a');
  assert.equal(r.outcome, 'fetched');
  assert.equal(h.count('a'), 2, 'manual refresh tries once');
  assert.equal(r.snapshot?.status, 'auth-required');
  await h.clock.advanceAsync(24 * HOUR, h.settle);
  assert.equal(h.count('a'), 2);

  h.setImpl(async () => result(h.clock.now()));
  h.s.credentialsChanged('a');
  await h.settle();
  assert.equal(h.count('a'), 3);
  assert.equal(h.s.getSnapshot('a')?.status, 'ok');
  await h.clock.advanceAsync(INTERVAL, h.settle);
  assert.equal(h.count('a'), 4, 'normal polling resumed');
  h.s.dispose();
});

test('failure after success keeps the last meters as stale with the error; without meters: error', async () => {
  const h = harness();
  h.s.setAccounts(['a', 'b']);
  await h.settle();
  const good = h.s.getSnapshot('a')!;
  h.setImpl(async (id) => {
    if (id === 'a') throw new ProviderError('server', 'Bad gateway', { status: 502 });
    throw new ProviderError('auth', 'Unauthorized', { status: 401 });
  });
  await h.clock.advanceAsync(INTERVAL, h.settle);
  const stale = h.s.getSnapshot('a')!;
  assert.equal(stale.status, 'stale');
  assert.deepEqual(stale.meters, good.meters);
  assert.equal(stale.lastSuccessAt, good.lastSuccessAt);
  assert.deepEqual(stale.error, { kind: 'server', message: 'Bad gateway', status: 502 });
  assert.equal(stale.plan, 'pro');
  assert.ok(stale.takenAt > good.takenAt);
  const authStale = h.s.getSnapshot('b')!;
  assert.equal(authStale.status, 'auth-required');
  assert.equal(authStale.meters.length, 1, 'auth failure keeps the meters too');

  const h2 = harness();
  h2.setImpl(async () => {
    throw new ProviderError('network', 'ECONNRESET');
  });
  h2.s.setAccounts(['x']);
  await h2.settle();
  const e = h2.s.getSnapshot('x')!;
  assert.equal(e.status, 'error');
  assert.deepEqual(e.meters, []);
  assert.equal(e.lastSuccessAt, undefined);
  h.s.dispose();
  h2.s.dispose();
});

test('transient failures back off (growing, capped at 30 min, never below the interval)', async () => {
  const h = harness({ random: () => 0.999999 });
  h.setImpl(async () => {
    throw new ProviderError('server', 'oops', { status: 500 });
  });
  h.s.setAccounts(['a']);
  await h.settle();
  const gaps: number[] = [];
  for (let i = 0; i < 8; i++) {
    const next = h.s.nextPollAt('a')!;
    gaps.push(next - h.clock.now());
    await h.clock.advanceAsync(next - h.clock.now(), h.settle);
  }
  assert.equal(h.count('a'), 9);
  assert.ok(gaps.every((g) => g >= INTERVAL && g <= 30 * MIN), gaps.join(','));
  assert.ok(gaps[gaps.length - 1]! > 29 * MIN);
  h.s.dispose();
});

test('not-found: error status, retried at the normal interval', async () => {
  const h = harness();
  h.setImpl(async () => {
    throw new ProviderError('not-found', 'No such key', { status: 404 });
  });
  h.s.setAccounts(['a']);
  await h.settle();
  assert.equal(h.s.getSnapshot('a')?.status, 'error');
  assert.equal(h.s.nextPollAt('a'), h.clock.now() + INTERVAL);
  await h.clock.advanceAsync(HOUR, h.settle);
  assert.equal(h.count('a'), 13);
  h.s.dispose();
});

test('single flight: two refresh calls share one fetch; a refresh during a scheduled fetch joins it', async () => {
  const h = harness();
  let d = deferred<FetchResult>();
  h.setImpl(() => d.promise);
  h.s.setAccounts(['a']);
  await flushMicrotasks();
  assert.equal(h.count('a'), 1, 'scheduled first fetch in flight');
  const r1 = h.s.refresh('a');
  const r2 = h.s.refresh('a');
  assert.equal(r1, r2, 'the same promise');
  assert.equal(h.s.isLoading('a'), true);
  d.resolve(result(h.clock.now()));
  const [a, b] = await Promise.all([r1, r2]);
  assert.equal(a.outcome, 'fetched');
  assert.equal(b.outcome, 'fetched');
  assert.equal(h.count('a'), 1);

  d = deferred<FetchResult>();
  const m1 = h.s.refresh('a');
  const m2 = h.s.refresh('a');
  assert.equal(m1, m2);
  await flushMicrotasks();
  d.resolve(result(h.clock.now()));
  await m1;
  assert.equal(h.count('a'), 2);
  assert.equal(h.s.isLoading('a'), false);
  assert.equal((await h.s.refresh('nope')).outcome, 'unknown-account');
  h.s.dispose();
});

test('bounded concurrency: never more than N in flight with 10 accounts due', async () => {
  const h = harness({ concurrency: 3 });
  let inFlight = 0;
  let max = 0;
  const pending: Array<() => void> = [];
  h.setImpl(
    () =>
      new Promise<FetchResult>((resolve) => {
        inFlight++;
        max = Math.max(max, inFlight);
        pending.push(() => {
          inFlight--;
          resolve(result(h.clock.now()));
        });
      }),
  );
  const ids = Array.from({ length: 10 }, (_, i) => `acc${i}`);
  h.s.setAccounts(ids);
  for (let round = 0; round < 20 && h.calls.length < 10; round++) {
    await flushMicrotasks();
    assert.ok(inFlight <= 3, `in flight ${inFlight}`);
    pending.splice(0, 1).forEach((f) => f());
  }
  while (pending.length) pending.splice(0).forEach((f) => f());
  await h.settle();
  assert.equal(max, 3);
  assert.equal(new Set(h.calls).size, 10);
  assert.equal(h.calls.length, 10);
  assert.ok(ids.every((id) => h.s.getSnapshot(id)?.status === 'ok'));
  h.s.dispose();
});

test('a manual refresh jumps the queue of due accounts', async () => {
  const h = harness({ concurrency: 1 });
  const pending: Array<() => void> = [];
  h.setImpl(() => new Promise<FetchResult>((resolve) => pending.push(() => resolve(result(h.clock.now())))));
  h.s.setAccounts(['a', 'b', 'c', 'd']);
  await flushMicrotasks();
  assert.deepEqual(h.calls, ['a']);
  const r = h.s.refresh('d');
  for (let i = 0; i < 4; i++) {
    pending.shift()?.();
    await flushMicrotasks();
  }
  assert.equal(h.calls[1], 'd', `order ${h.calls.join(',')}`);
  assert.equal((await r).outcome, 'fetched');
  while (pending.length) {
    pending.shift()!();
    await flushMicrotasks();
  }
  await h.settle();
  assert.equal(h.calls.length, 4);
  h.s.dispose();
});

test('per-fetch timeout aborts the signal and stores a timeout error', async () => {
  const h = harness({ timeoutMs: 10_000 });
  // A provider that ignores the signal entirely: the scheduler must still move on.
  h.setImpl(() => new Promise<FetchResult>(() => undefined));
  h.s.setAccounts(['a']);
  await flushMicrotasks();
  assert.equal(h.count('a'), 1);
  assert.equal(h.signals[0]!.aborted, false);
  // Not h.settle: whenIdle would wait for the hung fetch that only the timeout timer can end.
  await h.clock.advanceAsync(10_000);
  await h.settle();
  assert.equal(h.signals[0]!.aborted, true);
  const snap = h.s.getSnapshot('a')!;
  assert.equal(snap.status, 'error');
  assert.equal(snap.error?.kind, 'timeout');
  assert.equal(h.s.isLoading('a'), false);
  assert.ok(h.s.nextPollAt('a')! >= h.clock.now() + INTERVAL);
  h.s.dispose();
});

test('removed account: in-flight fetch aborted, nothing stored, forgotten', async () => {
  const h = harness();
  h.setImpl((_id, signal) => new Promise<FetchResult>((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
  h.s.setAccounts(['a', 'b']);
  await flushMicrotasks();
  assert.equal(h.calls.length, 2);
  const before = (await h.store.read('a'))!;
  const writes = h.store.writes;
  h.s.setAccounts(['b']);
  await flushMicrotasks();
  assert.equal(h.signals[h.calls.indexOf('a')]!.aborted, true);
  assert.equal(h.signals[h.calls.indexOf('b')]!.aborted, false);
  assert.deepEqual(h.changes.at(-1), ['a', undefined]);
  assert.equal(h.s.getSnapshot('a'), undefined);
  assert.equal(h.s.isLoading('a'), false);
  assert.equal(h.s.nextPollAt('a'), undefined);
  assert.deepEqual(await h.store.read('a'), before, 'no cancelled error stored');
  assert.equal(h.store.writes, writes);
  assert.equal(h.log.lines.filter((l) => l.includes('cancel')).length, 0);
  await h.clock.advanceAsync(HOUR, async () => flushMicrotasks());
  assert.equal(h.count('a'), 1);
  h.s.dispose();
});

test('dispose: no timers left, in-flight aborted, nothing fires afterwards', async () => {
  const h = harness();
  h.s.setAccounts(['a', 'b']);
  await h.settle();
  await h.clock.advanceAsync(INTERVAL, h.settle);
  assert.equal(h.calls.length, 4);
  let hang!: AbortSignal;
  h.setImpl((_id, signal) => {
    hang = signal;
    return new Promise<FetchResult>(() => undefined);
  });
  void h.s.refresh('a');
  await flushMicrotasks();
  assert.equal(h.s.isLoading('a'), true);
  assert.ok(h.clock.pendingTimers() > 0);
  const events = h.changes.length + h.loading.length;
  let lateEvents = 0;
  h.s.onDidChange(() => lateEvents++);
  h.s.dispose();
  assert.equal(hang.aborted, true);
  assert.equal(h.clock.pendingTimers(), 0, 'no timer outlives dispose');
  await h.s.shutdown();
  await h.clock.advanceAsync(24 * HOUR, h.settle);
  assert.equal(h.calls.length, 5);
  assert.equal(h.changes.length + h.loading.length, events);
  assert.equal(lateEvents, 0);
  assert.equal((await h.s.refresh('a')).outcome, 'disposed');
  assert.equal(h.clock.pendingTimers(), 0);
  h.s.setAccounts(['c']);
  assert.equal(h.clock.pendingTimers(), 0);
});

test('errors are logged with the component and without secrets', async () => {
  const h = harness();
  h.setImpl(async () => {
    throw new ProviderError('server', 'upstream said Bearer abcdefghijklmnop1234 is bad', { status: 500 });
  });
  h.s.setAccounts(['a']);
  await h.settle();
  assert.ok(h.log.lines.some((l) => l.includes('[scheduler]') && l.includes('server')));
  assert.ok(h.log.lines.every((l) => !l.includes('abcdefghijklmnop1234')));
  assert.ok(!h.s.getSnapshot('a')!.error!.message.includes('abcdefghijklmnop1234'));
  h.s.dispose();
});

test('a throwing listener does not break polling', async () => {
  const h = harness();
  h.s.onDidChange(() => {
    throw new Error('listener bug');
  });
  h.s.setAccounts(['a']);
  await h.settle();
  await h.clock.advanceAsync(INTERVAL, h.settle);
  assert.equal(h.count('a'), 2);
  h.s.dispose();
});
