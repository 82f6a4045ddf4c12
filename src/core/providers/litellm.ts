// LiteLLM proxy budgets from the official self-info endpoints (provider-apis.md §7.16), on the user's own proxy:
//   GET /key/info                 — the virtual key's spend, max_budget, budget_duration, budget_reset_at, user_id, team_id
//   GET /user/info?user_id=…      — the key owner's spend and budget (when the key may read it; 401/403/404 are expected)
//   GET /team/info?team_id=…      — the key's team spend and budget (same); when a key belongs to a team, the TEAM
//                                   budget is the one LiteLLM enforces
// `Authorization: Bearer <virtual key>`; spend and budgets are USD floats; `max_budget: null` means no budget.
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError, toProviderError } from '../errors';
import { makeMeter, type Account, type Meter } from '../../shared/model';
import { num, parseVendorDate, requestJson, scrubSecret } from './json';
import type { AccountField, ConnectionInfo, FetchResult, KeyHint, ProviderContext, ProviderDefinition } from './types';

const KEY_PATH = '/key/info';
const USER_PATH = '/user/info';
const TEAM_PATH = '/team/info';

const optNum = z.nullish(num);
const optStr = z.nullish(z.string());

export const liteLLMKeyInfoSchema = z.object({
  key: optStr,
  info: z.object({
    key_name: optStr,
    key_alias: optStr,
    spend: num,
    max_budget: optNum,
    budget_duration: optStr,
    budget_reset_at: optStr,
    expires: optStr,
    user_id: optStr,
    team_id: optStr,
    tpm_limit: optNum,
    rpm_limit: optNum,
  }),
});

const budgetSchema = z.object({
  spend: optNum,
  max_budget: optNum,
  budget_duration: optStr,
  budget_reset_at: optStr,
});

export const liteLLMUserInfoSchema = z.object({
  user_id: optStr,
  user_info: z.nullish(z.object({ ...budgetSchema.shape, user_email: optStr, user_alias: optStr })),
});

export const liteLLMTeamInfoSchema = z.object({
  team_id: optStr,
  team_info: z.object({ ...budgetSchema.shape, team_alias: optStr }),
});

export type LiteLLMKeyInfo = z.output<typeof liteLLMKeyInfoSchema>['info'];
export type LiteLLMUserInfo = NonNullable<z.output<typeof liteLLMUserInfoSchema>['user_info']>;
export type LiteLLMTeamInfo = z.output<typeof liteLLMTeamInfoSchema>['team_info'];

/** Strips trailing slashes and a trailing `/v1` (the proxy's management routes live at the root). */
export function liteLLMRoot(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/v1$/i, '');
}

function settingsBaseUrl(account: Pick<Account, 'settings'>): string {
  const raw = account.settings.baseUrl;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ProviderError('config', 'No LiteLLM proxy base URL is set for this account — remove and add the account again with the proxy URL (e.g. https://litellm.example.com).');
  }
  return liteLLMRoot(raw);
}

interface BudgetLike {
  spend?: number | null | undefined;
  max_budget?: number | null | undefined;
  budget_duration?: string | null | undefined;
  budget_reset_at?: string | null | undefined;
}

const DURATION_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** LiteLLM's `budget_duration` ("30s", "30m", "24h", "30d", "1mo") as the window ending at the budget reset. */
export function budgetWindow(duration: string | undefined): { windowMs?: number; period?: 'month' } {
  const m = /^(\d+)\s*(mo|s|m|h|d|w)$/i.exec(duration ?? '');
  if (!m || Number(m[1]) <= 0) return {};
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === 'mo') return n === 1 ? { period: 'month' } : {};
  return { windowMs: n * DURATION_MS[unit]! };
}

function budgetMeter(id: string, what: string, b: BudgetLike, capturedAt: number, extra: string[]): Meter | undefined {
  const spend = b.spend ?? undefined;
  const limit = b.max_budget ?? undefined;
  if (spend === undefined && limit === undefined) return undefined;
  const period = b.budget_duration?.trim();
  const detail = [
    limit === undefined ? 'no budget set (spend only)' : period ? `budget resets every ${period}` : 'budget does not reset',
    ...extra,
  ].join(' · ');
  return makeMeter({
    id,
    label: limit === undefined ? `${what} spend` : `${what} budget`,
    kind: 'spend',
    unit: 'USD',
    source: 'official',
    capturedAt,
    used: spend,
    limit,
    resetsAt: limit !== undefined ? parseVendorDate(b.budget_reset_at) : undefined,
    detail,
    ...(limit !== undefined ? budgetWindow(period) : {}),
  });
}

/** `/key/info` (+ `/user/info`, `/team/info` when readable) → meters. Exported for tests. */
export function liteLLMMeters(key: LiteLLMKeyInfo, user: LiteLLMUserInfo | undefined, team: LiteLLMTeamInfo | undefined, capturedAt: number): Meter[] {
  const meters: Meter[] = [];
  const teamEnforced = !!key.team_id && team?.max_budget != null;
  const keyMeter = budgetMeter('key-budget', 'Key', key, capturedAt, teamEnforced ? ['the team budget also applies to this key'] : []);
  if (keyMeter) meters.push(keyMeter);
  if (user) {
    const m = budgetMeter('user-budget', 'User', user, capturedAt, user.user_email ? [user.user_email] : []);
    if (m) meters.push(m);
  }
  if (team) {
    const alias = team.team_alias?.trim();
    const m = budgetMeter('team-budget', alias ? `Team ${alias}` : 'Team', team, capturedAt, teamEnforced ? ['enforced for this key (team budget)'] : []);
    if (m) meters.push(m);
  }
  return meters;
}

function headers(ctx: ProviderContext): Record<string, string> {
  return { authorization: `Bearer ${ctx.secret}`, accept: 'application/json' };
}

function root(ctx: ProviderContext): string {
  return liteLLMRoot(ctx.baseUrl);
}

async function fetchKeyInfo(ctx: ProviderContext): Promise<LiteLLMKeyInfo> {
  const { data } = await requestJson(ctx, { url: joinUrl(root(ctx), KEY_PATH), headers: headers(ctx) }, liteLLMKeyInfoSchema);
  return data.info;
}

/** Optional enrichment: 401/403/404 mean "this key may not read it"; other failures are logged; cancel propagates. */
async function optional<T>(ctx: ProviderContext, what: string, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    const e = scrubSecret(toProviderError(err), ctx.secret);
    if (e.kind === 'cancelled') throw e;
    if (e.kind === 'auth' || e.kind === 'forbidden' || e.kind === 'not-found') {
      ctx.log.debug(`litellm: ${what} not readable with this key (HTTP ${e.status ?? '?'}); no meter`);
    } else {
      ctx.log.warn(`litellm: could not read ${what}: ${e.message}`);
    }
    return undefined;
  }
}

async function fetchUser(ctx: ProviderContext, userId: string): Promise<LiteLLMUserInfo | undefined> {
  return optional(ctx, USER_PATH, async () => {
    const url = `${joinUrl(root(ctx), USER_PATH)}?${new URLSearchParams({ user_id: userId }).toString()}`;
    const { data } = await requestJson(ctx, { url, headers: headers(ctx) }, liteLLMUserInfoSchema);
    return data.user_info ?? undefined;
  });
}

async function fetchTeam(ctx: ProviderContext, teamId: string): Promise<LiteLLMTeamInfo | undefined> {
  return optional(ctx, TEAM_PATH, async () => {
    const url = `${joinUrl(root(ctx), TEAM_PATH)}?${new URLSearchParams({ team_id: teamId }).toString()}`;
    const { data } = await requestJson(ctx, { url, headers: headers(ctx) }, liteLLMTeamInfoSchema);
    return data.team_info;
  });
}

function keyName(k: LiteLLMKeyInfo): string | undefined {
  return k.key_alias?.trim() || k.key_name?.trim() || undefined;
}

export const liteLLMBaseUrlField: AccountField = {
  key: 'baseUrl',
  label: 'Proxy base URL',
  prompt: 'The address of your LiteLLM proxy, e.g. https://litellm.example.com (a trailing /v1 is removed).',
  placeholder: 'https://litellm.example.com',
  required: true,
  kind: 'url',
  beforeKey: true,
  validate(value: string) {
    return value.trim() === '' ? 'Enter the LiteLLM proxy URL.' : undefined;
  },
};

export const liteLLMKeyHint: KeyHint = {
  placeholder: 'sk-…',
  prompt: 'LiteLLM virtual key (the key you use with the proxy; no master key needed)',
  validate(key: string) {
    const k = key.trim();
    if (k === '') return { error: 'Enter a LiteLLM virtual key.' };
    if (/\s/.test(k)) return { error: 'A LiteLLM key contains no spaces.' };
    if (!k.startsWith('sk-')) return { warning: 'LiteLLM virtual keys usually start with "sk-"; check that this is a proxy key.' };
    return {};
  },
};

export const liteLLMProvider: ProviderDefinition = {
  id: 'litellm',
  displayName: 'LiteLLM proxy',
  description: 'Key, user and team spend against their budgets on your LiteLLM proxy',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'gateway',
  keyHint: liteLLMKeyHint,
  accountFields: [liteLLMBaseUrlField],
  defaultBaseUrl: (account) => settingsBaseUrl(account),
  defaultPollSeconds: 300,
  minPollSeconds: 60,
  icon: 'server',
  endpoints: [
    { path: KEY_PATH, official: true },
    { path: USER_PATH, official: true },
    { path: TEAM_PATH, official: true },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const key = await fetchKeyInfo(ctx);
    const user = key.user_id ? await fetchUser(ctx, key.user_id) : undefined;
    const team = key.team_id ? await fetchTeam(ctx, key.team_id) : undefined;
    const result: FetchResult = { meters: liteLLMMeters(key, user, team, ctx.clock.now()) };
    const name = keyName(key);
    if (name) result.identity = name;
    const alias = team?.team_alias?.trim();
    if (alias) result.plan = `Team ${alias}`;
    return result;
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    const key = await fetchKeyInfo(ctx);
    const info: ConnectionInfo = {};
    const name = keyName(key);
    if (name) {
      info.suggestedName = name;
      info.identity = name;
    }
    return info;
  },
};
