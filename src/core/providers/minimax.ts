// MiniMax Coding Plan limits from the undocumented `GET /v1/api/openplatform/coding_plan/remains`
// (provider-apis.md §7.14). One row per model; we show the `MiniMax-M*` / general row. Gotchas:
// - `current_interval_usage_count` / `current_weekly_usage_count` are REMAINING counts on this endpoint despite
//   their names; international answers may carry totals of 0 with only `*_remaining_percent` set, so the
//   percentage is preferred (percentUsed = 100 − remaining percent) and counts are shown only when the total is > 0;
// - errors come with HTTP 200 in `base_resp` (`status_code` 1004 = invalid key / no active coding plan);
// - the payload is sometimes wrapped in `data`.
import * as z from 'zod/mini';
import { describe } from '../http';
import { joinUrl } from '../endpoints';
import { ProviderError } from '../errors';
import { makeMeter, type ErrorKind, type Meter } from '../../shared/model';
import { num, requestJson, validate } from './json';
import { bearerHeaders, envelopeError, guarded, prefixKeyHint, regionField, regionOf, vendorMessage, type RegionSpec } from './deepseek';
import type { ConnectionInfo, FetchResult, ProviderContext, ProviderDefinition } from './types';

const REMAINS_PATH = '/v1/api/openplatform/coding_plan/remains';

export const MINIMAX_REGIONS: readonly RegionSpec[] = [
  { value: 'global', label: 'Global', description: 'api.minimax.io', baseUrl: 'https://api.minimax.io' },
  { value: 'china', label: 'China', description: 'api.minimaxi.com', baseUrl: 'https://api.minimaxi.com' },
];

const baseRespSchema = z.object({ status_code: z.nullish(num), status_msg: z.nullish(z.string()) });

const envelopeSchema = z.object({
  base_resp: z.nullish(baseRespSchema),
  model_remains: z.optional(z.unknown()),
  data: z.optional(z.unknown()),
});

const rowSchema = z.object({
  model_name: z.nullish(z.string()),
  current_interval_total_count: z.nullish(num),
  current_interval_usage_count: z.nullish(num),
  current_interval_remaining_percent: z.nullish(num),
  start_time: z.nullish(num),
  end_time: z.nullish(num),
  remains_time: z.nullish(num),
  current_weekly_total_count: z.nullish(num),
  current_weekly_usage_count: z.nullish(num),
  current_weekly_remaining_percent: z.nullish(num),
  weekly_start_time: z.nullish(num),
  weekly_end_time: z.nullish(num),
  weekly_remains_time: z.nullish(num),
});

const remainsSchema = z.object({ model_remains: z.array(rowSchema) });
const wrappedRemainsSchema = z.object({ data: remainsSchema });

export type MiniMaxRow = z.output<typeof rowSchema>;

/** The general coding-plan row: `MiniMax-M*` or one named "general", else the first row. */
export function pickMiniMaxRow(rows: readonly MiniMaxRow[]): MiniMaxRow | undefined {
  return rows.find((r) => /^minimax-m/i.test(r.model_name?.trim() ?? '') || /general/i.test(r.model_name ?? '')) ?? rows[0];
}

function ms(v: number | null | undefined): number | undefined {
  if (v == null || !Number.isFinite(v) || v <= 0) return undefined;
  return v < 1e11 ? v * 1000 : v;
}

interface WindowFields {
  id: string;
  label: string;
  total: number | null | undefined;
  remainingCount: number | null | undefined;
  remainingPercent: number | null | undefined;
  end: number | null | undefined;
  remainsMs: number | null | undefined;
  /** The window's length: from its start and end times when reported, else the plan's (5 hours, a week). */
  windowMs: number;
}

function windowMeter(w: WindowFields, model: string | undefined, capturedAt: number): Meter | undefined {
  const total = w.total ?? undefined;
  const counts = total !== undefined && total > 0;
  const pct = w.remainingPercent ?? undefined;
  if (!counts && pct === undefined) return undefined; // nothing reported for this window
  const resetsAt = ms(w.end) ?? (w.remainsMs != null && w.remainsMs > 0 ? capturedAt + w.remainsMs : undefined);
  return makeMeter({
    id: w.id,
    label: w.label,
    kind: 'quota',
    unit: counts ? 'prompts' : '%',
    source: 'vendor-undocumented',
    capturedAt,
    limit: counts ? total : undefined,
    // The "usage" count of coding_plan/remains is what is LEFT.
    remaining: counts ? (w.remainingCount ?? undefined) : undefined,
    percentUsed: pct !== undefined ? 100 - pct : undefined,
    resetsAt,
    detail: model ? `model ${model}` : undefined,
    windowMs: w.windowMs,
  });
}

export function miniMaxMeters(rows: readonly MiniMaxRow[], capturedAt: number): Meter[] {
  const row = pickMiniMaxRow(rows);
  if (!row) return [];
  const model = row.model_name?.trim() || undefined;
  const span = (a: number | null | undefined, b: number | null | undefined): number | undefined => {
    const start = ms(a);
    const end = ms(b);
    return start !== undefined && end !== undefined && end > start ? end - start : undefined;
  };
  const intervalMs = span(row.start_time, row.end_time);
  const hours = intervalMs !== undefined ? Math.round(intervalMs / 3_600_000) : undefined;
  const meters: Meter[] = [];
  const interval = windowMeter(
    {
      id: 'interval',
      label: hours !== undefined && hours > 0 ? `${hours}-hour window` : '5-hour window',
      total: row.current_interval_total_count,
      remainingCount: row.current_interval_usage_count,
      remainingPercent: row.current_interval_remaining_percent,
      end: row.end_time,
      remainsMs: row.remains_time,
      windowMs: intervalMs ?? 5 * 3_600_000,
    },
    model,
    capturedAt,
  );
  if (interval) meters.push(interval);
  const weekly = windowMeter(
    {
      id: 'weekly',
      label: 'Weekly',
      total: row.current_weekly_total_count,
      remainingCount: row.current_weekly_usage_count,
      remainingPercent: row.current_weekly_remaining_percent,
      end: row.weekly_end_time,
      remainsMs: row.weekly_remains_time,
      windowMs: span(row.weekly_start_time, row.weekly_end_time) ?? 7 * 86_400_000,
    },
    model,
    capturedAt,
  );
  if (weekly) meters.push(weekly);
  return meters;
}

/**
 * `base_resp.status_code` → error kind. 1004 is documented in the reference (invalid key / no active plan); 1002 and
 * 1039 (rate limits) and 1001/1013 (timeouts, internal errors) are recalled from MiniMax's public error table.
 */
function kindForStatus(code: number): ErrorKind {
  if (code === 1004) return 'auth';
  if (code === 1002 || code === 1039) return 'rate-limited';
  if (code === 1001 || code === 1013) return 'server';
  return 'bad-response';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function fetchRows(ctx: ProviderContext): Promise<MiniMaxRow[]> {
  const url = joinUrl(ctx.baseUrl, REMAINS_PATH);
  const where = describe(url);
  const { data: env } = await requestJson(ctx, { url, headers: bearerHeaders(ctx) }, envelopeSchema);
  const wrapped = env.model_remains === undefined && isObject(env.data);
  const inner = wrapped ? validate(z.object({ data: z.object({ base_resp: z.nullish(baseRespSchema) }) }), { data: env.data }, where).data : undefined;
  const status = env.base_resp ?? inner?.base_resp ?? undefined;
  const code = status?.status_code ?? 0;
  if (code !== 0) {
    const msg = vendorMessage(status?.status_msg);
    if (code === 1004) {
      throw new ProviderError('auth', `MiniMax rejected the key (status 1004${msg ? `: ${msg}` : ''}): the key is invalid or this account has no active coding plan — use the Coding Plan key (sk-cp-…) of the region chosen for this account.`);
    }
    throw envelopeError('MiniMax', code, msg, kindForStatus(code));
  }
  return wrapped ? validate(wrappedRemainsSchema, { data: env.data }, where).data.model_remains : validate(remainsSchema, { model_remains: env.model_remains }, where).model_remains;
}

export const miniMaxProvider: ProviderDefinition = {
  id: 'minimax',
  displayName: 'MiniMax Coding Plan',
  description: 'Coding Plan prompts left in the 5-hour window and this week (undocumented endpoint)',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'plan',
  keyHint: prefixKeyHint({
    vendor: 'MiniMax',
    placeholder: 'sk-cp-…',
    prompt: 'MiniMax Coding Plan key (sk-cp-…) from the region chosen for this account',
    prefixes: ['sk-cp-'],
    prefixWarning: 'MiniMax Coding Plan keys usually start with "sk-cp-"; a pay-as-you-go API key has no coding-plan quota to show.',
  }),
  accountFields: [regionField(MINIMAX_REGIONS, 'Which MiniMax platform issued the Coding Plan key?')],
  defaultBaseUrl: (account) => regionOf(MINIMAX_REGIONS, account).baseUrl,
  defaultPollSeconds: 300,
  minPollSeconds: 120,
  icon: 'dashboard',
  endpoints: [{ path: REMAINS_PATH, official: false }],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    return guarded(ctx, async () => {
      const rows = await fetchRows(ctx);
      const result: FetchResult = { meters: miniMaxMeters(rows, ctx.clock.now()) };
      if (rows.length > 0) result.plan = 'Coding Plan';
      return result;
    });
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    return guarded(ctx, async () => {
      await fetchRows(ctx);
      // The answer names no user or plan tier; the region tells two MiniMax accounts apart.
      return { plan: 'Coding Plan', suggestedName: `MiniMax (${regionOf(MINIMAX_REGIONS, ctx.account).label})` };
    });
  },
};
