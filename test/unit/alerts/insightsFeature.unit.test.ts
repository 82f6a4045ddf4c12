// InsightsFeature (src/features/insights/feature.ts) against a minimal in-memory `vscode`: what start() creates is
// released by dispose(), and a dispose() that lands while the history is still loading leaves nothing behind.
import { eventually } from '../../support/eventually';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nullLogger, type Logger } from '../../../src/core/log';
import { makeMeter, type Snapshot } from '../../../src/shared/model';
import type * as FeatureModule from '../../../src/features/insights/feature';
import { withVscodeStub } from '../../support/vscodeStub';

/** Warnings shown, and the answer the next one gets. */
const warnings: string[] = [];
let warningAnswer: string | undefined;
const commandsRun: string[] = [];
const vscodeStub = {
  window: {
    state: { focused: true },
    onDidChangeWindowState: () => ({ dispose() {} }),
    showWarningMessage: async (message: string) => {
      warnings.push(message);
      return warningAnswer;
    },
    showInformationMessage: async () => undefined,
  },
  workspace: { getConfiguration: () => ({ get: () => undefined }) },
  commands: {
    executeCommand: async (id: string) => {
      commandsRun.push(id);
      return undefined;
    },
  },
};
const { InsightsFeature } = withVscodeStub(vscodeStub, () => {
  const { InsightsFeature } = require('../../../src/features/insights/feature') as typeof FeatureModule;
  // The lazily loaded chunk (history, notifications) imports `vscode` too: load it while the stub is in place.
  require('../../../src/features/insights/chunk');
  return { InsightsFeature };
});

function setup(opts: { retention?: () => unknown; log?: Logger } = {}) {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-insights-'));
  const listeners = new Set<unknown>();
  const scheduler = {
    onDidChange: (l: unknown) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    isLeader: () => true,
    getSnapshot: () => undefined,
  };
  const feature = new InsightsFeature({
    storage,
    log: opts.log ?? nullLogger,
    repo: { get: () => undefined, list: () => [] } as never,
    scheduler: scheduler as never,
    retention: opts.retention ?? (() => undefined),
    openDashboardCommand: 'tokstat.openDashboard',
    showLogCommand: 'tokstat.showLog',
  });
  return { storage, listeners, feature, cleanup: () => fs.rmSync(storage, { recursive: true, force: true }) };
}

test('start() wires history and notifications; dispose() releases every listener', async () => {
  const { storage, listeners, feature, cleanup } = setup();
  try {
    await feature.start();
    assert.ok(listeners.size >= 2, `snapshot listeners: ${listeners.size}`);
    assert.ok(fs.existsSync(path.join(storage, 'alerts', 'outbox')), 'the notifications outbox is watched');
    feature.dispose();
    assert.equal(listeners.size, 0);
  } finally {
    cleanup();
  }
});

test('disposed while the history loads: nothing is created afterwards', async () => {
  const { storage, listeners, feature, cleanup } = setup();
  try {
    const started = feature.start();
    feature.dispose(); // the window closes during start-up
    await started;
    assert.equal(listeners.size, 0, 'no snapshot listener outlives the feature');
    assert.equal(fs.existsSync(path.join(storage, 'alerts', 'outbox')), false, 'no notifications controller (and no outbox watcher)');
  } finally {
    cleanup();
  }
});

/** A logger that keeps its lines. */
function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (m: string) => void lines.push(m);
  return { lines, trace: keep, debug: keep, info: keep, warn: keep, error: keep };
}

const okSnapshot = (accountId: string, used: number, t: number): Snapshot => ({
  accountId,
  takenAt: t,
  status: 'ok',
  meters: [makeMeter({ id: 'm', label: 'm', kind: 'quota', unit: 'requests', source: 'official', capturedAt: t, used, limit: 100 })],
});

/** Calls every snapshot listener (the scheduler's onDidChange) and lets their async work finish. */
async function emit(listeners: Set<unknown>, snap: Snapshot, feature: InstanceType<typeof InsightsFeature>): Promise<void> {
  for (const l of listeners) (l as (id: string, s: Snapshot) => void)(snap.accountId, snap);
  await feature.whenIdle();
}

test('a changed retention setting reaches the running store', async () => {
  let setting: unknown = undefined;
  const log = memoryLog();
  const { feature, cleanup } = setup({ retention: () => setting, log });
  try {
    await feature.start();
    setting = { rawDays: 30, fifteenMinuteDays: 180 };
    feature.retentionChanged();
    assert.ok(log.lines.some((l) => l.includes('retention: raw 30 d, 15-minute 180 d')), log.lines.join('\n'));
  } finally {
    feature.dispose();
    cleanup();
  }
});

test('history writes that keep failing are told once, with the log one click away', async () => {
  warnings.length = 0;
  commandsRun.length = 0;
  warningAnswer = 'Show Log';
  const log = memoryLog();
  const { storage, listeners, feature, cleanup } = setup({ log });
  try {
    await feature.start();
    // A file where the store's folder should be: every write fails (as a full disk or a read-only folder would).
    fs.mkdirSync(path.join(storage, 'history'), { recursive: true });
    fs.writeFileSync(path.join(storage, 'history', 'v2'), '');
    const t0 = Date.UTC(2026, 0, 5);
    for (let i = 0; i < 2; i++) await emit(listeners, okSnapshot('acc1', i, t0 + i * 60_000), feature);
    assert.deepEqual(warnings, [], 'one or two failures are only logged');
    for (let i = 2; i < 8; i++) await emit(listeners, okSnapshot('acc1', i, t0 + i * 60_000), feature);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /cannot save usage history/);
    assert.equal(log.lines.filter((l) => l.includes('could not save a sample')).length, 8, 'every failure is logged');
    await eventually("the warning's Show Log button ran its command", () => commandsRun.length > 0);
    assert.deepEqual(commandsRun, ['tokstat.showLog']);
  } finally {
    warningAnswer = undefined;
    feature.dispose();
    cleanup();
  }
});

test('an account removed before the history is ready has its history deleted once it is', async () => {
  const { storage, feature, cleanup } = setup();
  try {
    const acct = path.join(storage, 'history', 'v2', 'gone1');
    fs.mkdirSync(acct, { recursive: true });
    fs.writeFileSync(path.join(acct, 'raw-20260101.log'), '');
    await feature.forgetAccount('gone1');
    assert.ok(fs.existsSync(acct), 'nothing to delete with yet');
    await feature.start();
    assert.equal(fs.existsSync(acct), false);
  } finally {
    feature.dispose();
    cleanup();
  }
});

test('forgetAccount also drops the removed account\'s alert episodes and snoozes (they lingered for 45 days)', async () => {
  const { storage, feature, cleanup } = setup();
  try {
    await feature.start();
    const file = path.join(storage, 'alerts', 'alerts.json');
    const now = Date.now();
    fs.writeFileSync(file, JSON.stringify({ version: 1, meters: { 'gone/premium': { seenAt: now, level: 80, snoozedUntil: now + 3_600_000 }, 'kept/premium': { seenAt: now, level: 95 } } }));
    await feature.forgetAccount('gone');
    assert.deepEqual(Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as { meters: object }).meters), ['kept/premium']);
    feature.dispose();
  } finally {
    cleanup();
  }
});
