// The first minute, driven in a real VS Code (code-server + headless Chromium) as a new user meets tokstat: the
// walkthrough (which VS Code opens by itself after an install from the Extensions view) from "tokstat: Get Started";
// the one-time notification about Claude Code's sign-in on this machine is
// missed ("Not Now"), yet the tree still offers it and adds it with one click; the walkthrough ticks its steps
// off as they are done; pinning a meter puts it in the status bar. Screenshots of each step land in
// test-results/e2e-firstrun/ (the README shows two of them).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { claudeCredentials, claudeGlobalConfig, claudeUsage } from '../builders/claude';
import { ClaudeFake } from '../fakes/claudeFake';
import { CLAUDE_OAUTH_TOKEN, CLAUDE_REFRESH_TOKEN } from '../fakes/secrets';
import * as cs from '../support/codeServer';
import { expandRow, openTokstatView, pick, quickInput, rowText, runCommand, scenarioHooks, screenshots, treeRow, waitForQuickInputTitle, STATUS_ITEM, waitForStatus, waitUntil, submitQuickInput } from './support';

const CLAUDE_EMAIL = 'first-run@example.com';

describe('tokstat: the first minute (code-server + Chromium)', function () {
  this.timeout(120_000);
  let claude: ClaudeFake;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;

  const shot = screenshots(() => page, () => dirs.base);

  /** The walkthrough's editor (VS Code's Getting Started page). */
  const walkthrough = () => page.locator('.gettingStartedContainer');
  const walkthroughStep = (title: string) => walkthrough().locator('.getting-started-step', { hasText: title }).first();
  /** Whether a step shows its check mark (VS Code's own completion state, from the step's completion events). */
  const stepDone = async (id: string) =>
    /getting-started-step-checked/.test((await walkthrough().locator(`[data-done-step-id="tokstat.tokstat#gettingStarted#${id}"]`).first().getAttribute('class')) ?? '');

  before(async function () {
    this.timeout(180_000);
    claude = new ClaudeFake();
    await claude.start();
    claude.addToken(CLAUDE_OAUTH_TOKEN, { usage: claudeUsage() });
    dirs = cs.makeRunDirs('e2e-firstrun');
    const home = path.join(dirs.base, 'home');
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(home, '.claude', '.credentials.json'), JSON.stringify(claudeCredentials({ accessToken: CLAUDE_OAUTH_TOKEN, refreshToken: CLAUDE_REFRESH_TOKEN })), { mode: 0o600 });
    fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify(claudeGlobalConfig(CLAUDE_EMAIL)));
    ({ server, browser, page } = await cs.startScenario(dirs, {
      'tokstat.endpoints': { claude: claude.baseUrl },
    }));
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), () => claude?.stop());

  it('"tokstat: Get Started" opens the walkthrough with its steps', async () => {
    await page.goto(cs.workbenchUrl(server!));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    await waitForStatus(page, 'tokstat is running', (t) => /no accounts yet/.test(t), 60_000);
    await runCommand(page, 'tokstat: Get Started');
    await walkthrough().locator('text=Get started with tokstat').first().waitFor({ state: 'visible', timeout: 60_000 });
    for (const title of ['Add an AI account', 'Choose what the status bar shows', 'Open the dashboard', 'What your coding agents cost', 'Use tokstat in a terminal']) {
      assert.equal(await walkthroughStep(title).count(), 1, `the walkthrough has the step "${title}"`);
    }
    await shot('walkthrough');
  });

  it('the missed notification about Claude Code is still offered in the tree, and added with one click', async () => {
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /found Claude Code/ }).first();
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    await toast.getByRole('button', { name: 'Not Now' }).click();
    await toast.waitFor({ state: 'hidden' });
    await openTokstatView(page);
    // Claude Code's folder makes the tree show "Local agents", so the sign-in is offered as the tree's first row.
    const offer = treeRow(page, 'Track Claude Code');
    await offer.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await rowText(page, 'Track Claude Code'), /signed in on this machine/);
    await shot('tree-found-sign-in');
    await offer.click();
    await waitForQuickInputTitle(page, 'Account name', 30_000);
    await waitUntil('the name pre-filled with the Claude e-mail', async () => (await quickInput(page).locator('input.input').inputValue()) === CLAUDE_EMAIL);
    await submitQuickInput(page, 'Account name');
    await expandRow(page, /Claude plan/);
    await expandRow(page, CLAUDE_EMAIL);
    const row = await waitUntil('the 5-hour window row', async () => ((await treeRow(page, /^5-hour/).count()) > 0 ? rowText(page, /^5-hour/) : false), 30_000);
    assert.match(row, /51\s*%/, row);
    assert.ok(claude.requests.length > 0, 'the Claude fake was polled');
    await waitUntil('the offer is gone once the sign-in is tracked', async () => (await treeRow(page, 'Track Claude Code').count()) === 0, 30_000);
    await shot('tree-after-found');
  });

  it('the walkthrough ticks off the account, and the found sign-ins step is gone once nothing is left to add', async () => {
    await runCommand(page, 'tokstat: Get Started');
    await walkthrough().locator('text=Get started with tokstat').first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil('"Add an AI account" is checked', () => stepDone('addAccount'), 30_000);
    assert.equal(await stepDone('dashboard'), false, 'a step not done yet stays unchecked');
    await waitUntil('the found-sign-ins step is hidden', async () => (await walkthroughStep('Add the sign-ins found on this machine').count()) === 0, 30_000);
    await shot('walkthrough-progress');
  });

  it('Pin to Status Bar puts the chosen meter in the status bar and ticks its step', async () => {
    await runCommand(page, 'tokstat: Pin to Status Bar');
    await waitForQuickInputTitle(page, 'tokstat: Pin to Status Bar');
    await pick(page, `${CLAUDE_EMAIL}: Weekly (all models)`);
    // The pinned meter gets its own item; the automatic one (the 5-hour window at 51 %) gives way to it.
    const pinned = page.locator('[id^="tokstat.tokstat.pin:"]');
    const text = await waitUntil('the pinned weekly window at 9 % in its own status bar item', async () => {
      if ((await pinned.count()) !== 1) return false;
      const t = await pinned.first().evaluate((el) => `${el.getAttribute('aria-label') ?? el.querySelector('[aria-label]')?.getAttribute('aria-label') ?? ''} | ${(el as unknown as { innerText: string }).innerText}`);
      return t.includes(CLAUDE_EMAIL) && /\b9\s*%/.test(t) ? t : false;
    }, 30_000);
    assert.ok(!/51\s*%/.test(text), `the pinned item shows the weekly window, not the 5-hour one: ${text}`);
    assert.equal(await page.locator(STATUS_ITEM).isVisible(), false, 'the automatic item gives way to the pin');
    const settings = JSON.parse(fs.readFileSync(path.join(dirs.userData, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
    const pins = settings['tokstat.statusBar.pins'] as unknown[];
    assert.ok(Array.isArray(pins) && pins.length === 1, `one pin: ${JSON.stringify(pins)}`);
    assert.match(String(pins[0]), new RegExp(`^${CLAUDE_EMAIL.replace(/[.]/g, '\\.')}/`), 'the pin is a user setting');
    await runCommand(page, 'tokstat: Get Started');
    await waitUntil('"Choose what the status bar shows" is checked', () => stepDone('pin'), 30_000);
    await shot('pinned');
  });

  it("Install 'tokstat' Command in PATH puts a launcher that runs the extension's CLI, and ticks its step", async () => {
    await runCommand(page, "tokstat: Install 'tokstat' Command in PATH");
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /the 'tokstat' command is installed at/ }).first();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    const launcher = path.join(dirs.base, 'home', '.local', 'bin', 'tokstat');
    assert.ok(fs.existsSync(launcher), launcher);
    assert.match(await toast.innerText(), /not on your PATH yet/, 'the run’s PATH lacks ~/.local/bin, and the message says how to add it');
    await shot('cli-installed');
    const version = spawnSync(launcher, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(version.status, 0, version.stderr);
    const pkg = JSON.parse(fs.readFileSync(path.join(cs.REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version, 'the launcher ran the CLI bundled in the installed extension');
    await runCommand(page, 'tokstat: Get Started');
    await waitUntil('"Use tokstat in a terminal" is checked', () => stepDone('cli'), 30_000);
  });
});
