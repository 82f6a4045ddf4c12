// Payload builders for Gemini Code Assist `loadCodeAssist` / `retrieveUserQuota` and the Gemini CLI's local files,
// following provider-apis.md §6.2. Values are synthetic.
import { fakeJwt } from './codex';

export type Json = Record<string, unknown>;

export const GEMINI_PROJECT = 'fake-companion-project-1234';

export function geminiOauthCreds(overrides: Json = {}): Json {
  return {
    access_token: 'ya29.fake-google-access-token-000000000000',
    refresh_token: '1//fake-google-refresh-token',
    scope: 'openid https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile',
    token_type: 'Bearer',
    id_token: fakeJwt({ iss: 'https://accounts.google.com', email: 'dev@example.com', email_verified: true }),
    expiry_date: Date.now() + 3600_000,
    ...overrides,
  };
}

/** `settings.json`; `legacy` uses the older top-level `selectedAuthType`. */
export function geminiSettings(type = 'oauth-personal', legacy = false): Json {
  return legacy ? { selectedAuthType: type, theme: 'Default' } : { security: { auth: { selectedType: type } }, ui: { theme: 'Default' } };
}

export function geminiLoad(overrides: Json = {}): Json {
  return {
    currentTier: { id: 'standard-tier', name: 'Gemini Code Assist Standard', description: 'Unlimited coding assistant', userDefinedCloudaicompanionProject: true },
    allowedTiers: [{ id: 'standard-tier', name: 'Gemini Code Assist Standard', isDefault: true }],
    cloudaicompanionProject: GEMINI_PROJECT,
    gcpManaged: false,
    ...overrides,
  };
}

/** An individual account refused since 2026-06-18. */
export function geminiLoadIneligible(): Json {
  return {
    allowedTiers: [{ id: 'standard-tier', name: 'Gemini Code Assist', isDefault: true, userDefinedCloudaicompanionProject: true }],
    ineligibleTiers: [{ reasonCode: 'UNSUPPORTED_CLIENT', reasonMessage: 'This client is no longer supported.', tierId: 'free-tier', tierName: 'Gemini Code Assist for individuals' }],
  };
}

/** Two buckets for gemini-2.5-pro (the lower, 0.25, wins), one for flash, one flash-lite bucket without a fraction. */
export function geminiQuota(overrides: Json = {}): Json {
  return {
    buckets: [
      { modelId: 'gemini-2.5-pro', tokenType: 'REQUESTS', remainingFraction: 0.82, remainingAmount: '82', resetTime: '2026-09-08T00:00:00Z' },
      { modelId: 'gemini-2.5-pro', tokenType: 'REQUESTS', remainingFraction: 0.25, remainingAmount: '25', resetTime: '2026-09-07T18:00:00Z' },
      { modelId: 'gemini-2.5-flash', tokenType: 'REQUESTS', remainingFraction: 1, resetTime: '2026-09-08T00:00:00Z' },
      { modelId: 'gemini-2.5-flash-lite', tokenType: 'REQUESTS', resetTime: '2026-09-08T00:00:00Z' },
    ],
    ...overrides,
  };
}
