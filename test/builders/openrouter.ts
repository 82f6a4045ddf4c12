// Payload builders for OpenRouter `GET /key` (the `data` object) and `GET /credits`, following provider-apis.md §2.
// Values are synthetic. The fake wraps them in `{ "data": … }`.

export type Json = Record<string, unknown>;

/** Current payload of an inference key with a $100 monthly limit, $25.50 spent this month. */
export function orKey(overrides: Json = {}): Json {
  return {
    label: 'sk-or-v1-au7...890',
    limit: 100,
    limit_remaining: 74.5,
    limit_reset: 'monthly',
    include_byok_in_limit: false,
    usage: 25.5,
    usage_daily: 1.25,
    usage_weekly: 8.0,
    usage_monthly: 25.5,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    is_free_tier: false,
    is_management_key: false,
    is_provisioning_key: false,
    rate_limit: { requests: 1000, interval: '1h', note: 'This field is deprecated and safe to ignore.' },
    expires_at: null,
    creator_user_id: 'user_fake0000000000000000000000',
    ...overrides,
  };
}

/** A key without a limit: limit / limit_remaining / limit_reset are null. */
export function orKeyNoLimit(overrides: Json = {}): Json {
  return orKey({ limit: null, limit_remaining: null, limit_reset: null, ...overrides });
}

/** A free-tier account's key (never bought credits), no limit, nothing spent. */
export function orKeyFree(overrides: Json = {}): Json {
  return orKeyNoLimit({ label: 'sk-or-v1-fre...000', is_free_tier: true, usage: 0, usage_daily: 0, usage_weekly: 0, usage_monthly: 0, ...overrides });
}

/** A management key (`is_management_key`); `legacy` uses the older `is_provisioning_key` flag instead. */
export function orManagementKey(legacy = false, overrides: Json = {}): Json {
  const flags = legacy ? { is_management_key: undefined, is_provisioning_key: true } : { is_management_key: true, is_provisioning_key: false };
  return orKeyNoLimit({ label: 'sk-or-v1-mgm...123', usage: 0, usage_daily: 0, usage_weekly: 0, usage_monthly: 0, ...flags, ...overrides });
}

/** The older payload: only label, limit, usage, limit_remaining, is_free_tier, is_provisioning_key, rate_limit. */
export function orKeyMinimal(overrides: Json = {}): Json {
  return {
    label: 'sk-or-v1-old...456',
    limit: 10,
    usage: 2.5,
    limit_remaining: 7.5,
    is_free_tier: false,
    is_provisioning_key: false,
    rate_limit: { requests: 200, interval: '10s' },
    ...overrides,
  };
}

/** `GET /credits` data: $100.50 bought, $25.75 used → $74.75 balance. */
export function orCredits(overrides: Json = {}): Json {
  return { total_credits: 100.5, total_usage: 25.75, ...overrides };
}
