import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AlertEngine, decideAlerts, localEndOfDay } from '../../../src/core/alerts/engine';
import { alertOptionsFromSettings } from '../../../src/core/alerts/options';
import { FileAlertStateStore } from '../../../src/core/alerts/stateStore';
import { InMemoryAlertStateStore } from '../../fakes/memoryStores';
import { DEFAULT_ALERT_OPTIONS, emptyAlertState, type AlertObservation, type AlertOptions, type AlertStateStore } from '../../../src/core/alerts/types';
import { windowHint, type PaceOptions, type PacePoint } from '../../../src/core/forecast/pace';
import { computePace } from '../../../src/core/forecast/paceSummary';
import type { PaceSummary } from '../../../src/shared/pace';
import { makeMeter, type Meter, type Snapshot } from '../../../src/shared/model';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 10, 9);
const FEB1 = Date.UTC(2026, 1, 1);
const MAR1 = Date.UTC(2026, 2, 1);

function pct(percentUsed: number, over: { id?: string; resetsAt?: number; label?: string } = {}): Meter {
  return makeMeter({
    id: over.id ?? 'premium',
    label: over.label ?? 'Premium requests',
    kind: 'quota',
    unit: 'requests',
    source: 'official',
    capturedAt: T0,
    used: percentUsed * 3,
    limit: 300,
    resetsAt: 'resetsAt' in over ? over.resetsAt : FEB1,
  });
}

function balance(remaining: number): Meter {
  return makeMeter({ id: 'balance', label: 'Balance', kind: 'balance', unit: 'USD', source: 'official', capturedAt: T0, remaining });
}

function obs(accountId: string, meters: Meter[], extra: Partial<AlertObservation> = {}, status: Snapshot['status'] = 'ok'): AlertObservation {
  return { accountId, accountName: `Acct ${accountId}`, snapshot: { accountId, takenAt: T0, status, meters }, ...extra };
}

function opts(over: Partial<AlertOptions> = {}, kinds: Partial<AlertOptions['kinds']> = {}): AlertOptions {
  return { ...DEFAULT_ALERT_OPTIONS, ...over, kinds: { ...DEFAULT_ALERT_OPTIONS.kinds, ...kinds } };
}

/** Runs a sequence of single-meter observations through the pure function, returning the messages per step. */
function run(steps: Array<Meter | Meter[]>, o: AlertOptions = opts(), paces?: Array<Record<string, PaceSummary> | undefined>) {
  let state = emptyAlertState();
  return steps.map((m, i) => {
    const d = decideAlerts(state, [obs('a', Array.isArray(m) ? m : [m], paces?.[i] ? { paces: paces[i] } : {})], o, T0 + i * H);
    state = d.state;
    return d.notifications;
  });
}

/** A pace the engine trusts (five days of data), for the grouping and wording tests; prediction itself is tested on real traces. */
const runOut: PaceSummary = {
  status: 'ok',
  spanMs: 5 * 24 * H,
  samples: 120,
  burnPerHour: 2,
  runOutAt: T0 + 5 * 24 * H,
  runsOutBeforeReset: true,
  resetsAt: FEB1,
  projectedPercentAtReset: 180,
  text: 'At this pace you run out Thu 14:00, 16 days before reset — stay under 4 requests a day',
};

test('thresholds fire once per episode, the highest crossed only', () => {
  const out = run([pct(70), pct(82), pct(85), pct(96), pct(97), pct(99)]);
  assert.deepEqual(out.map((n) => n.length), [0, 1, 0, 1, 0, 0]);
  assert.equal(out[1]![0]!.kind, 'threshold');
  assert.equal(out[1]![0]!.level, 80);
  assert.equal(out[1]![0]!.message, 'Acct a · Premium requests: 82% used');
  assert.equal(out[3]![0]!.level, 95);
  // A jump straight over both thresholds says it once, at the higher one.
  const jump = run([pct(10), pct(97)]);
  assert.equal(jump[1]!.length, 1);
  assert.equal(jump[1]![0]!.level, 95);
});

test('hysteresis: hovering around a threshold does not re-notify; falling clearly below ends the episode', () => {
  const out = run([pct(82), pct(78), pct(81), pct(76), pct(80), pct(74), pct(81)]);
  assert.deepEqual(out.map((n) => n.length), [1, 0, 0, 0, 0, 0, 1]);
  // Falling from the 95 episode to 88 ends it (below 95 − 5) but keeps the 80 one.
  const hi = run([pct(96), pct(88), pct(92), pct(95)]);
  assert.deepEqual(hi.map((n) => n.map((x) => x.level)), [[95], [], [], [95]]);
});

test('re-arm after a reset: the window change ends the episode and says so once (after a short hold)', () => {
  const steps = [pct(96, { resetsAt: FEB1 }), pct(97, { resetsAt: FEB1 })];
  let state = emptyAlertState();
  // The reset notice waits 10 minutes for other accounts' resets (storm control), then goes out with the next look.
  const at = [T0, T0 + H, FEB1 + H, FEB1 + H + 10 * 60_000, FEB1 + 10 * H];
  const meters = [...steps, pct(2, { resetsAt: MAR1 }), pct(3, { resetsAt: MAR1 }), pct(85, { resetsAt: MAR1 })];
  const seen = meters.map((m, i) => {
    const d = decideAlerts(state, [obs('a', [m])], opts(), at[i]!);
    state = d.state;
    return d.notifications;
  });
  assert.deepEqual(seen.map((n) => n.map((x) => x.kind)), [['threshold'], [], [], ['reset'], ['threshold']]);
  assert.equal(seen[3]![0]!.severity, 'info');
  assert.equal(seen[3]![0]!.message, 'Acct a · Premium requests has reset: 2% used (was 97%)');
  assert.equal(seen[4]![0]!.level, 80);
  // Without a reset time, a large fall back is a reset too; a reset of a meter that was never high stays quiet.
  const noReset = run([90, 5, 6, 82].map((p) => pct(p, { resetsAt: undefined })));
  assert.deepEqual(noReset.map((n) => n.map((x) => x.kind)), [['threshold'], [], ['reset'], ['threshold']]);
  assert.deepEqual(run([pct(50, { resetsAt: undefined }), pct(1, { resetsAt: undefined })]).flat(), []);
});

test('vendor jitter of the reset time is not a new window', () => {
  let state = emptyAlertState();
  const at = [T0, FEB1 + 60_000];
  const ms = [pct(90, { resetsAt: FEB1 }), pct(91, { resetsAt: FEB1 + 90_000 })];
  const out = ms.map((m, i) => {
    const d = decideAlerts(state, [obs('a', [m])], opts(), at[i]!);
    state = d.state;
    return d.notifications.length;
  });
  assert.deepEqual(out, [1, 0]);
});

test('many accounts crossing at once: one grouped notification', () => {
  const batch = ['a', 'b', 'c'].map((id) => obs(id, [pct(85)]));
  const d = decideAlerts(emptyAlertState(), batch, opts(), T0);
  assert.equal(d.notifications.length, 1);
  const n = d.notifications[0]!;
  assert.equal(n.grouped, true);
  assert.equal(n.message, '3 accounts above 80%: Acct a, Acct b, Acct c');
  assert.equal(n.targets.length, 3);
  // Two is not a storm.
  assert.equal(decideAlerts(emptyAlertState(), batch.slice(0, 2), opts(), T0).notifications.length, 2);
  // One account with several meters crossing.
  const one = decideAlerts(emptyAlertState(), [obs('a', ['x', 'y', 'z'].map((id) => pct(90, { id })))], opts(), T0);
  assert.equal(one.notifications[0]!.message, 'Acct a: 3 meters above 80%');
  // Mixed kinds beyond maxSeparate collapse into one summary.
  const mixed = [obs('a', [pct(85)]), obs('b', [pct(96)]), obs('c', [balance(1)]), obs('d', [pct(50)], { paces: { premium: runOut } })];
  const s = decideAlerts(emptyAlertState(), mixed, opts(), T0).notifications;
  assert.equal(s.length, 1);
  assert.match(s[0]!.message, /^4 tokstat alerts: /);
  assert.equal(s[0]!.targets.length, 4);
  // Seven accounts: the names are cut short.
  const seven = decideAlerts(emptyAlertState(), 'abcdefg'.split('').map((id) => obs(id, [pct(85)])), opts(), T0).notifications;
  assert.equal(seven[0]!.message, '7 accounts above 80%: Acct a, Acct b, Acct c and 4 more');
});

test('no duplicate after a restart (new engine, same store), in memory and on disk', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-alerts-'));
  const stores: Array<() => AlertStateStore> = [
    (() => {
      const s = new InMemoryAlertStateStore();
      return () => s;
    })(),
    () => new FileAlertStateStore({ folder: path.join(dir, 'state') }),
  ];
  for (const store of stores) {
    const first = new AlertEngine({ store: store(), options: () => opts() });
    assert.equal((await first.process([obs('a', [pct(85)])], T0)).length, 1);
    const second = new AlertEngine({ store: store(), options: () => opts() });
    assert.equal((await second.process([obs('a', [pct(86)])], T0 + H)).length, 0);
    assert.equal((await second.process([obs('a', [pct(96)])], T0 + 2 * H)).length, 1);
  }
  const names = await fsp.readdir(path.join(dir, 'state'));
  assert.deepEqual(names, ['alerts.json'], 'atomic write leaves no temp file');
});

test('two windows sharing the store: only the leader notifies, a leader change keeps the episodes', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-alerts-'));
  let leader: 'A' | 'B' = 'A';
  const mk = (me: 'A' | 'B') => new AlertEngine({ store: new FileAlertStateStore({ folder: dir }), options: () => opts(), isLeader: () => leader === me });
  const a = mk('A');
  const b = mk('B');
  const both = async (m: Meter, now: number) => [(await a.process([obs('x', [m])], now)).length, (await b.process([obs('x', [m])], now)).length];
  assert.deepEqual(await both(pct(85), T0), [1, 0]);
  assert.equal(a.isActive(), true);
  assert.equal(b.isActive(), false);
  leader = 'B';
  assert.deepEqual(await both(pct(87), T0 + H), [0, 0], 'the new leader knows the 80 % episode');
  assert.deepEqual(await both(pct(96), T0 + 2 * H), [0, 1]);
});

test('alerts.json: a snooze in one window and the leader\'s batch at the same moment both land (two engines, real files)', async () => {
  let lostSnoozes = 0;
  let lostEpisodes = 0;
  for (let i = 0; i < 25; i++) {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-alerts-race-'));
    const endOfDay = (n: number) => n + 10 * H;
    const leader = new AlertEngine({ store: new FileAlertStateStore({ folder: dir }), options: () => opts(), endOfDay });
    const focused = new AlertEngine({ store: new FileAlertStateStore({ folder: dir }), options: () => opts(), isLeader: () => false, endOfDay });
    await leader.process([obs('a', [pct(82)])], T0);
    // The user clicks Snooze on a's 80 % alert in the focused window while the leader decides b crossing 80 %.
    await Promise.all([focused.snooze([{ accountId: 'a', meterId: 'premium' }], T0 + H), leader.process([obs('a', [pct(83)]), obs('b', [pct(85)])], T0 + H)]);
    const st = await new FileAlertStateStore({ folder: dir }).load();
    if (st.meters['a/premium']?.snoozedUntil === undefined) lostSnoozes++;
    if (st.meters['b/premium']?.level !== 80) lostEpisodes++;
    assert.deepEqual(await fsp.readdir(dir), ['alerts.json'], 'no lock or temp file is left behind');
    await fsp.rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual({ lostSnoozes, lostEpisodes }, { lostSnoozes: 0, lostEpisodes: 0 });
});

test('alerts.json: two processes updating it at once lose nothing (a window snoozing while another decides)', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-alerts-procs-'));
  const n = 30;
  // The other window: a separate Node process snoozing n meters one after the other, on "go".
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { AlertEngine } = require(process.argv[1]);
       const { FileAlertStateStore } = require(process.argv[2]);
       const { DEFAULT_ALERT_OPTIONS } = require(process.argv[3]);
       const [dir, n, t] = [process.argv[4], Number(process.argv[5]), Number(process.argv[6])];
       const e = new AlertEngine({ store: new FileAlertStateStore({ folder: dir }), options: () => DEFAULT_ALERT_OPTIONS, isLeader: () => false, endOfDay: (x) => x + 36e6 });
       process.stdout.write('ready\\n');
       process.stdin.once('data', async () => {
         for (let i = 0; i < n; i++) await e.snooze([{ accountId: 'z', meterId: 'm' + i }], t);
         process.exit(0);
       });`,
      path.resolve(__dirname, '../../../src/core/alerts/engine.js'),
      path.resolve(__dirname, '../../../src/core/alerts/stateStore.js'),
      path.resolve(__dirname, '../../../src/core/alerts/types.js'),
      dir,
      String(n),
      String(T0),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdout!.once('data', () => resolve());
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const leader = new AlertEngine({ store: new FileAlertStateStore({ folder: dir }), options: () => opts() });
    child.stdin!.write('go\n');
    for (let i = 0; i < n; i++) await leader.process([obs(`b${i}`, [pct(85)])], T0 + i * 60_000);
    assert.equal(await exited, 0);
    const st = await new FileAlertStateStore({ folder: dir }).load();
    const snoozed = Array.from({ length: n }, (_, i) => st.meters[`z/m${i}`]?.snoozedUntil !== undefined).filter(Boolean).length;
    const episodes = Array.from({ length: n }, (_, i) => st.meters[`b${i}/premium`]?.level === 80).filter(Boolean).length;
    assert.deepEqual({ snoozed, episodes }, { snoozed: n, episodes: n });
  } finally {
    child.kill();
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('alerts.json: a lock left by a window that died is taken over, not waited on', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-alerts-lock-'));
  try {
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = dead.pid!;
    await new Promise((r) => dead.once('exit', r));
    const lockOf = async (owner: object) => {
      await fsp.mkdir(path.join(dir, 'alerts.json.lock'), { recursive: true });
      await fsp.writeFile(path.join(dir, 'alerts.json.lock', 'owner.json'), JSON.stringify({ owner: 'old window', token: 'x', acquiredAt: 0, ...owner }));
    };
    const engine = new AlertEngine({ store: new FileAlertStateStore({ folder: dir }), options: () => opts() });
    // Its process is gone (same host): taken over at once.
    await lockOf({ expiresAt: Date.now() + 60_000, pid, host: os.hostname() });
    let started = Date.now();
    assert.equal((await engine.process([obs('a', [pct(85)])], T0)).length, 1);
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    // Another host's window that stopped renewing: taken over once its heartbeat is past.
    await lockOf({ expiresAt: Date.now() - 1, pid: 1, host: 'elsewhere' });
    started = Date.now();
    await engine.snooze([{ accountId: 'a', meterId: 'premium' }], T0);
    assert.ok(Date.now() - started < 2_000);
    const st = await new FileAlertStateStore({ folder: dir }).load();
    assert.equal(st.meters['a/premium']?.level, 80);
    assert.ok(st.meters['a/premium']?.snoozedUntil !== undefined);
    assert.deepEqual(await fsp.readdir(dir), ['alerts.json']);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('snooze for today: quiet until the end of the day, persisted; afterwards the state reached meanwhile is told once', async () => {
  const store = new InMemoryAlertStateStore();
  const endOfDay = (now: number) => now + 10 * H;
  const e1 = new AlertEngine({ store, options: () => opts(), endOfDay });
  assert.equal((await e1.process([obs('a', [pct(82)])], T0)).length, 1);
  await e1.snooze([{ accountId: 'a', meterId: 'premium' }], T0);
  const e2 = new AlertEngine({ store, options: () => opts(), endOfDay });
  assert.equal((await e2.process([obs('a', [pct(96)])], T0 + H)).length, 0, 'snoozed (after a restart too)');
  assert.equal((await e2.process([obs('a', [pct(96), pct(85, { id: 'other' })])], T0 + 2 * H)).length, 1, 'other meters still notify');
  // The 95 % crossing was never shown: once the snooze is over it is, once (it used to be lost for the episode).
  const after = await e2.process([obs('a', [pct(97)])], T0 + 11 * H);
  assert.deepEqual(after.map((n) => [n.level, n.message]), [[95, 'Acct a · Premium requests: 97% used']]);
  const st = await store.load();
  assert.equal(st.meters['a/premium']!.snoozedUntil, undefined, 'an expired snooze is dropped');
  assert.equal((await e2.process([obs('a', [pct(98)])], T0 + 12 * H)).length, 0, 'told once');
  assert.equal((await e2.process([obs('a', [pct(70)]), obs('b', [pct(10)])], T0 + 13 * H)).length, 0);
  assert.equal((await e2.process([obs('a', [pct(85)])], T0 + 14 * H)).length, 1, 'a new episode after the snooze notifies');
});

test('snooze: a meter that reaches its limit while snoozed is told the next day, once, at the highest level (not one alert per level)', async () => {
  const store = new InMemoryAlertStateStore();
  const e = new AlertEngine({ store, options: () => opts(), endOfDay: (n) => n + 10 * H });
  const T = T0 + 5 * 24 * H;
  assert.equal((await e.process([obs('a', [pct(82)])], T)).length, 1);
  await e.snooze([{ accountId: 'a', meterId: 'premium' }], T);
  assert.deepEqual(await e.process([obs('a', [pct(96)])], T + H), []);
  assert.deepEqual(await e.process([obs('a', [pct(100)])], T + 2 * H), []);
  const seen: string[][] = [];
  for (let d = 1; d <= 5; d++) seen.push((await e.process([obs('a', [pct(100)])], T + d * 24 * H)).map((n) => n.message));
  assert.deepEqual(seen, [['Acct a · Premium requests: 100% used (limit reached)'], [], [], [], []]);
});

test('snooze: a balance that runs low while its top-up notice is snoozed is told when the snooze ends', async () => {
  const store = new InMemoryAlertStateStore();
  const e = new AlertEngine({ store, options: () => opts(), endOfDay: (n) => n + 10 * H });
  const T = T0 + 5 * 24 * H;
  assert.equal((await e.process([obs('b', [balance(3)])], T)).length, 1, 'low');
  await e.process([obs('b', [balance(50)])], T + H);
  // The top-up notice may be held back a moment (storm control): whatever was shown, the user snoozes that meter.
  await e.snooze([{ accountId: 'b', meterId: 'balance' }], T + H);
  assert.deepEqual(await e.process([obs('b', [balance(1)])], T + 2 * H), [], 'quiet while snoozed');
  const seen: string[][] = [];
  for (let d = 1; d <= 3; d++) seen.push((await e.process([obs('b', [balance(0.5)])], T + d * 24 * H)).map((n) => n.message));
  assert.deepEqual(seen, [['Acct b · Balance is low: $0.50 left'], [], []]);
});

test('snooze: a predictive alert silenced by a snooze is given when the snooze ends, if the run-out still stands', () => {
  let state = emptyAlertState();
  state.meters['a/premium'] = { seenAt: T0, snoozedUntil: T0 + 5 * H };
  const step = (at: number) => {
    const d = decideAlerts(state, [obs('a', [pct(40)], { paces: { premium: runOut } })], opts(), at);
    state = d.state;
    return d.notifications.map((n) => n.kind);
  };
  assert.deepEqual([step(T0), step(T0 + H), step(T0 + 6 * H), step(T0 + 7 * H)], [[], [], ['predictive'], []]);
});

test('snooze: a warning held back by the rate limit and then snoozed is not lost for the episode', async () => {
  const store = new InMemoryAlertStateStore();
  const e = new AlertEngine({ store, options: () => opts(), endOfDay: (n) => n + 10 * H });
  const M = 60_000;
  // Three alerts in three minutes use up the rate; a's 95 % crossing then waits for room.
  assert.equal((await e.process([obs('a', [pct(82)])], T0)).length, 1);
  assert.equal((await e.process([obs('b', [pct(82)])], T0 + M)).length, 1);
  assert.equal((await e.process([obs('c', [pct(82)])], T0 + 2 * M)).length, 1);
  assert.deepEqual(await e.process([obs('a', [pct(96)])], T0 + 3 * M), []);
  assert.equal((await store.load()).held?.length, 1);
  // The user snoozes a from its 80 % notification: the held 95 % one is dropped, not shown...
  await e.snooze([{ accountId: 'a', meterId: 'premium' }], T0 + 4 * M);
  assert.deepEqual(await e.process([], T0 + 11 * M), []);
  assert.equal((await store.load()).held, undefined);
  // ...and told when the snooze is over.
  assert.deepEqual((await e.process([obs('a', [pct(97)])], T0 + 11 * H)).map((n) => n.level), [95]);
});

test('localEndOfDay: the next local midnight, at least 8 hours away; daylight-saving days follow the wall clock', () => {
  const saved = process.env.TZ;
  const at = (zone: string, fn: () => void) => {
    process.env.TZ = zone;
    try {
      fn();
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  };
  const hours = (from: number) => (localEndOfDay(from) - from) / H;
  at('Europe/Berlin', () => {
    assert.equal(localEndOfDay(Date.UTC(2026, 0, 10, 9)), Date.UTC(2026, 0, 10, 23), '10:00 CET → midnight');
    assert.equal(hours(Date.UTC(2026, 0, 10, 22, 59)), 8, '23:59 → 07:59 (it lasted one minute)');
    assert.equal(hours(Date.UTC(2026, 0, 10, 13)), 10, '14:00 → midnight');
    assert.equal(hours(Date.UTC(2026, 0, 10, 16, 30)), 8, '17:30 → 01:30');
    // 29 March 2026: 02:00 → 03:00, a 23-hour day. From 00:30 CET the day has 22.5 hours left.
    assert.equal(hours(Date.UTC(2026, 2, 28, 23, 30)), 22.5);
    assert.equal(localEndOfDay(Date.UTC(2026, 2, 29, 8)), Date.UTC(2026, 2, 29, 22), '10:00 CEST → midnight CEST');
    // 25 October 2026: 03:00 → 02:00, a 25-hour day.
    assert.equal(hours(Date.UTC(2026, 9, 24, 22, 30)), 24.5);
  });
  at('America/New_York', () => {
    // 1 November 2026, back to EST: 12:00 EDT → midnight EST is 13 hours.
    assert.equal(hours(Date.UTC(2026, 10, 1, 16)), 13);
    assert.equal(hours(Date.UTC(2026, 10, 2, 1)), 8, '20:00 EST → 04:00');
  });
  at('America/Santiago', () => {
    // Chile skips midnight into 6 September 2026 (00:00 → 01:00): the day after 5 September starts at 01:00 -03.
    assert.equal(localEndOfDay(Date.UTC(2026, 8, 5, 14)), Date.UTC(2026, 8, 6, 4), '10:00 → 01:00 the next day');
  });
  at('UTC', () => {
    assert.equal(localEndOfDay(Date.UTC(2026, 0, 10, 9)), Date.UTC(2026, 0, 11));
    assert.equal(localEndOfDay(Date.UTC(2026, 0, 10, 23, 59)), Date.UTC(2026, 0, 11, 7, 59));
  });
});

test('each kind can be turned off, and the master switch turns everything off', async () => {
  assert.deepEqual(run([pct(85), pct(96)], opts({}, { threshold: false })).flat(), []);
  assert.deepEqual(run([pct(50)], opts({}, { predictive: false }), [{ premium: runOut }]).flat(), []);
  assert.deepEqual(
    run([pct(90, { resetsAt: undefined }), pct(5, { resetsAt: undefined })], opts({}, { reset: false })).map((n) => n.length),
    [1, 0],
  );
  assert.deepEqual(run([balance(2)], opts({}, { lowBalance: false })).flat(), []);
  assert.deepEqual(run([balance(2)], opts({ lowBalance: 0 })).flat(), []);
  const off = new AlertEngine({ store: new InMemoryAlertStateStore(), options: () => opts({ enabled: false }) });
  assert.deepEqual(await off.process([obs('a', [pct(99)])], T0), []);
  assert.equal(off.isActive(), false);
});

test('predictive alert needs a confident pace, and the threshold message carries it instead of a second one', () => {
  const unsure: PaceSummary = { ...runOut, status: 'insufficient-data' };
  assert.deepEqual(run([pct(40)], opts(), [{ premium: unsure }]).flat(), []);
  const out = run([pct(40), pct(42), pct(44)], opts(), [{ premium: runOut }, { premium: runOut }, { premium: runOut }]);
  assert.deepEqual(out.map((n) => n.map((x) => x.kind)), [['predictive'], [], []]);
  assert.equal(out[0]![0]!.message, `Acct a · Premium requests: ${runOut.text}`);
  // Run-out only minutes before the reset is not worth it.
  const late: PaceSummary = { ...runOut, runOutAt: FEB1 - 10 * 60_000 };
  assert.deepEqual(run([pct(40)], opts(), [{ premium: late }]).flat(), []);
  // A threshold crossing in the same batch carries the pace instead of a second notification.
  const both = run([pct(85)], opts(), [{ premium: runOut }]);
  assert.equal(both[0]!.length, 1);
  assert.equal(both[0]![0]!.kind, 'threshold');
  assert.match(both[0]![0]!.message, /85% used — At this pace you run out/);
});

const DAY = 24 * H;
const monthAfter = (t: number) => Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth() + 1, 1);
const officeHours = (perHour: number) => (t: number) => {
  const d = new Date(t);
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 9 && d.getUTCHours() < 18 ? perHour : 0;
};

/**
 * Feeds a usage trace through the pace engine and the alert engine the way the extension does: at every poll the
 * meter, its pace from the history so far (computePace), then the decision. Returns what was notified, and when.
 */
function traceAlerts(o: {
  from: number;
  to: number;
  step?: number;
  /** Use added per step at time t. */
  use: (t: number) => number;
  limit: number;
  /** The reset following t. */
  resetAfter: (t: number) => number;
  pace: PaceOptions;
  /** A percent-only meter (Claude windows) instead of used/limit. */
  percent?: boolean;
}): Array<{ t: number; kind: string; level?: number; message: string }> {
  const points: PacePoint[] = [];
  const fired: Array<{ t: number; kind: string; level?: number; message: string }> = [];
  let state = emptyAlertState();
  let used = 0;
  let resetsAt = o.resetAfter(o.from);
  for (let t = o.from; t < o.to; t += o.step ?? H) {
    if (t >= resetsAt) {
      used = 0;
      resetsAt = o.resetAfter(t);
    }
    used = Math.min(o.limit, used + o.use(t));
    const reading = o.percent ? { percentUsed: Math.round((used / o.limit) * 100) } : { used: Math.round(used), limit: o.limit };
    const m = makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: o.percent ? '%' : 'requests', source: 'official', capturedAt: t, resetsAt, ...reading });
    const pace = computePace(points, m, t, o.pace);
    points.push({ t, resetsAt, ...reading });
    const d = decideAlerts(state, [obs('a', [m], { paces: { premium: pace } })], opts(), t);
    state = d.state;
    for (const n of d.notifications) fired.push({ t, kind: n.kind, message: n.message, ...(n.level !== undefined ? { level: n.level } : {}) });
  }
  return fired;
}

test('predictive on a real Copilot trace: one alert per month, not every Monday after a quiet weekend, whatever the look-back', () => {
  const JAN1 = Date.UTC(2026, 0, 1);
  // 300 premium requests a month, used on weekdays in office hours (~317 at this pace: it does run out, just).
  for (const lookback of [undefined, 7 * DAY]) {
    const fired = traceAlerts({
      from: JAN1,
      to: MAR1,
      use: officeHours(1.6),
      limit: 300,
      resetAfter: monthAfter,
      pace: { ...windowHint('copilot', { id: 'premium' }), ...(lookback ? { lookbackMs: lookback } : {}) },
    });
    const predictive = fired.filter((f) => f.kind === 'predictive');
    const label = `look-back ${lookback ? '7 d' : 'default'}: ${fired.map((f) => `${new Date(f.t).toISOString().slice(0, 13)} ${f.kind}`).join(', ')}`;
    assert.equal(predictive.filter((f) => f.t < FEB1).length, 1, `one in January (${label})`);
    assert.equal(predictive.filter((f) => f.t >= FEB1).length, 1, `one in February, re-armed by the reset (${label})`);
    assert.ok(predictive[0]!.t >= JAN1 + DAY, `not before a day of data (${label})`);
    assert.deepEqual(fired.filter((f) => f.kind === 'threshold').map((f) => f.level), [80, 95, 80, 95], label);
  }
});

test('predictive needs enough data: not from hours of a monthly quota; a 5-hour window may predict after half an hour', () => {
  // Installed mid-month, heavy use at once: the pace is "ok" within the hour, but a month is not judged on that.
  const start = Date.UTC(2026, 0, 10, 9);
  const monthly = traceAlerts({ from: start, to: start + 3 * DAY, step: 15 * 60_000, use: () => 1.25, limit: 300, resetAfter: () => FEB1, pace: windowHint('copilot', { id: 'premium' }) });
  const firstPredictive = monthly.find((f) => f.kind === 'predictive');
  assert.ok(firstPredictive, 'the run-out is told');
  assert.ok(firstPredictive.t >= start + DAY, `after a day of data, not at ${new Date(firstPredictive.t).toISOString()}`);
  const twoHours = makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: start + 2 * H, used: 10, limit: 300, resetsAt: FEB1 });
  // The alert engine's own guard, whatever the pace engine says: a pace resting on 90 minutes of a monthly quota
  // that claims a run-out (the pace engine itself waits for a day of data on long windows too) is not told.
  const early = computePace([0, 1, 2, 3].map((i) => ({ t: start + i * 30 * 60_000, used: i * 2.5, limit: 300, resetsAt: FEB1 })), twoHours, start + 2 * H, windowHint('copilot', { id: 'premium' }));
  assert.notEqual(early.runsOutBeforeReset, true, 'the pace engine does not predict from two hours of a month');
  const claimed = { ...early, status: 'ok' as const, runsOutBeforeReset: true, runOutAt: start + 5 * DAY, samples: 4, spanMs: 90 * 60_000 };
  const told = decideAlerts(emptyAlertState(), [obs('a', [twoHours], { paces: { premium: claimed } })], opts(), start + 2 * H);
  assert.deepEqual(told.notifications.filter((n) => n.kind === 'predictive'), [], 'not on 90 minutes of data');
  const grounded = decideAlerts(emptyAlertState(), [obs('a', [twoHours], { paces: { premium: { ...claimed, spanMs: DAY } } })], opts(), start + 2 * H);
  assert.equal(grounded.notifications.filter((n) => n.kind === 'predictive').length, 1, 'the same pace on a day of data is told');
  // Claude's five-hour window, percent-only: 30 % an hour runs out after 3 h 20 min.
  const w = Date.UTC(2026, 0, 10, 9);
  const fiveHour = traceAlerts({
    from: w,
    to: w + 3 * H,
    step: 5 * 60_000,
    use: () => 2.5,
    limit: 100,
    resetAfter: () => w + 5 * H,
    pace: windowHint('claude', { id: 'five-hour' }),
    percent: true,
  });
  const p = fiveHour.find((f) => f.kind === 'predictive');
  assert.ok(p && p.t >= w + 30 * 60_000 && p.t <= w + 45 * 60_000, `predicted after half an hour: ${fiveHour.map((f) => `${(f.t - w) / 60_000} min ${f.kind}`).join(', ')}`);
});

test('predictive is re-armed within a window only after the projection stayed low for a quarter of it', () => {
  const MAR31 = Date.UTC(2026, 2, 31);
  const from = Date.UTC(2026, 2, 1);
  const burst = (pauseDays: number) => (t: number) => {
    const day = (t - from) / DAY;
    return day < 4 ? 4 : day >= 4 + pauseDays ? 8 : 0; // 96 a day, a pause, then 192 a day
  };
  const run2 = (pauseDays: number) =>
    traceAlerts({ from, to: MAR31, use: burst(pauseDays), limit: 2000, resetAfter: () => Date.UTC(2026, 3, 1), pace: windowHint('copilot', { id: 'premium' }) }).filter(
      (f) => f.kind === 'predictive',
    );
  assert.equal(run2(3).length, 1, 'a three-day pause is not back on pace');
  const long = run2(10);
  assert.equal(long.length, 2, 'ten quiet days (a quarter of the month is 7.75) re-arm it');
  assert.ok(long[1]!.t >= from + 14 * DAY);
});

test('low balance: once per episode, a clear top-up ends it (refill notice)', () => {
  const out = run([balance(10), balance(4), balance(3), balance(5.2), balance(20), balance(19), balance(4)]);
  // The refill notice is held a moment (storm control) and goes out with the next look.
  assert.deepEqual(out.map((n) => n.map((x) => x.kind)), [[], ['lowBalance'], [], [], [], ['reset'], ['lowBalance']]);
  assert.equal(out[1]![0]!.message, 'Acct a · Balance is low: $4.00 left');
  assert.equal(out[5]![0]!.message, 'Acct a · Balance topped up: $20.00 left');
  assert.equal(out[5]![0]!.refill, true);
});

test('prepaid credits (a remaining amount, no limit) are a balance; non-money units are low relative to their own scale', () => {
  // Codex reports its credits as kind `credits` with only the amount left.
  const credits = (remaining: number) => makeMeter({ id: 'credits', label: 'Credits', kind: 'credits', unit: 'credits', source: 'official', capturedAt: T0, remaining });
  const tokens = (remaining: number) => makeMeter({ id: 'tokens', label: 'Tokens', kind: 'credits', unit: 'tokens', source: 'official', capturedAt: T0, remaining });
  const money = (remaining: number, unit: string) => makeMeter({ id: `m-${unit}`, label: unit, kind: 'balance', unit, source: 'official', capturedAt: T0, remaining });
  const first = (m: Meter) => decideAlerts(emptyAlertState(), [obs('a', [m])], opts(), T0).notifications.map((n) => n.message);
  assert.deepEqual(first(credits(0.5)), ['Acct a · Credits is low: 0.5 credits left'], 'less than one credit left is used up, whatever the scale');
  assert.deepEqual(first(credits(4)), [], 'the money floor (5) does not apply to credits');
  assert.deepEqual(first(tokens(4000)), []);
  assert.deepEqual(first(money(4.9, 'CNY')), ['Acct a · CNY is low: ¥4.90 left'], 'money: the setting, in the balance’s own currency');
  assert.deepEqual(first(money(6, 'USD')), []);
  // Relative to the most seen since the last top-up: 10 %.
  const c = run([credits(50), credits(20), credits(5.2), credits(4.9), credits(3), credits(60), credits(30), credits(5.9)]);
  assert.deepEqual(c.map((n) => n.map((x) => x.kind)), [[], [], [], ['lowBalance'], [], [], ['reset'], ['lowBalance']]);
  assert.equal(c[6]![0]!.message, 'Acct a · Credits topped up: 60 credits left', 'told (after a short hold)');
  const t = run([tokens(40_000), tokens(4_000), tokens(3_999)]);
  assert.deepEqual(t.map((n) => n.length), [0, 0, 1]);
  // 0 turns every low-balance alert off, credits included.
  assert.deepEqual(run([credits(10), credits(0.5)], opts({ lowBalance: 0 }, { lowBalance: false })).flat(), []);
  // A meter with a limit is not a balance: its percentage rules apply.
  const quota = makeMeter({ id: 'q', label: 'Q', kind: 'credits', unit: 'credits', source: 'official', capturedAt: T0, remaining: 10, limit: 100 });
  assert.deepEqual(first(quota), ['Acct a · Q: 90% used']);
});

test('stale/error snapshots, unlimited and rate-limit meters never notify', () => {
  assert.deepEqual(decideAlerts(emptyAlertState(), [obs('a', [pct(99)], {}, 'stale')], opts(), T0).notifications, []);
  const unl = makeMeter({ id: 'u', label: 'u', kind: 'quota', unit: 'requests', source: 'official', capturedAt: T0, unlimited: true });
  const rl = makeMeter({ id: 'r', label: 'r', kind: 'rate-limit', unit: 'requests', source: 'headers', capturedAt: T0, used: 99, limit: 100 });
  assert.deepEqual(decideAlerts(emptyAlertState(), [obs('a', [unl, rl])], opts(), T0).notifications, []);
});

test('decideAlerts is pure; old meters are pruned; forgetAccount drops an account', async () => {
  const s0 = emptyAlertState();
  const d = decideAlerts(s0, [obs('a', [pct(85)])], opts(), T0);
  assert.deepEqual(s0, emptyAlertState());
  const later = decideAlerts(d.state, [obs('b', [pct(10)])], opts(), T0 + 60 * 24 * H);
  assert.deepEqual(Object.keys(later.state.meters), ['b/premium']);
  const store = new InMemoryAlertStateStore();
  const e = new AlertEngine({ store, options: () => opts() });
  await e.process([obs('a', [pct(85)]), obs('b', [pct(85)])], T0);
  await e.forgetAccount('a');
  assert.deepEqual(Object.keys((await store.load()).meters), ['b/premium']);
});

test('file store: missing or corrupt files read as empty; bad entries are dropped', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-alerts-'));
  const store = new FileAlertStateStore({ folder: dir });
  assert.deepEqual(await store.load(), emptyAlertState());
  await fsp.writeFile(path.join(dir, 'alerts.json'), '{not json');
  assert.deepEqual(await store.load(), emptyAlertState());
  await fsp.writeFile(path.join(dir, 'alerts.json'), JSON.stringify({ version: 1, meters: { 'a/x': { seenAt: 1, level: 80, junk: 'y' }, 'a/y': { level: 80 }, 'a/z': null } }));
  assert.deepEqual(await store.load(), { version: 1, meters: { 'a/x': { seenAt: 1, level: 80 } } });
  // Held notices (storm control) are validated like the relay's: a bad one is dropped, a good one kept.
  const good = { kind: 'reset', severity: 'info', message: 'A · Q has reset', targets: [{ accountId: 'a', meterId: 'x' }], grouped: false, accountName: 'A', heldAt: 5 };
  const bad = { ...good, kind: 'explode' };
  await fsp.writeFile(path.join(dir, 'alerts.json'), JSON.stringify({ version: 1, meters: {}, held: [bad, good, { ...good, heldAt: 'x' }], shown: [3, 'y', 4] }));
  assert.deepEqual(await store.load(), { version: 1, meters: {}, held: [good], shown: [3, 4] });
});

test('settings normalisation', () => {
  const warnings: string[] = [];
  const cfg: Record<string, unknown> = { thresholds: [95, 'x', 80, 80, -1], hysteresis: 500, predictive: false, lowBalance: 0 };
  const o = alertOptionsFromSettings((k) => cfg[k], (m) => warnings.push(m));
  assert.deepEqual(o.thresholds, [80, 95]);
  assert.equal(o.hysteresis, 50);
  assert.deepEqual(o.kinds, { threshold: true, predictive: false, reset: true, lowBalance: false });
  assert.deepEqual(warnings, ['tokstat.alerts.thresholds: ignored "x", -1 (percents from 1 to 1000)'], 'dropped entries are reported');
  const none = alertOptionsFromSettings((k) => (k === 'thresholds' ? [] : undefined));
  assert.equal(none.kinds.threshold, false, 'only an empty list turns threshold alerts off');
  const quiet: string[] = [];
  assert.deepEqual(alertOptionsFromSettings(() => undefined, (m) => quiet.push(m)), DEFAULT_ALERT_OPTIONS);
  assert.deepEqual(quiet, [], 'defaults warn about nothing');
});

test('settings: a threshold list with no usable entry falls back to the defaults with a warning; fractions read as percents', () => {
  const read = (thresholds: unknown) => {
    const warnings: string[] = [];
    const o = alertOptionsFromSettings((k) => (k === 'thresholds' ? thresholds : undefined), (m) => warnings.push(m));
    return { thresholds: o.thresholds, on: o.kinds.threshold, warnings };
  };
  for (const bad of [['80', '95'], [0], [-5, 2000], [null], 'eighty']) {
    const r = read(bad);
    assert.deepEqual(r.thresholds, [80, 95], `${JSON.stringify(bad)} → defaults`);
    assert.equal(r.on, true, `${JSON.stringify(bad)} leaves threshold alerts on`);
    assert.equal(r.warnings.length, 1, `${JSON.stringify(bad)} is reported`);
    assert.match(r.warnings[0]!, /using 80, 95/);
  }
  const frac = read([0.8, 0.95]);
  assert.deepEqual(frac.thresholds, [80, 95]);
  assert.deepEqual(frac.warnings, ['tokstat.alerts.thresholds: read 0.8 as 80%, 0.95 as 95% (fractions); write percents from 1 to 1000']);
  assert.deepEqual(read([0.07, 0.5, 50]).thresholds, [7, 50], 'no float noise; a duplicate after conversion is dropped');
  assert.deepEqual(read([1, 150]), { thresholds: [1, 150], on: true, warnings: [] }, '1 is one percent; overage levels up to 1000 are allowed');
  // A meter at 1 % used does not notify under [0.8, 0.95] (it did when the fractions were taken as percents).
  const o = alertOptionsFromSettings((k) => (k === 'thresholds' ? [0.8, 0.95] : undefined));
  assert.deepEqual(decideAlerts(emptyAlertState(), [obs('a', [pct(1)])], o, T0).notifications, []);
  assert.equal(decideAlerts(emptyAlertState(), [obs('a', [pct(81)])], o, T0).notifications[0]?.level, 80);
});
