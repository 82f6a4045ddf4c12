// Codex / ChatGPT plan limits from the undocumented `GET {chatgpt}/backend-api/wham/usage` (provider-apis.md §5), with
// the Codex CLI's own sign-in read from `$CODEX_HOME/auth.json` or `~/.codex/auth.json` before every poll.
//
// Never refreshes (Codex CLI owns the token; refreshing rotates it and signs the user out of Codex). `used_percent` is
// 0–100 **used**; `reset_at` is epoch **seconds**; `credits.balance` may be a number or a numeric string.
import * as path from 'node:path';
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError } from '../errors';
import type { HttpResponse } from '../http';
import { makeMeter, type Account, type Meter } from '../../shared/model';
import { registerSecret } from '../redact';
import {
  credentialFilePlan,
  decodeJwtPayload,
  displayPath,
  errorBody,
  expandHome,
  numOf,
  obj,
  parseCredential,
  readFirstJson,
  requestVendorJson,
  signInAgain,
  str,
  type ReadOptions,
} from './credentialFiles';
import { bool, errorMessageFrom, num } from './json';
import type { ConnectionInfo, CredentialEnv, CredentialFileSource, FetchResult, ProviderContext, ProviderDefinition } from './types';

export const CODEX_USAGE_PATH = '/wham/usage';
/** What Codex calls when the configured ChatGPT base URL has no `/backend-api`. */
export const CODEX_ALT_USAGE_PATH = '/api/codex/usage';
const TOOL = 'Codex CLI';
const HINT = 'run `codex login`';
const AUTH_CLAIM = 'https://api.openai.com/auth';
const PROFILE_CLAIM = 'https://api.openai.com/profile';

// ---------------------------------------------------------------------------------------------------------------
// Credentials

interface CodexCredential {
  accessToken: string;
  accountId?: string;
  email?: string;
  plan?: string;
  /** Epoch ms from the access token's `exp`, when it is a readable JWT. */
  expiresAt?: number;
}

function homeSetting(account?: Pick<Account, 'settings'>): string | undefined {
  const v = account?.settings?.codexHome;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function defaultHome(env: CredentialEnv): string {
  return path.join(env.home, '.codex');
}

function readOpts(env: CredentialEnv): ReadOptions {
  return { tool: TOOL, signInHint: HINT, env };
}

/** Validates a parsed `auth.json`; `now` undefined skips the expiry check (discovery). */
function parseAuthFile(data: unknown, file: string, env: CredentialEnv, now: number | undefined): CodexCredential {
  const shown = displayPath(file, env);
  const root = obj(data);
  if (!root) throw new ProviderError('auth', `${shown} holds no Codex sign-in. ${signInAgain(TOOL, HINT)}`);
  const mode = str(root.auth_mode)?.toLowerCase();
  const tokens = obj(root.tokens);
  if (mode === 'apikey' || mode === 'api_key' || (!tokens && str(root.OPENAI_API_KEY))) {
    throw new ProviderError('config', 'Codex is signed in with an API key: there are no plan limits to read. Sign in to Codex with ChatGPT (run `codex login`) to see them.');
  }
  const accessToken = str(tokens?.access_token);
  if (!accessToken) throw new ProviderError('auth', `${shown} holds no ChatGPT access token. ${signInAgain(TOOL, HINT)}`);
  registerSecret(accessToken);
  const cred: CodexCredential = { accessToken };
  const idClaims = decodeJwtPayload(str(tokens?.id_token));
  const accessClaims = decodeJwtPayload(accessToken);
  const accountId =
    str(tokens?.account_id) ?? str(obj(idClaims?.[AUTH_CLAIM])?.chatgpt_account_id) ?? str(obj(accessClaims?.[AUTH_CLAIM])?.chatgpt_account_id);
  if (accountId) cred.accountId = accountId;
  const email = str(idClaims?.email) ?? str(obj(idClaims?.[PROFILE_CLAIM])?.email) ?? str(obj(accessClaims?.[PROFILE_CLAIM])?.email);
  if (email) cred.email = email;
  const plan = str(obj(idClaims?.[AUTH_CLAIM])?.chatgpt_plan_type);
  if (plan) cred.plan = plan;
  const exp = numOf(accessClaims?.exp);
  if (exp !== undefined) cred.expiresAt = exp * 1000;
  checkUsable(cred, now);
  return cred;
}

function checkUsable(cred: CodexCredential, now: number | undefined): void {
  if (now !== undefined && cred.expiresAt !== undefined && cred.expiresAt < now) {
    throw new ProviderError(
      'auth',
      `The Codex sign-in expired at ${new Date(cred.expiresAt).toISOString()} (Codex renews it while it runs; tokstat never does). ${signInAgain(TOOL, HINT)}`,
    );
  }
}

async function readCodexFile(env: CredentialEnv, file: string, now: number | undefined) {
  const found = await readFirstJson([file], readOpts(env));
  if (!found) return undefined;
  const cred = parseAuthFile(found.data, file, env, now);
  const dir = path.dirname(file);
  const settings: Record<string, string> = {};
  if (dir !== defaultHome(env)) settings.codexHome = dir;
  return { cred, settings, suggestedName: cred.email ?? 'Codex (ChatGPT)' };
}

export const codexCredentialSource: CredentialFileSource = {
  tool: TOOL,
  signInHint: HINT,
  candidates(env, account) {
    const own = homeSetting(account);
    if (own) return [path.join(expandHome(own, env), 'auth.json')];
    const fromEnv = env.env.CODEX_HOME?.trim();
    return [path.join(fromEnv ? expandHome(fromEnv, env) : defaultHome(env), 'auth.json')];
  },
  async read(env, account) {
    const candidates = codexCredentialSource.candidates(env, account);
    for (const file of candidates) {
      const r = await readCodexFile(env, file, Date.now());
      if (r) return { credential: JSON.stringify(r.cred), suggestedName: r.suggestedName, settings: r.settings };
    }
    const where = candidates.map((c) => displayPath(c, env)).join(', ');
    throw new ProviderError(
      'auth',
      `No Codex CLI sign-in found (looked for ${where}). ${signInAgain(TOOL, HINT)} If Codex keeps its sign-in in the system keyring (cli_auth_credentials_store = "keyring"), tokstat cannot read it.`,
    );
  },
};


function credentialFrom(ctx: ProviderContext): CodexCredential {
  const c = parseCredential(ctx.secret, TOOL, HINT);
  const accessToken = str(c.accessToken);
  if (!accessToken) throw new ProviderError('auth', `No ChatGPT access token. ${signInAgain(TOOL, HINT)}`);
  const cred: CodexCredential = { accessToken };
  for (const k of ['accountId', 'email', 'plan'] as const) {
    const v = str(c[k]);
    if (v) cred[k] = v;
  }
  const exp = numOf(c.expiresAt);
  if (exp !== undefined) cred.expiresAt = exp;
  return cred;
}

// ---------------------------------------------------------------------------------------------------------------
// Usage

const optNum = z.nullish(num);
const optStr = z.nullish(z.string());
const optBool = z.nullish(bool);

const windowSchema = z.nullish(
  z.object({
    used_percent: num,
    limit_window_seconds: optNum,
    reset_after_seconds: optNum,
    reset_at: optNum,
  }),
);

const rateLimitSchema = z.object({
  allowed: optBool,
  limit_reached: optBool,
  primary_window: windowSchema,
  secondary_window: windowSchema,
});

export const codexUsageSchema = z.object({
  email: optStr,
  account_id: optStr,
  plan_type: optStr,
  // Present (possibly null) in every captured payload: its absence means this is not the usage answer.
  rate_limit: z.nullable(rateLimitSchema),
  code_review_rate_limit: z.nullish(rateLimitSchema),
  additional_rate_limits: z.nullish(
    z.array(z.object({ limit_name: optStr, metered_feature: optStr, rate_limit: z.nullish(rateLimitSchema) })),
  ),
  credits: z.nullish(
    z.object({
      has_credits: optBool,
      unlimited: optBool,
      balance: optNum,
      approx_local_messages: z.nullish(z.unknown()),
      approx_cloud_messages: z.nullish(z.unknown()),
    }),
  ),
});

export type CodexUsage = z.output<typeof codexUsageSchema>;
type RateLimit = z.output<typeof rateLimitSchema>;
type Window = NonNullable<RateLimit['primary_window']>;

const PLAN_NAMES: Record<string, string> = {
  guest: 'Guest',
  free: 'Free',
  go: 'Go',
  plus: 'Plus',
  pro: 'Pro',
  free_workspace: 'Free workspace',
  team: 'Team',
  business: 'Business',
  education: 'Edu',
  edu: 'Edu',
  quorum: 'Quorum',
  k12: 'K-12',
  enterprise: 'Enterprise',
};

export function codexPlanName(planType: string | null | undefined): string | undefined {
  const p = planType?.trim().toLowerCase();
  if (!p) return undefined;
  return PLAN_NAMES[p] ?? p.charAt(0).toUpperCase() + p.slice(1).replace(/_/g, ' ');
}

/** "5-hour", "weekly", "daily", "3-day", … from a window length in seconds. */
export function windowName(seconds: number | null | undefined): string | undefined {
  if (seconds == null || !(seconds > 0)) return undefined;
  if (seconds === 604_800) return 'weekly';
  if (seconds === 86_400) return 'daily';
  if (seconds % 86_400 === 0) return `${seconds / 86_400}-day`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600}-hour`;
  return `${Math.round(seconds / 60)}-minute`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'limit';
}

function resetOf(w: Window, now: number): number | undefined {
  if (w.reset_at != null && w.reset_at > 0) return w.reset_at * 1000;
  if (w.reset_after_seconds != null && w.reset_after_seconds >= 0) return now + w.reset_after_seconds * 1000;
  return undefined;
}

function approx(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return `${v[0]}–${v[1]}`;
  return undefined;
}

/** Maps `/wham/usage` to meters. Exported for tests. */
export function codexMeters(u: CodexUsage, capturedAt: number): Meter[] {
  const source = 'vendor-undocumented' as const;
  const meters: Meter[] = [];
  const windowMeter = (w: Window | null | undefined, id: string, label: (name: string | undefined) => string, extra?: string) => {
    if (!w) return;
    const name = windowName(w.limit_window_seconds);
    const detail = [extra, w.used_percent >= 100 ? 'limit reached' : undefined].filter(Boolean).join(' · ');
    // The window's length (5 h, a week) is stated: pace needs it, the gap between two resets is no substitute.
    const windowMs = w.limit_window_seconds != null && w.limit_window_seconds > 0 ? w.limit_window_seconds * 1000 : undefined;
    meters.push(makeMeter({ id, label: label(name), kind: 'quota', unit: '%', source, capturedAt, percentUsed: w.used_percent, resetsAt: resetOf(w, capturedAt), detail, windowMs }));
  };
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const rl = u.rate_limit;
  if (rl) {
    windowMeter(rl.primary_window, 'five-hour', (n) => (n ? `${cap(n)} limit` : '5-hour limit'));
    windowMeter(rl.secondary_window, 'weekly', (n) => (n ? `${cap(n)} limit` : 'Weekly limit'));
  }
  const cr = u.code_review_rate_limit;
  if (cr) {
    windowMeter(cr.primary_window, 'code-review', (n) => (n ? `Code review (${n})` : 'Code review'));
    windowMeter(cr.secondary_window, 'code-review-secondary', (n) => (n ? `Code review (${n})` : 'Code review (long window)'));
  }
  for (const a of u.additional_rate_limits ?? []) {
    const name = a.limit_name ?? a.metered_feature ?? undefined;
    if (!name || !a.rate_limit) continue;
    const id = slug(name);
    windowMeter(a.rate_limit.primary_window, `${id}-primary`, (n) => (n ? `${name} (${n})` : name));
    windowMeter(a.rate_limit.secondary_window, `${id}-secondary`, (n) => (n ? `${name} (${n})` : `${name} (long window)`));
  }
  const c = u.credits;
  if (c && (c.unlimited === true || c.has_credits !== false)) {
    const local = approx(c.approx_local_messages);
    const cloud = approx(c.approx_cloud_messages);
    const parts = [local ? `≈ ${local} local messages` : undefined, cloud ? `≈ ${cloud} cloud messages` : undefined].filter(Boolean);
    if (c.unlimited === true) {
      meters.push(makeMeter({ id: 'credits', label: 'Credits', kind: 'credits', unit: 'credits', source, capturedAt, unlimited: true }));
    } else if (c.balance != null) {
      meters.push(
        makeMeter({ id: 'credits', label: 'Credits', kind: 'credits', unit: 'credits', source, capturedAt, remaining: c.balance, detail: parts.length ? parts.join(' · ') : undefined }),
      );
    }
  }
  return meters;
}

function usagePath(baseUrl: string): string {
  return /\/backend-api(\/|$)/.test(baseUrl) ? CODEX_USAGE_PATH : CODEX_ALT_USAGE_PATH;
}

/** A Cloudflare bot-check page (`cf-mitigated: challenge`, or the challenge markup) rather than an API answer. */
export function isCloudflareChallenge(res: HttpResponse): boolean {
  if ((res.headers['cf-mitigated'] ?? '').toLowerCase().includes('challenge')) return true;
  const t = res.text.trimStart();
  return t.startsWith('<') && /challenge-platform|cf-chl|cf_chl_opt|Just a moment\.\.\./i.test(t);
}

function mapCodexError(res: HttpResponse, where: string): ProviderError | undefined {
  if (isCloudflareChallenge(res)) {
    return new ProviderError(
      'bad-response',
      `A Cloudflare challenge page instead of JSON (HTTP ${res.status}) from ${where}: ChatGPT's bot protection stopped the request. tokstat will try again later; if it persists, open chatgpt.com in a browser or use Codex once.`,
      { status: res.status },
    );
  }
  if (res.status === 401 || res.status === 403) {
    const body = errorBody(res);
    const msg = errorMessageFrom(res) ?? str(body?.detail);
    return new ProviderError('auth', `Codex sign-in rejected (HTTP ${res.status}${msg ? `: ${msg}` : ''}). The token expired or was revoked: ${HINT}. — ${where}`, {
      status: res.status,
    });
  }
  return undefined;
}

async function fetchUsage(ctx: ProviderContext, cred: CodexCredential): Promise<CodexUsage> {
  checkUsable(cred, ctx.clock.now());
  const headers: Record<string, string> = {
    authorization: `Bearer ${cred.accessToken}`,
    'user-agent': 'codex_cli_rs/0.50.0',
    accept: 'application/json',
  };
  if (cred.accountId) headers['chatgpt-account-id'] = cred.accountId;
  const { data } = await requestVendorJson(ctx, { url: joinUrl(ctx.baseUrl, usagePath(ctx.baseUrl)), headers }, codexUsageSchema, {
    secrets: [cred.accessToken],
    mapError: mapCodexError,
  });
  return data;
}

export const codexProvider: ProviderDefinition = {
  id: 'codex',
  displayName: 'Codex (ChatGPT plan)',
  description: '5-hour and weekly Codex limits and credits of a ChatGPT plan, read with the Codex CLI’s sign-in (undocumented endpoint)',
  ...credentialFilePlan({
    authLabel: 'needs Codex CLI signed in with ChatGPT',
    credentialFile: codexCredentialSource,
    home: { key: 'codexHome', label: 'Codex home folder', prompt: 'Folder holding the Codex CLI’s auth.json (leave empty for ~/.codex or CODEX_HOME)', placeholder: '~/.codex' },
  }),
  defaultBaseUrl: () => 'https://chatgpt.com/backend-api',
  defaultPollSeconds: 300,
  minPollSeconds: 120,
  icon: 'terminal',
  endpoints: [{ path: CODEX_USAGE_PATH, official: false }],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const cred = credentialFrom(ctx);
    const u = await fetchUsage(ctx, cred);
    const meters = codexMeters(u, ctx.clock.now());
    ctx.log.debug(`codex: ${meters.length} meter(s) from ${CODEX_USAGE_PATH}`);
    const result: FetchResult = { meters };
    const plan = codexPlanName(u.plan_type ?? cred.plan);
    if (plan) result.plan = plan;
    const email = u.email ?? cred.email;
    if (email) result.identity = email;
    return result;
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    const cred = credentialFrom(ctx);
    const u = await fetchUsage(ctx, cred);
    const info: ConnectionInfo = {};
    const email = cred.email ?? u.email ?? undefined;
    info.suggestedName = email ?? 'Codex (ChatGPT)';
    if (email) info.identity = email;
    // The ChatGPT account the sign-in belongs to: one account per Codex sign-in in tokstat.
    const accountId = cred.accountId ?? u.account_id;
    if (accountId) info.accountKey = `account:${accountId}`;
    const plan = codexPlanName(u.plan_type ?? cred.plan);
    if (plan) info.plan = plan;
    return info;
  },
};
