// xAI prepaid balance and today's spend from the official Management API (provider-apis.md §7.3):
//   GET  /v1/billing/teams/{team_id}/prepaid/balance — `total.val`: USD cents as a string with an INVERTED sign
//                                                       ("-1000" = a $10.00 balance)
//   POST /v1/billing/teams/{team_id}/usage           — analytics query, summed USD per day; `limitReached` = partial
// Needs a management key (Console → Settings → Management Keys); inference keys are rejected with 401/403.
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError, toProviderError } from '../errors';
import { makeMeter, type Meter } from '../../shared/model';
import { bool, num, requestJson } from './json';
import { bearerHeaders, guarded, prefixKeyHint, scrubbed } from './deepseek';
import type { AccountField, ConnectionInfo, FetchResult, ProviderContext, ProviderDefinition } from './types';

const BALANCE_PATH = '/v1/billing/teams/{team_id}/prepaid/balance';
const USAGE_PATH = '/v1/billing/teams/{team_id}/usage';

export const xaiBalanceSchema = z.object({
  total: z.object({
    // proto3 JSON leaves zero values out: `"total": {}` is a zero ledger.
    val: z.nullish(num),
  }),
});

export const xaiUsageSchema = z.object({
  // proto3 JSON leaves empty lists out: no `timeSeries` = nothing spent.
  timeSeries: z.nullish(
    z.array(
      z.object({
        dataPoints: z.nullish(z.array(z.object({ timestamp: z.nullish(z.string()), values: z.nullish(z.array(z.nullish(num))) }))),
      }),
    ),
  ),
  limitReached: z.nullish(bool),
});

export type XaiBalance = z.output<typeof xaiBalanceSchema>;
export type XaiUsage = z.output<typeof xaiUsageSchema>;

const teamIdField: AccountField = {
  key: 'teamId',
  label: 'Team id',
  prompt: 'Your xAI team id (console.x.ai → Settings → Team; a UUID)',
  placeholder: 'e.g. 0f1e2d3c-…',
  required: true,
  kind: 'text',
  // The key check reads the team's balance: the team id must be known first.
  beforeKey: true,
  validate(value: string) {
    const v = value.trim();
    if (/\s|\//.test(v)) return 'A team id contains no spaces or slashes.';
    return undefined;
  },
};

function teamId(ctx: ProviderContext): string {
  const raw = ctx.account.settings.teamId;
  const id = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : '';
  if (id === '') throw new ProviderError('config', 'The xAI team id is not set for this account: edit the account and enter the team id from console.x.ai.');
  return id;
}

function teamPath(template: string, id: string): string {
  return template.replace('{team_id}', encodeURIComponent(id));
}

/** Balance in USD from the ledger: cents with an inverted sign. */
export function xaiBalanceUsd(b: XaiBalance): number {
  const cents = b.total.val ?? 0;
  return cents === 0 ? 0 : -cents / 100;
}

/** `YYYY-MM-DD HH:mm:ss` in UTC, the analytics API's time format. */
function analyticsTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The analytics request for today's USD spend (UTC day so far). */
export function xaiUsageRequest(now: number): Record<string, unknown> {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const end = Math.max(now, start + 1000);
  return {
    analyticsRequest: {
      timeRange: { startTime: analyticsTime(start), endTime: analyticsTime(end), timezone: 'Etc/GMT' },
      timeUnit: 'TIME_UNIT_DAY',
      values: [{ name: 'usd', aggregation: 'AGGREGATION_SUM' }],
      groupBy: [],
      filters: [],
    },
  };
}

export function xaiMeters(balance: XaiBalance, usage: XaiUsage | undefined, capturedAt: number): Meter[] {
  const source = 'official' as const;
  const usd = xaiBalanceUsd(balance);
  const meters: Meter[] = [
    makeMeter({
      id: 'balance',
      label: 'Prepaid balance',
      kind: 'balance',
      unit: 'USD',
      source,
      capturedAt,
      remaining: usd,
      detail: usd < 0 ? 'posted ledger is in debt · excludes spend not yet posted this cycle' : 'posted ledger · excludes spend not yet posted this cycle',
    }),
  ];
  if (usage) {
    let spent = 0;
    for (const series of usage.timeSeries ?? []) {
      for (const point of series.dataPoints ?? []) spent += point.values?.[0] ?? 0;
    }
    meters.push(
      makeMeter({
        id: 'spend-today',
        label: 'Spent today',
        kind: 'spend',
        unit: 'USD',
        source,
        capturedAt,
        used: spent,
        detail: usage.limitReached === true ? 'current UTC day · partial (the usage query hit its limit)' : 'current UTC day',
      }),
    );
  }
  return meters;
}

/** Explains the statuses that mean "wrong kind of key" and "wrong team id". */
function explain(err: unknown, id: string): ProviderError {
  const e = toProviderError(err);
  const opts = e.status !== undefined ? { status: e.status } : {};
  if (e.kind === 'auth' || e.kind === 'forbidden') {
    return new ProviderError(e.kind, `xAI refused the key (HTTP ${e.status ?? '?'}): a management key is needed (console.x.ai → Settings → Management Keys); inference API keys are rejected by the Management API.`, opts);
  }
  if (e.kind === 'not-found') {
    return new ProviderError('not-found', `xAI does not know team "${id}" for this key (HTTP 404): check the team id in the account settings.`, opts);
  }
  return e;
}

async function fetchBalance(ctx: ProviderContext, id: string): Promise<XaiBalance> {
  try {
    const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, teamPath(BALANCE_PATH, id)), headers: bearerHeaders(ctx) }, xaiBalanceSchema);
    return data;
  } catch (err) {
    throw explain(err, id);
  }
}

/** Today's spend is a bonus: its failure costs only the spend meter (logged), never the balance. */
async function fetchUsage(ctx: ProviderContext, id: string): Promise<XaiUsage | undefined> {
  try {
    const { data } = await requestJson(
      ctx,
      {
        method: 'POST',
        url: joinUrl(ctx.baseUrl, teamPath(USAGE_PATH, id)),
        headers: { ...bearerHeaders(ctx), 'content-type': 'application/json' },
        body: JSON.stringify(xaiUsageRequest(ctx.clock.now())),
      },
      xaiUsageSchema,
    );
    return data;
  } catch (err) {
    const e = scrubbed(err, ctx.secret);
    if (e.kind === 'cancelled') throw e;
    ctx.log.warn(`xai: could not read today's spend: ${e.message}`);
    return undefined;
  }
}

export const xaiProvider: ProviderDefinition = {
  id: 'xai',
  displayName: 'xAI (management key)',
  description: 'Prepaid balance and spend today (Management API: management key and team id)',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'admin',
  authLabel: 'management key',
  keyHint: prefixKeyHint({
    vendor: 'xAI management',
    placeholder: 'xAI management key',
    prompt: 'xAI management key (console.x.ai → Settings → Management Keys) — inference API keys do not work here',
  }),
  accountFields: [teamIdField],
  defaultBaseUrl: () => 'https://management-api.x.ai',
  defaultPollSeconds: 3600,
  minPollSeconds: 900,
  icon: 'credit-card',
  endpoints: [
    { path: BALANCE_PATH, official: true },
    { path: USAGE_PATH, official: true },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    return guarded(ctx, async () => {
      const id = teamId(ctx);
      const balance = await fetchBalance(ctx, id);
      const usage = await fetchUsage(ctx, id);
      return { meters: xaiMeters(balance, usage, ctx.clock.now()), identity: `team ${id}` };
    });
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    return guarded(ctx, async () => {
      const id = teamId(ctx);
      await fetchBalance(ctx, id);
      const short = id.length > 8 ? `${id.slice(0, 8)}…` : id;
      return { suggestedName: `xAI team ${short}`, identity: `team ${id}` };
    });
  },
};
