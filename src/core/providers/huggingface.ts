// Hugging Face plan and Inference Providers credits (provider-apis.md §7.9):
//   GET /api/whoami-v2                   — identity and plan (isPro, canPay, billingMode, periodEnd unix s); used by the
//                                          official hub clients
//   GET /api/settings/billing/usage-v2   — [UNDOCUMENTED] Inference Providers spend in NANO-USD
//                                          (`usedNanoUsd`, `includedNanoUsd`, `limitNanoUsd`); 403 when the token lacks
//                                          "Billing: read" — expected, not an error.
// Without billing access there is no number at all: the account shows its plan and zero meters (never a made-up one).
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { makeMeter, type Meter } from '../../shared/model';
import { bool, num, requestJson } from './json';
import { bearerHeaders, guarded, money, prefixKeyHint, scrubbed } from './deepseek';
import type { ConnectionInfo, FetchResult, ProviderContext, ProviderDefinition } from './types';

const WHOAMI_PATH = '/api/whoami-v2';
const BILLING_PATH = '/api/settings/billing/usage-v2';
const NANO = 1e9;

/** Shown when the token cannot read billing (also in the key prompt and the provider description). */
export const HF_BILLING_HINT = 'Inference Providers spend needs a fine-grained token with the "Billing: read" permission.';

export const hfWhoamiSchema = z.object({
  type: z.nullish(z.string()),
  name: z.string().check(z.minLength(1)),
  fullname: z.nullish(z.string()),
  email: z.nullish(z.string()),
  isPro: z.nullish(bool),
  canPay: z.nullish(bool),
  billingMode: z.nullish(z.string()),
  periodEnd: z.nullish(num),
});

export const hfBillingSchema = z.object({
  usage: z.nullish(
    z.object({
      inferenceProviders: z.nullish(
        z.object({
          usedNanoUsd: num,
          includedNanoUsd: z.nullish(num),
          limitNanoUsd: z.nullish(num),
          numRequests: z.nullish(num),
          periodEnd: z.nullish(num),
        }),
      ),
    }),
  ),
});

export type HfWhoami = z.output<typeof hfWhoamiSchema>;
export type HfBilling = z.output<typeof hfBillingSchema>;

/** "Pro" / "Free" (an organization token: "Organization"), with the billing mode and a missing payment method. */
export function hfPlan(w: HfWhoami): string {
  const parts = [w.type === 'org' ? 'Organization' : w.isPro === true ? 'Pro' : 'Free'];
  const mode = w.billingMode?.trim().toLowerCase();
  if (mode === 'prepaid' || mode === 'postpaid') parts.push(mode);
  if (w.canPay === false) parts.push('no payment method');
  return parts.join(' · ');
}

function unixToMs(v: number | null | undefined): number | undefined {
  if (v == null || !Number.isFinite(v) || v <= 0) return undefined;
  return v > 1e11 ? v : v * 1000; // unix seconds; tolerate ms
}

/** The Inference Providers credits meter, or nothing when the answer carries no usage. */
export function hfMeters(w: HfWhoami, billing: HfBilling | undefined, capturedAt: number): Meter[] {
  const ip = billing?.usage?.inferenceProviders ?? undefined;
  if (!ip) return [];
  const used = ip.usedNanoUsd / NANO;
  const included = ip.includedNanoUsd != null ? ip.includedNanoUsd / NANO : undefined;
  const spendLimit = ip.limitNanoUsd != null && ip.limitNanoUsd > 0 ? ip.limitNanoUsd / NANO : undefined;
  const parts: string[] = [];
  if (included !== undefined) parts.push(`billable ${money(Math.max(0, used - included), 'USD')} beyond the included credits`);
  if (spendLimit !== undefined) parts.push(`spending limit ${money(spendLimit, 'USD')}`);
  if (ip.numRequests != null) parts.push(`${ip.numRequests} requests`);
  parts.push('this billing period');
  return [
    makeMeter({
      id: 'inference-credits',
      label: 'Inference Providers credits',
      kind: 'credits',
      unit: 'USD',
      source: 'vendor-undocumented',
      capturedAt,
      used,
      limit: included !== undefined && included > 0 ? included : undefined,
      resetsAt: unixToMs(ip.periodEnd) ?? unixToMs(w.periodEnd),
      period: 'month',
      detail: parts.join(' · '),
    }),
  ];
}

async function fetchWhoami(ctx: ProviderContext): Promise<HfWhoami> {
  const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, WHOAMI_PATH), headers: bearerHeaders(ctx) }, hfWhoamiSchema);
  return data;
}

/** Start of the current billing period: one calendar month before `periodEnd`, else the UTC month start. */
export function hfPeriodStart(periodEndMs: number | undefined, now: number): number {
  if (periodEndMs !== undefined && periodEndMs > now) {
    const d = new Date(periodEndMs);
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
    if (start <= now) return start;
  }
  const n = new Date(now);
  return Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), 1);
}

/** The billing usage, or undefined when the token may not read it (expected) or the call fails (logged). */
async function fetchBilling(ctx: ProviderContext, w: HfWhoami): Promise<{ billing?: HfBilling; denied: boolean }> {
  const now = ctx.clock.now();
  const start = Math.floor(hfPeriodStart(unixToMs(w.periodEnd), now) / 1000);
  const end = Math.max(start + 1, Math.floor(now / 1000));
  const url = `${joinUrl(ctx.baseUrl, BILLING_PATH)}?startDate=${start}&endDate=${end}`;
  try {
    const { data } = await requestJson(ctx, { url, headers: bearerHeaders(ctx) }, hfBillingSchema);
    return { billing: data, denied: false };
  } catch (err) {
    const e = scrubbed(err, ctx.secret);
    if (e.kind === 'cancelled') throw e;
    if (e.kind === 'forbidden' || e.kind === 'auth') {
      ctx.log.debug(`huggingface: billing usage not readable with this token (HTTP ${e.status ?? '?'}). ${HF_BILLING_HINT}`);
      return { denied: true };
    }
    ctx.log.warn(`huggingface: could not read the Inference Providers usage: ${e.message}`);
    return { denied: false };
  }
}

export const huggingFaceProvider: ProviderDefinition = {
  id: 'huggingface',
  displayName: 'Hugging Face',
  description: `Plan and Inference Providers credits used this period. ${HF_BILLING_HINT}`,
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'api-key',
  keyHint: prefixKeyHint({
    vendor: 'Hugging Face',
    placeholder: 'hf_…',
    prompt: `Hugging Face access token (hf_…). ${HF_BILLING_HINT}`,
    prefixes: ['hf_'],
  }),
  defaultBaseUrl: () => 'https://huggingface.co',
  defaultPollSeconds: 3600,
  minPollSeconds: 600,
  icon: 'hubot',
  endpoints: [
    { path: WHOAMI_PATH, official: true },
    { path: BILLING_PATH, official: false },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    return guarded(ctx, async () => {
      const w = await fetchWhoami(ctx);
      const { billing } = await fetchBilling(ctx, w);
      return { meters: hfMeters(w, billing, ctx.clock.now()), plan: hfPlan(w), identity: w.name };
    });
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    return guarded(ctx, async () => {
      const w = await fetchWhoami(ctx);
      const { denied } = await fetchBilling(ctx, w);
      const info: ConnectionInfo = { suggestedName: w.name, identity: w.name, plan: hfPlan(w) };
      info.settings = { billingRead: !denied };
      return info;
    });
  },
};
