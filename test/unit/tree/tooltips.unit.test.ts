// The pace in the tree's and the status bar's tooltips (src/ui/tooltip.ts), against a minimal in-memory `vscode`
// module: the first line (where the meter is heading) and the second (reserve or deficit, budgets per day and hour),
// as the pace engine words them for a real history.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PacePoint } from '../../../src/core/forecast/pace';
import { computePace } from '../../../src/core/forecast/paceSummary';
import type { PaceSummary } from '../../../src/shared/pace';
import { makeMeter, type Meter } from '../../../src/shared/model';
import type { AccountEntry } from '../../../src/core/summary';
import type * as NodesModule from '../../../src/ui/tree/nodes';
import type * as StatusBarModule from '../../../src/ui/statusBar/statusBar';
import type * as TooltipModule from '../../../src/ui/tooltip';
import { TestEmitter } from '../../support/emitter';
import { treeFakes, withVscodeStub } from '../../support/vscodeStub';

const fakeVscode = {
  ...treeFakes,
  StatusBarAlignment: { Left: 1, Right: 2 },
  window: { createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }) },
};

const { AccountNode, MeterNode, StatusBarController, escapeMd } = withVscodeStub(fakeVscode, () => {
  const nodes = require('../../../src/ui/tree/nodes') as typeof NodesModule;
  const bar = require('../../../src/ui/statusBar/statusBar') as typeof StatusBarModule;
  const tip = require('../../../src/ui/tooltip') as typeof TooltipModule;
  return { AccountNode: nodes.AccountNode, MeterNode: nodes.MeterNode, StatusBarController: bar.StatusBarController, escapeMd: tip.escapeMd };
});

const H = 3_600_000;
const D = 24 * H;
const JAN1 = Date.UTC(2026, 0, 1);
const FEB1 = Date.UTC(2026, 1, 1);
const NOW = JAN1 + 14.5 * D;
const THRESHOLDS = { warning: 80, error: 95 };

/** 15 premium requests a day since Jan 1 against 300 a month: runs out on the 21st, 77 requests over a straight line. */
function premium(): { meter: Meter; pace: PaceSummary } {
  const f = (t: number) => ((t - JAN1) / D) * 15;
  const pts: PacePoint[] = [];
  for (let t = JAN1; t < NOW; t += H) pts.push({ t, used: f(t), limit: 300, resetsAt: FEB1 });
  const meter = makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW, used: f(NOW), limit: 300, resetsAt: FEB1 });
  return { meter, pace: computePace(pts, meter, NOW, { period: 'month', timeZone: 'UTC' }) };
}

function entry(meter: Meter, pace: PaceSummary | undefined): AccountEntry {
  return {
    account: { id: 'gh', providerId: 'copilot', name: 'Copilot (work)', createdAt: 0, authKind: 'github-session', settings: {} },
    providerName: 'GitHub Copilot',
    icon: 'copilot',
    loading: false,
    intervalMs: 600_000,
    snapshot: { accountId: 'gh', takenAt: NOW, lastSuccessAt: NOW, status: 'ok', meters: [meter] },
    ...(pace ? { pace: { [meter.id]: pace } } : {}),
  };
}

const FIRST = 'At this pace you run out Wed 00:00, 11 days before reset — stay under 5 requests a day';
const SECOND = '77 requests over a straight-line pace · budget 5 requests a day, 0.21 an hour';

test('the engine words this history as expected (the lines the tooltips must carry)', () => {
  const { pace } = premium();
  assert.equal(pace.text, FIRST);
  assert.equal(pace.detail, SECOND);
});

test('tree: the account row and the meter row show both pace lines', () => {
  const { meter, pace } = premium();
  const e = entry(meter, pace);
  const account = (new AccountNode(e, THRESHOLDS, NOW).toTreeItem().tooltip as { value: string }).value;
  assert.ok(account.includes(`  \n  _${escapeMd(FIRST)}_  \n  _${escapeMd(SECOND)}_`), account);
  const row = (new MeterNode(e, meter, THRESHOLDS, NOW).toTreeItem().tooltip as { value: string }).value;
  assert.ok(row.includes(`- Pace: ${escapeMd(FIRST)}  \n  ${escapeMd(SECOND)}\n`), row);
});

test('tree: no pace line while the engine cannot say (too little history), and none without a pace', () => {
  const { meter } = premium();
  const unsure: PaceSummary = { status: 'insufficient-data', text: 'Not enough history yet' };
  const account = (new AccountNode(entry(meter, unsure), THRESHOLDS, NOW).toTreeItem().tooltip as { value: string }).value;
  assert.ok(!account.includes('Not enough history'), account);
  const none = (new AccountNode(entry(meter, undefined), THRESHOLDS, NOW).toTreeItem().tooltip as { value: string }).value;
  assert.ok(!none.includes('pace'), none);
});

test('status bar: the tooltip carries both pace lines of every account', () => {
  const { meter, pace } = premium();
  const changed = new TestEmitter<string | undefined>();
  const model = { entries: () => [entry(meter, pace)], onDidChange: changed.event };
  const bar = new StatusBarController(model as never, { enabled: () => true, pinned: () => '', show: () => 'used', thresholds: () => THRESHOLDS });
  after(() => bar.dispose());
  const { text, tooltip } = bar.describe();
  assert.match(text, /Copilot \(work\) 73%/);
  assert.ok(tooltip.includes(`_${escapeMd(FIRST)}_  \n  _${escapeMd(SECOND)}_`), tooltip);
});

test('tree: a meter whose last numbers were refused says so in its tooltip', () => {
  const { meter } = premium();
  const refused: Meter = { ...meter, problem: { kind: 'bad-response', message: 'The server sent an unusable number for "Premium requests": limit is not a finite number.' } };
  const row = (new MeterNode(entry(refused, undefined), refused, THRESHOLDS, NOW).toTreeItem().tooltip as { value: string }).value;
  assert.ok(row.includes('Last poll refused') && row.includes(escapeMd('limit is not a finite number')), row);
  const fine = (new MeterNode(entry(meter, undefined), meter, THRESHOLDS, NOW).toTreeItem().tooltip as { value: string }).value;
  assert.ok(!fine.includes('Last poll refused'), fine);
});

test('status bar without accounts: the agents’ spend when there is some, else a quiet icon; never a nag', () => {
  const changed = new TestEmitter<string | undefined>();
  const model = { entries: () => [], onDidChange: changed.event };
  const usageChanged = new TestEmitter<void>();
  const totals = (requests: number, costUSD: number | undefined, total: number) => ({ requests, unpricedRequests: costUSD === undefined ? requests : 0, tokens: { total } as never, ...(costUSD === undefined ? {} : { costUSD }) });
  let view: unknown = { visible: false };
  const usage = { view: () => view as never, onDidChange: usageChanged.event };
  const bar = new StatusBarController(model as never, { enabled: () => true, pinned: () => '', show: () => 'used', thresholds: () => THRESHOLDS }, usage);
  after(() => bar.dispose());
  let d = bar.describe();
  assert.equal(d.text, '$(pulse)', 'nothing to say: a quiet icon, no words');
  assert.match(d.tooltip, /no AI accounts yet/);
  assert.match(d.tooltip, /Right-click to hide/);
  assert.match(d.accessibilityLabel, /no accounts yet, Add account/);

  view = { visible: true, totals: { today: totals(12, 3.214, 1_200_000), month: totals(80, 45.1, 9_000_000) } };
  bar.render();
  d = bar.describe();
  assert.equal(d.text, '$(pulse) $3.21 today');
  assert.match(d.tooltip, /\*\*Local agents today:\*\* \$3\\\.21 · 1\\\.2M tokens · 12 requests/, "escaped Markdown");

  view = { visible: true, totals: { today: totals(0, 0, 0), month: totals(80, 45.1, 9_000_000) } };
  bar.render();
  assert.equal(bar.describe().text, '$(pulse) $45.10 this month', 'nothing today: the month');

  view = { visible: true, totals: { today: totals(5, undefined, 2_000), month: totals(5, undefined, 2_000) } };
  bar.render();
  assert.equal(bar.describe().text, '$(pulse) 2k tokens today', 'all unpriced: tokens, never $0');
});
