// Copilot provider against the loopback GitHub fake through the real UndiciHttpClient.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { copilotProvider } from '../../../src/core/providers/copilot';
import { clearBillingCache } from '../../../src/core/providers/copilotBilling';
import { ProviderError } from '../../../src/core/errors';
import type { Meter } from '../../../src/shared/model';
import { GitHubFake } from '../../fakes/githubFake';
import { testContext, type TestContext } from '../../fakes/providerContext';
import { copilotDrifted, copilotFree, copilotMinimal, copilotOverQuota, copilotPaid, copilotTokenBilled, copilotUnlimited, snapshot, unlimitedSnapshot } from '../../builders/copilot';

const NOW = Date.UTC(2026, 1, 10, 13, 41);
const TOKEN = 'gho_fake_unit_token_1';
const MARCH_1 = Date.UTC(2026, 2, 1);

const base = { source: 'vendor-undocumented', capturedAt: NOW } as const;

describe('copilot provider', () => {
  const gh = new GitHubFake();
  let t: TestContext;

  before(async () => {
    await gh.start();
  });
  after(async () => {
    await gh.stop();
  });
  beforeEach(() => {
    clearBillingCache();
    gh.clearLog().clearFaults();
    t = testContext({ providerId: 'copilot', baseUrl: gh.url, secret: TOKEN, now: NOW });
  });

  async function snapshotFor(payload: Record<string, unknown>) {
    gh.addToken(TOKEN, { copilot: payload });
    try {
      return await copilotProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }

  async function errorFor(payload: Record<string, unknown> | null): Promise<ProviderError> {
    gh.addToken(TOKEN, { copilot: payload });
    try {
      await copilotProvider.fetchSnapshot(t.ctx);
    } catch (err) {
      assert.ok(err instanceof ProviderError, `expected ProviderError, got ${String(err)}`);
      return err;
    } finally {
      await t.close();
    }
    assert.fail('expected an error');
  }

  it('describes itself as documented in the brief', () => {
    assert.equal(copilotProvider.id, 'copilot');
    assert.equal(copilotProvider.displayName, 'GitHub Copilot');
    assert.equal(copilotProvider.icon, 'github');
    assert.deepEqual([...copilotProvider.authKinds], ['github-session', 'github-device', 'credential-file', 'api-key']);
    assert.equal(copilotProvider.defaultPollSeconds, 600);
    assert.equal(copilotProvider.minPollSeconds, 120);
    assert.equal(copilotProvider.defaultBaseUrl({ settings: {} }), 'https://api.github.com');
    assert.equal(copilotProvider.defaultBaseUrl({ settings: { enterpriseHost: 'octo.ghe.com' } }), 'https://api.octo.ghe.com');
    assert.equal(copilotProvider.defaultBaseUrl({ settings: { enterpriseHost: 'https://octo.ghe.com/' } }), 'https://api.octo.ghe.com');
    // GitHub Enterprise Server: the REST root is /api/v3 on the host itself.
    assert.equal(copilotProvider.defaultBaseUrl({ settings: { enterpriseHost: 'github.example.com' } }), 'https://github.example.com/api/v3');
    assert.equal(copilotProvider.defaultBaseUrl({ settings: { enterpriseHost: 'https://GitHub.Example.com/some/path' } }), 'https://github.example.com/api/v3');
    assert.equal(copilotProvider.defaultBaseUrl({ settings: { enterpriseHost: 'https://github.com' } }), 'https://api.github.com');
  });

  it('paid plan (Pro+): premium meter with exact numbers; unlimited chat/completions omitted; right headers', async () => {
    const r = await snapshotFor(copilotPaid());
    assert.deepEqual(r.meters, [
      {
        ...base,
        id: 'premium',
        label: 'Premium requests',
        kind: 'quota',
        unit: 'requests',
        limit: 1500,
        remaining: 1054.25,
        used: 445.75,
        percentUsed: 29.72,
        resetsAt: MARCH_1,
        detail: 'paid overage allowed',
      },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Pro+');
    assert.equal(r.identity, 'octo-dev');
    const [req] = gh.requestsTo('/copilot_internal/user');
    assert.ok(req);
    assert.equal(req.headers.authorization, `token ${TOKEN}`);
    assert.equal(req.headers['x-github-api-version'], '2025-04-01');
    assert.equal(req.headers.accept, 'application/json');
    assert.ok(req.headers['user-agent']);
    assert.equal(req.headers['editor-version'], undefined);
    assert.equal(req.headers['editor-plugin-version'], undefined);
    // The Copilot endpoint, then the billing report (premium requests first on a request-billed plan; both refused to a
    // VS Code session: a state, not an error).
    assert.deepEqual(gh.requests.map((q) => q.path), ['/copilot_internal/user', '/users/octo-dev/settings/billing/premium_request/usage', '/users/octo-dev/settings/billing/ai_credit/usage']);
    assert.equal(r.breakdown?.state, 'unavailable');
  });

  it('over quota: percent above 100, used from the percentage, overage in the detail (Pro)', async () => {
    const r = await snapshotFor(copilotOverQuota());
    const [m] = r.meters;
    assert.equal(r.meters.length, 1);
    assert.equal(m?.percentUsed, 104);
    assert.equal(m?.limit, 300);
    assert.equal(m?.used, 312);
    assert.equal(m?.remaining, 0);
    assert.equal(m?.detail, '12 over the allowance · paid overage allowed');
    assert.equal(r.plan, 'Pro');
  });

  it('overage not permitted is said so', async () => {
    const r = await snapshotFor(copilotPaid({ copilot_plan: 'business' }, { overage_permitted: false }));
    assert.equal(r.meters[0]?.detail, 'paid overage not allowed');
    assert.equal(r.plan, 'Business');
  });

  it('Free plan: chat and completions from limited_user_quotas / monthly_quotas with the free reset date', async () => {
    const r = await snapshotFor(copilotFree());
    const reset = Date.UTC(2026, 2, 11);
    assert.deepEqual(r.meters, [
      { ...base, id: 'chat', label: 'Chat messages', kind: 'quota', unit: 'messages', limit: 500, remaining: 410, used: 90, percentUsed: 18, resetsAt: reset },
      { ...base, id: 'completions', label: 'Code completions', kind: 'quota', unit: 'completions', limit: 4000, remaining: 4000, used: 0, percentUsed: 0, resetsAt: reset },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Free');
    // No login in the payload: it is read from /user (the billing report is asked for by login).
    assert.equal(r.identity, 'octo-dev');
    assert.equal(gh.requestsTo('/user').length, 1);
  });

  it('token-billed seat: an AI-credits meter, never a fake 0 %', async () => {
    const r = await snapshotFor(copilotTokenBilled());
    assert.deepEqual(r.meters, [
      { ...base, id: 'ai-credits', label: 'AI credits used', kind: 'credits', unit: 'credits', used: 4909, resetsAt: Date.UTC(2026, 9, 1), detail: 'billed per AI credit' },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Business');
  });

  it('token-billed flag only at top level with a placeholder snapshot (no credits_used): credits meter without numbers', async () => {
    const r = await snapshotFor({
      copilot_plan: 'business',
      token_based_billing: true,
      quota_snapshots: { premium_interactions: snapshot('premium_interactions', { entitlement: 0, remaining: 0, quota_remaining: 0, percent_remaining: 100 }) },
    });
    assert.equal(r.meters.length, 1);
    const m = r.meters[0]!;
    assert.equal(m.id, 'ai-credits');
    for (const k of ['used', 'limit', 'remaining', 'percentUsed', 'unlimited'] as const) assert.equal(m[k], undefined, k);
  });

  it('placeholder premium snapshot on a non-token-billed payload is dropped (no 0 % meter)', async () => {
    const r = await snapshotFor({
      copilot_plan: 'business',
      quota_snapshots: { premium_interactions: snapshot('premium_interactions', { entitlement: 0, remaining: 0, quota_remaining: 0, percent_remaining: 100 }) },
    });
    assert.deepEqual(r.meters, []);
  });

  it('unlimited premium requests: an unlimited meter with no percentage', async () => {
    const r = await snapshotFor(copilotUnlimited());
    assert.deepEqual(r.meters, [
      { ...base, id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', unlimited: true, resetsAt: MARCH_1 },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Enterprise');
    assert.equal(r.identity, 'octo-ent');
  });

  it('older minimal payload: premium_models key, ISO reset date, no login', async () => {
    const r = await snapshotFor(copilotMinimal());
    assert.deepEqual(r.meters, [
      { ...base, id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', limit: 300, remaining: 120, used: 180, percentUsed: 60, resetsAt: MARCH_1 },
    ] satisfies Meter[]);
    assert.equal(r.identity, 'octo-dev');
  });

  it('numbers as strings and unknown fields are accepted', async () => {
    const r = await snapshotFor(copilotDrifted());
    assert.equal(r.meters.length, 1);
    assert.equal(r.meters[0]?.limit, 1500);
    assert.equal(r.meters[0]?.remaining, 1054.25);
    assert.equal(r.meters[0]?.percentUsed, 29.72);
  });

  it('a limited chat snapshot with a real entitlement is shown on a paid plan', async () => {
    const p = copilotPaid();
    (p.quota_snapshots as Record<string, unknown>).chat = snapshot('chat', { entitlement: 50, remaining: 20, quota_remaining: 20, percent_remaining: 40 });
    (p.quota_snapshots as Record<string, unknown>).completions = unlimitedSnapshot('completions');
    const r = await snapshotFor(p);
    assert.deepEqual(
      r.meters.map((m) => [m.id, m.limit, m.remaining, m.percentUsed]),
      [
        ['premium', 1500, 1054.25, 29.72],
        ['chat', 50, 20, 60],
      ],
    );
  });

  it('404 explains missing Copilot access or an unaccepted OAuth app', async () => {
    const e = await errorFor(null);
    assert.equal(e.kind, 'not-found');
    assert.equal(e.status, 404);
    assert.match(e.message, /no Copilot access, or the token comes from an OAuth app that Copilot does not accept/);
  });

  it('unknown token → auth error from the fake\'s "Bad credentials"', async () => {
    gh.removeToken(TOKEN);
    await assert.rejects(copilotProvider.fetchSnapshot(t.ctx), (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && /Bad credentials/.test(e.message));
    await t.close();
  });

  it('a payload with no quota information names the missing field', async () => {
    const e = await errorFor({ login: 'octo-dev', copilot_plan: 'individual' });
    assert.equal(e.kind, 'bad-response');
    assert.match(e.message, /quota_snapshots/);
  });

  it('a mistyped field is named in the error', async () => {
    const e = await errorFor(copilotPaid({}, { entitlement: 'lots' }));
    assert.equal(e.kind, 'bad-response');
    assert.match(e.message, /quota_snapshots\.premium_interactions\.entitlement/);
  });

  it('GitHub primary rate limit (403 + x-ratelimit-remaining 0) → rate-limited with retryAt from x-ratelimit-reset', async () => {
    gh.addToken(TOKEN, { copilot: copilotPaid() });
    const reset = Math.floor(NOW / 1000) + 900;
    gh.failWithRateLimit403(reset);
    await assert.rejects(copilotProvider.fetchSnapshot(t.ctx), (e: unknown) => e instanceof ProviderError && e.kind === 'rate-limited' && e.retryAt === reset * 1000 && e.status === 403);
    await t.close();
  });

  it('testConnection: login and plan from the payload, no /user call', async () => {
    gh.addToken(TOKEN, { copilot: copilotPaid() });
    const info = await copilotProvider.testConnection(t.ctx);
    await t.close();
    assert.deepEqual(info, { suggestedName: 'octo-dev', identity: 'octo-dev', settings: { login: 'octo-dev' }, plan: 'Pro+' });
    assert.equal(gh.requestsTo('/user').length, 0);
  });

  it('testConnection: falls back to GET /user for the login', async () => {
    gh.addToken(TOKEN, { login: 'octo-fallback', copilot: copilotFree() });
    const info = await copilotProvider.testConnection(t.ctx);
    await t.close();
    assert.deepEqual(info, { suggestedName: 'octo-fallback', identity: 'octo-fallback', settings: { login: 'octo-fallback' }, plan: 'Free' });
    const [u] = gh.requestsTo('/user');
    assert.equal(u?.headers.authorization, `token ${TOKEN}`);
  });

  it('testConnection: a failing /user does not fail the test', async () => {
    gh.addToken(TOKEN, { copilot: copilotTokenBilled() });
    gh.fail({ status: 500 }, { path: '/user' });
    const info = await copilotProvider.testConnection(t.ctx);
    await t.close();
    assert.deepEqual(info, { plan: 'Business' });
  });

  it('testConnection: 404 is the same explained not-found error', async () => {
    gh.addToken(TOKEN, { copilot: null });
    await assert.rejects(copilotProvider.testConnection(t.ctx), (e: unknown) => e instanceof ProviderError && e.kind === 'not-found' && /no Copilot access/.test(e.message));
    await t.close();
  });

  it('the fake accepts the Bearer scheme too', async () => {
    gh.addToken(TOKEN, { copilot: copilotPaid() });
    const res = await t.ctx.http.request({ url: `${gh.url}/copilot_internal/user`, headers: { authorization: `Bearer ${TOKEN}` } });
    await t.close();
    assert.equal(res.status, 200);
  });
});
