// OpenRouter provider against the loopback OpenRouter fake through the real UndiciHttpClient.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { estimateNextReset, openRouterProvider } from '../../../src/core/providers/openrouter';
import type { Meter } from '../../../src/shared/model';
import { OpenRouterFake } from '../../fakes/openRouterFake';
import { testContext, type TestContext } from '../../fakes/providerContext';
import { orCredits, orKey, orKeyFree, orKeyMinimal, orKeyNoLimit, orManagementKey } from '../../builders/openrouter';

/** Tuesday 2026-02-10 13:41 UTC. */
const NOW = Date.UTC(2026, 1, 10, 13, 41);
const KEY = 'sk-or-v1-test-0000000000000000000000000001';
const base = { kind: 'spend', unit: 'USD', source: 'official', capturedAt: NOW } as const;

describe('openrouter provider', () => {
  const or = new OpenRouterFake();
  let t: TestContext;

  before(async () => {
    await or.start();
  });
  after(async () => {
    await or.stop();
  });
  beforeEach(() => {
    or.clearLog().clearFaults();
    t = testContext({ providerId: 'openrouter', baseUrl: or.baseUrl, secret: KEY, now: NOW });
  });

  async function run(key: Record<string, unknown>, opts: { credits?: Record<string, unknown>; management?: boolean } = {}) {
    or.addKey(KEY, key, opts);
    try {
      return await openRouterProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }

  it('describes itself as documented in the brief', () => {
    const p = openRouterProvider;
    assert.equal(p.id, 'openrouter');
    assert.equal(p.displayName, 'OpenRouter');
    assert.deepEqual([...p.authKinds], ['api-key']);
    assert.equal(p.defaultBaseUrl({ settings: {} }), 'https://openrouter.ai/api/v1');
    assert.equal(p.defaultPollSeconds, 300);
    assert.equal(p.minPollSeconds, 60);
    assert.ok(p.icon);
  });

  it('key hint: empty is an error, another prefix only a warning', () => {
    const v = openRouterProvider.keyHint!.validate;
    assert.ok(v('').error);
    assert.ok(v('   ').error);
    assert.equal(v('sk-or-v1-abc123').error, undefined);
    assert.equal(v('sk-or-v1-abc123').warning, undefined);
    const other = v('mgmt-key-123456');
    assert.equal(other.error, undefined);
    assert.ok(other.warning);
  });

  it('monthly key limit: exact meters, Bearer auth, no /credits call for a normal key', async () => {
    const r = await run(orKey());
    assert.deepEqual(r.meters, [
      {
        ...base,
        id: 'key-limit',
        label: 'Key limit (monthly)',
        kind: 'credits',
        limit: 100,
        remaining: 74.5,
        used: 25.5,
        percentUsed: 25.5,
        resetsAt: Date.UTC(2026, 2, 1),
        detail: 'resets monthly (reset time estimated)',
        period: 'month',
      },
      { ...base, id: 'usage-today', label: 'Spent today', used: 1.25, detail: 'current UTC day' },
      { ...base, id: 'usage-month', label: 'Spent this month', used: 25.5, detail: 'current UTC month' },
      { ...base, id: 'usage-total', label: 'Spent in total', used: 25.5, detail: 'all time' },
    ] satisfies Meter[]);
    assert.equal(r.identity, 'sk-or-v1-au7...890');
    assert.equal(r.plan, undefined);
    assert.equal(or.requestsTo('/api/v1/key')[0]?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(or.requestsTo('/api/v1/credits').length, 0, 'a normal key must not call /credits');
  });

  it('daily limit: used = usage_daily, resets at the next UTC midnight', async () => {
    const r = await run(orKey({ limit: 5, limit_remaining: 3.75, limit_reset: 'daily' }));
    const m = r.meters.find((x) => x.id === 'key-limit')!;
    assert.equal(m.label, 'Key limit (daily)');
    assert.equal(m.used, 1.25);
    assert.equal(m.remaining, 3.75);
    assert.equal(m.percentUsed, 25);
    assert.equal(m.resetsAt, Date.UTC(2026, 1, 11));
    assert.equal(m.period, 'day');
    assert.match(m.detail!, /\(reset time estimated\)/);
  });

  it('weekly limit: used = usage_weekly, resets next Monday 00:00 UTC', async () => {
    const r = await run(orKey({ limit: 20, limit_remaining: 12, limit_reset: 'weekly' }));
    const m = r.meters.find((x) => x.id === 'key-limit')!;
    assert.equal(m.label, 'Key limit (weekly)');
    assert.equal(m.used, 8);
    assert.equal(m.percentUsed, 40);
    assert.equal(m.resetsAt, Date.UTC(2026, 1, 16));
    assert.equal(m.period, 'week');
  });

  it('estimateNextReset boundaries', () => {
    const sunday = Date.UTC(2026, 1, 15, 23, 59);
    const monday = Date.UTC(2026, 1, 16, 0, 0);
    assert.equal(estimateNextReset('weekly', sunday), Date.UTC(2026, 1, 16));
    assert.equal(estimateNextReset('weekly', monday), Date.UTC(2026, 1, 23));
    assert.equal(estimateNextReset('daily', Date.UTC(2026, 11, 31, 12)), Date.UTC(2027, 0, 1));
    assert.equal(estimateNextReset('monthly', Date.UTC(2026, 11, 31, 12)), Date.UTC(2027, 0, 1));
  });

  it('no limit: no key-limit meter, only spend meters', async () => {
    const r = await run(orKeyNoLimit());
    assert.deepEqual(
      r.meters.map((m) => [m.id, m.used, m.limit, m.percentUsed]),
      [
        ['usage-today', 1.25, undefined, undefined],
        ['usage-month', 25.5, undefined, undefined],
        ['usage-total', 25.5, undefined, undefined],
      ],
    );
  });

  it('free tier: plan and detail say so', async () => {
    const r = await run(orKeyFree());
    assert.equal(r.plan, 'Free tier');
    assert.equal(r.meters.find((m) => m.id === 'usage-total')?.detail, 'all time · Free tier');
    assert.equal(r.meters.find((m) => m.id === 'usage-total')?.used, 0);
  });

  it('older minimal payload: lifetime limit from `usage`, no period meters', async () => {
    const r = await run(orKeyMinimal());
    assert.deepEqual(r.meters, [
      { ...base, kind: 'credits', id: 'key-limit', label: 'Key limit', limit: 10, remaining: 7.5, used: 2.5, percentUsed: 25, detail: 'all-time spend of this key counts against the limit' },
      { ...base, id: 'usage-total', label: 'Spent in total', used: 2.5, detail: 'all time' },
    ] satisfies Meter[]);
  });

  it('management key: /credits adds a balance meter', async () => {
    const r = await run(orManagementKey(), { credits: orCredits() });
    const bal = r.meters.find((m) => m.id === 'balance');
    assert.deepEqual(bal, {
      id: 'balance',
      label: 'Credit balance',
      kind: 'balance',
      unit: 'USD',
      source: 'official',
      capturedAt: NOW,
      limit: 100.5,
      used: 25.75,
      remaining: 74.75,
      percentUsed: 25.62,
      detail: 'account credits purchased minus used',
    } satisfies Meter);
    assert.equal(r.plan, 'Management key');
    assert.equal(or.requestsTo('/api/v1/credits')[0]?.headers.authorization, `Bearer ${KEY}`);
  });

  it('legacy is_provisioning_key also reads /credits', async () => {
    const r = await run(orManagementKey(true), { credits: orCredits({ total_credits: '50', total_usage: '10.5' }) });
    assert.equal(r.meters.find((m) => m.id === 'balance')?.remaining, 39.5);
  });

  it('a 403 from /credits is expected: no error, no balance meter', async () => {
    const r = await run(orManagementKey(), { management: false });
    assert.equal(or.requestsTo('/api/v1/credits').length, 1);
    assert.equal(r.meters.some((m) => m.id === 'balance'), false);
    assert.equal(r.meters.length, 3);
    assert.ok(!t.lines.some((l) => l.startsWith('warn') || l.startsWith('error')), t.lines.join('\n'));
  });

  it('a failing /credits (500) only drops the balance meter, with a warning', async () => {
    or.fail({ status: 500 }, { path: '/api/v1/credits' });
    const r = await run(orManagementKey(), { credits: orCredits() });
    assert.equal(r.meters.some((m) => m.id === 'balance'), false);
    assert.ok(r.meters.some((m) => m.id === 'usage-total'));
    assert.ok(t.lines.some((l) => l.startsWith('warn') && l.includes('balance')));
  });

  it('testConnection: suggested name is the key label', async () => {
    or.addKey(KEY, orKey());
    const info = await openRouterProvider.testConnection(t.ctx);
    await t.close();
    assert.deepEqual(info, { suggestedName: 'sk-or-v1-au7...890', identity: 'sk-or-v1-au7...890' });
    assert.equal(or.requestsTo('/api/v1/credits').length, 0);
  });

  it('the fake serves the legacy /auth/key alias and 401s unknown keys with the OpenRouter envelope', async () => {
    or.addKey(KEY, orKey());
    const ok = await t.ctx.http.request({ url: `${or.baseUrl}/auth/key`, headers: { authorization: `Bearer ${KEY}` } });
    const bad = await t.ctx.http.request({ url: `${or.baseUrl}/key`, headers: { authorization: 'Bearer sk-or-v1-test-unknown' } });
    await t.close();
    assert.equal(ok.status, 200);
    assert.equal(bad.status, 401);
    assert.deepEqual(JSON.parse(bad.text), { error: { code: 401, message: 'User not found.' } });
  });
});
