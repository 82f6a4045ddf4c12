// Pure shaping of usage groups for the CLI: monthly merge, JSON rows, aligned text table with a totals row.
// Costs are never invented: a group whose requests are all unpriced shows "unpriced" (JSON: costUSD null).
import type { UsageGroup, UsageTotals } from '../core/usage/query';
import type { AgentId } from '../core/usage/types';

export type ReportKind = 'daily' | 'monthly' | 'session' | 'model';

const SUMS = [
  'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens', 'reasoningTokens',
  'webSearchRequests', 'totalTokens', 'requests', 'costUSD', 'unpricedRequests', 'loggedCostUSD',
] as const;

/** Merges day groups into month groups (`YYYY-MM`). */
export function byMonth(days: readonly UsageGroup[]): UsageGroup[] {
  const m = new Map<string, UsageGroup>();
  for (const d of days) {
    const key = d.key.slice(0, 7);
    let g = m.get(key);
    if (!g) {
      g = { ...d, key, agents: [...d.agents], tools: {} };
      m.set(key, g);
      continue;
    }
    for (const k of SUMS) g[k] += d[k];
    for (const a of d.agents) if (!g.agents.includes(a)) g.agents.push(a);
    if (d.firstTs !== undefined) g.firstTs = Math.min(g.firstTs ?? d.firstTs, d.firstTs);
    if (d.lastTs !== undefined) g.lastTs = Math.max(g.lastTs ?? d.lastTs, d.lastTs);
  }
  return [...m.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

export function sumGroups(groups: readonly UsageGroup[]): UsageTotals {
  const t: UsageTotals = {
    inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0,
    webSearchRequests: 0, totalTokens: 0, requests: 0, costUSD: 0, unpricedRequests: 0, loggedCostUSD: 0, tools: {},
  };
  for (const g of groups) for (const k of SUMS) t[k] += g[k];
  return t;
}

const r6 = (n: number): number => Math.round(n * 1e6) / 1e6;

export interface JsonRow {
  key: string;
  agents?: AgentId[];
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  /** null when every request is unpriced. */
  costUSD: number | null;
  unpricedRequests: number;
}

export function jsonRow(g: UsageTotals & { key?: string; agents?: AgentId[] }, key = g.key ?? 'total'): JsonRow {
  const row: JsonRow = {
    key,
    requests: g.requests,
    inputTokens: g.inputTokens,
    outputTokens: g.outputTokens,
    cacheWriteTokens: g.cacheWrite5mTokens + g.cacheWrite1hTokens,
    cacheWrite1hTokens: g.cacheWrite1hTokens,
    cacheReadTokens: g.cacheReadTokens,
    reasoningTokens: g.reasoningTokens,
    totalTokens: g.totalTokens,
    costUSD: g.requests > 0 && g.unpricedRequests === g.requests ? null : r6(g.costUSD),
    unpricedRequests: g.unpricedRequests,
  };
  if (g.agents) row.agents = [...g.agents].sort();
  return row;
}

export function formatCost(g: Pick<UsageTotals, 'costUSD' | 'requests' | 'unpricedRequests'>): string {
  if (g.requests > 0 && g.unpricedRequests === g.requests) return 'unpriced';
  const s = `$${g.costUSD.toFixed(2)}`;
  return g.unpricedRequests > 0 ? `${s} +${g.unpricedRequests} unpriced` : s;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

const KEY_TITLE: Record<ReportKind, string> = { daily: 'Date', monthly: 'Month', session: 'Session', model: 'Model' };

/** Aligned plain-text table: text columns left, numbers right, a rule and a totals row. */
export function renderTable(kind: ReportKind, groups: readonly UsageGroup[]): string {
  const head = [KEY_TITLE[kind], 'Agents', 'Requests', 'Input', 'Output', 'Cache write', 'Cache read', 'Total tokens', 'Cost (USD)'];
  const line = (key: string, g: UsageTotals, agents: string): string[] => [
    key, agents, int(g.requests), int(g.inputTokens), int(g.outputTokens), int(g.cacheWrite5mTokens + g.cacheWrite1hTokens), int(g.cacheReadTokens), int(g.totalTokens), formatCost(g),
  ];
  const body = groups.map((g) => line(kind === 'session' && g.key.length > 36 ? `${g.key.slice(0, 35)}…` : g.key || '(unknown)', g, [...g.agents].sort().join(',')));
  const total = line('Total', sumGroups(groups), '');
  const rows = [head, ...body, total];
  const width = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ').trimEnd();
  const rule = width.map((w) => '─'.repeat(w)).join('  ');
  return [fmt(head), rule, ...body.map(fmt), rule, fmt(total)].join('\n');
}
