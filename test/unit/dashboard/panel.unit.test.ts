// DashboardPanel against a minimal in-memory `vscode` module: ready handshake, inbound validation, routing,
// debounced coalescing pushes, hide/show re-handshake and disposal.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DashboardState } from '../../../src/shared/protocol';
import type * as PanelModule from '../../../src/ui/dashboard/panel';
import { TestEmitter } from '../../support/emitter';
import { withVscodeStub } from '../../support/vscodeStub';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';

interface Uri {
  path: string;
  toString(): string;
}
const uri = (path: string): Uri => ({ path, toString: () => `vscode-resource:${path}` });

class FakePanel {
  visible = true;
  disposed = false;
  revealed = 0;
  iconPath: unknown;
  posted: unknown[] = [];
  readonly messages = new TestEmitter<unknown>();
  readonly viewState = new TestEmitter<void>();
  readonly disposeEmitter = new TestEmitter<void>();
  readonly webview = {
    options: {} as Record<string, unknown>,
    html: '',
    cspSource: 'https://test.vscode-cdn.net',
    asWebviewUri: (u: Uri) => u,
    onDidReceiveMessage: this.messages.event,
    postMessage: async (m: unknown) => {
      this.posted.push(m);
      return true;
    },
  };
  constructor(
    readonly viewType: string,
    readonly options: Record<string, unknown>,
  ) {}
  onDidDispose = this.disposeEmitter.event;
  onDidChangeViewState = this.viewState.event;
  reveal() {
    this.revealed++;
  }
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
}

const created: FakePanel[] = [];
const serializers = new Map<string, { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> }>();
const fakeVscode = {
  Uri: { joinPath: (base: Uri, ...p: string[]) => uri([base.path, ...p].join('/')) },
  ViewColumn: { Active: -1 },
  Disposable: { from: (...ds: { dispose(): void }[]) => ({ dispose: () => ds.forEach((d) => d.dispose()) }) },
  window: {
    createWebviewPanel: (viewType: string, _title: string, _col: number, options: Record<string, unknown>) => {
      const p = new FakePanel(viewType, options);
      created.push(p);
      return p;
    },
    registerWebviewPanelSerializer: (viewType: string, s: { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> }) => {
      serializers.set(viewType, s);
      return { dispose: () => serializers.delete(viewType) };
    },
  },
};

const { DashboardPanel, registerDashboardSerializer, DASHBOARD_VIEW_TYPE } = withVscodeStub(fakeVscode, () => require('../../../src/ui/dashboard/panel') as typeof PanelModule);


function makeDeps() {
  const changed = new TestEmitter<void>();
  const calls: unknown[][] = [];
  const logs: string[] = [];
  let version = 0;
  let getStateCalls = 0;
  const clock = new FakeClock();
  const deps = {
    extensionUri: uri('/ext'),
    clock,
    log: { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`) },
    getState: (): DashboardState => {
      getStateCalls++;
      return { accounts: [], thresholds: { warning: 80, error: 95 }, now: ++version };
    },
    onDidChangeState: changed.event as never,
    onRefresh: (id?: string) => calls.push(['refresh', id]),
    onSignIn: (id: string) => calls.push(['signIn', id]),
    onAddAccount: () => calls.push(['addAccount']),
    onOpenSettings: () => calls.push(['openSettings']),
    onShowLog: async () => {
      calls.push(['showLog']);
      throw new Error('output channel gone');
    },
  };
  return { deps, clock, changed, calls, logs, getStateCalls: () => getStateCalls };
}

afterEach(() => {
  DashboardPanel.instance?.dispose();
  created.length = 0;
});

test('opens once with strict options and a CSP page; a second call reveals', () => {
  const { deps } = makeDeps();
  const a = DashboardPanel.createOrShow(deps as never);
  const b = DashboardPanel.createOrShow(deps as never);
  assert.equal(a, b);
  assert.equal(created.length, 1);
  const p = created[0]!;
  assert.equal(p.viewType, DASHBOARD_VIEW_TYPE);
  const icon = p.iconPath as { light: Uri; dark: Uri };
  assert.deepEqual([icon.light.path, icon.dark.path], ['/ext/media/dashboard-light.svg', '/ext/media/dashboard-dark.svg'], 'the tab has tokstat’s icon');
  for (const f of ['dashboard-light.svg', 'dashboard-dark.svg']) assert.ok(fs.existsSync(path.join(__dirname, '..', '..', '..', '..', 'media', f)), `media/${f} ships`);
  assert.equal(p.revealed, 1);
  assert.equal(p.options.enableScripts, true);
  assert.equal(p.options.retainContextWhenHidden, false);
  assert.deepEqual((p.options.localResourceRoots as Uri[]).map((u) => u.path), ['/ext/dist/webview', '/ext/media']);
  assert.match(p.webview.html, /default-src 'none'/);
  assert.match(p.webview.html, /vscode-resource:\/ext\/dist\/webview\/dashboard\.js/);
  assert.match(p.webview.html, /vscode-resource:\/ext\/media\/dashboard\.css/);
});

test('posts nothing before ready, then the full state; pushes are debounced and coalesced', async () => {
  const { deps, clock, changed, getStateCalls } = makeDeps();
  DashboardPanel.createOrShow(deps as never);
  const p = created[0]!;
  changed.fire();
  clock.advance(80);
  assert.deepEqual(p.posted, [], 'nothing before ready');
  p.messages.fire({ type: 'ready' });
  assert.equal(p.posted.length, 1);
  assert.equal((p.posted[0] as { type: string }).type, 'state');
  const before = getStateCalls();
  for (let i = 0; i < 10; i++) changed.fire();
  assert.equal(p.posted.length, 1, 'not immediately');
  clock.advance(90);
  assert.equal(p.posted.length, 2, 'one push for the burst');
  assert.equal(getStateCalls() - before, 1, 'one getState for the burst');
});

test('validates inbound messages and routes them; callback failures are logged', async () => {
  const { deps, calls, logs } = makeDeps();
  DashboardPanel.createOrShow(deps as never);
  const p = created[0]!;
  for (const bad of [null, 'ready', { type: 'signIn' }, { type: 'refresh', accountId: '' }, { type: 'rm -rf' }, { type: 'signIn', accountId: 'x'.repeat(201) }]) {
    p.messages.fire(bad);
  }
  assert.equal(logs.filter((l) => l.startsWith('warn dashboard: dropped an invalid message')).length, 6);
  assert.deepEqual(calls, []);
  p.messages.fire({ type: 'refresh' });
  p.messages.fire({ type: 'refresh', accountId: 'a1' });
  p.messages.fire({ type: 'signIn', accountId: 'a2' });
  p.messages.fire({ type: 'addAccount' });
  p.messages.fire({ type: 'openSettings' });
  p.messages.fire({ type: 'showLog' });
  assert.deepEqual(calls, [['refresh', undefined], ['refresh', 'a1'], ['signIn', 'a2'], ['addAccount'], ['openSettings'], ['showLog']]);
  await flushMicrotasks();
  assert.ok(logs.includes('warn dashboard: showLog failed: output channel gone'));
});

test('a hidden panel waits for a new ready before posting again', async () => {
  const { deps, clock, changed } = makeDeps();
  DashboardPanel.createOrShow(deps as never);
  const p = created[0]!;
  p.messages.fire({ type: 'ready' });
  p.visible = false;
  p.viewState.fire();
  changed.fire();
  clock.advance(80);
  assert.equal(p.posted.length, 1);
  p.visible = true;
  p.viewState.fire();
  p.messages.fire({ type: 'ready' });
  assert.equal(p.posted.length, 2);
});

test('closing the panel releases every listener and timer', async () => {
  const { deps, clock, changed } = makeDeps();
  DashboardPanel.createOrShow(deps as never);
  const p = created[0]!;
  p.messages.fire({ type: 'ready' });
  changed.fire(); // leaves a debounce timer pending
  p.dispose();
  assert.equal(DashboardPanel.instance, undefined);
  assert.equal(changed.size, 0);
  assert.equal(p.messages.size, 0);
  clock.advance(80);
  assert.equal(p.posted.length, 1, 'the pending push was cancelled');
  DashboardPanel.createOrShow(deps as never);
  assert.equal(created.length, 2, 'a new panel after close');
});

test('the serializer revives a restored panel with fresh options and html', async () => {
  const { deps } = makeDeps();
  const subscriptions: { dispose(): void }[] = [];
  registerDashboardSerializer({ subscriptions } as never, deps as never);
  assert.equal(subscriptions.length, 1);
  const restored = new FakePanel(DASHBOARD_VIEW_TYPE, {});
  await serializers.get(DASHBOARD_VIEW_TYPE)!.deserializeWebviewPanel(restored, { version: 1, scrollY: 10 });
  assert.equal(restored.webview.options.enableScripts, true);
  assert.match(restored.webview.html, /script-src 'nonce-/);
  restored.messages.fire({ type: 'ready' });
  assert.equal(restored.posted.length, 1);
  assert.ok(DashboardPanel.instance);
  subscriptions.forEach((d) => d.dispose());
  assert.equal(serializers.size, 0);
});

const SERIES = {
  accountId: 'a1',
  meterId: 'premium',
  label: 'Premium requests',
  unit: 'requests',
  range: '7d' as const,
  points: [
    [1, 2],
    [3, 4],
  ] as Array<[number, number]>,
  resets: [],
  summary: 'Premium requests over the last 7 days: 2 → 4.',
};

test('requestHistory is routed to getHistory and answered with the request id', async () => {
  const { deps, logs } = makeDeps();
  const asked: unknown[][] = [];
  const withHistory = {
    ...deps,
    getHistory: async (accountId: string, meterId: string, range: string, width: number) => {
      asked.push([accountId, meterId, range, width]);
      if (meterId === 'boom') throw new Error('history store unreadable');
      if (meterId === 'none') return null;
      return SERIES;
    },
  };
  DashboardPanel.createOrShow(withHistory as never);
  const p = created[0]!;
  p.messages.fire({ type: 'ready' });
  p.posted.length = 0;
  // Invalid requests never reach getHistory.
  p.messages.fire({ type: 'requestHistory', requestId: 1, accountId: 'a1', meterId: 'premium', range: '2y', width: 300 });
  p.messages.fire({ type: 'requestHistory', requestId: 1, accountId: 'a1', meterId: 'premium', range: '7d', width: 5 });
  p.messages.fire({ type: 'requestHistory', requestId: -1, accountId: 'a1', meterId: 'premium', range: '7d', width: 300 });
  assert.deepEqual(asked, []);
  p.messages.fire({ type: 'requestHistory', requestId: 7, accountId: 'a1', meterId: 'premium', range: '7d', width: 300 });
  p.messages.fire({ type: 'requestHistory', requestId: 8, accountId: 'a1', meterId: 'none', range: '24h', width: 300 });
  p.messages.fire({ type: 'requestHistory', requestId: 9, accountId: 'a1', meterId: 'boom', range: '1y', width: 300 });
  await flushMicrotasks();
  assert.deepEqual(asked, [
    ['a1', 'premium', '7d', 300],
    ['a1', 'none', '24h', 300],
    ['a1', 'boom', '1y', 300],
  ]);
  assert.deepEqual(p.posted, [
    { type: 'history', requestId: 7, series: SERIES },
    { type: 'history', requestId: 8, series: null },
    { type: 'history', requestId: 9, series: null },
  ]);
  assert.ok(logs.includes('warn dashboard: history for a1/boom (1y) failed: history store unreadable'));
  assert.equal(logs.filter((l) => l.includes('requestHistory')).length, 0, 'requests are not logged one by one');
});

test('without getHistory every chart gets null; answers for a reloaded or closed page are dropped', async () => {
  const { deps } = makeDeps();
  DashboardPanel.createOrShow(deps as never);
  const p = created[0]!;
  p.messages.fire({ type: 'ready' });
  p.posted.length = 0;
  p.messages.fire({ type: 'requestHistory', requestId: 1, accountId: 'a1', meterId: 'm', range: '30d', width: 200 });
  await flushMicrotasks();
  assert.deepEqual(p.posted, [{ type: 'history', requestId: 1, series: null }]);
  p.dispose();

  // A slow answer that arrives after the page reloaded (new ready) must not be posted under a reused id.
  let release: (() => void) | undefined;
  const slow = {
    ...deps,
    getHistory: () =>
      new Promise<typeof SERIES>((resolve) => {
        release = () => resolve(SERIES);
      }),
  };
  DashboardPanel.createOrShow(slow as never);
  const q = created[1]!;
  q.messages.fire({ type: 'ready' });
  q.messages.fire({ type: 'requestHistory', requestId: 1, accountId: 'a1', meterId: 'premium', range: '7d', width: 200 });
  q.messages.fire({ type: 'ready' });
  q.posted.length = 0;
  release!();
  await flushMicrotasks();
  assert.deepEqual(q.posted, [], 'the answer for the previous page is dropped');
});

/** The state embedded in a page's html (html.ts's data block), parsed; undefined when there is none. */
function embeddedState(html: string): unknown {
  const m = /<script type="application\/json" id="tokstat-initial-state">([\s\S]*?)<\/script>/.exec(html);
  return m ? JSON.parse(m[1]!) : undefined;
}

test('the first page embeds the current state; the page rebuilt after hiding does not (it would be stale)', () => {
  const { deps, getStateCalls } = makeDeps();
  DashboardPanel.createOrShow(deps as never);
  const p = created[0]!;
  assert.deepEqual(embeddedState(p.webview.html), { accounts: [], thresholds: { warning: 80, error: 95 }, now: 1 });
  assert.equal(getStateCalls(), 1);
  p.visible = false;
  p.viewState.fire();
  assert.equal(embeddedState(p.webview.html), undefined, 'hidden: html without the state');
  assert.match(p.webview.html, /<p class="booting">Loading…<\/p>/);
  const html = p.webview.html;
  p.visible = true;
  p.viewState.fire();
  p.visible = false;
  p.viewState.fire();
  assert.equal(p.webview.html, html, 'set once, not on every hide');
  p.visible = true;
  p.viewState.fire();
  p.messages.fire({ type: 'ready' });
  assert.equal((p.posted[0] as { type: string }).type, 'state', 'the shown page still gets the state on ready');
});

test('a page that drew the embedded state, unchanged since, gets only the clock on ready; otherwise the state', () => {
  const { deps, clock: hostClock, changed, getStateCalls } = makeDeps();
  const type = (m: unknown) => (m as { type: string }).type;
  const a = DashboardPanel.createOrShow(deps as never);
  const p = created[0]!;
  hostClock.advance(1234);
  p.messages.fire({ type: 'ready', embedded: true });
  assert.equal(p.posted.length, 1);
  const clock = p.posted[0] as { type: string; now: number };
  assert.equal(clock.type, 'clock');
  assert.equal(clock.now, hostClock.now(), 'the host clock');
  assert.equal(getStateCalls(), 1, 'no state built for it: only the one embedded in the html');
  // The same html reloaded (Developer: Reload Webviews) draws that state again, older by now: it gets the state.
  p.messages.fire({ type: 'ready', embedded: true });
  assert.deepEqual(p.posted.map(type), ['clock', 'state']);
  a.dispose();

  // A change before ready: the embedded state is outdated.
  DashboardPanel.createOrShow(deps as never);
  const q = created[1]!;
  changed.fire();
  q.messages.fire({ type: 'ready', embedded: true });
  assert.deepEqual(q.posted.map(type), ['state']);
  DashboardPanel.instance!.dispose();

  // So is one pushed with update().
  const u = DashboardPanel.createOrShow(deps as never);
  const r = created[2]!;
  u.update({ accounts: [], thresholds: { warning: 70, error: 90 }, now: 5 });
  r.messages.fire({ type: 'ready', embedded: true });
  assert.deepEqual(r.posted.map(type), ['state']);
  u.dispose();

  // Hidden and shown again: the page is rebuilt from html without the state.
  DashboardPanel.createOrShow(deps as never);
  const v = created[3]!;
  v.visible = false;
  v.viewState.fire();
  v.visible = true;
  v.viewState.fire();
  v.messages.fire({ type: 'ready', embedded: true });
  assert.deepEqual(v.posted.map(type), ['state']);
});

test('a failing getState at open gives a page without a state (logged), answered on ready as usual', () => {
  const { deps, logs } = makeDeps();
  let fail = true;
  const getState = deps.getState;
  deps.getState = () => {
    if (fail) throw new Error('store not loaded');
    return getState();
  };
  DashboardPanel.createOrShow(deps as never);
  const p = created[0]!;
  assert.equal(embeddedState(p.webview.html), undefined);
  assert.ok(logs.includes('warn dashboard: initial state failed: store not loaded'));
  fail = false;
  p.messages.fire({ type: 'ready' });
  assert.equal(p.posted.length, 1);
});

test('the codicon font named by the installed codicon.css is preloaded with its exact URL (query kept)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-panel-'));
  try {
    fs.mkdirSync(path.join(dir, 'dist', 'webview'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'webview', 'codicon.css'), '@font-face { font-family: "codicon"; src: url("./codicon-AB12.ttf?5d4d") format("truetype"); }');
    const { deps } = makeDeps();
    const ext = { ...uri(dir), scheme: 'file', fsPath: dir };
    DashboardPanel.createOrShow({ ...deps, extensionUri: ext } as never);
    const html = created[0]!.webview.html;
    const links = [...html.matchAll(/<link rel="preload"[^>]*>/g)].map((m) => m[0]);
    assert.equal(links.length, 1);
    assert.match(links[0]!, /as="font" type="font\/ttf" crossorigin href="vscode-resource:[^"]*\/dist\/webview\/codicon-AB12\.ttf\?5d4d"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('no preload when the extension folder is not a readable file location', () => {
  const { deps } = makeDeps();
  DashboardPanel.createOrShow(deps as never);
  assert.doesNotMatch(created[0]!.webview.html, /rel="preload"/);
});

test('the Spend view: answered per request (a failure as null), Export CSV and Pin/Unpin routed, Show Spend focuses it once ready', async () => {
  const { deps, calls, logs } = makeDeps();
  const view = { range: '7d', unit: 'day', generatedAt: 1, currency: 'USD', buckets: [], stacks: [], rows: [], totals: [], total: null, otherCurrencies: [] };
  const full = {
    ...deps,
    getSpend: async (range: string) => {
      calls.push(['getSpend', range]);
      if (range === '12m') throw new Error('history store closed');
      return { ...view, range };
    },
    onExportSpend: (range: string) => calls.push(['exportSpend', range]),
    onPin: (accountId: string, meterId: string, pinned: boolean) => calls.push(['pin', accountId, meterId, pinned]),
  };
  const panel = DashboardPanel.createOrShow(full as never);
  const p = created[0]!;
  panel.reveal('spend');
  assert.equal(p.posted.length, 0, 'the focus waits for the page');
  p.messages.fire({ type: 'ready' });
  assert.deepEqual(p.posted.map((m) => (m as { type: string }).type), ['state', 'focus']);
  p.posted.length = 0;
  p.messages.fire({ type: 'requestSpend', requestId: 1, range: '7d' });
  p.messages.fire({ type: 'requestSpend', requestId: 2, range: '12m' });
  p.messages.fire({ type: 'requestSpend', requestId: 3, range: '1y' }); // not a Spend range: refused
  p.messages.fire({ type: 'exportSpend', range: '30d' });
  p.messages.fire({ type: 'pin', accountId: 'a1', meterId: 'five-hour', pinned: true });
  p.messages.fire({ type: 'pin', accountId: 'a1', meterId: 'five-hour', pinned: 'yes' }); // refused
  await flushMicrotasks();
  assert.deepEqual(p.posted, [
    { type: 'spend', requestId: 1, view: { ...view, range: '7d' } },
    { type: 'spend', requestId: 2, view: null },
  ]);
  assert.deepEqual(calls, [['getSpend', '7d'], ['getSpend', '12m'], ['exportSpend', '30d'], ['pin', 'a1', 'five-hour', true]]);
  assert.ok(logs.includes('warn dashboard: spend (12m) failed: history store closed'));
  assert.equal(logs.filter((l) => l.startsWith('warn dashboard: dropped an invalid message')).length, 2);
});
