// Renders the real dashboard bundle in Chromium under the real CSP (from renderDashboardHtml), with a stubbed
// acquireVsCodeApi, and checks what a user and the e2e hooks see. Skips only when /usr/bin/chromium is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { makeMeter, type Meter, type MeterInput } from '../../src/shared/model';
import type { DashboardAccount, DashboardState } from '../../src/shared/protocol';
import { CHROMIUM, startWebviewServer, type WebviewServer } from './webviewHarness';

// The test tsconfig has no DOM lib; these are only touched inside page.evaluate callbacks.
declare const window: any;
declare const document: any;
declare const getComputedStyle: any;

const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: browser render test skipped`;

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const MIN = 60_000;
const XSS_NAME = '<img src=x onerror=alert(1)>';
const ERROR_MESSAGE = 'Server said <b>no</b> & "failed" (HTTP 503)';

function meter(input: Partial<MeterInput> & Pick<MeterInput, 'id' | 'label'>): Meter {
  return makeMeter({ kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW - 2 * MIN, ...input });
}

function account(id: string, name: string, extra: Partial<DashboardAccount> = {}): DashboardAccount {
  return { id, name, providerId: 'copilot', providerName: 'GitHub Copilot', icon: 'copilot', authKind: 'github-session', loading: false, ...extra };
}

function fixtureState(): DashboardState {
  return {
    now: NOW,
    thresholds: { warning: 80, error: 95 },
    accounts: [
      account('gh-ok', 'Copilot (work)', {
        nextPollAt: NOW + 4 * MIN,
        snapshot: {
          accountId: 'gh-ok',
          takenAt: NOW - 2 * MIN,
          lastSuccessAt: NOW - 2 * MIN,
          status: 'ok',
          plan: 'Copilot Business',
          identity: 'octocat',
          meters: [
            meter({ id: 'premium_interactions', label: 'Premium requests', used: 1065, limit: 1500, resetsAt: NOW + 125 * MIN + 10_000, detail: 'this month' }),
            meter({ id: 'chat', label: 'Chat', unlimited: true }),
            meter({ id: 'completions', label: 'Completions', source: 'vendor-undocumented' }),
            meter({ id: 'warn', label: 'Warning meter', percentUsed: 85 }),
            meter({ id: 'over', label: 'Over quota', used: 1650, limit: 1500 }),
          ],
        },
      }),
      account('or-stale', 'OpenRouter key', {
        providerId: 'openrouter',
        providerName: 'OpenRouter',
        icon: 'key',
        authKind: 'api-key',
        snapshot: {
          accountId: 'or-stale',
          takenAt: NOW - MIN,
          lastSuccessAt: NOW - 5 * MIN,
          status: 'stale',
          error: { kind: 'network', message: 'getaddrinfo ENOTFOUND openrouter.ai' },
          meters: [meter({ id: 'credits', label: 'Credits', kind: 'balance', unit: 'USD', remaining: 12.5, source: 'headers', capturedAt: NOW - 5 * MIN })],
        },
      }),
      account('gh-expired', 'Copilot (personal)', {
        snapshot: { accountId: 'gh-expired', takenAt: NOW - MIN, status: 'auth-required', error: { kind: 'auth', message: 'The GitHub session expired.', status: 401 }, meters: [] },
      }),
      account('broken', 'Broken provider', {
        snapshot: { accountId: 'broken', takenAt: NOW - MIN, status: 'error', error: { kind: 'server', message: ERROR_MESSAGE, status: 503 }, meters: [] },
      }),
      account('xss', XSS_NAME, { loading: true }),
    ],
  };
}

function bigState(accounts: number, meters: number): DashboardState {
  const list: DashboardAccount[] = [];
  for (let a = 0; a < accounts; a++) {
    const ms: Meter[] = [];
    for (let m = 0; m < meters; m++) {
      ms.push(meter({ id: `m${m}`, label: `Meter ${m}`, used: (a * 37 + m * 211) % 1500, limit: 1500, resetsAt: NOW + (a + 1) * 60 * MIN }));
    }
    list.push(account(`acct-${a}`, `Account ${a}`, { snapshot: { accountId: `acct-${a}`, takenAt: NOW, lastSuccessAt: NOW, status: 'ok', meters: ms } }));
  }
  return { now: NOW, thresholds: { warning: 80, error: 95 }, accounts: list };
}

// Theme stand-ins so colour assertions do not depend on the fallbacks.
const THEME_CSS = ':root{--vscode-charts-green:rgb(0, 128, 0);--vscode-charts-yellow:rgb(200, 160, 0);--vscode-charts-red:rgb(220, 0, 0);}';

describe('dashboard webview in Chromium under the real CSP', { skip }, () => {
  let srv: WebviewServer;

  before(async () => {
    srv = await startWebviewServer({ themeCss: THEME_CSS });
  });

  after(async () => {
    await srv?.close();
  });

  interface Harness {
    page: Page;
    /** What the webview posted, without the charts' history requests (those are chart.unit.test.ts's business). */
    posted(): Promise<any[]>;
    send(data: unknown): Promise<void>;
    allViolations(): Promise<string[]>;
  }

  /** A page with the VS Code API stubbed and CSP violations recorded (webviewHarness.ts). */
  async function open(opts: { persisted?: unknown; clock?: boolean; viewport?: { width: number; height: number } } = {}): Promise<Harness> {
    const h = await srv.open({
      ...(opts.viewport ? { viewport: opts.viewport } : {}),
      ...(opts.persisted !== undefined ? { persisted: opts.persisted } : {}),
      ...(opts.clock ? { clockAt: NOW } : {}),
    });
    return {
      page: h.page,
      posted: async () => (await h.posted()).filter((m: any) => m.type !== 'requestHistory'),
      send: h.send,
      allViolations: h.allViolations,
    };
  }

  async function assertNoViolations(h: Harness): Promise<void> {
    assert.deepEqual(await h.allViolations(), [], 'no CSP violation and no page error');
  }

  test('handshake, cards, gauges, states and actions', async () => {
    const h = await open();
    const { page } = h;
    try {
      assert.deepEqual(await h.posted(), [{ type: 'ready' }], 'the webview starts with ready');
      await h.send({ type: 'state', state: fixtureState() });

      const cards = page.locator('[data-testid="account-card"]');
      assert.equal(await cards.count(), 5);
      assert.deepEqual(await cards.evaluateAll((els: any[]) => els.map((e) => e.dataset.accountId)), ['gh-ok', 'or-stale', 'gh-expired', 'broken', 'xss']);

      const card = (id: string) => page.locator(`[data-testid="account-card"][data-account-id="${id}"]`);
      const m = (id: string, meterId: string) => card(id).locator(`[data-testid="meter"][data-meter-id="${meterId}"]`);

      // Status labels come from STATUS_LABEL.
      const statuses = await page.locator('[data-testid="account-status"]').allTextContents();
      // A stale account has one badge saying how old its numbers are, not "stale" and "Stale · 5m ago".
      assert.deepEqual(statuses, ['up to date', 'Stale · 5m ago', 'sign-in required', 'error', 'no data yet']);

      // The ok Copilot account.
      const okCard = card('gh-ok');
      assert.equal(await okCard.getAttribute('data-account-name'), 'Copilot (work)');
      assert.match((await okCard.textContent()) ?? '', /GitHub Copilot · Copilot Business · octocat/);
      const premium = m('gh-ok', 'premium_interactions');
      assert.equal(await premium.locator('[data-testid="meter-value"]').textContent(), '71%');
      assert.equal(await premium.locator('[data-testid="meter-detail"]').textContent(), '1,065 / 1,500 requests');
      assert.equal(await premium.locator('[data-testid="meter-reset"]').textContent(), 'resets in 2h 5m');
      assert.equal(await premium.locator('[data-testid="meter-source"]').textContent(), 'official API');
      assert.match((await premium.textContent()) ?? '', /captured 2m ago/);
      assert.match((await premium.textContent()) ?? '', /this month/);
      const gauge = premium.locator('[role="meter"]');
      assert.equal(await gauge.getAttribute('aria-valuenow'), '71');
      assert.equal(await gauge.getAttribute('aria-valuemin'), '0');
      assert.equal(await gauge.getAttribute('aria-valuemax'), '100');
      assert.equal(await gauge.getAttribute('aria-valuetext'), '71% used');
      assert.equal(await gauge.getAttribute('aria-label'), 'Premium requests: 71% used, 1,065 / 1,500 requests');
      // A percent-only meter says its share once.
      assert.equal(await m('gh-ok', 'warn').locator('[role="meter"]').getAttribute('aria-label'), 'Warning meter: 85% used');
      // The bar is really 71 % of its track, and green.
      const geo = await gauge.evaluate((g: any) => ({
        ratio: g.firstElementChild.getBoundingClientRect().width / g.getBoundingClientRect().width,
        color: getComputedStyle(g.firstElementChild).backgroundColor,
      }));
      assert.ok(Math.abs(geo.ratio - 0.71) < 0.01, `fill ratio ${geo.ratio}`);
      assert.equal(geo.color, 'rgb(0, 128, 0)');

      // Severity classes and colours.
      const severity = async (meterId: string) =>
        m('gh-ok', meterId).evaluate((el: any) => ({
          cls: [...el.classList].filter((c: string) => c.startsWith('severity-')),
          data: el.dataset.severity,
          fill: el.querySelector('.gauge-fill') ? getComputedStyle(el.querySelector('.gauge-fill')).backgroundColor : null,
        }));
      assert.deepEqual(await severity('premium_interactions'), { cls: ['severity-ok'], data: 'ok', fill: 'rgb(0, 128, 0)' });
      assert.deepEqual(await severity('warn'), { cls: ['severity-warning'], data: 'warning', fill: 'rgb(200, 160, 0)' });
      const over = await severity('over');
      assert.deepEqual(over.cls, ['severity-error']);
      assert.equal(over.fill, 'rgb(220, 0, 0)');
      const overGauge = m('gh-ok', 'over').locator('[role="meter"]');
      assert.equal(await overGauge.getAttribute('aria-valuenow'), '110');
      assert.equal(await overGauge.getAttribute('aria-valuemax'), '110');

      // Unlimited: the word, no bar, no meter role.
      const unlimited = m('gh-ok', 'chat');
      assert.equal(await unlimited.locator('[data-testid="meter-value"]').textContent(), 'unlimited');
      assert.equal(await unlimited.locator('[data-testid="meter-detail"]').textContent(), 'unlimited');
      assert.equal(await unlimited.locator('[role="meter"], .gauge').count(), 0);

      // Unknown: the word "unknown", a neutral gauge, never a 0.
      const unknown = m('gh-ok', 'completions');
      assert.equal(await unknown.locator('[data-testid="meter-value"]').textContent(), 'unknown');
      assert.equal(await unknown.locator('[data-testid="meter-detail"]').textContent(), 'unknown');
      assert.equal(await unknown.getAttribute('data-severity'), 'unknown');
      assert.equal(await unknown.locator('[role="meter"]').count(), 0);
      assert.equal(await unknown.locator('[role="img"]').getAttribute('aria-label'), 'Completions: usage unknown');
      assert.equal(await unknown.locator('[data-testid="meter-source"]').textContent(), 'undocumented vendor endpoint');
      const unknownValues = (await unknown.locator('[data-testid="meter-value"], [data-testid="meter-detail"]').allTextContents()).join(' ');
      assert.doesNotMatch(unknownValues, /\b0\b|0%/);

      // Stale account: badge with the age of the last success, source and balance.
      const stale = card('or-stale');
      assert.equal(await stale.locator('[data-testid="stale-badge"]').textContent(), 'Stale · 5m ago');
      assert.equal(await stale.locator('[data-testid="meter-value"]').textContent(), '$12.50');
      assert.equal(await stale.locator('[data-testid="meter-detail"]').textContent(), '$12.50 left');
      assert.match((await stale.textContent()) ?? '', /response headers/);
      assert.equal(await page.locator('[data-testid="stale-badge"]').count(), 1, 'only the stale account has the badge');
      assert.equal(await stale.locator('.badges > *').count(), 1, 'one badge, not two saying the same');
      // Its note leads with the reason and says what it means for the numbers; the details follow.
      assert.equal(await stale.locator('[data-testid="account-error"]').textContent(), 'Could not reach OpenRouter — Numbers from 5m ago.');
      assert.equal(await stale.locator('[data-testid="account-error-detail"]').textContent(), 'getaddrinfo ENOTFOUND openrouter.ai');

      // Error account: the message as text, Retry and Show log.
      const broken = card('broken');
      assert.equal(await broken.locator('[data-testid="account-error"]').textContent(), 'Server error at GitHub Copilot (503)');
      assert.equal(await broken.locator('[data-testid="account-error-detail"]').textContent(), ERROR_MESSAGE);
      // A sign-in account is asked to sign in again.
      assert.equal((await card('gh-expired').locator('[data-testid="sign-in"]').textContent())?.trim(), 'Sign in again');
      assert.equal(await broken.locator('b').count(), 0, 'server text is never parsed as HTML');

      // Hostile account name renders as text.
      const xss = card('xss');
      assert.equal(await xss.getAttribute('data-account-name'), XSS_NAME);
      assert.equal(await xss.locator('h2').textContent(), XSS_NAME);
      assert.equal(await page.locator('img').count(), 0);
      assert.equal(await page.evaluate(() => (window as any).__alerted), false);
      assert.equal(await xss.getAttribute('aria-busy'), 'true');
      assert.equal(await xss.locator('[data-testid="account-loading"]').count(), 1);

      // Actions post typed messages.
      await page.evaluate(() => ((window as any).__posted.length = 0));
      await card('gh-expired').locator('[data-testid="sign-in"]').click();
      await broken.getByRole('button', { name: 'Retry' }).click();
      await broken.getByRole('button', { name: 'Show log' }).click();
      await okCard.getByRole('button', { name: 'Refresh Copilot (work)' }).click();
      await page.getByRole('button', { name: 'Refresh all' }).click();
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.getByRole('button', { name: 'Settings' }).click();
      // Keyboard: the sign-in button is focusable and Enter activates it.
      await card('gh-expired').locator('[data-testid="sign-in"]').focus();
      await page.keyboard.press('Enter');
      assert.deepEqual(await h.posted(), [
        { type: 'signIn', accountId: 'gh-expired' },
        { type: 'refresh', accountId: 'broken' },
        { type: 'showLog' },
        { type: 'refresh', accountId: 'gh-ok' },
        { type: 'refresh' },
        { type: 'addAccount' },
        { type: 'openSettings' },
        { type: 'signIn', accountId: 'gh-expired' },
      ]);
      // A <vscode-button> (webview/elements.ts), upgraded once the components are loaded after the first frame.
      await page.waitForFunction(() => (window as any).customElements.get('vscode-button') !== undefined);
      assert.deepEqual(
        await card('gh-expired').locator('[data-testid="sign-in"]').evaluate((e: any) => [e.tagName, e.getAttribute('role'), e instanceof (window as any).customElements.get('vscode-button')]),
        ['VSCODE-BUTTON', 'button', true],
      );

      await assertNoViolations(h);
    } finally {
      await page.close();
    }
  });

  test('live updates keep unchanged cards, focus and scroll; bad messages are ignored; empty state', async () => {
    const h = await open({ viewport: { width: 420, height: 500 } });
    const { page } = h;
    try {
      const state = fixtureState();
      await h.send({ type: 'state', state });
      // The cards below the fold are built when the page is idle (main.ts); marked once they all are.
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="account-card-pending"]').length === 0);
      await page.evaluate(() => {
        for (const el of document.querySelectorAll('[data-testid="account-card"]')) el.__marker = el.dataset.accountId;
      });
      // Focus first (focusing scrolls the button into view), then scroll somewhere else.
      await page.locator('[data-account-id="gh-expired"] [data-testid="sign-in"]').focus();
      await page.evaluate(() => window.scrollTo(0, 400));
      await page.waitForFunction(() => (window as any).__state?.scrollY === 400);

      // Only the expired account changes (it starts loading); its sign-in button keeps focus.
      const next = fixtureState();
      next.accounts[2] = { ...next.accounts[2]!, loading: true };
      await h.send({ type: 'state', state: next });
      const markers = await page.evaluate(() =>
        [...document.querySelectorAll('[data-testid="account-card"]')].map((el: any) => `${el.dataset.accountId}:${el.__marker ?? 'new'}`),
      );
      assert.deepEqual(markers, ['gh-ok:gh-ok', 'or-stale:or-stale', 'gh-expired:new', 'broken:broken', 'xss:xss']);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'sign-in');
      assert.equal(await page.evaluate(() => window.scrollY), 400);

      // Malformed messages change nothing.
      await h.send({ type: 'state', state: { accounts: 'nope' } });
      await h.send({ type: 'bogus' });
      await h.send('string');
      assert.equal(await page.locator('[data-testid="account-card"]').count(), 5);

      // Reorder and removal.
      const reordered = fixtureState();
      reordered.accounts = [reordered.accounts[3]!, reordered.accounts[0]!];
      await h.send({ type: 'state', state: reordered });
      assert.deepEqual(await page.locator('[data-testid="account-card"]').evaluateAll((els: any[]) => els.map((e) => e.dataset.accountId)), ['broken', 'gh-ok']);

      // Empty state.
      await h.send({ type: 'state', state: { ...state, accounts: [] } });
      assert.equal(await page.locator('[data-testid="account-card"]').count(), 0);
      const empty = page.locator('[data-testid="empty-state"]');
      assert.equal(await empty.isVisible(), true);
      await page.evaluate(() => ((window as any).__posted.length = 0));
      await empty.getByRole('button', { name: 'Add account' }).click();
      assert.deepEqual(await h.posted(), [{ type: 'addAccount' }]);
      await assertNoViolations(h);
    } finally {
      await page.close();
    }
  });

  test('a malformed host message is refused by the shared zod schemas, not rendered; the next good one is', async () => {
    const h = await open();
    const { page } = h;
    const warnings: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'warning') warnings.push(msg.text());
    });
    try {
      const good = fixtureState();
      // The whole message is refused: a threshold that is no number.
      await h.send({ type: 'state', state: { ...good, thresholds: { warning: '80', error: 95 } } });
      assert.equal(await page.locator('[data-testid="account-card"]').count(), 0);
      assert.equal(await page.locator('[data-testid="empty-state"]').count(), 0, 'nothing rendered, not even the empty state');
      // One account refused: a meter whose used is a string; another whose id is empty. The rest are drawn.
      const mixed = fixtureState();
      const bad = structuredClone(mixed.accounts[0]!);
      bad.id = 'bad-meter';
      bad.name = 'Bad meter';
      bad.snapshot!.meters[0] = { ...bad.snapshot!.meters[0]!, used: '1065' as never };
      mixed.accounts.push(bad, account('', 'No id'));
      await h.send({ type: 'state', state: mixed });
      assert.deepEqual(await page.locator('[data-testid="account-card"]').evaluateAll((els: any[]) => els.map((e) => e.dataset.accountId)), [
        'gh-ok',
        'or-stale',
        'gh-expired',
        'broken',
        'xss',
      ]);
      assert.equal(await page.getByText('Bad meter').count(), 0);
      assert.equal(await page.getByText('No id').count(), 0);
      assert.ok(warnings.includes('[tokstat] ignored a malformed message from the host'), warnings.join('\n'));
      assert.ok(warnings.includes('[tokstat] dropped 2 malformed account(s)'), warnings.join('\n'));
      // zod runs jitless under the CSP: no eval, no violation.
      await assertNoViolations(h);
    } finally {
      await page.close();
    }
  });

  test('pace under the gauge: the first line and the numbers behind it; a meter stating its window length is kept', async () => {
    const h = await open();
    try {
      const premium = meter({ id: 'premium', label: 'Premium requests', used: 217.5, limit: 300, resetsAt: NOW + 16.5 * 86_400_000, windowMs: 31 * 86_400_000 });
      const spend = meter({ id: 'spend', label: 'Spent this month', kind: 'spend', unit: 'USD', used: 10 });
      const state: DashboardState = {
        now: NOW,
        thresholds: { warning: 80, error: 95 },
        accounts: [
          account('gh', 'Copilot', {
            snapshot: { accountId: 'gh', takenAt: NOW, lastSuccessAt: NOW, status: 'ok', meters: [premium, spend] },
            pace: {
              premium: {
                status: 'ok',
                text: 'At this pace you run out Wed 00:00, 11 days before reset — stay under 5 requests a day',
                detail: '77 requests over a straight-line pace · budget 5 requests a day, 0.21 an hour',
                elapsedFraction: 0.47,
              },
              spend: { status: 'no-limit', text: 'Spending about $2.00 a day — ≈ $62.00 by Feb 1, 00:00' },
            },
          }),
          // A window length that is no number costs the account its card, like any other malformed meter field.
          account('bad', 'Broken', { snapshot: { accountId: 'bad', takenAt: NOW, status: 'ok', meters: [{ ...premium, windowMs: 'five hours' as never }] } }),
        ],
      };
      await h.send({ type: 'state', state });
      const card = h.page.locator('[data-testid="meter"][data-meter-id="premium"]');
      assert.equal(await card.locator('[data-testid="pace-text"]').textContent(), state.accounts[0]!.pace!.premium!.text);
      const detail = card.locator('[data-testid="pace-detail"]');
      assert.equal(await detail.textContent(), '77 requests over a straight-line pace · budget 5 requests a day, 0.21 an hour');
      assert.equal(await detail.isVisible(), true);
      // Right under the pace text, which sits under the gauge.
      assert.equal(await card.locator('[data-testid="pace-text"] + [data-testid="pace-detail"]').count(), 1);
      const other = h.page.locator('[data-testid="meter"][data-meter-id="spend"]');
      assert.equal(await other.locator('[data-testid="pace-text"]').textContent(), 'Spending about $2.00 a day — ≈ $62.00 by Feb 1, 00:00');
      assert.equal(await other.locator('[data-testid="pace-detail"]').count(), 0);
      assert.deepEqual(await h.page.locator('[data-testid="account-card"]').evaluateAll((els: any[]) => els.map((e) => e.dataset.accountId)), ['gh']);
      // A pace whose second line is no string is dropped whole, the card stays.
      const bad = structuredClone(state);
      bad.accounts[0]!.pace!.premium = { ...bad.accounts[0]!.pace!.premium!, detail: 42 as never };
      await h.send({ type: 'state', state: bad });
      assert.equal(await card.locator('[data-testid="pace-text"], [data-testid="pace-detail"]').count(), 0);
      assert.equal(await h.page.locator('[data-testid="account-card"]').count(), 1);
      await assertNoViolations(h);
    } finally {
      await h.page.close();
    }
  });

  test('a rejected API key: the reason first, numbers frozen, "Replace key…"; "Not enough history yet" once per card', async () => {
    const h = await open();
    try {
      const key = meter({ id: 'key-limit', label: 'Key limit', unit: 'USD', used: 68, limit: 100, capturedAt: NOW - 5 * MIN });
      const credits = meter({ id: 'credits', label: 'Credits', kind: 'balance', unit: 'USD', remaining: 12, capturedAt: NOW - 5 * MIN });
      const unsure = { status: 'insufficient-data' as const, text: 'Not enough history yet' };
      await h.send({
        type: 'state',
        state: {
          now: NOW,
          thresholds: { warning: 80, error: 95 },
          accounts: [
            account('or', 'hidden-or', {
              providerId: 'openrouter',
              providerName: 'OpenRouter',
              authKind: 'api-key',
              pace: { 'key-limit': unsure, credits: unsure },
              snapshot: {
                accountId: 'or',
                takenAt: NOW,
                lastSuccessAt: NOW - 5 * MIN,
                status: 'auth-required',
                error: { kind: 'auth', status: 401, message: 'Credentials rejected (HTTP 401): User not found. — 127.0.0.1:33265/api/v1/key' },
                meters: [key, credits],
              },
            }),
          ],
        },
      });
      const c = h.page.locator('[data-testid="account-card"]');
      await c.waitFor();
      assert.equal(await c.locator('[data-testid="account-status"]').textContent(), 'new key needed');
      assert.equal(await c.locator('[data-testid="account-error"]').textContent(), 'Key rejected by OpenRouter (401) — Numbers from 5m ago, frozen until the key is replaced.');
      assert.equal(await c.locator('[data-testid="account-error-detail"]').textContent(), 'Credentials rejected (HTTP 401): User not found. — 127.0.0.1:33265/api/v1/key');
      assert.equal((await c.locator('[data-testid="sign-in"]').textContent())?.trim(), 'Replace key…');
      assert.equal(await c.locator('[data-testid="pace-text"]').count(), 0, 'not under every meter');
      assert.equal(await c.locator('[data-testid="pace-pending"]').textContent(), 'Not enough history yet for a pace.');
      await c.locator('[data-testid="sign-in"]').click();
      // (The Spend section asks for its figures when it first shows.)
      assert.deepEqual((await h.posted()).filter((m) => m.type !== 'requestSpend'), [{ type: 'ready' }, { type: 'signIn', accountId: 'or' }]);
      await assertNoViolations(h);
    } finally {
      await h.page.close();
    }
  });

  test('restores the persisted scroll position', async () => {
    const h = await open({ persisted: { version: 1, scrollY: 600 }, viewport: { width: 420, height: 500 } });
    try {
      await h.send({ type: 'state', state: bigState(8, 3) });
      assert.equal(await h.page.evaluate(() => window.scrollY), 600);
      await assertNoViolations(h);
    } finally {
      await h.page.close();
    }
  });

  test('countdowns tick every 30 s from state.now', async () => {
    const h = await open({ clock: true });
    try {
      await h.send({ type: 'state', state: fixtureState() });
      const reset = h.page.locator('[data-meter-id="premium_interactions"] [data-testid="meter-reset"]');
      const badge = h.page.locator('[data-testid="stale-badge"]');
      assert.equal(await reset.textContent(), 'resets in 2h 5m');
      await h.page.clock.runFor(20_000);
      assert.equal(await reset.textContent(), 'resets in 2h 5m', 'no tick before 30 s');
      // Ticks fire at ~30, 60 and 90 s after load; at the 90 s tick about 89.9 s have elapsed since the state.
      await h.page.clock.runFor(71_000);
      assert.equal(await reset.textContent(), 'resets in 2h 3m');
      assert.equal(await badge.textContent(), 'Stale · 6m ago');
      await assertNoViolations(h);
    } finally {
      await h.page.close();
    }
  });

  // How long this takes is the bench's business (bench/dashboard.ts, `npm run bench`), not a test's.
  test('first render of 20 accounts × 5 meters: every card and meter, the far ones built when idle', async () => {
    const h = await open();
    try {
      await h.send({ type: 'state', state: bigState(20, 5) });
      // The cards far below the viewport are placeholders at first, built when the page is idle.
      await h.page.waitForFunction(() => document.querySelectorAll('[data-testid="account-card-pending"]').length === 0);
      assert.equal(await h.page.locator('[data-testid="account-card"]').count(), 20);
      assert.equal(await h.page.locator('[data-testid="meter"]').count(), 100);
      assert.equal(await h.page.locator('[role="meter"]').count(), 100);
      await assertNoViolations(h);
    } finally {
      await h.page.close();
    }
  });
});
