// Moonshot / Kimi account balance from the official `GET /v1/users/me/balance` (provider-apis.md §7.2).
// Floats without a currency field: CNY on api.moonshot.cn, USD on api.moonshot.ai — so the unit comes from the
// account's region. Keys are region-bound. `cash_balance` may be negative (debt).
import * as z from 'zod/mini';
import { describe } from '../http';
import { joinUrl } from '../endpoints';
import { ProviderError } from '../errors';
import { makeMeter, type Meter } from '../../shared/model';
import { bool, num, requestJson, validate } from './json';
import { bearerHeaders, envelopeError, guarded, money, prefixKeyHint, regionField, regionOf, vendorMessage, type RegionSpec } from './deepseek';
import type { ConnectionInfo, FetchResult, ProviderContext, ProviderDefinition } from './types';

const BALANCE_PATH = '/v1/users/me/balance';

interface MoonshotRegion extends RegionSpec {
  currency: string;
}

export const MOONSHOT_REGIONS: readonly MoonshotRegion[] = [
  { value: 'global', label: 'Global', description: 'platform.moonshot.ai · balance in USD', baseUrl: 'https://api.moonshot.ai', currency: 'USD' },
  { value: 'china', label: 'China', description: 'platform.moonshot.cn · balance in CNY', baseUrl: 'https://api.moonshot.cn', currency: 'CNY' },
];

const envelopeSchema = z.object({
  code: z.nullish(num),
  status: z.nullish(bool),
  scode: z.nullish(z.string()),
  message: z.nullish(z.string()),
  data: z.optional(z.unknown()),
});

export const moonshotBalanceSchema = z.object({
  data: z.object({
    available_balance: num,
    voucher_balance: z.nullish(num),
    cash_balance: z.nullish(num),
  }),
});

export type MoonshotBalance = z.output<typeof moonshotBalanceSchema>['data'];

/** The balance meter: what is available, with voucher and cash parts (cash below zero is a debt). */
export function moonshotMeters(b: MoonshotBalance, currency: string, capturedAt: number): Meter[] {
  const parts: string[] = [];
  if (b.available_balance <= 0) parts.push('calls are blocked (balance is not above 0)');
  if (b.voucher_balance != null) parts.push(`voucher ${money(b.voucher_balance)}`);
  if (b.cash_balance != null) parts.push(b.cash_balance < 0 ? `cash ${money(b.cash_balance)} (debt)` : `cash ${money(b.cash_balance)}`);
  return [
    makeMeter({
      id: 'balance',
      label: 'Available balance',
      kind: 'balance',
      unit: currency,
      source: 'official',
      capturedAt,
      remaining: b.available_balance,
      detail: parts.join(' · ') || undefined,
    }),
  ];
}

async function fetchBalance(ctx: ProviderContext): Promise<MoonshotBalance> {
  const url = joinUrl(ctx.baseUrl, BALANCE_PATH);
  try {
    const { data: env } = await requestJson(ctx, { url, headers: bearerHeaders(ctx) }, envelopeSchema);
    if ((env.code != null && env.code !== 0) || env.status === false) {
      throw envelopeError('Moonshot', env.code ?? env.scode ?? undefined, vendorMessage(env.message));
    }
    return validate(moonshotBalanceSchema, { data: env.data }, describe(url)).data;
  } catch (err) {
    if (err instanceof ProviderError && err.kind === 'auth') {
      const region = regionOf(MOONSHOT_REGIONS, ctx.account);
      throw new ProviderError('auth', `${err.message} — Moonshot keys are region-bound: this account uses the ${region.label} platform (${region.baseUrl}); a key from the other platform is rejected.`, { status: err.status ?? 401 });
    }
    throw err;
  }
}

export const moonshotProvider: ProviderDefinition = {
  id: 'moonshot',
  displayName: 'Moonshot / Kimi',
  description: 'Kimi API account balance (voucher and cash), USD on .ai or CNY on .cn',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'api-key',
  keyHint: prefixKeyHint({ vendor: 'Moonshot', placeholder: 'sk-…', prompt: 'Moonshot / Kimi API key (from the platform of the region chosen for this account)', prefixes: ['sk-'] }),
  accountFields: [regionField(MOONSHOT_REGIONS, 'Which Moonshot platform issued the key? (keys only work on their own platform)')],
  defaultBaseUrl: (account) => regionOf(MOONSHOT_REGIONS, account).baseUrl,
  defaultPollSeconds: 600,
  minPollSeconds: 120,
  icon: 'credit-card',
  endpoints: [{ path: BALANCE_PATH, official: true }],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    return guarded(ctx, async () => {
      const b = await fetchBalance(ctx);
      const region = regionOf(MOONSHOT_REGIONS, ctx.account);
      return { meters: moonshotMeters(b, region.currency, ctx.clock.now()) };
    });
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    return guarded(ctx, async () => {
      await fetchBalance(ctx);
      // No user name or key label in the answer; the region tells two Moonshot accounts apart.
      return { suggestedName: `Moonshot (${regionOf(MOONSHOT_REGIONS, ctx.account).label})` };
    });
  },
};
