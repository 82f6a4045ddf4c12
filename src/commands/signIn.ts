import * as vscode from 'vscode';
import { getProvider } from '../core/providers/registry';
import { testConnection } from '../core/fetcher';
import type { CommandDeps } from './deps';
import { errorText, resolveAccount } from './deps';
import { deviceSignIn } from './deviceSignIn';
import { promptForKey } from './keyEntry';
import type { Account } from '../shared/model';
import { CommandIds } from './ids';
import { signInLivesElsewhere } from '../host/credentials';
import { currentHost } from '../host/hostIdentity';

/** Sign In Again: a new key, a fresh VS Code GitHub session, or a new device code — then refresh. */
export function registerSignIn(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.signIn, async (arg?: unknown) => {
    const account = await resolveAccount(deps, arg, vscode.l10n.t('tokstat: Sign In Again'));
    if (!account) return;
    const provider = getProvider(account.providerId);
    if (!provider) return;
    try {
      if (account.authKind === 'credential-file') {
        // tokstat never signs in on another tool's behalf (that would rotate its tokens and log it out).
        const source = provider.credentialFile;
        const refresh = vscode.l10n.t('Refresh Now');
        const here = currentHost();
        const elsewhere = signInLivesElsewhere(account, here);
        const choice = await vscode.window.showInformationMessage(
          elsewhere
            ? vscode.l10n.t('This sign-in lives on {0}: tokstat reads "{1}" from {2}\'s files there, and this window runs on {3}. Open a window on {0}, or sign in with {2} here too ({4}), then refresh.', elsewhere, account.name, source?.tool ?? 'another tool', here.label, source?.signInHint ?? 'see its documentation')
            : source
              ? vscode.l10n.t('tokstat reads "{0}" from {1}\'s sign-in. Sign in again there ({2}), then refresh.', account.name, source.tool, source.signInHint)
              : vscode.l10n.t('tokstat reads "{0}" from another tool\'s sign-in. Sign in again there, then refresh.', account.name),
          refresh,
        );
        if (choice !== refresh) return;
      } else if (account.authKind === 'api-key') {
        // An API key is not signed in to: the same flow as Replace Key….
        await replaceKey(deps, account);
        return;
      } else if (account.authKind === 'github-device') {
        const host = typeof account.settings.enterpriseHost === 'string' ? account.settings.enterpriseHost : undefined;
        const token = await deviceSignIn(deps, host);
        if (!token) return;
        const ac = new AbortController();
        await testConnection(deps.fetcherDeps, account, token, ac.signal);
        await deps.repo.setSecret(account.id, token);
      } else if (account.authKind === 'github-session') {
        const authProviderId = String(account.settings.authProviderId ?? 'github');
        const id = String(account.settings.githubAccountId ?? '');
        const label = String(account.settings.githubAccountLabel ?? '');
        const session = await deps.github.signIn(authProviderId, id ? { id, label } : undefined);
        if (!session) return;
        if (id && session.account.id !== id) {
          await deps.repo.update(account.id, { settings: { githubAccountId: session.account.id, githubAccountLabel: session.account.label } });
        }
      }
      deps.log.info(`[accounts] "${account.name}" signed in again`);
      await deps.poll.refresh(account.id);
    } catch (err) {
      deps.log.warn(`[accounts] sign in again failed for "${account.name}": ${errorText(err)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: sign-in for "{0}" failed: {1}', account.name, errorText(err)));
    }
  });
}

/**
 * Replace Key…: asks for the account's new API key, checks it against the provider as Add Account does (a rejected
 * key keeps the box open with the reason), stores it in SecretStorage and refreshes. False when dismissed.
 */
export async function replaceKey(deps: CommandDeps, account: Account): Promise<boolean> {
  const provider = getProvider(account.providerId);
  if (!provider) return false;
  try {
    const r = await promptForKey(deps, provider, account, vscode.l10n.t('tokstat: Replace Key — new {0} API key for "{1}"', provider.displayName, account.name));
    if (!r) return false;
    // Storing it lifts the auth block and any Retry-After of the old key (the scheduler hears the change).
    await deps.repo.setSecret(account.id, r.key);
    deps.log.info(`[accounts] "${account.name}": key replaced`);
    await deps.poll.refresh(account.id);
    return true;
  } catch (err) {
    deps.log.warn(`[accounts] replacing the key of "${account.name}" failed: ${errorText(err)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: could not replace the key of "{0}": {1}', account.name, errorText(err)));
    return false;
  }
}

export function registerReplaceKey(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.replaceKey, async (arg?: unknown) => {
    const account = await resolveAccount(deps, arg, vscode.l10n.t('tokstat: Replace Key'), (a) => a.authKind === 'api-key');
    if (!account) return;
    if (account.authKind !== 'api-key') {
      // Reached with a tree row or an id of an account signed in another way: that account signs in again instead.
      await vscode.commands.executeCommand('tokstat.signIn', account.id);
      return;
    }
    await replaceKey(deps, account);
  });
}
