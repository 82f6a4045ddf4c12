import type { AccountRepository } from '../core/accountRepository';
import type { CredentialResolver } from '../core/fetcher';
import type { Account } from '../shared/model';
import { getProvider } from '../core/providers/registry';
import type { CredentialEnv } from '../core/providers/types';
import type { GitHubAuth } from './githubAuth';

/**
 * Where each account's credential lives: GitHub accounts signed in to VS Code ask VS Code for a fresh session
 * token on every poll (VS Code refreshes it; tokstat never stores it); accounts of tools such as Claude Code re-read
 * the tool's own credential files; every other account reads its secret from SecretStorage.
 */
export function credentialResolver(repo: AccountRepository, github: GitHubAuth, env: () => CredentialEnv): CredentialResolver {
  return {
    async resolve(account: Account): Promise<string | undefined> {
      if (account.authKind === 'credential-file') {
        // Another tool's sign-in: re-read its files before every poll (it may have refreshed the token); never copied.
        const source = getProvider(account.providerId)?.credentialFile;
        if (!source) return undefined;
        return (await source.read(env(), account)).credential;
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
