// History charts and the month-progress marker, in Chromium under the real CSP (see webviewHarness.ts).
// Skips only when /usr/bin/chromium is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { makeMeter, type Meter, type MeterInput } from '../../src/shared/model';
import type { ChartPoint, ChartSeries, DashboardAccount, DashboardState, HistoryRange } from '../../src/shared/protocol';
import { RANGE_MS } from '../../src/shared/historyRange';
import { Insights } from '../../src/features/insights/core/insights';
import { downsampleMinMax as hostDownsample } from '../../src/core/history/downsample';
import type { HistoryPoint } from '../../src/core/history/types';
import { CHROMIUM, startWebviewServer, type Harness, type WebviewServer } from './webviewHarness';

declare const window: any;
declare const document: any;
declare const getComputedStyle: any;

const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: browser chart test skipped`;

const NOW = Date.UTC(2025, 5, 20, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const THEME_CSS = ':root{--vscode-charts-red:rgb(220, 0, 0);--vscode-charts-blue:rgb(0, 90, 200);--vscode-editor-foreground:rgb(30, 30, 30);}';

function meter(input: Partial<MeterInput> & Pick<MeterInput, 'id' | 'label'>): Meter {
  return makeMeter({ kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW - 60_000, ...input });
}

function state(): DashboardState {
  const acct: DashboardAccount = {
    id: 'gh',
    name: 'Copilot (work)',
    providerId: 'copilot',
    providerName: 'GitHub Copilot',
    icon: 'copilot',
    authKind: 'github-session',
    loading: false,
    snapshot: {
      accountId: 'gh',
      takenAt: NOW,
      lastSuccessAt: NOW,
      status: 'ok',
      meters: [
        meter({ id: 'premium', label: 'Premium requests', used: 930, limit: 1500, resetsAt: NOW + 11 * DAY }),
        meter({ id: 'other', label: 'Other', used: 10, limit: 100 }),
        meter({ id: 'chat', label: 'Chat', unlimited: true }),
      ],
    },
    pace: {
      premium: { status: 'ok', elapsedFraction: 0.58, usedFraction: 0.62, text: 'At this pace you reach 1,400 requests by the reset.' },
      // A malformed entry is dropped without costing the account its card.
      other: { status: 'bogus', text: 5 } as never,
    },
  };
  return { now: NOW, thresholds: { warning: 80, error: 95 }, accounts: [acct] };
}

/** `n` copies of state()'s account (ids gh0…, names "Copilot 0"…), each with its first `meters` meters (default all). */
function manyAccounts(n: number, meters?: number): DashboardState {
  const many: DashboardState = { ...state(), accounts: [] };
  for (let i = 0; i < n; i++) {
    const a = structuredClone(state().accounts[0]!);
    a.id = `gh${i}`;
    a.name = `Copilot ${i}`;
    a.snapshot!.accountId = a.id;
    if (meters !== undefined) a.snapshot!.meters = a.snapshot!.meters.slice(0, meters);
    many.accounts.push(a);
  }
  return many;
}

function series(n: number, range: HistoryRange = '30d', extra: Partial<ChartSeries> = {}): ChartSeries {
  const start = NOW - 30 * DAY;
  const points: ChartPoint[] = [];
  for (let i = 0; i < n; i++) points.push([start + (i * 30 * DAY) / n, Math.round((i / n) * 1000), 1500]);
  return {
    accountId: 'gh',
    meterId: 'premium',
    label: 'Premium requests',
    unit: 'requests',
    range,
    from: NOW - RANGE_MS[range],
    to: NOW,
    points,
    limit: 1500,
    resets: [NOW - 19 * DAY],
    gaps: [],
    forecast: [
      [NOW, 1000],
      [NOW + 5 * DAY, 1200],
      [NOW + 11 * DAY, 1400],
    ],
    forecastEnd: 'reset',
    summary: `Premium requests, last 30 days: ${n} readings, from 0 to 1,000 requests of 1,500.`,
    ...extra,
  };
}

const chartSel = '[data-testid="meter-chart"][data-meter-id="premium"]';

describe('dashboard charts in Chromium under the real CSP', { skip }, () => {
  let srv: WebviewServer;
  before(async () => {
    srv = await startWebviewServer({ themeCss: THEME_CSS });
  });
  after(async () => {
    await srv?.close();
  });

  async function requests(h: Harness): Promise<any[]> {
    return (await h.posted()).filter((m) => m.type === 'requestHistory');
  }

  /** Charts ask when they come near the viewport (an IntersectionObserver, so a frame after the render). */
  async function lastRequest(h: Harness, meterId = 'premium'): Promise<any> {
    await h.page.waitForFunction((id: string) => (window as any).__posted.some((m: any) => m.type === 'requestHistory' && m.meterId === id), meterId);
    const rs = (await requests(h)).filter((m) => m.meterId === meterId);
    return rs[rs.length - 1];
  }

  /** Sends a history answer and waits for the frame in which answers are drawn. */
  async function answer(h: Harness, requestId: number, series: unknown): Promise<void> {
    await h.send({ type: 'history', requestId, series });
    await h.page.evaluate(() => new Promise((r) => (window as any).requestAnimationFrame(() => setTimeout(r, 0))));
  }

  /** RGB of the canvas pixel in the middle of the row uPlot drew the limit line on. */
  function limitPixel(h: Harness): Promise<number[]> {
    return h.page.evaluate((sel: string) => {
      const box = document.querySelector(sel);
      const canvas = box.querySelector('canvas');
      const row = Number(box.dataset.limitRow);
      return [...canvas.getContext('2d').getImageData(Math.floor(canvas.width / 2), row, 1, 1).data].slice(0, 3);
    }, chartSel);
  }

  test('gauge marker, pace text and a chart with limit, resets, forecast and text alternatives', async () => {
    const h = await srv.open();
    try {
      await h.send({ type: 'state', state: state() });
      const meterEl = h.page.locator('[data-testid="meter"][data-meter-id="premium"]');
      // Month-progress marker and its accessible wording.
      const gauge = meterEl.locator('[role="meter"]');
      assert.equal(await gauge.getAttribute('aria-label'), 'Premium requests: 62% used, 930 / 1,500 requests, 58% of the window elapsed');
      assert.equal(await gauge.getAttribute('aria-valuetext'), '62% used, 58% of the window elapsed');
      const marker = meterEl.locator('[data-testid="gauge-elapsed"]');
      assert.equal(await marker.getAttribute('data-elapsed'), '58');
      const geo = await marker.evaluate((m: any) => (m.getBoundingClientRect().left + 1 - m.parentElement.getBoundingClientRect().left) / m.parentElement.getBoundingClientRect().width);
      assert.ok(Math.abs(geo - 0.58) < 0.01, `marker at ${geo}`);
      assert.equal(await meterEl.locator('[data-testid="pace-text"]').textContent(), 'At this pace you reach 1,400 requests by the reset.');
      // The malformed pace entry is ignored: no marker, no text, card still there.
      const other = h.page.locator('[data-testid="meter"][data-meter-id="other"]');
      assert.equal(await other.locator('[data-testid="gauge-elapsed"], [data-testid="pace-text"]').count(), 0);
      assert.equal(await other.locator('[role="meter"]').getAttribute('aria-label'), 'Other: 10% used, 10 / 100 requests');
      // No chart for an unlimited meter.
      assert.equal(await h.page.locator('[data-testid="meter-chart"]').count(), 2);

      // One request per chart, with the default range and the chart's measured width.
      const req = await lastRequest(h);
      assert.equal(req.range, '30d');
      assert.equal(req.accountId, 'gh');
      const width = await h.page.locator(chartSel).evaluate((e: any) => e.clientWidth);
      assert.equal(req.width, width);
      assert.equal(await h.page.locator(chartSel).getAttribute('data-state'), 'loading');
      assert.equal(await h.page.locator('[data-testid="range-30d"]').first().getAttribute('aria-pressed'), 'true');
      // While it loads, the status shows a decorative <vscode-progress-ring> before its text.
      const ring = h.page.locator(`${chartSel} .chart-status > vscode-progress-ring.loading-ring`);
      assert.deepEqual(await ring.evaluate((e: any) => [e.getAttribute('aria-hidden'), e.getAttribute('role')]), ['true', 'presentation']);
      assert.equal(await h.page.locator(`${chartSel} .chart-status`).textContent(), 'Loading history…');

      await answer(h, req.requestId, series(120));
      const chart = h.page.locator(chartSel);
      await h.page.waitForSelector(`${chartSel}[data-state="drawn"]`);
      assert.equal(await chart.getAttribute('data-points'), '120');
      // The forecast runs to the reset 11 days out; the axis makes room for a third of the range (10 days) and the
      // forecast is cut there: two forecast points and the cut.
      assert.equal(await chart.getAttribute('data-forecast-points'), '3', 'forecast points after the last reading');
      assert.equal(Number(await chart.getAttribute('data-x-min')), NOW - 30 * DAY);
      assert.equal(Number(await chart.getAttribute('data-x-max')), NOW + 10 * DAY);
      assert.equal(await chart.getAttribute('data-resets'), '1');
      assert.equal(await chart.getAttribute('data-reset-markers'), '1');
      assert.equal(await chart.getAttribute('data-breaks'), '1', 'the line breaks at the reset');
      assert.equal(await chart.getAttribute('data-gaps'), '0');
      assert.equal(await chart.getAttribute('data-limit'), '1500');
      assert.equal(await chart.locator('canvas').count(), 1);
      // The limit line really is drawn, in the theme's red.
      assert.deepEqual(await limitPixel(h), [220, 0, 0]);

      // Text alternatives: the summary, linked; and the data table behind "Show as table".
      const describedBy = await chart.getAttribute('aria-describedby');
      assert.ok(describedBy);
      assert.equal(await h.page.locator(`#${describedBy}`).textContent(), series(120).summary);
      assert.equal(await chart.getAttribute('aria-label'), 'Premium requests history, last 30 days');
      const details = h.page.locator('[data-testid="meter-history"][data-meter-id="premium"] [data-testid="chart-table"]');
      assert.equal(await details.locator('[data-testid="chart-data"]').count(), 0, 'the table is built only when opened');
      await details.locator('summary').click();
      const rows = details.locator('vscode-table-body > vscode-table-row');
      // The table is built on the toggle event, after the click resolves: wait for it, then count.
      await rows.nth(122).waitFor();
      assert.equal(await rows.count(), 123);
      assert.equal(await details.locator('vscode-table-body > vscode-table-row.row--projected').count(), 3);
      // A <vscode-table> that is a real table to assistive technology: named by its caption, the column headers in a
      // row (not straight in the header's rowgroup, as the component's documented markup would put them).
      const table = h.page.getByRole('table', { name: 'Premium requests, last 30 days' });
      assert.equal(await table.count(), 1);
      assert.equal(await table.evaluate((e: any) => e.localName), 'vscode-table');
      assert.deepEqual(await table.getByRole('row').first().getByRole('columnheader').allTextContents(), ['Time', 'Value', 'Kind']);
      assert.equal(await table.getByRole('row').count(), 124);
      assert.equal(await table.getByRole('cell').count(), 123 * 3);
      assert.match((await rows.first().textContent()) ?? '', /0 requests\s*measured$/);
      // The last row is the forecast's true end (the reset), not where the chart cuts it.
      assert.match((await rows.last().textContent()) ?? '', /^Jul 1, 2025, 12:00 PM\s*1,400 requests\s*projected, at the reset$/);

      // Keyboard: focus the chart, End reads the last (projected) point out; the tooltip shows the same.
      await chart.focus();
      await h.page.keyboard.press('End');
      const live = h.page.locator('[data-testid="meter-history"][data-meter-id="premium"] [aria-live="polite"]');
      assert.match((await live.textContent()) ?? '', /^Jun 30, 2025, 12:00 PM: 1,366.67 requests \(projected; 1,400 requests at the reset, Jul 1, 2025, 12:00 PM\)$/);
      await h.page.keyboard.press('Home');
      assert.match((await live.textContent()) ?? '', /: 0 requests of 1,500 requests$/);
      // Stepping right across the reset skips the break in the line: every step reads a real point out.
      for (let i = 0; i < 44; i++) await h.page.keyboard.press('ArrowRight');
      assert.match((await live.textContent()) ?? '', /: 367 requests of 1,500 requests$/, 'point 44, after the break');
      await h.page.keyboard.press('ArrowLeft');
      assert.match((await live.textContent()) ?? '', /: 358 requests of 1,500 requests$/, 'point 43, before the break');
      await h.page.keyboard.press('Home');
      const tip = chart.locator('.chart-tip');
      assert.equal(await tip.isVisible(), true);
      assert.equal(await tip.textContent(), await live.textContent());
      // Hover shows the tooltip too.
      const box = (await chart.locator('.u-over').boundingBox())!;
      await h.page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      assert.match((await tip.textContent()) ?? '', /\d+ requests of 1,500 requests$/);

      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('range switching, stale answers, empty state and the client-side downsampling guard', async () => {
    const h = await srv.open();
    try {
      await h.send({ type: 'state', state: state() });
      const first = await lastRequest(h);
      const chart = h.page.locator(chartSel);
      const history = h.page.locator('[data-testid="meter-history"][data-meter-id="premium"]');

      // Two quick clicks: 7d then 1y. The answers come back out of order; only the latest counts.
      await h.clearPosted();
      await history.locator('[data-testid="range-7d"]').click();
      await history.locator('[data-testid="range-1y"]').click();
      const reqs = await requests(h);
      assert.deepEqual(
        reqs.map((r) => [r.meterId, r.range]),
        [
          ['premium', '7d'],
          ['premium', '1y'],
        ],
      );
      assert.ok(reqs[1].requestId > reqs[0].requestId && reqs[0].requestId > first.requestId, 'ids increase');
      assert.equal(await history.locator('[data-testid="range-1y"]').getAttribute('aria-pressed'), 'true');
      assert.equal(await history.locator('[data-testid="range-7d"]').getAttribute('aria-pressed'), 'false');
      // A <vscode-button-group> of <vscode-button>s (upgraded once elements.js is in): to assistive technology a named
      // group of five toggle buttons; the pressed one is the primary button, the others secondary.
      await h.page.waitForFunction(() => (window as any).customElements.get('vscode-button-group') !== undefined);
      const group = history.getByRole('group', { name: 'History range for Premium requests' });
      assert.equal(await group.evaluate((e: any) => `${e.localName}${e.shadowRoot ? ' (upgraded)' : ''}`), 'vscode-button-group (upgraded)');
      assert.deepEqual(await group.getByRole('button').evaluateAll((bs: any[]) => bs.map((b) => b.getAttribute('aria-label'))), ['Last 24 hours', 'Last 7 days', 'Last 30 days', 'Last 90 days', 'Last year']);
      assert.deepEqual(await group.getByRole('button', { pressed: true }).allTextContents(), ['1y']);
      assert.deepEqual(await group.locator('vscode-button:not([secondary])').allTextContents(), ['1y']);

      await answer(h, reqs[1].requestId, series(50, '1y'));
      await h.page.waitForSelector(`${chartSel}[data-state="drawn"]`);
      assert.equal(await chart.getAttribute('data-points'), '50');
      // Late answers to the 7d request and to the very first one: dropped.
      await answer(h, reqs[0].requestId, series(70, '7d'));
      await answer(h, first.requestId, series(90, '30d'));
      await answer(h, 999_999, series(30, '1y'));
      assert.equal(await chart.getAttribute('data-points'), '50');
      assert.equal(await chart.getAttribute('data-range'), '1y');
      assert.equal(await chart.getAttribute('aria-label'), 'Premium requests history, last year');

      // An answer for the wrong meter or range, and a malformed series, count as "nothing".
      await h.clearPosted();
      await history.locator('[data-testid="range-24h"]').click();
      let r = await lastRequest(h);
      await answer(h, r.requestId, series(40, '7d'));
      assert.equal(await chart.getAttribute('data-state'), 'empty');
      assert.equal(await chart.locator('.chart-status').textContent(), 'No history yet');
      assert.equal(await chart.getAttribute('data-points'), '0');
      assert.equal(await history.locator('[data-testid="chart-summary"]').textContent(), 'No history yet for Premium requests.');

      await history.locator('[data-testid="range-90d"]').click();
      r = await lastRequest(h);
      await answer(h, r.requestId, { ...series(10, '90d'), points: [[1, 'x']] });
      assert.equal(await chart.getAttribute('data-state'), 'empty');

      // The host's error answer.
      await history.locator('[data-testid="range-7d"]').click();
      r = await lastRequest(h);
      await answer(h, r.requestId, null);
      assert.equal(await chart.getAttribute('data-state'), 'empty');

      // Far more points than pixels: the client downsamples to at most the chart width.
      await history.locator('[data-testid="range-30d"]').click();
      r = await lastRequest(h);
      await answer(h, r.requestId, series(5000));
      await h.page.waitForSelector(`${chartSel}[data-state="drawn"]`);
      const drawn = Number(await chart.getAttribute('data-points'));
      assert.ok(drawn <= r.width && drawn >= r.width - 4, `${drawn} points for ${r.width} px`);

      // Back to a cached range: drawn at once from the cache, and refreshed in the background.
      await h.clearPosted();
      await history.locator('[data-testid="range-1y"]').click();
      assert.equal(await chart.getAttribute('data-points'), '50');
      assert.equal((await requests(h)).length, 1);

      // A rebuilt card (new snapshot) keeps the chosen range and redraws from the cache before the answer.
      await h.clearPosted();
      const next = state();
      next.accounts[0]!.snapshot!.takenAt = NOW + 60_000;
      await h.send({ type: 'state', state: next });
      assert.equal(await chart.getAttribute('data-range'), '1y');
      await lastRequest(h, 'other');
      assert.equal(await chart.getAttribute('data-points'), '50');
      assert.deepEqual(
        (await requests(h)).map((m) => [m.meterId, m.range]),
        [
          ['premium', '1y'],
          ['other', '30d'],
        ],
      );
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('theme switches redraw the charts with the new colours', async () => {
    const h = await srv.open();
    try {
      await h.send({ type: 'state', state: state() });
      const r = await lastRequest(h);
      await answer(h, r.requestId, series(80));
      await h.page.waitForSelector(`${chartSel}[data-state="drawn"]`);
      assert.deepEqual(await limitPixel(h), [220, 0, 0]);
      for (const [cls, red] of [
        ['vscode-light', 'rgb(200, 10, 10)'],
        ['vscode-high-contrast', 'rgb(255, 0, 0)'],
        ['vscode-dark', 'rgb(180, 20, 20)'],
      ] as const) {
        // VS Code changes the variables on <html> and the class on <body>; CSSOM writes are allowed by the CSP.
        await h.page.evaluate(
          ([c, v]: string[]) => {
            document.documentElement.style.setProperty('--vscode-charts-red', v);
            document.body.className = c;
          },
          [cls, red],
        );
        await h.page.waitForFunction(() => true);
        await h.page.evaluate(() => new Promise((res) => setTimeout(res, 0)));
        const expected = red.match(/\d+/g)!.map(Number);
        assert.deepEqual(await limitPixel(h), expected, `limit line re-themed for ${cls}`);
        assert.equal(await h.page.locator(`${chartSel} canvas`).count(), 1, 'one canvas after re-theming');
      }
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('charts far from the viewport wait until scrolled near or focused; near ones ask at once', async () => {
    // Twelve one-meter accounts in a short panel: the first cards are on screen (below the overview strip's twelve
    // lines), the last far below.
    const many = manyAccounts(12, 1);
    const h = await srv.open({ viewport: { width: 420, height: 900 } });
    const chartOf = (i: number) => h.page.locator(`[data-testid="account-card"][data-account-id="gh${i}"] [data-testid="meter-chart"]`);
    try {
      // The charts in the viewport ask in the task that rendered the cards, before any frame.
      const sameTask = await h.page.evaluate((s: unknown) => {
        window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state: s } }));
        return (window as any).__posted.filter((m: any) => m.type === 'requestHistory').length;
      }, many);
      assert.ok(sameTask >= 1, 'a request left with the render');
      const firstRequests = await requests(h);
      const first = new Set(firstRequests.map((m) => m.accountId as string));
      assert.ok(first.has('gh0') && !first.has('gh11'), `asked: ${[...first].join(', ')}`);
      // The ones in the viewport asked in the render's task; those just outside it ask from the observer's first
      // callback, after the first frame; one request per chart either way.
      assert.ok(first.size >= sameTask, `${first.size} asked in all, ${sameTask} in the render's task`);
      assert.equal(firstRequests.length, first.size, 'one request per chart near the viewport');

      // A far chart: not asked yet, says so, and its block's rendering is skipped until it comes near.
      const historyOf = (i: number) => h.page.locator(`[data-testid="account-card"][data-account-id="gh${i}"] [data-testid="meter-history"]`);
      assert.equal(await chartOf(11).getAttribute('data-state'), 'deferred');
      assert.match((await historyOf(11).locator('[data-testid="chart-summary"]').textContent()) ?? '', /loads when the chart is scrolled into view/);
      const deferred = (i: number) => historyOf(i).evaluate((e: any) => getComputedStyle(e).contentVisibility);
      assert.equal(await deferred(11), 'auto');
      assert.equal(await deferred(0), 'visible');
      assert.equal(await chartOf(0).getAttribute('data-state'), 'loading');
      // The card's own texts are in the page either way (for find-in-page and screen readers; the card's layout is
      // skipped until it comes near, so innerText, which reads the layout, would be empty).
      assert.equal((await h.page.locator('[data-testid="account-card"][data-account-id="gh11"] [data-testid="meter-value"]').textContent())?.trim(), '62%');
      assert.equal(await h.page.locator('[data-testid="account-card"][data-account-id="gh11"]').evaluate((e: any) => getComputedStyle(e).contentVisibility), 'auto');

      // Answered: drawn as soon as the last outstanding answer is in, without waiting for an animation frame; the
      // charts that started in the viewport do not wait for the ones just outside it.
      const answers = (await requests(h)).map((r) => ({ type: 'history', requestId: r.requestId, series: { ...series(60), accountId: r.accountId } }));
      const answer = (list: unknown[]) =>
        h.page.evaluate(
          (list: unknown[]) =>
            new Promise<Record<string, string>>((resolve) => {
              for (const d of list) window.postMessage(d, '*');
              // Runs after the answers' message tasks (posted before it), and before any frame callback.
              window.addEventListener('message', function last(ev: any) {
                if (ev.data !== 'after-answers') return;
                window.removeEventListener('message', last);
                const out: Record<string, string> = {};
                for (const c of document.querySelectorAll('[data-testid="meter-chart"]')) if (c.dataset.state !== 'deferred') out[c.closest('[data-account-id]').dataset.accountId] = c.dataset.state;
                resolve(out);
              });
              window.postMessage('after-answers', '*');
            }),
          list,
        );
      const inView = answers.slice(0, sameTask);
      if (answers.length > sameTask) {
        const partial = await answer(inView);
        for (const a of inView) assert.equal(partial[(a.series as { accountId: string }).accountId], 'drawn', 'an in-view chart is drawn before the others are answered');
        for (const a of answers.slice(sameTask)) assert.equal(partial[(a.series as { accountId: string }).accountId], 'loading', 'a chart outside the viewport waits for its answer');
      }
      const states = await answer(answers.slice(answers.length > sameTask ? sameTask : 0));
      assert.deepEqual([...new Set(Object.values(states))], ['drawn'], 'every asked chart drawn');

      // Focus reaches a far chart (keyboard or screen reader): it asks at once.
      await chartOf(8).focus();
      await h.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'requestHistory' && m.accountId === 'gh8'));
      assert.equal(await chartOf(8).getAttribute('data-state'), 'loading');
      assert.equal(await deferred(8), 'visible');
      assert.equal((await historyOf(8).locator('[data-testid="chart-summary"]').textContent()) ?? '', '');

      // Scrolling the last card near: its chart asks (IntersectionObserver) with its real width.
      await h.page.locator('[data-testid="account-card"][data-account-id="gh11"]').scrollIntoViewIfNeeded();
      await h.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'requestHistory' && m.accountId === 'gh11'));
      const last = (await requests(h)).find((m) => m.accountId === 'gh11');
      assert.equal(last.width, await chartOf(11).evaluate((e: any) => e.clientWidth));
      assert.equal(await deferred(11), 'visible');
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('the state embedded in the page is drawn before the host answers ready (accounts or the empty state); a malformed one is ignored', async () => {
    const h = await srv.open({ initialState: state() });
    try {
      // No host message yet: the cards come from the page itself, and `ready` was still posted first.
      const posted = await h.posted();
      assert.deepEqual(posted[0], { type: 'ready', embedded: true }, 'ready says the embedded state was drawn');
      assert.equal(await h.page.locator('[data-testid="account-card"]').count(), 1);
      assert.equal(await h.page.locator('.booting').count(), 0, 'no "Loading…"');
      assert.equal(await h.page.locator('#tokstat-initial-state').count(), 0, 'the data block is removed once read');
      assert.ok(posted.some((m) => m.type === 'requestHistory' && m.meterId === 'premium'), 'its charts asked for their history');
      // The host's answer to `ready` replaces it.
      const next = state();
      next.accounts[0]!.name = 'Copilot (home)';
      await h.send({ type: 'state', state: next });
      assert.equal(await h.page.locator('.account-name').textContent(), 'Copilot (home)');
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
    // No accounts yet: the empty state, from the page itself.
    const none = await srv.open({ initialState: { ...state(), accounts: [] } });
    try {
      assert.equal(await none.page.locator('[data-testid="empty-state"]').isVisible(), true);
      assert.equal(await none.page.locator('.booting').count(), 0);
    } finally {
      await none.page.close();
    }
    const bad = await srv.open({ initialState: { now: 'yesterday', accounts: 3 } as never });
    try {
      assert.equal(await bad.page.locator('[data-testid="account-card"]').count(), 0);
      assert.equal(await bad.page.locator('.booting').count(), 1, 'still "Loading…", waiting for the host');
      assert.deepEqual((await bad.posted())[0], { type: 'ready' }, 'ready does not claim a state it did not draw');
      // A clock alone cannot draw anything: the page keeps waiting for a state.
      await bad.send({ type: 'clock', now: NOW });
      assert.equal(await bad.page.locator('.booting').count(), 1);
      await bad.send({ type: 'state', state: state() });
      assert.equal(await bad.page.locator('[data-testid="account-card"]').count(), 1);
    } finally {
      await bad.page.close();
    }
  });

  test('a clock answer to ready keeps the embedded cards and charts, and counts the countdowns from the host clock', async () => {
    const h = await srv.open({ initialState: state() });
    try {
      const reset = h.page.locator('[data-meter-id="premium"] [data-testid="meter-reset"]');
      assert.match((await reset.textContent()) ?? '', /^resets in 1[01]d\b/);
      await h.page.locator('[data-testid="account-card"]').evaluate((e: any) => (e.__kept = true));
      await answer(h, (await lastRequest(h)).requestId, series(50));
      const canvas = h.page.locator(`${chartSel} canvas`).first();
      await canvas.evaluate((e: any) => (e.__kept = true));
      const asked = (await requests(h)).length;
      // The host's clock is almost two days past the embedded state's: nothing else changed.
      await h.send({ type: 'clock', now: NOW + 2 * DAY - HOUR / 2 });
      assert.match((await reset.textContent()) ?? '', /^resets in 9d\b/, 'the countdown is re-based at once');
      assert.equal(await h.page.locator('[data-testid="account-card"]').evaluate((e: any) => e.__kept === true), true, 'the card is kept');
      assert.equal(await canvas.evaluate((e: any) => e.__kept === true), true, 'the chart is not redrawn from scratch');
      assert.equal((await requests(h)).length, asked, 'no history is asked for again');
      // A malformed clock changes nothing.
      await h.send({ type: 'clock', now: 'later' });
      assert.match((await reset.textContent()) ?? '', /^resets in 9d\b/);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('the first render lays out the cards in view in one pass, and afterwards they are skipped when far from view again', async () => {
    // 12 one-meter cards at 420 × 900: one column below the overview strip's twelve lines, the first two estimated in
    // view.
    const h = await srv.open({
      initialState: manyAccounts(12, 1),
      viewport: { width: 420, height: 900 },
      waitForReady: false,
      initScript: {
        // At the end of the task that rendered the embedded state (a mutation observer's callback), before any frame.
        fn: () => {
          const w = window as any;
          const obs = new (window as any).MutationObserver(() => {
            if (!document.querySelector('[data-testid="account-card"]')) return;
            obs.disconnect();
            w.__firstTask = [...document.querySelectorAll('[data-testid="account-card"]')].map((c: any) => `${c.dataset.accountId}:${getComputedStyle(c).contentVisibility}`);
          });
          obs.observe(document, { subtree: true, childList: true });
        },
      },
    });
    try {
      await h.page.waitForFunction(() => (window as any).__firstTask !== undefined);
      const first = (await h.page.evaluate(() => (window as any).__firstTask)) as string[];
      assert.deepEqual(first.slice(0, 2), ['gh0:visible', 'gh1:visible'], first.join(' '));
      assert.ok(first.slice(2).every((c) => c.endsWith(':auto')), `below the viewport: ${first.join(' ')}`);
      // After the first frame every card is an ordinary one: skipped while far from view.
      await h.page.waitForFunction(() => document.querySelectorAll('.card--first').length === 0);
      assert.equal(await h.page.locator('[data-account-id="gh0"][data-testid="account-card"]').evaluate((e: any) => getComputedStyle(e).contentVisibility), 'auto');
      const asked = new Set((await requests(h)).map((m) => m.accountId as string));
      assert.ok(asked.has('gh0') && !asked.has('gh11'), `asked: ${[...asked].join(', ')}`);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('a countdown gets its absolute time as a tooltip: not during the render, on pointerover at once, for all when idle', async () => {
    const expected = (at: number) => h.page.evaluate((t: number) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(t), at);
    const h = await srv.open();
    try {
      const sel = '[data-meter-id="premium"] [data-testid="meter-reset"]';
      // In the render's own task, no countdown has a title yet (formatting would build the first Intl object).
      const duringRender = await h.page.evaluate(
        ({ s, sel }: { s: unknown; sel: string }) => {
          window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state: s } }));
          return { titled: document.querySelectorAll('[data-tick][title]').length, reset: document.querySelector(sel)?.getAttribute('title') ?? null };
        },
        { s: state(), sel },
      );
      assert.deepEqual(duringRender, { titled: 0, reset: null });
      const reset = h.page.locator(sel);
      await reset.hover();
      assert.equal(await reset.getAttribute('title'), await expected(NOW + 11 * DAY));
      // Once idle, every countdown has one (a screen reader gets it as the description, without hovering).
      await h.page.waitForFunction(() => document.querySelectorAll('[data-tick][data-at]:not([title])').length === 0, undefined, { timeout: 10_000 });
      assert.ok((await h.page.locator('[data-tick][data-at][title]').count()) >= 2);
    } finally {
      await h.page.close();
    }
  });


  test('cards far below the viewport are placeholders in the first render, built from the latest state when idle', async () => {
    const many = manyAccounts(12);
    const renamed = structuredClone(many);
    renamed.accounts[11]!.name = 'Copilot eleven';
    const h = await srv.open({ viewport: { width: 420, height: 500 } });
    try {
      // Two states in one task: the placeholders are built later, from the second.
      const first = await h.page.evaluate(
        (states: unknown[]) => {
          for (const s of states) window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state: s } }));
          const ids = (sel: string) => [...document.querySelectorAll(sel)].map((e: any) => e.dataset.accountId);
          const pending = document.querySelector('.cards [data-account-id="gh11"]');
          return {
            built: ids('[data-testid="account-card"]'),
            pending: ids('[data-testid="account-card-pending"]'),
            order: ids('.cards > article'),
            heading: pending?.querySelector('h2')?.textContent,
            labelled: pending?.getAttribute('aria-labelledby') === pending?.querySelector('h2')?.id,
            height: pending ? getComputedStyle(pending).minBlockSize : '',
          };
        },
        [many, renamed],
      );
      assert.ok(first.built.length >= 1 && first.built[0] === 'gh0', `built at once: ${first.built.join(', ')}`);
      assert.ok(first.pending.includes('gh11'), `placeholders: ${first.pending.join(', ')}`);
      assert.deepEqual(first.order, many.accounts.map((a) => a.id), 'placeholders hold their place');
      assert.equal(first.heading, 'Copilot eleven');
      assert.ok(first.labelled, 'a placeholder is named by its heading');
      assert.equal(first.height, '1000px', 'as tall as the card is estimated (3 meters)');
      await h.page.waitForFunction(() => document.querySelectorAll('[data-testid="account-card-pending"]').length === 0, undefined, { timeout: 5000 });
      const after = await h.page.evaluate(() => [...document.querySelectorAll('.cards > article')].map((e: any) => `${e.dataset.testid}:${e.dataset.accountId}`));
      assert.deepEqual(after, many.accounts.map((a) => `account-card:${a.id}`));
      assert.equal(await h.page.locator('[data-account-id="gh11"] .account-name').textContent(), 'Copilot eleven');
      // A built far card's charts wait for the viewport like any other.
      assert.equal(await h.page.locator('[data-account-id="gh11"] [data-testid="meter-chart"]').first().getAttribute('data-state'), 'deferred');
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  // ---------- what the chart draws: extents, forecast, resets, gaps, units, limits (series from the real host code) ----------

  /** Opens a page, shows the chart of `premium` at `range` and answers it with `s` (its range set to the requested one). */
  async function showSeries(s: ChartSeries | ((width: number) => Promise<ChartSeries>), range: HistoryRange = '30d', st: DashboardState = state()): Promise<Harness> {
    const h = await srv.open();
    await h.send({ type: 'state', state: st });
    if (range !== '30d') {
      await lastRequest(h);
      await h.clearPosted();
      await premiumHistory(h).locator(`[data-testid="range-${range}"]`).click();
    }
    const r = await lastRequest(h);
    assert.equal(r.range, range);
    const answerWith = typeof s === 'function' ? await s(r.width) : s;
    await answer(h, r.requestId, { ...answerWith, range });
    await h.page.waitForSelector(`${chartSel}[data-state="drawn"]`);
    return h;
  }

  /**
   * The plot area of the chart's canvas: per plot column (0 … width−1), how many pixels are the line's blue; and at
   * each of `at` (fractions of the plot's width), the rows with the limit's red.
   */
  function scan(h: Harness, at: number[] = []): Promise<{ top: number; width: number; height: number; blueByCol: number[]; redRowsAt: number[][] }> {
    return h.page.evaluate(
      ({ sel, at }: { sel: string; at: number[] }) => {
        const box = document.querySelector(sel);
        const canvas = box.querySelector('canvas');
        const over = box.querySelector('.u-over');
        const dpr = canvas.width / canvas.clientWidth;
        const [left, top, width, height] = [over.offsetLeft, over.offsetTop, over.offsetWidth, over.offsetHeight].map((v: number) => Math.round(v * dpr));
        const d = canvas.getContext('2d').getImageData(left, top, width, height).data;
        const px = (x: number, y: number) => d.subarray((y * width + x) * 4, (y * width + x) * 4 + 3);
        const blueByCol: number[] = [];
        for (let x = 0; x < width; x++) {
          let n = 0;
          for (let y = 0; y < height; y++) {
            const [r, g, b] = px(x, y);
            if (r < 60 && g > 50 && g < 130 && b > 150) n++;
          }
          blueByCol.push(n);
        }
        const redRowsAt = at.map((f) => {
          const x = Math.min(width - 1, Math.round(f * width));
          const rows: number[] = [];
          for (let y = 0; y < height; y++) {
            const [r, g, b] = px(x, y);
            if (r > 180 && g < 60 && b < 60) rows.push(y + top);
          }
          return rows;
        });
        return { top, width, height, blueByCol, redRowsAt };
      },
      { sel: chartSel, at },
    );
  }

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const premiumHistory = (h: Harness) => h.page.locator('[data-testid="meter-history"][data-meter-id="premium"]');
  /** Presses `key` (the chart has focus) and returns what the chart's live region reads out. */
  async function readout(h: Harness, key: string): Promise<string> {
    await h.page.keyboard.press(key);
    return (await premiumHistory(h).locator('[aria-live="polite"]').textContent()) ?? '';
  }
  /** Opens "Show as table" and returns its rows' texts once there are `n` (it is built on the toggle event). */
  async function tableRows(h: Harness, n: number): Promise<string[]> {
    const details = premiumHistory(h).locator('[data-testid="chart-table"]');
    await details.locator('summary').click();
    await details.locator('vscode-table-body > vscode-table-row').nth(n - 1).waitFor();
    return details.locator('vscode-table-body > vscode-table-row').allTextContents();
  }
  /** First and last plot column with any blue, as fractions of the plot's width. */
  function blueExtent(s: { width: number; blueByCol: number[] }): [number, number] {
    const cols = s.blueByCol.flatMap((n, x) => (n > 0 ? [x] : []));
    return [cols[0]! / s.width, cols[cols.length - 1]! / s.width];
  }
  async function xExtent(h: Harness): Promise<[number, number]> {
    const c = h.page.locator(chartSel);
    return [Number(await c.getAttribute('data-x-min')), Number(await c.getAttribute('data-x-max'))];
  }

  /** A series over `range` ending now (the host's shape), with limit 1500 on every point. */
  function plain(points: Array<[number, number]>, extra: Partial<ChartSeries> = {}): ChartSeries {
    return { ...series(0), points: points.map(([t, v]) => [t, v, 1500]), resets: [], forecast: undefined, ...extra } as ChartSeries;
  }

  const premium = (input: Partial<MeterInput> = {}) => meter({ id: 'premium', label: 'Premium requests', capturedAt: NOW, used: 700, limit: 1500, ...input });
  /** The host's answer (Insights.series over the real store downsampling) for `points` of the premium meter. */
  function hostSeries(points: HistoryPoint[], range: HistoryRange, m: Meter = premium()): (width: number) => Promise<ChartSeries> {
    const reader = { query: async (_a: string, _m: string, f: number, t: number, max: number) => hostDownsample(points.filter((p) => p.t >= f && p.t <= t), max, f, t) };
    return async (width) => (await new Insights(reader, () => 'copilot', () => NOW, { warn: () => undefined }).series('gh', m, range, width))!;
  }

  test('the x axis spans the range up to now: not pushed back by resets, not ended at the last reading', async () => {
    // Readings every 2 hours from 20 to 8 days ago (polling stopped since), a reset every day in between.
    const pts: Array<[number, number]> = [];
    for (let t = NOW - 20 * DAY; t <= NOW - 8 * DAY; t += 2 * HOUR) pts.push([t, ((t % DAY) / DAY) * 1000]);
    const resets: number[] = [];
    for (let t = NOW - 19.5 * DAY; t < NOW - 8 * DAY; t += DAY) resets.push(t);
    for (const range of ['30d', '90d', '1y'] as const) {
      const h = await showSeries(plain(pts, { resets, from: NOW - RANGE_MS[range] }), range);
      try {
        const [first, last] = blueExtent(await scan(h));
        const at = (t: number) => (t - (NOW - RANGE_MS[range])) / RANGE_MS[range];
        assert.ok(Math.abs(first - at(NOW - 20 * DAY)) < 0.02, `${range}: line starts at ${first}, expected ${at(NOW - 20 * DAY)}`);
        assert.ok(Math.abs(last - at(NOW - 8 * DAY)) < 0.02, `${range}: line ends at ${last}, expected ${at(NOW - 8 * DAY)} (the 8 days since are empty)`);
        assert.deepEqual(await xExtent(h), [NOW - RANGE_MS[range], NOW], range);
      } finally {
        await h.page.close();
      }
    }
  });

  test('a forecast to a reset far away gets a third of the range past now: clipped there, its true end in the readout and the table', async () => {
    // 24 hours of readings; the reset is 11 days out.
    const pts: Array<[number, number]> = [];
    for (let i = 0; i <= 24; i++) pts.push([NOW - (24 - i) * HOUR, 400 + i * 4]);
    const h = await showSeries(plain(pts, { range: '24h', from: NOW - DAY, forecast: [pts[24]!, [NOW + 11 * DAY, 1450]], forecastEnd: 'reset' }), '24h');
    try {
      const chart = h.page.locator(chartSel);
      // The measured day fills three quarters of the plot (it was squeezed into its first pixels), the dashed forecast
      // the rest.
      const s = await scan(h);
      const [first, last] = blueExtent(s);
      assert.ok(first < 0.02 && last > 0.97, `blue from ${first} to ${last}: the dashed forecast reaches the edge`);
      const solid = s.blueByCol.slice(0, Math.round(s.width * 0.74));
      assert.ok(solid.every((n) => n > 0), 'the measured line is unbroken across three quarters of the plot');
      assert.deepEqual(await xExtent(h), [NOW - DAY, NOW + 8 * HOUR]);
      assert.equal(await chart.getAttribute('data-forecast-points'), '1');
      await chart.focus();
      // 496 + (1450 − 496) × 8 h / 264 h = 524.91
      assert.equal(await readout(h, 'End'), 'Jun 20, 2025, 8:00 PM: 524.91 requests (projected; 1,450 requests at the reset, Jul 1, 2025, 12:00 PM)');
      assert.equal(await readout(h, 'ArrowLeft'), 'Jun 20, 2025, 12:00 PM: 496 requests of 1,500 requests');
      const rows = await tableRows(h, 26);
      assert.equal(rows.length, 26);
      assert.match(rows[25]!, /^Jul 1, 2025, 12:00 PM\s*1,450 requests\s*projected, at the reset$/);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('a daily meter over a year is drawn unbroken (no break or marker per reset); over 30 days each reset breaks the line', async () => {
    // Hourly readings for a year of a meter that resets every day at midnight UTC, answered by the real host code.
    const pts: HistoryPoint[] = [];
    for (let t = NOW - 365 * DAY; t <= NOW; t += HOUR) {
      const day = Math.floor(t / DAY) * DAY;
      pts.push({ t, used: Math.round(((t - day) / DAY) * 1400), limit: 1500, resetsAt: day + DAY });
    }
    const blue: Record<string, number> = {};
    const attrs: Record<string, Record<string, string | null>> = {};
    for (const range of ['30d', '1y'] as const) {
      const h = await showSeries(hostSeries(pts, range), range);
      try {
        const s = await scan(h);
        blue[range] = sum(s.blueByCol);
        const [first, last] = blueExtent(s);
        assert.ok(first < 0.01 && last > 0.99, `${range}: blue from ${first} to ${last}`);
        const chart = h.page.locator(chartSel);
        attrs[range] = {};
        for (const a of ['resets', 'reset-markers', 'breaks', 'isolated']) attrs[range]![a] = await chart.getAttribute(`data-${a}`);
      } finally {
        await h.page.close();
      }
    }
    // Before, the year's line was mostly isolated invisible points: 3 % of the 30-day chart's blue.
    assert.ok(blue['1y']! > blue['30d']! / 2, `blue pixels: ${JSON.stringify(blue)}`);
    const resets = Number(attrs['1y']!.resets);
    assert.ok(resets > 100, `${resets} resets in a year (those the downsampled points still name)`);
    assert.deepEqual(attrs['1y'], { resets: String(resets), 'reset-markers': '0', breaks: '0', isolated: '0' });
    const month = attrs['30d']!.resets;
    assert.ok(Number(month) >= 29, `${month} resets in 30 days`);
    assert.deepEqual(attrs['30d'], { resets: month, 'reset-markers': month, breaks: month, isolated: '0' });
  });

  test('a single reading is drawn (a dot), so is a reading between two breaks', async () => {
    let h = await showSeries(plain([[NOW - HOUR, 500]]));
    try {
      const s = await scan(h);
      const [first, last] = blueExtent(s);
      assert.ok(sum(s.blueByCol) >= 6 && last - first < 0.03 && last > 0.97, `a dot at the right edge: ${sum(s.blueByCol)} px from ${first} to ${last}`);
      const chart = h.page.locator(chartSel);
      assert.equal(await chart.getAttribute('data-points'), '1');
      assert.equal(await chart.getAttribute('data-isolated'), '1');
    } finally {
      await h.page.close();
    }
    // Resets on both sides of the middle reading.
    h = await showSeries(plain([[NOW - 20 * DAY, 100], [NOW - 15 * DAY, 900], [NOW - 10 * DAY, 300]], { resets: [NOW - 17 * DAY, NOW - 12 * DAY] }));
    try {
      const s = await scan(h);
      for (const t of [NOW - 20 * DAY, NOW - 15 * DAY, NOW - 10 * DAY]) {
        const x = Math.round(((t - (NOW - 30 * DAY)) / (30 * DAY)) * s.width);
        assert.ok(sum(s.blueByCol.slice(x - 3, x + 4)) >= 6, `a dot at ${new Date(t).toISOString()}`);
      }
      assert.equal(await h.page.locator(chartSel).getAttribute('data-isolated'), '3');
    } finally {
      await h.page.close();
    }
  });

  test('a stored reading and the current one seconds apart are drawn as dots, not as an invisible line', async () => {
    // A new account: its first poll stored, a second poll a few seconds later with the same value (not stored).
    const h = await showSeries({ ...plain([[NOW - 30_000, 445]]), currentReading: true, points: [[NOW - 30_000, 445, 1500], [NOW - 5_000, 445, 1500]] });
    try {
      const s = await scan(h);
      const [, last] = blueExtent(s);
      assert.ok(sum(s.blueByCol) >= 6 && last > 0.97, `a dot at the right edge: ${sum(s.blueByCol)} px`);
      const chart = h.page.locator(chartSel);
      assert.equal(await chart.getAttribute('data-points'), '2');
      assert.equal(await chart.getAttribute('data-isolated'), '2');
    } finally {
      await h.page.close();
    }
  });

  test('a gap in polling breaks the line: nothing is drawn where nothing was read', async () => {
    const pts: HistoryPoint[] = [];
    for (let i = 0; i <= 48; i++) pts.push({ t: NOW - 30 * DAY + i * HOUR, used: 100 + i, limit: 1500 });
    for (let i = 0; i <= 48; i++) pts.push({ t: NOW - 10 * DAY + i * HOUR, used: 900 + i, limit: 1500 });
    const h = await showSeries(hostSeries(pts, '30d', premium({ capturedAt: NOW - 8 * DAY, used: 948 })));
    try {
      const s = await scan(h, [0.2, 0.5, 0.7]);
      const col = (t: number) => Math.round(((t - (NOW - 30 * DAY)) / (30 * DAY)) * s.width);
      assert.ok(sum(s.blueByCol.slice(col(NOW - 30 * DAY), col(NOW - 28 * DAY))) > 0, 'the first two days are drawn');
      assert.equal(sum(s.blueByCol.slice(col(NOW - 27.5 * DAY), col(NOW - 10.5 * DAY))), 0, 'no line across the 18 days with no reading');
      assert.ok(sum(s.blueByCol.slice(col(NOW - 10 * DAY), col(NOW - 8 * DAY))) > 0, 'the last two days are drawn');
      assert.deepEqual(s.redRowsAt.slice(0, 2), [[], []], 'nor the limit: it is unknown there too');
      assert.notDeepEqual(s.redRowsAt[2], [], 'the limit is drawn again from the first reading after the gap');
      const chart = h.page.locator(chartSel);
      assert.equal(await chart.getAttribute('data-gaps'), '1');
      assert.equal(await chart.getAttribute('data-breaks'), '1');
      assert.match((await premiumHistory(h).locator('[data-testid="chart-summary"]').textContent()) ?? '', /1 gap with no readings/);
    } finally {
      await h.page.close();
    }
  });

  test("values are read out in the series' unit (a percentage), not the card meter's; the current reading is marked", async () => {
    const points: ChartPoint[] = [[NOW - 2 * HOUR, 40, 100], [NOW - HOUR, 45, 100], [NOW - 60_000, 45, 100]];
    const h = await showSeries({ ...plain([]), unit: '%', limit: 100, currentReading: true, points });
    try {
      const chart = h.page.locator(chartSel);
      await chart.focus();
      assert.equal(await readout(h, 'Home'), 'Jun 20, 2025, 10:00 AM: 40% of 100%');
      assert.equal(await readout(h, 'End'), 'Jun 20, 2025, 11:59 AM: 45% of 100% (now)');
      assert.equal(await chart.getAttribute('data-current-reading'), 'true');
      assert.deepEqual(
        (await tableRows(h, 3)).map((t) => t.replace(/^.*?(AM|PM)/, '')),
        ['40%measured', '45%measured', '45%measured (now)'],
      );
    } finally {
      await h.page.close();
    }
  });

  test('the limit line steps where the plan changed instead of drawing today\'s limit across the whole range', async () => {
    const pts: ChartPoint[] = [];
    for (let i = 0; i < 120; i++) pts.push([NOW - 30 * DAY + i * 6 * HOUR, 200 + i * 5, i < 60 ? 1000 : 1500]);
    const h = await showSeries({ ...plain([]), points: pts });
    try {
      const s = await scan(h, [0.25, 0.75]);
      const [before, after] = s.redRowsAt as [number[], number[]];
      const limitRow = Number(await h.page.locator(chartSel).getAttribute('data-limit-row'));
      assert.ok(after.includes(limitRow), `the current limit (1,500) at ${limitRow}: ${after.join(',')}`);
      assert.ok(before.length > 0 && !before.includes(limitRow), `the earlier limit (1,000) below it: ${before.join(',')}`);
      // The y axis runs from 0 to 1,500 × 1.08 (the highest limit and a margin).
      const row = (v: number) => s.top + (1 - v / 1620) * s.height;
      assert.ok(Math.abs(limitRow - row(1500)) <= 1.5, `1,500 at ${limitRow}, expected ${row(1500)}`);
      assert.ok(Math.abs(before[0]! - row(1000)) <= 1.5, `1,000 at ${before[0]}, expected ${row(1000)}`);
    } finally {
      await h.page.close();
    }
  });

  test('the chosen range is kept in the webview state: a page built again (shown again, reloaded) starts with it', async () => {
    let h = await srv.open({ persisted: { version: 1, scrollY: 0 } });
    let saved: any;
    try {
      await h.send({ type: 'state', state: state() });
      await lastRequest(h);
      await premiumHistory(h).locator('[data-testid="range-7d"]').click();
      saved = await h.page.evaluate(() => (window as any).__state);
      assert.deepEqual(saved, { version: 1, scrollY: 0, ranges: { 'gh\u0000premium': '7d' } });
    } finally {
      await h.page.close();
    }
    h = await srv.open({ persisted: saved });
    try {
      await h.send({ type: 'state', state: state() });
      assert.equal((await lastRequest(h)).range, '7d');
      assert.equal((await lastRequest(h, 'other')).range, '30d');
      const history = premiumHistory(h);
      assert.equal(await history.locator('[data-testid="range-7d"]').getAttribute('aria-pressed'), 'true');
      assert.equal(await history.locator('[data-testid="range-30d"]').getAttribute('aria-pressed'), 'false');
      // Back to the default: nothing to remember.
      await history.locator('[data-testid="range-30d"]').click();
      assert.deepEqual(await h.page.evaluate(() => (window as any).__state), { version: 1, scrollY: 0 });
    } finally {
      await h.page.close();
    }
    // A malformed saved range is ignored.
    h = await srv.open({ persisted: { version: 1, ranges: { 'gh\u0000premium': '2w', 'gh\u0000other': '90d' } } });
    try {
      await h.send({ type: 'state', state: state() });
      assert.equal((await lastRequest(h)).range, '30d');
      assert.equal((await lastRequest(h, 'other')).range, '90d');
    } finally {
      await h.page.close();
    }
  });

  test('month-progress marker: a percent-only meter, an over-limit meter, and none on a balance', async () => {
    const st = state();
    const acct = st.accounts[0]!;
    acct.snapshot!.meters = [
      meter({ id: 'five-hour', label: '5-hour session', unit: '%', percentUsed: 40, resetsAt: NOW + 3 * HOUR }),
      meter({ id: 'over', label: 'Over quota', used: 1650, limit: 1500, resetsAt: NOW + 15 * DAY }),
      meter({ id: 'credits', label: 'Credits', kind: 'balance', unit: 'USD', remaining: 12.5 }),
    ];
    acct.pace = {
      'five-hour': { status: 'ok', basis: 'percent', elapsedFraction: 0.4, usedFraction: 0.4, text: 'On pace: 40% used, 40% of the 5-hour window gone' },
      over: { status: 'ok', basis: 'units', elapsedFraction: 0.5, usedFraction: 1.1, overLimit: true, text: 'Over the limit: 110% used' },
      credits: { status: 'ok', basis: 'balance', elapsedFraction: 0.25, text: 'At this pace $12.50 lasts until Jun 23' },
    };
    const h = await srv.open();
    try {
      await h.send({ type: 'state', state: st });
      const geo = (id: string) =>
        h.page.locator(`[data-testid="meter"][data-meter-id="${id}"] [data-testid="gauge-elapsed"]`).evaluate((m: any) => (m.getBoundingClientRect().left + 1 - m.parentElement.getBoundingClientRect().left) / m.parentElement.getBoundingClientRect().width);
      const gauge = (id: string) => h.page.locator(`[data-testid="meter"][data-meter-id="${id}"] [data-testid="meter-gauge"]`);
      assert.ok(Math.abs((await geo('five-hour')) - 0.4) < 0.01);
      assert.equal(await gauge('five-hour').getAttribute('aria-valuetext'), '40% used, 40% of the window elapsed');
      // Over the limit: the bar is full, the marker still where the window is.
      assert.ok(Math.abs((await geo('over')) - 0.5) < 0.01);
      assert.equal(await gauge('over').getAttribute('aria-valuemax'), '110');
      assert.equal(await gauge('over').getAttribute('aria-valuetext'), '110% used, 50% of the window elapsed');
      const fill = await gauge('over').locator('.gauge-fill').evaluate((f: any) => f.getBoundingClientRect().width / f.parentElement.getBoundingClientRect().width);
      assert.ok(Math.abs(fill - 1) < 0.01, `fill ${fill}`);
      // A balance has no share used: its gauge is unknown, with no marker (a window's progress means nothing on it).
      assert.equal(await h.page.locator('[data-testid="meter"][data-meter-id="credits"] [data-testid="gauge-elapsed"]').count(), 0);
      assert.equal(await gauge('credits').getAttribute('aria-label'), 'Credits: usage unknown');
    } finally {
      await h.page.close();
    }
  });
});
