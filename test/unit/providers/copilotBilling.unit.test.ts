// Copilot's billing breakdown (GitHub's billing report, provider-apis.md §1.4) against the loopback GitHub fake,
// through the real UndiciHttpClient: by model and by day, pagination, who may read it, and the states shown when not.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { copilotProvider } from '../../../src/core/providers/copilot';
import { clearBillingCache, nextLink } from '../../../src/core/providers/copilotBilling';
import { ProviderError } from '../../../src/core/errors';
import { successSnapshot } from '../../../src/core/scheduler/snapshots';
import type { BillingBreakdown, Meter } from '../../../src/shared/model';
import { GitHubFake } from '../../fakes/githubFake';
import { testContext } from '../../fakes/providerContext';
import { billingItem, copilotPaid } from '../../builders/copilot';

const NOW = Date.UTC(2026, 11, 5, 12); // 5 December 2026, 12:00 UTC
const JAN_1 = Date.UTC(2027, 0, 1);
const PAT = 'github_pat_fake_billing_reader_0001';
const SESSION = 'gho_fake_vscode_session_0001';

type Ok = Extract<BillingBreakdown, { state: 'ok' }>;
type Unavailable = Extract<BillingBreakdown, { state: 'unavailable' }>;

function ok(b: BillingBreakdown | undefined): Ok {
  assert.equal(b?.state, 'ok', `expected a breakdown, got ${JSON.stringify(b)}`);
  return b as Ok;
}
function unavailable(b: BillingBreakdown | undefined): Unavailable {
  assert.equal(b?.state, 'unavailable', `expected an unavailable state, got ${JSON.stringify(b)}`);
  return b as Unavailable;
}

describe('copilot billing breakdown', () => {
  const gh = new GitHubFake();

  before(async () => {
    await gh.start();
  });
  after(async () => {
    await gh.stop();
  });
  beforeEach(() => {
    clearBillingCache();
    gh.clearLog().clearFaults();
    // A fine-grained token: the Copilot endpoint refuses it (404), the billing report accepts it.
    gh.addToken(PAT, { login: 'octo-pat', copilot: null });
    gh.addToken(SESSION, { login: 'octo-pat', copilot: copilotPaid({ login: 'octo-pat' }) });
    gh.setBillingReport('users/octo-pat', {
      readers: [PAT],
      pageSize: 2,
      days: {
        1: [billingItem('Claude Sonnet 4.5', 300, 300)],
        2: [billingItem('GPT-5', 120, 100), billingItem('Claude Sonnet 4.5', 50, 0)],
        4: [billingItem('Claude Opus 4.5', 900, 0)],
      },
    });
  });

  async function poll(secret: string, o: { authKind?: string; settings?: Record<string, string>; baseUrl?: string } = {}) {
    const t = testContext({ providerId: 'copilot', baseUrl: o.baseUrl ?? gh.url, secret, now: NOW, authKind: o.authKind ?? 'api-key', settings: o.settings ?? {} });
    try {
      return await copilotProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }

  const billingPaths = () => gh.requests.filter((r) => r.path.includes('/settings/billing/')).map((r) => `${r.path.replace(/^.*\/billing\//, '')}?${new URLSearchParams(r.query as Record<string, string>).toString()}`);

  it('a fine-grained token: credits by model and by day with allowance and paid overage, across pages, as official meters', async () => {
    const r = await poll(PAT);
    const b = ok(r.breakdown);
    assert.deepEqual(b.byModel, [
      { model: 'Claude Opus 4.5', quantity: 900, includedQuantity: 0, grossAmount: 9, netAmount: 9, pricePerUnit: 0.01 },
      { model: 'Claude Sonnet 4.5', quantity: 350, includedQuantity: 300, grossAmount: 3.5, netAmount: 0.5, pricePerUnit: 0.01 },
      { model: 'GPT-5', quantity: 120, includedQuantity: 100, grossAmount: 1.2, netAmount: 0.2, pricePerUnit: 0.01 },
    ]);
    assert.deepEqual(b.byDay, [
      { day: '2026-12-01', quantity: 300, netAmount: 0 },
      { day: '2026-12-02', quantity: 170, netAmount: 0.7 },
      { day: '2026-12-04', quantity: 900, netAmount: 9 },
    ]);
    assert.equal(b.unit, 'credits');
    assert.equal(b.month, '2026-12');
    assert.equal(b.scope, 'user');
    assert.equal(b.scopeName, 'octo-pat');
    assert.equal(b.totalQuantity, 1370);
    assert.equal(b.includedQuantity, 400);
    assert.equal(b.grossAmount, 13.7);
    assert.equal(b.netAmount, 9.7);
    // The month report in two pages (Link: rel="next"), then each day of the month so far.
    assert.deepEqual(billingPaths(), [
      'ai_credit/usage?year=2026&month=12',
      'ai_credit/usage?year=2026&month=12&page=2',
      ...[1, 2, 3, 4, 5].map((d) => `ai_credit/usage?year=2026&month=12&day=${d}`),
    ]);
    const [first] = gh.requests.filter((q) => q.path.includes('/billing/'));
    assert.equal(first?.headers.authorization, `Bearer ${PAT}`);
    assert.equal(first?.headers['x-github-api-version'], '2022-11-28');
    assert.equal(first?.headers.accept, 'application/vnd.github+json');
    // The Copilot endpoint refused the token; the account still has meters, from the bill.
    const common = { source: 'official', capturedAt: NOW, resetsAt: JAN_1, period: 'month' } as const;
    assert.deepEqual(r.meters, [
      { ...common, id: 'billed-usage', label: 'AI credits this month', kind: 'credits', unit: 'credits', used: 1370, detail: '400 included in the plan' },
      { ...common, id: 'overage', label: 'Paid overage this month', kind: 'spend', unit: 'USD', used: 9.7, detail: 'beyond the included allowance' },
    ] satisfies Meter[]);
    assert.equal(r.identity, 'octo-pat');
    assert.equal(r.plan, undefined);
  });

  it('final days are read once: the next poll asks only for the month and the last three days', async () => {
    await poll(PAT);
    gh.clearLog();
    const r = await poll(PAT);
    assert.equal(ok(r.breakdown).byDay?.length, 3);
    assert.deepEqual(billingPaths(), [
      'ai_credit/usage?year=2026&month=12',
      'ai_credit/usage?year=2026&month=12&page=2',
      ...[3, 4, 5].map((d) => `ai_credit/usage?year=2026&month=12&day=${d}`),
    ]);
  });

  it('premium-request billing: the AI-credit report answers 404, the premium-request one is used', async () => {
    gh.setBillingReport('users/octo-pat', { readers: [PAT], kind: 'premium_request', days: { 5: [billingItem('Claude Sonnet 4.5', 12, 10, { unit: 'requests' })] } });
    const b = ok((await poll(PAT)).breakdown);
    assert.equal(b.unit, 'requests');
    assert.deepEqual(b.byModel, [{ model: 'Claude Sonnet 4.5', quantity: 12, includedQuantity: 10, grossAmount: 0.48, netAmount: 0.08, pricePerUnit: 0.04 }]);
    assert.deepEqual(b.byDay, [{ day: '2026-12-05', quantity: 12, netAmount: 0.08 }]);
  });

  it("VS Code's GitHub session cannot read the report: a clear state naming the token that can, asked again only hours later", async () => {
    const r = await poll(SESSION, { authKind: 'github-session' });
    assert.equal(r.meters[0]?.id, 'premium');
    const u = unavailable(r.breakdown);
    assert.equal(u.reason, 'token-kind');
    assert.equal(u.fix, 'fine-grained-token');
    assert.match(u.message, /fine-grained personal access token with the user permission "Plan" \(read\)/);
    assert.ok(!u.message.includes(SESSION));
    assert.equal(gh.requests.filter((q) => q.path.includes('/billing/')).length, 2);
    gh.clearLog();
    const again = await poll(SESSION, { authKind: 'github-session' });
    assert.equal(unavailable(again.breakdown).reason, 'token-kind');
    assert.deepEqual(billingPaths(), [], 'the verdict is remembered: no billing request on the next poll');
  });

  it('a seat paid by an organisation: no user-level request, the state says whose report to read', async () => {
    gh.addToken(SESSION, { login: 'octo-pat', copilot: copilotPaid({ login: 'octo-pat', copilot_plan: 'business' }) });
    const u = unavailable((await poll(SESSION, { authKind: 'github-session' })).breakdown);
    assert.equal(u.reason, 'not-billed-to-user');
    assert.equal(u.fix, 'org-admin-token');
    assert.deepEqual(billingPaths(), []);
  });

  it('a personal token without the permission (403), and a user with no report (404)', async () => {
    gh.setBillingReport('users/octo-pat', { readers: [], days: {} });
    gh.addToken(SESSION, { login: 'octo-pat', copilot: copilotPaid({ login: 'octo-pat' }) });
    // The Copilot endpoint accepts this personal token here; the billing report does not.
    gh.addToken(PAT, { login: 'octo-pat', copilot: copilotPaid({ login: 'octo-pat' }) });
    const refused = unavailable((await poll(PAT)).breakdown);
    assert.equal(refused.reason, 'no-access');
    assert.equal(refused.fix, 'fine-grained-token');
    assert.match(refused.message, /HTTP 403/);
    clearBillingCache();
    gh.addToken(PAT, { login: 'octo-nobill', copilot: copilotPaid({ login: 'octo-nobill' }) });
    const none = unavailable((await poll(PAT)).breakdown);
    assert.equal(none.reason, 'not-billed-to-user');
    assert.match(none.message, /octo-nobill/);
  });

  it('a token that reads neither the quota nor the bill fails the poll with a message that says what would work', async () => {
    gh.setBillingReport('users/octo-pat', { readers: [], days: {} });
    await assert.rejects(poll(PAT), (e: unknown) => e instanceof ProviderError && e.kind === 'forbidden' && /"Plan" \(read\)/.test(e.message) && !e.message.includes(PAT));
  });

  it('testConnection of a token account: its login kept; a token that cannot read the report refused with what would work', async () => {
    const t = testContext({ providerId: 'copilot', baseUrl: gh.url, secret: PAT, now: NOW, authKind: 'api-key' });
    try {
      assert.deepEqual(await copilotProvider.testConnection(t.ctx), { suggestedName: 'octo-pat', identity: 'octo-pat', settings: { login: 'octo-pat' } });
      clearBillingCache();
      gh.addToken(PAT, { login: 'octo-pat', copilot: copilotPaid({ login: 'octo-pat' }) });
      gh.setBillingReport('users/octo-pat', { readers: [], days: {} });
      await assert.rejects(copilotProvider.testConnection(t.ctx), (e: unknown) => e instanceof ProviderError && e.kind === 'forbidden' && /"Plan" \(read\)/.test(e.message));
    } finally {
      await t.close();
    }
  });

  it('an organisation without Copilot: an empty breakdown, not an error', async () => {
    gh.setBillingReport('organizations/acme-no-copilot', { readers: [PAT], days: {} });
    const r = await poll(PAT, { settings: { billingOrganization: 'acme-no-copilot' } });
    const b = ok(r.breakdown);
    assert.equal(b.scope, 'organization');
    assert.equal(b.scopeName, 'acme-no-copilot');
    assert.deepEqual(b.byModel, []);
    assert.deepEqual(b.byDay, []);
    assert.equal(b.totalQuantity, 0);
    assert.equal(b.netAmount, undefined, 'no item, no amount: unknown, not 0');
    assert.ok(billingPaths().every((p) => p.startsWith('ai_credit/usage') || p.startsWith('premium_request/usage')));
    assert.ok(gh.requests.some((q) => q.path === '/organizations/acme-no-copilot/settings/billing/ai_credit/usage'));
  });

  it("an organisation's report refused to a VS Code session (GitHub's 404): the fix is an owner's token", async () => {
    gh.setBillingReport('organizations/acme', { readers: [PAT], refusal: 404, days: { 1: [billingItem('GPT-5', 10)] } });
    const u = unavailable((await poll(SESSION, { authKind: 'github-session', settings: { billingOrganization: 'acme' } })).breakdown);
    assert.equal(u.reason, 'token-kind');
    assert.equal(u.fix, 'org-admin-token');
    assert.match(u.message, /owner or billing manager of acme/);
    const b = ok((await poll(PAT, { settings: { billingOrganization: 'acme' } })).breakdown);
    assert.deepEqual(b.byModel.map((m) => [m.model, m.quantity]), [['GPT-5', 10]]);
  });

  it('an enterprise report: the enterprise path, and a classic token named as the fix', async () => {
    gh.setBillingReport('enterprises/octo-ent', { readers: [], days: {} });
    gh.addToken(PAT, { login: 'octo-pat', copilot: copilotPaid({ login: 'octo-pat' }) });
    const u = unavailable((await poll(PAT, { settings: { billingEnterprise: 'octo-ent', login: 'octo-pat' } })).breakdown);
    assert.equal(u.fix, 'enterprise-admin-token');
    assert.match(u.message, /classic personal access token/);
    assert.ok(gh.requests.some((q) => q.path === '/enterprises/octo-ent/settings/billing/ai_credit/usage'));
  });

  it('a failed report (429) is a passing state; the scheduler keeps the last good breakdown', async () => {
    const good = await poll(PAT);
    const prev = successSnapshot('a1', good, NOW);
    clearBillingCache();
    gh.fail({ retryAfterSeconds: 60 }, { path: /\/billing\//, persistent: true });
    gh.addToken(PAT, { login: 'octo-pat', copilot: copilotPaid({ login: 'octo-pat' }) });
    const failed = await poll(PAT, { settings: { login: 'octo-pat' } });
    assert.equal(unavailable(failed.breakdown).reason, 'error');
    const next = successSnapshot('a1', failed, NOW + 1, prev);
    assert.deepEqual(next.breakdown, prev.breakdown);
  });

  it('GitHub Enterprise Server: the report under /api/v3', async () => {
    const r = await poll(PAT, { baseUrl: `${gh.url}/api/v3` });
    assert.equal(ok(r.breakdown).totalQuantity, 1370);
    assert.ok(gh.requests.some((q) => q.path === '/api/v3/users/octo-pat/settings/billing/ai_credit/usage'));
    assert.ok(gh.requests.some((q) => q.path === '/api/v3/copilot_internal/user'));
  });

  it('Link: rel="next" is followed only on the same origin', () => {
    const cur = 'https://api.github.com/users/a/settings/billing/ai_credit/usage?year=2026';
    assert.equal(nextLink('<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=9>; rel="last"', cur), 'https://api.github.com/x?page=2');
    assert.equal(nextLink('<https://evil.example/x?page=2>; rel="next"', cur), undefined);
    assert.equal(nextLink('<https://api.github.com/x?page=1>; rel="prev"', cur), undefined);
    assert.equal(nextLink(undefined, cur), undefined);
  });
});
