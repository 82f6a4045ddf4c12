// The one answer module for agents and scripts: what the MCP server (`tokstat mcp`), the chat participant (`@tokstat`),
// the language-model tool (`tokstat_usage`) and the extension's read API say about quotas, usage and headroom. Each
// surface brings its data (the extension: its live model; the CLI: the files the extension stored) and gets the same
// JSON and the same text. Read-only, aggregates only: no credential, no account identity (e-mail), no full path, no
// prompt; text from providers' servers is quoted as data (quotaText.ts).
import * as path from 'node:path';
import type { Meter, Snapshot } from '../shared/model';
import type { PaceSummary } from '../shared/pace';
import { formatUsd, formatTokens } from '../shared/usageFormat';
import { adviseHeadroom, WORK_KIND_IDS, type HeadroomAccount, type HeadroomAdvice, type HeadroomCandidate, type WorkKind } from './headroom';
import { formatPercent } from '../shared/format';
import { formatToolAnswer, quoteData, type LocalUsageTotals, type ToolAccount } from './quotaText';
import { redact } from './redact';
import { l10n } from '../shared/l10n';
import { queryUsage, totalOf, type UsageTotals } from './usage/query';
import type { UsageRow } from './usage/types';
import { localDay } from './usage/usageIndex';

/** Raised on any incompatible change of the JSON below (MCP structured content and resources). */
export const ANSWER_SCHEMA_VERSION = 1;

export interface AnswerAccount extends ToolAccount, HeadroomAccount {}

/** Figures older than this are stale (as `tokstat guard --max-age`). */
export const STALE_AFTER_MS = 2 * 3_600_000;

// ---------------------------------------------------------------------------------------------------------- quotas

export interface QuotaMeterDoc {
  id: string;
  label: string;
  kind: Meter['kind'];
  unit: string;
  used: number | null;
  limit: number | null;
  remaining: number | null;
  percentUsed: number | null;
  unlimited: boolean;
  resetsAt: string | null;
  source: Meter['source'];
  capturedAt: string;
  pace: { status: PaceSummary['status']; text: string; runOutAt: string | null; projectedPercentAtReset: number | null } | null;
}

export interface QuotaAccountDoc {
  name: string;
  providerId: string;
  provider: string;
  status: Snapshot['status'] | 'not-fetched';
  plan: string | null;
  asOf: string | null;
  ageMs: number | null;
  stale: boolean;
  error: { kind: string; message: string } | null;
  meters: QuotaMeterDoc[];
}

export interface QuotaStatusDoc {
  schemaVersion: number;
  now: string;
  accounts: QuotaAccountDoc[];
}

const iso = (t: number | undefined): string | null => (typeof t === 'number' && Number.isFinite(t) ? new Date(t).toISOString() : null);
const num = (n: number | undefined): number | null => (typeof n === 'number' && Number.isFinite(n) ? n : null);

/** Accounts matching `name` (case-insensitive), or all when none is given. */
export function selectAccounts<T extends { name: string }>(accounts: readonly T[], name: string | undefined): T[] {
  const want = name?.trim().toLowerCase();
  return want ? accounts.filter((a) => a.name.toLowerCase() === want) : [...accounts];
}

export function quotaStatus(accounts: readonly AnswerAccount[], now: number, accountName?: string): QuotaStatusDoc {
  return {
    schemaVersion: ANSWER_SCHEMA_VERSION,
    now: new Date(now).toISOString(),
    accounts: selectAccounts(accounts, accountName).map((a) => {
      const s = a.snapshot;
      const at = s ? s.lastSuccessAt ?? s.takenAt : undefined;
      return {
        name: a.name,
        providerId: a.providerId,
        provider: a.providerName,
        status: s?.status ?? 'not-fetched',
        // Server text goes out as data: scrubbed of secrets and control characters (not quoted: this is JSON).
        plan: s?.plan !== undefined ? redact(s.plan).slice(0, 40) : null,
        asOf: iso(at),
        ageMs: at === undefined ? null : Math.max(0, now - at),
        stale: at === undefined || now - at > STALE_AFTER_MS || s?.status === 'stale',
        error: s?.error && s.status !== 'ok' ? { kind: s.error.kind, message: redact(s.error.message).slice(0, 160) } : null,
        meters: (s?.meters ?? []).map((m) => {
          const p = a.pace?.[m.id];
          return {
            id: m.id,
            label: m.label,
            kind: m.kind,
            unit: m.unit,
            used: num(m.used),
            limit: num(m.limit),
            remaining: num(m.remaining),
            percentUsed: num(m.percentUsed),
            unlimited: m.unlimited === true,
            resetsAt: iso(m.resetsAt),
            source: m.source,
            capturedAt: iso(m.capturedAt) ?? '',
            pace: p ? { status: p.status, text: p.text, runOutAt: iso(p.runOutAt), projectedPercentAtReset: num(p.projectedPercentAtReset) } : null,
          };
        }),
      };
    }),
  };
}

/** The quota text: the language-model tool's answer (one formatter for every surface). */
export function quotaStatusText(accounts: readonly AnswerAccount[], now: number, accountName?: string, local?: { today: LocalUsageTotals; month: LocalUsageTotals }): string {
  return formatToolAnswer({ now, accounts, ...(accountName?.trim() ? { accountName } : {}), ...(local ? { local } : {}) });
}

// ----------------------------------------------------------------------------------------------------------- usage

export const USAGE_RANGES = ['today', 'yesterday', '7d', '30d', 'month', 'all'] as const;
export type UsageRangeName = (typeof USAGE_RANGES)[number];
export const USAGE_GROUPS = ['agent', 'model', 'project', 'day'] as const;
export type UsageGroupName = (typeof USAGE_GROUPS)[number];

export interface UsageRangeSpec {
  range?: UsageRangeName;
  /** Inclusive local days `YYYY-MM-DD`; they win over `range`. */
  since?: string;
  until?: string;
}

export interface DayRange {
  fromDay?: string;
  toDay?: string;
  label: string;
}

const DAY_MS = 86_400_000;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A named range or explicit days → the index's local-day range. Throws on a malformed day. */
export function dayRange(spec: UsageRangeSpec, now: number, dayOf: (t: number) => string = localDay): DayRange {
  for (const d of [spec.since, spec.until]) if (d !== undefined && !DAY_RE.test(d)) throw new Error(`not a day (YYYY-MM-DD): ${JSON.stringify(d).slice(0, 40)}`);
  if (spec.since !== undefined || spec.until !== undefined) {
    return { ...(spec.since ? { fromDay: spec.since } : {}), ...(spec.until ? { toDay: spec.until } : {}), label: l10n.t('{0} to {1}', spec.since ?? l10n.t('the start'), spec.until ?? l10n.t('today')) };
  }
  const today = dayOf(now);
  switch (spec.range ?? 'today') {
    case 'today':
      return { fromDay: today, toDay: today, label: l10n.t('today ({0})', today) };
    case 'yesterday': {
      const d = dayOf(now - DAY_MS);
      return { fromDay: d, toDay: d, label: l10n.t('yesterday ({0})', d) };
    }
    case '7d':
      return { fromDay: dayOf(now - 6 * DAY_MS), toDay: today, label: l10n.t('the last 7 days') };
    case '30d':
      return { fromDay: dayOf(now - 29 * DAY_MS), toDay: today, label: l10n.t('the last 30 days') };
    case 'month':
      return { fromDay: `${today.slice(0, 8)}01`, toDay: today, label: l10n.t('this month ({0})', today.slice(0, 7)) };
    case 'all':
      return { label: l10n.t('all recorded time') };
  }
}

export interface UsageGroupDoc {
  key: string;
  agents: string[];
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  /** API-equivalent cost of the priced requests; `unpricedRequests` had no price (their cost is unknown, not 0). */
  costUSD: number;
  unpricedRequests: number;
}

export interface UsageSummaryDoc {
  schemaVersion: number;
  range: { from: string | null; to: string | null; label: string };
  groupBy: UsageGroupName;
  groups: UsageGroupDoc[];
  totals: Omit<UsageGroupDoc, 'key' | 'agents'>;
  /** False when there is no usage data at all (local usage off, or not scanned yet). */
  available: boolean;
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

function groupDoc(g: UsageTotals & { agents?: readonly string[] }, key: string): UsageGroupDoc {
  return {
    key,
    agents: [...(g.agents ?? [])],
    requests: g.requests,
    inputTokens: g.inputTokens,
    outputTokens: g.outputTokens,
    cacheReadTokens: g.cacheReadTokens,
    cacheWriteTokens: g.cacheWrite5mTokens + g.cacheWrite1hTokens,
    totalTokens: g.totalTokens,
    costUSD: round6(g.costUSD),
    unpricedRequests: g.unpricedRequests,
  };
}

/** Tokens and cost by agent, model, project (the folder's name, never its path) or day over a range. */
export function usageSummary(rows: readonly UsageRow[] | undefined, range: DayRange, groupBy: UsageGroupName = 'agent'): UsageSummaryDoc {
  const q = { ...(range.fromDay ? { fromDay: range.fromDay } : {}), ...(range.toDay ? { toDay: range.toDay } : {}) };
  const raw = queryUsage(rows ?? [], { ...q, groupBy: groupBy === 'project' ? 'workspace' : groupBy });
  const merged = new Map<string, UsageGroupDoc>();
  for (const g of raw) {
    const key = groupBy === 'project' ? (g.key ? path.basename(g.key.replace(/[\\/]+$/, '')) || g.key : '(unknown)') : g.key || '(unknown)';
    const d = groupDoc(g, key);
    const prev = merged.get(key);
    if (!prev) merged.set(key, d);
    else {
      for (const k of ['requests', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'totalTokens', 'costUSD', 'unpricedRequests'] as const) prev[k] = round6(prev[k] + d[k]);
      prev.agents = [...new Set([...prev.agents, ...d.agents])];
    }
  }
  const groups = [...merged.values()];
  const { key: _k, agents: _a, ...totals } = groupDoc(totalOf(rows ?? [], q), '');
  return {
    schemaVersion: ANSWER_SCHEMA_VERSION,
    range: { from: range.fromDay ?? null, to: range.toDay ?? null, label: range.label },
    groupBy,
    groups,
    totals,
    available: rows !== undefined,
  };
}

function costText(t: Pick<UsageGroupDoc, 'costUSD' | 'requests' | 'unpricedRequests'>): string {
  const priced = t.requests - t.unpricedRequests;
  if (t.requests > 0 && priced === 0) return l10n.t('cost unknown (no prices for these models)');
  return t.unpricedRequests > 0 ? l10n.t('{0} + {1} unpriced requests', formatUsd(t.costUSD), t.unpricedRequests) : formatUsd(t.costUSD);
}

function byGroupText(groupBy: UsageGroupName): string {
  switch (groupBy) {
    case 'agent':
      return l10n.t('By agent:');
    case 'model':
      return l10n.t('By model:');
    case 'project':
      return l10n.t('By project:');
    case 'day':
      return l10n.t('By day:');
  }
}

function verdictText(verdict: HeadroomCandidate['verdict']): string {
  switch (verdict) {
    case 'room':
      return l10n.t('room');
    case 'tight':
      return l10n.t('tight');
    case 'none':
      return l10n.t('none');
    case 'unknown':
      return l10n.t('cannot tell');
  }
}

export function usageSummaryText(doc: UsageSummaryDoc, maxGroups = 8): string {
  if (!doc.available) return l10n.t('No local usage data: turn on tokstat.localUsage.enabled in VS Code (tokstat reads the coding agents\' logs).');
  const t = doc.totals;
  if (t.requests === 0) return l10n.t('No coding-agent usage recorded for {0}.', doc.range.label);
  const lines = [l10n.t('Coding-agent usage for {0} (API-equivalent cost): {1}, {2} tokens in {3} requests.', doc.range.label, costText(t), formatTokens(t.totalTokens), t.requests)];
  lines.push(byGroupText(doc.groupBy));
  for (const g of doc.groups.slice(0, maxGroups)) lines.push(`- ${l10n.t('{0}: {1}, {2} tokens, {3} requests', quoteData(g.key, 60), costText(g), formatTokens(g.totalTokens), g.requests)}`);
  if (doc.groups.length > maxGroups) lines.push(`- ${l10n.t('({0} more)', doc.groups.length - maxGroups)}`);
  return redact(lines.join('\n'));
}

// -------------------------------------------------------------------------------------------------------- headroom

export interface HeadroomDoc extends HeadroomAdvice {
  schemaVersion: number;
}

export function headroom(accounts: readonly AnswerAccount[], kind: WorkKind, now: number): HeadroomDoc {
  return { schemaVersion: ANSWER_SCHEMA_VERSION, ...adviseHeadroom(accounts, kind, now, { maxAgeMs: STALE_AFTER_MS }) };
}

export function headroomText(doc: HeadroomAdvice): string {
  const lines = [doc.reason];
  if (doc.candidates.length > 1) {
    for (const c of doc.candidates) {
      const room = c.room === undefined ? l10n.t('cannot tell') : l10n.t('{0}, {1} room', verdictText(c.verdict), formatPercent(Math.round(c.room * 100)));
      lines.push(`- ${l10n.t('{0} ({1}): {2} — {3}', quoteData(c.name, 60), c.providerId, room, c.reason)}`);
    }
  }
  lines.push(l10n.t('tokstat only advises; it never switches accounts.'));
  return redact(lines.join('\n'));
}

// ------------------------------------------------------------------------------------------------------------ chat

export type Question = 'left' | 'cost' | 'which';

/** What a chat question asks: how much is left, what it cost, or which account to use. */
export function classifyQuestion(text: string): Question {
  const t = text.toLowerCase();
  if (/\b(which|what) account\b|\bshould i use\b|\bswitch\b|\bheadroom\b|\bmost room\b|\bbest account\b/.test(t)) return 'which';
  if (/\bcost|\bspen[dt]|\bpaid\b|\bprice|\$|\bbill|\btokens?\b/.test(t)) return 'cost';
  return 'left';
}

/** The work kind a question names ("which account for Claude"), else `any`. */
export function kindOfQuestion(text: string): WorkKind {
  const t = text.toLowerCase();
  if (/\bclaude|anthropic|sonnet|opus|haiku\b/.test(t)) return 'claude';
  if (/\bcodex|copilot|gpt|openai\b/.test(t)) return 'codex';
  return WORK_KIND_IDS.includes(t.trim() as WorkKind) ? (t.trim() as WorkKind) : 'any';
}

export interface ChatData {
  now: number;
  accounts: readonly AnswerAccount[];
  usageRows?: readonly UsageRow[];
}

/** The chat participant's answer: the same texts as the MCP tools, chosen by the question (or a slash command). */
export function answerQuestion(text: string, data: ChatData, command?: string): { question: Question; text: string } {
  const question: Question = command === 'left' || command === 'cost' || command === 'which' ? command : classifyQuestion(text);
  if (question === 'which') return { question, text: headroomText(headroom(data.accounts, kindOfQuestion(text), data.now)) };
  if (question === 'cost') {
    const range: UsageRangeName = /\bmonth\b/i.test(text) ? 'month' : /\byesterday\b/i.test(text) ? 'yesterday' : /\bweek\b/i.test(text) ? '7d' : 'today';
    return { question, text: usageSummaryText(usageSummary(data.usageRows, dayRange({ range }, data.now), /\bmodel/i.test(text) ? 'model' : 'agent')) };
  }
  return { question, text: quotaStatusText(data.accounts, data.now) };
}
