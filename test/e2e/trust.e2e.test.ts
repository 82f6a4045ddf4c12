// A cloned repository cannot redirect tokstat's keys (#16), driven in a real VS Code (code-server + headless
// Chromium): the workspace's .vscode/settings.json points every provider, the GitHub sign-in, the price list and the
// agent-log folders at a loopback "attacker" server, turns discovery off and shortens history retention to a day. The
// user's own settings point OpenRouter and Claude at their (fake) servers. tokstat must poll the user's servers only,
// send the attacker nothing — no key, no price-list download. Then the same folder opens in Restricted Mode (workspace trust on, the author not trusted): tokstat keeps
// working there.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { claudeCredentials, claudeGlobalConfig, claudeUsage } from '../builders/claude';
import { orKey } from '../builders/openrouter';
import { ClaudeFake } from '../fakes/claudeFake';
import { FakeServer } from '../fakes/fakeServer';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { CLAUDE_OAUTH_TOKEN, CLAUDE_REFRESH_TOKEN, OPENROUTER_KEY } from '../fakes/secrets';
import { PROVIDERS } from '../../src/core/providers/registry';
import * as cs from '../support/codeServer';
import { addOpenRouterAccount, expandRow, openTokstatView, rowText, runCommand, scenarioHooks, screenshots, treeRow, waitForQuickInputTitle, waitForStatus, waitUntil, submitQuickInput } from './support';

const OR_NAME = 'my-openrouter';
const CLAUDE_EMAIL = 'trust-e2e@example.com';

describe('tokstat: a hostile workspace cannot redirect keys or requests (code-server + Chromium)', function () {
  this.timeout(120_000);
  let attacker: FakeServer;
  let or: OpenRouterFake;
  let claude: ClaudeFake;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;
  let port = 0;
  let userSettings: Record<string, unknown> = {};

  const shot = screenshots(() => page, () => dirs.base);

  /** What the attacker received, for the failure message: method, path and which credential headers came along. */
  const attackerSaw = () =>
    attacker.requests.map((r) => `${r.method} ${r.path} [${Object.keys(r.headers).filter((h) => /auth|key|cookie/i.test(h)).join(',')}]`).join('; ');

  /** The tokstat output channel's log file(s) of this run. */
  const tokstatLog = () =>
    cs
      .findFiles(dirs.userData, (p) => /tokstat/i.test(path.basename(p)) && p.endsWith('.log'))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');

  const openSession = async (opts: { workspaceTrust?: boolean } = {}) => {
    server = await cs.startCodeServer({ dirs, env: port ? { PORT: String(port) } : {}, workspaceTrust: opts.workspaceTrust });
    port = server.port;
    browser = await cs.launchBrowser(dirs);
    page = browser.page;
    await page.goto(cs.workbenchUrl(server));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
  };

  before(async function () {
    this.timeout(180_000);
    attacker = new FakeServer();
    or = new OpenRouterFake();
    claude = new ClaudeFake();
    await Promise.all([attacker.start(), or.start(), claude.start()]);
    or.addKey(OPENROUTER_KEY, orKey({ label: OR_NAME }));
    claude.addToken(CLAUDE_OAUTH_TOKEN, { usage: claudeUsage() });

    dirs = cs.makeRunDirs('e2e-trust');
    // Claude Code's sign-in in the run's home, for discovery (which the workspace tries to turn off).
    const home = path.join(dirs.base, 'home');
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(home, '.claude', '.credentials.json'), JSON.stringify(claudeCredentials({ accessToken: CLAUDE_OAUTH_TOKEN, refreshToken: CLAUDE_REFRESH_TOKEN })), { mode: 0o600 });
    fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify(claudeGlobalConfig(CLAUDE_EMAIL)));

    // The hostile repository: every provider, the GitHub sign-in and the price list at the attacker.
    const evil = `${attacker.url}/steal`;
    const endpoints = Object.fromEntries([...PROVIDERS.map((p) => p.id), 'github-oauth'].map((id) => [id, `${evil}/${id}`]));
    const evilFolder = path.join(dirs.workspace, '.evil');
    fs.mkdirSync(path.join(dirs.workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(dirs.workspace, '.vscode', 'settings.json'),
      JSON.stringify(
        {
          'tokstat.endpoints': endpoints,
          'tokstat.github.enterpriseHost': new URL(attacker.url).host,
          'tokstat.github.oauthClientId': 'Iv1.attacker',
          'tokstat.pricing.offline': false,
          'tokstat.pricing.url': `${evil}/prices.json`,
          'tokstat.pricing.overrides': { 'claude-sonnet-4': { input: 0, output: 0 } },
          'tokstat.pollIntervals': { openrouter: 60, claude: 60 },
          'tokstat.requestTimeoutSeconds': 120,
          'tokstat.discovery.enabled': false,
          'tokstat.history.retention': { rawDays: 1, fifteenMinuteDays: 1, dailyDays: 1 },
          'tokstat.localUsage.claudeConfigDirs': [evilFolder],
          'tokstat.localUsage.codexHomes': [evilFolder],
          'tokstat.localUsage.geminiDirs': [evilFolder],
          'tokstat.localUsage.opencodeDirs': [evilFolder],
        },
        null,
        2,
      ),
    );

    cs.installVsix(dirs, cs.SCENARIO_VSIX);
    userSettings = { 'tokstat.endpoints': { openrouter: or.baseUrl, claude: claude.baseUrl } };
    cs.seedSettings(dirs, userSettings);
    await openSession();
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), () => Promise.all([attacker?.stop(), or?.stop(), claude?.stop()]));

  it('adds an OpenRouter key: it goes to the server of the user settings, never to the workspace’s', async () => {
    await waitForStatus(page, 'no accounts yet', (t) => /add account/i.test(t), 60_000);
    await addOpenRouterAccount(page, OPENROUTER_KEY);
    await waitForStatus(page, `${OR_NAME} with a percentage`, (t) => t.includes(OR_NAME) && /\d+\s*%/.test(t));
    const checked = or.requestsTo('/api/v1/key');
    assert.ok(checked.length >= 1, 'the key reached the user’s OpenRouter server');
    assert.equal(checked[0]!.headers.authorization, `Bearer ${OPENROUTER_KEY}`);
    assert.equal(attacker.requests.length, 0, `the attacker received nothing: ${attackerSaw()}`);
    await shot('openrouter-added');
  });

  it('still finds the Claude Code sign-in (the workspace cannot turn discovery off) and polls the user’s Claude server', async () => {
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /found Claude Code/ }).first();
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    await toast.getByRole('button', { name: 'Add' }).click();
    await waitForQuickInputTitle(page, 'Account name', 30_000);
    await submitQuickInput(page, 'Account name');
    await openTokstatView(page);
    await expandRow(page, /Claude plan/);
    await expandRow(page, CLAUDE_EMAIL);
    const row = await waitUntil('the 5-hour window row', async () => ((await treeRow(page, /^5-hour/).count()) > 0 ? rowText(page, /^5-hour/) : false), 30_000);
    assert.match(row, /51\s*%/, row);
    assert.ok(claude.requests.some((r) => r.headers.authorization === `Bearer ${CLAUDE_OAUTH_TOKEN}`), 'the Claude token reached the user’s Claude server');
    assert.equal(attacker.requests.length, 0, `the attacker received nothing: ${attackerSaw()}`);
    await shot('claude-added');
  });

  it('Refresh All polls both accounts at the user’s servers; the attacker has still received nothing', async () => {
    const before = { or: or.requests.length, claude: claude.requests.length };
    await runCommand(page, 'tokstat: Refresh All');
    await waitUntil('both accounts polled again', () => or.requests.length > before.or && claude.requests.length > before.claude, 30_000);
    const log = tokstatLog();
    assert.match(log, new RegExp(`openrouter GET 127\\.0\\.0\\.1:${new URL(or.url).port}/api/v1/key`), 'the log shows the polls at the user’s server');
    assert.ok(!log.includes(new URL(attacker.url).host), 'no request to the attacker’s address was even attempted');
    assert.equal(attacker.requests.length, 0, `the attacker received nothing, not even a price-list download: ${attackerSaw()}`);
    await shot('refreshed');
  });

  it('in Restricted Mode (an untrusted workspace) tokstat keeps working, and the attacker still receives nothing', async () => {
    await browser?.close();
    await server?.stop();
    cs.seedSettings(dirs, { ...userSettings, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'always' });
    await openSession({ workspaceTrust: true });
    const dontTrust = page.getByRole('button', { name: /No, I don.t trust/i });
    await dontTrust.waitFor({ state: 'visible', timeout: 60_000 });
    await shot('trust-prompt');
    await dontTrust.click();
    await page.locator('[id="status.workspaceTrust"]').or(page.locator('.statusbar-item', { hasText: /Restricted Mode/ })).first().waitFor({ state: 'visible', timeout: 30_000 });
    const before = or.requests.length;
    // The status bar shows the meter closest to its limit: Claude's 5-hour window at 51 %.
    const text = await waitForStatus(page, 'an account with its percentage in Restricted Mode', (t) => t.includes(CLAUDE_EMAIL) && /51\s*%/.test(t), 60_000);
    assert.ok(!/add account/i.test(text), text);
    await runCommand(page, 'tokstat: Refresh All');
    await waitUntil('OpenRouter polled in Restricted Mode', () => or.requests.length > before, 30_000);
    assert.equal(attacker.requests.length, 0, `the attacker received nothing: ${attackerSaw()}`);
    await shot('restricted-mode');
  });
});
