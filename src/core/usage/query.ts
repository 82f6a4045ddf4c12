// Read-side of the usage index for the views and the CLI: totals over a day range grouped one way, "this workspace"
// filtering by folder prefix, and Claude's 5-hour blocks (ccusage-style) from the hourly rows.

import * as path from 'node:path';
import type { AgentId, ToolAggregate, UsageRow } from './types';
import type { HourRow } from './usageIndex';
import { localDay } from './usageIndex';
import type { TokenCounts, TokenCountsWithReasoning } from '../../shared/tokens';

export type GroupBy = 'agent' | 'model' | 'day' | 'session' | 'workspace' | 'none';

export interface UsageTotals extends TokenCountsWithReasoning {
  webSearchRequests: number;
  /** input + output + cache read + cache writes. */
  totalTokens: number;
  requests: number;
  costUSD: number;
  unpricedRequests: number;
  loggedCostUSD: number;
  tools: Record<string, ToolAggregate>;
  firstTs?: number;
  lastTs?: number;
}

export interface UsageGroup extends UsageTotals {
  /** The group's value (agent id, model, `YYYY-MM-DD`, session id, workspace folder or cwd; '' = unknown). */
  key: string;
  /** Agents present in the group (a session or model belongs to one agent in practice). */
  agents: AgentId[];
}

export interface UsageQuery {
  /** Inclusive day range `YYYY-MM-DD`; open ends allowed. */
  fromDay?: string;
  toDay?: string;
  groupBy?: GroupBy;
  agents?: AgentId[];
  models?: string[];
  /**
   * Only rows whose cwd is one of these folders or inside them ("this workspace"). With groupBy 'workspace' the group
   * key is the matching folder.
   */
  workspaceFolders?: string[];
}

function emptyTotals(): UsageTotals {
  return {
    inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0,
    webSearchRequests: 0, totalTokens: 0, requests: 0, costUSD: 0, unpricedRequests: 0, loggedCostUSD: 0, tools: {},
  };
}

function norm(p: string): string {
  let s = p.replace(/\\/g, '/');
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  // Windows and macOS file systems are case-insensitive in practice; compare folder prefixes the same way there.
  return process.platform === 'linux' ? s : s.toLowerCase();
}

/** The given folder containing cwd (longest match), or undefined. */
export function matchWorkspace(cwd: string, folders: string[]): string | undefined {
  if (!cwd) return undefined;
  const c = norm(cwd);
  let best: string | undefined;
  for (const f of folders) {
    const n = norm(f);
    if ((c === n || c.startsWith(n.endsWith('/') ? n : n + '/')) && (!best || n.length > norm(best).length)) best = f;
  }
  return best;
}

function addInto(t: UsageTotals, r: UsageRow): void {
  t.inputTokens += r.inputTokens;
  t.outputTokens += r.outputTokens;
  t.cacheReadTokens += r.cacheReadTokens;
  t.cacheWrite5mTokens += r.cacheWrite5mTokens;
  t.cacheWrite1hTokens += r.cacheWrite1hTokens;
  t.reasoningTokens += r.reasoningTokens;
  t.webSearchRequests += r.webSearchRequests;
  t.totalTokens += r.inputTokens + r.outputTokens + r.cacheReadTokens + r.cacheWrite5mTokens + r.cacheWrite1hTokens;
  t.requests += r.requests;
  t.costUSD += r.costUSD;
  t.unpricedRequests += r.unpricedRequests;
  t.loggedCostUSD += r.loggedCostUSD;
  for (const [name, a] of Object.entries(r.tools)) {
    const x = (t.tools[name] ??= { count: 0, durationMs: 0, timedCount: 0, errors: 0 });
    x.count += a.count;
    x.durationMs += a.durationMs;
    x.timedCount += a.timedCount;
    x.errors += a.errors;
  }
  if (r.requests > 0) {
    if (t.firstTs === undefined || r.firstTs < t.firstTs) t.firstTs = r.firstTs;
    if (t.lastTs === undefined || r.lastTs > t.lastTs) t.lastTs = r.lastTs;
  }
}

/** Groups sorted by key (days ascending, others by descending total tokens). */
export function queryUsage(rows: Iterable<UsageRow>, q: UsageQuery = {}): UsageGroup[] {
  const groups = new Map<string, UsageGroup>();
  const by = q.groupBy ?? 'none';
  for (const r of rows) {
    if (q.fromDay && r.day < q.fromDay) continue;
    if (q.toDay && r.day > q.toDay) continue;
    if (q.agents && !q.agents.includes(r.agent)) continue;
    if (q.models && !q.models.includes(r.model)) continue;
    let ws: string | undefined;
    if (q.workspaceFolders) {
      ws = matchWorkspace(r.cwd, q.workspaceFolders);
      if (!ws) continue;
    }
    const key =
      by === 'agent' ? r.agent : by === 'model' ? r.model : by === 'day' ? r.day : by === 'session' ? r.sessionId : by === 'workspace' ? ws ?? r.cwd : '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, agents: [], ...emptyTotals() }));
    if (!g.agents.includes(r.agent)) g.agents.push(r.agent);
    addInto(g, r);
  }
  const out = [...groups.values()];
  if (by === 'day') out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  else out.sort((a, b) => b.totalTokens - a.totalTokens || (a.key < b.key ? -1 : 1));
  return out;
}

/** Sum of all groups (or an empty total). */
export function totalOf(rows: Iterable<UsageRow>, q: Omit<UsageQuery, 'groupBy'> = {}): UsageTotals {
  return queryUsage(rows, { ...q, groupBy: 'none' })[0] ?? emptyTotals();
}

/** Day range helpers in the same (local) calendar as the index. */
export function todayRange(now: number, dayOf: (ts: number) => string = localDay): { fromDay: string; toDay: string } {
  const d = dayOf(now);
  return { fromDay: d, toDay: d };
}

export function monthRange(now: number, dayOf: (ts: number) => string = localDay): { fromDay: string; toDay: string } {
  const d = dayOf(now);
  return { fromDay: d.slice(0, 8) + '01', toDay: d.slice(0, 8) + '31' };
}

export interface UsageBlock extends TokenCounts {
  /** Epoch ms: first activity floored to the hour. */
  start: number;
  /** start + 5 h. */
  end: number;
  firstTs: number;
  lastTs: number;
  /** The block contains `now` (and activity happened less than 5 h ago). */
  active: boolean;
  totalTokens: number;
  requests: number;
  costUSD: number;
  unpricedRequests: number;
  models: string[];
}

const HOUR = 3_600_000;
const BLOCK = 5 * HOUR;

/**
 * ccusage-style 5-hour blocks: a block starts at its first message floored to the hour and lasts 5 h; a message after
 * the block's end, or more than 5 h after the previous message, starts a new block. Hourly rows carry their first and
 * last timestamps, so the result equals the per-message computation.
 */
export function fiveHourBlocks(hours: Iterable<HourRow>, opts: { agent?: AgentId; now?: number; since?: number } = {}): UsageBlock[] {
  const agent = opts.agent ?? 'claude-code';
  const byHour = new Map<number, HourRow[]>();
  for (const h of hours) {
    if (h.agent !== agent || h.requests <= 0) continue;
    if (opts.since !== undefined && h.hour + HOUR <= opts.since) continue;
    const l = byHour.get(h.hour);
    if (l) l.push(h);
    else byHour.set(h.hour, [h]);
  }
  const blocks: UsageBlock[] = [];
  let cur: UsageBlock | undefined;
  for (const hour of [...byHour.keys()].sort((a, b) => a - b)) {
    const hs = byHour.get(hour)!;
    const first = Math.min(...hs.map((h) => h.firstTs));
    const last = Math.max(...hs.map((h) => h.lastTs));
    if (!cur || first >= cur.end || first - cur.lastTs > BLOCK) {
      const start = Math.floor(first / HOUR) * HOUR;
      cur = {
        start, end: start + BLOCK, firstTs: first, lastTs: last, active: false, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0,
        cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, totalTokens: 0, requests: 0, costUSD: 0, unpricedRequests: 0, models: [],
      };
      blocks.push(cur);
    }
    cur.lastTs = Math.max(cur.lastTs, last);
    for (const h of hs) {
      cur.inputTokens += h.inputTokens;
      cur.outputTokens += h.outputTokens;
      cur.cacheReadTokens += h.cacheReadTokens;
      cur.cacheWrite5mTokens += h.cacheWrite5mTokens;
      cur.cacheWrite1hTokens += h.cacheWrite1hTokens;
      cur.totalTokens += h.inputTokens + h.outputTokens + h.cacheReadTokens + h.cacheWrite5mTokens + h.cacheWrite1hTokens;
      cur.requests += h.requests;
      cur.costUSD += h.costUSD;
      cur.unpricedRequests += h.unpricedRequests;
      if (!cur.models.includes(h.model)) cur.models.push(h.model);
    }
  }
  if (opts.now !== undefined) {
    for (const b of blocks) b.active = opts.now >= b.start && opts.now < b.end && opts.now - b.lastTs < BLOCK;
  }
  return blocks;
}

/** Workspace folder display helper: last path segment. */
export function workspaceLabel(cwd: string): string {
  return cwd ? path.basename(cwd) || cwd : 'unknown';
}
