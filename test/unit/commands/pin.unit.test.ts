// The pin commands write `tokstat.statusBar.pins` only when the list changes: pinning a meter already pinned, unpinning
// one that is not, or moving the first pin further left leaves the setting (and the user's settings.json) alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as PinModule from '../../../src/commands/pin';
import type { CommandDeps } from '../../../src/commands/deps';
import { withVscodeStub } from '../../support/vscodeStub';

const handlers = new Map<string, (...args: unknown[]) => Promise<void>>();
let pins: string[] = [];
const writes: Array<[string, unknown]> = [];
const messages: string[] = [];
const fakeVscode = {
  l10n: { t: (m: string, ...args: unknown[]) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) },
  ConfigurationTarget: { Global: 1 },
  commands: {
    registerCommand: (id: string, fn: (...args: unknown[]) => Promise<void>) => {
      handlers.set(id, fn);
      return { dispose() {} };
    },
  },
  workspace: {
    getConfiguration: () => ({
      update: async (key: string, value: unknown) => {
        writes.push([key, value]);
        if (key === 'statusBar.pins') pins = Array.isArray(value) ? [...(value as string[])] : [];
      },
    }),
  },
  window: {
    setStatusBarMessage: (m: string) => void messages.push(m),
    showInformationMessage: async (m: string) => void messages.push(m),
  },
};

const { registerPinCommands } = withVscodeStub(fakeVscode, () => require('../../../src/commands/pin') as typeof PinModule);

const deps = {
  config: { statusBarPins: () => pins, statusBarPinned: () => undefined },
  model: { entry: () => undefined, entries: () => [] },
  log: { info: () => undefined },
} as unknown as CommandDeps;
registerPinCommands(deps);
const run = (id: string, arg: unknown) => handlers.get(id)!(arg);

test('pin commands: the setting is written when the list changes, and only then', async () => {
  await run('tokstat.pinToStatusBar', 'work/five-hour');
  await run('tokstat.pinToStatusBar', 'home/weekly');
  assert.deepEqual(writes, [['statusBar.pins', ['work/five-hour']], ['statusBar.pins', ['work/five-hour', 'home/weekly']]]);
  writes.length = 0;
  await run('tokstat.pinToStatusBar', 'work/five-hour'); // already pinned
  await run('tokstat.unpinStatusBar', 'other/daily'); // not pinned
  await run('tokstat.movePinLeft', 'work/five-hour'); // already first
  await run('tokstat.movePinRight', 'home/weekly'); // already last
  assert.deepEqual(writes, [], 'no write for a list that stays the same');
  await run('tokstat.movePinRight', 'work/five-hour');
  await run('tokstat.unpinStatusBar', 'work/five-hour');
  await run('tokstat.unpinStatusBar', 'home/weekly');
  // The last unpin removes the setting rather than writing an empty list.
  assert.deepEqual(writes, [['statusBar.pins', ['home/weekly', 'work/five-hour']], ['statusBar.pins', ['home/weekly']], ['statusBar.pins', undefined]]);
  assert.equal(messages.at(-1), 'tokstat: the status bar shows the meter closest to its limit again');
});
