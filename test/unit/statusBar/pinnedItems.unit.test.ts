// Several meters in the status bar: one item per pin with its own text, colour and tooltip, in the order of the
// setting (a moved pin's item is made again at its new place), or one combined item; the automatic item otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMeter, type Meter } from '../../../src/shared/model';
import type { AccountEntry } from '../../../src/core/summary';
import type { AppModel } from '../../../src/core/appModel';
import type * as StatusBarModule from '../../../src/ui/statusBar/statusBar';
import { TestEmitter } from '../../support/emitter';
import { treeFakes, withVscodeStub } from '../../support/vscodeStub';

interface FakeItem {
  id: string;
  priority: number;
  text: string;
  tooltip?: { value: string };
  backgroundColor?: { id: string };
  accessibilityInformation?: { label: string };
  visible: boolean;
  disposed: boolean;
  name?: string;
  command?: string;
  show(): void;
  hide(): void;
  dispose(): void;
}
const created: FakeItem[] = [];
const fakeVscode = {
  ...treeFakes,
  StatusBarAlignment: { Left: 1, Right: 2 },
  l10n: { t: (s: string, ...args: unknown[]) => s.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) },
  window: {
    createStatusBarItem: (id: string, _align: number, priority: number): FakeItem => {
      const item: FakeItem = {
        id,
        priority,
        text: '',
        visible: false,
        disposed: false,
        show() {
          this.visible = true;
        },
        hide() {
          this.visible = false;
        },
        dispose() {
          this.disposed = true;
          this.visible = false;
        },
      };
      created.push(item);
      return item;
    },
  },
};

const { StatusBarController } = withVscodeStub(fakeVscode, () => require('../../../src/ui/statusBar/statusBar') as typeof StatusBarModule);

const NOW = Date.now();
const meter = (id: string, label: string, percentUsed: number, p: Partial<Meter> = {}): Meter =>
  makeMeter({ id, label, kind: 'quota', unit: '%', source: 'official', capturedAt: NOW, percentUsed, ...p });
const entry = (name: string, meters: Meter[]): AccountEntry => ({
  account: { id: name, providerId: 'claude', name, createdAt: 0, authKind: 'credential-file', settings: {} },
  providerName: 'Claude plan',
  icon: 'hubot',
  loading: false,
  intervalMs: 300_000,
  snapshot: { accountId: name, takenAt: NOW, status: 'ok', meters, lastSuccessAt: NOW },
});

function setup(pins: string[], combine = false) {
  created.length = 0;
  const entries = [
    entry('Claude', [meter('five-hour', '5-hour session', 62), meter('seven-day', 'Weekly (all models)', 97)]),
    entry('Codex', [meter('primary', '5-hour limit', 41, { windowMs: 5 * 3_600_000 })]),
    entry('Copilot', [meter('premium', 'Premium requests', 85, { period: 'month' })]),
  ];
  const changed = new TestEmitter<void>();
  const model = { entries: () => entries, onDidChange: changed.event } as unknown as AppModel;
  const settings = { pins, combine, month: '**Spent this month:** $12.00' as string | undefined };
  const bar = new StatusBarController(model, {
    enabled: () => true,
    pinned: () => '',
    show: () => 'used',
    thresholds: () => ({ warning: 80, error: 95 }),
    pins: () => settings.pins,
    combine: () => settings.combine,
    monthSpend: () => settings.month,
  });
  const main = created[0]!;
  return { bar, settings, main };
}

test('without pins the automatic item shows the meter closest to its limit; no pinned items exist', () => {
  const { bar, main } = setup([]);
  assert.equal(main.visible, true);
  assert.match(main.text, /Claude 97%/);
  assert.equal(main.backgroundColor?.id, 'statusBarItem.errorBackground');
  assert.match(main.tooltip!.value, /Spent this month:\*\* \$12\.00/, 'the month\'s spend is in the tooltip');
  assert.deepEqual(bar.describePinned(), []);
  bar.dispose();
});

test('two pins: two items left to right in the setting\'s order, each with its own value, colour and tooltip', () => {
  const { bar, main, settings } = setup(['Codex/primary', 'Claude/five-hour']);
  assert.equal(main.visible, false, 'the pins replace the automatic item');
  const items = bar.describePinned();
  assert.equal(items.length, 2);
  assert.match(items[0]!.text, /Codex 5h 41%/);
  assert.match(items[1]!.text, /Claude 5h 62%/);
  assert.equal(items[0]!.background, undefined, '41 % is fine');
  assert.equal(items[1]!.background, undefined);
  const shown = created.filter((i) => i.visible);
  assert.equal(shown.length, 2);
  const [left, right] = [...shown].sort((a, b) => b.priority - a.priority);
  assert.match(left!.text, /Codex/, 'the first pin has the higher priority: further left in a right-aligned group');
  assert.match(right!.text, /Claude/);
  assert.match(items[0]!.tooltip, /\*\*Codex\*\*/);
  assert.doesNotMatch(items[0]!.tooltip, /\*\*Claude\*\*/, 'each tooltip is its own account\'s');
  assert.match(items[0]!.tooltip, /command:tokstat\.unpinStatusBar\?%5B%22Codex%2Fprimary%22%5D/, 'its Unpin link names its pin');
  assert.match(items[1]!.tooltip, /Spent this month/);

  // A warning meter pinned: its own colour. Moving it left re-creates the items at their new places.
  settings.pins = ['Codex/primary', 'Claude/five-hour', 'Copilot/premium'];
  bar.render();
  assert.equal(bar.describePinned()[2]!.background, 'statusBarItem.warningBackground');
  const copilotBefore = created.find((i) => i.id === 'pin:Copilot/premium' && !i.disposed)!;
  settings.pins = ['Codex/primary', 'Copilot/premium', 'Claude/five-hour'];
  bar.render();
  assert.equal(copilotBefore.disposed, true, 'the moved item was made again');
  assert.deepEqual(bar.describePinned().map((i) => i.text.replace(/^\$\([^)]+\) /, '')), ['Codex 5h 41%', 'Copilot mo 85%', 'Claude 5h 62%']);
  assert.equal(created.filter((i) => i.visible).length, 3);

  // Unpinned all: back to the automatic item, the pinned ones gone.
  settings.pins = [];
  bar.render();
  assert.equal(main.visible, true);
  assert.equal(created.filter((i) => i.visible).length, 1);
  assert.equal(created.filter((i) => i.id.startsWith('pin:') && !i.disposed).length, 0);
  bar.dispose();
});

test('a pin that matches nothing says so instead of showing another meter', () => {
  const { bar } = setup(['Gone/five-hour']);
  const [item] = bar.describePinned();
  assert.match(item!.text, /Gone\/five-hour: not found/);
  assert.match(item!.tooltip, /matches no account or meter/);
  bar.dispose();
});

test('combined: one compact item coloured as its most pressing pin', () => {
  const { bar, main } = setup(['Claude/five-hour', 'Codex/primary', 'Claude/seven-day'], true);
  assert.equal(main.visible, false);
  const items = bar.describePinned();
  assert.equal(items.length, 1);
  assert.equal(items[0]!.text, '$(pulse) Claude 5h 62% · Codex 5h 41% · Claude wk 97%');
  assert.equal(items[0]!.background, 'statusBarItem.errorBackground');
  assert.match(items[0]!.tooltip, /\*\*Codex\*\*/);
  assert.doesNotMatch(items[0]!.tooltip, /\*\*Copilot\*\*/, 'only the pinned accounts');
  bar.dispose();
  assert.equal(created.every((i) => i.disposed || i === main), true, 'disposing the controller disposes the pinned items');
});
