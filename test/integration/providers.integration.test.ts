// Accounts against the loopback provider fakes, inside the real extension host: the fakes run in this process
// (so each test can break them), `tokstat.endpoints` points the providers at them. Checks the snapshot, the
// Accounts tree and the status bar for a healthy account, a rate-limited one (stale) and a signed-out one
// (sign in again), and the "GitHub account signed in to VS Code" path through a stand-in for vscode.authentication
// (the built-in GitHub provider cannot sign in offline).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copilotPaid, upcomingReset } from '../builders/copilot';
import { orKey } from '../builders/openrouter';
import { GitHubFake } from '../fakes/githubFake';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { GITHUB_SESSION_TOKEN, OPENROUTER_KEY } from '../fakes/secrets';
import { findNode, requireHooks, waitFor, type TokstatTestingHooks } from './hooks';

type Hooks = Pick<TokstatTestingHooks, 'ready' | 'addAccount' | 'removeAccount' | 'accounts' | 'refresh' | 'whenIdle' | 'snapshot' | 'treeSnapshot' | 'statusBar' | 'setGitHubAuth'>;

describe('providers against the fakes', function () {
  let t: Hooks;
  let gh: GitHubFake;
  let or: OpenRouterFake;
  let previousEndpoints: unknown;
  const sessionAccount = { id: '4242', label: 'octo-session' };
  let sessionToken: string | undefined = GITHUB_SESSION_TOKEN;

  before(async function () {
    t = await requireHooks(this, 'ready', 'addAccount', 'removeAccount', 'accounts', 'refresh', 'whenIdle', 'snapshot', 'treeSnapshot', 'statusBar', 'setGitHubAuth');
    await t.ready;
    gh = new GitHubFake();
    or = new OpenRouterFake();
    await gh.start();
    await or.start();
    or.addKey(OPENROUTER_KEY, orKey({ label: 'it-router' }));
    gh.addToken(GITHUB_SESSION_TOKEN, { login: sessionAccount.label, copilot: copilotPaid({ login: sessionAccount.label, ...upcomingReset() }) });
    const cfg = vscode.workspace.getConfiguration('tokstat');
    previousEndpoints = cfg.inspect('endpoints')?.globalValue;
    await cfg.update('endpoints', { copilot: gh.apiBaseUrl, 'github-oauth': gh.oauthBaseUrl, openrouter: or.baseUrl }, vscode.ConfigurationTarget.Global);
    const changed = new vscode.EventEmitter<void>();
    t.setGitHubAuth({
      providerId: (host) => (host ? 'github-enterprise' : 'github'),
      getAccounts: async () => [sessionAccount],
      signIn: async () => (sessionToken ? { token: sessionToken, account: sessionAccount } : undefined),
      getToken: async (_p, id) => (id === sessionAccount.id ? sessionToken : undefined),
      onDidChangeSessions: changed.event,
    });
  });

  after(async () => {
    if (!t) return;
    for (const a of t.accounts().filter((x) => x.name.startsWith('it-'))) await t.removeAccount(a.id);
    t.setGitHubAuth(undefined);
    await vscode.workspace.getConfiguration('tokstat').update('endpoints', previousEndpoints, vscode.ConfigurationTarget.Global);
    await gh?.stop();
    await or?.stop();
  });

  beforeEach(() => {
    gh?.clearFaults();
    or?.clearFaults();
  });

  async function refreshed(id: string) {
    await t.refresh(id);
    await t.whenIdle();
    const s = t.snapshot(id);
    assert.ok(s, 'a snapshot exists after refresh');
    return s;
  }

  let orId = '';
  let ghId = '';

  it('OpenRouter: key limit meter in the snapshot, the tree and the status bar', async () => {
    orId = await t.addAccount({ providerId: 'openrouter', name: 'it-router', authKind: 'api-key', secret: OPENROUTER_KEY });
    const s = await refreshed(orId);
    assert.equal(s.status, 'ok', `status ${s.status} ${s.error?.message ?? ''}`);
    const meter = s.meters.find((m) => m.id === 'key-limit');
    assert.ok(meter, `meters: ${s.meters.map((m) => m.id).join(', ')}`);
    assert.equal(meter.limit, 100);
    assert.equal(meter.remaining, 74.5);
    const req = or.requestsTo('/api/v1/key').at(-1);
    assert.equal(req?.headers.authorization, `Bearer ${OPENROUTER_KEY}`, 'the key is sent as a bearer token');

    const tree = await t.treeSnapshot();
    const account = findNode(tree, 'OpenRouter', 'it-router');
    assert.ok(account, `tree: ${JSON.stringify(tree.map((n) => n.label))}`);
    const row = account.children.find((c) => c.label.startsWith('Key limit'));
    assert.ok(row, `meter rows: ${account.children.map((c) => c.label).join(', ')}`);
    assert.match(`${row.description ?? ''}`, /25\.5|74\.5|26\s*%|25\s*%/);

    // The status bar renders on the model's change event, a moment after the snapshot lands.
    const sb = await waitFor('status bar shows the account, not loading', () => {
      const x = t.statusBar();
      return /\$\(pulse\)/.test(x.text) && x.text.includes('it-router') ? x : undefined;
    }, 5_000);
    assert.match(sb.text, /\d+\s*%/, `status bar: ${sb.text}`);
  });

  it('OpenRouter: a 429 keeps the last meters and marks the account stale', async () => {
    or.fail({ retryAfterSeconds: 1 }, { path: '/api/v1/key', persistent: true });
    const s = await refreshed(orId);
    assert.equal(s.status, 'stale', `status ${s.status}`);
    assert.ok(s.meters.some((m) => m.id === 'key-limit'), 'the last good meters are kept');
    const row = findNode(await t.treeSnapshot(), 'OpenRouter', 'it-router');
    assert.match(row?.description ?? '', /stale/);
  });

  it('Copilot via a GitHub session signed in to VS Code: premium requests', async () => {
    ghId = await t.addAccount({
      providerId: 'copilot',
      name: 'it-session',
      authKind: 'github-session',
      settings: { authProviderId: 'github', githubAccountId: sessionAccount.id, githubAccountLabel: sessionAccount.label },
    });
    const s = await refreshed(ghId);
    assert.equal(s.status, 'ok', `status ${s.status} ${s.error?.message ?? ''}`);
    const premium = s.meters.find((m) => m.id === 'premium');
    assert.ok(premium, `meters: ${s.meters.map((m) => m.id).join(', ')}`);
    assert.equal(premium.limit, 1500);
    const req = gh.requestsTo('/copilot_internal/user').at(-1);
    assert.match(String(req?.headers.authorization), new RegExp(`^(token|Bearer) ${GITHUB_SESSION_TOKEN}$`));
    const account = findNode(await t.treeSnapshot(), 'GitHub Copilot', 'it-session');
    assert.ok(account?.children.some((c) => c.label === 'Premium requests'), 'tree shows Premium requests');
  });

  it('Copilot: a 401 asks to sign in again', async () => {
    gh.fail({ status: 401 }, { path: '/copilot_internal/user', persistent: true });
    const s = await refreshed(ghId);
    assert.equal(s.status, 'auth-required', `status ${s.status}`);
    const row = findNode(await t.treeSnapshot(), 'GitHub Copilot', 'it-session');
    assert.match(row?.description ?? '', /^Sign-in rejected · .+ stale$/);
  });

  it('Copilot: signed out of VS Code asks to sign in again without calling GitHub', async () => {
    sessionToken = undefined;
    const before = gh.requests.length;
    try {
      const s = await refreshed(ghId);
      assert.equal(s.status, 'auth-required', `status ${s.status}`);
      assert.equal(gh.requests.length, before, 'no request without a token');
    } finally {
      sessionToken = GITHUB_SESSION_TOKEN;
    }
  });

  it('no account has its credential in the tree or the status bar', async () => {
    const text = JSON.stringify(await t.treeSnapshot()) + JSON.stringify(t.statusBar());
    assert.ok(!text.includes(OPENROUTER_KEY) && !text.includes(GITHUB_SESSION_TOKEN));
  });
});
