// The batching dispatcher (core) and the NotificationsController host adapter against a minimal in-memory `vscode`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import { AlertDispatcher } from '../../../src/core/alerts/dispatcher';
import { AlertEngine } from '../../../src/core/alerts/engine';
import { InMemoryAlertStateStore } from '../../../src/core/alerts/stateStore';
import { DEFAULT_ALERT_OPTIONS, type AlertNotification } from '../../../src/core/alerts/types';
import { nullLogger } from '../../../src/core/log';
import { makeMeter, type Snapshot } from '../../../src/core/model';
import type * as NotificationsModule from '../../../src/host/notifications';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';

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

// ---- host adapter -------------------------------------------------------------------------------------------
interface Shown {
  level: 'warning' | 'info';
  message: string;
  items: string[];
  answer: (choice: string | undefined) => void;
}
const shownMessages: Shown[] = [];
const executed: unknown[][] = [];
const ask = (level: Shown['level']) => (message: string, ...items: string[]) =>
  new Promise<string | undefined>((resolve) => shownMessages.push({ level, message, items, answer: resolve }));
const vscodeStub = {
  window: { showWarningMessage: ask('warning'), showInformationMessage: ask('info') },
  commands: {
    executeCommand: async (...args: unknown[]) => {
      executed.push(args);
    },
  },
  workspace: { getConfiguration: () => ({ get: () => undefined }) },
};
const M = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
const originalLoad = M._load;
M._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return vscodeStub;
  return originalLoad.call(this, request, ...rest);
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NotificationsController, NOTIFICATION_ACTIONS } = require('../../../src/host/notifications') as typeof NotificationsModule;
M._load = originalLoad;

test('NotificationsController: shows warnings with the three actions; Snooze, Settings and Open Dashboard work', async () => {
  const clock = new FakeClock();
  const listeners = new Set<(id: string, s: Snapshot | undefined) => void>();
  const store = new InMemoryAlertStateStore();
  const c = new NotificationsController({
    log: nullLogger,
    storageFolder: '/nonexistent',
    store,
    clock,
    onDidChangeSnapshot: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    isLeader: () => true,
    accountName: (id) => `Work ${id}`,
    openDashboardCommand: 'tokstat.openDashboard',
    debounceMs: 1000,
  });
  for (const l of listeners) l('a', snap('a', 85, clock.now()));
  await c.flush();
  assert.equal(shownMessages.length, 1);
  const s = shownMessages[0]!;
  assert.equal(s.level, 'warning');
  assert.equal(s.message, 'Work a · Premium requests: 85% used');
  assert.deepEqual(s.items, [NOTIFICATION_ACTIONS.openDashboard, NOTIFICATION_ACTIONS.snooze, NOTIFICATION_ACTIONS.settings]);

  s.answer(NOTIFICATION_ACTIONS.snooze);
  await flushMicrotasks();
  await flushMicrotasks();
  assert.ok((await store.load()).meters['a/premium']!.snoozedUntil! > clock.now());

  for (const l of listeners) l('b', snap('b', 96, clock.now()));
  await c.flush();
  shownMessages[1]!.answer(NOTIFICATION_ACTIONS.settings);
  await flushMicrotasks();
  assert.deepEqual(executed.pop(), ['workbench.action.openSettings', 'tokstat.alerts']);

  for (const l of listeners) l('c', snap('c', 96, clock.now()));
  await c.flush();
  shownMessages[2]!.answer(NOTIFICATION_ACTIONS.openDashboard);
  await flushMicrotasks();
  assert.deepEqual(executed.pop(), ['tokstat.openDashboard']);

  c.dispose();
  assert.equal(listeners.size, 0, 'the snapshot listener is disposed');
  assert.equal(clock.pendingTimers(), 0);
});
