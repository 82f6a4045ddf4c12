// The "Local agents" dashboard section in Chromium under the real CSP (see webviewHarness.ts), fed with a view built
// by the real buildUsageView from fixed rows. Skips only when /usr/bin/chromium is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { DashboardState, UsageView } from '../../src/shared/protocol';
import type { UsageRow } from '../../src/core/usage/types';
import type { HourRow } from '../../src/core/usage/usageIndex';
import { buildUsageView } from '../../src/core/usage/view';
import { CHROMIUM, startWebviewServer, type WebviewServer } from './webviewHarness';

declare const document: any;
declare const getComputedStyle: any;

const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: browser usage test skipped`;

const NOW = Date.UTC(2026, 2, 15, 14, 30);
const H = 3_600_000;
const utcDay = (ts: number) => new Date(ts).toISOString().slice(0, 10);
const XSS = '<img src=x onerror=alert(1)>';
const THEME_CSS = ':root{--vscode-charts-blue:rgb(0, 90, 200);--vscode-charts-orange:rgb(200, 120, 0);}';

function row(p: Partial<UsageRow> & Pick<UsageRow, 'day' | 'agent' | 'model'>): UsageRow {
  const ts = Date.parse(`${p.day}T10:00:00Z`);
  return {
    cwd: '/w/app', sessionId: 's1', inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0,
    reasoningTokens: 0, webSearchRequests: 0, requests: 1, fastRequests: 0, loggedCostUSD: 0, loggedCostRequests: 0, costUSD: 0,
    unpricedRequests: 0, fallbackModelRequests: 0, tools: {}, firstTs: ts, lastTs: ts + 60_000, ...p,
  };
}

function usage(): UsageView {
  const rows = [
    row({ day: '2026-03-15', agent: 'claude-code', model: 'claude-sonnet-4-5', sessionId: 'c1', inputTokens: 1000, outputTokens: 500, cacheReadTokens: 1_200_000, requests: 4, costUSD: 3.21, tools: { Bash: { count: 3, durationMs: 3000, timedCount: 2, errors: 1 } } }),
    row({ day: '2026-03-14', agent: 'claude-code', model: 'claude-opus-4-1', sessionId: 'c2', inputTokens: 100, outputTokens: 100, requests: 1, costUSD: 6.42 }),
    row({ day: '2026-03-15', agent: 'codex', model: 'gpt-unknown', sessionId: 'x1', cwd: `/w/${XSS}`, inputTokens: 7000, outputTokens: 3000, requests: 2, unpricedRequests: 2 }),
    row({ day: '2026-03-02', agent: 'claude-code', model: 'claude-sonnet-4-5', sessionId: 'c3', inputTokens: 10_000, outputTokens: 5000, requests: 10, costUSD: 35.47 }),
  ];
  const start = Date.UTC(2026, 2, 15, 12);
  const hours: HourRow[] = [
    { hour: start, agent: 'claude-code', model: 'claude-sonnet-4-5', inputTokens: 6000, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, requests: 3, costUSD: 1.2, loggedCostUSD: 0, unpricedRequests: 0, firstTs: start + 600_000, lastTs: start + 2 * H },
  ];
  return buildUsageView({
    rows, hours, now: NOW, dayOf: utcDay, workspaceFolders: ['/w/app'],
    planWindows: [{ agent: 'codex', home: '/h/.codex', windows: [{ name: 'primary', usedPercent: 42, windowMinutes: 300, resetsAt: NOW + 2 * H, observedAt: NOW - 60_000 }] }],
  });
}

function state(u: UsageView | undefined, withAccount = true): DashboardState {
  return {
    now: NOW,
    thresholds: { warning: 80, error: 95 },
    accounts: withAccount
      ? [{ id: 'gh', name: 'Copilot', providerId: 'copilot', providerName: 'GitHub Copilot', icon: 'copilot', authKind: 'github-session', loading: false }]
      : [],
    ...(u ? { usage: u } : {}),
  };
}

describe('dashboard: local agents section', { skip }, () => {
  let srv: WebviewServer;
  before(async () => {
    srv = await startWebviewServer({ themeCss: THEME_CSS });
  });
  after(async () => {
    await srv?.close();
  });

  test('totals, agents, charts, tables and cards render from the view; unpriced stays unpriced', async () => {
    const h = await srv.open();
    try {
      const u = usage();
      await h.send({ type: 'state', state: state(u) });
      const p = h.page;
      const text = (id: string) => p.locator(`[data-testid="${id}"]`).first().textContent();
      assert.equal(await p.locator('[data-testid="usage-section"]').count(), 1);
      assert.equal(await p.locator('[data-testid="account-card"]').count(), 1, 'the account cards are untouched');
      assert.equal(await text('usage-today-cost'), '$3.21', 'priced part of today; the unpriced Codex requests are noted, not $0');
      assert.equal(await text('usage-today-tokens'), '1.2M tokens · 6 requests');
      assert.equal(await text('usage-month-cost'), '$45.10');
      assert.equal(await text('usage-workspace-cost'), '$45.10');
      assert.match((await p.locator('.usage-tile').first().textContent()) ?? '', /2 unpriced requests not included/);

      // Per agent: Codex today is unpriced, never $0.
      const codexRow = p.locator('[data-testid="usage-agents"] tr[data-agent="codex"]');
      assert.match((await codexRow.textContent()) ?? '', /unpriced/);
      assert.doesNotMatch((await codexRow.textContent()) ?? '', /\$0\.00/);

      // Daily stacked bars: 30 columns, the tallest stack fills the plot, theme colours per model.
      const bars = await p.evaluate(() => {
        const fig = document.querySelector('[data-testid="usage-daily-cost"]');
        const cols = [...fig.querySelectorAll('.ubar')];
        const plot = fig.querySelector('.ubars').getBoundingClientRect().height;
        const stacks = cols.map((c: any) => c.querySelector('.ubar-stack').getBoundingClientRect().height);
        const seg0 = fig.querySelector('.useg--0');
        return { n: cols.length, plot, max: Math.max(...stacks), seg0: seg0 ? getComputedStyle(seg0).backgroundColor : '', unpriced: fig.querySelectorAll('.ubar--unpriced').length, legend: [...fig.querySelectorAll('.ulegend li')].map((l: any) => l.textContent) };
      });
      assert.equal(bars.n, 30);
      assert.ok(Math.abs(bars.max - bars.plot) <= 1.5, `tallest stack ${bars.max} of ${bars.plot}`);
      assert.equal(bars.seg0, 'rgb(0, 90, 200)');
      assert.equal(bars.unpriced, 0, 'today is partly priced');
      assert.deepEqual(bars.legend, ['claude-sonnet-4-5', 'claude-opus-4-1', 'gpt-unknown']);
      const img = p.locator('[data-testid="usage-daily-cost"] [role="img"]');
      assert.match((await img.getAttribute('aria-label')) ?? '', /^Daily cost by model, 30 days from .+: total \$45\.10, highest day \$35\.47\.$/);
      assert.equal(await p.locator('[data-testid="usage-daily-tokens"] .ubar').count(), 30);
      // Table alternative: one row per day with usage.
      assert.equal(await p.locator('[data-testid="usage-daily-cost-table"] tbody tr').count(), 3);

      // Tables.
      assert.equal(await p.locator('[data-testid="usage-sessions"] tbody tr').count(), 4);
      const firstSession = await p.locator('[data-testid="usage-sessions"] tbody tr').first().textContent();
      assert.match(firstSession ?? '', /^app.*Claude Code.*claude-sonnet-4-5.*15k.*\$35\.47/);
      assert.equal(await p.locator('[data-testid="usage-workspaces"] tbody tr').count(), 2);
      assert.match((await p.locator('[data-testid="usage-workspaces"] tbody tr').first().textContent()) ?? '', /app \(this workspace\)/);
      const tool = await p.locator('[data-testid="usage-tools"] tbody tr').first().evaluate((r: any) => [...r.children].map((c: any) => c.textContent));
      assert.deepEqual(tool, ['Bash', '3', '1.5 s', '1']);

      // A folder name from a log is text, never markup.
      assert.equal(await p.locator('[data-testid="usage-section"] img').count(), 0);
      assert.equal(await p.locator(`[data-testid="usage-workspaces"] th[title="/w/${XSS}"]`).count(), 1);

      // 5-hour block and Codex plan window cards.
      const gauge = p.locator('[data-testid="usage-blocks"] [role="meter"]');
      assert.equal(await gauge.getAttribute('aria-valuenow'), '50');
      assert.match((await p.locator('[data-testid="usage-block-current"]').textContent()) ?? '', /6k tokens · \$1\.20 · 3 requests/);
      assert.match((await p.locator('[data-testid="usage-block-current"]').textContent()) ?? '', /resets in 2h (29|30)m/);
      assert.match((await p.locator('[data-testid="usage-plan-windows"]').textContent()) ?? '', /Codex 5-hour limit42%/);
      // Today's current block has no date; earlier blocks carry theirs, both days when they cross midnight.
      assert.match((await p.locator('[data-testid="usage-block-current"] .meter-label').textContent()) ?? '', /^Current block \d\d:\d\d [AP]M–\d\d:\d\d [AP]M$/);
      const u0 = usage();
      const earlier = (start: number) => ({ ...u0.blocks.current!, active: false, start, end: start + 5 * H, firstTs: start, lastTs: start + H });
      await h.send({ type: 'state', state: state({ ...u0, blocks: { ...u0.blocks, recent: [earlier(NOW - 20 * H), earlier(NOW - 17 * H)] } }) });
      const recent = p.locator('[data-testid="usage-blocks-recent"] tbody th');
      await recent.nth(1).waitFor();
      assert.deepEqual(await recent.allTextContents(), ['Mar 14 06:30 PM–11:30 PM', 'Mar 14 09:30 PM – Mar 15 02:30 AM']);

      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('hidden without usage, empty note when only folders exist, malformed views dropped, open tables kept', async () => {
    const h = await srv.open();
    try {
      const p = h.page;
      await h.send({ type: 'state', state: state(undefined) });
      assert.equal(await p.locator('[data-testid="usage-section"]').count(), 0);

      const none = buildUsageView({ rows: [], now: NOW, dayOf: utcDay });
      await h.send({ type: 'state', state: state(none) });
      assert.equal(await p.locator('[data-testid="usage-section"]').count(), 0, 'no usage and no agent folder: hidden');

      const foldersOnly = buildUsageView({ rows: [], now: NOW, dayOf: utcDay, foundAgents: ['claude-code'] });
      await h.send({ type: 'state', state: state(foldersOnly, false) });
      assert.equal(await p.locator('[data-testid="usage-empty"]').count(), 1);
      assert.equal(await p.locator('[data-testid="empty-state"]').count(), 1, 'the no-accounts state still shows');

      // A malformed usage view costs only the section.
      const bad = { ...usage(), totals: { today: { tokens: 'x' } } };
      await h.send({ type: 'state', state: { ...state(undefined), usage: bad } });
      assert.equal(await p.locator('[data-testid="usage-section"]').count(), 0);
      assert.equal(await p.locator('[data-testid="account-card"]').count(), 1);

      // An open "Show as table" survives an update that rebuilds the section.
      const u = usage();
      await h.send({ type: 'state', state: state(u) });
      await p.locator('[data-testid="usage-daily-cost"] details summary').click();
      const before = await p.locator('[data-testid="usage-section"]').elementHandle();
      await h.send({ type: 'state', state: state({ ...u, generatedAt: u.generatedAt + 60_000 }) });
      assert.equal(await p.locator('[data-testid="usage-daily-cost"] details').evaluate((d: any) => d.open), true);
      assert.equal(await before!.evaluate((el: any) => el.isConnected), false, 'rebuilt');
      // The same view again keeps the DOM node.
      const kept = await p.locator('[data-testid="usage-section"]').elementHandle();
      await h.send({ type: 'state', state: state({ ...u, generatedAt: u.generatedAt + 60_000 }) });
      assert.equal(await kept!.evaluate((el: any) => el.isConnected), true);

      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });
});
