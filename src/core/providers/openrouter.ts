// OpenRouter key spend and limit from the official `GET /key`, plus the account balance from `GET /credits`
// for management keys only (provider-apis.md §2). Money values are USD floats (1 credit = 1 USD).
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { toProviderError } from '../errors';
import { makeMeter, type Meter } from '../../shared/model';
import { bool, num, requestJson, scrubSecret } from './json';
import type { ConnectionInfo, FetchResult, KeyHint, ProviderContext, ProviderDefinition } from './types';

const KEY_PATH = '/key';
const CREDITS_PATH = '/credits';

const optNum = z.nullish(num);
const optBool = z.nullish(bool);

export const openRouterKeySchema = z.object({
  data: z.object({
    label: z.nullish(z.string()),
    limit: optNum,
    limit_remaining: optNum,
    limit_reset: z.nullish(z.string()),
    // Present in every payload generation, old and new: its absence means this is not the /key answer.
    usage: num,
    usage_daily: optNum,
    usage_weekly: optNum,
    usage_monthly: optNum,
    is_free_tier: optBool,
    is_management_key: optBool,
    is_provisioning_key: optBool,
  }),
});

export const openRouterCreditsSchema = z.object({
  data: z.object({ total_credits: num, total_usage: num }),
});

export type OpenRouterKey = z.output<typeof openRouterKeySchema>['data'];
export type OpenRouterCredits = z.output<typeof openRouterCreditsSchema>['data'];

type ResetPeriod = 'daily' | 'weekly' | 'monthly';

function resetPeriod(v: string | null | undefined): ResetPeriod | undefined {
  const p = v?.trim().toLowerCase();
  return p === 'daily' || p === 'weekly' || p === 'monthly' ? p : undefined;
}

/**
 * The next reset boundary for a key limit. OpenRouter does not document it; a third-party note says midnight UTC,
 * weeks starting Monday — hence "(reset time estimated)" on the meter.
 */
export function estimateNextReset(period: ResetPeriod, now: number): number {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  if (period === 'daily') return Date.UTC(y, m, day + 1);
  if (period === 'monthly') return Date.UTC(y, m + 1, 1);
  const dow = d.getUTCDay(); // 0 = Sunday, 1 = Monday
  const untilMonday = (8 - dow) % 7 || 7;
  return Date.UTC(y, m, day + untilMonday);
}

/** Maps `/key` (and `/credits` when read) to meters. Exported for tests and the e2e harness. */
export function openRouterMeters(k: OpenRouterKey, credits: OpenRouterCredits | undefined, capturedAt: number): Meter[] {
  const source = 'official' as const;
  const meters: Meter[] = [];
  const period = resetPeriod(k.limit_reset);
  const limit = k.limit ?? undefined;
  if (limit !== undefined) {
    const periodUsage = period === 'daily' ? k.usage_daily : period === 'weekly' ? k.usage_weekly : period === 'monthly' ? k.usage_monthly : undefined;
    meters.push(
      makeMeter({
        id: 'key-limit',
        label: period ? `Key limit (${period})` : 'Key limit',
        kind: 'credits',
        unit: 'USD',
        source,
        capturedAt,
        limit,
        remaining: k.limit_remaining ?? undefined,
        used: periodUsage ?? k.usage,
        resetsAt: period ? estimateNextReset(period, capturedAt) : undefined,
        detail: period ? `resets ${period} (reset time estimated)` : 'all-time spend of this key counts against the limit',
        ...(period ? { period: ({ daily: 'day', weekly: 'week', monthly: 'month' } as const)[period] } : {}),
      }),
    );
  }
  const free = k.is_free_tier === true ? 'Free tier' : undefined;
  if (k.usage_daily != null) {
    meters.push(makeMeter({ id: 'usage-today', label: 'Spent today', kind: 'spend', unit: 'USD', source, capturedAt, used: k.usage_daily, detail: 'current UTC day' }));
  }
  if (k.usage_monthly != null) {
    meters.push(makeMeter({ id: 'usage-month', label: 'Spent this month', kind: 'spend', unit: 'USD', source, capturedAt, used: k.usage_monthly, detail: 'current UTC month' }));
  }
  meters.push(
    makeMeter({ id: 'usage-total', label: 'Spent in total', kind: 'spend', unit: 'USD', source, capturedAt, used: k.usage, detail: free ? 'all time · Free tier' : 'all time' }),
  );
  if (credits) {
    meters.push(
      makeMeter({
        id: 'balance',
        label: 'Credit balance',
        kind: 'balance',
        unit: 'USD',
        source,
        capturedAt,
        limit: credits.total_credits,
        used: credits.total_usage,
        remaining: credits.total_credits - credits.total_usage,
        detail: 'account credits purchased minus used',
      }),
    );
  }
  return meters;
}

function isManagementKey(k: OpenRouterKey): boolean {
  return k.is_management_key === true || k.is_provisioning_key === true;
}

function auth(ctx: ProviderContext): Record<string, string> {
  return { authorization: `Bearer ${ctx.secret}`, accept: 'application/json' };
}

async function fetchKey(ctx: ProviderContext): Promise<OpenRouterKey> {
  const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, KEY_PATH), headers: auth(ctx) }, openRouterKeySchema);
  return data.data;
}

/**
 * `/credits` is management-key-only; a 401/403 there is the expected answer for other keys and means "no balance".
 * Other failures only cost the balance meter (logged): the key meters are still worth showing.
 */
async function fetchCredits(ctx: ProviderContext): Promise<OpenRouterCredits | undefined> {
  try {
    const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, CREDITS_PATH), headers: auth(ctx) }, openRouterCreditsSchema);
    return data.data;
  } catch (err) {
    const e = scrubSecret(toProviderError(err), ctx.secret);
    if (e.kind === 'cancelled') throw e;
    if (e.kind === 'forbidden' || e.kind === 'auth') {
      ctx.log.debug(`openrouter: ${CREDITS_PATH} not available for this key (HTTP ${e.status ?? '?'}); no balance meter`);
    } else {
      ctx.log.warn(`openrouter: could not read the balance: ${e.message}`);
    }
    return undefined;
  }
}

export const openRouterKeyHint: KeyHint = {
  placeholder: 'sk-or-v1-…',
  prompt: 'OpenRouter API key (an inference key, or a management key to also see the account balance)',
  validate(key: string) {
    const k = key.trim();
    if (k === '') return { error: 'Enter an OpenRouter API key.' };
    if (/\s/.test(k)) return { error: 'An OpenRouter key contains no spaces.' };
    if (!k.startsWith('sk-or-v1-')) return { warning: 'OpenRouter keys usually start with "sk-or-v1-"; check that this is an OpenRouter key.' };
    return {};
  },
};

export const openRouterProvider: ProviderDefinition = {
  id: 'openrouter',
  displayName: 'OpenRouter',
  description: 'Key spend and limit; account balance with a management key',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'api-key',
  keyHint: openRouterKeyHint,
  defaultBaseUrl: () => 'https://openrouter.ai/api/v1',
  defaultPollSeconds: 300,
  minPollSeconds: 60,
  icon: 'globe',
  endpoints: [
    { path: KEY_PATH, official: true },
    { path: CREDITS_PATH, official: true },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const key = await fetchKey(ctx);
    const credits = isManagementKey(key) ? await fetchCredits(ctx) : undefined;
    const result: FetchResult = { meters: openRouterMeters(key, credits, ctx.clock.now()) };
    if (key.is_free_tier === true) result.plan = 'Free tier';
    else if (isManagementKey(key)) result.plan = 'Management key';
    if (key.label) result.identity = key.label;
    return result;
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    const key = await fetchKey(ctx);
    const info: ConnectionInfo = {};
    if (key.label) {
      info.suggestedName = key.label;
      info.identity = key.label;
    }
    if (key.is_free_tier === true) info.plan = 'Free tier';
    else if (isManagementKey(key)) info.plan = 'Management key';
    if (isManagementKey(key)) info.settings = { managementKey: true };
    return info;
  },
};
