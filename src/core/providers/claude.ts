// Claude subscription (Pro / Max / Team through Claude Code) limits from the undocumented
// `GET /api/oauth/usage` (provider-apis.md §4.4), with Claude Code's own sign-in read from
// `$CLAUDE_CONFIG_DIR/.credentials.json` or `~/.claude/.credentials.json` before every poll.
//
// Never refreshes the token (that would rotate Claude Code's refresh token and sign the user out of it): an expired
// token is reported as "sign in again" without calling. `utilization` is 0–100 **used**; `extra_usage` amounts are
// **minor units** with `decimal_places`. The endpoint rate-limits hard, so a 429 blocks the token (by hash) until its
// Retry-After, even for a manual refresh.
import * as path from 'node:path';
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError } from '../errors';
import type { HttpResponse } from '../http';
import { makeMeter, type Account, type Meter } from '../../shared/model';
import { registerSecret } from '../redact';
import {
  credentialFilePlan,
  displayPath,
  errorBody,
  expandHome,
  numOf,
  obj,
  parseCredential,
  readFirstJson,
  readJsonFile,
  requestVendorJson,
  scrubAll,
  signInAgain,
  str,
  tokenKey,
  type ReadOptions,
} from './credentialFiles';
import { bool, errorMessageFrom, num, parseVendorDate } from './json';
import type { ConnectionInfo, CredentialEnv, CredentialFileSource, FetchResult, ProviderContext, ProviderDefinition } from './types';

export const CLAUDE_USAGE_PATH = '/api/oauth/usage';
export const CLAUDE_PROFILE_PATH = '/api/oauth/profile';
const TOOL = 'Claude Code';
const HINT = 'run `claude` and /login';
const REQUIRED_SCOPE = 'user:profile';
/** Where Claude Code keeps its sign-in on macOS (provider-apis.md §4; the name with CLAUDE_CONFIG_DIR set is unverified). */
export const CLAUDE_KEYCHAIN_SERVICE = 'Claude Code-credentials';
const KEYCHAIN_LABEL = `the Keychain item "${CLAUDE_KEYCHAIN_SERVICE}"`;
/** Cooldown after a 429 without a usable Retry-After (CodexBar uses 300 s), and the floor for a tiny one. */
const DEFAULT_COOLDOWN_MS = 300_000;
const MIN_COOLDOWN_MS = 60_000;

const SETUP_TOKEN_MESSAGE =
  'This Claude token lacks the `user:profile` scope needed to read plan usage. Tokens made with `claude setup-token` only allow inference; ' +
  'sign in to Claude Code interactively (run `claude` and /login) so that ~/.claude/.credentials.json holds a full sign-in.';

// ---------------------------------------------------------------------------------------------------------------
// Credentials

interface ClaudeCredential {
  accessToken: string;
  expiresAt?: number;
  scopes?: string[];
  subscriptionType?: string;
  rateLimitTier?: string;
  email?: string;
}

function defaultDir(env: CredentialEnv): string {
  return path.join(env.home, '.claude');
}

function configDirSetting(account?: Pick<Account, 'settings'>): string | undefined {
  const v = account?.settings?.configDir;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Config folders in priority order: the account's own, else every entry of CLAUDE_CONFIG_DIR, then ~/.claude. */
function configDirs(env: CredentialEnv, account?: Pick<Account, 'settings'>): string[] {
  const own = configDirSetting(account);
  if (own) return [expandHome(own, env)];
  const fromEnv = (env.env.CLAUDE_CONFIG_DIR ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => expandHome(d, env));
  return [...new Set([...fromEnv, defaultDir(env)])];
}

function readOpts(env: CredentialEnv): ReadOptions {
  return { tool: TOOL, signInHint: HINT, env };
}

/** Validates the parsed `.credentials.json`; `now` undefined skips the expiry check (discovery). */
function parseCredentialsFile(data: unknown, file: string, env: CredentialEnv, now: number | undefined): ClaudeCredential {
  const shown = displayPath(file, env);
  const root = obj(data);
  const oauth = obj(root?.claudeAiOauth);
  if (!oauth) {
    const only = root && obj(root.mcpOAuth) ? ' (only MCP server sign-ins)' : '';
    throw new ProviderError('auth', `${shown} holds no Claude sign-in${only}. ${signInAgain(TOOL, HINT)}`);
  }
  const accessToken = str(oauth.accessToken);
  if (!accessToken) throw new ProviderError('auth', `${shown} holds no Claude access token. ${signInAgain(TOOL, HINT)}`);
  registerSecret(accessToken);
  const cred: ClaudeCredential = { accessToken };
  const expiresAt = numOf(oauth.expiresAt);
  if (expiresAt !== undefined) cred.expiresAt = expiresAt;
  if (Array.isArray(oauth.scopes)) cred.scopes = oauth.scopes.filter((s): s is string => typeof s === 'string');
  const sub = str(oauth.subscriptionType);
  if (sub) cred.subscriptionType = sub;
  const tier = str(oauth.rateLimitTier);
  if (tier) cred.rateLimitTier = tier;
  checkUsable(cred, now);
  return cred;
}

/** Expired or scope-less tokens cannot work: say so without calling the API. */
function checkUsable(cred: ClaudeCredential, now: number | undefined): void {
  if (now !== undefined && cred.expiresAt !== undefined && cred.expiresAt < now) {
    throw new ProviderError(
      'auth',
      `The Claude Code sign-in expired at ${new Date(cred.expiresAt).toISOString()} (Claude Code renews it while it runs; tokstat never does). ${signInAgain(TOOL, HINT)}`,
    );
  }
  if (cred.scopes && cred.scopes.length > 0 && !cred.scopes.includes(REQUIRED_SCOPE)) {
    throw new ProviderError('auth', SETUP_TOKEN_MESSAGE);
  }
}

/** The email from `.claude.json` (`oauthAccount.emailAddress`), for the account name; undefined when unreadable. */
async function readEmail(env: CredentialEnv, dir: string): Promise<string | undefined> {
  const files = dir === defaultDir(env) ? [path.join(env.home, '.claude.json'), path.join(dir, '.claude.json')] : [path.join(dir, '.claude.json')];
  for (const f of files) {
    try {
      // `.claude.json` also holds project history and can be large; it is only read for a name.
      const data = await readJsonFile(f, { ...readOpts(env), maxBytes: 32 * 1024 * 1024 });
      const email = str(obj(obj(data)?.oauthAccount)?.emailAddress);
      if (email) return email;
    } catch {
      /* a name is optional */
    }
  }
  return undefined;
}

async function readClaudeFile(env: CredentialEnv, file: string, now: number | undefined) {
  const found = await readFirstJson([file], readOpts(env));
  if (!found) return undefined;
  const cred = parseCredentialsFile(found.data, file, env, now);
  const dir = path.dirname(file);
  const email = await readEmail(env, dir);
  if (email) cred.email = email;
  const settings: Record<string, string> = {};
  if (dir !== defaultDir(env)) settings.configDir = dir;
  return { cred, settings, suggestedName: suggestedName(cred, email) };
}

/** The account name offered for a sign-in: its email, else "Claude (<plan>)", else "Claude". */
function suggestedName(cred: Pick<ClaudeCredential, 'subscriptionType'>, email: string | undefined): string {
  return email ?? (cred.subscriptionType ? `Claude (${cred.subscriptionType})` : 'Claude');
}

export const claudeCredentialSource: CredentialFileSource = {
  tool: TOOL,
  signInHint: HINT,
  candidates(env, account) {
    return configDirs(env, account).map((d) => path.join(d, '.credentials.json'));
  },
  async read(env, account) {
    const candidates = claudeCredentialSource.candidates(env, account);
    // On macOS Claude Code keeps its sign-in in the Keychain (a .credentials.json there is a leftover); only for the
    // default config folder, since the item's name for another CLAUDE_CONFIG_DIR is not known.
    const keychain = env.platform === 'darwin' && !configDirSetting(account) && !env.env.CLAUDE_CONFIG_DIR?.trim() ? env.keychainPassword : undefined;
    if (keychain) {
      const r = await readClaudeKeychain(keychain, env, Date.now());
      if (r) return r;
    }
    for (const file of candidates) {
      const r = await readClaudeFile(env, file, Date.now());
      if (!r) continue;
      return { credential: JSON.stringify(r.cred), suggestedName: r.suggestedName, settings: r.settings };
    }
    const where = [...(keychain ? [KEYCHAIN_LABEL] : []), ...candidates.map((c) => displayPath(c, env))].join(', ');
    const mac =
      env.platform === 'darwin' && !keychain
        ? ` On macOS Claude Code keeps its sign-in in the Keychain ("${CLAUDE_KEYCHAIN_SERVICE}"), which tokstat reads only for the default ~/.claude folder.`
        : '';
    throw new ProviderError('auth', `No Claude Code sign-in found (looked for ${where}). ${signInAgain(TOOL, HINT)}${mac}`);
  },
};


/** The sign-in in the macOS Keychain (same JSON as .credentials.json); undefined when there is no such item. */
async function readClaudeKeychain(
  keychainPassword: NonNullable<CredentialEnv['keychainPassword']>,
  env: CredentialEnv,
  now: number,
): Promise<{ credential: string; suggestedName: string } | undefined> {
  let text: string | undefined;
  try {
    text = await keychainPassword(CLAUDE_KEYCHAIN_SERVICE);
  } catch (e) {
    throw new ProviderError('config', `Could not read ${KEYCHAIN_LABEL} (${e instanceof Error ? e.message : String(e)}). Allow VS Code to use it when macOS asks, or run \`claude\` and /login again.`);
  }
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProviderError('auth', `${KEYCHAIN_LABEL} does not hold a Claude sign-in tokstat can read. ${signInAgain(TOOL, HINT)}`);
  }
  const cred = parseCredentialsFile(data, KEYCHAIN_LABEL, env, now);
  const email = await readEmail(env, defaultDir(env));
  if (email) cred.email = email;
  return { credential: JSON.stringify(cred), suggestedName: suggestedName(cred, email) };
}

function credentialFrom(ctx: ProviderContext): ClaudeCredential {
  const c = parseCredential(ctx.secret, TOOL, HINT);
  const accessToken = str(c.accessToken);
  if (!accessToken) throw new ProviderError('auth', `No Claude access token. ${signInAgain(TOOL, HINT)}`);
  const cred: ClaudeCredential = { accessToken };
  const exp = numOf(c.expiresAt);
  if (exp !== undefined) cred.expiresAt = exp;
  if (Array.isArray(c.scopes)) cred.scopes = c.scopes.filter((s): s is string => typeof s === 'string');
  for (const k of ['subscriptionType', 'rateLimitTier', 'email'] as const) {
    const v = str(c[k]);
    if (v) cred[k] = v;
  }
  return cred;
}

/** "Max 20x", "Max 5x", "Pro", "Team", … from the credentials' subscription type and rate-limit tier. */
export function claudePlanName(subscriptionType?: string, rateLimitTier?: string): string | undefined {
  const sub = subscriptionType?.trim().toLowerCase();
  const mult = /(\d+)x\b/i.exec(rateLimitTier ?? '')?.[1];
  if (!sub) return rateLimitTier?.trim() || undefined;
  const base = sub.charAt(0).toUpperCase() + sub.slice(1);
  return sub === 'max' && mult ? `Max ${mult}x` : base;
}

// ---------------------------------------------------------------------------------------------------------------
// The per-token "blocked until" gate

const blockedUntil = new Map<string, number>();

/** For tests: forget every per-token block. */
export function resetClaudeRateLimitGate(): void {
  blockedUntil.clear();
}

function checkGate(token: string, now: number): void {
  for (const [k, t] of blockedUntil) if (t <= now) blockedUntil.delete(k);
  const until = blockedUntil.get(tokenKey(token));
  if (until !== undefined && until > now) {
    throw new ProviderError(
      'rate-limited',
      `Claude usage is rate limited for this sign-in until ${new Date(until).toISOString()}; tokstat waits instead of asking again.`,
      { retryAt: until },
    );
  }
}

function block(token: string, now: number, retryAt: number | undefined): number {
  const until = retryAt === undefined ? now + DEFAULT_COOLDOWN_MS : Math.max(retryAt, now + MIN_COOLDOWN_MS);
  blockedUntil.set(tokenKey(token), until);
  return until;
}

// ---------------------------------------------------------------------------------------------------------------
// Usage

const optNum = z.nullish(num);
const optStr = z.nullish(z.string());

const windowSchema = z.nullish(
  z.object({
    utilization: optNum,
    resets_at: optStr,
    limit_dollars: optNum,
    used_dollars: optNum,
    remaining_dollars: optNum,
    locked_reason: optStr,
  }),
);

const limitSchema = z.object({
  kind: optStr,
  group: optStr,
  percent: optNum,
  severity: optStr,
  resets_at: optStr,
  scope: z.nullish(z.object({ model: z.nullish(z.object({ id: optStr, display_name: optStr })), surface: z.nullish(z.unknown()) })),
  is_active: z.nullish(bool),
});

const minorSchema = z.nullish(z.object({ amount_minor: optNum, currency: optStr, exponent: optNum }));

export const claudeUsageSchema = z.object({
  five_hour: windowSchema,
  seven_day: windowSchema,
  seven_day_opus: windowSchema,
  seven_day_sonnet: windowSchema,
  seven_day_oauth_apps: windowSchema,
  seven_day_cowork: windowSchema,
  seven_day_routines: windowSchema,
  limits: z.nullish(z.array(limitSchema)),
  extra_usage: z.nullish(
    z.object({
      is_enabled: z.nullish(bool),
      monthly_limit: optNum,
      used_credits: optNum,
      utilization: optNum,
      currency: optStr,
      decimal_places: optNum,
      disabled_reason: optStr,
      user_disabled: z.nullish(bool),
      spend_limit_reached: z.nullish(bool),
    }),
  ),
  spend: z.nullish(z.object({ used: minorSchema, limit: minorSchema, percent: optNum, enabled: z.nullish(bool) })),
});

export type ClaudeUsage = z.output<typeof claudeUsageSchema>;
type Window = NonNullable<ClaudeUsage['five_hour']>;

const FLAT_WINDOWS: ReadonlyArray<[keyof ClaudeUsage, string, string]> = [
  ['five_hour', 'five-hour', '5-hour session'],
  ['seven_day', 'seven-day', 'Weekly (all models)'],
  ['seven_day_opus', 'weekly-opus', 'Weekly (Opus)'],
  ['seven_day_sonnet', 'weekly-sonnet', 'Weekly (Sonnet)'],
  ['seven_day_oauth_apps', 'weekly-oauth-apps', 'Weekly (OAuth apps)'],
  ['seven_day_cowork', 'weekly-cowork', 'Weekly (Cowork)'],
  ['seven_day_routines', 'weekly-routines', 'Weekly (Routines)'],
];

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
}

function money(n: number): string {
  return `$${n.toFixed(2)}`;
}

function windowDetail(w: Window): string | undefined {
  const parts: string[] = [];
  if (w.locked_reason) parts.push(`Locked: ${w.locked_reason}`);
  if (w.used_dollars != null && w.limit_dollars != null) parts.push(`${money(w.used_dollars)} of ${money(w.limit_dollars)}`);
  else if (w.remaining_dollars != null) parts.push(`${money(w.remaining_dollars)} left`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** Maps `/api/oauth/usage` to meters. Null windows are omitted (never shown as 0 %). Exported for tests. */
export function claudeMeters(u: ClaudeUsage, capturedAt: number): Meter[] {
  const source = 'vendor-undocumented' as const;
  const meters: Meter[] = [];
  const seen = new Set<string>();
  const add = (m: Meter) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    meters.push(m);
  };
  for (const [key, id, label] of FLAT_WINDOWS) {
    const w = u[key] as Window | null | undefined;
    if (!w || w.utilization == null) continue;
    add(makeMeter({ id, label, kind: 'quota', unit: '%', source, capturedAt, percentUsed: w.utilization, resetsAt: parseVendorDate(w.resets_at), detail: windowDetail(w) }));
  }
  // The self-describing `limits[]`: per-model weekly caps (the flat `seven_day_*` may be null) and a fallback for
  // the session / weekly windows.
  for (const l of u.limits ?? []) {
    if (l.percent == null) continue;
    const kind = l.kind ?? '';
    let id: string | undefined;
    let label: string | undefined;
    if (kind === 'session') [id, label] = ['five-hour', '5-hour session'];
    else if (kind === 'weekly_all') [id, label] = ['seven-day', 'Weekly (all models)'];
    else if (kind === 'weekly_scoped') {
      const name = l.scope?.model?.display_name ?? l.scope?.model?.id ?? undefined;
      if (!name) continue;
      [id, label] = [`weekly-${slug(name)}`, `Weekly (${name})`];
    }
    if (!id || !label) continue;
    add(makeMeter({ id, label, kind: 'quota', unit: '%', source, capturedAt, percentUsed: l.percent, resetsAt: parseVendorDate(l.resets_at) }));
  }
  const extra = extraUsageMeter(u, capturedAt);
  if (extra) add(extra);
  return meters;
}

function extraUsageMeter(u: ClaudeUsage, capturedAt: number): Meter | undefined {
  const source = 'vendor-undocumented' as const;
  const e = u.extra_usage;
  if (e) {
    if (e.is_enabled === false) return undefined;
    const div = 10 ** Math.max(0, Math.min(6, Math.round(e.decimal_places ?? 2)));
    const used = e.used_credits != null ? e.used_credits / div : undefined;
    const limit = e.monthly_limit != null ? e.monthly_limit / div : undefined;
    if (used === undefined && limit === undefined) return undefined;
    const detail: string[] = ['pay-as-you-go beyond the plan, this month'];
    if (e.spend_limit_reached === true) detail.push('monthly spend limit reached');
    if (e.disabled_reason) detail.push(e.disabled_reason);
    return makeMeter({
      id: 'extra-usage',
      label: 'Extra usage',
      kind: 'spend',
      unit: (e.currency ?? 'USD').toUpperCase(),
      source,
      capturedAt,
      used,
      limit,
      percentUsed: e.utilization ?? undefined,
      detail: detail.join(' · '),
    });
  }
  const s = u.spend;
  if (s && s.enabled !== false && s.used?.amount_minor != null) {
    const exp = (x: { exponent?: number | null } | null | undefined) => 10 ** Math.max(0, Math.min(6, Math.round(x?.exponent ?? 2)));
    return makeMeter({
      id: 'extra-usage',
      label: 'Extra usage',
      kind: 'spend',
      unit: (s.used.currency ?? s.limit?.currency ?? 'USD').toUpperCase(),
      source,
      capturedAt,
      used: s.used.amount_minor / exp(s.used),
      limit: s.limit?.amount_minor != null ? s.limit.amount_minor / exp(s.limit) : undefined,
      percentUsed: s.percent ?? undefined,
      detail: 'pay-as-you-go beyond the plan, this month',
    });
  }
  return undefined;
}

function headers(token: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'anthropic-beta': 'oauth-2025-04-20',
    'anthropic-version': '2023-06-01',
    'user-agent': 'claude-code/2.1.0',
    accept: 'application/json',
  };
}

function mapClaudeError(res: HttpResponse, where: string): ProviderError | undefined {
  if (res.status === 401) {
    const msg = errorMessageFrom(res);
    return new ProviderError('auth', `Claude Code sign-in rejected (HTTP 401${msg ? `: ${msg}` : ''}). ${signInAgain(TOOL, HINT)} — ${where}`, { status: 401 });
  }
  if (res.status === 403) {
    const e = obj(errorBody(res)?.error);
    const msg = str(e?.message) ?? '';
    if (str(e?.type) === 'permission_error' && /scope/i.test(msg)) return new ProviderError('auth', SETUP_TOKEN_MESSAGE, { status: 403 });
  }
  return undefined;
}

async function fetchUsage(ctx: ProviderContext, cred: ClaudeCredential): Promise<ClaudeUsage> {
  const now = ctx.clock.now();
  checkUsable(cred, now);
  checkGate(cred.accessToken, now);
  try {
    const { data, body } = await requestVendorJson(ctx, { url: joinUrl(ctx.baseUrl, CLAUDE_USAGE_PATH), headers: headers(cred.accessToken) }, claudeUsageSchema, {
      secrets: [cred.accessToken],
      mapError: mapClaudeError,
    });
    const b = obj(body);
    if (b && !('five_hour' in b) && !('seven_day' in b) && !('limits' in b)) {
      throw new ProviderError('bad-response', `Unexpected response from ${CLAUDE_USAGE_PATH}: response.five_hour: missing (no usage windows in the payload)`);
    }
    blockedUntil.delete(tokenKey(cred.accessToken));
    return data;
  } catch (err) {
    if (err instanceof ProviderError && err.kind === 'rate-limited') {
      const until = block(cred.accessToken, ctx.clock.now(), err.retryAt);
      ctx.log.warn(`claude: usage endpoint rate limited; blocked until ${new Date(until).toISOString()}`);
      throw new ProviderError('rate-limited', `${err.message} — tokstat waits until ${new Date(until).toISOString()} before asking again.`, {
        status: err.status ?? 429,
        retryAt: until,
      });
    }
    throw err;
  }
}

const profileSchema = z.object({
  account: z.nullish(z.object({ uuid: optStr, email: optStr, email_address: optStr, display_name: optStr })),
  organization: z.nullish(z.object({ uuid: optStr, name: optStr, rate_limit_tier: optStr })),
});

/**
 * The account's email and id from `/api/oauth/profile` (at Add Account only: the id tells whether this sign-in is
 * already tracked, the email names it when `.claude.json` did not); failures are logged, never fatal.
 */
async function fetchProfile(ctx: ProviderContext, cred: ClaudeCredential): Promise<{ email?: string; accountKey?: string } | undefined> {
  try {
    const { data } = await requestVendorJson(ctx, { url: joinUrl(ctx.baseUrl, CLAUDE_PROFILE_PATH), headers: headers(cred.accessToken) }, profileSchema, {
      secrets: [cred.accessToken],
    });
    const email = data.account?.email ?? data.account?.email_address ?? undefined;
    const id = data.account?.uuid ? `account:${data.account.uuid}` : data.organization?.uuid ? `organization:${data.organization.uuid}` : undefined;
    return { ...(email ? { email } : {}), ...(id ? { accountKey: id } : {}) };
  } catch (err) {
    const e = err instanceof ProviderError ? scrubAll(err, [cred.accessToken]) : undefined;
    if (e?.kind === 'cancelled') throw e;
    ctx.log.warn(`claude: could not read the profile: ${e?.message ?? 'error'}`);
    return undefined;
  }
}

export const claudeProvider: ProviderDefinition = {
  id: 'claude',
  displayName: 'Claude plan (Claude Code)',
  description: '5-hour and weekly limits of a Claude Pro/Max/Team plan, read with Claude Code’s sign-in (undocumented endpoint)',
  ...credentialFilePlan({
    authLabel: 'needs Claude Code signed in',
    credentialFile: claudeCredentialSource,
    home: { key: 'configDir', label: 'Claude Code config folder', prompt: 'Folder holding Claude Code’s .credentials.json (leave empty for ~/.claude or CLAUDE_CONFIG_DIR)', placeholder: '~/.claude' },
  }),
  defaultBaseUrl: () => 'https://api.anthropic.com',
  defaultPollSeconds: 300,
  minPollSeconds: 180,
  icon: 'hubot',
  endpoints: [
    { path: CLAUDE_USAGE_PATH, official: false },
    { path: CLAUDE_PROFILE_PATH, official: false },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const cred = credentialFrom(ctx);
    const usage = await fetchUsage(ctx, cred);
    const meters = claudeMeters(usage, ctx.clock.now());
    ctx.log.debug(`claude: ${meters.length} meter(s) from ${CLAUDE_USAGE_PATH}`);
    const result: FetchResult = { meters };
    const plan = claudePlanName(cred.subscriptionType, cred.rateLimitTier);
    if (plan) result.plan = plan;
    if (cred.email) result.identity = cred.email;
    return result;
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    const cred = credentialFrom(ctx);
    await fetchUsage(ctx, cred);
    const profile = await fetchProfile(ctx, cred);
    const email = cred.email ?? profile?.email;
    const info: ConnectionInfo = {};
    if (profile?.accountKey) info.accountKey = profile.accountKey;
    const plan = claudePlanName(cred.subscriptionType, cred.rateLimitTier);
    if (plan) info.plan = plan;
    info.suggestedName = suggestedName(cred, email);
    if (email) info.identity = email;
    return info;
  },
};

