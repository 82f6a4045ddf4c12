// Pure shaping of usage groups for the CLI: monthly merge, JSON rows, aligned text table with a totals row.
// Costs are never invented: a group whose requests are all unpriced shows "unpriced" (JSON: costUSD null).
import type { UsageBlock, UsageGroup, UsageTotals } from '../core/usage/query';
import type { AgentId } from '../core/usage/types';
import { PLAIN, visibleLength, type Style } from './style';

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
  /** With --breakdown: the same figures per model. */
  models?: JsonRow[];
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

export interface TableOptions {
  /** Date, tokens in and out, total and cost only. */
  compact?: boolean;
  /** Per group, its models (shown indented under it). */
  breakdown?: ReadonlyMap<string, readonly UsageGroup[]>;
  style?: Style;
}

interface Line {
  cells: string[];
  kind: 'head' | 'row' | 'sub' | 'total';
}

/** Aligns cells (text columns left, numbers right) with a rule under the head and above the totals. */
function layout(lines: Line[], textColumns: number, style: Style): string {
  const width = lines[0]!.cells.map((_, i) => Math.max(...lines.map((l) => visibleLength(l.cells[i] ?? ''))));
  const pad = (c: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, width[i]! - visibleLength(c)));
    return i < textColumns ? c + gap : gap + c;
  };
  const fmt = (l: Line) => {
    const text = l.cells.map(pad).join('  ').trimEnd();
    return l.kind === 'head' ? style.accent(style.bold(text)) : l.kind === 'total' ? style.bold(text) : l.kind === 'sub' ? style.dim(text) : text;
  };
  const rule = style.dim(width.map((w) => '─'.repeat(w)).join('  '));
  const out: string[] = [];
  for (const l of lines) {
    if (l.kind === 'total') out.push(rule);
    out.push(fmt(l));
    if (l.kind === 'head') out.push(rule);
  }
  return out.join('\n');
}

function costCell(g: Pick<UsageTotals, 'costUSD' | 'requests' | 'unpricedRequests'>, style: Style): string {
  const c = formatCost(g);
  return g.unpricedRequests > 0 ? style.warn(c) : c;
}

/** Aligned plain-text table: text columns left, numbers right, a rule and a totals row. */
export function renderTable(kind: ReportKind, groups: readonly UsageGroup[], opts: TableOptions = {}): string {
  const style = opts.style ?? PLAIN;
  const compact = !!opts.compact;
  const head = compact
    ? [KEY_TITLE[kind], 'Input', 'Output', 'Total tokens', 'Cost (USD)']
    : [KEY_TITLE[kind], 'Agents', 'Requests', 'Input', 'Output', 'Cache write', 'Cache read', 'Total tokens', 'Cost (USD)'];
  const cells = (key: string, g: UsageTotals, agents: string): string[] =>
    compact
      ? [key, int(g.inputTokens), int(g.outputTokens), int(g.totalTokens), costCell(g, style)]
      : [key, agents, int(g.requests), int(g.inputTokens), int(g.outputTokens), int(g.cacheWrite5mTokens + g.cacheWrite1hTokens), int(g.cacheReadTokens), int(g.totalTokens), costCell(g, style)];
  const lines: Line[] = [{ cells: head, kind: 'head' }];
  for (const g of groups) {
    const key = kind === 'session' && g.key.length > 36 ? `${g.key.slice(0, 35)}…` : g.key || '(unknown)';
    lines.push({ cells: cells(key, g, [...g.agents].sort().join(',')), kind: 'row' });
    for (const m of opts.breakdown?.get(g.key) ?? []) lines.push({ cells: cells(`  └ ${m.key || '(unknown model)'}`, m, ''), kind: 'sub' });
  }
  lines.push({ cells: cells('Total', sumGroups(groups), ''), kind: 'total' });
  return layout(lines, compact ? 1 : 2, style);
}

const hhmm = (t: number): string => {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

/** The projection of a running block to its end, at the pace since it started (ccusage's "projected"). */
export function blockProjection(b: UsageBlock, now: number): { totalTokens: number; costUSD: number; remainingMs: number } | undefined {
  if (!b.active) return undefined;
  const elapsed = Math.max(60_000, now - b.start);
  const f = (b.end - b.start) / elapsed;
  return { totalTokens: Math.round(b.totalTokens * f), costUSD: b.costUSD * f, remainingMs: Math.max(0, b.end - now) };
}

export function renderBlocks(blocks: readonly UsageBlock[], now: number, opts: { compact?: boolean; style?: Style; breakdown?: ReadonlyMap<number, readonly UsageGroup[]> } = {}): string {
  const style = opts.style ?? PLAIN;
  const compact = !!opts.compact;
  const head = compact ? ['Block start', 'Total tokens', 'Cost (USD)'] : ['Block start', 'State', 'Models', 'Requests', 'Input', 'Output', 'Total tokens', 'Cost (USD)'];
  const lines: Line[] = [{ cells: head, kind: 'head' }];
  for (const b of blocks) {
    const state = b.active ? style.accent(`active, ${Math.round((b.end - now) / 60_000)}m left`) : 'done';
    const cost = costCell(b, style);
    lines.push({ cells: compact ? [hhmm(b.start), int(b.totalTokens), cost] : [hhmm(b.start), state, b.models.join(', '), int(b.requests), int(b.inputTokens), int(b.outputTokens), int(b.totalTokens), cost], kind: 'row' });
    for (const m of opts.breakdown?.get(b.start) ?? []) {
      lines.push({ cells: compact ? [`  └ ${m.key}`, int(m.totalTokens), costCell(m, style)] : [`  └ ${m.key}`, '', '', int(m.requests), int(m.inputTokens), int(m.outputTokens), int(m.totalTokens), costCell(m, style)], kind: 'sub' });
    }
    const p = blockProjection(b, now);
    if (p) {
      const c = `~$${p.costUSD.toFixed(2)}`;
      lines.push({ cells: compact ? ['  projected', `~${int(p.totalTokens)}`, c] : ['  projected at this pace', '', '', '', '', '', `~${int(p.totalTokens)}`, c], kind: 'sub' });
    }
  }
  const total = blocks.reduce(
    (t, b) => ({ requests: t.requests + b.requests, inputTokens: t.inputTokens + b.inputTokens, outputTokens: t.outputTokens + b.outputTokens, totalTokens: t.totalTokens + b.totalTokens, costUSD: t.costUSD + b.costUSD, unpricedRequests: t.unpricedRequests + b.unpricedRequests }),
    { requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUSD: 0, unpricedRequests: 0 },
  );
  const cost = costCell(total, style);
  lines.push({ cells: compact ? ['Total', int(total.totalTokens), cost] : ['Total', '', '', int(total.requests), int(total.inputTokens), int(total.outputTokens), int(total.totalTokens), cost], kind: 'total' });
  return layout(lines, compact ? 1 : 3, style);
}
