// The "Local agents" view-model from fixed rows: totals per agent and period, "this workspace", the daily stack by
// model, top sessions / workspaces / tools, Claude 5-hour blocks, Codex plan windows, and unpriced never shown as $0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, buildUsageView, type BuildUsageViewInput } from '../../../src/core/usage/view';
import { detectAgents, UsageViewModel } from '../../../src/core/usage/viewModel';
import { agentDescription, costText, todaySpendSuffix } from '../../../src/ui/usageText';
import { formatTokens, formatUsd } from '../../../src/shared/usageFormat';
import type { AgentId, PlanWindows, UsageRow } from '../../../src/core/usage/types';
import type { HourRow } from '../../../src/core/usage/usageIndex';
import { Emitter } from '../../../src/core/events';
import { FakeClock } from '../../fakes/fakeClock';

const H = 3_600_000;
// 2026-03-15 14:30 UTC; the tests bucket days in UTC so they do not depend on the machine's time zone.
const NOW = Date.UTC(2026, 2, 15, 14, 30);
const utcDay = (ts: number) => new Date(ts).toISOString().slice(0, 10);

function row(p: Partial<UsageRow> & Pick<UsageRow, 'day' | 'agent' | 'model'>): UsageRow {
  const ts = Date.parse(`${p.day}T10:00:00Z`);
  return {
    cwd: '/w/app',
    sessionId: 's1',
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    webSearchRequests: 0,
    requests: 1,
    fastRequests: 0,
    loggedCostUSD: 0,
    loggedCostRequests: 0,
    costUSD: 0,
    unpricedRequests: 0,
    fallbackModelRequests: 0,
    tools: {},
    firstTs: ts,
    lastTs: ts + 60_000,
    ...p,
  };
}

function hour(p: Partial<HourRow> & Pick<HourRow, 'hour'>): HourRow {
  return {
    agent: 'claude-code',
    model: 'claude-sonnet-4-5',
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    requests: 1,
    costUSD: 0,
    loggedCostUSD: 0,
    unpricedRequests: 0,
    firstTs: p.hour,
    lastTs: p.hour,
    ...p,
  };
}

const ROWS: UsageRow[] = [
  // today, Claude, priced, in the workspace
  row({ day: '2026-03-15', agent: 'claude-code', model: 'claude-sonnet-4-5', sessionId: 'c-today', inputTokens: 1000, outputTokens: 500, cacheReadTokens: 200_000, cacheWrite5mTokens: 3000, cacheWrite1hTokens: 2000, reasoningTokens: 100, requests: 4, costUSD: 3.21, tools: { Bash: { count: 3, durationMs: 3000, timedCount: 2, errors: 1 }, Read: { count: 5, durationMs: 0, timedCount: 0, errors: 0 } } }),
  // today, Claude opus, in a sub folder of the workspace, same session id as another agent's
  row({ day: '2026-03-15', agent: 'claude-code', model: 'claude-opus-4-1', sessionId: 'shared', cwd: '/w/app/packages/ui', inputTokens: 100, outputTokens: 100, requests: 1, costUSD: 1 }),
  // today, Codex, entirely unpriced, another folder
  row({ day: '2026-03-15', agent: 'codex', model: 'gpt-9-unknown', sessionId: 'shared', cwd: '/w/other', inputTokens: 7000, outputTokens: 3000, reasoningTokens: 1000, requests: 2, costUSD: 0, unpricedRequests: 2, tools: { shell: { count: 2, durationMs: 1500, timedCount: 2, errors: 0 } } }),
  // earlier this month, Claude, partly priced
  row({ day: '2026-03-02', agent: 'claude-code', model: 'claude-sonnet-4-5', sessionId: 'c-old', inputTokens: 10_000, outputTokens: 5000, requests: 10, costUSD: 41.89, unpricedRequests: 1 }),
  // last month: inside the 30-day range but not in this month's totals
  row({ day: '2026-02-20', agent: 'claude-code', model: 'claude-haiku-4-5', sessionId: 'c-feb', cwd: '', inputTokens: 500, outputTokens: 50, requests: 1, costUSD: 0.01 }),
  // long ago: outside everything but the "ever" flag
  row({ day: '2025-12-01', agent: 'gemini-cli', model: 'gemini-2.5-pro', sessionId: 'g-old', inputTokens: 1, outputTokens: 1, requests: 1, costUSD: 0.001 }),
];

function build(extra: Partial<BuildUsageViewInput> = {}) {
  return buildUsageView({ rows: ROWS, now: NOW, dayOf: utcDay, workspaceFolders: ['/w/app'], ...extra });
}

test('addDays is calendar arithmetic across months and leap years', () => {
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  assert.equal(addDays('2025-12-31', 1), '2026-01-01');
  assert.equal(addDays('2026-03-15', -29), '2026-02-14');
});

test('today and this month, overall and per agent, with the token breakdown', () => {
  const v = build();
  assert.equal(v.today, '2026-03-15');
  assert.equal(v.month, '2026-03');
  assert.equal(v.hasData, true);
  assert.equal(v.visible, true);

  const t = v.totals.today;
  assert.equal(t.requests, 7);
  assert.equal(t.unpricedRequests, 2);
  assert.ok(Math.abs(t.costUSD! - 4.21) < 1e-9);
  assert.deepEqual(t.tokens, { input: 8100, output: 3600, cacheRead: 200_000, cacheWrite: 5000, reasoning: 1100, total: 216_700 });

  assert.deepEqual(
    v.agents.map((a) => a.agent),
    ['claude-code', 'codex', 'gemini-cli'],
    'fixed order; agents with any history are listed even when idle this month',
  );
  const claude = v.agents[0]!;
  assert.equal(claude.label, 'Claude Code');
  assert.ok(Math.abs(claude.today.costUSD! - 4.21) < 1e-9);
  assert.ok(Math.abs(claude.month.costUSD! - 46.1) < 1e-9);
  assert.equal(claude.month.unpricedRequests, 1);
  assert.equal(claude.today.tokens.total, 206_700);

  const codex = v.agents[1]!;
  assert.equal(codex.today.costUSD, undefined, 'all requests unpriced → no cost at all, not $0');
  assert.equal(codex.today.unpricedRequests, 2);
  assert.equal(codex.today.tokens.reasoning, 1000);

  const gemini = v.agents[2]!;
  assert.equal(gemini.today.costUSD, 0, 'nothing used → $0 is the truth');
  assert.equal(gemini.today.requests, 0);
});

test('this workspace matches cwd inside the folders (sub folders included)', () => {
  const v = build();
  assert.deepEqual(v.workspace?.folders, ['/w/app']);
  assert.equal(v.workspace?.today.requests, 5);
  assert.ok(Math.abs(v.workspace!.today.costUSD! - 4.21) < 1e-9);
  assert.equal(v.workspace?.month.requests, 15);
  assert.equal(build({ workspaceFolders: [] }).workspace, undefined);
  assert.equal(build({ workspaceFolders: undefined }).workspace, undefined);
});

test('daily: every day of the range, stacked by the top models plus "other"', () => {
  const v = build({ topModels: 2 });
  assert.equal(v.range.days, 30);
  assert.equal(v.range.fromDay, '2026-02-14');
  assert.equal(v.range.toDay, '2026-03-15');
  assert.equal(v.daily.days.length, 30);
  assert.equal(v.daily.days[0]!.day, '2026-02-14');
  assert.equal(v.daily.days[29]!.day, '2026-03-15');
  // By cost: sonnet 45.10, opus 1, then haiku 0.01 and the unpriced codex model → other.
  assert.deepEqual(v.daily.models, ['claude-sonnet-4-5', 'claude-opus-4-1', 'other']);
  const today = v.daily.days[29]!;
  assert.deepEqual(today.costByModel.map((c) => Math.round(c * 100) / 100), [3.21, 1, 0]);
  assert.deepEqual(today.tokensByModel, [206_500, 200, 10_000]);
  assert.equal(today.tokens, 216_700);
  assert.equal(today.requests, 7);
  const feb20 = v.daily.days.find((d) => d.day === '2026-02-20')!;
  assert.deepEqual(feb20.costByModel, [0, 0, 0.01]);
  const empty = v.daily.days.find((d) => d.day === '2026-03-01')!;
  assert.equal(empty.requests, 0);
  assert.equal(empty.costUSD, 0);
  for (const d of v.daily.days) assert.equal(d.costByModel.length, 3);

  const unpricedDay = buildUsageView({ rows: [ROWS[2]!], now: NOW, dayOf: utcDay }).daily.days[29]!;
  assert.equal(unpricedDay.costUSD, undefined);
  assert.equal(unpricedDay.unpricedRequests, 2);

  const all = build();
  assert.equal(all.daily.models.includes('other'), false, 'four models fit in the default five');
  assert.equal(all.daily.models.length, 4);
});

test('top sessions: by cost, unpriced last among equals, agent-qualified ids, main model and folder name', () => {
  const v = build();
  assert.deepEqual(
    v.sessions.map((s) => `${s.agent}/${s.sessionId}`),
    ['claude-code/c-old', 'claude-code/c-today', 'claude-code/shared', 'claude-code/c-feb', 'codex/shared'],
  );
  const old = v.sessions[0]!;
  assert.equal(old.workspace, 'app');
  assert.equal(old.model, 'claude-sonnet-4-5');
  assert.equal(old.firstTs, Date.parse('2026-03-02T10:00:00Z'));
  const codex = v.sessions.find((s) => s.agent === 'codex')!;
  assert.equal(codex.costUSD, undefined);
  assert.equal(codex.workspace, 'other');
  assert.equal(v.sessions.find((s) => s.sessionId === 'c-feb')!.workspace, '', 'unknown folder stays empty');
  assert.equal(build({ topSessions: 2 }).sessions.length, 2);
});

test('top workspaces and tool calls', () => {
  const v = build();
  assert.deepEqual(
    v.workspaces.map((w) => [w.label, w.current, w.sessions]),
    [
      ['app', true, 2],
      ['ui', true, 1],
      ['unknown folder', false, 1],
      ['other', false, 1],
    ],
  );
  assert.equal(v.workspaces.find((w) => w.label === 'other')!.costUSD, undefined);
  assert.deepEqual(v.tools, [
    { name: 'Read', count: 5, timedCount: 0, errors: 0 },
    { name: 'Bash', count: 3, avgDurationMs: 1500, timedCount: 2, errors: 1 },
    { name: 'shell', count: 2, avgDurationMs: 750, timedCount: 2, errors: 0 },
  ]);
});

test('Claude 5-hour blocks: the active block with progress and projection, and the earlier ones', () => {
  const start = Date.UTC(2026, 2, 15, 12); // 12:00, NOW is 14:30 → half elapsed
  const hours: HourRow[] = [
    hour({ hour: start - 10 * H, firstTs: start - 10 * H + 5 * 60_000, lastTs: start - 9 * H, inputTokens: 100, requests: 2, costUSD: 0.5 }),
    hour({ hour: start, firstTs: start + 10 * 60_000, lastTs: start + 70 * 60_000, inputTokens: 6000, requests: 3, costUSD: 1.2 }),
    hour({ hour: start + 2 * H, firstTs: start + 2 * H, lastTs: start + 2 * H + 10 * 60_000, inputTokens: 4000, model: 'claude-opus-4-1', requests: 1, costUSD: 0.8 }),
    hour({ hour: start, agent: 'codex', inputTokens: 999_999 }),
  ];
  const v = build({ hours });
  const b = v.blocks.current!;
  assert.equal(b.start, start);
  assert.equal(b.end, start + 5 * H);
  assert.equal(b.active, true);
  assert.equal(b.elapsedFraction, 0.5);
  assert.equal(b.tokens, 10_000);
  assert.ok(Math.abs(b.costUSD! - 2) < 1e-9);
  assert.deepEqual(b.models, ['claude-sonnet-4-5', 'claude-opus-4-1']);
  // 10k tokens over 120 minutes of activity (12:10–14:10), continued for the 150 minutes left.
  assert.equal(b.projectedTokens, 22_500);
  assert.ok(Math.abs(b.projectedCostUSD! - 4.5) < 1e-9);
  assert.equal(v.blocks.recent.length, 1);
  assert.equal(v.blocks.recent[0]!.active, false);
  assert.equal(v.blocks.recent[0]!.elapsedFraction, undefined);

  const unpriced = build({ hours: [hour({ hour: start, firstTs: start, lastTs: start + H, inputTokens: 10, unpricedRequests: 1 })] });
  assert.equal(unpriced.blocks.current!.costUSD, undefined);
  assert.equal(unpriced.blocks.current!.projectedCostUSD, undefined);
  assert.equal(build().blocks.current, undefined);
});

test('Codex plan windows: labels, order, expired windows flagged', () => {
  const pw: PlanWindows[] = [
    {
      agent: 'codex',
      home: '/h/.codex',
      windows: [
        { name: 'secondary', usedPercent: 40, windowMinutes: 10_080, resetsAt: NOW + 3 * 24 * H, observedAt: NOW - H },
        { name: 'primary', usedPercent: 75, windowMinutes: 300, resetsAt: NOW - 60_000, observedAt: NOW - 6 * H },
        { name: 'odd', usedPercent: 1, observedAt: NOW },
      ],
    },
  ];
  const v = build({ planWindows: pw });
  assert.deepEqual(
    v.planWindows.map((w) => [w.label, w.usedPercent, w.expired]),
    [
      ['5-hour limit', 75, true],
      ['weekly limit', 40, false],
      ['odd', 1, false],
    ],
  );
});

test('visibility: hidden with no usage and no agent folder; shown when a folder exists', () => {
  const none = buildUsageView({ rows: [], now: NOW, dayOf: utcDay });
  assert.equal(none.visible, false);
  assert.equal(none.hasData, false);
  assert.deepEqual(none.agents, []);
  assert.equal(none.totals.today.costUSD, 0);
  const found = buildUsageView({ rows: [], now: NOW, dayOf: utcDay, foundAgents: ['codex', 'claude-code'] });
  assert.equal(found.visible, true);
  assert.deepEqual(found.foundAgents, ['claude-code', 'codex']);
  assert.deepEqual(
    found.agents.map((a) => a.agent),
    ['claude-code', 'codex'],
  );
});

test('the view is plain JSON and deterministic', () => {
  const hours = [hour({ hour: NOW - H, firstTs: NOW - H, lastTs: NOW - 30 * 60_000, inputTokens: 5 })];
  const v = build({ hours });
  assert.deepEqual(JSON.parse(JSON.stringify(v)), v);
  assert.deepEqual(build({ hours }), v);
});

test('texts: unpriced is never $0, tokens compact, the tree description and the status-bar suffix', () => {
  assert.equal(formatUsd(undefined), 'unpriced');
  assert.equal(formatUsd(0), '$0.00');
  assert.equal(formatUsd(3.2149), '$3.21');
  assert.equal(formatUsd(1234.5), '$1,234.50');
  assert.equal(formatUsd(0.0042), '$0.0042');
  assert.equal(formatTokens(950), '950');
  assert.equal(formatTokens(12_345), '12.3k');
  assert.equal(formatTokens(999_999), '1M');
  assert.equal(formatTokens(1_234_567), '1.2M');
  assert.equal(formatTokens(150_000_000), '150M');
  assert.equal(formatTokens(3.4e9), '3.4B');

  const v = build();
  assert.equal(agentDescription(v.agents[0]!), 'today $4.21 · 207k tokens · month $46.10');
  assert.equal(agentDescription(v.agents[1]!), 'today unpriced · 10k tokens · month unpriced');
  assert.equal(costText(v.agents[0]!.month), '$46.10 (+1 unpriced)');
  assert.equal(todaySpendSuffix(v), ' · $4.21 today');
  const onlyCodex = buildUsageView({ rows: [ROWS[2]!], now: NOW, dayOf: utcDay });
  assert.equal(todaySpendSuffix(onlyCodex), ' · unpriced today');
});

test('detectAgents checks each agent folder with the injected exists()', () => {
  const found = detectAgents({ claude: ['/h/.config/claude', '/h/.claude'], codex: ['/h/.codex'], gemini: ['/h/.gemini/tmp'], opencode: [] }, (p) => p === '/h/.claude' || p === '/h/.gemini/tmp');
  assert.deepEqual(found, ['claude-code', 'gemini-cli']);
  const copilot = detectAgents({ claude: [], codex: [], gemini: [], opencode: [], copilot: ['/h/.copilot'] }, (p) => p === '/h/.copilot');
  assert.deepEqual(copilot, ['copilot-cli']);
});

test('Copilot CLI sessions carry the AI credits their shutdowns logged, summed over models and days', () => {
  const cp = (day: string, model: string, credits: number, cost: number) =>
    row({ day, agent: 'copilot-cli', model, sessionId: 'cp-1', requests: 3, costUSD: cost, aiCredits: credits, inputTokens: 100 });
  const v = buildUsageView({ rows: [cp('2026-03-14', 'claude-sonnet-4.5', 250, 2.5), cp('2026-03-15', 'gpt-5.2', 120.5, 1.205), ROWS[0]!], now: NOW, dayOf: utcDay });
  const s = v.sessions.find((x) => x.agent === 'copilot-cli');
  assert.ok(s, v.sessions.map((x) => x.agent).join(', '));
  assert.equal(s.aiCredits, 370.5);
  assert.equal(s.costUSD, 3.705);
  assert.equal(s.requests, 6);
  assert.deepEqual(s.models, ['claude-sonnet-4.5', 'gpt-5.2'].sort((a, b) => (a < b ? -1 : 1)));
  assert.equal(v.sessions.find((x) => x.agent !== 'copilot-cli')?.aiCredits, undefined, 'no credits for agents that log none');
  assert.ok(v.agents.some((a) => a.agent === 'copilot-cli' && a.label === 'Copilot CLI'));
});

test('UsageViewModel caches until the index changes, the view ages or invalidate() is called', () => {
  const clock = new FakeClock(NOW);
  const changed = new Emitter<unknown>();
  let rows = ROWS.slice(0, 1);
  let builds = 0;
  const index = {
    generation: 1,
    rows: () => {
      builds++;
      return rows;
    },
    hours: () => [] as HourRow[],
  };
  let folders = ['/w/app'];
  let found: AgentId[] = [];
  const vm = new UsageViewModel({ source: { index, planWindows: () => [], onDidChange: changed.event }, clock, workspaceFolders: () => folders, foundAgents: () => found, dayOf: utcDay });
  let fired = 0;
  vm.onDidChange(() => fired++);

  const a = vm.view();
  assert.equal(vm.view(), a, 'cached');
  assert.equal(builds, 1);

  rows = ROWS;
  index.generation = 2;
  changed.fire({});
  assert.equal(fired, 1);
  const b = vm.view();
  assert.notEqual(b, a);
  assert.equal(b.totals.today.requests, 7);
  assert.equal(builds, 2);

  clock.advance(59_000);
  assert.equal(vm.view(), b);
  clock.advance(1_000);
  const c = vm.view();
  assert.notEqual(c, b, 'rebuilt after a minute (block progress, day rollover)');
  assert.equal(c.generatedAt, NOW + 60_000);

  folders = [];
  found = ['codex'];
  vm.invalidate();
  assert.equal(fired, 2);
  const d = vm.view();
  assert.equal(d.workspace, undefined);
  assert.deepEqual(d.foundAgents, ['codex']);

  vm.dispose();
  changed.fire({});
  assert.equal(fired, 2, 'no events after dispose');
});
