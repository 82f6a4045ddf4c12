// OpenAI organization usage and costs from the official Admin API (provider-apis.md §3.1–3.2):
//   GET /organization/usage/completions — token and request counts per UTC day (paginated, ≤31 buckets per page)
//   GET /organization/costs             — USD per UTC day (`amount.value`, a float or a numeric string)
// Both need an Admin key (`sk-admin-…`); a project/user key gets 403 "Missing scopes: api.usage.read".
// Helpers shared with the Anthropic admin provider (month boundaries, budget field, compact numbers) live here.
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError } from '../errors';
import { makeMeter, type Account, type DailyAmount, type Meter } from '../../shared/model';
import { bool, num, requestJson } from './json';
import type { AccountField, ConnectionInfo, FetchResult, KeyHint, ProviderContext, ProviderDefinition } from './types';

const USAGE_PATH = '/organization/usage/completions';
const COSTS_PATH = '/organization/costs';
const DAY_MS = 86_400_000;
/** Safety cap on pages per range chunk: a server that keeps answering `has_more` must not loop forever. */
export const MAX_PAGES = 40;
/** The Usage API's maximum number of daily buckets per page (and our chunk size). */
const MAX_DAYS_PER_CHUNK = 31;

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers (also used by anthropic.ts)

/** The optional per-account monthly budget that turns a spend meter into one with a limit. */
export const monthlyBudgetField: AccountField = {
  key: 'monthlyBudget',
  label: 'Monthly budget (USD)',
  prompt:
    'Optional. Your own monthly budget in USD: the spend meter then shows a limit, a percentage and what is left. ' +
    'Leave empty to see the spend only.',
  placeholder: 'e.g. 200',
  required: false,
  kind: 'number',
  validate(value: string) {
    const v = value.trim();
    if (v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) return 'Enter a positive amount in USD, e.g. 200, or leave it empty.';
    return undefined;
  },
};

/** The monthly budget set on the account, or undefined when absent/invalid (never 0: a zero budget means "none"). */
export function monthlyBudget(account: Pick<Account, 'settings'>): number | undefined {
  const raw = account.settings.monthlyBudget;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export function utcDayStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export function utcMonthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextUtcMonthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** 950 → "950", 12_300 → "12.3k", 4_560_000 → "4.56M". */
export function compactCount(n: number): string {
  const a = Math.abs(n);
  const fmt = (v: number, suffix: string) => `${Number(v.toPrecision(3))}${suffix}`;
  if (a >= 1e9) return fmt(n / 1e9, 'B');
  if (a >= 1e6) return fmt(n / 1e6, 'M');
  if (a >= 1e3) return fmt(n / 1e3, 'k');
  return String(Math.round(n));
}

/** Splits [start, end) (unix seconds) into consecutive chunks of at most `maxDays` days. */
export function splitRange(startSec: number, endSec: number, maxDays = MAX_DAYS_PER_CHUNK): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const step = maxDays * 86_400;
  for (let s = startSec; s < endSec; s += step) out.push([s, Math.min(endSec, s + step)]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas

const optNum = z.nullish(num);

const usageResultSchema = z.object({
  input_tokens: num,
  output_tokens: num,
  input_cached_tokens: optNum,
  num_model_requests: optNum,
  model: z.nullish(z.string()),
});

const usageBucketSchema = z.object({
  start_time: num,
  end_time: optNum,
  results: z.array(usageResultSchema),
});

export const openAIUsagePageSchema = z.object({
  data: z.array(usageBucketSchema),
  has_more: z.nullish(bool),
  next_page: z.nullish(z.string()),
});

const costResultSchema = z.object({
  amount: z.object({ value: num, currency: z.nullish(z.string()) }),
  line_item: z.nullish(z.string()),
});

const costBucketSchema = z.object({
  start_time: num,
  end_time: optNum,
  results: z.array(costResultSchema),
});

export const openAICostsPageSchema = z.object({
  data: z.array(costBucketSchema),
  has_more: z.nullish(bool),
  next_page: z.nullish(z.string()),
});

export type OpenAIUsageBucket = z.output<typeof usageBucketSchema>;
export type OpenAICostBucket = z.output<typeof costBucketSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Requests

function headers(ctx: ProviderContext): Record<string, string> {
  return { authorization: `Bearer ${ctx.secret}`, accept: 'application/json' };
}

const ADMIN_KEY_HELP =
  'OpenAI usage and costs need an Admin key (sk-admin-…), created by an organization owner under ' +
  'Settings → Organization → Admin keys; project and user keys cannot read usage';

/** A 403 from the admin endpoints almost always means "not an Admin key": say so plainly. */
function explainAdminError(err: unknown): unknown {
  if (err instanceof ProviderError && err.kind === 'forbidden') {
    const server = err.message.replace(/^.*?\(HTTP 403\):?\s*/, '').trim();
    return new ProviderError('forbidden', `${ADMIN_KEY_HELP} (HTTP 403${server ? `: ${server}` : ''}).`, { status: err.status ?? 403 });
  }
  return err;
}

/**
 * Fetches every bucket in [startSec, endSec): the range is split into ≤31-day chunks and each chunk is paginated
 * with `has_more`/`next_page`. Exported for tests.
 */
export async function fetchAllPages<B>(
  ctx: ProviderContext,
  path: string,
  schema: z.ZodMiniType<{ data: B[]; has_more?: boolean | null | undefined; next_page?: string | null | undefined }>,
  startSec: number,
  endSec: number,
  limit: number,
): Promise<B[]> {
  const buckets: B[] = [];
  for (const [s, e] of splitRange(startSec, endSec)) {
    let page: string | undefined;
    const seen = new Set<string>();
    for (let n = 0; ; n++) {
      if (n >= MAX_PAGES) {
        throw new ProviderError('bad-response', `OpenAI ${path} kept answering has_more after ${MAX_PAGES} pages; giving up.`);
      }
      const q = new URLSearchParams({ start_time: String(s), end_time: String(e), bucket_width: '1d', limit: String(limit) });
      if (page) q.set('page', page);
      const { data } = await requestJson(ctx, { url: `${joinUrl(ctx.baseUrl, path)}?${q.toString()}`, headers: headers(ctx) }, schema);
      buckets.push(...data.data);
      const next = data.next_page ?? undefined;
      if (data.has_more !== true || !next) break;
      if (seen.has(next)) throw new ProviderError('bad-response', `OpenAI ${path} returned the same next_page twice; giving up.`);
      seen.add(next);
      page = next;
    }
  }
  return buckets;
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping

interface TokenTotals {
  input: number;
  cached: number;
  output: number;
  requests: number;
  /** True when at least one result carried `num_model_requests`. */
  hasRequests: boolean;
}

function totals(buckets: readonly OpenAIUsageBucket[], fromSec: number): TokenTotals {
  const t: TokenTotals = { input: 0, cached: 0, output: 0, requests: 0, hasRequests: false };
  for (const b of buckets) {
    if (b.start_time < fromSec) continue;
    for (const r of b.results) {
      t.input += r.input_tokens;
      t.cached += r.input_cached_tokens ?? 0;
      t.output += r.output_tokens;
      if (r.num_model_requests != null) {
        t.requests += r.num_model_requests;
        t.hasRequests = true;
      }
    }
  }
  return t;
}

function tokenDetail(period: string, t: TokenTotals): string {
  return `${period} · input ${compactCount(t.input)} (${compactCount(t.cached)} cached) · output ${compactCount(t.output)}`;
}

/** Usage buckets + cost buckets → meters. Exported for tests. */
export function openAIMeters(
  usage: readonly OpenAIUsageBucket[],
  costs: readonly OpenAICostBucket[],
  now: number,
  budget: number | undefined,
): Meter[] {
  const source = 'official' as const;
  const capturedAt = now;
  const dayStartSec = utcDayStart(now) / 1000;
  const monthStartSec = utcMonthStart(now) / 1000;
  const today = totals(usage, dayStartSec);
  const month = totals(usage, monthStartSec);
  const tomorrow = utcDayStart(now) + DAY_MS;
  const nextMonth = nextUtcMonthStart(now);
  const meters: Meter[] = [
    makeMeter({ id: 'tokens-today', label: 'Tokens today', kind: 'quota', unit: 'tokens', source, capturedAt, used: today.input + today.output, resetsAt: tomorrow, period: 'day', detail: tokenDetail('current UTC day', today) }),
    makeMeter({ id: 'tokens-month', label: 'Tokens this month', kind: 'quota', unit: 'tokens', source, capturedAt, used: month.input + month.output, resetsAt: nextMonth, period: 'month', detail: tokenDetail('current UTC month', month) }),
  ];
  if (month.hasRequests) {
    meters.push(
      makeMeter({ id: 'requests-today', label: 'Requests today', kind: 'quota', unit: 'requests', source, capturedAt, used: today.requests, resetsAt: tomorrow, period: 'day', detail: 'model requests, current UTC day' }),
      makeMeter({ id: 'requests-month', label: 'Requests this month', kind: 'quota', unit: 'requests', source, capturedAt, used: month.requests, resetsAt: nextMonth, period: 'month', detail: 'model requests, current UTC month' }),
    );
  }
  // Costs: sum per currency; OpenAI reports "usd" today — anything else is shown only when it is the sole currency.
  const byCurrency = new Map<string, number>();
  for (const b of costs) {
    if (b.start_time < monthStartSec) continue;
    for (const r of b.results) {
      const cur = (r.amount.currency ?? 'usd').trim().toUpperCase() || 'USD';
      byCurrency.set(cur, (byCurrency.get(cur) ?? 0) + r.amount.value);
    }
  }
  const currency = byCurrency.has('USD') || byCurrency.size === 0 ? 'USD' : [...byCurrency.keys()][0]!;
  const spent = byCurrency.get(currency) ?? 0;
  const useBudget = budget !== undefined && currency === 'USD';
  meters.push(
    makeMeter({
      id: 'spend-month',
      label: 'Spent this month',
      kind: 'spend',
      unit: currency,
      source,
      capturedAt,
      used: spent,
      limit: useBudget ? budget : undefined,
      resetsAt: nextMonth,
      period: 'month',
      detail: `current UTC month, organization costs (may lag by hours)${useBudget ? ' · limit = your monthly budget set in tokstat' : ''}`,
    }),
  );
  return meters;
}

/** `YYYY-MM-DD` of an epoch-ms instant in UTC; undefined when it is not a representable date. */
export function utcDayOf(ms: number): string | undefined {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) && d.getUTCFullYear() >= 2000 && d.getUTCFullYear() <= 9999 ? d.toISOString().slice(0, 10) : undefined;
}

/** The cost buckets as money per UTC day and currency (kept as days for the Spend view). Exported for tests. */
export function openAIDailySpend(costs: readonly OpenAICostBucket[]): DailyAmount[] {
  const by = new Map<string, DailyAmount>();
  for (const b of costs) {
    const day = utcDayOf(b.start_time * 1000);
    // A bucket whose start is not a date (a hostile or broken answer) is left out, never a crash.
    if (day === undefined) continue;
    for (const r of b.results) {
      const currency = (r.amount.currency ?? 'usd').trim().toUpperCase() || 'USD';
      const k = `${day}|${currency}`;
      const cur = by.get(k) ?? { day, amount: 0, currency };
      cur.amount = Math.round((cur.amount + r.amount.value) * 1e6) / 1e6;
      by.set(k, cur);
    }
  }
  return [...by.values()];
}

// ---------------------------------------------------------------------------------------------------------------
// Provider

export const openAIKeyHint: KeyHint = {
  placeholder: 'sk-admin-…',
  prompt: 'OpenAI Admin key (sk-admin-…, created by an organization owner) — needed to read usage and costs',
  validate(key: string) {
    const k = key.trim();
    if (k === '') return { error: 'Enter an OpenAI Admin key.' };
    if (/\s/.test(k)) return { error: 'An OpenAI key contains no spaces.' };
    if (!k.startsWith('sk-admin-')) {
      return { warning: 'This does not look like an Admin key (sk-admin-…): OpenAI usage and costs need an Admin key; project and user keys get "Missing scopes: api.usage.read".' };
    }
    return {};
  },
};

async function fetchUsage(ctx: ProviderContext, now: number): Promise<OpenAIUsageBucket[]> {
  const start = utcMonthStart(now) / 1000;
  const end = Math.max(start + 1, Math.floor(now / 1000));
  return fetchAllPages(ctx, USAGE_PATH, openAIUsagePageSchema, start, end, 31);
}

async function fetchCosts(ctx: ProviderContext, now: number): Promise<OpenAICostBucket[]> {
  const start = utcMonthStart(now) / 1000;
  const end = Math.max(start + 1, Math.floor(now / 1000));
  return fetchAllPages(ctx, COSTS_PATH, openAICostsPageSchema, start, end, 31);
}

export const openAIProvider: ProviderDefinition = {
  id: 'openai',
  displayName: 'OpenAI (admin key)',
  description: 'Organization tokens, requests and spend this month (Admin key)',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'admin',
  authLabel: 'admin key',
  keyHint: openAIKeyHint,
  accountFields: [monthlyBudgetField],
  defaultBaseUrl: () => 'https://api.openai.com/v1',
  defaultPollSeconds: 3600,
  minPollSeconds: 900,
  icon: 'sparkle',
  endpoints: [
    { path: USAGE_PATH, official: true },
    { path: COSTS_PATH, official: true },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const now = ctx.clock.now();
    try {
      const usage = await fetchUsage(ctx, now);
      const costs = await fetchCosts(ctx, now);
      return { meters: openAIMeters(usage, costs, now, monthlyBudget(ctx.account)), plan: 'Admin key', dailySpend: openAIDailySpend(costs) };
    } catch (err) {
      throw explainAdminError(err);
    }
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    const now = ctx.clock.now();
    const start = utcDayStart(now) / 1000;
    let org: string | undefined;
    try {
      const q = new URLSearchParams({ start_time: String(start), bucket_width: '1d', limit: '1' });
      const { response } = await requestJson(ctx, { url: `${joinUrl(ctx.baseUrl, USAGE_PATH)}?${q.toString()}`, headers: headers(ctx) }, openAIUsagePageSchema);
      org = response.headers['openai-organization']?.trim() || undefined;
    } catch (err) {
      throw explainAdminError(err);
    }
    // The admin endpoints carry the organization slug in `openai-organization` (as inference responses do).
    const info: ConnectionInfo = { suggestedName: org ? `OpenAI ${org}` : 'OpenAI organization', plan: 'Admin key' };
    if (org) info.identity = org;
    return info;
  },
};
