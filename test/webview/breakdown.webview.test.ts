// The Copilot billing breakdown in the real dashboard bundle (Chromium, real CSP): credits by model as bars, by day
// as columns, the pace engine's projection to the reset, the "cannot read it" state with its action, and a malformed
// breakdown dropped without costing the card; and the Copilot CLI sessions of the Local agents section with their AI
// credits. Skips only when /usr/bin/chromium is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { BillingBreakdown } from '../../src/shared/model';
import type { DashboardAccount, DashboardState } from '../../src/shared/protocol';
import { breakdownPace } from '../../src/core/forecast/breakdownPace';
import { buildUsageView } from '../../src/core/usage/view';
import type { UsageRow } from '../../src/core/usage/types';
import { CHROMIUM, startWebviewServer, type WebviewServer } from './webviewHarness';

const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: browser render test skipped`;

const NOW = Date.UTC(2026, 11, 5, 12);

export const BREAKDOWN: BillingBreakdown = {
  state: 'ok',
  unit: 'credits',
  currency: 'USD',
  scope: 'user',
  scopeName: 'octo-pat',
  month: '2026-12',
  capturedAt: NOW,
  byModel: [
    { model: 'Claude Opus 4.5', quantity: 900, includedQuantity: 0, grossAmount: 9, netAmount: 9, pricePerUnit: 0.01 },
    { model: 'Claude Sonnet 4.5', quantity: 350, includedQuantity: 300, grossAmount: 3.5, netAmount: 0.5, pricePerUnit: 0.01 },
    { model: '<img src=x onerror=alert(1)>', quantity: 120, includedQuantity: 100, grossAmount: 1.2, netAmount: 0.2, pricePerUnit: 0.01 },
  ],
  byDay: [
    { day: '2026-12-01', quantity: 300, netAmount: 0 },
    { day: '2026-12-02', quantity: 170, netAmount: 0.7 },
    { day: '2026-12-04', quantity: 900, netAmount: 9 },
  ],
  totalQuantity: 1370,
  includedQuantity: 400,
  grossAmount: 13.7,
  netAmount: 9.7,
};

function account(id: string, breakdown: BillingBreakdown, extra: Partial<DashboardAccount> = {}): DashboardAccount {
  return {
    id,
    name: `Copilot ${id}`,
    providerId: 'copilot',
    providerName: 'GitHub Copilot',
    icon: 'github',
    authKind: 'api-key',
    loading: false,
    snapshot: { accountId: id, takenAt: NOW, lastSuccessAt: NOW, status: 'ok', meters: [], breakdown },
    ...extra,
  };
}

describe('Copilot billing breakdown on the dashboard', { skip }, () => {
  let srv: WebviewServer;
  before(async () => {
    srv = await startWebviewServer();
  });
  after(async () => {
    await srv?.close();
  });

  test('bars by model, a column a day, the projection to the reset, the unavailable state and its action', async () => {
    const h = await srv.open();
    try {
      const pace = breakdownPace(BREAKDOWN, NOW, 'UTC');
      assert.ok(pace && pace.status === 'no-limit', `a projection from five days of usage, got ${JSON.stringify(pace)}`);
      const state: DashboardState = {
        now: NOW,
        thresholds: { warning: 80, error: 95 },
        accounts: [
          account('pat', BREAKDOWN, { breakdownPace: pace }),
          account('session', {
            state: 'unavailable',
            reason: 'token-kind',
            fix: 'fine-grained-token',
            capturedAt: NOW,
            message: "GitHub's billing report cannot be read with this sign-in.",
          }, { authKind: 'github-session' }),
        ],
      };
      await h.send({ type: 'state', state });
      const card = h.page.locator('[data-testid="account-card"][data-account-id="pat"]');
      assert.equal(await card.locator('[data-testid="breakdown-totals"]').textContent(), '1,370 credits this month · 400 included · $9.70 paid overage');
      const rows = card.locator('[data-testid="breakdown-model"]');
      assert.deepEqual(await rows.evaluateAll((els: any[]) => els.map((e) => e.textContent)), [
        'Claude Opus 4.5900 credits · $9.00 billed',
        'Claude Sonnet 4.5350 credits · $0.50 billed',
        '<img src=x onerror=alert(1)>120 credits · $0.20 billed',
      ]);
      // Bars are proportional to the largest model.
      const widths = await card.locator('.breakdown-bar').evaluateAll((els: any[]) => els.map((e) => e.style.inlineSize));
      assert.deepEqual(widths, ['100%', '38.89%', '13.33%']);
      // Five days so far, the empty ones as empty columns.
      const days = await card.locator('[data-testid="breakdown-day"]').evaluateAll((els: any[]) => els.map((e) => [e.dataset.day, e.style.blockSize]));
      assert.deepEqual(days, [
        ['2026-12-01', '33.33%'],
        ['2026-12-02', '18.89%'],
        ['2026-12-03', '0%'],
        ['2026-12-04', '100%'],
        ['2026-12-05', '0%'],
      ]);
      assert.equal(await card.locator('[data-testid="breakdown-pace"]').textContent(), pace.text);
      assert.match(pace.text, /≈ [\d,]+ credits by/);
      // No markup from a model name reached the DOM.
      assert.equal(await h.page.locator('img').count(), 0);

      const other = h.page.locator('[data-testid="account-card"][data-account-id="session"]');
      assert.equal(await other.locator('[data-testid="breakdown-message"]').textContent(), "GitHub's billing report cannot be read with this sign-in.");
      assert.equal(await other.locator('[data-testid="breakdown"]').count(), 0);
      await other.locator('[data-testid="breakdown-add-token"]').click();
      const posted = (await h.posted()).filter((m: any) => m.type === 'addAccount');
      assert.deepEqual(posted, [{ type: 'addAccount', providerId: 'copilot', route: 'token' }]);

      // A malformed breakdown is dropped; the card stays.
      const bad = structuredClone(state);
      (bad.accounts[0]!.snapshot!.breakdown as { byModel: unknown }).byModel = 'lots';
      await h.send({ type: 'state', state: bad });
      assert.equal(await card.locator('[data-testid="breakdown"]').count(), 0);
      assert.equal(await h.page.locator('[data-testid="account-card"]').count(), 2);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test("Copilot CLI sessions in Local agents: by session, with the AI credits the CLI logged", async () => {
    const h = await srv.open();
    try {
      const day = new Date(NOW).toISOString().slice(0, 10);
      const cpRow = (model: string, credits: number): UsageRow => ({
        day, agent: 'copilot-cli', model, cwd: '/w/app', sessionId: 'cp-1', inputTokens: 1000, outputTokens: 200, cacheReadTokens: 0, cacheWrite5mTokens: 0,
        cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0, requests: 4, fastRequests: 0, loggedCostUSD: credits / 100, loggedCostRequests: 4,
        costUSD: credits / 100, unpricedRequests: 0, fallbackModelRequests: 0, aiCredits: credits, tools: {}, firstTs: NOW - 3_600_000, lastTs: NOW - 60_000,
      });
      const usage = buildUsageView({ rows: [cpRow('claude-sonnet-4.5', 1200), cpRow('gpt-5.2', 34.5)], now: NOW, dayOf: (t) => new Date(t).toISOString().slice(0, 10), foundAgents: ['copilot-cli'] });
      await h.send({ type: 'state', state: { now: NOW, thresholds: { warning: 80, error: 95 }, accounts: [], usage } });
      const session = h.page.locator('[data-testid="usage-sessions"] tbody tr');
      assert.equal(await session.count(), 1);
      assert.match((await session.textContent()) ?? '', /Copilot CLI.*claude-sonnet-4\.5 \+1.*\$12\.35/);
      assert.equal(await session.locator('[data-testid="session-credits"]').textContent(), ' · 1,234.5 AI credits');
    } finally {
      await h.page.close();
    }
  });
});
