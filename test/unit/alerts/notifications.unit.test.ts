// The batching dispatcher (core) and the NotificationsController host adapter against a minimal in-memory `vscode`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AlertDispatcher } from '../../../src/core/alerts/dispatcher';
import { AlertEngine, localEndOfDay } from '../../../src/core/alerts/engine';
import { NotificationRelay } from '../../../src/core/alerts/relay';
import { InMemoryAlertStateStore } from '../../fakes/memoryStores';
import { DEFAULT_ALERT_OPTIONS, type AlertNotification } from '../../../src/core/alerts/types';
import { nullLogger } from '../../../src/core/log';
import { makeMeter, type Snapshot } from '../../../src/shared/model';
import type * as NotificationsModule from '../../../src/features/notifications/notifications';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { withVscodeStub } from '../../support/vscodeStub';

function snap(accountId: string, percent: number, at: number): Snapshot {
  const m = makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: at, used: percent * 3, limit: 300 });
  return { accountId, takenAt: at, status: 'ok', meters: [m] };
}

test('dispatcher: snapshots arriving together are decided as one batch (one grouped notification)', async () => {
  const clock = new FakeClock();
  const shown: AlertNotification[] = [];
  let paceCalls = 0;
  let leader = true;
  const engine = new AlertEngine({ store: new InMemoryAlertStateStore(), options: () => DEFAULT_ALERT_OPTIONS, isLeader: () => leader });
  const d = new AlertDispatcher({
    engine,
    clock,
    accountName: (id) => (id === 'gone' ? undefined : id.toUpperCase()),
    paces: () => {
      paceCalls++;
      return undefined;
    },
    present: (n) => shown.push(n),
    debounceMs: 2000,
  });
  for (const id of ['a', 'b', 'gone', 'c']) {
    d.onSnapshot(id, snap(id, 90, clock.now()));
    clock.advance(400);
  }
  assert.equal(shown.length, 0);
  await clock.advanceAsync(2000, () => flushMicrotasks().then(flushMicrotasks));
  await flushMicrotasks();
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.message, '3 accounts above 80%: A, B, C');
  assert.equal(paceCalls, 3, 'removed accounts are skipped');
  // A follower does not even compute paces.
  leader = false;
  d.onSnapshot('d', snap('d', 90, clock.now()));
  await d.flush();
  assert.equal(paceCalls, 3);
  assert.equal(shown.length, 1);
  d.onSnapshot('e', snap('e', 90, clock.now()));
  d.dispose();
  assert.equal(clock.pendingTimers(), 0, 'dispose clears the debounce timer');
});

// ---- storm control across batches -----------------------------------------------------------------------------
const FEB1 = Date.UTC(2026, 1, 1);
const MAR1 = Date.UTC(2026, 2, 1);
const MIN = 60_000;

function monthly(accountId: string, percent: number, resetsAt: number, at: number): Snapshot {
  const m = makeMeter({ id: 'premium', label: 'Premium', kind: 'quota', unit: 'requests', source: 'official', capturedAt: at, used: percent * 3, limit: 300, resetsAt });
  return { accountId, takenAt: at, status: 'ok', meters: [m] };
}

/** A leader's dispatcher and engine on `store`, showing into `shown`. */
function leaderOn(store: InMemoryAlertStateStore, clock: FakeClock, shown: AlertNotification[]) {
  const engine = new AlertEngine({ store, options: () => DEFAULT_ALERT_OPTIONS });
  return new AlertDispatcher({ engine, clock, accountName: (id) => id, present: (n) => shown.push(n), debounceMs: 2000 });
}

const settle = () => flushMicrotasks().then(flushMicrotasks);

test('storm control: eight accounts resetting on the 1st, polled 30 s apart, give one notification', async () => {
  const clock = new FakeClock(FEB1 - 3_600_000);
  const shown: AlertNotification[] = [];
  const d = leaderOn(new InMemoryAlertStateStore(), clock, shown);
  const ids = 'abcdefgh'.split('');
  for (const id of ids) d.onSnapshot(id, monthly(id, 90, FEB1, clock.now()));
  await d.flush();
  assert.deepEqual(shown.map((n) => n.message), ['8 accounts above 80%: a, b, c and 5 more']);
  shown.length = 0;
  clock.advanceTo(FEB1 + MIN);
  for (const id of ids) {
    d.onSnapshot(id, monthly(id, 0, MAR1, clock.now()));
    await clock.advanceAsync(30_000, settle); // each account at its own phase of the 10-minute interval
  }
  assert.equal(shown.length, 0, 'held while the other accounts report');
  // No poll needed: the hold ends on a timer.
  await clock.advanceAsync(10 * MIN, settle);
  assert.deepEqual(shown.map((n) => [n.kind, n.severity, n.message, n.targets.length]), [['reset', 'info', '8 accounts reset: a, b, c and 5 more', 8]]);
  await clock.advanceAsync(60 * MIN, settle);
  assert.equal(shown.length, 1, 'once');
  d.dispose();
  assert.equal(clock.pendingTimers(), 0);
});

test('storm control: at most 3 notifications in 10 minutes across batches; the rest go out together when there is room', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 10, 9));
  const shown: Array<{ at: number; message: string }> = [];
  const store = new InMemoryAlertStateStore();
  const engine = new AlertEngine({ store, options: () => DEFAULT_ALERT_OPTIONS });
  const d = new AlertDispatcher({ engine, clock, accountName: (id) => id, present: (n) => shown.push({ at: clock.now(), message: n.message }), debounceMs: 2000 });
  const start = clock.now();
  for (const id of 'abcdef'.split('')) {
    d.onSnapshot(id, monthly(id, 85, FEB1, clock.now()));
    await clock.advanceAsync(MIN, settle); // one account crossing 80 % a minute
  }
  assert.deepEqual(shown.map((s) => s.message), ['a · Premium: 85% used', 'b · Premium: 85% used', 'c · Premium: 85% used']);
  await clock.advanceAsync(10 * MIN, settle);
  assert.deepEqual(shown.slice(3).map((s) => s.message), ['3 accounts above 80%: d, e, f']);
  assert.equal(shown[3]!.at, start + 2_000 + 10 * MIN, 'as soon as the first one is 10 minutes old');
  d.dispose();
});

test('storm control survives a restart: held notices and the rate of the last 10 minutes are in the shared state', async () => {
  const clock = new FakeClock(FEB1 + MIN);
  const store = new InMemoryAlertStateStore();
  const shown: AlertNotification[] = [];
  const before = leaderOn(store, clock, shown);
  // Known high before the reset, then three of four accounts report theirs; the window restarts meanwhile.
  await store.update((s) => {
    for (const id of 'wxyz') s.meters[`${id}/premium`] = { seenAt: FEB1 - MIN, peak: 90, last: 90, level: 80, resetsAt: FEB1 };
    return s;
  });
  for (const id of 'wxy') {
    before.onSnapshot(id, monthly(id, 1, MAR1, clock.now()));
    await clock.advanceAsync(30_000, settle);
  }
  before.dispose();
  assert.equal(shown.length, 0);
  assert.equal((await store.load()).held?.length, 3, 'held notices are in alerts.json');
  // The new window: its first look (no poll needed) arms the release; the fourth account reports meanwhile.
  const after = leaderOn(store, clock, shown);
  after.resume();
  await clock.advanceAsync(3_000, settle);
  after.onSnapshot('z', monthly('z', 1, MAR1, clock.now()));
  await clock.advanceAsync(10 * MIN, settle);
  assert.deepEqual(shown.map((n) => n.message), ['4 accounts reset: w, x, y and 1 more']);
  // Three warnings shown, then a restart: the fourth within 10 minutes still waits for room.
  await clock.advanceAsync(10 * MIN, settle);
  shown.length = 0;
  for (const id of 'abc') {
    after.onSnapshot(id, monthly(id, 85, MAR1, clock.now()));
    await clock.advanceAsync(3_000, settle);
  }
  after.dispose();
  const again = leaderOn(store, clock, shown);
  again.onSnapshot('d', monthly('d', 86, MAR1, clock.now()));
  await clock.advanceAsync(3_000, settle);
  assert.equal(shown.length, 3, `${shown.map((n) => n.message).join(' | ')}`);
  await clock.advanceAsync(10 * MIN, settle);
  assert.deepEqual(shown.slice(3).map((n) => n.message), ['d · Premium: 86% used']);
  again.dispose();
});

// ---- host adapter -------------------------------------------------------------------------------------------
interface Shown {
  level: 'warning' | 'info';
  message: string;
  items: string[];
  answer: (choice: string | undefined) => void;
}
const shownMessages: Shown[] = [];
const executed: unknown[][] = [];
/** `tokstat.alerts.*` as the stub's configuration reports it. */
const alertSettings: Record<string, unknown> = {};
const ask = (level: Shown['level']) => (message: string, ...items: string[]) =>
  new Promise<string | undefined>((resolve) => shownMessages.push({ level, message, items, answer: resolve }));
const vscodeStub = {
  window: { showWarningMessage: ask('warning'), showInformationMessage: ask('info') },
  commands: {
    executeCommand: async (...args: unknown[]) => {
      executed.push(args);
    },
  },
  workspace: { getConfiguration: (section: string) => ({ get: (k: string) => (section === 'tokstat.alerts' ? alertSettings[k] : undefined) }) },
};
const { NotificationsController, NOTIFICATION_ACTIONS } = withVscodeStub(vscodeStub, () => require('../../../src/features/notifications/notifications') as typeof NotificationsModule);

/** A window's controller (by default the leader, on an in-memory store); `feed` plays the scheduler's snapshot event. */
function controller(over: Partial<NotificationsModule.NotificationsControllerDeps> = {}) {
  const listeners = new Set<(id: string, s: Snapshot | undefined) => void>();
  const c = new NotificationsController({
    log: nullLogger,
    storageFolder: '/nonexistent',
    store: new InMemoryAlertStateStore(),
    onDidChangeSnapshot: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    isLeader: () => true,
    accountName: (id) => `Work ${id}`,
    openDashboardCommand: 'tokstat.openDashboard',
    ...over,
  });
  return { c, listeners, feed: (id: string, s: Snapshot) => listeners.forEach((l) => l(id, s)) };
}

test('NotificationsController: shows warnings with the three actions; Snooze, Settings and Open Dashboard work', async () => {
  const clock = new FakeClock();
  const store = new InMemoryAlertStateStore();
  const { c, listeners, feed } = controller({ store, clock, debounceMs: 1000 });
  feed('a', snap('a', 85, clock.now()));
  await c.flush();
  assert.equal(shownMessages.length, 1);
  const s = shownMessages[0]!;
  assert.equal(s.level, 'warning');
  assert.equal(s.message, 'Work a · Premium requests: 85% used');
  assert.deepEqual(s.items, [NOTIFICATION_ACTIONS.openDashboard, NOTIFICATION_ACTIONS.snooze, NOTIFICATION_ACTIONS.settings]);

  s.answer(NOTIFICATION_ACTIONS.snooze);
  await flushMicrotasks();
  await flushMicrotasks();
  const until = (await store.load()).meters['a/premium']!.snoozedUntil!;
  assert.equal(until, localEndOfDay(clock.now()), 'snoozed for the rest of the local day');
  assert.ok(until - clock.now() >= 8 * 3_600_000, 'and at least 8 hours');
  feed('a', snap('a', 97, clock.now()));
  await c.flush();
  assert.equal(shownMessages.length, 1, 'the snoozed meter stays quiet');

  feed('b', snap('b', 96, clock.now()));
  await c.flush();
  shownMessages[1]!.answer(NOTIFICATION_ACTIONS.settings);
  await flushMicrotasks();
  assert.deepEqual(executed.pop(), ['workbench.action.openSettings', 'tokstat.alerts']);

  feed('c', snap('c', 96, clock.now()));
  await c.flush();
  shownMessages[2]!.answer(NOTIFICATION_ACTIONS.openDashboard);
  await flushMicrotasks();
  assert.deepEqual(executed.pop(), ['tokstat.openDashboard']);

  // The snooze over, the level the meter reached meanwhile is told.
  clock.advanceTo(until + 60_000);
  feed('a', snap('a', 97, clock.now()));
  await c.flush();
  assert.equal(shownMessages[3]?.message, 'Work a · Premium requests: 97% used');

  c.dispose();
  assert.equal(listeners.size, 0, 'the snapshot listener is disposed');
  assert.equal(clock.pendingTimers(), 0);
});

test('NotificationsController: a threshold setting that cannot be used is logged once, not on every batch, and the defaults apply', async () => {
  const clock = new FakeClock();
  const warnings: string[] = [];
  alertSettings.thresholds = ['80', '95'];
  shownMessages.length = 0;
  try {
    const { c, feed } = controller({ clock, log: { ...nullLogger, warn: (m: string) => warnings.push(m) } });
    for (const [id, p] of [['a', 85], ['b', 50], ['c', 96]] as const) {
      feed(id, snap(id, p, clock.now()));
      await c.flush();
    }
    assert.deepEqual(shownMessages.map((m) => m.message), ['Work a · Premium requests: 85% used', 'Work c · Premium requests: 96% used'], 'the default 80/95 apply');
    assert.equal(warnings.filter((w) => /tokstat\.alerts\.thresholds has no usable level/.test(w)).length, 1, warnings.join('\n'));
    c.dispose();
  } finally {
    delete alertSettings.thresholds;
  }
});

// ---- hand-off to the focused window ---------------------------------------------------------------------------
/** A window's focus, driven by the test. */
class FakeFocus {
  focused: boolean;
  private readonly listeners = new Set<(f: boolean) => void>();
  constructor(focused: boolean) {
    this.focused = focused;
  }
  isFocused = () => this.focused;
  onDidChangeFocus = (l: (f: boolean) => void) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  set(focused: boolean) {
    this.focused = focused;
    for (const l of [...this.listeners]) l(focused);
  }
}

async function until(what: string, fn: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Stands for the outbox folder's file watcher: the test says when a file landed, as fs.watch would. */
class OutboxWatch {
  private readonly listeners = new Set<() => void>();
  watch = (_folder: string, onChange: () => void) => {
    this.listeners.add(onChange);
    return { dispose: () => this.listeners.delete(onChange) };
  };
  fileLanded() {
    for (const l of [...this.listeners]) l();
  }
}

/**
 * A window: its controller, with the shared outbox; `leader` decides, the others only claim. With `watch` the
 * outbox's watcher is the test's; without it, the real fs.watch.
 */
function windowWith(opts: { outbox: string; focus: FakeFocus; leader: boolean; clock: FakeClock; store: InMemoryAlertStateStore; watch?: OutboxWatch }) {
  return controller({
    storageFolder: path.dirname(opts.outbox),
    store: opts.store,
    clock: opts.clock,
    isLeader: () => opts.leader,
    handOff: {
      relay: new NotificationRelay({ folder: opts.outbox }),
      isFocused: opts.focus.isFocused,
      onDidChangeFocus: opts.focus.onDidChangeFocus,
      fallbackMs: 10_000,
      ...(opts.watch ? { watch: opts.watch.watch } : {}),
    },
  });
}

/** A temp folder for the shared outbox, a fake clock and an episode store for one test; cleaned up after it. */
async function withOutbox(fn: (o: { outbox: string; clock: FakeClock; store: InMemoryAlertStateStore }) => Promise<void>): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-handoff-'));
  shownMessages.length = 0;
  try {
    await fn({ outbox: path.join(tmp, 'outbox'), clock: new FakeClock(), store: new InMemoryAlertStateStore() });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test('hand-off: a focused leader shows its notification itself; nothing goes through the outbox', async () => {
  await withOutbox(async ({ outbox, clock, store }) => {
    const w = windowWith({ outbox, focus: new FakeFocus(true), leader: true, clock, store });
    w.feed('a', snap('a', 85, clock.now()));
    await w.c.flush();
    assert.equal(shownMessages.length, 1);
    assert.deepEqual(fs.readdirSync(outbox), []);
    assert.equal(clock.pendingTimers(), 0, 'no fallback timer');
    w.c.dispose();
  });
});

test('hand-off: a background leader leaves it for the focused window, which shows it once; the fallback finds nothing', async () => {
  await withOutbox(async ({ outbox, clock, store }) => {
    const watch = new OutboxWatch();
    const leader = windowWith({ outbox, focus: new FakeFocus(false), leader: true, clock, store, watch });
    leader.feed('a', snap('a', 85, clock.now()));
    await leader.c.flush();
    await leader.c.whenIdle();
    assert.equal(fs.readdirSync(outbox).length, 1, 'the hand-off file');
    assert.equal(shownMessages.length, 0, 'the background leader does not show it');
    // A focused window starting (or already running) claims what waits.
    const other = windowWith({ outbox, focus: new FakeFocus(true), leader: false, clock, store, watch });
    await other.c.whenIdle();
    assert.equal(shownMessages.length, 1, 'the focused window shows it');
    assert.equal(shownMessages[0]!.message, 'Work a · Premium requests: 85% used');
    assert.deepEqual(shownMessages[0]!.items, [NOTIFICATION_ACTIONS.openDashboard, NOTIFICATION_ACTIONS.snooze, NOTIFICATION_ACTIONS.settings]);
    assert.deepEqual(fs.readdirSync(outbox), [], 'the outbox is empty');
    // Snooze works from the window that showed it (the episode state is shared).
    shownMessages[0]!.answer(NOTIFICATION_ACTIONS.snooze);
    await flushMicrotasks();
    await flushMicrotasks();
    assert.ok((await store.load()).meters['a/premium']!.snoozedUntil! > clock.now());
    // The next one lands while that window has focus: its watcher claims it.
    leader.feed('b', snap('b', 96, clock.now()));
    other.feed('b', snap('b', 96, clock.now())); // every window sees every snapshot; only the leader decides
    await leader.c.flush();
    await other.c.flush();
    await leader.c.whenIdle();
    watch.fileLanded();
    await other.c.whenIdle();
    assert.equal(shownMessages.length, 2, 'the watcher claimed the second one');
    assert.match(shownMessages[1]!.message, /Work b/);
    // The leader's fallback claims what is left: nothing.
    await clock.advanceAsync(10_000, () => flushMicrotasks().then(flushMicrotasks));
    await leader.c.whenIdle();
    assert.equal(shownMessages.length, 2, 'each shown once');
    leader.c.dispose();
    other.c.dispose();
    assert.equal(clock.pendingTimers(), 0);
  });
});

test('hand-off: with no window focused the leader shows it after the fallback; focus arriving first claims it instead', async () => {
  await withOutbox(async ({ outbox, clock, store }) => {
    const focus = new FakeFocus(false);
    const w = windowWith({ outbox, focus, leader: true, clock, store, watch: new OutboxWatch() });
    w.feed('a', snap('a', 85, clock.now()));
    await w.c.flush();
    await w.c.whenIdle();
    assert.equal(fs.readdirSync(outbox).length, 1, 'the hand-off file');
    assert.equal(shownMessages.length, 0, 'not shown in a window without focus');
    await clock.advanceAsync(9_000, () => flushMicrotasks());
    await w.c.whenIdle();
    assert.equal(shownMessages.length, 0);
    await clock.advanceAsync(1_000, () => flushMicrotasks());
    await w.c.whenIdle();
    assert.equal(shownMessages.length, 1, 'the fallback showed it');

    // Next alert: the user comes back to this window before the fallback.
    w.feed('b', snap('b', 96, clock.now()));
    await w.c.flush();
    await w.c.whenIdle();
    assert.equal(fs.readdirSync(outbox).length, 1, 'the second hand-off file');
    focus.set(true);
    await w.c.whenIdle();
    assert.equal(shownMessages.length, 2, 'focus claimed it');
    assert.match(shownMessages[1]!.message, /Work b/);
    await clock.advanceAsync(10_000, () => flushMicrotasks());
    await w.c.whenIdle();
    assert.equal(shownMessages.length, 2, 'the fallback does not show it again');
    w.c.dispose();
  });
});

test('hand-off: the real outbox watcher (fs.watch) claims a hand-off in the focused window', async () => {
  await withOutbox(async ({ outbox, clock, store }) => {
    const leader = windowWith({ outbox, focus: new FakeFocus(false), leader: true, clock, store });
    const other = windowWith({ outbox, focus: new FakeFocus(true), leader: false, clock, store });
    await other.c.whenIdle();
    leader.feed('a', snap('a', 85, clock.now()));
    await leader.c.flush();
    await leader.c.whenIdle();
    // Only a positive wait on the operating system's watcher, with a generous ceiling; nothing is asserted after a sleep.
    await until('fs.watch to report the hand-off and the focused window to show it', () => shownMessages.length === 1, 30_000);
    leader.c.dispose();
    other.c.dispose();
  });
});

test('hand-off: an outbox that cannot be written never swallows a notification (shown here instead)', async () => {
  await withOutbox(async ({ outbox, clock, store }) => {
    fs.writeFileSync(outbox, 'a file where the folder should be');
    const w = windowWith({ outbox, focus: new FakeFocus(false), leader: true, clock, store });
    w.feed('a', snap('a', 85, clock.now()));
    await w.c.flush();
    await w.c.whenIdle();
    assert.equal(shownMessages.length, 1, 'shown in the leader');
    w.c.dispose();
  });
});
