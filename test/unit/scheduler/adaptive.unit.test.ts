// Adaptive refresh (issue #20 §5) on the fake clock with injected activity events: an agent working makes its accounts
// poll at the provider's floor, an hour of quiet slows every account down, never below a floor, and two windows
// together still make one call per account per interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { InMemorySnapshotStore } from '../../fakes/memoryStores';
import { AdaptivePolling, latestActivity } from '../../../src/core/scheduler/adaptive';
import { PollScheduler } from '../../../src/core/scheduler/scheduler';
import { pollIntervalMs } from '../../../src/core/scheduler/pollInterval';
import { getProvider } from '../../../src/core/providers/registry';
import { FileLease, type Lease } from '../../../src/core/state/lease';
import { AlwaysLeader } from '../../fakes/alwaysLeader';
import { FileSnapshotStore, type SnapshotStore } from '../../../src/core/state/snapshotStore';
import { nullLogger } from '../../../src/core/log';
import { makeMeter } from '../../../src/shared/model';

const MIN = 60_000;
/** Account id → provider: a Claude plan (normal 300 s, floor 180 s) and Copilot (normal 600 s, floor 120 s). */
const PROVIDER: Record<string, string> = { c: 'claude', g: 'copilot' };

function window(clock: FakeClock, store: SnapshotStore, lease: Lease, adaptive: AdaptivePolling) {
  const calls: Array<{ id: string; at: number }> = [];
  const s = new PollScheduler({
    clock,
    log: nullLogger,
    random: () => 0.5,
    store,
    lease,
    leaseRenewMs: 10_000,
    leaseRetryMs: 15_000,
    intervalMs: (id) => {
      const p = PROVIDER[id]!;
      return adaptive.intervalMs(p, pollIntervalMs(p, undefined), getProvider(p)!.minPollSeconds * 1000);
    },
    fetch: async (id) => {
      calls.push({ id, at: clock.now() });
      return { meters: [makeMeter({ id: 'm', label: 'M', kind: 'quota', unit: '%', source: 'official', capturedAt: clock.now(), used: 1, limit: 100 })] };
    },
  });
  adaptive.onDidChange(() => s.reschedule());
  return { s, calls };
}

/** Gaps between consecutive calls for an account, in minutes. */
function gaps(calls: Array<{ id: string; at: number }>, id: string, from: number, to: number): number[] {
  const at = calls.filter((c) => c.id === id && c.at >= from && c.at < to).map((c) => c.at);
  return at.slice(1).map((t, i) => (t - at[i]!) / MIN);
}

test('an agent working: its accounts poll at the floor; quiet: normal again; an hour idle: every account slower', async () => {
  const clock = new FakeClock();
  const adaptive = new AdaptivePolling({ clock });
  const w = window(clock, new InMemorySnapshotStore(), new AlwaysLeader(), adaptive);
  const settle = async () => {
    await w.s.whenIdle();
    await flushMicrotasks();
    await w.s.whenIdle();
  };
  w.s.setAccounts(['c', 'g']);
  await settle();
  const t0 = clock.now();
  assert.equal(adaptive.pace('claude'), 'normal');

  // Claude Code logs a request every minute for 30 minutes (the activity events the log watcher sends).
  for (let i = 0; i < 30; i++) {
    adaptive.noteActivity('claude-code', clock.now());
    await clock.advanceAsync(MIN, settle);
  }
  assert.equal(adaptive.pace('claude'), 'active');
  assert.equal(adaptive.pace('copilot'), 'normal', 'Copilot is not what Claude Code spends');
  const active = gaps(w.calls, 'c', t0, t0 + 30 * MIN);
  assert.ok(active.length >= 8, `polled ${active.length + 1} times`);
  assert.ok(active.every((g) => g === 3), `Claude every 3 min (its floor), got ${active.join(',')}`);
  assert.deepEqual(gaps(w.calls, 'g', t0 - 1, t0 + 30 * MIN), [10, 10], 'Copilot at its normal 10 min');

  // Activity stops: 10 minutes later the account is back to its normal 5 minutes.
  const t1 = clock.now();
  await clock.advanceAsync(50 * MIN, settle);
  assert.equal(adaptive.pace('claude'), 'normal');
  const normal = gaps(w.calls, 'c', t1 + 12 * MIN, t1 + 50 * MIN);
  assert.ok(normal.length > 3 && normal.every((g) => g === 5), `then every 5 min, got ${normal.join(',')}`);

  // An hour after the last request: idle, every account at 3× its interval (Claude 15 min, Copilot 30 min).
  await clock.advanceAsync(15 * MIN, settle);
  assert.equal(adaptive.pace('claude'), 'idle');
  assert.equal(adaptive.pace('copilot'), 'idle');
  const t2 = clock.now();
  await clock.advanceAsync(2 * 60 * MIN, settle);
  const idleC = gaps(w.calls, 'c', t2 + 15 * MIN, t2 + 120 * MIN);
  const idleG = gaps(w.calls, 'g', t2 + 30 * MIN, t2 + 120 * MIN);
  assert.ok(idleC.length >= 3 && idleC.every((g) => g === 15), `Claude idle every 15 min, got ${idleC.join(',')}`);
  assert.ok(idleG.length >= 1 && idleG.every((g) => g === 30), `Copilot idle every 30 min, got ${idleG.join(',')}`);

  // A request again: at once back to the floor (rescheduled, not waiting out the idle interval).
  const t3 = clock.now();
  adaptive.noteActivity('claude-code', t3);
  await clock.advanceAsync(10 * MIN, settle);
  const first = w.calls.find((c) => c.id === 'c' && c.at >= t3);
  assert.ok(first && first.at - t3 <= 3 * MIN, 'polled within the floor of the activity');
  w.s.dispose();
  adaptive.dispose();
});

test('never below a floor, never slower than normal when active, off: always normal; old log lines are not activity', () => {
  const clock = new FakeClock();
  let on = true;
  const a = new AdaptivePolling({ clock, enabled: () => on });
  a.noteActivity('codex', clock.now() - 3 * 60 * MIN);
  assert.equal(a.pace('codex'), 'normal', 'a request logged hours ago (the first scan of old logs) is no activity');
  a.noteActivity('codex', clock.now() + 999 * MIN);
  assert.equal(a.pace('codex'), 'active', 'a future time counts as now');
  assert.equal(a.intervalMs('codex', 300_000, 120_000), 120_000);
  assert.equal(a.intervalMs('codex', 60_000, 120_000), 60_000, 'a user interval already below the floor is not raised here (pollIntervalMs does that)');
  on = false;
  assert.equal(a.intervalMs('codex', 300_000, 120_000), 300_000);
  on = true;
  clock.advance(61 * MIN);
  assert.equal(a.pace('codex'), 'idle');
  assert.equal(a.intervalMs('codex', 300_000, 120_000), 900_000);
  assert.equal(a.intervalMs('openai', 3_600_000, 3_600_000), 3_600_000, 'an hourly endpoint stays hourly (at most an hour, never faster than normal)');
  a.dispose();
});

test('two windows, both seeing the agent: still one call per account per interval in all', async () => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-adaptive-'));
  const clock = new FakeClock();
  const open = () => {
    const store = new FileSnapshotStore({ folder: path.join(root, 'snapshots'), log: nullLogger, watch: false, rescanMs: 0, clock });
    const lease = new FileLease({ dir: path.join(root, 'leader.lock'), log: nullLogger, clock, ttlMs: 30_000 });
    const adaptive = new AdaptivePolling({ clock });
    return { store, adaptive, ...window(clock, store, lease, adaptive) };
  };
  const a = open();
  await a.s.whenIdle();
  const b = open();
  const all = [a, b];
  const settle = async () => {
    for (let i = 0; i < 2; i++) {
      for (const w of all) await w.s.whenIdle();
      for (const w of all) await w.store.rescan();
      for (const w of all) await w.s.whenIdle();
      await flushMicrotasks();
    }
  };
  await settle();
  for (const w of all) w.s.setAccounts(['c']);
  await settle();
  const t0 = clock.now();
  for (let i = 0; i < 30; i++) {
    for (const w of all) w.adaptive.noteActivity('claude-code', clock.now());
    await clock.advanceAsync(MIN, settle);
  }
  const calls = [...a.calls, ...b.calls].sort((x, y) => x.at - y.at);
  const g = gaps(calls, 'c', t0, t0 + 30 * MIN);
  assert.ok(g.length >= 8 && g.every((x) => x === 3), `one call every 3 min across both windows, got ${g.join(',')}`);
  for (const w of all) {
    await w.s.shutdown();
    w.store.dispose();
    w.adaptive.dispose();
  }
});

test('the activity events come from the usage index: the last request per agent', () => {
  const m = latestActivity([
    { agent: 'claude-code', lastTs: 5 },
    { agent: 'codex', lastTs: 7 },
    { agent: 'claude-code', lastTs: 9 },
    { agent: 'codex', lastTs: Number.NaN },
  ]);
  assert.deepEqual([...m], [['claude-code', 9], ['codex', 7]]);
});
