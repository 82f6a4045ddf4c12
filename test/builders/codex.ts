// Payload builders for Codex `GET /backend-api/wham/usage` and the Codex CLI's `auth.json`, following
// provider-apis.md §5. Values are synthetic; JWTs are unsigned fakes (tokstat only decodes their payload).

export type Json = Record<string, unknown>;

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An unsigned JWT with the given payload. */
export function fakeJwt(payload: Json): string {
  return `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'fake' }))}.${b64url(JSON.stringify(payload))}.${b64url('not-a-signature-0000')}`;
}

export const CODEX_ACCOUNT_ID = 'a3cc6d1b-0000-0000-0000-54191484abb8';

export function codexIdToken(o: { email?: string; accountId?: string; plan?: string } = {}): string {
  return fakeJwt({
    iss: 'https://auth.openai.com',
    aud: ['app_EMoamEEZ73f0CkXaXp7hrann'],
    email: o.email ?? 'dev@example.com',
    email_verified: true,
    'https://api.openai.com/auth': { chatgpt_account_id: o.accountId ?? CODEX_ACCOUNT_ID, chatgpt_plan_type: o.plan ?? 'team', chatgpt_user_id: 'user-xxxxxxxx' },
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
}

/** An access token JWT valid for `seconds` from now (negative: already expired). */
export function codexAccessToken(seconds = 8 * 86_400, tag = 'a'): string {
  return fakeJwt({ iss: 'https://auth.openai.com', exp: Math.floor(Date.now() / 1000) + seconds, scp: ['openid', 'profile', 'email', 'offline_access'], jti: `fake-${tag}` });
}

export function codexAuthFile(tokens: Json = {}, extra: Json = {}): Json {
  return {
    auth_mode: 'chatgpt',
    OPENAI_API_KEY: null,
    tokens: { id_token: codexIdToken(), access_token: codexAccessToken(), refresh_token: 'rt_fake_refresh_0000', account_id: CODEX_ACCOUNT_ID, ...tokens },
    last_refresh: '2026-08-28T12:34:56Z',
    ...extra,
  };
}

export function codexApiKeyAuthFile(): Json {
  return { auth_mode: 'apikey', OPENAI_API_KEY: 'sk-proj-fake-000000000000000000000000', tokens: null, last_refresh: null };
}

/** The captured team-plan payload: 5-hour 7 %, weekly 2 %, code review 0 %, no credits. */
export function codexUsage(overrides: Json = {}): Json {
  return {
    user_id: 'user-xxxxxxxx',
    account_id: CODEX_ACCOUNT_ID,
    email: 'dev@example.com',
    plan_type: 'team',
    rate_limit: {
      allowed: true,
      limit_reached: false,
      primary_window: { used_percent: 7, limit_window_seconds: 18000, reset_after_seconds: 4851, reset_at: 1771422975 },
      secondary_window: { used_percent: 2, limit_window_seconds: 604800, reset_after_seconds: 592029, reset_at: 1772010153 },
    },
    code_review_rate_limit: {
      allowed: true,
      limit_reached: false,
      primary_window: { used_percent: 0, limit_window_seconds: 604800, reset_after_seconds: 604800, reset_at: 1772022925 },
      secondary_window: null,
    },
    additional_rate_limits: null,
    credits: { has_credits: false, unlimited: false, balance: null, approx_local_messages: null, approx_cloud_messages: null },
    promo: null,
    ...overrides,
  };
}

/** A Pro plan with an extra model limit and a credit balance (sent as a string). */
export function codexUsagePro(overrides: Json = {}): Json {
  return codexUsage({
    plan_type: 'pro',
    rate_limit: {
      allowed: false,
      limit_reached: true,
      primary_window: { used_percent: 100, limit_window_seconds: 18000, reset_after_seconds: 600, reset_at: 1771422975 },
      secondary_window: { used_percent: 61, limit_window_seconds: 604800, reset_after_seconds: 400000, reset_at: 1772010153 },
    },
    additional_rate_limits: [
      {
        limit_name: 'GPT-5.3-Codex-Spark',
        metered_feature: 'codex_spark',
        rate_limit: { primary_window: { used_percent: 25, limit_window_seconds: 18000, reset_at: 1771422975 }, secondary_window: null },
      },
    ],
    credits: { has_credits: true, unlimited: false, balance: '37.5', approx_local_messages: [12, 60], approx_cloud_messages: 4 },
    ...overrides,
  });
}
