// States that speak plainly (issue #18 §5), on the status bar, the tree rows and their tooltips, against a minimal
// in-memory `vscode` module: after a 401 the numbers say they are frozen and why (with a warning colour), the meter
// rows keep their "stale" mark, the account row leads with the reason, and an API-key account is offered
// "Replace key…" rather than "Sign in again".
import { after, before, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMeter, type Meter, type Snapshot } from '../../../src/shared/model';
import type { AccountEntry } from '../../../src/core/summary';
import type * as NodesModule from '../../../src/ui/tree/nodes';
import type * as TreeModule from '../../../src/ui/tree/accountsTree';
import type * as StatusBarModule from '../../../src/ui/statusBar/statusBar';
import { TestEmitter } from '../../support/emitter';
import { treeFakes, withVscodeStub } from '../../support/vscodeStub';

interface FakeItem {
  text?: string;
  backgroundColor?: { id: string };
}
const items: FakeItem[] = [];
const fakeVscode = {
  ...treeFakes,
  EventEmitter: TestEmitter,
  StatusBarAlignment: { Left: 1, Right: 2 },
  window: {
    createStatusBarItem: () => {
      const item: FakeItem & { show(): void; hide(): void; dispose(): void } = { show() {}, hide() {}, dispose() {} };
      items.push(item);
      return item;
    },
  },
};

const { AccountNode, MeterNode, StatusBarController, AccountsTreeProvider } = withVscodeStub(fakeVscode, () => {
  const nodes = require('../../../src/ui/tree/nodes') as typeof NodesModule;
  const tree = require('../../../src/ui/tree/accountsTree') as typeof TreeModule;
  const bar = require('../../../src/ui/statusBar/statusBar') as typeof StatusBarModule;
  return { AccountNode: nodes.AccountNode, MeterNode: nodes.MeterNode, StatusBarController: bar.StatusBarController, AccountsTreeProvider: tree.AccountsTreeProvider };
});

const THRESHOLDS = { warning: 80, error: 95 };
// The status bar and the tree read the clock themselves: it is held at a fixed midday, so "retrying at 14:30" does not
// become "retrying at Tue 00:09" when the suite runs ten minutes before midnight (it did).
const NOW = new Date(2026, 0, 5, 12, 0, 0).getTime();
before(() => mock.timers.enable({ apis: ['Date'], now: NOW }));
after(() => mock.timers.reset());
const FIVE_MIN_AGO = NOW - 5 * 60_000;
const DETAILS = 'Credentials rejected (HTTP 401): User not found. — 127.0.0.1:33265/api/v1/key';

const keyLimit = (): Meter =>
  makeMeter({ id: 'key-limit', label: 'Key limit', kind: 'quota', unit: 'USD', source: 'official', capturedAt: FIVE_MIN_AGO, used: 68, limit: 100, resetsAt: NOW + 3 * 86_400_000 });

function entry(snapshot: Partial<Snapshot>, authKind = 'api-key', extra: Partial<AccountEntry> = {}): AccountEntry {
  return {
    account: { id: 'or1', providerId: 'openrouter', name: 'hidden-or', createdAt: 0, authKind, settings: {} },
    providerName: 'OpenRouter',
    icon: 'globe',
    loading: false,
    intervalMs: 300_000,
    snapshot: { accountId: 'or1', takenAt: NOW, lastSuccessAt: FIVE_MIN_AGO, status: 'ok', meters: [keyLimit()], ...snapshot },
    ...extra,
  };
}

const rejected = (authKind = 'api-key') => entry({ status: 'auth-required', error: { kind: 'auth', status: 401, message: DETAILS } }, authKind);
const limited = (retryAt: number) =>
  entry({ status: 'stale', error: { kind: 'rate-limited', status: 429, message: 'Rate limited (HTTP 429) — 127.0.0.1:33265/api/v1/key' } }, 'api-key', { nextPollAt: retryAt });

function statusBar(e: AccountEntry) {
  const changed = new TestEmitter<string | undefined>();
  const bar = new StatusBarController({ entries: () => [e], onDidChange: changed.event } as never, { enabled: () => true, pinned: () => '', show: () => 'used', thresholds: () => THRESHOLDS });
  after(() => bar.dispose());
  return { ...bar.describe(), background: items.at(-1)?.backgroundColor?.id };
}

test('status bar after a 401: the number says it is frozen and why, on a warning colour', () => {
  const s = statusBar(rejected());
  assert.equal(s.text, '$(warning) hidden-or 68% (frozen: key rejected)');
  assert.equal(s.background, 'statusBarItem.warningBackground');
  assert.match(s.accessibilityLabel, /68% \(frozen: key rejected\)/);
  // The tooltip leads with the reason and its provider, says what it means, and keeps the details.
  assert.ok(s.tooltip.includes('$(warning) **Key rejected by OpenRouter \\(401\\)** — Numbers from 5m ago, frozen until the key is replaced\\.'), s.tooltip);
  assert.ok(s.tooltip.includes('_Details: Credentials rejected'), s.tooltip);
  assert.ok(s.tooltip.includes('_new key needed · updated 5m ago_'), s.tooltip);
});

test('status bar: a sign-in account is frozen until it signs in again; fresh numbers have no mark and no colour', () => {
  assert.equal(statusBar(rejected('github-device')).text, '$(warning) hidden-or 68% (frozen: sign-in rejected)');
  const ok = statusBar(entry({ lastSuccessAt: NOW }));
  assert.equal(ok.text, '$(pulse) hidden-or 68%');
  assert.equal(ok.background, undefined);
});

test('status bar during a Retry-After window: stale, and why; the tooltip says when it retries', () => {
  const at = NOW + 10 * 60_000;
  const s = statusBar(limited(at));
  assert.equal(s.text, '$(pulse) hidden-or 68% (stale: rate limited)');
  assert.ok(s.tooltip.includes('**Rate limited by OpenRouter \\(429\\)** — Numbers from 5m ago; retrying at 12:10\\.'), s.tooltip);
});

test('tree after a 401: the account row leads with the reason (short enough for the default width) and keeps the value marked stale; meter rows keep "stale"', () => {
  const e = rejected();
  const row = new AccountNode(e, THRESHOLDS, NOW).toTreeItem();
  assert.equal(row.description, 'Key rejected · 68% stale');
  assert.match(row.contextValue ?? '', /\bapikey\b/);
  assert.match(row.contextValue ?? '', /\breplacekey\b/);
  assert.doesNotMatch(row.contextValue ?? '', /\bsignin\b|\brelogin\b/, 'no "Sign In Again" for an API key');
  const meter = new MeterNode(e, e.snapshot!.meters[0]!, THRESHOLDS, NOW).toTreeItem();
  assert.equal(meter.description, '68% · stale');
  const fresh = entry({ lastSuccessAt: NOW });
  assert.equal(new MeterNode(fresh, fresh.snapshot!.meters[0]!, THRESHOLDS, NOW).toTreeItem().description, '68% · resets in 3d');
});

test('tree: a sign-in account keeps "Sign in again"; a rate-limited row says so; long plans stay out of the row', () => {
  const gh = new AccountNode(rejected('github-device'), THRESHOLDS, NOW).toTreeItem();
  assert.equal(gh.description, 'Sign-in rejected · 68% stale');
  assert.match(gh.contextValue ?? '', /\bsignin\b/);
  assert.match(gh.contextValue ?? '', /\brelogin\b/);
  assert.equal(new AccountNode(limited(NOW + 60_000), THRESHOLDS, NOW).toTreeItem().description, 'Rate limited · 68% stale');
  assert.equal(new AccountNode(entry({ lastSuccessAt: NOW, plan: 'Management key' }), THRESHOLDS, NOW).toTreeItem().description, '68%');
  assert.equal(new AccountNode(entry({ lastSuccessAt: NOW, plan: 'Free tier' }), THRESHOLDS, NOW).toTreeItem().description, '68% · Free tier');
});

test('tree: under a rejected API key the fix row is "Replace key…" running tokstat.replaceKey; under a sign-in, "Sign in again"', () => {
  const children = (e: AccountEntry) => {
    const model = { entries: () => [e], entry: () => e, onDidChange: new TestEmitter<string | undefined>().event };
    const tree = new AccountsTreeProvider(model as never, () => THRESHOLDS);
    after(() => tree.dispose());
    return tree.getChildren(new AccountNode(e, THRESHOLDS, NOW)).map((n) => n.toTreeItem());
  };
  const key = children(rejected());
  assert.equal(key[0]!.label, 'Replace key…');
  assert.equal((key[0]!.command as { command: string }).command, 'tokstat.replaceKey');
  assert.equal(key[0]!.description, DETAILS, 'the details lead with the reason; host and path close them');
  assert.match(String(key[0]!.tooltip), /^Key rejected by OpenRouter \(401\)\nNumbers from 5m ago, frozen until the key is replaced\./);
  assert.equal(key.filter((n) => n.description === '68% · stale').length, 1, 'the meter row follows, marked stale');
  const wait = children(limited(NOW + 10 * 60_000));
  assert.equal(wait[0]!.label, 'Retry');
  assert.equal(wait[0]!.description, 'next try at 12:10', 'when it retries by itself');
  assert.match(String(wait[0]!.tooltip), /^Rate limited by OpenRouter \(429\)\nNumbers from 5m ago; retrying at 12:10\.\nRate limited \(HTTP 429\)/);
  const gh = children(rejected('github-device'));
  assert.equal(gh[0]!.label, 'Sign in again');
  assert.equal((gh[0]!.command as { command: string }).command, 'tokstat.signIn');
});
