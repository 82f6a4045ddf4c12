// Anthropic organization usage and cost from the official Admin API (provider-apis.md §4.1–4.2):
//   GET /v1/organizations/usage_report/messages — tokens per UTC day (uncached input, cache read, cache write 5m/1h,
//                                                 output), grouped by model, paginated
//   GET /v1/organizations/cost_report           — cost per UTC day; `amount` is CENTS as a decimal string ("123.45" = $1.2345)
// Auth: `x-api-key: sk-ant-admin01-…` + `anthropic-version: 2023-06-01`. A normal API key is refused (403, or 401
// with `permission_error` — the exact status is unverified, both are handled).
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError } from '../errors';
import { describe, type HttpResponse } from '../http';
import { makeMeter, type DailyAmount, type Meter } from '../../shared/model';
import { bool, errorForStatus, errorMessageFrom, num, parseJsonBody, parseVendorDate, scrubSecret, validate } from './json';
import { compactCount, MAX_PAGES, monthlyBudget, monthlyBudgetField, nextUtcMonthStart, utcDayOf, utcDayStart, utcMonthStart } from './openai';
import type { ConnectionInfo, FetchResult, KeyHint, ProviderContext, ProviderDefinition } from './types';

const USAGE_PATH = '/v1/organizations/usage_report/messages';
const COST_PATH = '/v1/organizations/cost_report';
/** Best-effort organization name for the account name (UNVERIFIED endpoint; failures are ignored). */
const ORG_PATH = '/v1/organizations/me';
const API_VERSION = '2023-06-01';
const DAY_MS = 86_400_000;

const optNum = z.nullish(num);

const usageResultSchema = z.object({
  uncached_input_tokens: num,
  cache_read_input_tokens: optNum,
  cache_creation: z.nullish(z.object({ ephemeral_1h_input_tokens: optNum, ephemeral_5m_input_tokens: optNum })),
  output_tokens: num,
  model: z.nullish(z.string()),
});

const usageBucketSchema = z.object({
  starting_at: z.string(),
  ending_at: z.nullish(z.string()),
  results: z.array(usageResultSchema),
});

export const anthropicUsagePageSchema = z.object({
  data: z.array(usageBucketSchema),
  has_more: z.nullish(bool),
  next_page: z.nullish(z.string()),
});

const costResultSchema = z.object({
  // Cents, as a decimal string ("1834.5561"); `num` also accepts a plain number.
  amount: num,
  currency: z.nullish(z.string()),
  cost_type: z.nullish(z.string()),
  description: z.nullish(z.string()),
  model: z.nullish(z.string()),
});

const costBucketSchema = z.object({
  starting_at: z.string(),
  ending_at: z.nullish(z.string()),
  results: z.array(costResultSchema),
});

export const anthropicCostPageSchema = z.object({
  data: z.array(costBucketSchema),
  has_more: z.nullish(bool),
  next_page: z.nullish(z.string()),
});

const orgSchema = z.object({ id: z.nullish(z.string()), name: z.nullish(z.string()) });

export type AnthropicUsageBucket = z.output<typeof usageBucketSchema>;
export type AnthropicCostBucket = z.output<typeof costBucketSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Requests

const ADMIN_KEY_HELP =
  'Anthropic usage and cost reports need an Admin API key (sk-ant-admin01-…), which only organization admins can create ' +
  'in the Claude Console (Settings → Admin keys); normal API keys and individual accounts cannot read them';

function headers(ctx: ProviderContext): Record<string, string> {
  return { 'x-api-key': ctx.secret, 'anthropic-version': API_VERSION, accept: 'application/json' };
}

/** `error.type` of Anthropic's envelope `{"type":"error","error":{"type","message"}}`, if the body is one. */
function anthropicErrorType(text: string): string | undefined {
  try {
    const b = JSON.parse(text) as { type?: unknown; error?: { type?: unknown } };
    return typeof b?.error?.type === 'string' ? b.error.type : undefined;
  } catch {
    return undefined;
  }
}

function anthropicError(res: HttpResponse, where: string, ctx: ProviderContext): ProviderError {
  const base = errorForStatus(res, where, ctx.clock.now());
  if (base.kind === 'rate-limited') return base;
  const type = anthropicErrorType(res.text);
  const server = base.message.replace(/^.*?\(HTTP \d+\):?\s*/, '').trim();
  const tail = `(HTTP ${res.status}${server && !server.startsWith('with an HTML') ? `: ${server}` : ''})`;
  if (res.status === 403 || (res.status === 401 && type === 'permission_error')) {
    return new ProviderError('forbidden', `${ADMIN_KEY_HELP} ${tail}.`, { status: res.status });
  }
  if (res.status === 401 && !ctx.secret.trim().startsWith('sk-ant-admin')) {
    return new ProviderError('auth', `Anthropic rejected the key — usage needs an Admin API key (sk-ant-admin01-…) ${tail}.`, { status: 401 });
  }
  return base;
}

async function getJson<T extends z.ZodMiniType>(ctx: ProviderContext, url: string, schema: T): Promise<z.output<T>> {
  try {
    const res = await ctx.http.request({ url, headers: headers(ctx), signal: ctx.signal, tag: ctx.providerId });
    const where = describe(url);
    if (res.status < 200 || res.status >= 300) throw anthropicError(res, where, ctx);
    const body = parseJsonBody(res, where);
    if (body && typeof body === 'object' && (body as { type?: unknown }).type === 'error') {
      // Defensive: an error envelope with a 2xx status.
      const msg = errorMessageFrom(res);
      throw new ProviderError('bad-response', `Unexpected answer (HTTP ${res.status})${msg ? `: ${msg}` : ''} — ${where}`, { status: res.status });
    }
    return validate(schema, body, where);
  } catch (err) {
    throw err instanceof ProviderError ? scrubSecret(err, ctx.secret) : err;
  }
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Every bucket from `startMs` on, following `has_more`/`next_page`. Exported for tests. */
export async function fetchAnthropicPages<B>(
  ctx: ProviderContext,
  path: string,
  schema: z.ZodMiniType<{ data: B[]; has_more?: boolean | null | undefined; next_page?: string | null | undefined }>,
  params: ReadonlyArray<[string, string]>,
): Promise<B[]> {
  const out: B[] = [];
  const seen = new Set<string>();
  let page: string | undefined;
  for (let n = 0; ; n++) {
    if (n >= MAX_PAGES) throw new ProviderError('bad-response', `Anthropic ${path} kept answering has_more after ${MAX_PAGES} pages; giving up.`);
    const q = new URLSearchParams(params as Array<[string, string]>);
    if (page) q.set('page', page);
    const data = await getJson(ctx, `${joinUrl(ctx.baseUrl, path)}?${q.toString()}`, schema);
    out.push(...data.data);
    const next = data.next_page ?? undefined;
    if (data.has_more !== true || !next) break;
    if (seen.has(next)) throw new ProviderError('bad-response', `Anthropic ${path} returned the same next_page twice; giving up.`);
    seen.add(next);
    page = next;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping

interface Split {
  uncached: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

const total = (s: Split) => s.uncached + s.cacheRead + s.cacheWrite + s.output;

/** "claude-sonnet-4-5-20250929" → "claude-sonnet-4-5". */
function shortModel(m: string): string {
  return m.replace(/-\d{8}$/, '');
}

function splitDetail(period: string, s: Split): string {
  return `${period} · uncached input ${compactCount(s.uncached)} · cache read ${compactCount(s.cacheRead)} · cache write ${compactCount(s.cacheWrite)} · output ${compactCount(s.output)}`;
}

/** Usage + cost buckets → meters. Cost amounts are cents and become USD here. Exported for tests. */
export function anthropicMeters(
  usage: readonly AnthropicUsageBucket[],
  costs: readonly AnthropicCostBucket[],
  now: number,
  budget: number | undefined,
): Meter[] {
  const source = 'official' as const;
  const capturedAt = now;
  const dayStart = utcDayStart(now);
  const monthStart = utcMonthStart(now);
  const nextMonth = nextUtcMonthStart(now);
  const month: Split = { uncached: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
  const today: Split = { uncached: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
  const byModel = new Map<string, number>();
  for (const b of usage) {
    const start = parseVendorDate(b.starting_at);
    if (start === undefined || start < monthStart) continue;
    for (const r of b.results) {
      const s: Split = {
        uncached: r.uncached_input_tokens,
        cacheRead: r.cache_read_input_tokens ?? 0,
        cacheWrite: (r.cache_creation?.ephemeral_5m_input_tokens ?? 0) + (r.cache_creation?.ephemeral_1h_input_tokens ?? 0),
        output: r.output_tokens,
      };
      for (const acc of start >= dayStart ? [month, today] : [month]) {
        acc.uncached += s.uncached;
        acc.cacheRead += s.cacheRead;
        acc.cacheWrite += s.cacheWrite;
        acc.output += s.output;
      }
      const model = r.model ? shortModel(r.model) : 'other';
      byModel.set(model, (byModel.get(model) ?? 0) + total(s));
    }
  }
  const top = [...byModel.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).slice(0, 3);
  const topText = top.length ? ` · top models: ${top.map(([m, n]) => `${m} ${compactCount(n)}`).join(', ')}` : '';
  const meters: Meter[] = [
    makeMeter({ id: 'tokens-today', label: 'Tokens today', kind: 'quota', unit: 'tokens', source, capturedAt, used: total(today), resetsAt: dayStart + DAY_MS, period: 'day', detail: splitDetail('current UTC day', today) }),
    makeMeter({ id: 'tokens-month', label: 'Tokens this month', kind: 'quota', unit: 'tokens', source, capturedAt, used: total(month), resetsAt: nextMonth, period: 'month', detail: splitDetail('current UTC month', month) + topText }),
  ];
  let cents = 0;
  let other = false;
  for (const b of costs) {
    const start = parseVendorDate(b.starting_at);
    if (start === undefined || start < monthStart) continue;
    for (const r of b.results) {
      const cur = (r.currency ?? 'USD').trim().toUpperCase();
      if (cur !== 'USD') {
        other = true;
        continue;
      }
      cents += r.amount;
    }
  }
  const detail = [
    'current UTC month, organization cost report (Priority Tier excluded; may lag)',
    budget !== undefined ? 'limit = your monthly budget set in tokstat' : undefined,
    other ? 'non-USD amounts not included' : undefined,
  ].filter(Boolean).join(' · ');
  meters.push(
    makeMeter({ id: 'spend-month', label: 'Spent this month', kind: 'spend', unit: 'USD', source, capturedAt, used: cents / 100, limit: budget, resetsAt: nextMonth, period: 'month', detail }),
  );
  return meters;
}

/** The cost report as money per UTC day and currency (cents become units), kept as days for the Spend view. */
export function anthropicDailySpend(costs: readonly AnthropicCostBucket[]): DailyAmount[] {
  const by = new Map<string, DailyAmount>();
  for (const b of costs) {
    const start = parseVendorDate(b.starting_at);
    const day = start === undefined ? undefined : utcDayOf(start);
    if (day === undefined) continue;
    for (const r of b.results) {
      const currency = (r.currency ?? 'USD').trim().toUpperCase() || 'USD';
      const k = `${day}|${currency}`;
      const cur = by.get(k) ?? { day, amount: 0, currency };
      cur.amount = Math.round((cur.amount + r.amount / 100) * 1e6) / 1e6;
      by.set(k, cur);
    }
  }
  return [...by.values()];
}

// ---------------------------------------------------------------------------------------------------------------
// Provider

export const anthropicKeyHint: KeyHint = {
  placeholder: 'sk-ant-admin01-…',
  prompt: 'Anthropic Admin API key (sk-ant-admin01-…, created by an organization admin) — needed to read usage and cost',
  validate(key: string) {
    const k = key.trim();
    if (k === '') return { error: 'Enter an Anthropic Admin API key.' };
    if (/\s/.test(k)) return { error: 'An Anthropic key contains no spaces.' };
    if (!k.startsWith('sk-ant-admin')) {
      return { warning: 'This does not look like an Admin API key (sk-ant-admin01-…): usage and cost reports need an Admin key; normal API keys are refused.' };
    }
    return {};
  },
};

export const anthropicProvider: ProviderDefinition = {
  id: 'anthropic',
  displayName: 'Anthropic (admin key)',
  description: 'Organization tokens and spend this month (Admin API key)',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'admin',
  authLabel: 'admin key',
  keyHint: anthropicKeyHint,
  accountFields: [monthlyBudgetField],
  defaultBaseUrl: () => 'https://api.anthropic.com',
  defaultPollSeconds: 3600,
  minPollSeconds: 900,
  icon: 'hubot',
  endpoints: [
    { path: USAGE_PATH, official: true },
    { path: COST_PATH, official: true },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const now = ctx.clock.now();
    const start = rfc3339(utcMonthStart(now));
    const usage = await fetchAnthropicPages(ctx, USAGE_PATH, anthropicUsagePageSchema, [
      ['starting_at', start],
      ['bucket_width', '1d'],
      ['group_by[]', 'model'],
      ['limit', '31'],
    ]);
    const costs = await fetchAnthropicPages(ctx, COST_PATH, anthropicCostPageSchema, [
      ['starting_at', start],
      ['bucket_width', '1d'],
    ]);
    return { meters: anthropicMeters(usage, costs, now, monthlyBudget(ctx.account)), plan: 'Admin key', dailySpend: anthropicDailySpend(costs) };
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    const now = ctx.clock.now();
    const q = new URLSearchParams([
      ['starting_at', rfc3339(utcDayStart(now))],
      ['bucket_width', '1d'],
      ['limit', '1'],
    ]);
    await getJson(ctx, `${joinUrl(ctx.baseUrl, USAGE_PATH)}?${q.toString()}`, anthropicUsagePageSchema);
    const info: ConnectionInfo = { plan: 'Admin key', suggestedName: 'Anthropic organization' };
    try {
      const org = await getJson(ctx, joinUrl(ctx.baseUrl, ORG_PATH), orgSchema);
      if (org.name) {
        info.suggestedName = org.name;
        info.identity = org.name;
      }
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'cancelled') throw err;
      ctx.log.debug(`anthropic: no organization name (${err instanceof Error ? err.message : String(err)})`);
    }
    return info;
  },
};
