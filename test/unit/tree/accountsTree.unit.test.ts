// AccountsTreeProvider against a minimal in-memory `vscode` module: which refresh VS Code is asked for. A change that
// keeps the rows refreshes the account rows VS Code was given (the same node objects, updated in place); a change of
// a provider's accounts refreshes that provider's row; only a change of the top-level rows reloads the whole tree,
// since VS Code forgets every row on a whole-tree refresh and an expanded row's children asked for in that moment come
// back empty. Until the change event, the tree answers from the rows it last announced.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMeter, type Meter } from '../../../src/shared/model';
import type { AccountEntry } from '../../../src/core/summary';
import type { UsageView } from '../../../src/shared/protocol';
import type * as TreeModule from '../../../src/ui/tree/accountsTree';
import { TestEmitter } from '../../support/emitter';
import { treeFakes, withVscodeStub } from '../../support/vscodeStub';

const fakeVscode = { EventEmitter: TestEmitter, ...treeFakes };

import { FakeClock } from '../../fakes/fakeClock';
const { AccountsTreeProvider, ProviderNode, AccountNode, UsageRootNode } = withVscodeStub(fakeVscode, () => {
  const { AccountsTreeProvider } = require('../../../src/ui/tree/accountsTree') as typeof TreeModule;
  const { ProviderNode, AccountNode } = require('../../../src/ui/tree/nodes') as typeof import('../../../src/ui/tree/nodes');
  const { UsageRootNode } = require('../../../src/ui/tree/usageNodes') as typeof import('../../../src/ui/tree/usageNodes');
  return { AccountsTreeProvider, ProviderNode, AccountNode, UsageRootNode };
});

/** The trees' clock: the debounce and the minute tick run when a test advances it. */
const clock = new FakeClock();
/** Past the tree's 50 ms debounce. */
const settle = (): void => clock.advance(50);

const meter = (used: number): Meter => makeMeter({ id: 'm', label: 'Key limit', kind: 'quota', unit: 'USD', source: 'official', capturedAt: Date.now(), used, limit: 100 });

function entry(id: string, providerId: string, used?: number, name = id): AccountEntry {
  return {
    account: { id, providerId, name, createdAt: 0, authKind: 'api-key', settings: {} },
    providerName: providerId === 'openrouter' ? 'OpenRouter' : 'GitHub Copilot',
    icon: 'globe',
    loading: false,
    intervalMs: 600_000,
    ...(used === undefined ? {} : { snapshot: { accountId: id, takenAt: Date.now(), lastSuccessAt: Date.now(), status: 'ok' as const, meters: [meter(used)] } }),
  };
}

function makeModel(initial: AccountEntry[]) {
  let entries = initial;
  const changed = new TestEmitter<string | undefined>();
  return {
    model: {
      entries: () => entries,
      entry: (id: string) => entries.find((e) => e.account.id === id),
      onDidChange: changed.event,
    },
    set(next: AccountEntry[], id?: string) {
      entries = next;
      changed.fire(id);
    },
  };
}

function makeUsage(visible: boolean) {
  let view = { visible, hasData: visible } as UsageView;
  const changed = new TestEmitter<void>();
  return {
    provider: { view: () => view, onDidChange: changed.event },
    set(next: Partial<UsageView>) {
      view = { ...view, ...next };
      changed.fire();
    },
  };
}

const trees: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.dispose();
});

function open(m: ReturnType<typeof makeModel>, usage?: ReturnType<typeof makeUsage>) {
  let warning = 80;
  const tree = new AccountsTreeProvider(m.model as never, () => ({ warning, error: 95 }), usage?.provider, undefined, clock);
  trees.push(tree);
  const fired: unknown[] = [];
  tree.onDidChangeTreeData((e) => fired.push(e));
  return { tree, fired, setWarning: (w: number) => (warning = w) };
}

/** What VS Code does when it shows the tree: the roots, then the children of every expanded row. */
function show(tree: InstanceType<typeof AccountsTreeProvider>) {
  const roots = tree.getChildren();
  const accounts = roots.flatMap((r) => (r instanceof ProviderNode ? tree.getChildren(r) : []));
  return { roots, accounts };
}

test('a new snapshot refreshes the account rows VS Code was given, the same objects with the new data, not the whole tree', async () => {
  const m = makeModel([entry('a', 'openrouter', 10), entry('b', 'copilot', 20)]);
  const { tree, fired } = open(m);
  const { roots, accounts } = show(tree);
  assert.deepEqual(roots.map((r) => (r as InstanceType<typeof ProviderNode>).providerName), ['GitHub Copilot', 'OpenRouter']);
  assert.equal(accounts.length, 2);
  assert.ok(accounts.every((a) => a instanceof AccountNode));

  m.set([entry('a', 'openrouter', 42), entry('b', 'copilot', 20)], 'a');
  assert.deepEqual(fired, [], 'debounced');
  settle();
  assert.equal(fired.length, 1);
  const rows = fired[0] as unknown[];
  assert.ok(Array.isArray(rows), `rows, not the whole tree: ${String(fired[0])}`);
  const a = accounts.find((n) => (n as InstanceType<typeof AccountNode>).accountId === 'a');
  assert.ok(rows.includes(a), 'the very node VS Code holds');
  assert.match(String(tree.getTreeItem(a!).description), /42/, 'updated in place');
  // Fetched again, the rows are the same objects.
  const again = show(tree);
  assert.deepEqual(again.roots, roots);
  assert.deepEqual(again.accounts, accounts);
});

test('a burst of changes and the threshold or clock refreshes are one refresh of the rows', async () => {
  const m = makeModel([entry('a', 'openrouter', 10)]);
  const { tree, fired, setWarning } = open(m);
  show(tree);
  for (let i = 0; i < 10; i++) m.set([entry('a', 'openrouter', 10 + i)], 'a');
  settle();
  assert.equal(fired.length, 1);
  setWarning(5);
  tree.refresh();
  settle();
  assert.equal(fired.length, 2);
  assert.ok(Array.isArray(fired[1]));
  const item = tree.getTreeItem((fired[1] as InstanceType<typeof AccountNode>[])[0]!);
  assert.equal((item.iconPath as { color?: { id: string } }).color?.id, 'charts.yellow', 'the new threshold is applied: 19 % ≥ 5 %');
});

test('rows VS Code never fetched are not refreshed: it gets the current data when it fetches them', async () => {
  const m = makeModel([entry('a', 'openrouter', 10)]);
  const { fired } = open(m);
  m.set([entry('a', 'openrouter', 11)], 'a');
  settle();
  assert.deepEqual(fired, []);
});

test('adding, removing, renaming or moving an account under a provider that stays refreshes that provider row; a provider coming or going reloads the whole tree', async () => {
  const m = makeModel([entry('a', 'openrouter', 10)]);
  const { tree, fired } = open(m);
  const first = show(tree);
  const provider = first.roots[0] as InstanceType<typeof ProviderNode>;
  const expect = (what: string, rows: unknown) => {
    fired.length = 0;
    settle();
    assert.deepEqual(fired, [rows], what);
    return show(tree);
  };
  m.set([entry('a', 'openrouter', 10), entry('c', 'openrouter', 5)]);
  let now = expect('added', [provider]);
  assert.equal(now.roots[0], provider, 'the provider row is the same object');
  assert.equal(provider.entries.length, 2);
  assert.equal(tree.getTreeItem(provider).description, '2 accounts');
  assert.equal(now.accounts[0], first.accounts[0], 'the account row that stays is the same object');
  m.set([entry('a', 'openrouter', 10, 'renamed'), entry('c', 'openrouter', 5)]);
  now = expect('renamed', [provider]);
  assert.equal(tree.getTreeItem(now.accounts[0]!).label, 'renamed');
  m.set([entry('c', 'openrouter', 5), entry('a', 'openrouter', 10, 'renamed')]);
  expect('moved', [provider]);
  m.set([entry('c', 'openrouter', 5)]);
  now = expect('removed', [provider]);
  assert.deepEqual(now.accounts.map((n) => (n as InstanceType<typeof AccountNode>).accountId), ['c']);
  // The removed account's node is forgotten: it comes back as a new one.
  m.set([entry('c', 'openrouter', 5), entry('a', 'openrouter', 1)]);
  now = expect('added again', [provider]);
  assert.ok(!first.accounts.includes(now.accounts[1]!));
  m.set([entry('c', 'openrouter', 5), entry('a', 'openrouter', 1), entry('g', 'copilot', 3)]);
  now = expect('a new provider', undefined);
  assert.equal(now.roots[1], provider, 'the provider row that stays is the same object');
  m.set([entry('c', 'openrouter', 5), entry('a', 'openrouter', 1)]);
  expect('a provider gone', undefined);
  // And then a snapshot again refreshes only the rows.
  fired.length = 0;
  m.set([entry('c', 'openrouter', 6), entry('a', 'openrouter', 1)], 'c');
  settle();
  assert.equal(fired.length, 1);
  assert.ok(Array.isArray(fired[0]));
  assert.ok((fired[0] as unknown[]).every((n) => n instanceof AccountNode));
});

/**
 * What VS Code's extension host does with the tree's events, reduced to what matters here: it knows a shown row by its
 * `TreeItem.id` (its handle); a whole-tree refresh forgets every handle before it asks for the roots again, so a
 * request for an expanded row's children that lands in between is answered empty ("No tree item with id … found");
 * a refresh of some rows asks for those rows and their children again and keeps the other handles.
 */
class FakeTreeView {
  private readonly handles = new Map<string, unknown>();
  private readonly children = new Map<string, string[]>();
  private readonly events: unknown[] = [];

  constructor(private readonly tree: InstanceType<typeof AccountsTreeProvider>) {
    tree.onDidChangeTreeData((e) => this.events.push(e));
  }

  /** Shows the rows under `parent` (the roots when none), and under every expanded one. */
  load(parent?: unknown, parentId = ''): void {
    const ids: string[] = [];
    for (const node of this.tree.getChildren(parent as never)) {
      const item = this.tree.getTreeItem(node);
      this.handles.set(item.id!, node);
      ids.push(item.id!);
      if (item.collapsibleState === 2) this.load(node, item.id);
    }
    this.children.set(parentId, ids);
  }

  /** VS Code asks the extension for the children of the row with this id. */
  childrenOf(id: string): string[] {
    const node = this.handles.get(id);
    return node ? this.tree.getChildren(node as never).map((c) => this.tree.getTreeItem(c).id!) : [];
  }

  /** Takes in the events fired so far: a whole-tree refresh forgets every row, a refresh of rows forgets what is under them. */
  takeEvents(): { whole: boolean; rows: string[] } {
    const taken = this.events.splice(0);
    if (taken.some((e) => e === undefined)) {
      this.handles.clear();
      this.children.clear();
      return { whole: true, rows: [] };
    }
    const rows = taken.flatMap((e) => e as unknown[]).map((n) => this.tree.getTreeItem(n as never).id!);
    for (const id of rows) this.forgetUnder(id);
    return { whole: false, rows };
  }

  private forgetUnder(id: string): void {
    for (const child of this.children.get(id) ?? []) {
      this.forgetUnder(child);
      this.handles.delete(child);
    }
    this.children.delete(id);
  }
}

test('during a reload an expanded provider row keeps answering with its accounts, and one change event follows', async () => {
  const m = makeModel([entry('a', 'openrouter', 10), entry('b', 'copilot', 20)]);
  const { tree, fired } = open(m);
  const vsc = new FakeTreeView(tree);
  vsc.load();
  assert.deepEqual(vsc.childrenOf('provider:openrouter'), ['account:a']);

  // An account is added: the model has it, the tree has not announced it yet (the debounce is running).
  m.set([entry('a', 'openrouter', 10), entry('c', 'openrouter', 5), entry('b', 'copilot', 20)]);
  m.set([entry('a', 'openrouter', 11), entry('c', 'openrouter', 5), entry('b', 'copilot', 20)], 'a');
  assert.deepEqual(vsc.childrenOf('provider:openrouter'), ['account:a'], 'the previous shape until the new one is announced, not empty');
  assert.deepEqual(tree.getChildren().map((r) => tree.getTreeItem(r).id), ['provider:copilot', 'provider:openrouter']);

  settle();
  assert.equal(fired.length, 1, 'one change event for the burst');
  const taken = vsc.takeEvents();
  // A request for the provider's children that was under way as VS Code took the event in: its accounts, not none.
  assert.deepEqual(vsc.childrenOf('provider:openrouter'), ['account:a', 'account:c']);
  assert.equal(taken.whole, false, 'the top-level rows stay: no whole-tree refresh');
  assert.deepEqual(taken.rows, ['provider:openrouter', 'account:b'], 'the provider row whose accounts changed (its own account rows come with it) and the other account rows');
  assert.deepEqual(vsc.childrenOf('provider:copilot'), ['account:b'], 'the other provider row is untouched');
  vsc.load();
  clock.advance(50);
  assert.equal(fired.length, 1, 'nothing more once the new shape is shown');
});

test('"Local agents": shown or hidden reloads the whole tree; new usage refreshes its row', async () => {
  const m = makeModel([entry('a', 'openrouter', 10)]);
  const usage = makeUsage(false);
  const { tree, fired } = open(m, usage);
  assert.equal(show(tree).roots.length, 1);
  usage.set({ visible: true });
  settle();
  assert.deepEqual(fired, [undefined]);
  const root = show(tree).roots[1];
  assert.ok(root instanceof UsageRootNode);
  fired.length = 0;
  usage.set({ hasData: false, generatedAt: 123 });
  settle();
  assert.equal(fired.length, 1);
  const rows = fired[0] as unknown as unknown[];
  assert.ok(rows.includes(root), 'the Local agents row');
  assert.equal((root as InstanceType<typeof UsageRootNode>).view.generatedAt, 123, 'with the new view');
  fired.length = 0;
  usage.set({ visible: false });
  settle();
  assert.deepEqual(fired, [undefined]);
  assert.equal(show(tree).roots.length, 1);
});

test('dispose stops the pending refresh and the clock', async () => {
  const m = makeModel([entry('a', 'openrouter', 10)]);
  const { tree, fired } = open(m);
  show(tree);
  m.set([entry('a', 'openrouter', 11)], 'a');
  tree.dispose();
  settle();
  assert.deepEqual(fired, []);
});

test('getParent leads from a meter to its account and from an account to its provider, so reveal can open the way', () => {
  const m = makeModel([entry('a', 'openrouter', 10), entry('b', 'copilot', 20)]);
  const { tree } = open(m);
  const { roots, accounts } = show(tree);
  for (const acc of accounts) {
    const parent = tree.getParent(acc);
    assert.ok(parent instanceof ProviderNode && roots.includes(parent), 'an account’s parent is the provider row VS Code holds');
    assert.equal((parent as InstanceType<typeof ProviderNode>).providerId, (acc as InstanceType<typeof AccountNode>).entry.account.providerId);
    for (const child of tree.getChildren(acc)) assert.equal(tree.getParent(child), acc, 'a meter’s parent is its account row');
  }
  for (const r of roots) assert.equal(tree.getParent(r), undefined);
});

test('the view badge counts the accounts that need attention and names them; none, no badge', () => {
  const ok = entry('fine', 'openrouter', 10);
  const rejected: AccountEntry = { ...entry('bad-key', 'openrouter', 10), snapshot: { ...entry('bad-key', 'openrouter', 10).snapshot!, status: 'auth-required' } };
  const failing: AccountEntry = { ...entry('down', 'copilot', 10), snapshot: { ...entry('down', 'copilot', 10).snapshot!, status: 'error' } };
  const old: AccountEntry = { ...entry('old', 'copilot', 10), snapshot: { ...entry('old', 'copilot', 10).snapshot!, takenAt: Date.now() - 3 * 600_000 } };
  const m = makeModel([ok]);
  const { tree } = open(m);
  const view: { badge?: { value: number; tooltip: string } } = {};
  tree.attachView(view);
  assert.equal(view.badge, undefined, 'all fine: no badge');
  m.set([ok, rejected, failing, old]);
  assert.equal(tree.attention()?.value, 3);
  assert.match(tree.attention()!.tooltip, /^3 accounts need attention: bad-key, down, old$/);
});

test('sign-ins found on this machine are offered as the first row until they are tracked', async () => {
  const m = makeModel([entry('a', 'openrouter', 10)]);
  let tools: string[] = ['Claude Code', 'Codex CLI'];
  const changed = new TestEmitter<void>();
  const tree = new AccountsTreeProvider(m.model as never, () => ({ warning: 80, error: 95 }), undefined, { tools: () => tools, onDidChange: changed.event }, clock);
  trees.push(tree);
  const fired: unknown[] = [];
  tree.onDidChangeTreeData((e) => fired.push(e));
  const roots = tree.getChildren();
  const item = tree.getTreeItem(roots[0]!);
  assert.equal(item.label, 'Track Claude Code and Codex CLI');
  assert.deepEqual((item as { command?: { command: string } }).command?.command, 'tokstat.addFoundSignIns');
  assert.equal(tree.getParent(roots[0]!), undefined);
  tools = [];
  changed.fire();
  settle();
  assert.deepEqual(fired, [undefined], 'the offer leaving is a change of rows: the whole tree reloads');
  assert.ok(tree.getChildren().every((r) => r instanceof ProviderNode), 'no offer once nothing is left to add');
});

test('"Local agents" says how far the first read of the logs has come, then shows the figures', () => {
  const m = makeModel([]);
  const usage = makeUsage(true);
  const none = { tokens: { total: 0 }, requests: 0, unpricedRequests: 0 } as never;
  usage.set({ scan: { done: 1240, total: 3012, rebuild: false }, hasData: false, totals: { today: none, month: none } });
  const { tree } = open(m, usage);
  const root = tree.getChildren().find((r) => r instanceof UsageRootNode)!;
  assert.equal(tree.getTreeItem(root).description, 'reading 1,240 of 3,012 log files');
  usage.set({ scan: { done: 10, total: 20, rebuild: true } });
  assert.equal(tree.getTreeItem(tree.getChildren().find((r) => r instanceof UsageRootNode)!).description, 'rebuilding: reading 10 of 20 log files');
});

test('whenSettled resolves with the pending repaint (what VS Code then shows), at once when none is pending', async () => {
  const m = makeModel([entry('a', 'openrouter', 10)]);
  const { tree, fired } = open(m);
  show(tree);
  await tree.whenSettled(); // nothing pending
  m.set([entry('a', 'openrouter', 10), entry('b', 'copilot', 20)]);
  let settled = false;
  const waiting = tree.whenSettled().then(() => (settled = true));
  await Promise.resolve();
  assert.equal(settled, false, 'not before the repaint');
  assert.deepEqual(show(tree).roots.map((r) => tree.getTreeItem(r).id), ['provider:openrouter'], 'the previous shape meanwhile');
  settle();
  await waiting;
  assert.equal(fired.length, 1);
  assert.deepEqual(show(tree).roots.map((r) => tree.getTreeItem(r).id), ['provider:copilot', 'provider:openrouter']);
});
