// Local agent usage, end to end: Claude Code and Codex CLI logs in the run's home folder (code-server gets
// HOME=<run>/home), read by the packaged extension in a real VS Code; the "Local agents" tree and the dashboard's
// usage section must show exactly the totals the logs hold. Then the agent keeps writing while VS Code runs and
// today's figures move; finally tokstat's CLI, run against the same home, agrees with the dashboard.
//
// The logs: test/support/corpus.ts writes a realistic corpus (every accounting trap: repeated usage per content
// block, sidechain replays, resumed sessions, cumulative-only Codex counters, truncated lines…) whose true totals
// it returns; it is dated today. A hand-written Claude Code session whose cwd is the code-server workspace adds
// known numbers for "this workspace" (the corpus's projects live elsewhere), one of them earlier this month.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { formatTokens, formatUsd } from '../../src/shared/usageFormat';
import { localDay } from '../../src/core/usage/usageIndex';
import { generateCorpus, type TrueTotals } from '../support/corpus';
import * as cs from '../support/codeServer';
import { dashboard, dumpDom, editSettings, expandRow, openTokstatView, rowText, runCommand, scenarioHooks, screenshots, treeRow, usageSection, usageText, waitForStatus, waitUntil } from './support';

const MINUTE = 60_000;
const MODEL = 'claude-sonnet-4-5-20250929';

interface Req {
  ts: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  tool?: string;
}

const tokensOf = (r: Req) => r.input + r.output + r.cacheRead + r.cacheWrite;
const totalTokens = (t: TrueTotals) => t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheWrite5mTokens + t.cacheWrite1hTokens;

/** Claude Code transcript lines of one request (one line per content block, each repeating the usage, as Claude Code does). */
function claudeLines(sessionId: string, cwd: string, r: Req, n: number): string[] {
  const base = { sessionId, cwd, version: '2.1.0', userType: 'external', gitBranch: 'main' };
  const usage = {
    input_tokens: r.input,
    cache_creation_input_tokens: r.cacheWrite,
    cache_read_input_tokens: r.cacheRead,
    output_tokens: r.output,
    cache_creation: { ephemeral_5m_input_tokens: r.cacheWrite, ephemeral_1h_input_tokens: 0 },
    service_tier: 'standard',
  };
  const at = new Date(r.ts).toISOString();
  const msg = (content: unknown[]) => ({ id: `msg_ws${n}`, type: 'message', role: 'assistant', model: MODEL, content, stop_reason: r.tool ? 'tool_use' : 'end_turn', usage });
  const lines = [
    { ...base, type: 'user', uuid: `u-${n}-q`, timestamp: new Date(r.ts - 2000).toISOString(), message: { role: 'user', content: `step ${n}` } },
    { ...base, type: 'assistant', uuid: `u-${n}-a`, isSidechain: false, requestId: `req_ws${n}`, timestamp: at, message: msg([{ type: 'text', text: 'On it.' }]) },
  ];
  if (r.tool) {
    lines.push({ ...base, type: 'assistant', uuid: `u-${n}-t`, isSidechain: false, requestId: `req_ws${n}`, timestamp: at, message: msg([{ type: 'tool_use', id: `toolu_ws${n}`, name: r.tool, input: { file_path: `${cwd}/README.md` } }]) });
    lines.push({
      ...base,
      type: 'user',
      uuid: `u-${n}-r`,
      timestamp: new Date(r.ts + 1500).toISOString(),
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_ws${n}`, content: '# tokstat test workspace' }] },
    } as never);
  }
  return lines.map((l) => JSON.stringify(l));
}

describe('local agent usage (code-server + Chromium)', function () {
  this.timeout(120_000);
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;
  let home = '';
  let sessionFile = '';
  const now = Date.now();
  const today = localDay(now);
  const dayStart = new Date(now).setHours(0, 1, 0, 0);
  /** `minutes` before now, but never before today began (a run just after midnight). */
  const todayAgo = (minutes: number) => Math.max(dayStart, now - minutes * MINUTE);
  // Expected figures, filled in `before`.
  const exp = {
    claudeToday: 0,
    claudeTodayRequests: 0,
    codexToday: 0,
    codexTodayRequests: 0,
    wsToday: 0,
    wsMonth: 0,
    earlierThisMonth: 0,
    earlierRequests: 0,
    appended: 0,
  };
  const todayTokens = () => exp.claudeToday + exp.codexToday;
  const todayRequests = () => exp.claudeTodayRequests + exp.codexTodayRequests;
  // The workspace session: two requests today (one with a tool call), and — unless today is the 1st — one on an
  // earlier day of this month, so "this month" differs from "today".
  const wsRequests: Req[] = [
    { ts: todayAgo(40), input: 120, output: 800, cacheRead: 5_000, cacheWrite: 2_000, tool: 'Read' },
    { ts: todayAgo(25), input: 30, output: 1_500, cacheRead: 9_000, cacheWrite: 0 },
  ];
  const appended: Req = { ts: now, input: 40, output: 2_345, cacheRead: 12_000, cacheWrite: 1_000 };

  const shot = screenshots(() => page, () => dirs.base);

  before(async function () {
    this.timeout(180_000);
    dirs = cs.makeRunDirs('e2e-agents');
    home = path.join(dirs.base, 'home');
    fs.mkdirSync(home, { recursive: true });

    // The corpus, dated today and (normally) in the past: about an hour of sessions ending shortly before now. Just
    // after midnight it starts at 00:01 and runs a little into the future — still today, which is what counts here.
    const scratch = path.join(dirs.base, 'corpus');
    const corpus = generateCorpus(scratch, { seed: 2, targetBytes: 60_000, startTs: todayAgo(90) });
    const days = new Set(Object.keys(corpus.truth.byAgentDay).map((k) => k.split('|')[1]));
    assert.deepEqual([...days], [today], `the corpus lies within today (${today}): ${[...days].join(', ')}`);
    fs.renameSync(corpus.claudeConfigDir, path.join(home, '.claude'));
    fs.renameSync(corpus.codexHome, path.join(home, '.codex'));
    const claude = corpus.truth.byAgent['claude-code'];
    const codex = corpus.truth.byAgent.codex;
    assert.ok(claude.requests > 0 && codex.requests > 0, 'the corpus has both agents');

    // The hand-written session in the workspace folder.
    const firstOfMonth = new Date(now).getDate() === 1;
    const requests = [...wsRequests];
    if (!firstOfMonth) {
      const earlier = new Date(now);
      earlier.setDate(earlier.getDate() - 1);
      earlier.setHours(12, 0, 0, 0);
      requests.unshift({ ts: earlier.getTime(), input: 50, output: 700, cacheRead: 3_000, cacheWrite: 0 });
    }
    sessionFile = path.join(home, '.claude', 'projects', dirs.workspace.replace(/[/\\.]/g, '-'), 'ws-session-0001.jsonl');
    fs.mkdirSync(path.dirname(sessionFile), { recursive: true });
    fs.writeFileSync(sessionFile, requests.flatMap((r, i) => claudeLines('ws-session-0001', dirs.workspace, r, i + 1)).join('\n') + '\n');

    const wsToday = wsRequests.reduce((s, r) => s + tokensOf(r), 0);
    exp.claudeToday = totalTokens(claude) + wsToday;
    exp.claudeTodayRequests = claude.requests + wsRequests.length;
    exp.codexToday = totalTokens(codex);
    exp.codexTodayRequests = codex.requests;
    exp.wsToday = wsToday;
    exp.earlierThisMonth = firstOfMonth ? 0 : tokensOf(requests[0]!);
    exp.earlierRequests = firstOfMonth ? 0 : 1;
    exp.wsMonth = wsToday + exp.earlierThisMonth;
    fs.writeFileSync(path.join(dirs.base, 'expected.json'), JSON.stringify({ today, exp, truth: corpus.truth }, null, 2));

    ({ server, browser, page } = await cs.startScenario(dirs, { 'tokstat.localUsage.enabled': true }));
  });

  scenarioHooks(() => ({ dirs, server, browser, page }));

  /** "today $3.21 · 1.2M tokens · month $4.56" of an agent row (the cost figures are checked against the CLI later). */
  const agentRow = async (label: string, tokens: number) =>
    waitUntil(`the ${label} row with ${formatTokens(tokens)} tokens today`, async () => {
      if ((await treeRow(page, label).count()) === 0) return false;
      const t = await rowText(page, label);
      const m = /today (\$[\d,.]+|unpriced) · ([\d.]+[kMB]?) tokens · month (\$[\d,.]+|unpriced)/.exec(t);
      return m && m[2] === formatTokens(tokens) ? { text: t, today: m[1]!, month: m[3]! } : false;
    }, 60_000);

  it('shows each agent under "Local agents" in the tree with today\'s tokens', async () => {
    await page.goto(cs.workbenchUrl(server!));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    await openTokstatView(page);
    await waitUntil('the "Local agents" root', async () => (await treeRow(page, 'Local agents').count()) > 0, 60_000);
    await expandRow(page, 'Local agents');
    const claude = await agentRow('Claude Code', exp.claudeToday);
    const codex = await agentRow('Codex', exp.codexToday);
    for (const r of [claude, codex]) assert.match(`${r.today} ${r.month}`, /^(\$[\d,.]+|unpriced) (\$[\d,.]+|unpriced)$/);
    const ws = await waitUntil('the "This workspace" row', async () => ((await treeRow(page, 'This workspace').count()) > 0 ? rowText(page, 'This workspace') : false), 30_000);
    assert.ok(ws.includes(`${formatTokens(exp.wsToday)} tokens`), `this workspace today: ${ws}`);
    await shot('tree-local-agents');
  });

  it('shows the same totals in the dashboard\'s usage section', async () => {
    await runCommand(page, 'tokstat: Open Dashboard');
    await usageSection(page).waitFor({ state: 'visible', timeout: 30_000 });
    const todayTiles = await usageText(page, 'usage-today-tokens');
    assert.equal(todayTiles, `${formatTokens(todayTokens())} tokens · ${todayRequests().toLocaleString('en-US')} requests`);
    const month = exp.claudeToday + exp.codexToday + exp.earlierThisMonth;
    assert.equal(await usageText(page, 'usage-month-tokens'), `${formatTokens(month)} tokens · ${(todayRequests() + exp.earlierRequests).toLocaleString('en-US')} requests`);
    // The workspace tile is the month's figure for sessions under the workspace folder.
    const wsTokens = await usageText(page, 'usage-workspace-tokens');
    assert.ok(wsTokens.startsWith(`${formatTokens(exp.wsMonth)} tokens · ${wsRequests.length + exp.earlierRequests} requests`), `this workspace: ${wsTokens}`);
    for (const id of ['usage-today-cost', 'usage-month-cost', 'usage-workspace-cost']) {
      assert.match(await usageText(page, id), /^(\$[\d,]+\.\d{2,4}|unpriced)$/, `${id} is dollars or "unpriced"`);
    }
    // Sessions, tools and 5-hour blocks are there and name what the logs hold.
    const sessions = await usageText(page, 'usage-sessions');
    assert.match(sessions, /Claude Code/);
    assert.match(sessions, /Codex/);
    const tools = await usageText(page, 'usage-tools');
    assert.match(tools, /\bRead\b/, `tool calls: ${tools}`);
    assert.match(tools, /\bshell\b/, `Codex tool calls: ${tools}`);
    await usageSection(page).locator('[data-testid="usage-blocks"]').waitFor({ state: 'visible' });
    await usageSection(page).scrollIntoViewIfNeeded();
    await shot('dashboard-usage');
    await dumpDom(page, path.join(dirs.base, 'dom'), 'dashboard-usage');
  });

  it("moves today's figures when the agent writes more while VS Code runs", async () => {
    fs.appendFileSync(sessionFile, claudeLines('ws-session-0001', dirs.workspace, appended, 99).join('\n') + '\n');
    exp.appended = tokensOf(appended);
    exp.claudeToday += exp.appended;
    exp.claudeTodayRequests += 1;
    exp.wsToday += exp.appended;
    exp.wsMonth += exp.appended;
    const want = `${formatTokens(todayTokens())} tokens · ${todayRequests().toLocaleString('en-US')} requests`;
    await waitUntil(`today's tile to read "${want}"`, async () => (await usageText(page, 'usage-today-tokens')) === want, 30_000);
    await shot('dashboard-after-append');
    await openTokstatView(page);
    await agentRow('Claude Code', exp.claudeToday);
    await shot('tree-after-append');
  });

  it('the CLI, run against the same home, reports the totals the dashboard shows', async () => {
    await runCommand(page, 'tokstat: Open Dashboard');
    await usageSection(page).waitFor({ state: 'visible', timeout: 30_000 });
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    for (const k of ['CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'GEMINI_DATA_DIR', 'OPENCODE_DATA_DIR', 'TOKSTAT_STORAGE']) delete env[k];
    const res = spawnSync(process.execPath, [path.join(cs.REPO_ROOT, 'dist', 'cli.js'), 'usage', 'daily', '--json', '--offline'], { env, encoding: 'utf8', timeout: 60_000 });
    fs.writeFileSync(path.join(dirs.logs, 'cli-usage-daily.json'), res.stdout ?? '');
    assert.equal(res.status, 0, `CLI exit status, stderr: ${res.stderr}`);
    const report = JSON.parse(res.stdout) as {
      rows: Array<{ key: string; requests: number; totalTokens: number; costUSD?: number | null; unpricedRequests: number }>;
    };
    const todayRow = report.rows.find((r) => r.key === today);
    assert.ok(todayRow, `a row for ${today}: ${JSON.stringify(report.rows.map((r) => r.key))}`);
    // Exact: the CLI's numbers are not rounded for display.
    assert.equal(todayRow.totalTokens, todayTokens(), 'CLI tokens today = the logs\' true total');
    assert.equal(todayRow.requests, todayRequests(), 'CLI requests today');
    const monthPrefix = today.slice(0, 7);
    const monthRows = report.rows.filter((r) => r.key.startsWith(monthPrefix));
    const monthTokens = monthRows.reduce((s, r) => s + r.totalTokens, 0);
    assert.equal(monthTokens, todayTokens() + exp.earlierThisMonth, 'CLI tokens this month');
    // And the dashboard shows the same figures, through the same formatting.
    const cliCost = (rows: typeof report.rows) =>
      rows.every((r) => r.requests > 0 && r.unpricedRequests >= r.requests) ? undefined : rows.reduce((s, r) => s + (r.costUSD ?? 0), 0);
    assert.equal(await usageText(page, 'usage-today-cost'), formatUsd(cliCost([todayRow])), 'today\'s cost: dashboard = CLI');
    assert.equal(await usageText(page, 'usage-month-cost'), formatUsd(cliCost(monthRows)), 'this month\'s cost: dashboard = CLI');
    assert.equal(await usageText(page, 'usage-today-tokens'), `${formatTokens(todayRow.totalTokens)} tokens · ${todayRow.requests.toLocaleString('en-US')} requests`);
    await shot('dashboard-vs-cli');
  });
  /** Settings as a person changes them; `machine`-scoped ones (tokstat.localUsage.*) live in the remote settings here. */
  const setSettings = (changes: Record<string, unknown>, where: 'user' | 'remote' = 'user') => editSettings(page, dirs.userData, changes, where);

  it("shows today's spend in the status bar without an account, and nothing of local usage once it is turned off", async () => {
    await runCommand(page, 'tokstat: Open Dashboard');
    const cost = await usageText(page, 'usage-today-cost');
    // No account: the status bar tells what the agents cost today instead of asking for an account.
    const withSpend = await waitForStatus(page, `"${cost} today"`, (t) => t.includes(`${cost} today`));
    assert.match(withSpend, /local agents today (\$[\d,.]+|unpriced)/, `status bar: ${withSpend}`);
    await shot('status-bar-today-spend');

    // A machine-scoped setting: code-server's window is remote, so it is set in the remote settings, as in Remote-SSH.
    await setSettings({ 'tokstat.localUsage.enabled': false }, 'remote');
    await waitForStatus(page, 'a quiet item without spend', (t) => /no accounts yet/.test(t) && !/ today/.test(t));
    await runCommand(page, 'tokstat: Open Dashboard');
    // No accounts and no local usage: the dashboard's empty state, and no usage section.
    await dashboard(page).locator('[data-testid="empty-state"]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await usageSection(page).count(), 0, 'no local-usage section');
    await shot('dashboard-local-usage-off');
    await openTokstatView(page);
    await waitUntil('the tree without "Local agents"', async () => (await treeRow(page, 'Local agents').count()) === 0, 30_000);
    await shot('local-usage-off');
  });
});
