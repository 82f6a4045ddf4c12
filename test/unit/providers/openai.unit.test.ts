// OpenAI Admin provider against the loopback OpenAI fake through the real UndiciHttpClient.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  compactCount,
  fetchAllPages,
  MAX_PAGES,
  monthlyBudget,
  openAIMeters,
  openAIProvider,
  openAIUsagePageSchema,
  splitRange,
} from '../../../src/core/providers/openai';
import { ProviderError } from '../../../src/core/errors';
import type { Meter } from '../../../src/shared/model';
import { OpenAIFake } from '../../fakes/openAIFake';
import { testContext } from '../../fakes/providerContext';
import { dayStartSec, oaCostDays, oaCostResult, oaUsageBucket, oaUsageDays, oaUsageResult } from '../../builders/openai';

/** Tuesday 2026-02-10 13:41 UTC. */
const NOW = Date.UTC(2026, 1, 10, 13, 41);
const FEB1 = Date.UTC(2026, 1, 1) / 1000;
const JAN31 = Date.UTC(2026, 0, 31) / 1000;
const ADMIN = 'sk-admin-test-000000000000000000000000000001';
const PROJECT = 'sk-proj-test-00000000000000000000000000002';
const USAGE = '/v1/organization/usage/completions';
const COSTS = '/v1/organization/costs';
const base = { source: 'official', capturedAt: NOW } as const;

/** Feb 1–10: 10 days × (1000 in incl. 800 cached, 500 out, 5 requests); costs 0.06 (number) + "1.25" (string) per day. */
function februarySpec() {
  return {
    usage: oaUsageDays(FEB1, NOW),
    costs: oaCostDays(FEB1, NOW, () => [oaCostResult(0.06, { line_item: 'gpt-4o-mini, input' }), oaCostResult('1.25', { line_item: 'gpt-4o, output' })]),
    org: 'acme-corp',
  };
}

describe('openai provider', () => {
  const oa = new OpenAIFake();

  before(async () => {
    await oa.start();
  });
  after(async () => {
    await oa.stop();
  });
  beforeEach(() => {
    oa.clearLog().clearFaults();
    oa.pageSize = undefined;
    oa.endlessPages = false;
  });

  async function run(secret = ADMIN, settings: Record<string, string | number> = {}) {
    const t = testContext({ providerId: 'openai', baseUrl: oa.baseUrl, secret, now: NOW, settings });
    try {
      return await openAIProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }

  it('describes itself as documented in the brief', () => {
    const p = openAIProvider;
    assert.equal(p.id, 'openai');
    assert.equal(p.displayName, 'OpenAI (admin key)');
    assert.deepEqual([...p.authKinds], ['api-key']);
    assert.equal(p.defaultBaseUrl({ settings: {} }), 'https://api.openai.com/v1');
    assert.equal(p.defaultPollSeconds, 3600);
    assert.equal(p.minPollSeconds, 900);
    const f = p.accountFields?.find((x) => x.key === 'monthlyBudget');
    assert.ok(f);
    assert.equal(f.kind, 'number');
    assert.equal(f.required, false);
    assert.equal(f.label, 'Monthly budget (USD)');
    assert.ok(f.validate);
    assert.equal(f.validate(''), undefined);
    assert.equal(f.validate('200'), undefined);
    assert.ok(f.validate('-3'));
    assert.ok(f.validate('lots'));
    assert.ok(p.endpoints.every((e) => e.official));
  });

  it('key hint: sk-admin- is fine; other prefixes warn that usage needs an Admin key', () => {
    const v = openAIProvider.keyHint!.validate;
    assert.ok(v('').error);
    assert.deepEqual(v('sk-admin-abc123'), {});
    const w = v('sk-proj-abc123');
    assert.equal(w.error, undefined);
    assert.match(w.warning ?? '', /Admin key/);
  });

  it('month of usage and costs: exact meters (cached share in detail, string cost amounts summed)', async () => {
    oa.addAdminKey(ADMIN, februarySpec());
    const r = await run();
    const nextMonth = Date.UTC(2026, 2, 1);
    const tomorrow = Date.UTC(2026, 1, 11);
    assert.deepEqual(r.meters, [
      { ...base, id: 'tokens-today', label: 'Tokens today', kind: 'quota', unit: 'tokens', used: 1500, resetsAt: tomorrow, period: 'day', detail: 'current UTC day · input 1k (800 cached) · output 500' },
      { ...base, id: 'tokens-month', label: 'Tokens this month', kind: 'quota', unit: 'tokens', used: 15000, resetsAt: nextMonth, period: 'month', detail: 'current UTC month · input 10k (8k cached) · output 5k' },
      { ...base, id: 'requests-today', label: 'Requests today', kind: 'quota', unit: 'requests', used: 5, resetsAt: tomorrow, period: 'day', detail: 'model requests, current UTC day' },
      { ...base, id: 'requests-month', label: 'Requests this month', kind: 'quota', unit: 'requests', used: 50, resetsAt: nextMonth, period: 'month', detail: 'model requests, current UTC month' },
      { ...base, id: 'spend-month', label: 'Spent this month', kind: 'spend', unit: 'USD', used: 13.1, resetsAt: nextMonth, period: 'month', detail: 'current UTC month, organization costs (may lag by hours)' },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Admin key');
  });

  it('sends Bearer auth and the documented query (start_time = UTC month start, 1d buckets, limit 31)', async () => {
    oa.addAdminKey(ADMIN, februarySpec());
    await run();
    for (const path of [USAGE, COSTS]) {
      const [req] = oa.requestsTo(path);
      assert.ok(req, path);
      assert.equal(req.headers.authorization, `Bearer ${ADMIN}`);
      assert.equal(req.query.start_time, String(FEB1));
      assert.equal(req.query.end_time, String(Math.floor(NOW / 1000)));
      assert.equal(req.query.bucket_width, '1d');
      assert.equal(req.query.limit, '31');
      assert.equal(req.query.page, undefined);
    }
  });

  it('a monthly budget turns spend into a meter with a limit, remaining and percent', async () => {
    oa.addAdminKey(ADMIN, februarySpec());
    const r = await run(ADMIN, { monthlyBudget: '50' });
    const m = r.meters.find((x) => x.id === 'spend-month');
    assert.equal(m?.used, 13.1);
    assert.equal(m?.limit, 50);
    assert.equal(m?.remaining, 36.9);
    assert.equal(m?.percentUsed, 26.2);
    assert.match(m?.detail ?? '', /monthly budget/);
  });

  it('monthlyBudget setting: numbers and numeric strings; empty, zero and junk mean none', () => {
    assert.equal(monthlyBudget({ settings: { monthlyBudget: 120 } }), 120);
    assert.equal(monthlyBudget({ settings: { monthlyBudget: ' 75.5 ' } }), 75.5);
    assert.equal(monthlyBudget({ settings: { monthlyBudget: '' } }), undefined);
    assert.equal(monthlyBudget({ settings: { monthlyBudget: 0 } }), undefined);
    assert.equal(monthlyBudget({ settings: { monthlyBudget: 'abc' } }), undefined);
    assert.equal(monthlyBudget({ settings: {} }), undefined);
  });

  it('follows has_more / next_page across pages and sums every page', async () => {
    oa.addAdminKey(ADMIN, februarySpec());
    oa.pageSize = 3;
    const r = await run();
    assert.equal(r.meters.find((m) => m.id === 'tokens-month')?.used, 15000);
    assert.equal(r.meters.find((m) => m.id === 'spend-month')?.used, 13.1);
    const pages = oa.requestsTo(USAGE);
    assert.equal(pages.length, 4);
    assert.equal(pages[0]!.query.page, undefined);
    assert.ok(typeof pages[1]!.query.page === 'string' && pages[1]!.query.page.startsWith('page_'));
    assert.equal(oa.requestsTo(COSTS).length, 4);
  });

  it('a server that never stops paginating is cut off with a bad-response error', async () => {
    oa.addAdminKey(ADMIN, februarySpec());
    oa.pageSize = 1;
    oa.endlessPages = true;
    await assert.rejects(run(), (e: unknown) => e instanceof ProviderError && e.kind === 'bad-response' && /has_more/.test(e.message));
    assert.equal(oa.requestsTo(USAGE).length, MAX_PAGES);
  });

  it('long ranges are split into ≤31-day chunks, each paginated', async () => {
    const start = Date.UTC(2025, 10, 1) / 1000; // Nov 1 2025
    const end = start + 70 * 86_400;
    oa.addAdminKey(ADMIN, { usage: oaUsageDays(start, (end - 86_400) * 1000) });
    oa.pageSize = 10;
    const t = testContext({ providerId: 'openai', baseUrl: oa.baseUrl, secret: ADMIN, now: NOW });
    try {
      const buckets = await fetchAllPages(t.ctx, '/organization/usage/completions', openAIUsagePageSchema, start, end, 31);
      assert.equal(buckets.length, 70);
      assert.deepEqual(buckets.map((b) => b.start_time), Array.from({ length: 70 }, (_, i) => start + i * 86_400));
    } finally {
      await t.close();
    }
    const reqs = oa.requestsTo(USAGE);
    assert.equal(reqs.length, 4 + 4 + 1);
    assert.deepEqual([...new Set(reqs.map((r) => r.query.start_time))], [String(start), String(start + 31 * 86_400), String(start + 62 * 86_400)]);
  });

  it('splitRange: chunks of at most 31 days, contiguous, ending at end', () => {
    const d = 86_400;
    assert.deepEqual(splitRange(0, 70 * d), [[0, 31 * d], [31 * d, 62 * d], [62 * d, 70 * d]]);
    assert.deepEqual(splitRange(0, 10), [[0, 10]]);
    assert.deepEqual(splitRange(5, 5), []);
  });

  it('a project key gets a plain "needs an Admin key" forbidden error', async () => {
    oa.addInferenceKey(PROJECT, { models: ['gpt-4o-mini'] });
    await assert.rejects(run(PROJECT), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.kind, 'forbidden');
      assert.equal(e.status, 403);
      assert.match(e.message, /Admin key \(sk-admin-…\)/);
      assert.match(e.message, /organization owner/);
      assert.match(e.message, /Missing scopes: api\.usage\.read/);
      assert.ok(!e.message.includes(PROJECT));
      return true;
    });
  });

  it('an unknown key → auth (the echoed, masked key never matters)', async () => {
    await assert.rejects(run('sk-admin-unknown-0000000000000000000000'), (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && e.status === 401);
  });

  it('no usage yet this month: zero tokens and spend (an authoritative empty answer), no request meters', async () => {
    oa.addAdminKey(ADMIN, { usage: [], costs: [] });
    const r = await run();
    assert.deepEqual(r.meters.map((m) => [m.id, m.used]), [['tokens-today', 0], ['tokens-month', 0], ['spend-month', 0]]);
  });

  it('mapping ignores buckets before the month and counts only today in the daily meters', () => {
    const usage = [oaUsageBucket(JAN31, [oaUsageResult({ input_tokens: 99999 })]), oaUsageBucket(FEB1), oaUsageBucket(dayStartSec(NOW), [oaUsageResult({ input_tokens: 10, input_cached_tokens: 0, output_tokens: 5, num_model_requests: 1 })])];
    const parsed = openAIUsagePageSchema.parse({ data: usage });
    const m = openAIMeters(parsed.data, [], NOW, undefined);
    assert.equal(m.find((x) => x.id === 'tokens-today')?.used, 15);
    assert.equal(m.find((x) => x.id === 'tokens-month')?.used, 1515);
    assert.equal(m.find((x) => x.id === 'requests-month')?.used, 6);
  });

  it('compactCount', () => {
    assert.equal(compactCount(950), '950');
    assert.equal(compactCount(12_300), '12.3k');
    assert.equal(compactCount(4_560_000), '4.56M');
    assert.equal(compactCount(1_091_000), '1.09M');
    assert.equal(compactCount(2_000_000_000), '2B');
  });

  it('testConnection: validates the Admin key and names the account after the organization header', async () => {
    oa.addAdminKey(ADMIN, februarySpec());
    const t = testContext({ providerId: 'openai', baseUrl: oa.baseUrl, secret: ADMIN, now: NOW });
    try {
      const info = await openAIProvider.testConnection(t.ctx);
      assert.deepEqual(info, { suggestedName: 'OpenAI acme-corp', identity: 'acme-corp', plan: 'Admin key' });
    } finally {
      await t.close();
    }
  });

  it('testConnection with a project key → forbidden with the Admin key message', async () => {
    oa.addInferenceKey(PROJECT, { models: [] });
    const t = testContext({ providerId: 'openai', baseUrl: oa.baseUrl, secret: PROJECT, now: NOW });
    try {
      await assert.rejects(openAIProvider.testConnection(t.ctx), (e: unknown) => e instanceof ProviderError && e.kind === 'forbidden' && /Admin key/.test(e.message));
    } finally {
      await t.close();
    }
  });

  it('the fake accepts both repeated key=v and key[]=v array forms', async () => {
    oa.addAdminKey(ADMIN, februarySpec());
    for (const q of ['group_by=model&group_by=project_id', 'group_by[]=model&group_by[]=project_id']) {
      const res = await fetch(`${oa.baseUrl}/organization/usage/completions?start_time=${FEB1}&${q}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(res.status, 200);
    }
    const missing = await fetch(`${oa.baseUrl}/organization/usage/completions`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(missing.status, 400);
    const body = (await missing.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
    assert.equal(body.error.param, 'start_time');
    assert.equal(body.error.type, 'invalid_request_error');
  });
});
