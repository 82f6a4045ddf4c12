// InsightsFeature (src/host/insightsFeature.ts) against a minimal in-memory `vscode`: what start() creates is
// released by dispose(), and a dispose() that lands while the history is still loading leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nullLogger } from '../../../src/core/log';
import type * as FeatureModule from '../../../src/host/insightsFeature';
import { withVscodeStub } from '../../support/vscodeStub';

const vscodeStub = {
  window: {
    state: { focused: true },
    onDidChangeWindowState: () => ({ dispose() {} }),
    showWarningMessage: async () => undefined,
    showInformationMessage: async () => undefined,
  },
  workspace: { getConfiguration: () => ({ get: () => undefined }) },
  commands: { executeCommand: async () => undefined },
};
const { InsightsFeature } = withVscodeStub(vscodeStub, () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { InsightsFeature } = require('../../../src/host/insightsFeature') as typeof FeatureModule;
  // The lazily loaded chunk (history, notifications) imports `vscode` too: load it while the stub is in place.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../../src/lazy/insights');
  return { InsightsFeature };
});

function setup() {
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
    log: nullLogger,
    repo: { get: () => undefined, list: () => [] } as never,
    scheduler: scheduler as never,
    retention: () => undefined,
    openDashboardCommand: 'tokstat.openDashboard',
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
