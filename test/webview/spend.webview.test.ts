// The dashboard's Spend view and the meters' status bar pins, in Chromium under the real CSP (see webviewHarness.ts),
// fed with a view built by the real buildSpendView. Skips only when /usr/bin/chromium is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { makeMeter } from '../../src/shared/model';
import type { DashboardState, SpendView } from '../../src/shared/protocol';
import { buildSpendView, type SpendSeries } from '../../src/features/spend/core/spend';
import { CHROMIUM, releaseUntilBuilt, startWebviewServer, type Harness, type WebviewServer } from './webviewHarness';

declare const document: any;
declare const requestAnimationFrame: (cb: (t: number) => void) => number;

const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: browser spend test skipped`;

const NOW = Date.UTC(2026, 2, 15, 14, 30);
const TODAY = '2026-03-15';
const XSS = '<img src=x onerror=alert(1)>';

function series(): SpendSeries[] {
  return [
    { id: 'oa', label: 'OpenAI org', provider: 'OpenAI', kind: 'vendor', currency: 'USD', days: { '2026-03-14': 12.5, '2026-03-15': 2.25 }, from: '2026-02-01', to: TODAY },
    { id: 'or', label: `OpenRouter ${XSS}`, provider: 'OpenRouter', kind: 'burn', currency: 'USD', days: { '2026-03-15': 1 }, topUps: { '2026-03-10': 20 }, from: '2026-03-09', to: TODAY },
    { id: 'agent:claude-code', label: 'Claude Code', provider: 'Claude Code (API-equivalent)', kind: 'agent', currency: 'USD', days: { '2026-03-13': 4 }, from: '2026-03-01', to: TODAY },
  ];
}

function view(range: SpendView['range']): SpendView {
  return buildSpendView(series(), range, NOW, TODAY);
}

function state(): DashboardState {
  return {
    now: NOW,
    thresholds: { warning: 80, error: 95 },
    accounts: [
      {
        id: 'oa',
        name: 'OpenAI org',
        providerId: 'openai',
        providerName: 'OpenAI',
        icon: 'openai',
        authKind: 'api-key',
        loading: false,
        snapshot: {
          accountId: 'oa',
          takenAt: NOW,
          status: 'ok',
          meters: [
            makeMeter({ id: 'spend', label: 'Spend this month', kind: 'spend', unit: 'USD', used: 14.75, source: 'official', capturedAt: NOW }),
            makeMeter({ id: 'tokens', label: 'Tokens this month', kind: 'quota', unit: 'tokens', used: 1000, source: 'official', capturedAt: NOW }),
          ],
        },
      },
    ],
    pinned: ['oa\u0000spend'],
  };
}

/** Waits until the page has asked for the spend of `range` and answers it. */
async function answer(h: Harness, range: SpendView['range'], v: unknown = view(range)): Promise<void> {
  let ask: { requestId: number } | undefined;
  for (let i = 0; i < 100 && !ask; i++) {
    ask = (await h.posted()).filter((m) => m.type === 'requestSpend' && m.range === range).at(-1);
    if (!ask) await h.page.waitForTimeout(20);
  }
  assert.ok(ask, `the page asked for ${range}`);
  await h.send({ type: 'spend', requestId: ask.requestId, view: v });
}

describe('dashboard: Spend view and status bar pins', { skip }, () => {
  let srv: WebviewServer;
  before(async () => {
    srv = await startWebviewServer();
  });
  after(async () => {
    await srv?.close();
  });

  test('stacked by provider per day, a table alternative, other ranges and CSV export go to the host', async () => {
    const h = await srv.open();
    try {
      const p = h.page;
      await h.send({ type: 'state', state: state() });
      await answer(h, '30d');
      const section = p.locator('[data-testid="spend-section"]');
      await section.locator('[data-testid="spend-chart"]').waitFor();
      assert.equal(await p.locator('[data-testid="spend-total"]').textContent(), '$19.75 over the last 30 days');
      assert.equal(await section.locator('.ubar').count(), 30, 'one column per day');
      assert.deepEqual(await section.locator('[data-testid="spend-legend"] li').allTextContents(), ['OpenAI $14.75', 'Claude Code (API-equivalent) $4.00', 'OpenRouter $1.00']);
      // OpenAI is known from Feb 1: every day of the range is known (a day without spend is $0, not unknown).
      assert.equal(await section.locator('.ubar--unknown').count(), 0);

      // The table alternative, kept in the webview's state.
      await section.locator('[data-testid="spend-spendTable"]').click();
      const rows = section.locator('[data-testid="spend-table"] tbody tr');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 30);
      assert.deepEqual(await rows.last().locator('td').allTextContents(), ['$2.25', '$0.00', '$1.00', '$3.25']);

      // The sources: a balance's top-ups apart, a name from a server is text.
      const sources = await section.locator('[data-testid="spend-sources"] tbody tr').allTextContents();
      assert.equal(sources.length, 3);
      assert.ok(sources.some((s) => s.includes(`OpenRouter ${XSS}`) && s.includes('$20.00')), sources.join(' | '));
      assert.equal(await section.locator('img').count(), 0);

      // Another range: asked of the host; 12 months are months.
      await section.locator('[data-testid="spend-12m"]').click();
      await answer(h, '12m');
      await section.locator('[data-testid="spend-table"] tbody tr').nth(11).waitFor();
      assert.equal(await section.locator('[data-testid="spend-table"] tbody tr').count(), 12);
      // Months before any source was seen are unknown ("—"), never $0.
      assert.equal(await section.locator('[data-testid="spend-table"] tbody tr').first().locator('td').last().textContent(), '—');
      assert.equal(await p.locator('[data-testid="spend-total"]').textContent(), '$19.75 over the last 12 months');

      // Export CSV: the host saves it (a save dialog), for the range shown.
      await h.clearPosted();
      await section.locator('[data-testid="spend-export"]').click();
      assert.deepEqual((await h.posted()).filter((m) => m.type === 'exportSpend'), [{ type: 'exportSpend', range: '12m' }]);

      // A malformed answer costs only this section.
      await section.locator('[data-testid="spend-7d"]').click();
      await answer(h, '7d', { ...view('7d'), totals: [1] });
      await section.getByText('The spend could not be computed').waitFor();
      assert.equal(await p.locator('[data-testid="account-card"]').count(), 1);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('“Show Spend” before the first state: the section is scrolled to the top of the panel and stays there once the 20 cards above are built', async () => {
    // Idle callbacks wait until the test releases them: the cards far above stay placeholders until then. A panel
    // shorter than the section: its top can reach the top of the panel (nothing much is below it).
    const h = await srv.open({ viewport: { width: 1000, height: 300 }, holdIdle: true });
    try {
      const p = h.page;
      const one = state().accounts[0]!;
      const accounts = Array.from({ length: 20 }, (_, i) => ({ ...one, id: `a${i}`, name: `Account ${i}`, snapshot: { ...one.snapshot!, accountId: `a${i}` } }));
      // The command's order: the focus request first, then the state the section comes with.
      await h.send({ type: 'focus', section: 'spend' });
      await h.send({ type: 'state', state: { ...state(), accounts } });
      await answer(h, '30d');
      await releaseUntilBuilt(h);
      await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const top = await p.locator('[data-testid="spend-section"]').evaluate((el) => el.getBoundingClientRect().top);
      assert.ok(top >= 0 && top < 100, `the section is at the top of the panel (${top} px)`);
      assert.equal(await p.evaluate(() => document.activeElement?.dataset.testid), 'spend-section');
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('a meter offers Pin or Unpin for the status bar; the click asks the host', async () => {
    const h = await srv.open();
    try {
      const p = h.page;
      await h.send({ type: 'state', state: state() });
      const pins = p.locator('[data-testid="meter-pin"]');
      await pins.first().waitFor();
      assert.deepEqual(await pins.evaluateAll((bs) => bs.map((b) => [b.getAttribute('aria-pressed'), b.getAttribute('title')])), [
        ['true', 'Unpin from Status Bar'],
        ['false', 'Pin to Status Bar'],
      ]);
      await h.clearPosted();
      await pins.nth(1).click();
      await pins.nth(0).click();
      assert.deepEqual((await h.posted()).filter((m) => m.type === 'pin'), [
        { type: 'pin', accountId: 'oa', meterId: 'tokens', pinned: true },
        { type: 'pin', accountId: 'oa', meterId: 'spend', pinned: false },
      ]);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });
});
