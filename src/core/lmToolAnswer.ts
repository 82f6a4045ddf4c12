// The text the `tokstat_usage` language-model tool returns: short, factual, from tokstat's own data only.
// No secrets and no personal identifiers (account identity/e-mail is left out); unknown stays "unknown".
import type { Meter, Snapshot } from './model';
import type { PaceSummary } from './forecast/types';
import { formatAge, formatPercent, formatResetIn, formatUsedOfLimit, STATUS_LABEL, UNKNOWN } from './format';

export interface ToolAccount {
  name: string;
  providerName: string;
  snapshot?: Snapshot;
  /** Pace per meter id, when the forecast engine has one. */
  pace?: Readonly<Record<string, PaceSummary | undefined>>;
}

export interface LocalUsageTotals {
  costUSD: number;
  requests: number;
  unpricedRequests: number;
  totalTokens: number;
}

export interface ToolAnswerInput {
  now: number;
  accounts: readonly ToolAccount[];
  local?: { today: LocalUsageTotals; month: LocalUsageTotals };
  /** Restrict to one account (case-insensitive name). */
  accountName?: string;
  /** Meters per account (closest to the limit first). Default 3. */
  maxMeters?: number;
}

const MAX_ERROR = 160;

function pressure(m: Meter): number {
  return m.unlimited ? -1 : m.percentUsed ?? -2;
}

function meterLine(m: Meter, now: number, pace: PaceSummary | undefined): string {
  const amount = formatUsedOfLimit(m);
  let value: string;
  if (m.unlimited) value = 'unlimited';
  else if (m.percentUsed !== undefined) value = `${formatPercent(m.percentUsed)} used${amount !== UNKNOWN ? ` (${amount})` : ''}`;
  else value = amount;
  const parts = [`${m.label}: ${value}`];
  const reset = formatResetIn(m.resetsAt, now);
  if (reset) parts.push(reset);
  if (pace && pace.status === 'ok' && pace.text) parts.push(pace.text);
  return parts.join('; ');
}

function tokens(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function localLine(label: string, t: LocalUsageTotals): string {
  if (t.requests === 0) return `${label}: no usage`;
  const priced = t.requests - t.unpricedRequests;
  const cost = priced === 0 ? 'cost unknown (no prices for these models)' : `$${t.costUSD.toFixed(2)}`;
  const extra = t.unpricedRequests > 0 && priced > 0 ? ` + ${t.unpricedRequests} unpriced requests` : '';
  return `${label}: ${cost}${extra}, ${tokens(t.totalTokens)} tokens in ${t.requests} requests`;
}

export function formatToolAnswer(input: ToolAnswerInput): string {
  const { now } = input;
  const max = input.maxMeters ?? 3;
  let accounts = input.accounts;
  const lines: string[] = [];
  if (input.accountName) {
    const want = input.accountName.trim().toLowerCase();
    const hit = accounts.filter((a) => a.name.toLowerCase() === want);
    if (hit.length === 0) {
      const names = accounts.map((a) => a.name).join(', ') || 'none';
      return `tokstat has no account named "${input.accountName.slice(0, 80)}". Accounts: ${names}.`;
    }
    accounts = hit;
  }
  if (accounts.length === 0) {
    lines.push('No AI accounts are configured in tokstat.');
  } else {
    lines.push('AI accounts (tokstat):');
    for (const a of accounts) {
      const s = a.snapshot;
      if (!s) {
        lines.push(`- ${a.name} (${a.providerName}): not fetched yet`);
        continue;
      }
      const when = formatAge(s.lastSuccessAt ?? s.takenAt, now);
      lines.push(`- ${a.name} (${a.providerName}${s.plan ? `, ${s.plan}` : ''}): ${STATUS_LABEL[s.status]}, as of ${when}`);
      if (s.error && s.status !== 'ok') lines.push(`  problem: ${s.error.message.slice(0, MAX_ERROR)}`);
      const meters = [...s.meters].sort((x, y) => pressure(y) - pressure(x)).slice(0, max);
      for (const m of meters) lines.push(`  ${meterLine(m, now, a.pace?.[m.id])}`);
      if (s.meters.length > max) lines.push(`  (${s.meters.length - max} more meters in the tokstat dashboard)`);
    }
  }
  if (input.local && !input.accountName) {
    lines.push('Local coding agents (from their logs, API-equivalent cost):');
    lines.push(`- ${localLine('today', input.local.today)}`);
    lines.push(`- ${localLine('this month', input.local.month)}`);
  }
  return lines.join('\n');
}
