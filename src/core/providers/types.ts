import type { Account, Meter } from '../model';
import type { HttpClient } from '../http';
import type { Logger } from '../log';
import type { Clock } from '../clock';

/** How an account authenticates. */
export type AuthKind = 'api-key' | 'github-session' | 'github-device';

/** Everything a provider may use. The HTTP client is the seam tests replace; nothing here touches vscode. */
export interface ProviderContext {
  providerId: string;
  account: Account;
  /** The secret (API key or OAuth token). Never log it; never put it in an error message. */
  secret: string;
  /** Base URL after applying `tokstat.endpoints` and the https/loopback rule, without a trailing slash. */
  baseUrl: string;
  http: HttpClient;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
}

export interface FetchResult {
  meters: Meter[];
  plan?: string;
  identity?: string;
}

export interface ConnectionInfo {
  /** A meaningful default name for the account: the GitHub login, the key label, … */
  suggestedName?: string;
  identity?: string;
  plan?: string;
  /** Non-secret settings the provider learned and wants stored on the account. */
  settings?: Record<string, string | number | boolean>;
}

export interface KeyHint {
  /** Shown in the input box. */
  placeholder: string;
  prompt: string;
  /** Returns an error message for a key that cannot be right, or undefined. A warning-only check returns `{ warning }`. */
  validate(key: string): { error?: string; warning?: string };
}

export interface ProviderDefinition {
  id: string;
  displayName: string;
  /** One line for the Add Account picker. */
  description: string;
  authKinds: readonly AuthKind[];
  keyHint?: KeyHint;
  /** Default base URL (may depend on account settings such as an enterprise host). */
  defaultBaseUrl(account: Pick<Account, 'settings'>): string;
  /** Default polling interval in seconds, and the floor users cannot go below. */
  defaultPollSeconds: number;
  minPollSeconds: number;
  /** Codicon used in the tree, e.g. `github`, `globe`. */
  icon: string;
  /** Which endpoints the provider calls, for the README and tooltips. */
  endpoints: ReadonlyArray<{ path: string; official: boolean }>;
  fetchSnapshot(ctx: ProviderContext): Promise<FetchResult>;
  testConnection(ctx: ProviderContext): Promise<ConnectionInfo>;
}
