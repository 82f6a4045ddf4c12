// Payload builders for the LiteLLM proxy self-info endpoints (provider-apis.md §7.16). Values are synthetic; money is USD floats.

export type Json = Record<string, unknown>;

/** The `info` object of `GET /key/info`: $12.34 of a $50 budget, 30-day period, owned by user u1 in team t1. */
export function llKeyInfo(overrides: Json = {}): Json {
  return {
    key_name: 'sk-...abcd',
    key_alias: 'ci-bot',
    spend: 12.34,
    max_budget: 50.0,
    budget_duration: '30d',
    budget_reset_at: '2026-02-28T00:00:00Z',
    expires: null,
    user_id: 'u1',
    team_id: 't1',
    models: [],
    tpm_limit: null,
    rpm_limit: null,
    max_parallel_requests: null,
    metadata: {},
    created_at: '2026-01-05T10:00:00Z',
    ...overrides,
  };
}

/** `GET /key/info` as the proxy answers it. */
export function llKeyInfoResponse(info: Json = llKeyInfo()): Json {
  return { key: '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b', info };
}

/** `GET /user/info?user_id=u1`: $80.5 of $200. */
export function llUserInfo(overrides: Json = {}, top: Json = {}): Json {
  return {
    user_id: 'u1',
    user_info: {
      user_id: 'u1',
      user_email: 'dev@example.com',
      user_alias: null,
      spend: 80.5,
      max_budget: 200,
      budget_duration: '1mo',
      budget_reset_at: '2026-03-01T00:00:00Z',
      models: [],
      metadata: {},
      ...overrides,
    },
    keys: [],
    teams: [],
    ...top,
  };
}

/** `GET /team/info?team_id=t1`: team "platform", $410 of $500, monthly. */
export function llTeamInfo(overrides: Json = {}): Json {
  return {
    team_id: 't1',
    team_info: {
      team_id: 't1',
      team_alias: 'platform',
      spend: 410,
      max_budget: 500,
      budget_duration: '30d',
      budget_reset_at: '2026-02-20T00:00:00Z',
      models: [],
      members_with_roles: [],
      metadata: {},
      ...overrides,
    },
    keys: [],
    team_memberships: [],
  };
}
