import type { Account, BillingBreakdown, DailyAmount, Meter } from '../../shared/model';
import type { HttpClient } from '../http';
import type { Logger } from '../log';
import type { Clock } from '../clock';

/**
 * How an account authenticates:
 * - `api-key`: a key the user pastes, kept in SecretStorage (optionally with a per-account base URL, see `accountFields`);
 * - `github-session`: a GitHub account signed in to VS Code (token asked from VS Code on every poll, never stored);
 * - `github-device`: a GitHub OAuth token obtained with the device flow, kept in SecretStorage;
 * - `credential-file`: another tool's own sign-in (Claude Code, Codex CLI, Gemini CLI), re-read from its files before
 *   every poll and never written or refreshed by tokstat.
 */
export type AuthKind = 'api-key' | 'github-session' | 'github-device' | 'credential-file';

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
  /** Money per day from the vendor's own daily buckets (cost reports), for the Spend view. */
  dailySpend?: DailyAmount[];
  /** Where the plan's requests or credits went (Copilot's billing report), or why that cannot be read. */
  breakdown?: BillingBreakdown;
}

export interface ConnectionInfo {
  /** A meaningful default name for the account: the GitHub login, the key label, … */
  suggestedName?: string;
  identity?: string;
  /**
   * The vendor's id of the signed-in account or organisation (`account:<uuid>`), so Add Account never adds the same
   * sign-in twice; absent when the vendor does not say (the credential file identifies it then).
   */
  accountKey?: string;
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

/** A non-secret per-account setting asked for in Add Account (stored in `account.settings[key]`). */
export interface AccountField {
  key: string;
  /** Input box title, e.g. "Base URL", "Team id", "Monthly budget (USD)". */
  label: string;
  prompt: string;
  placeholder?: string;
  /** Pre-filled value. */
  defaultValue?: string;
  required: boolean;
  kind: 'text' | 'url' | 'number' | 'choice';
  /** For `choice`: the options shown in a quick pick. */
  choices?: ReadonlyArray<{ value: string; label: string; description?: string }>;
  /** Extra validation; return an error message or undefined. (`url` fields are also checked with the https/loopback rule.) */
  validate?(value: string): string | undefined;
  /** Asked before the key (e.g. a base URL the key check needs), instead of after it. */
  beforeKey?: boolean;
}

/** Where to find environment facts a credential-file provider needs (injected so tests use temporary homes). */
export interface CredentialEnv {
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: string;
  /**
   * macOS only: the password of the generic-password item `service` in the user's keychains, or undefined when there
   * is no such item (src/host/keychain.ts). macOS may ask the user to allow the read. Rejects when it cannot be read.
   */
  keychainPassword?(service: string): Promise<string | undefined>;
}

/** Read-only access to another tool's stored credentials. */
export interface CredentialFileSource {
  /** The tool, for messages: "Claude Code", "Codex CLI", "Gemini CLI". */
  tool: string;
  /** What to run to sign in again, e.g. "claude /login". */
  signInHint: string;
  /** Candidate files in priority order (honouring the tool's own environment variables). */
  candidates(env: CredentialEnv, account?: Pick<Account, 'settings'>): string[];
  /**
   * Reads and validates the credentials (never writes, never refreshes). Returns an opaque credential string that
   * the provider's fetchSnapshot understands (it becomes `ctx.secret`), plus a suggested account name.
   * Throws ProviderError: `auth` (missing, expired or unusable → "sign in again in <tool>"), `config` (unreadable).
   */
  read(env: CredentialEnv, account?: Pick<Account, 'settings'>): Promise<{ credential: string; suggestedName?: string; settings?: Record<string, string> }>;
}

/**
 * How "Add Account" signs a provider in: `api-key` asks for a key (and the `accountFields`); `credential-file` reads
 * another tool's sign-in (`credentialFile`); `github` offers VS Code's GitHub sign-in, a device code or the GitHub CLI.
 */
export type SignInKind = 'api-key' | 'credential-file' | 'github';

/**
 * The provider's section in the Add Account picker: `plan` (subscriptions and coding plans), `api-key` (keys and
 * balances), `admin` (organization usage through an admin or management key), `gateway` (proxies and endpoints).
 */
export type PickerGroup = 'plan' | 'api-key' | 'admin' | 'gateway';

export interface ProviderDefinition {
  id: string;
  displayName: string;
  /** One line for the Add Account picker. */
  description: string;
  authKinds: readonly AuthKind[];
  /** The Add Account flow for this provider. */
  signIn: SignInKind;
  /** Its section in the Add Account picker. */
  pickerGroup: PickerGroup;
  keyHint?: KeyHint;
  /** Extra per-account settings (base URL, team id, region, monthly budget, …). */
  accountFields?: readonly AccountField[];
  /** For `credential-file` providers. */
  credentialFile?: CredentialFileSource;
  /** Shown in the Add Account picker (e.g. "admin key", "needs Claude Code signed in"). */
  authLabel?: string;
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
