// GitHub Copilot plan quota from the undocumented `GET /copilot_internal/user` (provider-apis.md §1.1).
// The payload varies by plan (paid, Free, token-billed, unlimited) and drifts over time, so every field is
// optional, numbers may arrive as strings, and unknown fields are ignored. Meters never show a made-up 0 %.
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError, toProviderError } from '../errors';
import { makeMeter, type BillingBreakdown, type Meter } from '../../shared/model';
import { bool, num, parseVendorDate, requestJson, scrubSecret } from './json';
import { ghCliCredentialSource } from './ghCli';
import { billingScope, fetchBillingBreakdown } from './copilotBilling';
import type { ConnectionInfo, FetchResult, KeyHint, ProviderContext, ProviderDefinition } from './types';

const API_VERSION = '2025-04-01';
const USER_PATH = '/copilot_internal/user';

const optNum = z.nullish(num);
const optBool = z.nullish(bool);
const optStr = z.nullish(z.string());

const snapshotSchema = z.object({
  quota_id: optStr,
  entitlement: optNum,
  remaining: optNum,
  quota_remaining: optNum,
  percent_remaining: optNum,
  unlimited: optBool,
  overage_count: optNum,
  overage_permitted: optBool,
  credits_used: optNum,
  token_based_billing: optBool,
});

const freeQuotasSchema = z.object({ chat: optNum, completions: optNum });

export const copilotUserSchema = z.object({
  login: optStr,
  copilot_plan: optStr,
  access_type_sku: optStr,
  quota_reset_date: optStr,
  quota_reset_date_utc: optStr,
  token_based_billing: optBool,
  quota_snapshots: z.nullish(z.record(z.string(), z.nullish(snapshotSchema))),
  limited_user_quotas: z.nullish(freeQuotasSchema),
  monthly_quotas: z.nullish(freeQuotasSchema),
  limited_user_reset_date: z.nullish(z.union([z.string(), num])),
});

export type CopilotUser = z.output<typeof copilotUserSchema>;
type Snapshot = z.output<typeof snapshotSchema>;

const loginSchema = z.object({ login: z.string() });

/** The bare host of a GitHub Enterprise setting (`https://octo.ghe.com/` → `octo.ghe.com`), or undefined for github.com. */
export function enterpriseHostOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const bare = value.trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return bare === '' || bare === 'github.com' || bare === 'api.github.com' ? undefined : bare;
}

/** A GitHub Enterprise Cloud host with data residency (`<tenant>.ghe.com`), as opposed to an Enterprise Server. */
export function isDataResidencyHost(host: string): boolean {
  return /(^|\.)ghe\.com$/i.test(host);
}

/**
 * The REST API root for a host: github.com → `https://api.github.com`; data residency (`octo.ghe.com`) →
 * `https://api.octo.ghe.com`; Enterprise Server (`github.example.com`) → `https://github.example.com/api/v3`.
 */
export function githubApiBaseUrl(enterpriseHost: unknown): string {
  const host = enterpriseHostOf(enterpriseHost);
  if (!host) return 'https://api.github.com';
  if (isDataResidencyHost(host)) return `https://api.${host.replace(/^api\./, '')}`;
  return `https://${host}/api/v3`;
}

/** A fine-grained personal access token (`github_pat_…`) for GitHub's billing report; a classic one (`ghp_…`) works for enterprise billing. */
export const fineGrainedTokenHint: KeyHint = {
  placeholder: 'github_pat_…',
  prompt: 'A fine-grained personal access token with the user permission "Plan" (read) — or, for an organisation\'s report, "Administration" (read). tokstat reads GitHub\'s billing report with it.',
  validate(key) {
    const k = key.trim();
    if (k.length < 20 || /\s/.test(k)) return { error: 'That does not look like a GitHub token.' };
    if (/^gh[pousr]_|^github_pat_/.test(k)) return {};
    return { warning: 'GitHub tokens start with github_pat_ (fine-grained) or ghp_ (classic).' };
  },
};

const PLAN_NAMES: Record<string, string> = {
  individual: 'Pro',
  individual_pro: 'Pro+',
  business: 'Business',
  enterprise: 'Enterprise',
};

/** Human plan name: the SKU identifies Free (whose `copilot_plan` is also `individual`), else the plan id. */
export function copilotPlanName(u: Pick<CopilotUser, 'copilot_plan' | 'access_type_sku'>): string | undefined {
  if (u.access_type_sku === 'free_limited_copilot') return 'Free';
  const plan = u.copilot_plan?.trim();
  if (!plan) return undefined;
  return PLAN_NAMES[plan] ?? plan;
}

function headers(ctx: ProviderContext): Record<string, string> {
  return {
    authorization: `token ${ctx.secret}`,
    'x-github-api-version': API_VERSION,
    accept: 'application/json',
  };
}

async function fetchUser(ctx: ProviderContext): Promise<CopilotUser> {
  try {
    const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, USER_PATH), headers: headers(ctx) }, copilotUserSchema);
    return data;
  } catch (err) {
    const e = toProviderError(err);
    if (e.kind === 'not-found') {
      throw new ProviderError(
        'not-found',
        'Copilot usage is not available (HTTP 404): this GitHub account has no Copilot access, or the token comes from an OAuth app that Copilot does not accept. Sign in with the VS Code GitHub account that has Copilot.',
        { status: 404 },
      );
    }
    throw e;
  }
}

/** The premium snapshot: `premium_interactions`, else the first key containing "premium" (names drift). */
function premiumSnapshot(snaps: Record<string, Snapshot | null | undefined>): Snapshot | undefined {
  const direct = snaps.premium_interactions;
  if (direct) return direct;
  const key = Object.keys(snaps).find((k) => k.toLowerCase().includes('premium') && snaps[k]);
  return key ? (snaps[key] ?? undefined) : undefined;
}

function overageDetail(s: Snapshot): string | undefined {
  const parts: string[] = [];
  const over = s.overage_count ?? undefined;
  if (over !== undefined && over > 0) parts.push(`${Math.round(over * 100) / 100} over the allowance`);
  if (s.overage_permitted === true) parts.push('paid overage allowed');
  else if (s.overage_permitted === false) parts.push('paid overage not allowed');
  return parts.length ? parts.join(' · ') : undefined;
}

/** Maps the `/copilot_internal/user` payload to meters. Exported for tests and the e2e harness. */
export function copilotMeters(u: CopilotUser, capturedAt: number): Meter[] {
  const source = 'vendor-undocumented' as const;
  const meters: Meter[] = [];
  const snaps = u.quota_snapshots ?? {};
  const resetsAt = parseVendorDate(u.quota_reset_date_utc) ?? parseVendorDate(u.quota_reset_date);

  const premium = premiumSnapshot(snaps);
  const tokenBilled = u.token_based_billing === true || premium?.token_based_billing === true;
  const entitlement = premium?.entitlement ?? undefined;
  if (tokenBilled && !(entitlement !== undefined && entitlement > 0)) {
    // Token-billed seats carry a placeholder snapshot (entitlement 0, percent 100): only the credits spent mean anything.
    meters.push(
      makeMeter({
        id: 'ai-credits',
        label: 'AI credits used',
        kind: 'credits',
        unit: 'credits',
        source,
        capturedAt,
        used: premium?.credits_used ?? undefined,
        resetsAt,
        detail: 'billed per AI credit',
      }),
    );
  } else if (premium) {
    if (premium.unlimited === true) {
      meters.push(makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source, capturedAt, unlimited: true, resetsAt }));
    } else if (entitlement !== undefined && entitlement > 0) {
      const pct = premium.percent_remaining ?? undefined;
      meters.push(
        makeMeter({
          id: 'premium',
          label: 'Premium requests',
          kind: 'quota',
          unit: 'requests',
          source,
          capturedAt,
          limit: entitlement,
          remaining: premium.quota_remaining ?? premium.remaining ?? undefined,
          // Over quota, `remaining` stays at 0 while the percentage goes negative: only the percentage tells usage.
          used: pct !== undefined && pct < 0 ? (entitlement * (100 - pct)) / 100 : undefined,
          percentUsed: pct !== undefined ? 100 - pct : undefined,
          resetsAt,
          detail: overageDetail(premium),
        }),
      );
    }
    // else: a placeholder (entitlement 0, not unlimited) — dropped rather than shown as a fake "0 % used".
    if (tokenBilled && premium.credits_used != null) {
      meters.push(makeMeter({ id: 'ai-credits', label: 'AI credits used', kind: 'credits', unit: 'credits', source, capturedAt, used: premium.credits_used, resetsAt, detail: 'billed per AI credit' }));
    }
  }

  // Free plan: remaining counts in `limited_user_quotas`, monthly totals in `monthly_quotas`.
  const limited = u.limited_user_quotas ?? undefined;
  const monthly = u.monthly_quotas ?? undefined;
  const freeReset = parseVendorDate(u.limited_user_reset_date ?? undefined) ?? resetsAt;
  const seen = new Set<string>();
  if (limited || monthly) {
    for (const [id, label, unit] of [
      ['chat', 'Chat messages', 'messages'],
      ['completions', 'Code completions', 'completions'],
    ] as const) {
      const limit = monthly?.[id] ?? undefined;
      const remaining = limited?.[id] ?? undefined;
      if (limit === undefined && remaining === undefined) continue;
      seen.add(id);
      meters.push(makeMeter({ id, label, kind: 'quota', unit, source, capturedAt, limit, remaining, resetsAt: freeReset }));
    }
  }

  // Paid plans report chat/completions as unlimited (no information); a limited one with a real entitlement is shown.
  for (const [id, label, unit] of [
    ['chat', 'Chat messages', 'messages'],
    ['completions', 'Code completions', 'completions'],
  ] as const) {
    const s = snaps[id];
    if (!s || seen.has(id) || s.unlimited === true) continue;
    const ent = s.entitlement ?? undefined;
    if (ent === undefined || ent <= 0) continue;
    const pct = s.percent_remaining ?? undefined;
    meters.push(
      makeMeter({
        id,
        label,
        kind: 'quota',
        unit,
        source,
        capturedAt,
        limit: ent,
        remaining: s.quota_remaining ?? s.remaining ?? undefined,
        percentUsed: pct !== undefined ? 100 - pct : undefined,
        resetsAt,
      }),
    );
  }
  return meters;
}

function hasQuotaInfo(u: CopilotUser): boolean {
  return u.quota_snapshots != null || u.limited_user_quotas != null || u.monthly_quotas != null || u.token_based_billing === true;
}

export const copilotProvider: ProviderDefinition = {
  id: 'copilot',
  displayName: 'GitHub Copilot',
  description: 'Premium requests, Free-plan chat and completions, AI credits (undocumented Copilot endpoint)',
  authKinds: ['github-session', 'github-device', 'credential-file', 'api-key'],
  signIn: 'github',
  pickerGroup: 'plan',
  credentialFile: ghCliCredentialSource,
  authLabel: 'VS Code GitHub sign-in, GitHub CLI, fine-grained token',
  keyHint: fineGrainedTokenHint,
  defaultBaseUrl: (account) => githubApiBaseUrl(account.settings?.enterpriseHost),
  defaultPollSeconds: 600,
  minPollSeconds: 120,
  icon: 'github',
  endpoints: [
    { path: USER_PATH, official: false },
    { path: '/user', official: true },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const personalToken = ctx.account.authKind === 'api-key';
    let u: CopilotUser | undefined;
    try {
      u = await fetchUser(ctx);
    } catch (err) {
      // A personal access token may not be accepted by the Copilot endpoint; its account lives on the billing report.
      const e = toProviderError(err);
      if (!personalToken || (e.kind !== 'not-found' && e.kind !== 'forbidden')) throw e;
      ctx.log.debug(`copilot: ${USER_PATH} refused the personal token (${e.status ?? e.kind}); billing report only`);
    }
    if (u && !hasQuotaInfo(u)) {
      throw new ProviderError(
        'bad-response',
        `Unexpected response from ${USER_PATH}: response.quota_snapshots: missing (no quota_snapshots or limited_user_quotas in the payload)`,
      );
    }
    const now = ctx.clock.now();
    const meters = u ? copilotMeters(u, now) : [];
    const login = u?.login ?? settingText(ctx, 'login') ?? (await readLogin(ctx, !u));
    const breakdown = await breakdownFor(ctx, u, login, personalToken);
    if (!u && breakdown.state !== 'ok') {
      // Nothing to show: the token reads neither the quota nor the bill.
      throw new ProviderError(breakdown.reason === 'error' ? 'server' : 'forbidden', breakdown.message);
    }
    if (breakdown.state === 'ok') meters.push(...billingMeters(breakdown, now, !u));
    ctx.log.debug(`copilot: ${meters.length} meter(s); billing report ${breakdown.state}`);
    const result: FetchResult = { meters, breakdown };
    const plan = u ? copilotPlanName(u) : undefined;
    if (plan) result.plan = plan;
    if (login) result.identity = login;
    return result;
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    if (ctx.account.authKind === 'api-key') {
      // A personal token: the billing report must be readable (the Copilot endpoint may refuse such tokens).
      const r = await this.fetchSnapshot(ctx);
      // The token was chosen for the billing report: one that cannot read it is refused here, with what would work.
      if (r.breakdown?.state === 'unavailable' && r.breakdown.reason !== 'error') throw new ProviderError('forbidden', r.breakdown.message);
      const info: ConnectionInfo = {};
      if (r.identity) {
        info.suggestedName = r.identity;
        info.identity = r.identity;
        info.settings = { login: r.identity };
      }
      if (r.plan) info.plan = r.plan;
      return info;
    }
    const u = await fetchUser(ctx);
    let login = u.login ?? undefined;
    if (!login) {
      // The payload does not always carry the login; `/user` does. Its failure must not fail the test.
      try {
        const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, '/user'), headers: headers(ctx) }, loginSchema);
        login = data.login;
      } catch (err) {
        const e = scrubSecret(toProviderError(err), ctx.secret);
        if (e.kind === 'cancelled') throw e;
        ctx.log.warn(`copilot: could not read the login from /user: ${e.message}`);
      }
    }
    const info: ConnectionInfo = {};
    if (login) {
      info.suggestedName = login;
      info.identity = login;
      info.settings = { login };
    }
    const plan = copilotPlanName(u);
    if (plan) info.plan = plan;
    return info;
  },
};

function settingText(ctx: ProviderContext, key: string): string | undefined {
  const v = ctx.account.settings[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The login from `/user`, when the Copilot payload and the account do not carry it; a failure only loses the name. */
async function readLogin(ctx: ProviderContext, required: boolean): Promise<string | undefined> {
  try {
    const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, '/user'), headers: headers(ctx) }, loginSchema);
    return data.login;
  } catch (err) {
    const e = scrubSecret(toProviderError(err), ctx.secret);
    if (e.kind === 'cancelled' || required) throw e;
    ctx.log.warn(`copilot: could not read the login from /user: ${e.message}`);
    return undefined;
  }
}

const ORG_PLANS = new Set(['business', 'enterprise']);

async function breakdownFor(ctx: ProviderContext, u: CopilotUser | undefined, login: string | undefined, personalToken: boolean): Promise<BillingBreakdown> {
  const now = ctx.clock.now();
  const scope = billingScope(ctx.account.settings, login);
  if (!scope) {
    return { state: 'unavailable', reason: 'error', capturedAt: now, message: 'The GitHub login of this account is unknown, so its billing report cannot be asked for.' };
  }
  if (scope.kind === 'user' && u && ORG_PLANS.has(u.copilot_plan ?? '')) {
    // GitHub's docs: seats paid by an organisation or enterprise report nothing at the user level — no request needed.
    return {
      state: 'unavailable',
      reason: 'not-billed-to-user',
      fix: 'org-admin-token',
      capturedAt: now,
      message: `This Copilot seat (${copilotPlanName(u) ?? u.copilot_plan}) is paid by an organisation or enterprise, whose billing report shows where its requests went: an owner or billing manager can add a Copilot account with a token for it.`,
    };
  }
  const opts: { personalToken: boolean; tokenBilled?: boolean } = { personalToken };
  if (u) opts.tokenBilled = u.token_based_billing === true || premiumSnapshot(u.quota_snapshots ?? {})?.token_based_billing === true;
  return fetchBillingBreakdown(ctx, scope, opts);
}

/** Meters from the billing report: paid overage (money), and for a token-only account the month's total. */
function billingMeters(b: Extract<BillingBreakdown, { state: 'ok' }>, capturedAt: number, withTotal: boolean): Meter[] {
  const d = new Date(capturedAt);
  const resetsAt = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const source = 'official' as const;
  const whose = b.scope === 'user' ? '' : ` (${b.scopeName})`;
  const out: Meter[] = [];
  if (withTotal) {
    const label = b.unit === 'credits' ? 'AI credits this month' : 'Premium requests this month';
    const detail = b.includedQuantity !== undefined ? `${Math.round(b.includedQuantity * 100) / 100} included in the plan${whose}` : undefined;
    out.push(makeMeter({ id: 'billed-usage', label, kind: 'credits', unit: b.unit, source, capturedAt, used: b.totalQuantity, resetsAt, period: 'month', ...(detail ? { detail } : {}) }));
  }
  if (b.netAmount !== undefined) {
    out.push(makeMeter({ id: 'overage', label: `Paid overage this month${whose}`, kind: 'spend', unit: b.currency, source, capturedAt, used: b.netAmount, resetsAt, period: 'month', detail: 'beyond the included allowance' }));
  }
  return out;
}
