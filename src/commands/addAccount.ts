import * as vscode from 'vscode';
import { newAccountId, uniqueName } from '../core/accounts';
import { testConnection } from '../core/fetcher';
import type { Account } from '../core/model';
import { PROVIDERS } from '../core/providers/registry';
import type { ProviderDefinition } from '../core/providers/types';
import type { CommandDeps } from './deps';
import { errorText } from './deps';
import { deviceSignIn } from './deviceSignIn';
import { promptForKey, promptForName } from './keyEntry';

const TITLE = 'tokstat: Add Account';

function draft(provider: ProviderDefinition, authKind: string, settings: Account['settings'] = {}): Account {
  return { id: newAccountId(), providerId: provider.id, name: provider.displayName, createdAt: Date.now(), authKind, settings };
}

async function save(deps: CommandDeps, account: Account, secret: string | undefined, suggested: string | undefined): Promise<void> {
  const providerName = PROVIDERS.find((p) => p.id === account.providerId)?.displayName ?? account.providerId;
  const name = await promptForName(deps, `tokstat: Account name (${providerName})`, uniqueName(suggested || account.name, deps.repo.list()));
  if (name === undefined) return;
  const final = { ...account, name };
  await deps.repo.add(final, secret);
  deps.log.info(`[accounts] added "${final.name}" (${final.providerId}, ${final.authKind})`);
  // The scheduler picks the new account up from the repository and fetches it right away.
  void vscode.window.showInformationMessage(`tokstat: added "${final.name}".`, 'Open Dashboard').then((c) => {
    if (c) deps.openDashboard();
  });
}

export async function addApiKeyAccount(deps: CommandDeps, provider: ProviderDefinition): Promise<void> {
  const account = draft(provider, 'api-key');
  const r = await promptForKey(deps, provider, account, `tokstat: ${provider.displayName} API key`);
  if (!r) return;
  await save(deps, { ...account, settings: { ...account.settings, ...(r.info.settings ?? {}) } }, r.key, r.info.suggestedName);
}

async function checkGitHubToken(deps: CommandDeps, account: Account, token: string): Promise<{ suggestedName?: string } | undefined> {
  const ac = new AbortController();
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'tokstat: checking Copilot access…', cancellable: true },
      async (_p, ct) => {
        ct.onCancellationRequested(() => ac.abort());
        return testConnection(deps.fetcherDeps, account, token, ac.signal);
      },
    );
  } catch (err) {
    if (!ac.signal.aborted) void vscode.window.showErrorMessage(`tokstat: ${errorText(err)}`);
    return undefined;
  }
}

export async function addCopilotAccount(deps: CommandDeps, provider: ProviderDefinition): Promise<void> {
  const host = deps.config.enterpriseHost() || undefined;
  const authProviderId = deps.github.providerId(host);
  let signedIn: readonly { id: string; label: string }[] = [];
  try {
    signedIn = await deps.github.getAccounts(authProviderId);
  } catch (err) {
    deps.log.warn(`[github] could not list VS Code's GitHub accounts: ${errorText(err)}`);
  }
  const useSession = 'Use a GitHub account signed in to VS Code';
  const useDevice = 'Sign in with a device code';
  const choice = await vscode.window.showQuickPick(
    [
      {
        label: useSession,
        description: signedIn.length ? signedIn.map((a) => a.label).join(', ') : 'signs in through VS Code',
        detail: 'Recommended: uses the GitHub sign-in VS Code already manages.',
      },
      {
        label: useDevice,
        description: deps.config.oauthClientId() ? undefined : 'needs tokstat.github.oauthClientId',
        detail: 'For a GitHub account that is not signed in to VS Code: enter a code on github.com.',
      },
    ],
    { title: `${TITLE}: GitHub Copilot`, placeHolder: 'How do you want to sign in?', ignoreFocusOut: true },
  );
  if (!choice) return;
  const baseSettings: Account['settings'] = host ? { enterpriseHost: host } : {};
  if (choice.label === useDevice) {
    const token = await deviceSignIn(deps, host);
    if (!token) return;
    const account = draft(provider, 'github-device', baseSettings);
    const info = await checkGitHubToken(deps, account, token);
    if (!info) return;
    await save(deps, account, token, info.suggestedName);
    return;
  }
  let target: { id: string; label: string } | undefined;
  if (signedIn.length > 0) {
    const other = '$(add) Sign in to another GitHub account…';
    const picked = await vscode.window.showQuickPick(
      [...signedIn.map((a) => ({ label: a.label, account: a })), { label: other, account: undefined }],
      { title: `${TITLE}: GitHub account`, placeHolder: 'Choose the GitHub account', ignoreFocusOut: true },
    );
    if (!picked) return;
    target = picked.account;
  }
  let session: { token: string; account: { id: string; label: string } } | undefined;
  try {
    session = await deps.github.signIn(authProviderId, target);
  } catch (err) {
    void vscode.window.showErrorMessage(`tokstat: GitHub sign-in failed: ${errorText(err)}`);
    return;
  }
  if (!session) return;
  const existing = deps.repo.list().find((a) => a.authKind === 'github-session' && a.settings.githubAccountId === session!.account.id);
  if (existing) {
    void vscode.window.showInformationMessage(`tokstat: the GitHub account ${session.account.label} is already added as "${existing.name}".`);
    return;
  }
  const account = draft(provider, 'github-session', {
    ...baseSettings,
    authProviderId,
    githubAccountId: session.account.id,
    githubAccountLabel: session.account.label,
  });
  const info = await checkGitHubToken(deps, account, session.token);
  if (!info) return;
  await save(deps, account, undefined, info.suggestedName ?? session.account.label);
}

export function registerAddAccount(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand('tokstat.addAccount', async (providerId?: unknown) => {
    let provider = typeof providerId === 'string' ? PROVIDERS.find((p) => p.id === providerId) : undefined;
    if (!provider) {
      const picked = await vscode.window.showQuickPick(
        PROVIDERS.map((p) => ({ label: p.displayName, description: p.authKinds.includes('api-key') ? 'API key' : 'GitHub sign-in', detail: p.description, provider: p })),
        { title: TITLE, placeHolder: 'Which AI account do you want to track?', matchOnDetail: true, ignoreFocusOut: true },
      );
      if (!picked) return;
      provider = picked.provider;
    }
    try {
      if (provider.authKinds.includes('api-key')) await addApiKeyAccount(deps, provider);
      else await addCopilotAccount(deps, provider);
    } catch (err) {
      deps.log.error(`[accounts] add account failed: ${errorText(err)}`);
      void vscode.window.showErrorMessage(`tokstat: could not add the account: ${errorText(err)}`);
    }
  });
}
