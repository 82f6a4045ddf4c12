// DeepSeek account balance from the official `GET /user/balance` (provider-apis.md §7.1): one entry per currency,
// amounts as decimal strings, `is_available: false` when the account cannot make calls.
// Helpers shared with the other balance / coding-plan providers (moonshot, siliconflow, xai, zai, minimax,
// huggingface, cursorAdmin) live here: key hints, the region field, money formatting, HTTP-200 error envelopes.
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError, toProviderError } from '../errors';
import { makeMeter, type Account, type Meter } from '../../shared/model';
import { redact } from '../redact';
import { bool, num, requestJson, scrubSecret } from './json';
import type { AccountField, ConnectionInfo, FetchResult, KeyHint, ProviderContext, ProviderDefinition } from './types';

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

/** `Authorization: Bearer <key>` plus JSON accept. */
export function bearerHeaders(ctx: ProviderContext): Record<string, string> {
  return { authorization: `Bearer ${ctx.secret}`, accept: 'application/json' };
}

/** A key hint: empty or whitespace is an error; a key without one of the usual prefixes only a warning. */
export function prefixKeyHint(opts: { vendor: string; placeholder: string; prompt: string; prefixes?: readonly string[]; prefixWarning?: string }): KeyHint {
  return {
    placeholder: opts.placeholder,
    prompt: opts.prompt,
    validate(key: string) {
      const k = key.trim();
      if (k === '') return { error: `Enter a ${opts.vendor} key.` };
      if (/\s/.test(k)) return { error: `A ${opts.vendor} key contains no spaces.` };
      if (opts.prefixes && opts.prefixes.length > 0 && !opts.prefixes.some((p) => k.startsWith(p))) {
        const list = opts.prefixes.map((p) => `"${p}"`).join(' or ');
        return { warning: opts.prefixWarning ?? `${opts.vendor} keys usually start with ${list}; check that this is a ${opts.vendor} key.` };
      }
      return {};
    },
  };
}

export interface RegionSpec {
  value: string;
  label: string;
  description?: string;
  baseUrl: string;
}

/** The `region` account field (a quick pick, asked before the key: the key check needs the right host). */
export function regionField(regions: readonly RegionSpec[], prompt: string): AccountField {
  return {
    key: 'region',
    label: 'Region',
    prompt,
    defaultValue: regions[0]!.value,
    required: true,
    kind: 'choice',
    choices: regions.map((r) => (r.description ? { value: r.value, label: r.label, description: r.description } : { value: r.value, label: r.label })),
    beforeKey: true,
  };
}

/** The account's region, falling back to the first (default) one for unknown or missing values. */
export function regionOf<R extends RegionSpec>(regions: readonly R[], account: Pick<Account, 'settings'>): R {
  const v = account.settings?.region;
  const key = typeof v === 'string' ? v.trim().toLowerCase() : '';
  return regions.find((r) => r.value === key) ?? regions[0]!;
}

/** Money for a detail text: two decimals (more when the amount is smaller than a cent), a real minus sign. */
export function money(n: number, unit?: string): string {
  const abs = Math.abs(n);
  const digits = abs !== 0 && abs < 0.01 ? 4 : 2;
  const s = `${n < 0 ? '−' : ''}${abs.toFixed(digits)}`;
  return unit ? `${s} ${unit}` : s;
}

/** A message a server put in an HTTP-200 error envelope, clipped and scrubbed of anything token-shaped. */
export function vendorMessage(s: string | null | undefined): string | undefined {
  if (typeof s !== 'string' || s.trim() === '') return undefined;
  const r = redact(s.trim());
  return r.length > 200 ? `${r.slice(0, 200)}…` : r;
}

/** Rethrows anything as a ProviderError without the secret in its message. */
export function scrubbed(err: unknown, secret: string): ProviderError {
  return scrubSecret(toProviderError(err), secret);
}

/** Runs `fn`, guaranteeing that any error it throws is a ProviderError free of the secret. */
export async function guarded<T>(ctx: ProviderContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw scrubbed(err, ctx.secret);
  }
}

/** An error a vendor reported inside an HTTP-200 envelope (`code`/`success`/`base_resp`). */
export function envelopeError(vendor: string, code: string | number | undefined, message: string | undefined, kind: ProviderError['kind'] = 'bad-response'): ProviderError {
  const c = code !== undefined ? ` (code ${String(code)})` : '';
  const m = message ? `: ${message}` : '';
  return new ProviderError(kind, `${vendor} reported an error${c}${m}`);
}

// ---------------------------------------------------------------------------------------------------------------
// DeepSeek

const BALANCE_PATH = '/user/balance';

export const deepSeekBalanceSchema = z.object({
  is_available: z.nullish(bool),
  balance_infos: z.array(
    z.object({
      currency: z.string().check(z.minLength(1)),
      total_balance: num,
      granted_balance: z.nullish(num),
      topped_up_balance: z.nullish(num),
    }),
  ),
});

export type DeepSeekBalance = z.output<typeof deepSeekBalanceSchema>;

/** One `balance` meter per currency entry; no limit and no percentage (a balance has none). */
export function deepSeekMeters(b: DeepSeekBalance, capturedAt: number): Meter[] {
  const many = b.balance_infos.length > 1;
  return b.balance_infos.map((e) => {
    const currency = e.currency.trim().toUpperCase();
    const parts: string[] = [];
    if (b.is_available === false) parts.push('cannot make calls');
    if (e.granted_balance != null) parts.push(`granted ${money(e.granted_balance)}`);
    if (e.topped_up_balance != null) parts.push(`topped-up ${money(e.topped_up_balance)}`);
    return makeMeter({
      id: `balance-${currency.toLowerCase()}`,
      label: many ? `Balance (${currency})` : 'Balance',
      kind: 'balance',
      unit: currency,
      source: 'official',
      capturedAt,
      remaining: e.total_balance,
      detail: parts.join(' · ') || undefined,
    });
  });
}

async function fetchBalance(ctx: ProviderContext): Promise<DeepSeekBalance> {
  const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, BALANCE_PATH), headers: bearerHeaders(ctx) }, deepSeekBalanceSchema);
  return data;
}

export const deepSeekProvider: ProviderDefinition = {
  id: 'deepseek',
  displayName: 'DeepSeek',
  description: 'Account balance per currency (granted and topped-up)',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'api-key',
  keyHint: prefixKeyHint({ vendor: 'DeepSeek', placeholder: 'sk-…', prompt: 'DeepSeek API key (platform.deepseek.com → API keys)', prefixes: ['sk-'] }),
  defaultBaseUrl: () => 'https://api.deepseek.com',
  defaultPollSeconds: 600,
  minPollSeconds: 120,
  icon: 'credit-card',
  endpoints: [{ path: BALANCE_PATH, official: true }],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const b = await fetchBalance(ctx);
    const meters = deepSeekMeters(b, ctx.clock.now());
    if (meters.length === 0) ctx.log.debug('deepseek: the balance answer lists no currency');
    return { meters };
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    const b = await fetchBalance(ctx);
    // The balance answer carries no user name or key label: there is nothing meaningful to suggest as a name.
    if (b.is_available === false) ctx.log.info('deepseek: the account cannot make calls (is_available: false)');
    return {};
  },
};
