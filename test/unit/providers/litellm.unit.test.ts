// LiteLLM proxy provider against the loopback LiteLLM fake through the real UndiciHttpClient.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { budgetWindow, liteLLMProvider, liteLLMRoot } from '../../../src/core/providers/litellm';
import { ProviderError } from '../../../src/core/errors';
import type { Meter } from '../../../src/shared/model';
import { LiteLLMFake } from '../../fakes/liteLLMFake';
import { testContext, type TestContext } from '../../fakes/providerContext';
import { llKeyInfo, llTeamInfo, llUserInfo } from '../../builders/litellm';

const NOW = Date.UTC(2026, 1, 10, 13, 41);
const KEY = 'sk-litellm-test-000000000000000000000001';
const base = { kind: 'spend', unit: 'USD', source: 'official', capturedAt: NOW } as const;

describe('litellm provider', () => {
  const ll = new LiteLLMFake();
  let t: TestContext;

  before(async () => {
    await ll.start();
  });
  after(async () => {
    await ll.stop();
  });
  beforeEach(() => {
    ll.clearLog().clearFaults();
  });

  async function run(baseUrl = ll.url) {
    t = testContext({ providerId: 'litellm', baseUrl, secret: KEY, now: NOW, settings: { baseUrl } });
    try {
      return await liteLLMProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }

  it('describes itself as documented in the brief', () => {
    const p = liteLLMProvider;
    assert.equal(p.id, 'litellm');
    assert.equal(p.displayName, 'LiteLLM proxy');
    assert.deepEqual([...p.authKinds], ['api-key']);
    assert.equal(p.defaultPollSeconds, 300);
    assert.equal(p.minPollSeconds, 60);
    const f = p.accountFields?.find((x) => x.key === 'baseUrl');
    assert.ok(f);
    assert.equal(f.kind, 'url');
    assert.equal(f.required, true);
    assert.equal(f.beforeKey, true);
    assert.equal(f.label, 'Proxy base URL');
  });

  it('defaultBaseUrl: the account URL without a trailing /v1; missing → config error', () => {
    assert.equal(liteLLMProvider.defaultBaseUrl({ settings: { baseUrl: 'https://litellm.example.com/v1/' } }), 'https://litellm.example.com');
    assert.equal(liteLLMProvider.defaultBaseUrl({ settings: { baseUrl: 'https://gw.example.com/litellm' } }), 'https://gw.example.com/litellm');
    assert.throws(() => liteLLMProvider.defaultBaseUrl({ settings: {} }), (e: unknown) => e instanceof ProviderError && e.kind === 'config' && /base URL/.test(e.message));
    assert.equal(liteLLMRoot('http://127.0.0.1:4000/V1'), 'http://127.0.0.1:4000');
  });

  it('key, user and team budgets: exact meters, the team budget marked as enforced', async () => {
    ll.addKey(KEY, { keyInfo: llKeyInfo(), user: llUserInfo(), team: llTeamInfo() });
    const r = await run();
    assert.deepEqual(r.meters, [
      { ...base, id: 'key-budget', label: 'Key budget', used: 12.34, limit: 50, remaining: 37.66, percentUsed: 24.68, resetsAt: Date.UTC(2026, 1, 28), detail: 'budget resets every 30d · the team budget also applies to this key', windowMs: 30 * 86_400_000 },
      { ...base, id: 'user-budget', label: 'User budget', used: 80.5, limit: 200, remaining: 119.5, percentUsed: 40.25, resetsAt: Date.UTC(2026, 2, 1), detail: 'budget resets every 1mo · dev@example.com', period: 'month' },
      { ...base, id: 'team-budget', label: 'Team platform budget', used: 410, limit: 500, remaining: 90, percentUsed: 82, resetsAt: Date.UTC(2026, 1, 20), detail: 'budget resets every 30d · enforced for this key (team budget)', windowMs: 30 * 86_400_000 },
    ] satisfies Meter[]);
    assert.equal(r.identity, 'ci-bot');
    assert.equal(r.plan, 'Team platform');
    const [k] = ll.requestsTo('/key/info');
    assert.equal(k?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(ll.requestsTo('/user/info')[0]?.query.user_id, 'u1');
    assert.equal(ll.requestsTo('/team/info')[0]?.query.team_id, 't1');
  });

  it('budget_duration → the window ending at the budget reset', () => {
    assert.deepEqual(budgetWindow('30d'), { windowMs: 30 * 86_400_000 });
    assert.deepEqual(budgetWindow('24h'), { windowMs: 86_400_000 });
    assert.deepEqual(budgetWindow('1w'), { windowMs: 7 * 86_400_000 });
    assert.deepEqual(budgetWindow('1mo'), { period: 'month' });
    // Unknown or unusable durations state nothing rather than a wrong window.
    for (const d of [undefined, '', '3mo', '0d', 'monthly', '30 days']) assert.deepEqual(budgetWindow(d), {}, String(d));
  });

  it('max_budget null → a spend-only meter with no invented limit, percent or reset', async () => {
    ll.addKey(KEY, { keyInfo: llKeyInfo({ max_budget: null, budget_duration: null, budget_reset_at: null, user_id: null, team_id: null }) });
    const r = await run();
    assert.deepEqual(r.meters, [{ ...base, id: 'key-budget', label: 'Key spend', used: 12.34, detail: 'no budget set (spend only)' }] satisfies Meter[]);
    assert.equal(ll.requestsTo('/user/info').length, 0);
    assert.equal(ll.requestsTo('/team/info').length, 0);
  });

  it('a base URL ending in /v1 still reaches the management routes at the root', async () => {
    ll.addKey(KEY, { keyInfo: llKeyInfo({ user_id: null, team_id: null }) });
    const r = await run(`${ll.url}/v1`);
    assert.equal(r.meters[0]?.used, 12.34);
    assert.equal(ll.requestsTo('/key/info').length, 1);
  });

  for (const status of [401, 403, 404] as const) {
    it(`user/team info answering ${status} is expected: no error, just no meter`, async () => {
      ll.addKey(KEY, { keyInfo: llKeyInfo(), userReply: { status }, teamReply: { status } });
      const r = await run();
      assert.deepEqual(r.meters.map((m) => m.id), ['key-budget']);
      assert.ok(!t.lines.some((l) => l.startsWith('warn litellm')), t.lines.join('\n'));
    });
  }

  it('a team info server error costs only the team meter (logged)', async () => {
    ll.addKey(KEY, { keyInfo: llKeyInfo(), user: llUserInfo(), team: llTeamInfo() });
    ll.fail({ status: 500 }, { path: '/team/info' });
    const r = await run();
    assert.deepEqual(r.meters.map((m) => m.id), ['key-budget', 'user-budget']);
    assert.ok(t.lines.some((l) => /warn litellm: could not read \/team\/info/.test(l)));
    // No team info → the key meter does not claim the team budget is enforced.
    assert.equal(r.meters[0]?.detail, 'budget resets every 30d');
  });

  it('a team without a budget is shown as team spend and is not called enforced', async () => {
    ll.addKey(KEY, { keyInfo: llKeyInfo({ user_id: null }), team: llTeamInfo({ max_budget: null, team_alias: null }) });
    const r = await run();
    assert.deepEqual(r.meters.map((m) => [m.id, m.label, m.limit]), [['key-budget', 'Key budget', 50], ['team-budget', 'Team spend', undefined]]);
    assert.equal(r.meters[1]?.detail, 'no budget set (spend only)');
  });

  it('an unknown key → auth; the secret is not in the message', async () => {
    await assert.rejects(
      (async () => {
        const tc = testContext({ providerId: 'litellm', baseUrl: ll.url, secret: 'sk-unknown-000000000000', now: NOW });
        try {
          return await liteLLMProvider.fetchSnapshot(tc.ctx);
        } finally {
          await tc.close();
        }
      })(),
      (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && !e.message.includes('sk-unknown-000000000000'),
    );
  });

  it('testConnection: suggestedName is the key alias, else the key name', async () => {
    for (const [info, name] of [[llKeyInfo(), 'ci-bot'], [llKeyInfo({ key_alias: null }), 'sk-...abcd']] as const) {
      ll.addKey(KEY, { keyInfo: info });
      const tc = testContext({ providerId: 'litellm', baseUrl: ll.url, secret: KEY, now: NOW });
      try {
        const c = await liteLLMProvider.testConnection(tc.ctx);
        assert.equal(c.suggestedName, name);
        assert.equal(c.identity, name);
      } finally {
        await tc.close();
      }
    }
  });
});
