// VS Code's real authentication path for a Copilot account signed in to VS Code (issue #21), inside the extension host
// of code-server. tokstat's production wrapper (src/host/githubAuth.ts, no stand-in) calls vscode.authentication, and
// VS Code's authentication service answers from the registered providers.
//
// What code-server allows, measured here: its built-in GitHub provider (the github-authentication extension) is
// registered under `github` but has no account, and none can be seeded into it — its sessions live in that
// extension's own secret storage, which no other extension can write, and signing in needs github.com. So the
// built-in provider is exercised as it is (signed out: tokstat asks to sign in again and sends nothing), and the
// nearest real setup for a signed-in account is a provider with one seeded session registered through the public API
// under `github-enterprise` — the id tokstat's own code uses for an Enterprise host, free while `github-enterprise.uri`
// is unset. Everything between tokstat and that provider (account listing, the silent getSession with an account,
// VS Code's per-extension access rule, the session-change event) is VS Code's own code. The interactive grant
// (createIfNone) opens a modal dialog that nothing in this tier can click; the e2e tier drives the device-code dialogs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copilotPaid, upcomingReset } from '../builders/copilot';
import { GitHubFake } from '../fakes/githubFake';
import { GITHUB_SESSION_TOKEN } from '../fakes/secrets';
import { GITHUB_SCOPES, vscodeGitHubAuth } from '../../src/host/githubAuth';
import { requireHooks, skipBecause, waitFor, type TokstatTestingHooks } from './hooks';

type Hooks = Pick<TokstatTestingHooks, 'ready' | 'addAccount' | 'removeAccount' | 'accounts' | 'refresh' | 'whenIdle' | 'snapshot' | 'setGitHubAuth'>;

const ACCOUNT = { id: '7070', label: 'octo-real' };

/** A provider under the id `github` with one seeded session, answering through VS Code's authentication service. */
class SeededGitHubProvider implements vscode.AuthenticationProvider {
  readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  readonly calls: string[] = [];
  sessions: vscode.AuthenticationSession[] = [{ id: 'seeded-1', accessToken: GITHUB_SESSION_TOKEN, account: ACCOUNT, scopes: GITHUB_SCOPES }];

  async getSessions(scopes?: readonly string[]): Promise<vscode.AuthenticationSession[]> {
    this.calls.push(`getSessions(${(scopes ?? []).join(' ')})`);
    return this.sessions.filter((s) => !scopes || scopes.every((x) => s.scopes.includes(x)));
  }
  async createSession(): Promise<vscode.AuthenticationSession> {
    this.calls.push('createSession');
    throw new Error('no interactive sign-in in this test');
  }
  async removeSession(id: string): Promise<void> {
    this.calls.push(`removeSession(${id})`);
    const gone = this.sessions.filter((s) => s.id === id);
    this.sessions = this.sessions.filter((s) => s.id !== id);
    this.changed.fire({ added: [], removed: gone, changed: [] });
  }
}

async function settle<T>(p: Thenable<T>, ms: number): Promise<{ value?: T; error?: string; timedOut?: true }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ timedOut: true }>((r) => (timer = setTimeout(() => r({ timedOut: true }), ms)));
  try {
    return await Promise.race([Promise.resolve(p).then((value) => ({ value }), (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("VS Code's github authentication provider (the real vscode.authentication path)", function () {
  this.timeout(60_000);
  let t: Hooks;
  let gh: GitHubFake;
  let provider: SeededGitHubProvider | undefined;
  let registration: vscode.Disposable | undefined;
  let previousEndpoints: unknown;
  const made: string[] = [];

  before(async function () {
    // Measured on code-server 4.100.3 (VS Code 1.100). In code-server 4.139.1 (VS Code 1.139) no built-in `github`
    // provider registers within 60 s and a seeded provider's accounts are not listed the same way (CI, this stop): the
    // measurements above are 1.100's, so the newer host runs the rest of the suite without this part.
    if (!vscode.version.startsWith('1.100.')) skipBecause(this, `the github provider measurements are VS Code 1.100's; this is ${vscode.version}`);
    t = await requireHooks(this, 'ready', 'addAccount', 'removeAccount', 'accounts', 'refresh', 'whenIdle', 'snapshot', 'setGitHubAuth');
    await t.ready;
    // The production wrapper, not a stand-in.
    t.setGitHubAuth(undefined);
    gh = new GitHubFake();
    await gh.start();
    gh.addToken(GITHUB_SESSION_TOKEN, { login: ACCOUNT.label, copilot: copilotPaid({ login: ACCOUNT.label, ...upcomingReset() }) });
    const cfg = vscode.workspace.getConfiguration('tokstat');
    previousEndpoints = cfg.inspect('endpoints')?.globalValue;
    await cfg.update('endpoints', { copilot: gh.apiBaseUrl, 'github-oauth': gh.oauthBaseUrl }, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const id of made) await t?.removeAccount(id);
    registration?.dispose();
    if (t) await vscode.workspace.getConfiguration('tokstat').update('endpoints', previousEndpoints, vscode.ConfigurationTarget.Global);
    await gh?.stop();
  });

  it("measures code-server's own github provider: registered, signed out, not seedable", async () => {
    const r = await settle(vscode.authentication.getAccounts('github'), 15_000);
    console.log(`      getAccounts('github'): ${JSON.stringify(r)}`);
    assert.deepEqual(r.value, [], `the built-in provider answers with no account: ${JSON.stringify(r)}`);
    assert.throws(
      () => vscode.authentication.registerAuthenticationProvider('github', 'GitHub (test)', new SeededGitHubProvider()).dispose(),
      /already registered/,
      'no second provider can take its id',
    );
  });

  it("the built-in provider through tokstat's wrapper: no token, so the account asks to sign in again and GitHub hears nothing", async () => {
    const auth = vscodeGitHubAuth();
    try {
      assert.deepEqual(await auth.getAccounts('github'), []);
      assert.equal(await auth.getToken('github', ACCOUNT.id, ACCOUNT.label), undefined);
    } finally {
      auth.dispose();
    }
    const s = await refreshedAccount('it-builtin-session', 'github');
    assert.equal(s.status, 'auth-required', `status ${s.status}`);
    assert.equal(s.reached, 0, 'no request to GitHub without a token');
  });

  it('a seeded provider under `github-enterprise`: tokstat lists its account and reads its token as VS Code allows', async () => {
    provider = new SeededGitHubProvider();
    registration = vscode.authentication.registerAuthenticationProvider('github-enterprise', 'GitHub Enterprise (seeded by the test)', provider, { supportsMultipleAccounts: false });
    const auth = vscodeGitHubAuth();
    let token: string | undefined;
    try {
      assert.equal(auth.providerId('ghe.example.com'), 'github-enterprise');
      assert.deepEqual(await auth.getAccounts('github-enterprise'), [ACCOUNT]);
      assert.ok(provider.calls.some((c) => c.startsWith('getSessions')), `VS Code asked the provider: ${provider.calls.join(', ')}`);
      token = await auth.getToken('github-enterprise', ACCOUNT.id, ACCOUNT.label);
    } finally {
      auth.dispose();
    }
    console.log(`      silent getSession for tokstat: ${token === undefined ? 'undefined (VS Code has no access grant for tokstat yet)' : 'the seeded token'}`);
    assert.ok(!provider.calls.includes('createSession'), 'a silent request never signs in');
    // Either answer is VS Code's decision; tokstat must turn it into the matching account state.
    const s = await refreshedAccount('it-seeded-session', 'github-enterprise');
    if (token === undefined) {
      assert.equal(s.status, 'auth-required', `without access the account asks to sign in again (status ${s.status})`);
      assert.equal(s.reached, 0, 'no request to GitHub without a token');
    } else {
      assert.equal(token, GITHUB_SESSION_TOKEN);
      assert.equal(s.status, 'ok', `status ${s.status} ${s.error?.message ?? ''}`);
      assert.ok(s.reached > 0, 'the quota was read with the seeded token');
    }
  });

  it("a session removed in VS Code reaches tokstat through VS Code's session-change event", async () => {
    assert.ok(provider, 'registered');
    const auth = vscodeGitHubAuth();
    let heard = 0;
    const sub = auth.onDidChangeSessions(() => heard++);
    try {
      await provider.removeSession('seeded-1');
      await waitFor('the wrapper heard the change', () => (heard > 0 ? true : undefined), 10_000);
      assert.deepEqual(await auth.getAccounts('github-enterprise'), [], 'no account left');
      assert.equal(await auth.getToken('github-enterprise', ACCOUNT.id, ACCOUNT.label), undefined, 'no token for a removed session');
    } finally {
      sub.dispose();
      auth.dispose();
    }
  });

  /** Adds a Copilot account on the VS Code sign-in of `authProviderId`, refreshes it, and counts what reached GitHub. */
  async function refreshedAccount(name: string, authProviderId: string) {
    const id = await t.addAccount({
      providerId: 'copilot',
      name,
      authKind: 'github-session',
      settings: { authProviderId, githubAccountId: ACCOUNT.id, githubAccountLabel: ACCOUNT.label },
    });
    made.push(id);
    const before = gh.requestsTo('/copilot_internal/user').length;
    await t.refresh(id);
    await t.whenIdle();
    const s = t.snapshot(id);
    assert.ok(s, 'a snapshot');
    const reached = gh.requestsTo('/copilot_internal/user').slice(before).filter((r) => String(r.headers.authorization).endsWith(GITHUB_SESSION_TOKEN)).length;
    return { ...s, reached };
  }
});
