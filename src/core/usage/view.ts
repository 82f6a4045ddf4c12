// The "Local agents" view-model: one pure projection of the usage index onto what the tree, the status bar and the
// dashboard show (JSON, so it crosses to the webview as is). Unpriced usage stays unpriced: a total whose requests all
// lack a price has no `costUSD` at all, so nothing downstream can render it as $0.
//
// `UsageViewModel` (viewModel.ts) caches the projection and tells the UI when to redraw; the words the tree and the
// status bar put around it are in src/ui/usageText.ts.

import type {
  UsageAgentView,
  UsageBlockView,
  UsageDailyView,
  UsagePlanWindowView,
  UsageSessionView,
  UsageToolView,
  UsageTotalsView,
  UsageView,
  UsageWorkspaceView,
} from '../../shared/protocol';
import { fiveHourBlocks, matchWorkspace, monthRange, queryUsage, todayRange, workspaceLabel, type UsageBlock, type UsageTotals } from './query';
import type { AgentId, PlanWindows, UsageRow } from './types';
import { AGENT_IDS, AGENT_LABEL } from '../../shared/agents';
import { l10n } from '../../shared/l10n';
import { localDay, type HourRow } from './usageIndex';


export const OTHER_MODELS = 'other';

export interface BuildUsageViewInput {
  rows: readonly UsageRow[];
  /** Hourly rows, for Claude's 5-hour blocks (none → no blocks). */
  hours?: readonly HourRow[];
  now: number;
  /** This window's workspace folders (fsPath); none → no "this workspace" totals. */
  workspaceFolders?: string[];
  planWindows?: PlanWindows[];
  /** Days in the daily chart and the session / workspace / tool tables, ending today (default 30). */
  days?: number;
  /** Agents whose log folders exist (see `foundAgents`). */
  foundAgents?: AgentId[];
  /** Models stacked individually in the daily chart before "other" (default 5). */
  topModels?: number;
  /** Rows in the session, workspace and tool tables (default 10, 10, 20). */
  topSessions?: number;
  topWorkspaces?: number;
  topTools?: number;
  /** Local day of a timestamp; must match the index's (default the local calendar day). */
  dayOf?: (ts: number) => string;
  /** The first read of the logs, while it runs (see UsageView.scan). */
  scan?: { done: number; total: number; rebuild: boolean };
}

const HOUR = 3_600_000;
const BLOCK_MS = 5 * HOUR;

/** `YYYY-MM-DD` plus n calendar days (string arithmetic in UTC, so no time zone or DST shifts). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}

/** undefined when requests exist and none of them had a price. */
function costOf(costUSD: number, requests: number, unpricedRequests: number): number | undefined {
  return requests > 0 && unpricedRequests >= requests ? undefined : costUSD;
}

function totalsView(t: UsageTotals): UsageTotalsView {
  const cost = costOf(t.costUSD, t.requests, t.unpricedRequests);
  return {
    tokens: {
      input: t.inputTokens,
      output: t.outputTokens,
      cacheRead: t.cacheReadTokens,
      cacheWrite: t.cacheWrite5mTokens + t.cacheWrite1hTokens,
      reasoning: t.reasoningTokens,
      total: t.totalTokens,
    },
    requests: t.requests,
    ...(cost !== undefined ? { costUSD: cost } : {}),
    unpricedRequests: t.unpricedRequests,
  };
}

function emptyTotalsView(): UsageTotalsView {
  return { tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, total: 0 }, requests: 0, costUSD: 0, unpricedRequests: 0 };
}

const rowTokens = (r: UsageRow | HourRow) => r.inputTokens + r.outputTokens + r.cacheReadTokens + r.cacheWrite5mTokens + r.cacheWrite1hTokens;

/** Sort key: priced cost first (unpriced below every priced amount), then tokens. */
function byCostThenTokens(a: { costUSD?: number; tokens: number }, b: { costUSD?: number; tokens: number }): number {
  return (b.costUSD ?? -1) - (a.costUSD ?? -1) || b.tokens - a.tokens;
}

function blockView(b: UsageBlock, now: number): UsageBlockView {
  const cost = costOf(b.costUSD, b.requests, b.unpricedRequests);
  const v: UsageBlockView = {
    start: b.start,
    end: b.end,
    firstTs: b.firstTs,
    lastTs: b.lastTs,
    active: b.active,
    tokens: b.totalTokens,
    requests: b.requests,
    ...(cost !== undefined ? { costUSD: cost } : {}),
    unpricedRequests: b.unpricedRequests,
    models: b.models,
  };
  if (b.active) {
    v.elapsedFraction = Math.min(1, Math.max(0, (now - b.start) / BLOCK_MS));
    // ccusage's projection: the burn rate between the block's first and last request, continued to its end. Under a
    // minute of activity says nothing about a rate.
    const span = b.lastTs - b.firstTs;
    if (span >= 60_000) {
      const remaining = Math.max(0, b.end - now);
      v.projectedTokens = Math.round(b.totalTokens + (b.totalTokens / span) * remaining);
      if (cost !== undefined) v.projectedCostUSD = cost + (cost / span) * remaining;
    }
  }
  return v;
}

function windowLabel(name: string, minutes: number | undefined): string {
  if (minutes === 300) return l10n.t('5-hour limit');
  if (minutes === 10_080) return l10n.t('weekly limit');
  if (minutes !== undefined && minutes > 0) {
    return minutes % 1440 === 0 ? l10n.t('{0}-day limit', minutes / 1440) : minutes % 60 === 0 ? l10n.t('{0}-hour limit', minutes / 60) : l10n.t('{0}-minute limit', minutes);
  }
  return name;
}

/** Builds the whole view. Pure: the same input always gives the same JSON. */
export function buildUsageView(input: BuildUsageViewInput): UsageView {
  const { now } = input;
  const dayOf = input.dayOf ?? localDay;
  const days = Math.max(1, Math.floor(input.days ?? 30));
  const topModels = Math.max(1, input.topModels ?? 5);
  const today = todayRange(now, dayOf);
  const month = monthRange(now, dayOf);
  const fromDay = addDays(today.toDay, -(days - 1));
  const range = { fromDay, toDay: today.toDay };
  const folders = (input.workspaceFolders ?? []).filter(Boolean);
  const found = AGENT_IDS.filter((a) => input.foundAgents?.includes(a));

  const { rows, everAgents } = recentRows(input.rows, fromDay < month.fromDay ? fromDay : month.fromDay);
  const agents = agentViews(rows, today, month, everAgents, found);
  const total = (q: { fromDay: string; toDay: string; workspaceFolders?: string[] }) => {
    const g = queryUsage(rows, { ...q, groupBy: 'none' })[0];
    return g ? totalsView(g) : emptyTotalsView();
  };
  const acc = accumulateRange(rows, fromDay, days);
  const blocks = blocksView(input.hours, now);

  const hasData = everAgents.size > 0;
  return {
    generatedAt: now,
    today: today.toDay,
    month: today.toDay.slice(0, 7),
    range: { ...range, days },
    hasData,
    foundAgents: found,
    visible: hasData || found.length > 0 || input.scan !== undefined,
    totals: { today: total(today), month: total(month) },
    agents,
    ...(folders.length ? { workspace: { folders, today: total({ ...today, workspaceFolders: folders }), month: total({ ...month, workspaceFolders: folders }) } } : {}),
    daily: dailyView(acc, topModels),
    sessions: sessionViews(acc.sessions, input.topSessions ?? 10),
    workspaces: workspaceViews(acc.workspaces, folders, input.topWorkspaces ?? 10),
    tools: toolViews(acc.tools, input.topTools ?? 20),
    blocks,
    planWindows: planWindowViews(input.planWindows ?? [], now),
    ...(input.scan ? { scan: { ...input.scan } } : {}),
  };
}

// ── the steps of buildUsageView ──

/**
 * The rows from `since` on, and the agents that ever made a request. One pass over the whole history for "ever used";
 * everything else reads only the recent rows (this month and the chart range), which keeps the other passes small on
 * a long history.
 */
function recentRows(all: readonly UsageRow[], since: string): { rows: UsageRow[]; everAgents: Set<AgentId> } {
  const everAgents = new Set<AgentId>();
  const rows: UsageRow[] = [];
  for (const r of all) {
    if (r.requests > 0) everAgents.add(r.agent);
    if (r.day >= since) rows.push(r);
  }
  return { rows, everAgents };
}

/** Today's and this month's totals per agent, for every agent ever used or found on this machine. */
function agentViews(rows: UsageRow[], today: DayRange, month: DayRange, everAgents: Set<AgentId>, found: AgentId[]): UsageAgentView[] {
  const todayBy = new Map(queryUsage(rows, { ...today, groupBy: 'agent' }).map((g) => [g.key, g]));
  const monthBy = new Map(queryUsage(rows, { ...month, groupBy: 'agent' }).map((g) => [g.key, g]));
  return AGENT_IDS.filter((a) => everAgents.has(a) || found.includes(a)).map((agent) => {
    const t = todayBy.get(agent);
    const m = monthBy.get(agent);
    return { agent, label: AGENT_LABEL[agent], today: t ? totalsView(t) : emptyTotalsView(), month: m ? totalsView(m) : emptyTotalsView() };
  });
}

interface DayRange {
  fromDay: string;
  toDay: string;
}

interface ModelAcc {
  cost: number;
  tokens: number;
  byDayCost: Float64Array;
  byDayTokens: Float64Array;
}

interface SessionAcc {
  agent: AgentId;
  cwd: string;
  tokens: number;
  requests: number;
  cost: number;
  unpriced: number;
  credits: number;
  firstTs: number;
  lastTs: number;
  models: Map<string, number>;
}

interface WsAcc {
  sessions: Set<string>;
  tokens: number;
  requests: number;
  cost: number;
  unpriced: number;
}

interface ToolAcc {
  count: number;
  durationMs: number;
  timedCount: number;
  errors: number;
}

/** The chart range's rows summed in one pass: days × models, sessions, workspaces, tools. */
interface RangeAcc {
  dayKeys: string[];
  dayTotals: Array<{ cost: number; tokens: number; requests: number; unpriced: number }>;
  perModel: Map<string, ModelAcc>;
  sessions: Map<string, SessionAcc>;
  workspaces: Map<string, WsAcc>;
  tools: Map<string, ToolAcc>;
}

function accumulateRange(rows: UsageRow[], fromDay: string, days: number): RangeAcc {
  const dayIndex = new Map<string, number>();
  const dayKeys: string[] = [];
  for (let i = 0; i < days; i++) {
    const d = addDays(fromDay, i);
    dayIndex.set(d, i);
    dayKeys.push(d);
  }
  const perModel = new Map<string, ModelAcc>();
  const dayTotals = dayKeys.map(() => ({ cost: 0, tokens: 0, requests: 0, unpriced: 0 }));
  const sessions = new Map<string, SessionAcc>();
  const workspaces = new Map<string, WsAcc>();
  const tools = new Map<string, ToolAcc>();

  for (const r of rows) {
    const di = dayIndex.get(r.day);
    if (di === undefined) continue;
    const tok = rowTokens(r);
    let pm = perModel.get(r.model);
    if (!pm) perModel.set(r.model, (pm = { cost: 0, tokens: 0, byDayCost: new Float64Array(days), byDayTokens: new Float64Array(days) }));
    pm.cost += r.costUSD;
    pm.tokens += tok;
    pm.byDayCost[di]! += r.costUSD;
    pm.byDayTokens[di]! += tok;
    const dt = dayTotals[di]!;
    dt.cost += r.costUSD;
    dt.tokens += tok;
    dt.requests += r.requests;
    dt.unpriced += r.unpricedRequests;

    // Session ids are unique per agent in practice; the agent in the key keeps two agents' ids apart regardless.
    const sk = `${r.agent}\u0000${r.sessionId}`;
    let s = sessions.get(sk);
    if (!s) {
      s = { agent: r.agent, cwd: r.cwd, tokens: 0, requests: 0, cost: 0, unpriced: 0, credits: 0, firstTs: r.firstTs, lastTs: r.lastTs, models: new Map() };
      sessions.set(sk, s);
    }
    if (!s.cwd && r.cwd) s.cwd = r.cwd;
    s.tokens += tok;
    s.requests += r.requests;
    s.cost += r.costUSD;
    s.unpriced += r.unpricedRequests;
    s.credits += r.aiCredits ?? 0;
    if (r.requests > 0) {
      s.firstTs = Math.min(s.firstTs, r.firstTs);
      s.lastTs = Math.max(s.lastTs, r.lastTs);
    }
    s.models.set(r.model, (s.models.get(r.model) ?? 0) + tok);

    let w = workspaces.get(r.cwd);
    if (!w) workspaces.set(r.cwd, (w = { sessions: new Set(), tokens: 0, requests: 0, cost: 0, unpriced: 0 }));
    w.sessions.add(sk);
    w.tokens += tok;
    w.requests += r.requests;
    w.cost += r.costUSD;
    w.unpriced += r.unpricedRequests;

    for (const [name, a] of Object.entries(r.tools)) {
      const t = tools.get(name) ?? { count: 0, durationMs: 0, timedCount: 0, errors: 0 };
      t.count += a.count;
      t.durationMs += a.durationMs;
      t.timedCount += a.timedCount;
      t.errors += a.errors;
      tools.set(name, t);
    }
  }
  return { dayKeys, dayTotals, perModel, sessions, workspaces, tools };
}

/** Cost and tokens per day, the biggest spenders stacked (tokens break ties, so unpriced models still rank), the rest
 * folded into "other". */
function dailyView(acc: RangeAcc, topModels: number): UsageDailyView {
  const { perModel, dayKeys, dayTotals } = acc;
  const ranked = [...perModel.entries()].sort((a, b) => b[1].cost - a[1].cost || b[1].tokens - a[1].tokens || (a[0] < b[0] ? -1 : 1));
  const stacked = ranked.slice(0, topModels);
  const rest = ranked.slice(topModels);
  const models = stacked.map(([m]) => m);
  if (rest.length) models.push(OTHER_MODELS);
  return {
    models,
    days: dayKeys.map((day, i) => {
      const dt = dayTotals[i]!;
      const costByModel = stacked.map(([, p]) => p.byDayCost[i]!);
      const tokensByModel = stacked.map(([, p]) => p.byDayTokens[i]!);
      if (rest.length) {
        costByModel.push(rest.reduce((s, [, p]) => s + p.byDayCost[i]!, 0));
        tokensByModel.push(rest.reduce((s, [, p]) => s + p.byDayTokens[i]!, 0));
      }
      const cost = costOf(dt.cost, dt.requests, dt.unpriced);
      return { day, costByModel, tokensByModel, ...(cost !== undefined ? { costUSD: cost } : {}), tokens: dt.tokens, requests: dt.requests, unpricedRequests: dt.unpriced };
    }),
  };
}

function sessionViews(sessions: Map<string, SessionAcc>, limit: number): UsageSessionView[] {
  return [...sessions.entries()]
    .filter(([, s]) => s.requests > 0)
    .map(([key, s]) => {
      const ms = [...s.models.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([m]) => m);
      const cost = costOf(s.cost, s.requests, s.unpriced);
      return {
        sessionId: key.slice(key.indexOf('\u0000') + 1),
        agent: s.agent,
        model: ms[0] ?? '',
        models: ms,
        workspace: s.cwd ? workspaceLabel(s.cwd) : '',
        cwd: s.cwd,
        tokens: s.tokens,
        requests: s.requests,
        ...(cost !== undefined ? { costUSD: cost } : {}),
        unpricedRequests: s.unpriced,
        ...(s.credits > 0 ? { aiCredits: s.credits } : {}),
        firstTs: s.firstTs,
        lastTs: s.lastTs,
      };
    })
    .sort((a, b) => byCostThenTokens(a, b) || b.lastTs - a.lastTs)
    .slice(0, limit);
}

function workspaceViews(workspaces: Map<string, WsAcc>, folders: string[], limit: number): UsageWorkspaceView[] {
  return [...workspaces.entries()]
    .filter(([, w]) => w.requests > 0)
    .map(([cwd, w]) => {
      const cost = costOf(w.cost, w.requests, w.unpriced);
      return {
        cwd,
        label: cwd ? workspaceLabel(cwd) : l10n.t('unknown folder'),
        current: folders.length > 0 && matchWorkspace(cwd, folders) !== undefined,
        sessions: w.sessions.size,
        tokens: w.tokens,
        requests: w.requests,
        ...(cost !== undefined ? { costUSD: cost } : {}),
        unpricedRequests: w.unpriced,
      };
    })
    .sort((a, b) => byCostThenTokens(a, b) || (a.cwd < b.cwd ? -1 : 1))
    .slice(0, limit);
}

function toolViews(tools: Map<string, ToolAcc>, limit: number): UsageToolView[] {
  return [...tools.entries()]
    .map(([name, t]) => ({
      name,
      count: t.count,
      ...(t.timedCount > 0 ? { avgDurationMs: t.durationMs / t.timedCount } : {}),
      timedCount: t.timedCount,
      errors: t.errors,
    }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
    .slice(0, limit);
}

/** Claude 5-hour blocks: the active one and the last day's. */
function blocksView(hours: readonly HourRow[] | undefined, now: number): UsageView['blocks'] {
  const allBlocks = hours ? fiveHourBlocks(hours, { agent: 'claude-code', now, since: now - 24 * HOUR }) : [];
  const blockViews = allBlocks.map((b) => blockView(b, now));
  const current = blockViews.find((b) => b.active);
  const recent = blockViews.filter((b) => !b.active).slice(-4).reverse();
  return { ...(current ? { current } : {}), recent };
}

function planWindowViews(planWindowsIn: PlanWindows[], now: number): UsagePlanWindowView[] {
  const planWindows: UsagePlanWindowView[] = [];
  for (const pw of planWindowsIn) {
    for (const w of pw.windows) {
      planWindows.push({
        agent: pw.agent,
        name: w.name,
        label: windowLabel(w.name, w.windowMinutes),
        usedPercent: w.usedPercent,
        ...(w.windowMinutes !== undefined ? { windowMinutes: w.windowMinutes } : {}),
        ...(w.resetsAt !== undefined ? { resetsAt: w.resetsAt } : {}),
        observedAt: w.observedAt,
        expired: w.resetsAt !== undefined && w.resetsAt <= now,
      });
    }
  }
  planWindows.sort((a, b) => (a.windowMinutes ?? Infinity) - (b.windowMinutes ?? Infinity) || b.observedAt - a.observedAt);
  return planWindows;
}
