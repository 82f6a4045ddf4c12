// Provider incidents on the surfaces (issue #20 §3): the tree (badge on the account row, the incident's own row first
// under it, a failed poll saying "<provider> reports: <incident>"), the status-bar tooltip, and the dashboard state
// through the shared protocol schema (a malformed incident costs the incident, never the card).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppModel, type IncidentSource } from '../../../src/core/appModel';
import { makeMeter, type Account, type Snapshot } from '../../../src/shared/model';
import type { ProviderIncident } from '../../../src/shared/incidents';
import { buildDashboardState } from '../../../src/ui/dashboard/state';
import { parseHostMessage } from '../../../src/shared/protocolSchemas';
import type * as TreeModule from '../../../src/ui/tree/accountsTree';
import type * as NodesModule from '../../../src/ui/tree/nodes';
import type * as StatusBarModule from '../../../src/ui/statusBar/statusBar';
import { TestEmitter } from '../../support/emitter';
import { treeFakes, withVscodeStub } from '../../support/vscodeStub';

const fakeVscode = { EventEmitter: TestEmitter, ...treeFakes, StatusBarAlignment: { Left: 1, Right: 2 }, window: { createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }) } };
const { AccountsTreeProvider, AccountNode, IncidentNode, StatusBarController } = withVscodeStub(fakeVscode, () => {
  const tree = require('../../../src/ui/tree/accountsTree') as typeof TreeModule;
  const nodes = require('../../../src/ui/tree/nodes') as typeof NodesModule;
  const bar = require('../../../src/ui/statusBar/statusBar') as typeof StatusBarModule;
  return { AccountsTreeProvider: tree.AccountsTreeProvider, AccountNode: nodes.AccountNode, IncidentNode: nodes.IncidentNode, StatusBarController: bar.StatusBarController };
});

const NOW = Date.now();
const INCIDENT: ProviderIncident = { source: 'Anthropic', title: 'Elevated errors on claude.ai', impact: 'major', status: 'investigating', url: 'https://stspg.io/inc1' };

function model(snapshots: Record<string, Snapshot>) {
  const accounts: Account[] = [
    { id: 'c1', providerId: 'claude', name: 'Claude Max', createdAt: 0, authKind: 'credential-file', settings: {} },
    { id: 'o1', providerId: 'openrouter', name: 'OpenRouter', createdAt: 0, authKind: 'api-key', settings: {} },
  ];
  const accountsChanged = new TestEmitter<void>();
  const incidentsChanged = new TestEmitter<void>();
  let current: ProviderIncident | undefined = INCIDENT;
  const incidents: IncidentSource = { incidentFor: (p) => (p === 'claude' ? current : undefined), onDidChange: incidentsChanged.event };
  const m = new AppModel(
    { list: () => accounts, onDidChange: accountsChanged.event },
    {
      getSnapshot: (id) => snapshots[id],
      isLoading: () => false,
      nextPollAt: () => undefined,
      onDidChange: () => ({ dispose() {} }),
      onDidChangeLoading: () => ({ dispose() {} }),
    },
    () => 300_000,
    undefined,
    incidents,
  );
  return { m, resolve: () => { current = undefined; incidentsChanged.fire(); } };
}

const ok = (id: string): Snapshot => ({
  accountId: id,
  takenAt: NOW,
  lastSuccessAt: NOW,
  status: 'ok',
  meters: [makeMeter({ id: 'five_hour', label: '5-hour limit', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: NOW, percentUsed: 42 })],
});

test('tree: the affected account carries the badge and the incident is its first row; other providers are untouched', () => {
  const { m, resolve } = model({ c1: ok('c1'), o1: ok('o1') });
  const changes: Array<string | undefined> = [];
  m.onDidChange((id) => changes.push(id));
  const tree = new AccountsTreeProvider(m, () => ({ warning: 80, error: 95 }));
  after(() => tree.dispose());
  const claude = m.entry('c1')!;
  const row = new AccountNode(claude, { warning: 80, error: 95 }, NOW).toTreeItem();
  assert.match(String(row.description), /^Incident · 42%/);
  assert.equal((row.iconPath as { id: string }).id, 'broadcast');
  assert.match(String(row.contextValue), /\bincident\b/);
  assert.match((row.tooltip as { value: string }).value, /\$\(broadcast\) \*\*Anthropic reports: Elevated errors on claude\\\.ai\*\* · impact: major · investigating — \[status page\]\(https:\/\/stspg\.io\/inc1\)/);

  const children = tree.getChildren(new AccountNode(claude, { warning: 80, error: 95 }, NOW));
  assert.ok(children[0] instanceof IncidentNode, 'the incident row comes first');
  const item = children[0]!.toTreeItem();
  assert.equal(item.label, 'Anthropic reports: Elevated errors on claude.ai');
  assert.equal(item.description, 'major · investigating');
  assert.deepEqual((item.command as { command: string }).command, 'vscode.open');

  const other = new AccountNode(m.entry('o1')!, { warning: 80, error: 95 }, NOW).toTreeItem();
  assert.doesNotMatch(String(other.description), /Incident/);
  assert.ok(!(tree.getChildren(new AccountNode(m.entry('o1')!, { warning: 80, error: 95 }, NOW))[0] instanceof IncidentNode));

  // Resolved: every account hears about it, the badge goes.
  resolve();
  assert.deepEqual(changes, ['c1', 'o1']);
  assert.doesNotMatch(String(new AccountNode(m.entry('c1')!, { warning: 80, error: 95 }, NOW).toTreeItem().description), /Incident/);
});

test('a poll that fails during an incident says "<provider> reports: <incident>" in the tree, the tooltip and the dashboard', () => {
  const failed: Snapshot = { ...ok('c1'), status: 'stale', takenAt: NOW, lastSuccessAt: NOW - 600_000, error: { kind: 'server', message: 'Server error (HTTP 529) — api.anthropic.com/api/oauth/usage', status: 529 } };
  const { m } = model({ c1: failed });
  const row = new AccountNode(m.entry('c1')!, { warning: 80, error: 95 }, NOW).toTreeItem();
  assert.match(String(row.description), /^Anthropic reports: Elevated errors on claude\.ai · 42% stale/);
  assert.match((row.tooltip as { value: string }).value, /\$\(warning\) \*\*Anthropic reports: Elevated errors on claude\\\.ai\*\*/);

  const bar = new StatusBarController(m, { enabled: () => true, pinned: () => '', show: () => 'used', thresholds: () => ({ warning: 80, error: 95 }) });
  after(() => bar.dispose());
  assert.match(bar.describe().tooltip, /Anthropic reports: Elevated errors on claude\\\.ai/, 'the status-bar tooltip');

  // Dashboard: the incident crosses the protocol and survives the webview's validation.
  const state = buildDashboardState(m, { warning: 80, error: 95 });
  const parsed = parseHostMessage(JSON.parse(JSON.stringify({ type: 'state', state })))!;
  assert.deepEqual(parsed.state.accounts.find((a) => a.id === 'c1')?.incident, INCIDENT);
  // A malformed incident (a javascript: link, a huge title) is dropped; the card stays.
  const bad = { type: 'state', state: { ...state, accounts: state.accounts.map((a) => ({ ...a, incident: { ...INCIDENT, url: 'javascript:alert(1)' } })) } };
  const p2 = parseHostMessage(bad)!;
  assert.equal(p2.dropped, 0);
  assert.equal(p2.state.accounts[0]!.incident, undefined);
});
