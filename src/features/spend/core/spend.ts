// Spend across providers: money per day from every account that reports money, and the local agents'
// API-equivalent cost, gathered into one view (per day for 7 and 30 days, per month for 12 months), stacked by
// provider. Pure core: the host hands in the vendors' daily buckets, the history of money meters and the agents' daily
// costs; nothing here reads files or the clock.
//
// Where the money comes from, best first, per account:
// 1. the vendor's own daily buckets (OpenAI's and Anthropic's cost reports): kept as days;
// 2. a spend meter in money (OpenRouter, xAI, LiteLLM, Cursor, Claude's extra usage): the increase between readings,
//    a drop being a reset (a new month or day); what a monthly or daily meter showed at its first reading is spent in
//    that window, so it counts on the first day tokstat saw it (a lifetime total's first reading does not count);
// 3. a balance in money (DeepSeek, Moonshot, SiliconFlow, prepaid credit): decreases are spend ("burn"), increases are
//    top-ups, listed apart and never counted as spend.
// Before an account's first reading its spend is unknown (null), never 0.
import type { DailyAmount, Meter } from '../../../shared/model';
import type { SpendKind, SpendRange, SpendRow, SpendView } from '../../../shared/protocol';
import { csvLine } from '../../../core/history/csv';

export type { SpendRange, SpendView } from '../../../shared/protocol';

/** One source of money per day. */
export interface SpendSeries {
  /** Account id, or `agent:<agent id>` (plus `:<account id>` when attributed to an account). */
  id: string;
  /** Account name, or the agent's name. */
  label: string;
  /** The stack it belongs to: the provider's display name, or "Claude Code (API-equivalent)". */
  provider: string;
  kind: SpendKind;
  currency: string;
  /** Spend per day (`YYYY-MM-DD`); a day between `from` and `to` without an entry spent nothing. */
  days: Record<string, number>;
  /** Balance top-ups per day (kind `burn`). */
  topUps?: Record<string, number>;
  /** First and last day the series knows (inclusive). */
  from: string;
  to: string;
}

/** A reading of a money meter: its time and the value that matters (used, or the balance's remaining). */
export interface MoneyReading {
  t: number;
  v: number;
}

const MONEY_UNIT = /^[A-Z]{3}$/;

/** A unit that is a currency code (USD, EUR, CNY), not "credits" or "requests". */
export function isMoneyUnit(unit: string): boolean {
  return MONEY_UNIT.test(unit.trim().toUpperCase()) && !/^(TOK|REQ|MSG)$/i.test(unit.trim());
}

/** How an account's money is read from its meters: which meter, and whether it is spend or a balance. */
export interface MoneyMeter {
  meter: Meter;
  kind: 'spend' | 'burn';
  /** The meter restarts every month or day: its first reading is spend of that window. */
  windowed: boolean;
}

/**
 * The money meter of an account, best first: a monthly spend meter, another windowed one (daily), a lifetime total,
 * any spend meter; else a balance (or credits) in money. Undefined when the account reports no money.
 */
export function moneyMeter(meters: readonly Meter[]): MoneyMeter | undefined {
  const spend = meters.filter((m) => m.kind === 'spend' && isMoneyUnit(m.unit) && !m.unlimited);
  const monthly = spend.find((m) => m.period === 'month' || /month/i.test(m.id));
  if (monthly) return { meter: monthly, kind: 'spend', windowed: true };
  const total = spend.find((m) => /total/i.test(m.id));
  if (total) return { meter: total, kind: 'spend', windowed: false };
  const daily = spend.find((m) => m.period === 'day' || /today|day/i.test(m.id));
  if (daily) return { meter: daily, kind: 'spend', windowed: true };
  if (spend[0]) return { meter: spend[0], kind: 'spend', windowed: false };
  const balance = meters.find((m) => (m.kind === 'balance' || m.kind === 'credits') && isMoneyUnit(m.unit) && !m.unlimited);
  return balance ? { meter: balance, kind: 'burn', windowed: false } : undefined;
}

/** The local calendar day of an epoch ms, `YYYY-MM-DD`. */
export function localDay(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

function add(rec: Record<string, number>, day: string, v: number): void {
  rec[day] = round((rec[day] ?? 0) + v);
}

/**
 * Spend per day from readings of a cumulative meter: the increase between readings on the later reading's day; a
 * drop is a reset, after which the new value was spent. A windowed meter's first reading counts too.
 */
export function dailyFromCumulative(readings: readonly MoneyReading[], windowed: boolean, dayOf: (t: number) => string = localDay): Pick<SpendSeries, 'days' | 'from' | 'to'> | undefined {
  const rs = readings.filter((r) => Number.isFinite(r.t) && Number.isFinite(r.v) && r.v >= 0).sort((a, b) => a.t - b.t);
  if (rs.length === 0) return undefined;
  const days: Record<string, number> = {};
  const first = rs[0]!;
  if (windowed && first.v > 0) add(days, dayOf(first.t), first.v);
  for (let i = 1; i < rs.length; i++) {
    const prev = rs[i - 1]!.v;
    const v = rs[i]!.v;
    const inc = v >= prev ? v - prev : v;
    if (inc > 0) add(days, dayOf(rs[i]!.t), inc);
  }
  return { days, from: dayOf(first.t), to: dayOf(rs[rs.length - 1]!.t) };
}

/** Burn and top-ups per day from readings of a balance: decreases are spend, increases top-ups. */
export function dailyFromBalance(readings: readonly MoneyReading[], dayOf: (t: number) => string = localDay): Pick<SpendSeries, 'days' | 'topUps' | 'from' | 'to'> | undefined {
  const rs = readings.filter((r) => Number.isFinite(r.t) && Number.isFinite(r.v)).sort((a, b) => a.t - b.t);
  if (rs.length === 0) return undefined;
  const days: Record<string, number> = {};
  const topUps: Record<string, number> = {};
  for (let i = 1; i < rs.length; i++) {
    const d = rs[i]!.v - rs[i - 1]!.v;
    if (d < 0) add(days, dayOf(rs[i]!.t), -d);
    else if (d > 0) add(topUps, dayOf(rs[i]!.t), d);
  }
  return { days, topUps, from: dayOf(rs[0]!.t), to: dayOf(rs[rs.length - 1]!.t) };
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A vendor's daily buckets as a series' days (one currency: the one most of the money is in). */
export function dailyFromBuckets(buckets: readonly DailyAmount[]): Pick<SpendSeries, 'days' | 'from' | 'to' | 'currency'> | undefined {
  const ok = buckets.filter((b) => DAY_RE.test(b.day) && Number.isFinite(b.amount) && b.amount >= 0);
  if (ok.length === 0) return undefined;
  const byCur = new Map<string, number>();
  for (const b of ok) byCur.set(b.currency, (byCur.get(b.currency) ?? 0) + b.amount);
  const currency = byCur.has('USD') ? 'USD' : [...byCur.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const days: Record<string, number> = {};
  const mine = ok.filter((b) => b.currency === currency).map((b) => b.day).sort();
  for (const b of ok) if (b.currency === currency) add(days, b.day, b.amount);
  return { days, from: mine[0]!, to: mine[mine.length - 1]!, currency };
}

/**
 * Merges stored vendor days with the latest snapshot's (a newer report of a day replaces the stored one) and keeps
 * the newest `maxDays`.
 */
export function mergeDays(stored: readonly DailyAmount[], fresh: readonly DailyAmount[], maxDays = 400): DailyAmount[] {
  const m = new Map<string, DailyAmount>();
  for (const d of [...stored, ...fresh]) if (DAY_RE.test(d.day) && Number.isFinite(d.amount) && d.amount >= 0 && MONEY_UNIT.test(d.currency)) m.set(`${d.day}|${d.currency}`, d);
  return [...m.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)).slice(-maxDays * 2);
}

/** The days (`YYYY-MM-DD`) or months (`YYYY-MM`) of a range ending with `today`, oldest first. */
export function rangeBuckets(range: SpendRange, today: string): { unit: 'day' | 'month'; buckets: string[] } {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  if (range === '12m') {
    const out: string[] = [];
    for (let i = 11; i >= 0; i--) {
      const dt = new Date(Date.UTC(y, m - 1 - i, 1));
      out.push(`${dt.getUTCFullYear()}-${pad(dt.getUTCMonth() + 1)}`);
    }
    return { unit: 'month', buckets: out };
  }
  const n = range === '7d' ? 7 : 30;
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const dt = new Date(Date.UTC(y, m - 1, d - i));
    out.push(`${dt.getUTCFullYear()}-${pad(dt.getUTCMonth() + 1)}-${pad(dt.getUTCDate())}`);
  }
  return { unit: 'day', buckets: out };
}

/** A series' value in one bucket: null when the bucket is wholly outside what the series knows. */
function valueIn(s: SpendSeries, bucket: string, unit: 'day' | 'month', rec: Record<string, number> | undefined): number | null {
  if (!rec) return null;
  if (unit === 'day') {
    if (bucket < s.from || bucket > s.to) return null;
    return rec[bucket] ?? 0;
  }
  if (`${bucket}-31` < s.from || `${bucket}-01` > s.to) return null;
  let sum = 0;
  for (const [day, v] of Object.entries(rec)) if (day.startsWith(bucket)) sum += v;
  return round(sum);
}

const sumKnown = (xs: ReadonlyArray<number | null>): number | null => {
  let any = false;
  let s = 0;
  for (const x of xs) {
    if (x === null) continue;
    any = true;
    s += x;
  }
  return any ? round(s) : null;
};

/**
 * The Spend view of a range: rows per source, stacks per provider and totals per bucket in the chart's currency (the
 * one with the most money; USD when present), rows in other currencies listed apart with their own totals.
 */
export function buildSpendView(series: readonly SpendSeries[], range: SpendRange, now: number, today = localDay(now)): SpendView {
  const { unit, buckets } = rangeBuckets(range, today);
  const rows: SpendRow[] = series.map((s) => {
    const values = buckets.map((b) => valueIn(s, b, unit, s.days));
    const tops = s.topUps ? sumKnown(buckets.map((b) => valueIn(s, b, unit, s.topUps))) : null;
    const row: SpendRow = { id: s.id, label: s.label, provider: s.provider, kind: s.kind, currency: s.currency, values, total: sumKnown(values) };
    if (tops !== null && tops > 0) row.topUps = tops;
    return row;
  });
  const byCurrency = new Map<string, number>();
  for (const r of rows) if (r.total !== null) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0) + r.total);
  const currency = byCurrency.has('USD') || byCurrency.size === 0 ? 'USD' : [...byCurrency.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const inChart = rows.filter((r) => r.currency === currency);
  const providers = new Map<string, SpendRow[]>();
  for (const r of inChart) providers.set(r.provider, [...(providers.get(r.provider) ?? []), r]);
  const stacks = [...providers.entries()]
    .map(([provider, rs]) => ({ provider, values: buckets.map((_, i) => sumKnown(rs.map((r) => r.values[i]!))), total: sumKnown(rs.map((r) => r.total)) }))
    .sort((a, b) => (b.total ?? -1) - (a.total ?? -1) || a.provider.localeCompare(b.provider));
  const totals = buckets.map((_, i) => sumKnown(inChart.map((r) => r.values[i]!)));
  const others = [...byCurrency.entries()].filter(([c]) => c !== currency).map(([c, total]) => ({ currency: c, total: round(total) }));
  rows.sort((a, b) => (a.currency === currency ? 0 : 1) - (b.currency === currency ? 0 : 1) || (b.total ?? -1) - (a.total ?? -1) || a.label.localeCompare(b.label));
  return { range, unit, generatedAt: now, currency, buckets, stacks, rows, totals, total: sumKnown(totals), otherCurrencies: others };
}

/** This month's spend per currency (the month of `today`), for the status bar's tooltip; empty when nothing is known. */
export function monthToDate(series: readonly SpendSeries[], today: string): Array<{ currency: string; amount: number; sources: number }> {
  const month = today.slice(0, 7);
  const by = new Map<string, { amount: number; sources: number }>();
  for (const s of series) {
    const v = valueIn(s, month, 'month', s.days);
    if (v === null) continue;
    const cur = by.get(s.currency) ?? { amount: 0, sources: 0 };
    cur.amount = round(cur.amount + v);
    cur.sources++;
    by.set(s.currency, cur);
  }
  return [...by.entries()].map(([currency, x]) => ({ currency, ...x })).sort((a, b) => (a.currency === 'USD' ? -1 : b.currency === 'USD' ? 1 : b.amount - a.amount));
}

/** The view as CSV: one line per source and bucket with a known amount (unknown buckets are left out, not 0). */
export function spendCsv(view: SpendView): string {
  const lines = [csvLine([view.unit === 'day' ? 'day' : 'month', 'provider', 'source', 'kind', 'currency', 'amount'])];
  for (const r of view.rows) {
    view.buckets.forEach((b, i) => {
      const v = r.values[i];
      if (v === null || v === undefined) return;
      lines.push(csvLine([b, r.provider, r.label, r.kind, r.currency, v]));
    });
  }
  return lines.join('');
}

/** One row of the agents' usage index, as far as spend needs it. */
export interface AgentCostRow {
  day: string;
  agent: string;
  sessionId: string;
  costUSD: number;
}

/** Which account a session's cost belongs to (its agent's home is the account's), or undefined. */
export type SessionOwner = (agent: string, sessionId: string) => { id: string; label: string } | undefined;

/**
 * The agents' API-equivalent cost per day: one series per agent, or per agent and account where `owner` tells which
 * account's home a session's log is under. Known from the agent's first logged day to `today`.
 */
export function agentSeries(rows: readonly AgentCostRow[], labels: Readonly<Record<string, string>>, today: string, owner?: SessionOwner): SpendSeries[] {
  const out = new Map<string, SpendSeries>();
  for (const r of rows) {
    if (!DAY_RE.test(r.day) || !Number.isFinite(r.costUSD) || r.agent === 'api') continue;
    const agentLabel = labels[r.agent] ?? r.agent;
    const who = owner?.(r.agent, r.sessionId);
    const id = who ? `agent:${r.agent}:${who.id}` : `agent:${r.agent}`;
    let s = out.get(id);
    if (!s) {
      s = { id, label: who ? `${agentLabel} · ${who.label}` : agentLabel, provider: `${agentLabel} (API-equivalent)`, kind: 'agent', currency: 'USD', days: {}, from: r.day, to: today };
      out.set(id, s);
    }
    if (r.day < s.from) s.from = r.day;
    if (r.costUSD > 0) add(s.days, r.day, r.costUSD);
  }
  return [...out.values()];
}
