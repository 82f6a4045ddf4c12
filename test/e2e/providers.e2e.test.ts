// The second person-driven scenario: one account of each remaining auth kind, added through the real UI of a real
// VS Code (code-server + headless Chromium) against loopback fakes —
//   - file-based OAuth: Claude Code's own sign-in, found by discovery in the run's home folder and added from the
//     notification (tokstat reads ~/.claude/.credentials.json, never copies it);
//   - admin key: OpenAI, with a monthly budget that turns spend into a meter with a limit;
//   - base URL + key: a LiteLLM proxy.
// Then the dashboard shows every card with its meters and where each number comes from.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { claudeCredentials, claudeGlobalConfig, claudeUsage } from '../builders/claude';
import { dayStartSec, oaCostDays, oaCostResult, oaUsageDays } from '../builders/openai';
import { llKeyInfo, llKeyInfoResponse } from '../builders/litellm';
import { ClaudeFake } from '../fakes/claudeFake';
import { LiteLLMFake } from '../fakes/liteLLMFake';
import { OpenAIFake } from '../fakes/openAIFake';
import { CLAUDE_OAUTH_TOKEN, CLAUDE_REFRESH_TOKEN, LITELLM_KEY, OPENAI_ADMIN_KEY } from '../fakes/secrets';
import * as cs from '../support/codeServer';
import { card, dumpDom, expandRow, openTokstatView, pick, quickInput, rowText, runCommand, scenarioHooks, screenshots, treeRow, waitForQuickInputTitle, waitForStatus, waitUntil, submitQuickInput } from './support';

const CLAUDE_EMAIL = 'claude-e2e@example.com';
const OPENAI_NAME = 'acme-openai';
const LITELLM_ALIAS = 'ci-bot';

describe('tokstat: one account of each auth kind (code-server + Chromium)', function () {
  this.timeout(120_000);
  let claude: ClaudeFake;
  let openai: OpenAIFake;
  let litellm: LiteLLMFake;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;
  let credentialsFile = '';
  let credentialsBefore = '';

  const shot = screenshots(() => page, () => dirs.base);

  before(async function () {
    this.timeout(180_000);
    claude = new ClaudeFake();
    openai = new OpenAIFake();
    litellm = new LiteLLMFake();
    await Promise.all([claude.start(), openai.start(), litellm.start()]);
    claude.addToken(CLAUDE_OAUTH_TOKEN, { usage: claudeUsage() });
    const now = Date.now();
    const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1) / 1000;
    openai.addAdminKey(OPENAI_ADMIN_KEY, {
      org: OPENAI_NAME,
      usage: oaUsageDays(monthStart, now),
      costs: oaCostDays(monthStart, now, (i) => [oaCostResult(i === 0 ? 40 : 0)]),
    });
    void dayStartSec;
    litellm.addKey(LITELLM_KEY, { keyInfo: llKeyInfoResponse(llKeyInfo({ key_alias: LITELLM_ALIAS, team_id: null, user_id: null })).info as Record<string, unknown> });

    dirs = cs.makeRunDirs('e2e-providers');
    // Claude Code's own sign-in in the run's home folder (code-server gets HOME=<run>/home).
    const home = path.join(dirs.base, 'home');
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    credentialsFile = path.join(home, '.claude', '.credentials.json');
    fs.writeFileSync(credentialsFile, JSON.stringify(claudeCredentials({ accessToken: CLAUDE_OAUTH_TOKEN, refreshToken: CLAUDE_REFRESH_TOKEN })), { mode: 0o600 });
    fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify(claudeGlobalConfig(CLAUDE_EMAIL)));
    credentialsBefore = fs.readFileSync(credentialsFile, 'utf8');

    ({ server, browser, page } = await cs.startScenario(dirs, {
      'tokstat.endpoints': { claude: claude.baseUrl, openai: openai.baseUrl },
    }));
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), () => Promise.all([claude?.stop(), openai?.stop(), litellm?.stop()]));

  it('offers the Claude Code sign-in it found, and adds it without copying it', async () => {
    await page.goto(cs.workbenchUrl(server!));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    await waitForStatus(page, 'no accounts yet', (t) => /add account/i.test(t), 60_000);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /found Claude Code/ }).first();
    await toast.waitFor({ state: 'visible', timeout: 45_000 });
    await shot('discovery-offer');
    await toast.getByRole('button', { name: 'Add' }).click();
    await waitForQuickInputTitle(page, 'Account name', 30_000);
    const input = quickInput(page).locator('input.input');
    await waitUntil('the name pre-filled with the Claude account e-mail', async () => (await input.inputValue()) === CLAUDE_EMAIL);
    await submitQuickInput(page, 'Account name');
    await openTokstatView(page);
    await expandRow(page, /Claude plan/);
    await expandRow(page, CLAUDE_EMAIL);
    const row = await waitUntil('the 5-hour window row', async () => ((await treeRow(page, /^5-hour/).count()) > 0 ? rowText(page, /^5-hour/) : false), 30_000);
    assert.match(row, /51\s*%/, `5-hour utilisation from the fake: ${row}`);
    await shot('tree-claude');
    assert.equal(fs.readFileSync(credentialsFile, 'utf8'), credentialsBefore, "Claude Code's credentials file is never written");
  });

  it('adds an OpenAI organization with an admin key and a monthly budget', async () => {
    await runCommand(page, 'tokstat: Add Account');
    await waitForQuickInputTitle(page, 'tokstat: Add Account');
    await pick(page, 'OpenAI (admin key)');
    await waitForQuickInputTitle(page, /OpenAI \(admin key\) API key/);
    await quickInput(page).locator('input.input').fill(OPENAI_ADMIN_KEY);
    await page.keyboard.press('Enter');
    await waitForQuickInputTitle(page, /Monthly budget/, 30_000);
    await quickInput(page).locator('input.input').fill('100');
    await shot('openai-budget');
    await page.keyboard.press('Enter');
    await waitForQuickInputTitle(page, 'Account name', 30_000);
    await quickInput(page).locator('input.input').fill(OPENAI_NAME);
    await submitQuickInput(page, 'Account name');
    await expandRow(page, /OpenAI/);
    await expandRow(page, OPENAI_NAME);
    const spend = await waitUntil('the spend meter with its budget', async () => ((await treeRow(page, /^Spent this month/).count()) > 0 ? rowText(page, /^Spent this month/) : false), 30_000);
    assert.match(spend, /40\s*%/, `$40 of a $100 budget: ${spend}`);
    await shot('tree-openai');
  });

  it('adds a LiteLLM proxy by base URL and virtual key', async () => {
    await runCommand(page, 'tokstat: Add Account');
    await waitForQuickInputTitle(page, 'tokstat: Add Account');
    await pick(page, 'LiteLLM proxy');
    await waitForQuickInputTitle(page, /Proxy base URL/);
    await quickInput(page).locator('input.input').fill(litellm.url);
    await page.keyboard.press('Enter');
    await waitForQuickInputTitle(page, /LiteLLM proxy API key/, 30_000);
    await quickInput(page).locator('input.input').fill(LITELLM_KEY);
    await page.keyboard.press('Enter');
    await waitForQuickInputTitle(page, 'Account name', 30_000);
    const input = quickInput(page).locator('input.input');
    await waitUntil('the name pre-filled with the key alias', async () => (await input.inputValue()) === LITELLM_ALIAS);
    await submitQuickInput(page, 'Account name');
    await expandRow(page, 'LiteLLM proxy');
    await expandRow(page, LITELLM_ALIAS);
    const budget = await waitUntil('the key budget row', async () => ((await treeRow(page, /^Key budget/).count()) > 0 ? rowText(page, /^Key budget/) : false), 30_000);
    assert.match(budget, /12\.34|25\s*%|24\.7/, `$12.34 of $50: ${budget}`);
    await shot('tree-litellm');
  });

  it('shows every account in the dashboard with the source of each number', async () => {
    await runCommand(page, 'tokstat: Open Dashboard');
    for (const name of [CLAUDE_EMAIL, OPENAI_NAME, LITELLM_ALIAS]) await card(page, name).waitFor({ state: 'visible', timeout: 30_000 });
    const claudeSource = await card(page, CLAUDE_EMAIL).locator('[data-testid="meter-source"]').first().innerText();
    assert.match(claudeSource, /undocumented/i, `Claude's numbers are marked as coming from an undocumented endpoint: ${claudeSource}`);
    const openaiSource = await card(page, OPENAI_NAME).locator('[data-testid="meter-source"]').first().innerText();
    assert.match(openaiSource, /official/i, `OpenAI's numbers come from the official API: ${openaiSource}`);
    await shot('dashboard-all-kinds');
    await dumpDom(page, path.join(dirs.base, 'dom'), 'dashboard-all-kinds');
  });
});
