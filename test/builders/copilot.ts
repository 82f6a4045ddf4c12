// Payload builders for `GET /copilot_internal/user`, following the variants in provider-apis.md §1.1.
// Values are synthetic. Each builder takes shallow overrides; `snapshot()` builds one quota snapshot.

export type Json = Record<string, unknown>;

const ENDPOINTS = {
  api: 'https://api.individual.githubcopilot.com',
  proxy: 'https://proxy.individual.githubcopilot.com',
  'origin-tracker': 'https://origin-tracker.individual.githubcopilot.com',
  telemetry: 'https://telemetry.individual.githubcopilot.com',
};

const TS = '2026-02-10T13:40:44.935Z';

/** One entry of `quota_snapshots`. */
export function snapshot(quotaId: string, overrides: Json = {}): Json {
  return {
    quota_id: quotaId,
    entitlement: 300,
    remaining: 300,
    quota_remaining: 300,
    percent_remaining: 100,
    unlimited: false,
    overage_count: 0,
    overage_permitted: false,
    timestamp_utc: TS,
    ...overrides,
  };
}

/** The unlimited chat/completions snapshot that paid plans carry. */
export function unlimitedSnapshot(quotaId: string): Json {
  return snapshot(quotaId, { entitlement: 0, remaining: 0, quota_remaining: 0, percent_remaining: 100, unlimited: true });
}

/** Paid plan (Pro+ by default): 1500 premium requests, 1054.25 left (70.28 %), chat/completions unlimited. */
/**
 * The reset fields of a plan whose month ends at the next UTC month start from `now`: for tests against the real
 * clock (the fixed dates of the builders are in the past there, and a quota whose reset is past reads "reset due").
 */
export function upcomingReset(now = Date.now()): Json {
  const d = new Date(now);
  const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return { quota_reset_date: next.toISOString().slice(0, 10), quota_reset_date_utc: next.toISOString() };
}

export function copilotPaid(overrides: Json = {}, premium: Json = {}): Json {
  return {
    login: 'octo-dev',
    copilot_plan: 'individual_pro',
    access_type_sku: 'plus_monthly_subscriber_quota',
    analytics_tracking_id: '0000fake0000',
    assigned_date: '2026-01-30T10:00:46-05:00',
    can_signup_for_limited: false,
    chat_enabled: true,
    organization_login_list: [],
    organization_list: [],
    endpoints: ENDPOINTS,
    quota_reset_date: '2026-03-01',
    quota_reset_date_utc: '2026-03-01T00:00:00.000Z',
    quota_snapshots: {
      chat: unlimitedSnapshot('chat'),
      completions: unlimitedSnapshot('completions'),
      premium_interactions: snapshot('premium_interactions', {
        entitlement: 1500,
        remaining: 1054,
        quota_remaining: 1054.25,
        percent_remaining: 70.28,
        overage_permitted: true,
        ...premium,
      }),
    },
    ...overrides,
  };
}

/** Pro (`individual`), 300 premium requests, over quota: percent_remaining −4 (312 used), 12 overage requests. */
export function copilotOverQuota(): Json {
  return copilotPaid(
    { copilot_plan: 'individual', access_type_sku: 'monthly_subscriber_quota' },
    { entitlement: 300, remaining: 0, quota_remaining: 0, percent_remaining: -4, overage_count: 12, overage_permitted: true },
  );
}

/** Free plan: counts in limited_user_quotas (remaining) and monthly_quotas (totals). */
export function copilotFree(overrides: Json = {}): Json {
  return {
    copilot_plan: 'individual',
    access_type_sku: 'free_limited_copilot',
    chat_enabled: true,
    limited_user_quotas: { chat: 410, completions: 4000 },
    monthly_quotas: { chat: 500, completions: 4000 },
    limited_user_reset_date: '2026-03-11',
    ...overrides,
  };
}

/** Token-billed Business seat: a placeholder premium snapshot plus credits_used. */
export function copilotTokenBilled(overrides: Json = {}): Json {
  return {
    copilot_plan: 'business',
    token_based_billing: true,
    quota_reset_date: '2026-10-01',
    quota_snapshots: {
      premium_interactions: { credits_used: 4909, entitlement: 0, remaining: 0, unlimited: true, percent_remaining: 100, token_based_billing: true },
    },
    ...overrides,
  };
}

/** Enterprise seat whose premium requests are unlimited (entitlement 0, unlimited true). */
export function copilotUnlimited(overrides: Json = {}): Json {
  return {
    login: 'octo-ent',
    copilot_plan: 'enterprise',
    quota_reset_date: '2026-03-01',
    quota_snapshots: {
      chat: unlimitedSnapshot('chat'),
      completions: unlimitedSnapshot('completions'),
      premium_interactions: unlimitedSnapshot('premium_interactions'),
    },
    ...overrides,
  };
}

/** An older, minimal payload: no login, no `_utc` date, a premium key named `premium_models`, ISO reset date. */
export function copilotMinimal(): Json {
  return {
    copilot_plan: 'business',
    quota_reset_date: '2026-03-01T00:00:00Z',
    quota_snapshots: { premium_models: { entitlement: 300, remaining: 120, percent_remaining: 40 } },
  };
}

/** Numbers as strings and unknown fields everywhere (schema drift). */
export function copilotDrifted(): Json {
  const p = copilotPaid({ brand_new_field: { nested: [1, 2, 3] }, copilot_ide_agent_chat_gpt4_small_prompt: true });
  const snaps = p.quota_snapshots as Record<string, Json>;
  snaps.premium_interactions = { ...snaps.premium_interactions, entitlement: '1500', quota_remaining: '1054.25', percent_remaining: '70.28', new_thing: 'x' };
  return p;
}

/**
 * One usage item of GitHub's billing report (§1.4): `quantity` units of `model`, the first `included` of them covered by
 * the plan. AI credits by default (0.01 USD each); `{ unit: 'requests' }` gives premium requests (0.04 USD each).
 */
export function billingItem(model: string, quantity: number, included = 0, opts: { unit?: 'requests' | 'credits' } = {}): Json {
  const requests = opts.unit === 'requests';
  const price = requests ? 0.04 : 0.01;
  const money = (n: number) => Math.round(n * price * 1e6) / 1e6;
  return {
    product: 'copilot',
    sku: requests ? 'Copilot Premium Request' : 'Copilot AI Credits',
    model,
    unitType: requests ? 'requests' : 'Credit',
    pricePerUnit: price,
    grossQuantity: quantity,
    grossAmount: money(quantity),
    discountQuantity: included,
    discountAmount: money(included),
    netQuantity: quantity - included,
    netAmount: money(quantity - included),
  };
}
