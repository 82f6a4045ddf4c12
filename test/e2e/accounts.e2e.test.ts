// The person-driven scenario, end to end: the packaged tokstat.vsix installed into a real VS Code
// (code-server), headless Chromium clicking and typing, the provider fakes on loopback in this process.
// Add an OpenRouter account by key and a Copilot account by device code, see them in the status bar, the tree
// and the dashboard, break the fakes (429, 401) and see stale / sign-in-again, reload and find it all again.
// Steps build on each other; scripts/run-e2e.js stops at the first failure.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { copilotPaid, upcomingReset } from '../builders/copilot';
import { orKey } from '../builders/openrouter';
import { GitHubFake } from '../fakes/githubFake';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { OPENROUTER_KEY } from '../fakes/secrets';
import * as cs from '../support/codeServer';
import {
  card,
  dashboard,
  dumpDom,
  expandRow,
  openTokstatView,
  pick,
  quickInput,
  rowText,
  runCommand,
  scenarioHooks,
  screenshots,
  statusText,
  treeRow,
  waitForQuickInputTitle,
  waitForStatus,
  waitUntil,
  submitQuickInput,
} from './support';

const OR_NAME = 'e2e-router';
const GH_LOGIN = 'octo-e2e';
const CLIENT_ID = 'Iv1.e2e0000000000000';

describe('tokstat in VS Code (code-server + Chromium)', function () {
  this.timeout(120_000);
  let gh: GitHubFake;
  let or: OpenRouterFake;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;

  const shot = screenshots(() => page, () => dirs.base);

  before(async function () {
    this.timeout(180_000);
    gh = new GitHubFake({ clientId: CLIENT_ID, deviceInterval: 1, deviceUser: { login: GH_LOGIN, copilot: copilotPaid({ login: GH_LOGIN, ...upcomingReset() }) } });
    or = new OpenRouterFake();
    await gh.start();
    await or.start();
    or.addKey(OPENROUTER_KEY, orKey({ label: OR_NAME }));

    dirs = cs.makeRunDirs('e2e');
    ({ server, browser, page } = await cs.startScenario(dirs, {
      'tokstat.endpoints': { copilot: gh.apiBaseUrl, 'github-oauth': gh.oauthBaseUrl, openrouter: or.baseUrl },
      'tokstat.github.oauthClientId': CLIENT_ID,
      // Links to the fake's verification page open without the "open external website?" prompt.
      'workbench.trustedDomains.promptInTrustedWorkspace': false,
    }));
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), async () => {
    // Tokens the fakes minted at run time, for the secret-leak check (test/fakes/secrets.ts has the static ones).
    if (dirs) {
      const minted = gh ? gh.deviceCodes.flatMap((d) => [d.deviceCode, d.token ?? '']).filter(Boolean) : [];
      fs.writeFileSync(path.join(dirs.base, 'secrets-used.json'), JSON.stringify(minted));
    }
    await gh?.stop();
    await or?.stop();
  });

  it('opens the workbench with the tokstat status item', async () => {
    await page.goto(cs.workbenchUrl(server!));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    const text = await waitForStatus(page, 'no accounts yet → "Add account"', (t) => /add account/i.test(t), 60_000);
    assert.match(text, /tokstat/i);
    await shot('workbench-no-accounts');
  });

  it('adds an OpenRouter account from the command palette', async () => {
    await runCommand(page, 'tokstat: Add Account');
    await waitForQuickInputTitle(page, 'tokstat: Add Account');
    await shot('add-account-providers');
    await pick(page, 'OpenRouter');
    await waitForQuickInputTitle(page, 'OpenRouter API key');
    const input = quickInput(page).locator('input.input');
    assert.equal(await input.getAttribute('type'), 'password', 'the key box hides what is typed');
    await input.fill(OPENROUTER_KEY);
    await shot('openrouter-key');
    await page.keyboard.press('Enter');
    await waitForQuickInputTitle(page, 'Account name');
    await waitUntil('the name box pre-filled with the key label', async () => (await input.inputValue()) === OR_NAME);
    await shot('openrouter-name');
    await submitQuickInput(page, 'Account name');
    assert.ok(or.requestsTo('/api/v1/key').length >= 1, 'the key was checked against the fake');
    const text = await waitForStatus(page, `shows ${OR_NAME} with a percentage`, (t) => t.includes(OR_NAME) && /\d+\s*%/.test(t));
    assert.match(text, /26\s*%|25\.5\s*%|25\s*%/, 'OpenRouter key: $25.50 of $100 used');
    await shot('openrouter-status-bar');
  });

  it('shows the OpenRouter account and its meter in the tree', async () => {
    await openTokstatView(page);
    await expandRow(page, 'OpenRouter');
    await expandRow(page, OR_NAME);
    const meter = await waitUntil('a meter row under the account', async () => {
      const row = treeRow(page, /^Key limit/);
      return (await row.count()) > 0 ? rowText(page, /^Key limit/) : false;
    });
    assert.match(meter, /25\.5|74\.5|26\s*%/, `meter row shows the usage: ${meter}`);
    await shot('tree-openrouter');
  });

  it('shows the OpenRouter gauges in the dashboard', async () => {
    await runCommand(page, 'tokstat: Open Dashboard');
    const c = card(page, OR_NAME);
    await c.waitFor({ state: 'visible', timeout: 30_000 });
    const value = await waitUntil('a meter value', async () => (await c.locator('[data-testid="meter"] [data-testid="meter-value"]').first().innerText()).trim());
    assert.match(value, /\d/, `meter value: ${value}`);
    const detail = await c.locator('[data-testid="meter"] [data-testid="meter-detail"]').first().innerText();
    assert.match(detail + value, /25\.5|74\.5|100/, `meter shows used / limit: ${value} ${detail}`);
    await shot('dashboard-openrouter');
    await dumpDom(page, path.join(dirs.base, 'dom'), 'dashboard-openrouter');
  });

  it('adds a GitHub Copilot account by device code', async () => {
    await runCommand(page, 'tokstat: Add Account');
    await waitForQuickInputTitle(page, 'tokstat: Add Account');
    await pick(page, 'GitHub Copilot');
    await pick(page, 'Sign in with a device code');
    const dialog = page.locator('.monaco-dialog-box', { hasText: /one-time code/ }).first();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const message = await dialog.innerText();
    const code = /one-time code is ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(message)?.[1];
    assert.ok(code, `the dialog shows a user code: ${message}`);
    assert.ok(message.includes(gh.url), 'the dialog shows the verification URI');
    await shot('device-code-dialog');
    await dialog.getByRole('button', { name: 'Copy and open GitHub' }).click();
    // The wait is a cancellable progress notification that closes by itself once GitHub answers.
    await page.locator('.notifications-toasts .notification-toast', { hasText: /waiting for GitHub authorization/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await shot('device-code-waiting');
    // The person enters the code on GitHub: the fake approves it and the next poll returns a token.
    gh.approveDeviceCode(code);
    await waitForQuickInputTitle(page, 'Account name', 30_000);
    const input = quickInput(page).locator('input.input');
    await waitUntil('the name box pre-filled with the GitHub login', async () => (await input.inputValue()) === GH_LOGIN);
    await shot('copilot-name');
    await submitQuickInput(page, 'Account name');
    await openTokstatView(page);
    await expandRow(page, 'GitHub Copilot');
    await expandRow(page, GH_LOGIN);
    const meter = await waitUntil('the Premium requests meter', async () => ((await treeRow(page, 'Premium requests').count()) > 0 ? rowText(page, 'Premium requests') : false));
    assert.match(meter, /445|1054|1,054|1500|1,500|30\s*%|29\.7/, `premium requests row: ${meter}`);
    await shot('tree-copilot');
    const c = card(page, GH_LOGIN);
    await c.waitFor({ state: 'visible', timeout: 30_000 });
    // Two accounts that can do coding-agent work (Copilot, OpenRouter): the overview advises which has more room.
    const advice = dashboard(page).locator('[data-testid="headroom-line"][data-kind="codex"]');
    await advice.waitFor({ state: 'visible', timeout: 30_000 });
    const line = (await advice.innerText()).trim();
    assert.match(line, new RegExp(`^"(${GH_LOGIN}|${OR_NAME})" \\((copilot|openrouter)\\) has the most room for coding-agent work`), `headroom line: ${line}`);
    assert.ok(!line.includes(OPENROUTER_KEY));
    await advice.scrollIntoViewIfNeeded();
    await shot('dashboard-copilot');
  });

  it('marks the OpenRouter account stale when the server answers 429', async () => {
    or.fail({ retryAfterSeconds: 120 }, { path: '/api/v1/key', persistent: true });
    await runCommand(page, 'tokstat: Refresh All');
    await openTokstatView(page);
    const text = await waitUntil('OpenRouter account row says stale', async () => {
      const t = await rowText(page, OR_NAME);
      return /stale/i.test(t) ? t : false;
    }, 30_000);
    assert.match(text, /stale/i);
    await card(page, OR_NAME).locator('[data-testid="stale-badge"]').waitFor({ state: 'visible', timeout: 30_000 });
    await shot('openrouter-stale');
  });

  it('asks to sign in again when GitHub answers 401', async () => {
    gh.fail({ status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } }, { path: '/copilot_internal/user', persistent: true });
    await runCommand(page, 'tokstat: Refresh All');
    // The account row leads with the reason; the row under it offers the fix.
    const text = await waitUntil('Copilot account row says the sign-in was rejected', async () => {
      const t = await rowText(page, GH_LOGIN);
      return /sign-in rejected/i.test(t) ? t : false;
    }, 30_000);
    assert.match(text, /Sign-in rejected · .+ stale/);
    await treeRow(page, 'Sign in again').first().waitFor({ state: 'visible', timeout: 30_000 });
    await card(page, GH_LOGIN).locator('[data-testid="sign-in"]').waitFor({ state: 'visible', timeout: 30_000 });
    await shot('copilot-sign-in-again');
    await dumpDom(page, path.join(dirs.base, 'dom'), 'dashboard-errors');
  });

  it('keeps the accounts across a window reload', async () => {
    gh.clearFaults();
    or.clearFaults();
    // globalState reaches storage lazily (1–3 s, see docs/real-vscode-testing.md): the one documented pause.
    await new Promise((r) => setTimeout(r, 3_000));
    await page.reload();
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    const text = await waitForStatus(page, 'an account with a percentage after reload', (t) => (t.includes(OR_NAME) || t.includes(GH_LOGIN)) && /\d+\s*%/.test(t), 60_000);
    assert.ok(!/add account/i.test(text), `status bar after reload: ${text}`);
    await openTokstatView(page);
    await expandRow(page, 'OpenRouter');
    await expandRow(page, 'GitHub Copilot');
    await treeRow(page, OR_NAME).first().waitFor({ state: 'visible' });
    await treeRow(page, GH_LOGIN).first().waitFor({ state: 'visible' });
    await shot('after-reload');
    assert.ok((await statusText(page)).length > 0);
    await runCommand(page, 'tokstat: Open Dashboard');
    await card(page, OR_NAME).waitFor({ state: 'visible', timeout: 30_000 });
    await card(page, GH_LOGIN).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await dashboard(page).locator('[data-testid="empty-state"]').count(), 0, 'no empty state with two accounts');
    await shot('dashboard-after-reload');
    await dumpDom(page, path.join(dirs.base, 'dom'), 'after-reload');
  });
});
