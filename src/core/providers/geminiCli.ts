// Gemini CLI (Google sign-in / Gemini Code Assist) per-model quotas from the undocumented Cloud Code endpoints
// `POST /v1internal:loadCodeAssist` then `POST /v1internal:retrieveUserQuota` (provider-apis.md §6.2), with the Gemini
// CLI's own sign-in read from `oauth_creds.json` in the account's Gemini CLI home (`geminiHome`, else
// `$GEMINI_CLI_HOME/.gemini` or `~/.gemini`) before every poll.
//
// Never refreshes (the CLI owns the token): an expired access token is reported as "sign in again" without calling.
// `remainingFraction` is 0–1 **remaining**; the lowest bucket per model wins. Google's JSON omits default values, so
// a bucket without `remainingFraction` is unknown (never shown as 0 % or 100 %) unless `remainingAmount` says 0.
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
  readJsonFile,
  requestVendorJson,
  signInAgain,
  str,
  type ReadOptions,
} from './credentialFiles';
import { errorMessageFrom, num, parseVendorDate } from './json';
import type { ConnectionInfo, CredentialEnv, CredentialFileSource, FetchResult, ProviderContext, ProviderDefinition } from './types';

export const GEMINI_LOAD_PATH = '/v1internal:loadCodeAssist';
export const GEMINI_QUOTA_PATH = '/v1internal:retrieveUserQuota';
const TOOL = 'Gemini CLI';
const HINT = 'run `gemini`';
export const GEMINI_LOAD_BODY = { metadata: { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } };

const UNSUPPORTED_MESSAGE =
  'Google no longer serves the Gemini CLI’s Google sign-in for this account (UNSUPPORTED_CLIENT / IneligibleTierError): since 2026-06-18 ' +
  'individual, Google AI Pro and Google AI Ultra accounts are refused; only Gemini Code Assist Standard / Enterprise (Workspace) accounts still work. ' +
  'There is no Gemini CLI quota to read for this sign-in.';

// ---------------------------------------------------------------------------------------------------------------
// Credentials

interface GeminiCredential {
  accessToken: string;
  expiresAt?: number;
  email?: string;
  /** Google Cloud project from GOOGLE_CLOUD_PROJECT, used when loadCodeAssist names none (Workspace accounts). */
  project?: string;
}

/**
 * The folder holding the sign-in: the account's own `geminiHome`, else `~/.gemini` (the Gemini CLI honours
 * GEMINI_CLI_HOME as its home folder).
 */
export function geminiDir(env: CredentialEnv, account?: Pick<Account, 'settings'>): string {
  const own = account?.settings?.geminiHome;
  if (typeof own === 'string' && own.trim()) return expandHome(own.trim(), env);
  const h = env.env.GEMINI_CLI_HOME?.trim();
  return path.join(h ? expandHome(h, env) : env.home, '.gemini');
}

function readOpts(env: CredentialEnv): ReadOptions {
  return { tool: TOOL, signInHint: HINT, env };
}

/** The auth type chosen in `settings.json` (`security.auth.selectedType`, or the older `selectedAuthType`). */
async function selectedAuthType(env: CredentialEnv, dir: string): Promise<string | undefined> {
  try {
    const s = obj(await readJsonFile(path.join(dir, 'settings.json'), readOpts(env)));
    return str(obj(obj(s?.security)?.auth)?.selectedType) ?? str(s?.selectedAuthType);
  } catch {
    // The settings only refine the message; an unreadable settings file is the CLI's problem, not ours.
    return undefined;
  }
}

async function activeAccount(env: CredentialEnv, dir: string): Promise<string | undefined> {
  try {
    return str(obj(await readJsonFile(path.join(dir, 'google_accounts.json'), readOpts(env)))?.active);
  } catch {
    return undefined;
  }
}

/** Reads `file` with the settings and accounts files of the same folder. */
async function readGeminiFile(env: CredentialEnv, file: string, now: number | undefined) {
  const dir = path.dirname(file);
  const type = (await selectedAuthType(env, dir))?.toLowerCase();
  if (type === 'gemini-api-key' || type === 'vertex-ai') {
    throw new ProviderError(
      'config',
      'Gemini CLI uses an API key: AI Studio keys have no usage endpoint (and Vertex AI quotas live in Google Cloud). Only the "Login with Google" sign-in has quotas tokstat can read.',
    );
  }
  const data = await readJsonFile(file, readOpts(env));
  if (data === undefined) return undefined;
  const shown = displayPath(file, env);
  const o = obj(data);
  const accessToken = str(o?.access_token);
  if (!accessToken) throw new ProviderError('auth', `${shown} holds no Google access token. ${signInAgain(TOOL, HINT)}`);
  registerSecret(accessToken);
  const cred: GeminiCredential = { accessToken };
  const exp = numOf(o?.expiry_date);
  if (exp !== undefined) cred.expiresAt = exp;
  checkUsable(cred, now);
  const email = str(decodeJwtPayload(str(o?.id_token))?.email) ?? (await activeAccount(env, dir));
  if (email) cred.email = email;
  const project = str(env.env.GOOGLE_CLOUD_PROJECT) ?? str(env.env.GOOGLE_CLOUD_PROJECT_ID);
  if (project) cred.project = project;
  return { cred, suggestedName: email ?? 'Gemini CLI' };
}

function checkUsable(cred: GeminiCredential, now: number | undefined): void {
  if (now !== undefined && cred.expiresAt !== undefined && cred.expiresAt < now) {
    throw new ProviderError(
      'auth',
      `The Gemini CLI access token expired at ${new Date(cred.expiresAt).toISOString()} (the CLI renews it while it runs; tokstat never does). ${signInAgain(TOOL, HINT)}`,
    );
  }
}

export const geminiCredentialSource: CredentialFileSource = {
  tool: TOOL,
  signInHint: HINT,
  candidates(env, account) {
    return [path.join(geminiDir(env, account), 'oauth_creds.json')];
  },
  async read(env, account) {
    const candidates = geminiCredentialSource.candidates(env, account);
    for (const file of candidates) {
      const r = await readGeminiFile(env, file, Date.now());
      if (r) return { credential: JSON.stringify(r.cred), suggestedName: r.suggestedName };
    }
    const where = candidates.map((c) => displayPath(c, env)).join(', ');
    throw new ProviderError('auth', `No Gemini CLI Google sign-in found (looked for ${where}). ${signInAgain(TOOL, HINT)}`);
  },
};


function credentialFrom(ctx: ProviderContext): GeminiCredential {
  const c = parseCredential(ctx.secret, TOOL, HINT);
  const accessToken = str(c.accessToken);
  if (!accessToken) throw new ProviderError('auth', `No Google access token. ${signInAgain(TOOL, HINT)}`);
  const cred: GeminiCredential = { accessToken };
  const exp = numOf(c.expiresAt);
  if (exp !== undefined) cred.expiresAt = exp;
  for (const k of ['email', 'project'] as const) {
    const v = str(c[k]);
    if (v) cred[k] = v;
  }
  return cred;
}

// ---------------------------------------------------------------------------------------------------------------
// Code Assist

const optStr = z.nullish(z.string());
const tierSchema = z.nullish(z.object({ id: optStr, name: optStr }));

export const loadCodeAssistSchema = z.object({
  currentTier: tierSchema,
  paidTier: tierSchema,
  allowedTiers: z.nullish(z.array(z.object({ id: optStr, name: optStr, isDefault: z.nullish(z.boolean()) }))),
  ineligibleTiers: z.nullish(z.array(z.object({ reasonCode: optStr, reasonMessage: optStr, tierId: optStr, tierName: optStr }))),
  cloudaicompanionProject: z.nullish(z.union([z.string(), z.object({ id: optStr, projectId: optStr, name: optStr })])),
});

export const retrieveUserQuotaSchema = z.object({
  // Google's JSON omits an empty list, so a missing `buckets` means "no quota buckets", not a broken answer.
  buckets: z.nullish(
    z.array(
      z.object({
        modelId: z.string().check(z.minLength(1)),
        tokenType: optStr,
        remainingFraction: z.nullish(num),
        remainingAmount: z.nullish(z.union([z.string(), z.number()])),
        resetTime: optStr,
      }),
    ),
  ),
});

export type LoadCodeAssist = z.output<typeof loadCodeAssistSchema>;
export type UserQuota = z.output<typeof retrieveUserQuotaSchema>;

const TIER_NAMES: Record<string, string> = { 'free-tier': 'Free', 'standard-tier': 'Standard', 'legacy-tier': 'Legacy' };

export function geminiPlanName(l: LoadCodeAssist): string | undefined {
  const name = l.paidTier?.name ?? l.currentTier?.name ?? undefined;
  if (name) return name;
  const id = l.paidTier?.id ?? l.currentTier?.id ?? undefined;
  return id ? (TIER_NAMES[id] ?? id) : undefined;
}

function projectOf(l: LoadCodeAssist): string | undefined {
  const p = l.cloudaicompanionProject;
  if (typeof p === 'string') return p.trim() || undefined;
  return p?.id ?? p?.projectId ?? undefined;
}

/** "gemini-2.5-pro" → "Gemini 2.5 Pro". */
export function modelLabel(id: string): string {
  return id
    .split(/[-_]/)
    .filter(Boolean)
    .map((w) => (/^\d/.test(w) ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/** One meter per model from the lowest remaining fraction among its buckets. Exported for tests. */
export function geminiMeters(q: UserQuota, capturedAt: number): Meter[] {
  const best = new Map<string, { fraction: number; resetsAt?: number; tokenType?: string; amount?: number }>();
  for (const b of q.buckets ?? []) {
    const amount = numOf(b.remainingAmount);
    const fraction = b.remainingFraction ?? (amount === 0 ? 0 : undefined);
    if (fraction === undefined) continue;
    const prev = best.get(b.modelId);
    if (prev && prev.fraction <= fraction) continue;
    const entry: { fraction: number; resetsAt?: number; tokenType?: string; amount?: number } = { fraction };
    const r = parseVendorDate(b.resetTime);
    if (r !== undefined) entry.resetsAt = r;
    if (b.tokenType) entry.tokenType = b.tokenType;
    if (amount !== undefined) entry.amount = amount;
    best.set(b.modelId, entry);
  }
  const meters: Meter[] = [];
  for (const [id, e] of best) {
    const parts: string[] = [];
    if (e.tokenType) parts.push(e.tokenType.toLowerCase().replace(/_/g, ' '));
    if (e.amount !== undefined) parts.push(`${e.amount} left`);
    meters.push(
      makeMeter({
        id: `model:${id}`,
        label: modelLabel(id),
        kind: 'quota',
        unit: '%',
        source: 'vendor-undocumented',
        capturedAt,
        percentUsed: (1 - Math.min(1, Math.max(0, e.fraction))) * 100,
        resetsAt: e.resetsAt,
        detail: parts.length ? parts.join(' · ') : undefined,
        // Code Assist quotas are daily: a 24-hour window ends at the reset.
        windowMs: e.resetsAt !== undefined ? 86_400_000 : undefined,
      }),
    );
  }
  return meters;
}

/** `RetryInfo.retryDelay` ("29.7s") from a Google error envelope → epoch ms. */
export function googleRetryAt(body: Record<string, unknown> | undefined, now: number): number | undefined {
  const details = obj(body?.error)?.details;
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    const delay = str(obj(d)?.retryDelay);
    const m = delay ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    if (m) return now + Math.round(Number(m[1]) * 1000);
  }
  return undefined;
}

function mentionsUnsupported(res: HttpResponse): boolean {
  return /UNSUPPORTED_CLIENT|IneligibleTier/i.test(res.text);
}

function mapGoogleError(res: HttpResponse, where: string, now: number): ProviderError | undefined {
  const msg = errorMessageFrom(res);
  if (res.status >= 400 && res.status < 500 && res.status !== 429 && mentionsUnsupported(res)) {
    return new ProviderError('forbidden', UNSUPPORTED_MESSAGE, { status: res.status });
  }
  if (res.status === 401) {
    return new ProviderError('auth', `Gemini CLI sign-in rejected (HTTP 401${msg ? `: ${msg}` : ''}). ${signInAgain(TOOL, HINT)} — ${where}`, { status: 401 });
  }
  if (res.status === 429 && res.headers['retry-after'] === undefined) {
    const at = googleRetryAt(errorBody(res), now);
    return new ProviderError('rate-limited', `Rate limited (HTTP 429)${msg ? `: ${msg}` : ''} — ${where}`, at !== undefined ? { status: 429, retryAt: at } : { status: 429 });
  }
  return undefined;
}

function headers(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
}

async function loadCodeAssist(ctx: ProviderContext, cred: GeminiCredential): Promise<LoadCodeAssist> {
  checkUsable(cred, ctx.clock.now());
  const { data } = await requestVendorJson(
    ctx,
    { method: 'POST', url: joinUrl(ctx.baseUrl, GEMINI_LOAD_PATH), headers: headers(cred.accessToken), body: JSON.stringify(GEMINI_LOAD_BODY) },
    loadCodeAssistSchema,
    { secrets: [cred.accessToken], mapError: mapGoogleError },
  );
  if (!data.currentTier && !data.paidTier && (data.ineligibleTiers?.length ?? 0) > 0) {
    const reasons = (data.ineligibleTiers ?? []).map((t) => t.reasonMessage ?? t.reasonCode).filter(Boolean);
    const unsupported = (data.ineligibleTiers ?? []).some((t) => (t.reasonCode ?? '').toUpperCase() === 'UNSUPPORTED_CLIENT');
    const why = reasons.length ? ` Google says: ${reasons.join('; ')}.` : '';
    throw new ProviderError('forbidden', unsupported ? `${UNSUPPORTED_MESSAGE}${why}` : `This Google account has no Gemini Code Assist tier.${why}`);
  }
  return data;
}

async function retrieveQuota(ctx: ProviderContext, cred: GeminiCredential, project: string): Promise<UserQuota> {
  const { data } = await requestVendorJson(
    ctx,
    { method: 'POST', url: joinUrl(ctx.baseUrl, GEMINI_QUOTA_PATH), headers: headers(cred.accessToken), body: JSON.stringify({ project }) },
    retrieveUserQuotaSchema,
    { secrets: [cred.accessToken], mapError: mapGoogleError },
  );
  return data;
}

async function fetchAll(ctx: ProviderContext): Promise<{ cred: GeminiCredential; load: LoadCodeAssist; quota: UserQuota }> {
  const cred = credentialFrom(ctx);
  const load = await loadCodeAssist(ctx, cred);
  const project = projectOf(load) ?? cred.project;
  if (!project) {
    throw new ProviderError(
      'config',
      'Gemini Code Assist named no Google Cloud project for this account. Run `gemini` once to finish setting it up (Workspace accounts: set GOOGLE_CLOUD_PROJECT).',
    );
  }
  const quota = await retrieveQuota(ctx, cred, project);
  return { cred, load, quota };
}

export const geminiCliProvider: ProviderDefinition = {
  id: 'gemini-cli',
  displayName: 'Gemini CLI (Google sign-in)',
  description: 'Per-model daily quotas of Gemini Code Assist, read with the Gemini CLI’s Google sign-in (undocumented endpoint)',
  ...credentialFilePlan({
    authLabel: 'needs Gemini CLI signed in with Google',
    credentialFile: geminiCredentialSource,
    home: { key: 'geminiHome', label: 'Gemini CLI folder', prompt: 'Folder holding the Gemini CLI’s oauth_creds.json (leave empty for ~/.gemini or GEMINI_CLI_HOME/.gemini)', placeholder: '~/.gemini' },
  }),
  defaultBaseUrl: () => 'https://cloudcode-pa.googleapis.com',
  defaultPollSeconds: 600,
  minPollSeconds: 120,
  icon: 'star-empty',
  endpoints: [
    { path: GEMINI_LOAD_PATH, official: false },
    { path: GEMINI_QUOTA_PATH, official: false },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const { cred, load, quota } = await fetchAll(ctx);
    if (!quota.buckets) ctx.log.warn('gemini-cli: retrieveUserQuota returned no buckets');
    const meters = geminiMeters(quota, ctx.clock.now());
    ctx.log.debug(`gemini-cli: ${meters.length} meter(s) from ${GEMINI_QUOTA_PATH}`);
    const result: FetchResult = { meters };
    const plan = geminiPlanName(load);
    if (plan) result.plan = plan;
    if (cred.email) result.identity = cred.email;
    return result;
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    const { cred, load } = await fetchAll(ctx);
    const info: ConnectionInfo = { suggestedName: cred.email ?? 'Gemini CLI' };
    if (cred.email) info.identity = cred.email;
    // The Google account the sign-in belongs to: one account per Gemini CLI sign-in in tokstat.
    if (cred.email) info.accountKey = `email:${cred.email.toLowerCase()}`;
    const plan = geminiPlanName(load);
    if (plan) info.plan = plan;
    const project = projectOf(load);
    if (project) info.settings = { project };
    return info;
  },
};
