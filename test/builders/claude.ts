// Payload builders for Claude's `GET /api/oauth/usage`, `GET /api/oauth/profile` and Claude Code's local files
// (`.credentials.json`, `.claude.json`), following provider-apis.md §4.4. Values are synthetic.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export type Json = Record<string, unknown>;

/** The reference payload: 5-hour 51 % used, weekly 9 %, Opus weekly 5 % (only in `limits[]`), $5.20 of $20 extra usage. */
export function claudeUsage(overrides: Json = {}): Json {
  return {
    five_hour: { utilization: 51.0, resets_at: '2026-09-07T16:30:00.961652+00:00', limit_dollars: null, used_dollars: null, remaining_dollars: null, locked_reason: null },
    seven_day: { utilization: 9.0, resets_at: '2026-09-11T14:00:00.961672+00:00', limit_dollars: null, used_dollars: null, remaining_dollars: null, locked_reason: null },
    seven_day_opus: null,
    seven_day_sonnet: null,
    seven_day_oauth_apps: null,
    seven_day_cowork: null,
    nimbus_quill: null,
    extra_usage: { is_enabled: true, monthly_limit: 2000, used_credits: 520, utilization: 26.0, currency: 'USD', decimal_places: 2 },
    limits: [
      { kind: 'session', group: 'session', percent: 51, severity: 'warning', resets_at: '2026-09-07T16:30:00.961652+00:00', scope: null, is_active: true },
      { kind: 'weekly_all', group: 'weekly', percent: 9, severity: 'normal', resets_at: '2026-09-11T14:00:00.961672+00:00', scope: null, is_active: true },
      {
        kind: 'weekly_scoped',
        group: 'weekly',
        percent: 5,
        resets_at: '2026-09-11T14:00:00.283070+00:00',
        scope: { model: { id: null, display_name: 'Opus' }, surface: null },
        is_active: false,
      },
    ],
    ...overrides,
  };
}

/** A Max plan near its limits: flat Sonnet window, Opus locked, no extra usage. */
export function claudeUsageLocked(overrides: Json = {}): Json {
  return claudeUsage({
    five_hour: { utilization: 100.0, resets_at: '2026-09-07T16:30:00.000000+00:00', locked_reason: 'Session limit reached' },
    seven_day_sonnet: { utilization: 42.5, resets_at: '2026-09-11T14:00:00.5+00:00', limit_dollars: null, used_dollars: null, remaining_dollars: null, locked_reason: null },
    extra_usage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null, currency: null, decimal_places: null },
    limits: [],
    ...overrides,
  });
}

/** The newest shape: every flat window null, only `limits[]` and `spend`. */
export function claudeUsageLimitsOnly(): Json {
  return {
    five_hour: null,
    seven_day: null,
    limits: [
      { kind: 'session', group: 'session', percent: 12, resets_at: '2026-09-07T16:30:00.961652+00:00', scope: null, is_active: true },
      { kind: 'weekly_all', group: 'weekly', percent: 30, resets_at: '2026-09-11T14:00:00+00:00', scope: null, is_active: true },
      { kind: 'weekly_scoped', group: 'weekly', percent: 64, resets_at: '2026-09-11T14:00:00+00:00', scope: { model: { id: 'claude-sonnet', display_name: 'Sonnet' }, surface: null }, is_active: true },
    ],
    spend: { used: { amount_minor: 1234, currency: 'EUR', exponent: 2 }, limit: { amount_minor: 5000, currency: 'EUR', exponent: 2 }, percent: 24.68, enabled: true },
  };
}

export function claudeProfile(email = 'dev@example.com'): Json {
  return {
    account: { uuid: '00000000-0000-0000-0000-000000000001', email, full_name: 'Dev Example', has_claude_max: true },
    organization: { uuid: '00000000-0000-0000-0000-000000000002', rate_limit_tier: 'default_claude_max_20x', billing_type: 'stripe_subscription' },
  };
}

/** `.credentials.json` with a Max 20x sign-in. */
export function claudeCredentials(oauth: Json = {}, extra: Json = {}): Json {
  return {
    claudeAiOauth: {
      accessToken: 'sk-ant-oat01-fake-access-token-0000000000',
      refreshToken: 'sk-ant-ort01-fake-refresh-token-000000000',
      expiresAt: Date.now() + 8 * 3600_000,
      refreshTokenExpiresAt: Date.now() + 30 * 86_400_000,
      scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'],
      subscriptionType: 'max',
      rateLimitTier: 'default_claude_max_20x',
      ...oauth,
    },
    mcpOAuth: {},
    ...extra,
  };
}

/** A file that only holds MCP server sign-ins: no usable token. */
export function claudeMcpOnly(): Json {
  return { mcpOAuth: { 'linear|abc123': { serverName: 'linear', accessToken: 'mcp-token', expiresAt: Date.now() + 3600_000 } } };
}

export function claudeGlobalConfig(email = 'dev@example.com'): Json {
  return {
    numStartups: 42,
    oauthAccount: { accountUuid: 'u-1', emailAddress: email, organizationUuid: 'o-1', displayName: 'Dev', organizationName: "dev@example.com's Organization", billingType: 'stripe_subscription' },
    projects: { '/work/x': { allowedTools: [] } },
  };
}

/** Writes `<dir>/.credentials.json` (and optionally `.claude.json` where Claude Code keeps it). Returns the file. */
export function writeClaudeDir(dir: string, credentials: Json | string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, '.credentials.json');
  writeFileSync(file, typeof credentials === 'string' ? credentials : JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return file;
}

export function writeJson(file: string, data: Json | string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data, null, 2), { mode: 0o600 });
  return file;
}
