// SiliconFlow account balance from the official `GET /v1/user/info` (provider-apis.md §7.12). Envelope
// `{code: 20000, message, status, data}`; any other code is an error even with HTTP 200. Amounts are decimal strings:
// `balance` = gifted, `chargeBalance` = paid, `totalBalance` = both. CNY on api.siliconflow.cn; the currency of the
// international host is reported as USD by one client only (unverified).
import * as z from 'zod/mini';
import { describe } from '../http';
import { joinUrl } from '../endpoints';
import { makeMeter, type Meter } from '../../shared/model';
import { bool, num, requestJson, validate } from './json';
import { bearerHeaders, envelopeError, guarded, money, prefixKeyHint, regionField, regionOf, vendorMessage, type RegionSpec } from './deepseek';
import type { ConnectionInfo, FetchResult, ProviderContext, ProviderDefinition } from './types';

const USER_INFO_PATH = '/v1/user/info';
const OK_CODE = 20000;

interface SiliconFlowRegion extends RegionSpec {
  currency: string;
  currencyVerified: boolean;
}

export const SILICONFLOW_REGIONS: readonly SiliconFlowRegion[] = [
  { value: 'china', label: 'China', description: 'cloud.siliconflow.cn · balance in CNY', baseUrl: 'https://api.siliconflow.cn', currency: 'CNY', currencyVerified: true },
  { value: 'global', label: 'International', description: 'cloud.siliconflow.com · balance in USD (unverified)', baseUrl: 'https://api.siliconflow.com', currency: 'USD', currencyVerified: false },
];

const envelopeSchema = z.object({
  code: num,
  message: z.nullish(z.string()),
  status: z.nullish(bool),
  data: z.optional(z.unknown()),
});

export const siliconFlowUserSchema = z.object({
  data: z.object({
    id: z.nullish(z.string()),
    name: z.nullish(z.string()),
    email: z.nullish(z.string()),
    status: z.nullish(z.string()),
    balance: z.nullish(num),
    chargeBalance: z.nullish(num),
    totalBalance: num,
  }),
});

export type SiliconFlowUser = z.output<typeof siliconFlowUserSchema>['data'];

export function siliconFlowMeters(u: SiliconFlowUser, region: SiliconFlowRegion, capturedAt: number): Meter[] {
  const parts: string[] = [];
  if (u.chargeBalance != null) parts.push(`paid ${money(u.chargeBalance)}`);
  if (u.balance != null) parts.push(`gifted ${money(u.balance)}`);
  if (!region.currencyVerified) parts.push('(currency unverified)');
  if (u.status && u.status.trim().toLowerCase() !== 'normal') parts.push(`account status: ${u.status.trim()}`);
  return [
    makeMeter({
      id: 'balance',
      label: 'Balance',
      kind: 'balance',
      unit: region.currency,
      source: 'official',
      capturedAt,
      remaining: u.totalBalance,
      detail: parts.join(' · ') || undefined,
    }),
  ];
}

async function fetchUser(ctx: ProviderContext): Promise<SiliconFlowUser> {
  const url = joinUrl(ctx.baseUrl, USER_INFO_PATH);
  const { data: env } = await requestJson(ctx, { url, headers: bearerHeaders(ctx) }, envelopeSchema);
  if (env.code !== OK_CODE || env.status === false) throw envelopeError('SiliconFlow', env.code, vendorMessage(env.message));
  return validate(siliconFlowUserSchema, { data: env.data }, describe(url)).data;
}

function nameOf(u: SiliconFlowUser): string | undefined {
  return u.email?.trim() || u.name?.trim() || undefined;
}

export const siliconFlowProvider: ProviderDefinition = {
  id: 'siliconflow',
  displayName: 'SiliconFlow',
  description: 'Account balance (paid and gifted), CNY on .cn',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'api-key',
  keyHint: prefixKeyHint({ vendor: 'SiliconFlow', placeholder: 'sk-…', prompt: 'SiliconFlow API key', prefixes: ['sk-'] }),
  accountFields: [regionField(SILICONFLOW_REGIONS, 'Which SiliconFlow platform issued the key?')],
  defaultBaseUrl: (account) => regionOf(SILICONFLOW_REGIONS, account).baseUrl,
  defaultPollSeconds: 600,
  minPollSeconds: 120,
  icon: 'credit-card',
  endpoints: [{ path: USER_INFO_PATH, official: true }],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    return guarded(ctx, async () => {
      const u = await fetchUser(ctx);
      const result: FetchResult = { meters: siliconFlowMeters(u, regionOf(SILICONFLOW_REGIONS, ctx.account), ctx.clock.now()) };
      const who = nameOf(u);
      if (who) result.identity = who;
      return result;
    });
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    return guarded(ctx, async () => {
      const u = await fetchUser(ctx);
      const info: ConnectionInfo = {};
      const who = nameOf(u);
      if (who) {
        info.suggestedName = who;
        info.identity = who;
      }
      return info;
    });
  },
};
