import * as vscode from 'vscode';

// Thin wrapper over vscode.authentication for GitHub (and GitHub Enterprise) so tests can substitute it.
// Scopes follow Copilot Chat's minimum set: a session with `user:email` is what /copilot_internal/user accepts.
export const GITHUB_SCOPES = ['user:email'];

export interface GitHubAccountInfo {
  id: string;
  label: string;
}

export interface GitHubAuth {
  providerId(enterpriseHost: string | undefined): string;
  getAccounts(providerId: string): Promise<readonly GitHubAccountInfo[]>;
  /** Interactive sign-in that may add a new account (createIfNone / forceNewSession). */
  signIn(providerId: string, account?: GitHubAccountInfo): Promise<{ token: string; account: GitHubAccountInfo } | undefined>;
  /** Silent: the token of a signed-in account, or undefined when it is signed out. */
  getToken(providerId: string, accountId: string, accountLabel: string): Promise<string | undefined>;
  onDidChangeSessions: vscode.Event<void>;
}

export function vscodeGitHubAuth(): GitHubAuth & vscode.Disposable {
  const emitter = new vscode.EventEmitter<void>();
  const sub = vscode.authentication.onDidChangeSessions((e) => {
    if (e.provider.id === 'github' || e.provider.id === 'github-enterprise') emitter.fire();
  });
  const auth: GitHubAuth & { dispose(): void } = {
    providerId: (host) => (host ? 'github-enterprise' : 'github'),
    getAccounts: async (providerId) => {
      // Multi-account sessions (getAccounts, getSession's `account`) arrived in VS Code 1.95; a fork without them
      // offers only "sign in" (VS Code's own account picker), never a crash.
      if (typeof vscode.authentication.getAccounts !== 'function') return [];
      const accounts = await vscode.authentication.getAccounts(providerId);
      return accounts.map((a) => ({ id: a.id, label: a.label }));
    },
    signIn: async (providerId, account) => {
      const session = account
        ? await vscode.authentication.getSession(providerId, GITHUB_SCOPES, { account, createIfNone: true })
        : await vscode.authentication.getSession(providerId, GITHUB_SCOPES, { createIfNone: true, clearSessionPreference: true });
      return session ? { token: session.accessToken, account: { id: session.account.id, label: session.account.label } } : undefined;
    },
    getToken: async (providerId, accountId, accountLabel) => {
      const session = await vscode.authentication.getSession(providerId, GITHUB_SCOPES, {
        account: { id: accountId, label: accountLabel },
        silent: true,
      });
      return session?.accessToken;
    },
    onDidChangeSessions: emitter.event,
    dispose: () => {
      sub.dispose();
      emitter.dispose();
    },
  };
  return auth;
}
