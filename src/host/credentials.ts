import type { AccountRepository } from '../core/accountRepository';
import type { CredentialResolver } from '../core/fetcher';
import type { Account } from '../core/model';
import type { GitHubAuth } from './githubAuth';

/**
 * Where each account's credential lives: GitHub accounts signed in to VS Code ask VS Code for a fresh session
 * token on every poll (VS Code refreshes it; tokstat never stores it); every other account reads its secret.
 */
export function credentialResolver(repo: AccountRepository, github: GitHubAuth): CredentialResolver {
  return {
    async resolve(account: Account): Promise<string | undefined> {
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
