// Hugging Face provider against the loopback fake through the real UndiciHttpClient: plan from whoami-v2,
// Inference Providers credits in NANO-USD from the undocumented billing endpoint, and the expected 403 without
// "Billing: read".
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { HF_BILLING_HINT, hfPeriodStart, hfPlan, huggingFaceProvider } from '../../../src/core/providers/huggingface';
import type { Meter } from '../../../src/shared/model';
import { HuggingFaceFake, type HfKeySpec } from '../../fakes/balanceFakes';
import { testContext } from '../../fakes/providerContext';
import { HF_PERIOD_END, hfBilling, hfWhoami } from '../../builders/balances';

const NOW = Date.UTC(2026, 1, 10, 13, 41);
const KEY = 'hf_testtoken000000000000000000001';

describe('huggingface provider', () => {
  const hf = new HuggingFaceFake();
  before(() => hf.start());
  after(() => hf.stop());
  beforeEach(() => {
    hf.clearLog().clearFaults();
  });

  async function run(spec: HfKeySpec) {
    hf.addKey(KEY, spec);
    const t = testContext({ providerId: 'huggingface', baseUrl: hf.url, secret: KEY, now: NOW });
    try {
      return { r: await huggingFaceProvider.fetchSnapshot(t.ctx), lines: t.lines };
    } finally {
      await t.close();
    }
  }

  it('describes itself', () => {
    const p = huggingFaceProvider;
    assert.equal(p.id, 'huggingface');
    assert.deepEqual([...p.authKinds], ['api-key']);
    assert.equal(p.defaultBaseUrl({ settings: {} }), 'https://huggingface.co');
    assert.deepEqual(p.endpoints, [
      { path: '/api/whoami-v2', official: true },
      { path: '/api/settings/billing/usage-v2', official: false },
    ]);
    assert.ok(p.keyHint!.validate('hf_x').warning === undefined);
    assert.ok(p.keyHint!.validate('abc').warning);
    assert.ok(p.keyHint!.prompt.includes('Billing: read'));
  });

  it('Pro with billing access: nano-USD → USD, included credits are the limit, billable beyond them', async () => {
    const { r } = await run({ whoami: hfWhoami(), billing: hfBilling() });
    assert.deepEqual(r.meters, [
      {
        id: 'inference-credits',
        label: 'Inference Providers credits',
        kind: 'credits',
        unit: 'USD',
        source: 'vendor-undocumented',
        capturedAt: NOW,
        used: 1.234,
        limit: 2,
        remaining: 0.766,
        percentUsed: 61.7,
        resetsAt: HF_PERIOD_END * 1000,
        period: 'month',
        detail: 'billable 0.00 USD beyond the included credits · 311 requests · this billing period',
      },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Pro · postpaid');
    assert.equal(r.identity, 'hf-dev');
    const req = hf.requestsTo(HuggingFaceFake.BILLING)[0]!;
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    // The period: one month before periodEnd (2026-02-01) to now, in unix seconds.
    assert.equal(req.query.startDate, String(Date.UTC(2026, 1, 1) / 1000));
    assert.equal(req.query.endDate, String(Math.floor(NOW / 1000)));
  });

  it('over the included credits: billable = used − included; a spending limit is mentioned', async () => {
    const { r } = await run({ whoami: hfWhoami(), billing: hfBilling({ usedNanoUsd: '3500000000', limitNanoUsd: 10_000_000_000 }) });
    const m = r.meters[0]!;
    assert.equal(m.used, 3.5);
    assert.equal(m.percentUsed, 175);
    assert.equal(m.detail, 'billable 1.50 USD beyond the included credits · spending limit 10.00 USD · 311 requests · this billing period');
  });

  it('Free account without included credits: no limit, no percentage', async () => {
    const { r } = await run({ whoami: hfWhoami({ isPro: false, billingMode: 'prepaid', periodEnd: null }), billing: hfBilling({ includedNanoUsd: 0, usedNanoUsd: 420000000, periodEnd: null }) });
    const m = r.meters[0]!;
    assert.equal(m.used, 0.42);
    assert.equal(m.limit, undefined);
    assert.equal(m.percentUsed, undefined);
    assert.equal(m.resetsAt, undefined);
    assert.equal(r.plan, 'Free · prepaid');
    // Without periodEnd the period starts at the UTC month start.
    assert.equal(hf.requestsTo(HuggingFaceFake.BILLING)[0]?.query.startDate, String(Date.UTC(2026, 1, 1) / 1000));
  });

  it('403 on billing (token without "Billing: read") is expected: plan, zero meters, no warning', async () => {
    const { r, lines } = await run({ whoami: hfWhoami(), billing: null });
    assert.deepEqual(r.meters, []);
    assert.equal(r.plan, 'Pro · postpaid');
    assert.equal(hf.requestsTo(HuggingFaceFake.BILLING).length, 1);
    assert.ok(!lines.some((l) => l.startsWith('warn') || l.startsWith('error')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('Billing: read')));
  });

  it('a failing billing call (500) costs only the meter, with a warning', async () => {
    hf.fail({ status: 500 }, { path: HuggingFaceFake.BILLING });
    const { r, lines } = await run({ whoami: hfWhoami(), billing: hfBilling() });
    assert.deepEqual(r.meters, []);
    assert.equal(r.identity, 'hf-dev');
    assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('Inference Providers')));
  });

  it('a billing answer without inference usage gives no meter', async () => {
    const { r } = await run({ whoami: hfWhoami(), billing: { usage: {} } });
    assert.deepEqual(r.meters, []);
  });

  it('plan naming', () => {
    assert.equal(hfPlan({ name: 'a', isPro: false, canPay: false }), 'Free · no payment method');
    assert.equal(hfPlan({ name: 'a', type: 'org' }), 'Organization');
    assert.equal(hfPlan({ name: 'a', isPro: true, billingMode: 'weird' }), 'Pro');
  });

  it('hfPeriodStart: a month before periodEnd, else the UTC month start', () => {
    assert.equal(hfPeriodStart(Date.UTC(2026, 2, 5, 8), NOW), Date.UTC(2026, 1, 5, 8));
    assert.equal(hfPeriodStart(undefined, NOW), Date.UTC(2026, 1, 1));
    assert.equal(hfPeriodStart(Date.UTC(2026, 0, 1), NOW), Date.UTC(2026, 1, 1), 'a past periodEnd is ignored');
  });

  it('testConnection: name, plan, and whether billing is readable', async () => {
    hf.addKey(KEY, { whoami: hfWhoami(), billing: null });
    const t = testContext({ providerId: 'huggingface', baseUrl: hf.url, secret: KEY, now: NOW });
    const info = await huggingFaceProvider.testConnection(t.ctx);
    await t.close();
    assert.deepEqual(info, { suggestedName: 'hf-dev', identity: 'hf-dev', plan: 'Pro · postpaid', settings: { billingRead: false } });
    assert.ok(HF_BILLING_HINT.includes('Billing: read'));
  });
});
