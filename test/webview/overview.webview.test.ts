// The dashboard's layout: the overview strip (one line per account with its tightest meter, state and reset, picked
// by the host's state builder) and the cards' responsive grid. The browser parts run the real bundle in Chromium
// under the real CSP (webviewHarness.ts) and skip only when /usr/bin/chromium is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { makeMeter, type Meter, type MeterInput } from '../../src/shared/model';
import type { AppModel } from '../../src/core/appModel';
import type { AccountEntry } from '../../src/core/summary';
import type { DashboardAccount, DashboardState } from '../../src/shared/protocol';
import { buildDashboardState } from '../../src/ui/dashboard/state';
import { CHROMIUM, releaseUntilBuilt, startWebviewServer, type WebviewServer } from './webviewHarness';

declare const window: any;
declare const document: any;
declare const requestAnimationFrame: (cb: (t: number) => void) => number;

const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: browser layout test skipped`;
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const MIN = 60_000;

function meter(input: Partial<MeterInput> & Pick<MeterInput, 'id' | 'label'>): Meter {
  return makeMeter({ kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW - 2 * MIN, ...input });
}

function account(id: string, name: string, meters: Meter[], extra: Partial<DashboardAccount> = {}): DashboardAccount {
  return {
    id,
    name,
    providerId: 'copilot',
    providerName: 'GitHub Copilot',
    icon: 'copilot',
    authKind: 'github-session',
    loading: false,
    snapshot: { accountId: id, takenAt: NOW, lastSuccessAt: NOW, status: 'ok', meters },
    ...extra,
  };
}

function manyAccounts(n: number, metersEach: number): DashboardState {
  const accounts: DashboardAccount[] = [];
  for (let a = 0; a < n; a++) {
    const ms: Meter[] = [];
    for (let m = 0; m < metersEach; m++) ms.push(meter({ id: `m${m}`, label: `Meter ${m}`, used: (a * 37 + m * 211) % 1500, limit: 1500, resetsAt: NOW + (a + 1) * 60 * MIN }));
    accounts.push(account(`acct-${a}`, `Account ${a}`, ms));
  }
  return { now: NOW, thresholds: { warning: 80, error: 95 }, accounts };
}

describe('dashboard state: the overview strip’s meter', () => {
  test('buildDashboardState names each account’s tightest meter (mainMeter), none without meters', () => {
    const low = meter({ id: 'low', label: 'Low', used: 10, limit: 100 });
    const high = meter({ id: 'high', label: 'High', used: 90, limit: 100 });
    const unlimited = meter({ id: 'chat', label: 'Chat', unlimited: true });
    const entry = (id: string, meters: Meter[] | undefined): AccountEntry => ({
      account: { id, name: id, providerId: 'copilot', authKind: 'github-session' } as AccountEntry['account'],
      providerName: 'GitHub Copilot',
      icon: 'copilot',
      loading: false,
      intervalMs: 600_000,
      ...(meters ? { snapshot: { accountId: id, takenAt: NOW, status: 'ok' as const, meters } } : {}),
    });
    const model = { entries: () => [entry('a', [unlimited, low, high]), entry('b', []), entry('c', undefined)] } as unknown as AppModel;
    const state = buildDashboardState(model, { warning: 80, error: 95 });
    assert.deepEqual(
      state.accounts.map((a) => a.mainMeterId),
      ['high', undefined, undefined],
    );
    assert.equal('mainMeterId' in state.accounts[1]!, false, 'no key when there is no meter');
    assert.equal('headroom' in state, false, 'no headroom advice without two accounts for the same work');
  });

  test('buildDashboardState: headroom advice where two accounts can do the same work (fixed clock)', () => {
    const entry = (id: string, name: string, providerId: string, meters: Meter[]): AccountEntry => ({
      account: { id, name, providerId, authKind: 'api-key' } as AccountEntry['account'],
      providerName: providerId,
      icon: providerId,
      loading: false,
      intervalMs: 600_000,
      snapshot: { accountId: id, takenAt: NOW - MIN, lastSuccessAt: NOW - MIN, status: 'ok' as const, meters },
    });
    const plan = entry('p', 'Max plan', 'claude', [meter({ id: 'five-hour', label: '5-hour limit', unit: '%', percentUsed: 90, resetsAt: NOW + 60 * MIN })]);
    const api = entry('k', 'Work API', 'anthropic', [meter({ id: 'spend-month', label: 'Spent this month', kind: 'spend', unit: 'USD', used: 10, limit: 50 })]);
    const copilot = entry('c', 'Copilot', 'copilot', [meter({ id: 'premium', label: 'Premium', used: 10, limit: 300 })]);
    const state = buildDashboardState({ entries: () => [plan, api, copilot] } as unknown as AppModel, { warning: 80, error: 95 }, NOW);
    assert.equal(state.now, NOW);
    assert.deepEqual(state.headroom, [
      {
        kind: 'claude',
        label: 'Claude models',
        verdict: 'room',
        accountId: 'k',
        reason: '"Work API" (anthropic) has the most room for Claude models: "Spent this month" 20% used (no pace yet). Next: "Max plan" (claude): "5-hour limit" 90% used, resets in 1h (no pace yet).',
      },
    ]);
  });
});

describe('dashboard layout in Chromium: overview strip and card grid', { skip }, () => {
  let srv: WebviewServer;
  before(async () => {
    srv = await startWebviewServer();
  });
  after(async () => {
    await srv?.close();
  });

  test('overview: one row per account with the host’s tightest meter, its value, the state and the reset', async () => {
    const h = await srv.open();
    try {
      const a = account('a', 'Work', [meter({ id: 'chat', label: 'Chat', used: 10, limit: 100 }), meter({ id: 'premium', label: 'Premium requests', used: 1350, limit: 1500, resetsAt: NOW + 125 * MIN + 10_000 })], { mainMeterId: 'premium' });
      const b = account('b', 'Personal', [meter({ id: 'credits', label: 'Credits', used: 5, limit: 100 })]); // no pick: the first meter
      const c: DashboardAccount = { ...account('c', 'Expired', []), snapshot: { accountId: 'c', takenAt: NOW, status: 'auth-required', meters: [] } };
      const state: DashboardState = { now: NOW, thresholds: { warning: 80, error: 95 }, accounts: [a, b, c] };
      await h.send({ type: 'state', state });
      const rows = h.page.locator('[data-testid="overview-row"]');
      assert.deepEqual(await rows.evaluateAll((els: any[]) => els.map((e) => [e.dataset.accountName, e.dataset.overviewMeter ?? null, e.dataset.severity])), [
        ['Work', 'premium', 'warning'],
        ['Personal', 'credits', 'ok'],
        ['Expired', null, 'unknown'],
      ]);
      const work = rows.nth(0);
      assert.equal(await work.locator('.overview-label').textContent(), 'Premium requests');
      assert.equal(await work.locator('[data-testid="overview-value"]').textContent(), '90%');
      assert.equal(await work.locator('[data-testid="overview-status"]').textContent(), 'up to date');
      assert.equal(await work.locator('[data-testid="overview-reset"]').textContent(), 'resets in 2h 5m');
      // The same state wording as the card's badge (one source: STATUS_LABEL).
      assert.equal(await rows.nth(2).locator('[data-testid="overview-status"]').textContent(), await h.page.locator('[data-account-id="c"] [data-testid="account-status"]').textContent());
      // A table with row headers: each row is announced with its account.
      assert.deepEqual(await h.page.locator('[data-testid="overview"] thead th').allTextContents(), ['Account', 'Tightest meter', 'State', 'Reset']);
      assert.equal(await h.page.getByRole('region', { name: 'Overview' }).count(), 1);
      // The strip goes before the cards.
      assert.equal(await h.page.evaluate(() => !!(document.querySelector('[data-testid="overview"]').compareDocumentPosition(document.querySelector('.cards')) & 4)), true);
      // A new state replaces the rows (the pick and the value follow it); no accounts, no strip.
      await h.send({ type: 'state', state: { ...state, accounts: [{ ...a, mainMeterId: 'chat' }] } });
      assert.equal(await rows.count(), 1);
      assert.equal(await rows.nth(0).locator('[data-testid="overview-value"]').textContent(), '10%');
      await h.send({ type: 'state', state: { ...state, accounts: [] } });
      assert.equal(await h.page.locator('[data-testid="overview"]').count(), 0);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('overview: the headroom advice is a line under the table; malformed lines are dropped', async () => {
    const h = await srv.open();
    try {
      const a = account('a', 'Work', [meter({ id: 'premium', label: 'Premium requests', used: 10, limit: 100 })]);
      const reason = '"Work" (copilot) has the most room for coding-agent work (Codex, Copilot): "Premium requests" 10% used (no pace yet).';
      const headroom = [
        { kind: 'codex', label: 'coding-agent work (Codex, Copilot)', verdict: 'room', accountId: 'a', reason },
        { kind: 'claude', label: 'Claude models', verdict: 'bogus', reason: 'dropped' },
      ];
      await h.send({ type: 'state', state: { now: NOW, thresholds: { warning: 80, error: 95 }, accounts: [a], headroom } });
      const lines = h.page.locator('[data-testid="headroom-line"]');
      assert.equal(await lines.count(), 1);
      assert.equal(await lines.nth(0).textContent(), reason);
      assert.equal(await lines.nth(0).getAttribute('data-verdict'), 'room');
      // Inside the overview region, after the table.
      assert.equal(await h.page.locator('[data-testid="overview"] [data-testid="overview-headroom"]').count(), 1);
      assert.deepEqual(await h.allViolations(), []);
      await h.send({ type: 'state', state: { now: NOW, thresholds: { warning: 80, error: 95 }, accounts: [a] } });
      assert.equal(await lines.count(), 0);
    } finally {
      await h.page.close();
    }
  });

  test('overview: 20 accounts fit a 1000 × 800 panel before the cards; a row takes you to its card', async () => {
    // Idle callbacks wait until the test releases them: the cards far below stay placeholders until then.
    const h = await srv.open({ viewport: { width: 1000, height: 800 }, holdIdle: true });
    try {
      await h.send({ type: 'state', state: manyAccounts(20, 4) });
      const box = await h.page.locator('[data-testid="overview"]').boundingBox();
      assert.ok(box && box.y + box.height <= 800, `the strip ends within the first screen (bottom at ${box && box.y + box.height} px)`);
      assert.equal(await h.page.locator('[data-testid="overview-row"]').count(), 20);
      const heights = await h.page.locator('[data-testid="overview-row"]').evaluateAll((els: any[]) => els.map((e) => e.getBoundingClientRect().height));
      assert.ok(heights.every((x: number) => x <= 30), `one line per account (${heights.join(', ')})`);
      // Keyboard: the row's button (named by the account) scrolls to the card and focuses its refresh button. The
      // card is still a placeholder (far below, built when the page is idle): the jump builds it and the ones above it
      // first, so nothing built later moves it away from the top (CI under load: it ended 145 px above the panel).
      const jump = h.page.getByRole('button', { name: 'Account 17', exact: true });
      await jump.focus();
      assert.equal(await h.page.locator('.cards > [data-account-id="acct-17"]').getAttribute('data-testid'), 'account-card-pending', 'a placeholder when the row is chosen');
      await h.page.keyboard.press('Enter');
      await h.page.waitForFunction(() => document.activeElement?.closest('[data-account-id]')?.dataset.accountId === 'acct-17');
      assert.equal(await h.page.evaluate(() => document.activeElement?.dataset.action), 'refresh', 'the built card’s refresh button has focus');
      // Every other placeholder built, and a frame drawn after it: the card has not moved.
      await releaseUntilBuilt(h);
      await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const top = await h.page.evaluate(() => document.querySelector('[data-account-id="acct-17"].card').getBoundingClientRect().top);
      assert.ok(top >= 0 && top < 200, `the card is at the top of the panel (${top} px)`);
      assert.equal(await h.page.evaluate(() => document.activeElement?.closest('[data-account-id]')?.dataset.accountId), 'acct-17', 'focus stays on the card');
      // Focus on a row survives a new state.
      await jump.focus();
      await h.send({ type: 'state', state: manyAccounts(20, 4) });
      assert.equal(await h.page.evaluate(() => document.activeElement?.dataset.accountId), 'acct-17');
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('grid: a lone card uses the panel’s width with its meters side by side; many cards share the width in columns', async () => {
    const h = await srv.open({ viewport: { width: 1400, height: 900 } });
    try {
      await h.send({ type: 'state', state: manyAccounts(1, 4) });
      const widths = await h.page.evaluate(() => ({
        list: document.querySelector('.cards').getBoundingClientRect().width,
        card: document.querySelector('[data-testid="account-card"]').getBoundingClientRect().width,
        meterTops: [...document.querySelectorAll('[data-testid="meter"]')].map((m: any) => Math.round(m.getBoundingClientRect().top)),
      }));
      assert.ok(widths.card > widths.list * 0.95, `the card spans the panel (${widths.card} of ${widths.list} px)`);
      assert.equal(new Set(widths.meterTops).size, 1, `the four meters on one line (${widths.meterTops.join(', ')})`);

      await h.send({ type: 'state', state: manyAccounts(6, 2) });
      const lefts = await h.page.locator('[data-testid="account-card"]').evaluateAll((els: any[]) => els.map((e) => Math.round(e.getBoundingClientRect().left)));
      assert.ok(new Set(lefts).size >= 3, `cards in at least three columns at 1400 px (${lefts.join(', ')})`);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });
});
