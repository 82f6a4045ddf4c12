// Anthropic Admin provider against the loopback Anthropic fake through the real UndiciHttpClient.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { anthropicMeters, anthropicCostPageSchema, anthropicProvider } from '../../../src/core/providers/anthropic';
import { ProviderError } from '../../../src/core/errors';
import type { Meter } from '../../../src/shared/model';
import { AnthropicFake } from '../../fakes/anthropicFake';
import { testContext } from '../../fakes/providerContext';
import { anBucket, anCostResult, anDays, anOrganization, anUsageResult } from '../../builders/anthropic';

/** Tuesday 2026-02-10 13:41 UTC. */
const NOW = Date.UTC(2026, 1, 10, 13, 41);
const FEB1 = Date.UTC(2026, 1, 1);
const ADMIN = 'sk-ant-admin01-test-0000000000000000000000000001';
const API_KEY = 'sk-ant-api03-test-000000000000000000000000000002';
const USAGE = '/v1/organizations/usage_report/messages';
const COST = '/v1/organizations/cost_report';
const base = { source: 'official', capturedAt: NOW } as const;

const haiku = () => anUsageResult({ model: 'claude-haiku-4-5-20251001', uncached_input_tokens: 1000, cache_read_input_tokens: 0, cache_creation: { ephemeral_1h_input_tokens: 500, ephemeral_5m_input_tokens: 0 }, output_tokens: 200 });

/** Feb 1–10: per day sonnet (12k/90k/3k/4.1k) + haiku (1k/0/500/200); cost "1834.5561" cents + 250 cents per day. */
function februarySpec(withOrg = true) {
  return {
    usage: anDays(FEB1, NOW, () => [anUsageResult(), haiku()]),
    costs: anDays(FEB1, NOW, () => [anCostResult('1834.5561'), anCostResult(250, { cost_type: 'web_search', description: 'Web Search Usage', model: null, token_type: null })]),
    ...(withOrg ? { org: anOrganization() } : {}),
  };
}

describe('anthropic provider', () => {
  const an = new AnthropicFake();

  before(async () => {
    await an.start();
  });
  after(async () => {
    await an.stop();
  });
  beforeEach(() => {
    an.clearLog().clearFaults();
    an.pageSize = undefined;
    an.nonAdminStatus = 403;
  });

  async function run(secret = ADMIN, settings: Record<string, string | number> = {}) {
    const t = testContext({ providerId: 'anthropic', baseUrl: an.url, secret, now: NOW, settings });
    try {
      return await anthropicProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }

  it('describes itself as documented in the brief', () => {
    const p = anthropicProvider;
    assert.equal(p.id, 'anthropic');
    assert.equal(p.displayName, 'Anthropic (admin key)');
    assert.deepEqual([...p.authKinds], ['api-key']);
    assert.equal(p.defaultBaseUrl({ settings: {} }), 'https://api.anthropic.com');
    assert.equal(p.defaultPollSeconds, 3600);
    assert.equal(p.minPollSeconds, 900);
    assert.deepEqual(p.accountFields?.map((f) => f.key), ['monthlyBudget']);
    assert.ok(p.endpoints.every((e) => e.official));
  });

  it('key hint: sk-ant-admin01- is fine; a normal API key only warns', () => {
    const v = anthropicProvider.keyHint!.validate;
    assert.ok(v('').error);
    assert.deepEqual(v('sk-ant-admin01-abc'), {});
    assert.match(v('sk-ant-api03-abc').warning ?? '', /Admin API key/);
  });

  it('month of usage and cost: tokens split in detail, top models, cents → USD', async () => {
    an.addAdminKey(ADMIN, februarySpec());
    const r = await run();
    assert.deepEqual(r.meters, [
      {
        ...base,
        id: 'tokens-today',
        label: 'Tokens today',
        kind: 'quota',
        unit: 'tokens',
        used: 110_800,
        resetsAt: Date.UTC(2026, 1, 11),
        period: 'day',
        detail: 'current UTC day · uncached input 13k · cache read 90k · cache write 3.5k · output 4.3k',
      },
      {
        ...base,
        id: 'tokens-month',
        label: 'Tokens this month',
        kind: 'quota',
        unit: 'tokens',
        used: 1_108_000,
        resetsAt: Date.UTC(2026, 2, 1),
        period: 'month',
        detail: 'current UTC month · uncached input 130k · cache read 900k · cache write 35k · output 43k · top models: claude-sonnet-4-5 1.09M, claude-haiku-4-5 17k',
      },
      {
        ...base,
        id: 'spend-month',
        label: 'Spent this month',
        kind: 'spend',
        unit: 'USD',
        // 10 days × (1834.5561 + 250) cents = 20845.561 cents = $208.45561 — NOT $20,845.
        used: 208.45561,
        resetsAt: Date.UTC(2026, 2, 1),
        period: 'month',
        detail: 'current UTC month, organization cost report (Priority Tier excluded; may lag)',
      },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Admin key');
  });

  it('sends x-api-key + anthropic-version, RFC 3339 starting_at, group_by[]=model', async () => {
    an.addAdminKey(ADMIN, februarySpec());
    await run();
    const [u] = an.requestsTo(USAGE);
    assert.ok(u);
    assert.equal(u.headers['x-api-key'], ADMIN);
    assert.equal(u.headers['anthropic-version'], '2023-06-01');
    assert.equal(u.headers.authorization, undefined);
    assert.equal(u.query.starting_at, '2026-02-01T00:00:00Z');
    assert.equal(u.query['group_by[]'], 'model');
    assert.equal(u.query.bucket_width, '1d');
    assert.equal(u.query.limit, '31');
    const [c] = an.requestsTo(COST);
    assert.ok(c);
    assert.equal(c.query.starting_at, '2026-02-01T00:00:00Z');
    assert.equal(c.query.bucket_width, '1d');
  });

  it('a monthly budget gives the spend meter a limit and a percentage', async () => {
    an.addAdminKey(ADMIN, februarySpec());
    const m = (await run(ADMIN, { monthlyBudget: 400 })).meters.find((x) => x.id === 'spend-month');
    assert.equal(m?.limit, 400);
    assert.equal(m?.used, 208.45561);
    assert.equal(m?.remaining, 191.54439);
    assert.equal(m?.percentUsed, 52.11);
  });

  it('follows pagination (the cost report defaults to 7 buckets per page)', async () => {
    an.addAdminKey(ADMIN, februarySpec());
    an.pageSize = 4;
    const r = await run();
    assert.equal(r.meters.find((m) => m.id === 'tokens-month')?.used, 1_108_000);
    assert.equal(r.meters.find((m) => m.id === 'spend-month')?.used, 208.45561);
    assert.equal(an.requestsTo(USAGE).length, 3);
    assert.equal(an.requestsTo(COST).length, 3);
    assert.ok(String(an.requestsTo(USAGE)[1]!.query.page).startsWith('page_'));
  });

  it('a normal API key answered with 403 → forbidden, plainly asking for an Admin key', async () => {
    an.addApiKey(API_KEY);
    await assert.rejects(run(API_KEY), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.kind, 'forbidden');
      assert.equal(e.status, 403);
      assert.match(e.message, /Admin API key \(sk-ant-admin01-…\)/);
      assert.ok(!e.message.includes(API_KEY));
      return true;
    });
  });

  it('a normal API key answered with 401 permission_error (unverified variant) → forbidden too', async () => {
    an.addApiKey(API_KEY);
    an.nonAdminStatus = 401;
    await assert.rejects(run(API_KEY), (e: unknown) => e instanceof ProviderError && e.kind === 'forbidden' && e.status === 401 && /Admin API key/.test(e.message));
  });

  it('an unknown non-admin-looking key with 401 authentication_error → auth, mentioning the Admin key', async () => {
    await assert.rejects(run('sk-ant-api03-unknown-0000000000000000'), (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && /Admin API key/.test(e.message));
  });

  it('an unknown admin-looking key → auth', async () => {
    await assert.rejects(run('sk-ant-admin01-unknown-000000000000000'), (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && e.status === 401);
  });

  it('529 overloaded → server', async () => {
    an.addAdminKey(ADMIN, februarySpec());
    an.fail({ status: 529 }, { path: USAGE });
    await assert.rejects(run(), (e: unknown) => e instanceof ProviderError && e.kind === 'server' && e.status === 529);
  });

  it('a failing cost report fails the snapshot (no half-true spend)', async () => {
    an.addAdminKey(ADMIN, februarySpec());
    an.fail({ status: 500 }, { path: COST });
    await assert.rejects(run(), (e: unknown) => e instanceof ProviderError && e.kind === 'server');
  });

  it('mapping: January buckets ignored; non-USD cost lines left out and noted', () => {
    const costs = anthropicCostPageSchema.parse({
      data: [anBucket(Date.UTC(2026, 0, 31), [anCostResult('99999')]), anBucket(FEB1, [anCostResult('150'), anCostResult('700', { currency: 'EUR' })])],
    }).data;
    const m = anthropicMeters([], costs, NOW, undefined).find((x) => x.id === 'spend-month');
    assert.equal(m?.used, 1.5);
    assert.match(m?.detail ?? '', /non-USD/);
  });

  it('testConnection: organization name from /v1/organizations/me', async () => {
    an.addAdminKey(ADMIN, februarySpec());
    const t = testContext({ providerId: 'anthropic', baseUrl: an.url, secret: ADMIN, now: NOW });
    try {
      assert.deepEqual(await anthropicProvider.testConnection(t.ctx), { plan: 'Admin key', suggestedName: 'Acme Research', identity: 'Acme Research' });
    } finally {
      await t.close();
    }
  });

  it('testConnection: without an organization name it still succeeds with a generic name', async () => {
    an.addAdminKey(ADMIN, februarySpec(false));
    const t = testContext({ providerId: 'anthropic', baseUrl: an.url, secret: ADMIN, now: NOW });
    try {
      assert.deepEqual(await anthropicProvider.testConnection(t.ctx), { plan: 'Admin key', suggestedName: 'Anthropic organization' });
    } finally {
      await t.close();
    }
  });

  it('testConnection with a normal API key → forbidden', async () => {
    an.addApiKey(API_KEY);
    const t = testContext({ providerId: 'anthropic', baseUrl: an.url, secret: API_KEY, now: NOW });
    try {
      await assert.rejects(anthropicProvider.testConnection(t.ctx), (e: unknown) => e instanceof ProviderError && e.kind === 'forbidden');
    } finally {
      await t.close();
    }
  });

  it('the fake sums models when not grouped by model, and requires anthropic-version', async () => {
    an.addAdminKey(ADMIN, februarySpec());
    const res = await fetch(`${an.url}${USAGE}?starting_at=2026-02-10T00:00:00Z`, { headers: { 'x-api-key': ADMIN, 'anthropic-version': '2023-06-01' } });
    const body = (await res.json()) as { data: Array<{ results: Array<{ model: unknown; uncached_input_tokens: number }> }> };
    assert.equal(body.data[0]!.results.length, 1);
    assert.equal(body.data[0]!.results[0]!.model, null);
    assert.equal(body.data[0]!.results[0]!.uncached_input_tokens, 13000);
    const noVersion = await fetch(`${an.url}${USAGE}?starting_at=2026-02-10T00:00:00Z`, { headers: { 'x-api-key': ADMIN } });
    assert.equal(noVersion.status, 400);
    assert.equal(((await noVersion.json()) as { type: string }).type, 'error');
  });
});
