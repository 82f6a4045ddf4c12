// tokstat in another display language, in the real VS Code: code-server started with `--locale zh-cn` (and a
// language pack entry, without which VS Code stays English; see seedDisplayLanguage). A person adds an OpenRouter
// account from the command palette in Chinese, then reads the status bar, its tooltip, the tree and the dashboard in
// Simplified Chinese, with zh-CN dates and numbers. Run alone: node scripts/run-e2e.js --grep "Simplified Chinese"
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { orKey } from '../builders/openrouter';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { OPENROUTER_KEY } from '../fakes/secrets';
import * as cs from '../support/codeServer';
import {
  STATUS_ITEM,
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
  treeRow,
  waitForQuickInputTitle,
  waitForStatus,
  waitUntil,
  submitQuickInput,
} from './support';

const NAME = 'zh-router';
const LOCALE = 'zh-cn';
/** The key limit resets at the month's end: "24天 3小时后重置", "24天后重置", or on the last day "5小时 12分后重置". */
const RESETS_IN = String.raw`(?:\d+天(?: \d+小时)?|\d+小时(?: \d+分)?|\d+分|<1分)后重置`;

describe('tokstat in Simplified Chinese (code-server --locale zh-cn)', function () {
  this.timeout(120_000);
  let or: OpenRouterFake;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;
  const shot = screenshots(() => page, () => dirs.base);

  before(async function () {
    this.timeout(180_000);
    or = new OpenRouterFake();
    await or.start();
    // Amounts past a thousand, so the grouping shows.
    or.addKey(OPENROUTER_KEY, orKey({ label: NAME, limit: 12_000, limit_remaining: 8_765.5, usage: 3_234.5, usage_monthly: 3_234.5, usage_daily: 1_234.25 }));
    dirs = cs.makeRunDirs('e2e-zh-cn');
    cs.seedDisplayLanguage(dirs, LOCALE);
    ({ server, browser, page } = await cs.startScenario(dirs, { 'tokstat.endpoints': { openrouter: or.baseUrl } }, { args: ['--locale', LOCALE] }));
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), async () => {
    await or?.stop();
  });

  it('opens the workbench with the status item in Chinese', async () => {
    await page.goto(cs.workbenchUrl(server!));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    const text = await waitForStatus(page, 'no accounts yet, in Chinese', (t) => t.includes('还没有账户'), 60_000);
    assert.match(text, /tokstat：还没有账户，添加账户/);
    await shot('zh-workbench');
  });

  it('adds an OpenRouter account from the Chinese command palette', async () => {
    // The palette title comes from package.nls.zh-cn.json: category "tokstat", title "添加账户".
    await runCommand(page, 'tokstat: 添加账户');
    await waitForQuickInputTitle(page, 'tokstat：添加账户');
    const placeholder = await quickInput(page).locator('input.input').getAttribute('placeholder');
    assert.equal(placeholder, '你想跟踪哪个 AI 账户？');
    await shot('zh-add-account');
    await pick(page, 'OpenRouter');
    await waitForQuickInputTitle(page, 'tokstat：OpenRouter API 密钥');
    const input = quickInput(page).locator('input.input');
    await input.fill(OPENROUTER_KEY);
    await page.keyboard.press('Enter');
    await waitForQuickInputTitle(page, 'tokstat：账户名称（OpenRouter）', 30_000);
    await waitUntil('the name box pre-filled', async () => (await input.inputValue()) === NAME);
    await submitQuickInput(page, 'tokstat：账户名称（OpenRouter）');
    assert.ok(or.requestsTo('/api/v1/key').length >= 1, 'the key was checked against the fake');
    // $3,234.50 of $12,000 used: 27 %.
    await waitForStatus(page, `${NAME} 27%`, (t) => t.includes(NAME) && /27\s*%/.test(t));
  });

  it('the status bar tooltip reads in Chinese, with zh-CN numbers', async () => {
    await page.locator(STATUS_ITEM).first().hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: NAME }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /密钥限额（每月）/, `meter label: ${text}`);
    assert.match(text, /\$3,234\.50 \/ \$12,000\.00/, `zh-CN grouping and decimals: ${text}`);
    assert.match(text, /最新 · 更新于刚刚/, `freshness line: ${text}`);
    assert.match(text, /来源：官方 API/, `source: ${text}`);
    assert.match(text, /仪表板/, 'the dashboard link');
    assert.doesNotMatch(text, /\bup to date\b|\bupdated\b|\bSource\b/, `no English left in the tooltip: ${text}`);
    await shot('zh-status-bar-tooltip');
    await page.keyboard.press('Escape');
  });

  it('the tree shows the account and its meters in Chinese', async () => {
    await openTokstatView(page);
    await expandRow(page, 'OpenRouter');
    assert.match(await rowText(page, 'OpenRouter'), /1 个账户/);
    await expandRow(page, NAME);
    const meter = await waitUntil('the key-limit row', async () => ((await treeRow(page, /^密钥限额/).count()) > 0 ? rowText(page, /^密钥限额/) : false));
    assert.match(meter, new RegExp(`^密钥限额（每月） ?27% · ${RESETS_IN}$`), meter);
    assert.match(await rowText(page, /^本月花费/), /\$3,234\.50/);
    assert.match(await rowText(page, /^今日花费/), /\$1,234\.25/);
    await shot('zh-tree');
  });

  it('the dashboard is in Chinese: toolbar, card, badges, meters and zh-CN dates', async () => {
    await runCommand(page, 'tokstat: 打开仪表板');
    const c = card(page, NAME);
    await c.waitFor({ state: 'visible', timeout: 30_000 });
    const doc = dashboard(page);
    assert.equal(await doc.locator('html').getAttribute('lang'), LOCALE);
    assert.equal((await doc.locator('.toolbar-title').innerText()).trim(), 'AI 用量');
    assert.match(await doc.locator('[data-testid="refresh-all"]').innerText(), /全部刷新/);
    assert.equal((await c.locator('[data-testid="account-status"]').innerText()).trim(), '最新');
    const meter = c.locator('[data-testid="meter"][data-meter-id="key-limit"]');
    assert.equal((await meter.locator('.meter-label').innerText()).trim(), '密钥限额（每月）');
    assert.equal((await meter.locator('[data-testid="meter-detail"]').innerText()).trim(), '$3,234.50 / $12,000.00');
    assert.match(await meter.locator('[data-testid="meter-reset"]').innerText(), new RegExp(`^${RESETS_IN}$`));
    assert.match(await meter.locator('[data-testid="meter-source"]').innerText(), /官方 API/);
    assert.match(await c.locator('.next-poll').innerText(), /后更新$|即将更新/);
    // The absolute time behind a countdown is its tooltip, formatted in zh-CN ("2026年12月7日 14:00").
    const reset = meter.locator('[data-testid="meter-reset"]');
    await reset.hover();
    const title = await waitUntil('the countdown tooltip', async () => (await reset.getAttribute('title')) || false);
    assert.match(title, /\d{4}年\d{1,2}月\d{1,2}日/, `zh-CN date: ${title}`);
    assert.match(await doc.locator('[data-testid="overview"] thead').innerText(), /账户[\s\S]*最紧张的计量项[\s\S]*状态[\s\S]*重置/);
    await shot('zh-dashboard');
    await dumpDom(page, path.join(dirs.base, 'dom'), 'zh-dashboard');
  });
});
