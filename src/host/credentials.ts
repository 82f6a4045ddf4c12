import * as vscode from 'vscode';
import type { AccountRepository } from '../core/accountRepository';
import { ProviderError } from '../core/errors';
import type { CredentialResolver } from '../core/fetcher';
import type { Account } from '../shared/model';
import { getProvider } from '../core/providers/registry';
import type { CredentialEnv } from '../core/providers/types';
import type { GitHubAuth } from './githubAuth';
import type { HostIdentity } from './hostIdentity';

/** Account settings that record where a credential-file account was added (its sign-in stays on that host). */
export const SIGN_IN_HOST = 'signInHost';
export const SIGN_IN_HOST_LABEL = 'signInHostLabel';

/** The host a credential-file account's sign-in lives on (recorded when it was added), or undefined. */
export function signInHostOf(account: Account | undefined): string | undefined {
  const id = account?.authKind === 'credential-file' ? account.settings[SIGN_IN_HOST] : undefined;
  return typeof id === 'string' && id ? id : undefined;
}

/** The host a credential-file account's sign-in lives on, when that is not this window's host. */
export function signInLivesElsewhere(account: Account, here: HostIdentity): string | undefined {
  const id = account.settings[SIGN_IN_HOST];
  if (account.authKind !== 'credential-file' || typeof id !== 'string' || id === here.id) return undefined;
  const label = account.settings[SIGN_IN_HOST_LABEL];
  return typeof label === 'string' && label ? label : id;
}

/**
 * Where each account's credential lives: GitHub accounts signed in to VS Code ask VS Code for a fresh session
 * token on every poll (VS Code refreshes it; tokstat never stores it); accounts of tools such as Claude Code re-read
 * the tool's own credential files; every other account reads its secret from SecretStorage.
 */
export function credentialResolver(repo: AccountRepository, github: GitHubAuth, env: () => CredentialEnv, here?: () => HostIdentity): CredentialResolver {
  return {
    async resolve(account: Account): Promise<string | undefined> {
      if (account.authKind === 'credential-file') {
        // Another tool's sign-in: re-read its files before every poll (it may have refreshed the token); never copied.
        const source = getProvider(account.providerId)?.credentialFile;
        if (!source) return undefined;
        try {
          return (await source.read(env(), account)).credential;
        } catch (err) {
          // Added in another window on another host (the laptop, a devbox, a container): its files are there, not
          // here. Say so instead of "sign in again", and keep retrying (`config`): signing in here too fixes it. The
          // message is shown in every window (the polling window's reading is shared), so it names the polling host.
          const host = here?.();
          const elsewhere = host && err instanceof ProviderError && err.kind === 'auth' ? signInLivesElsewhere(account, host) : undefined;
          if (!elsewhere || !host) throw err;
          throw new ProviderError(
            'config',
            vscode.l10n.t('This sign-in lives on {0}: {1} keeps it there, and the window that polls runs on {2}. Open a window on {0}, or sign in with {1} on {2} too.', elsewhere, source.tool, host.label),
          );
        }
      }
      if (account.authKind === 'github-session') {
        const providerId = String(account.settings.authProviderId ?? 'github');
        const id = account.settings.githubAccountId;
        const label = account.settings.githubAccountLabel;
        if (typeof id !== 'string' || typeof label !== 'string') return undefined;
        return github.getToken(providerId, id, label);
      }
      return repo.getSecret(account.id);
    },
  };
}
