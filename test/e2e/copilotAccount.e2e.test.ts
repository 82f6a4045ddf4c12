// A Copilot account's life through the UI only (issue #21): added by device code, its token revoked on GitHub so the
// tree asks to sign in again, Sign In Again from the account row's context menu (a new device code), Rename from the
// context menu (the name box), Remove from the context menu (the modal confirmation). The packaged VSIX in code-server,
// headless Chromium clicking, the GitHub fake on loopback in this process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { copilotPaid, upcomingReset } from '../builders/copilot';
import { GitHubFake } from '../fakes/githubFake';
import * as cs from '../support/codeServer';
import {
  chooseFromContextMenu,
  expandRow,
  openTokstatView,
  pick,
  quickInput,
  rowText,
  runCommand,
  scenarioHooks,
  screenshots,
  treeRow,
  waitForQuickInputTitle,
  waitForStatus,
  waitUntil,
  submitQuickInput,
} from './support';

const LOGIN = 'octo-life';
const RENAMED = 'octo-renamed';
const CLIENT_ID = 'Iv1.e2e0000000000021';

describe('Copilot account: Sign In Again, Rename and Remove through the UI', function () {
  this.timeout(120_000);
  let gh: GitHubFake;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;

  const shot = screenshots(() => page, () => dirs.base);

  before(async function () {
    this.timeout(180_000);
    gh = new GitHubFake({ clientId: CLIENT_ID, deviceInterval: 1, deviceUser: { login: LOGIN, copilot: copilotPaid({ login: LOGIN, ...upcomingReset() }) } });
    await gh.start();
    dirs = cs.makeRunDirs('e2e-copilot');
    ({ server, browser, page } = await cs.startScenario(dirs, {
      'tokstat.endpoints': { copilot: gh.apiBaseUrl, 'github-oauth': gh.oauthBaseUrl },
      'tokstat.github.oauthClientId': CLIENT_ID,
      'workbench.trustedDomains.promptInTrustedWorkspace': false,
    }));
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), async () => {
    if (dirs) {
      const minted = gh ? gh.deviceCodes.flatMap((d) => [d.deviceCode, d.token ?? '']).filter(Boolean) : [];
      fs.writeFileSync(path.join(dirs.base, 'secrets-used.json'), JSON.stringify(minted));
    }
    await gh?.stop();
  });

  /** The device-code dialog is up: read its code, let "GitHub" approve it, return the code. */
  async function approveDeviceCode(): Promise<string> {
    const dialog = page.locator('.monaco-dialog-box', { hasText: /one-time code/ }).first();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const code = /one-time code is ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(await dialog.innerText())?.[1];
    assert.ok(code, 'the dialog shows a user code');
    await dialog.getByRole('button', { name: 'Copy and open GitHub' }).click();
    gh.approveDeviceCode(code);
    return code;
  }

  /** Opens the account row's context menu (right click, as a person does) and picks `item`. */
  const contextMenu = (account: string, item: string) =>
    chooseFromContextMenu(page, account, item, () => shot(`context-menu-${item.toLowerCase().replace(/\W+/g, '-')}`));

  it('adds a Copilot account by device code', async () => {
    await page.goto(cs.workbenchUrl(server!));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    await waitForStatus(page, 'no accounts yet', (t) => /add account/i.test(t), 60_000);
    await runCommand(page, 'tokstat: Add Account');
    await waitForQuickInputTitle(page, 'tokstat: Add Account');
    await pick(page, 'GitHub Copilot');
    await waitForQuickInputTitle(page, 'Add Account: GitHub Copilot');
    // The routes that need no app of tokstat's own come first; the device flow says what it needs.
    const routes = await quickInput(page).getByRole('option').allInnerTexts();
    assert.match(routes[0] ?? '', /VS Code's GitHub sign-in/, routes.join(' | '));
    await shot('copilot-sign-in-routes');
    await pick(page, 'Sign in with a device code');
    await approveDeviceCode();
    await waitForQuickInputTitle(page, 'Account name', 30_000);
    const input = quickInput(page).locator('input.input');
    await waitUntil('the name box pre-filled with the GitHub login', async () => (await input.inputValue()) === LOGIN);
    await submitQuickInput(page, 'Account name');
    await waitForStatus(page, `${LOGIN} with a percentage`, (t) => t.includes(LOGIN) && /\d+\s*%/.test(t));
    await openTokstatView(page);
    await expandRow(page, 'GitHub Copilot');
    await treeRow(page, LOGIN).first().waitFor({ state: 'visible' });
    await shot('copilot-added');
  });

  it('Sign In Again from the context menu after GitHub revoked the token', async () => {
    const first = gh.deviceCodes.at(-1)?.token;
    assert.ok(first, 'the first device flow minted a token');
    gh.removeToken(first);
    await runCommand(page, 'tokstat: Refresh All');
    await openTokstatView(page);
    await waitUntil('the account row says the sign-in was rejected', async () => /sign-in rejected/i.test(await rowText(page, LOGIN)), 30_000);
    await treeRow(page, 'Sign in again').first().waitFor({ state: 'visible', timeout: 30_000 });
    await shot('copilot-rejected');
    const before = gh.requests.length;
    await contextMenu(LOGIN, 'Sign In Again');
    await approveDeviceCode();
    const second = await waitUntil('a second token minted', () => (gh.deviceCodes.length >= 2 ? gh.deviceCodes.at(-1)?.token : undefined), 30_000);
    assert.notEqual(second, first);
    await waitUntil('the account is healthy again', async () => !/sign-in rejected/i.test(await rowText(page, LOGIN)), 30_000);
    assert.equal(await treeRow(page, 'Sign in again').count(), 0, 'no "Sign in again" row any more');
    const used = gh.requests.slice(before).filter((r) => r.path === '/copilot_internal/user').map((r) => r.headers.authorization ?? '');
    assert.ok(used.some((h) => h.endsWith(second)), 'the quota was read with the new token');
    await shot('copilot-signed-in-again');
  });

  it('Rename from the context menu', async () => {
    await contextMenu(LOGIN, 'Rename Account');
    await waitForQuickInputTitle(page, `tokstat: Rename "${LOGIN}"`);
    const input = quickInput(page).locator('input.input');
    await input.fill(RENAMED);
    await shot('copilot-rename-box');
    await page.keyboard.press('Enter');
    await treeRow(page, RENAMED).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await treeRow(page, LOGIN).count(), 0, 'the old name is gone from the tree');
    await waitForStatus(page, `the status bar names ${RENAMED}`, (t) => t.includes(RENAMED));
    await shot('copilot-renamed');
  });

  it('Remove from the context menu, confirmed in the modal dialog', async () => {
    await contextMenu(RENAMED, 'Remove Account');
    const dialog = page.locator('.monaco-dialog-box', { hasText: `Remove the account "${RENAMED}"?` }).first();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await shot('copilot-remove-confirm');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await waitUntil('the account row is gone', async () => (await treeRow(page, RENAMED).count()) === 0, 30_000);
    await waitForStatus(page, 'no accounts again', (t) => /add account/i.test(t), 30_000);
    await shot('copilot-removed');
  });
});
