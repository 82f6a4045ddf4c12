// Z.ai / Zhipu GLM Coding Plan limits from the undocumented `GET /api/monitor/usage/quota/limit`
// (provider-apis.md §7.13). Envelope `{code: 200, msg, success: true, data: {planName, limits: […]}}`; errors may come
// with HTTP 200 (`success: false` or another code). Each limit: `type`, window `number × unit`, `percentage` (USED
// 0–100), optional counts, `nextResetTime` in epoch MILLISECONDS. Unit codes (1 = day, 3 = hour, 5 = minute,
// 6 = week) come from one client only — unknown codes get a generic label.
import * as z from 'zod/mini';
import { describe } from '../http';
import { joinUrl } from '../endpoints';
import { makeMeter, type ErrorKind, type Meter, type MeterKind } from '../../shared/model';
import { bool, num, requestJson, validate } from './json';
import { bearerHeaders, envelopeError, guarded, prefixKeyHint, regionField, regionOf, vendorMessage, type RegionSpec } from './deepseek';
import type { ConnectionInfo, FetchResult, ProviderContext, ProviderDefinition } from './types';

const QUOTA_PATH = '/api/monitor/usage/quota/limit';

export const ZAI_REGIONS: readonly RegionSpec[] = [
  { value: 'global', label: 'Global (Z.ai)', description: 'api.z.ai', baseUrl: 'https://api.z.ai' },
  { value: 'china', label: 'China (BigModel)', description: 'open.bigmodel.cn', baseUrl: 'https://open.bigmodel.cn' },
];

const envelopeSchema = z.object({
  code: z.nullish(num),
  msg: z.nullish(z.string()),
  message: z.nullish(z.string()),
  success: z.nullish(bool),
  data: z.optional(z.unknown()),
});

const limitSchema = z.object({
  type: z.string(),
  unit: z.nullish(num),
  number: z.nullish(num),
  percentage: z.nullish(num),
  usage: z.nullish(num),
  currentValue: z.nullish(num),
  remaining: z.nullish(num),
  nextResetTime: z.nullish(num),
  usageDetails: z.nullish(z.array(z.object({ modelCode: z.nullish(z.string()), usage: z.nullish(num) }))),
});

export const zaiQuotaSchema = z.object({
  data: z.object({
    planName: z.nullish(z.string()),
    limits: z.array(limitSchema),
  }),
});

export type ZaiQuota = z.output<typeof zaiQuotaSchema>['data'];
type ZaiLimit = z.output<typeof limitSchema>;

const UNIT_NAMES: Record<number, string> = { 1: 'day', 3: 'hour', 5: 'minute', 6: 'week' };
const UNIT_MS: Record<number, number> = { 1: 86_400_000, 3: 3_600_000, 5: 60_000, 6: 7 * 86_400_000 };

const TYPE_INFO: Record<string, { word: string; unit: string; kind: MeterKind }> = {
  TOKENS_LIMIT: { word: 'tokens', unit: 'tokens', kind: 'quota' },
  TIME_LIMIT: { word: 'tool calls', unit: 'calls', kind: 'quota' },
  CREDIT_LIMIT: { word: 'credits', unit: 'credits', kind: 'credits' },
};

/** Epoch ms; a value that can only be seconds (before 1973 as ms) is converted. */
function resetMs(v: number | null | undefined): number | undefined {
  if (v == null || !Number.isFinite(v) || v <= 0) return undefined;
  return v < 1e11 ? v * 1000 : v;
}

function idPart(s: string): string {
  return s.toLowerCase().replace(/_limit$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'limit';
}

/** Id, label, the detail note and the length of the window (number × unit), for one limit. */
function describeLimit(l: ZaiLimit): { id: string; label: string; note?: string; windowMs?: number; period?: 'month' } {
  const type = l.type.trim().toUpperCase();
  const unit = l.unit ?? undefined;
  const n = l.number ?? undefined;
  if (type === 'TOKENS_LIMIT' && unit === 3 && n === 5) return { id: 'tokens-5h', label: '5-hour tokens', windowMs: 5 * 3_600_000 };
  if (type === 'TIME_LIMIT' && unit === 5 && n === 1) return { id: 'mcp-monthly', label: 'Monthly tool calls (MCP)', period: 'month' };
  const info = TYPE_INFO[type];
  const word = info?.word ?? type.toLowerCase().replace(/_limit$/, '').replace(/_/g, ' ');
  const base = idPart(type);
  const unitName = unit !== undefined ? UNIT_NAMES[unit] : undefined;
  if (unitName && n !== undefined && n > 0) {
    return { id: `${base}-${n}${unitName}`, label: `${n}-${unitName} ${word}`, note: 'window length from unverified unit codes', windowMs: n * UNIT_MS[unit!]! };
  }
  const window = unit !== undefined || n !== undefined ? `window ${n ?? '?'} × unit code ${unit ?? '?'}` : 'window not reported';
  return { id: `${base}-${unit ?? 'x'}-${n ?? 'x'}`, label: `${word.charAt(0).toUpperCase()}${word.slice(1)} limit`, note: window };
}

function usageDetail(l: ZaiLimit): string | undefined {
  const parts = (l.usageDetails ?? [])
    .filter((d) => d.modelCode && d.usage != null)
    .map((d) => `${d.modelCode} ${d.usage}`);
  return parts.length ? parts.join(', ') : undefined;
}

/** One meter per limit; percentages are USED. */
export function zaiMeters(q: ZaiQuota, capturedAt: number): Meter[] {
  const meters: Meter[] = [];
  const seen = new Map<string, number>();
  for (const l of q.limits) {
    const d = describeLimit(l);
    const count = (seen.get(d.id) ?? 0) + 1;
    seen.set(d.id, count);
    const info = TYPE_INFO[l.type.trim().toUpperCase()];
    const total = l.usage ?? undefined;
    const hasCounts = total !== undefined && total > 0;
    if (!hasCounts && l.percentage == null) continue; // nothing to show
    const detail = [usageDetail(l), d.note].filter(Boolean).join(' · ');
    const resetsAt = resetMs(l.nextResetTime);
    // A stated length shorter than the time to the reset cannot be this window's (the unit codes are unverified).
    const windowMs = d.windowMs !== undefined && (resetsAt === undefined || resetsAt - capturedAt <= d.windowMs) ? d.windowMs : undefined;
    meters.push(
      makeMeter({
        id: count > 1 ? `${d.id}-${count}` : d.id,
        label: d.label,
        kind: info?.kind ?? 'quota',
        unit: hasCounts ? (info?.unit ?? 'units') : '%',
        source: 'vendor-undocumented',
        capturedAt,
        limit: hasCounts ? total : undefined,
        used: hasCounts ? (l.currentValue ?? undefined) : undefined,
        remaining: hasCounts ? (l.remaining ?? undefined) : undefined,
        percentUsed: l.percentage ?? undefined,
        resetsAt,
        detail: detail || undefined,
        windowMs,
        period: d.period,
      }),
    );
  }
  return meters;
}

/**
 * Envelope codes → error kinds: HTTP-like codes, plus the BigModel platform's 1000–1004 (authentication) and
 * 1302/1303 (concurrency / frequency) codes as recalled from its public error table (not checked against the
 * stored reference: anything else is a plain error carrying the vendor's message).
 */
function kindForCode(code: number | undefined): ErrorKind {
  if (code === 401 || (code !== undefined && code >= 1000 && code <= 1004)) return 'auth';
  if (code === 403) return 'forbidden';
  if (code === 429 || code === 1302 || code === 1303) return 'rate-limited';
  return 'bad-response';
}

async function fetchQuota(ctx: ProviderContext): Promise<ZaiQuota> {
  const url = joinUrl(ctx.baseUrl, QUOTA_PATH);
  const { data: env } = await requestJson(ctx, { url, headers: bearerHeaders(ctx) }, envelopeSchema);
  if (env.success === false || (env.code != null && env.code !== 200)) {
    const code = env.code ?? undefined;
    throw envelopeError('Z.ai', code, vendorMessage(env.msg ?? env.message), kindForCode(code));
  }
  return validate(zaiQuotaSchema, { data: env.data }, describe(url)).data;
}

export const zaiProvider: ProviderDefinition = {
  id: 'zai',
  displayName: 'Z.ai / GLM Coding Plan',
  description: 'GLM Coding Plan 5-hour token window and monthly tool calls (undocumented endpoint)',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'plan',
  keyHint: prefixKeyHint({ vendor: 'Z.ai', placeholder: 'API key of the coding plan account', prompt: 'Z.ai / BigModel API key of the account that has the GLM Coding Plan' }),
  accountFields: [regionField(ZAI_REGIONS, 'Where is the GLM Coding Plan? (Z.ai international or BigModel China)')],
  defaultBaseUrl: (account) => regionOf(ZAI_REGIONS, account).baseUrl,
  defaultPollSeconds: 300,
  minPollSeconds: 120,
  icon: 'dashboard',
  endpoints: [{ path: QUOTA_PATH, official: false }],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    return guarded(ctx, async () => {
      const q = await fetchQuota(ctx);
      const result: FetchResult = { meters: zaiMeters(q, ctx.clock.now()) };
      if (q.planName?.trim()) result.plan = q.planName.trim();
      return result;
    });
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    return guarded(ctx, async () => {
      const q = await fetchQuota(ctx);
      const info: ConnectionInfo = {};
      const plan = q.planName?.trim();
      if (plan) {
        info.plan = plan;
        info.suggestedName = plan;
      }
      return info;
    });
  },
};
