// States that speak plainly (issue #18 §5), as a new user meets them: an OpenRouter account against a fake that first
// answers, then rate-limits (429 with Retry-After), is refreshed again during the window, then rejects the key (401);
// the key is replaced from the tree row's context menu and the numbers come back. At each state the status bar, the
// tree and the dashboard are read for their wording, and a screenshot is taken (the README shows some).
// Steps build on each other; scripts/run-e2e.js stops at the first failure.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { orKey } from '../builders/openrouter';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { OPENROUTER_KEY, OPENROUTER_KEY_2 } from '../fakes/secrets';
import * as cs from '../support/codeServer';
import {
  addOpenRouterAccount,
  card,
  chooseFromContextMenu,
  dumpDom,
  expandRow,
  openTokstatView,
  quickInput,
  rowText,
  runCommand,
  scenarioHooks,
  screenshots,
  STATUS_ITEM,
  toasts,
  treeRow,
  waitForQuickInputTitle,
  waitForStatus,
  waitUntil,
} from './support';

const NAME = 'hidden-or';
const RETRY_AFTER_S = 15;

describe('states that speak plainly (ok → 429 → refresh during Retry-After → 401 → Replace Key → ok)', function () {
  this.timeout(120_000);
  let or: OpenRouterFake;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;
  let retryAt = 0;

  const shot = screenshots(() => page, () => dirs.base);

  /** The status item's classes and background colour (a warning colour shows as VS Code's `warning-kind`). */
  const statusLook = () =>
    page.locator(STATUS_ITEM).first().evaluate((el) => {
      const e = el as unknown as { className: string; ownerDocument: { defaultView: { getComputedStyle(x: unknown): { backgroundColor: string } } } };
      return { className: e.className, background: e.ownerDocument.defaultView.getComputedStyle(el).backgroundColor };
    });

  before(async function () {
    this.timeout(180_000);
    or = new OpenRouterFake();
    await or.start();
    or.addKey(OPENROUTER_KEY, orKey({ label: NAME, usage: 68, usage_monthly: 68, limit_remaining: 32 }));
    dirs = cs.makeRunDirs('states');
    ({ server, browser, page } = await cs.startScenario(dirs, { 'tokstat.endpoints': { openrouter: or.baseUrl } }));
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), async () => {
    await or?.stop();
  });

  it('ok: the account shows its number everywhere, with no mark', async () => {
    await page.goto(cs.workbenchUrl(server!));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    await waitForStatus(page, 'no accounts yet', (t) => /add account/i.test(t), 60_000);
    await addOpenRouterAccount(page, OPENROUTER_KEY, NAME);
    const text = await waitForStatus(page, `${NAME} 68%`, (t) => t.includes(`${NAME} 68%`));
    assert.doesNotMatch(text, /stale|frozen/, text);
    await openTokstatView(page);
    await expandRow(page, 'OpenRouter');
    await expandRow(page, NAME);
    await waitUntil('the Key limit row', async () => (await treeRow(page, /^Key limit/).count()) > 0);
    const row = await rowText(page, /^Key limit/);
    assert.match(row, /68%/, row);
    assert.doesNotMatch(row, /stale/, row);
    await runCommand(page, 'tokstat: Open Dashboard');
    await card(page, NAME).waitFor({ state: 'visible', timeout: 30_000 });
    // The "added" toast has been read; later toasts are the ones this scenario is about.
    await runCommand(page, 'Notifications: Clear All Notifications');
    await waitUntil('no toast left', async () => (await page.locator('.notifications-toasts .notification-toast').count()) === 0);
    await shot('ok');
  });

  it('429 with Retry-After: the numbers are marked stale, and say why', async () => {
    or.fail({ retryAfterSeconds: RETRY_AFTER_S }, { path: '/api/v1/key' });
    const before = or.requestsTo('/api/v1/key').length;
    await runCommand(page, 'tokstat: Refresh All');
    retryAt = Date.now() + RETRY_AFTER_S * 1000;
    const text = await waitForStatus(page, 'stale: rate limited', (t) => t.includes(`${NAME} 68% (stale: rate limited)`));
    assert.ok(or.requestsTo('/api/v1/key').length > before, 'the refresh reached the server');
    await openTokstatView(page);
    const account = await waitUntil('the account row leads with the reason', async () => {
      const t = await rowText(page, NAME);
      return /Rate limited/.test(t) ? t : false;
    });
    assert.match(account, /^hidden-or ?Rate limited · 68% stale$/, account);
    assert.match(await rowText(page, 'Retry'), /^Retry ?next try at \d\d:\d\d/);
    assert.match(await rowText(page, /^Key limit/), /68% · stale/);
    const note = await card(page, NAME).locator('[data-testid="account-error"]').innerText();
    assert.match(note, /^Rate limited by OpenRouter \(429\) — Numbers from .+; retrying at \d\d:\d\d/, note);
    assert.equal(await card(page, NAME).locator('.badges > *').count(), 1, 'one stale badge');
    assert.ok(!text.includes(OPENROUTER_KEY));
    await shot('rate-limited');
  });

  it('Refresh All during the Retry-After window says who asked to wait and until when', async () => {
    const before = or.requestsTo('/api/v1/key').length;
    await runCommand(page, 'tokstat: Refresh All');
    const toast = toasts(page, /asked to wait/).first();
    await toast.waitFor({ state: 'visible', timeout: 20_000 });
    // Toasts slide in: wait until it sits inside the window before the screenshot.
    await waitUntil('the toast in view', async () => {
      const box = await toast.boundingBox();
      const view = page.viewportSize();
      return !!box && !!view && box.y >= 0 && box.y + box.height <= view.height && box.x + box.width <= view.width;
    });
    const message = (await toast.innerText()).replace(/\s+/g, ' ');
    // The server's window, and when tokstat really polls next (its backoff may come later than the window).
    assert.match(message, /OpenRouter asked to wait until \d\d:\d\d(:\d\d)? — retrying (then|at \d\d:\d\d(:\d\d)?)\./, message);
    assert.equal(or.requestsTo('/api/v1/key').length, before, 'nothing was sent during the window');
    await shot('refresh-during-retry-after');
  });

  it('401: the status bar says the numbers are frozen and why, on a warning colour; the tree keeps "stale"', async () => {
    // The key is revoked at OpenRouter. Once the server's window has passed, a refresh reaches it again.
    or.removeKey(OPENROUTER_KEY);
    await waitUntil('the Retry-After window has passed', () => Date.now() > retryAt + 1_000, RETRY_AFTER_S * 1000 + 10_000);
    await page.keyboard.press('Escape');
    await runCommand(page, 'tokstat: Refresh All');
    const text = await waitForStatus(page, 'frozen: key rejected', (t) => t.includes(`${NAME} 68% (frozen: key rejected)`), 30_000);
    assert.ok(text.length > 0);
    assert.equal(await page.locator(`${STATUS_ITEM} .codicon-warning`).count(), 1, 'the warning icon');
    const look = await statusLook();
    assert.ok(/warning-kind/.test(look.className) || look.background !== 'rgba(0, 0, 0, 0)', `a warning colour: ${JSON.stringify(look)}`);
    await openTokstatView(page);
    const account = await waitUntil('the account row leads with the reason', async () => {
      const t = await rowText(page, NAME);
      return /Key rejected/.test(t) ? t : false;
    });
    assert.match(account, /^hidden-or ?Key rejected · 68% stale$/, account);
    assert.match(await rowText(page, /^Key limit/), /68% · stale/, 'the meter row keeps its stale mark');
    const fix = await rowText(page, /^Replace key/);
    assert.match(fix, /^Replace key… ?Credentials rejected \(HTTP 401\): User not found\. — 127\.0\.0\.1:\d+\/api\/v1\/key$/, fix);
    assert.equal(await treeRow(page, 'Sign in again').count(), 0, 'an API key is not signed in to');
    const c = card(page, NAME);
    await waitUntil('the dashboard says the key was rejected', async () => /Key rejected/.test(await c.locator('[data-testid="account-error"]').innerText()));
    assert.match(await c.locator('[data-testid="account-error"]').innerText(), /^Key rejected by OpenRouter \(401\) — Numbers from .+, frozen until the key is replaced\.$/);
    assert.match(await c.locator('[data-testid="sign-in"]').innerText(), /Replace key…/);
    await shot('key-rejected');
    // Close-ups for the README: the tree and the card, and the status bar item.
    await page.screenshot({ path: path.join(dirs.base, 'key-rejected-tree-and-card.png'), clip: { x: 0, y: 30, width: 720, height: 360 } });
    await page.locator(STATUS_ITEM).first().screenshot({ path: path.join(dirs.base, 'key-rejected-status-bar.png') });
    await dumpDom(page, path.join(dirs.base, 'dom'), 'key-rejected');
  });

  it('Replace Key… from the account row\'s context menu: the new key is checked, stored, and the numbers come back', async () => {
    or.addKey(OPENROUTER_KEY_2, orKey({ label: NAME, usage: 40, usage_monthly: 40, limit_remaining: 60 }));
    await chooseFromContextMenu(page, NAME, 'Replace Key', () => shot('replace-key-menu'));
    await waitForQuickInputTitle(page, 'Replace Key');
    const input = quickInput(page).locator('input.input');
    assert.equal(await input.getAttribute('type'), 'password');
    await input.fill(OPENROUTER_KEY_2);
    await page.keyboard.press('Enter');
    const text = await waitForStatus(page, `${NAME} 40%`, (t) => t.includes(`${NAME} 40%`), 30_000);
    assert.doesNotMatch(text, /stale|frozen/, text);
    assert.ok(or.requestsTo('/api/v1/key').some((r) => r.headers.authorization === `Bearer ${OPENROUTER_KEY_2}`), 'the new key was used');
    const account = await waitUntil('the account row is fresh again', async () => {
      const t = await rowText(page, NAME);
      return /^hidden-or ?40%$/.test(t) ? t : false;
    });
    assert.ok(account);
    assert.equal(await treeRow(page, /^Replace key/).count(), 0);
    await waitUntil('the dashboard card is up to date', async () => (await card(page, NAME).getAttribute('data-status')) === 'ok');
    await shot('key-replaced');
  });
});
