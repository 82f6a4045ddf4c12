// Turns "fetch account X" into a provider call: resolves the account, its credential and its base URL
// (endpoints contract), builds the ProviderContext and runs the provider. Used by the scheduler (fetchSnapshot)
// and by Add Account / Sign In Again (testConnection with a credential that is not stored yet).
import type { Clock } from './clock';
import { EndpointError, resolveBaseUrl } from './endpoints';
import { ProviderError } from './errors';
import type { ConditionalCache } from './conditional';
import type { HttpClient } from './http';
import { scoped, type Logger } from './log';
import type { Account } from '../shared/model';
import { registerSecret } from './redact';
import { getProvider } from './providers/registry';
import type { ConnectionInfo, FetchResult, ProviderContext, ProviderDefinition } from './providers/types';

/** Port: where an account's credential comes from (SecretStorage, a VS Code auth session, …). */
export interface CredentialResolver {
  resolve(account: Account): Promise<string | undefined>;
}

export interface FetcherDeps {
  getAccount(id: string): Account | undefined;
  credentials: CredentialResolver;
  /** Current `tokstat.endpoints` setting. */
  endpoints(): Readonly<Record<string, unknown>>;
  http: HttpClient;
  clock: Clock;
  log: Logger;
  /** Per-request timeout in ms (setting `tokstat.requestTimeoutSeconds`). */
  requestTimeoutMs(): number;
  /** Conditional requests for polls (ETag / Last-Modified → 304), per account; absent: every poll asks in full. */
  conditional?: ConditionalCache;
}

export function providerFor(account: Pick<Account, 'providerId'>): ProviderDefinition {
  const p = getProvider(account.providerId);
  if (!p) throw new ProviderError('config', `Unknown provider "${account.providerId}" — was it removed in this version of tokstat?`);
  return p;
}

export function baseUrlFor(account: Pick<Account, 'providerId' | 'settings'>, endpoints: Readonly<Record<string, unknown>>): string {
  const provider = providerFor(account);
  try {
    return resolveBaseUrl(provider.id, provider.defaultBaseUrl(account), endpoints);
  } catch (err) {
    if (err instanceof EndpointError) throw new ProviderError('config', err.message);
    throw err;
  }
}

export function buildContext(deps: FetcherDeps, account: Account, secret: string, signal: AbortSignal): ProviderContext {
  registerSecret(secret);
  const timeoutMs = deps.requestTimeoutMs();
  return {
    providerId: account.providerId,
    account,
    secret,
    baseUrl: baseUrlFor(account, deps.endpoints()),
    http: { request: (r) => deps.http.request({ timeoutMs, ...r }) },
    clock: deps.clock,
    log: scoped(deps.log, account.providerId),
    signal,
  };
}

export function createFetcher(deps: FetcherDeps): (accountId: string, signal: AbortSignal) => Promise<FetchResult> {
  return async (accountId, signal) => {
    const account = deps.getAccount(accountId);
    if (!account) throw new ProviderError('config', 'The account no longer exists.');
    const provider = providerFor(account);
    const secret = await deps.credentials.resolve(account);
    if (!secret) {
      throw new ProviderError('auth', account.authKind === 'github-session'
        ? 'The GitHub account is no longer signed in to VS Code — sign in again.'
        : 'No credentials are stored for this account — sign in again.');
    }
    const ctx = buildContext(deps, account, secret, signal);
    if (deps.conditional) ctx.http = deps.conditional.wrap(ctx.http, account.id);
    return provider.fetchSnapshot(ctx);
  };
}

/** Checks a credential before it is stored (Add Account, Sign In Again). */
export async function testConnection(deps: FetcherDeps, account: Account, secret: string, signal: AbortSignal): Promise<ConnectionInfo> {
  return providerFor(account).testConnection(buildContext(deps, account, secret, signal));
}
