// History charts and the month-progress marker, in Chromium under the real CSP (see webviewHarness.ts).
// Skips only when /usr/bin/chromium is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { makeMeter, type Meter, type MeterInput } from '../../../src/core/model';
import type { ChartSeries, DashboardAccount, DashboardState, HistoryRange } from '../../../src/shared/protocol';
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
  const points: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) points.push([start + (i * 30 * DAY) / n, Math.round((i / n) * 1000)]);
  return {
    accountId: 'gh',
    meterId: 'premium',
    label: 'Premium requests',
    unit: 'requests',
    range,
    points,
    limit: 1500,
    resets: [NOW - 19 * DAY],
    forecast: [
      [NOW, 1000],
      [NOW + 5 * DAY, 1200],
      [NOW + 11 * DAY, 1400],
    ],
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

      await answer(h, req.requestId, series(120));
      const chart = h.page.locator(chartSel);
      await h.page.waitForSelector(`${chartSel}[data-state="drawn"]`);
      assert.equal(await chart.getAttribute('data-points'), '120');
      assert.equal(await chart.getAttribute('data-forecast-points'), '3', 'forecast points after the last reading');
      assert.equal(await chart.getAttribute('data-resets'), '1');
      assert.equal(await chart.getAttribute('data-gaps'), '1', 'the line breaks at the reset');
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
      assert.equal(await details.locator('table').count(), 0, 'the table is built only when opened');
      await details.locator('summary').click();
      const rows = details.locator('tbody tr');
      // The table is built on the toggle event, after the click resolves: wait for it, then count.
      await rows.nth(122).waitFor();
      assert.equal(await rows.count(), 123);
      assert.equal(await details.locator('tbody tr.row--projected').count(), 3);
      assert.match((await rows.first().textContent()) ?? '', /0 requests\s*measured$/);

      // Keyboard: focus the chart, End reads the last (projected) point out; the tooltip shows the same.
      await chart.focus();
      await h.page.keyboard.press('End');
      const live = h.page.locator('[data-testid="meter-history"][data-meter-id="premium"] [aria-live="polite"]');
      assert.match((await live.textContent()) ?? '', /1,400 requests \(projected\)$/);
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
    // Twelve one-meter accounts in a short panel: the first cards are on screen, the last far below.
    const many = manyAccounts(12, 1);
    const h = await srv.open({ viewport: { width: 420, height: 500 } });
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
    // 12 one-meter cards at 420 × 500: one column, the first two estimated in view.
    const h = await srv.open({
      initialState: manyAccounts(12, 1),
      viewport: { width: 420, height: 500 },
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
          const pending = document.querySelector('[data-account-id="gh11"]');
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

});
