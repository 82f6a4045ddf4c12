// `tokstat guard`: is there headroom? Answers from what the extension stored (snapshots, the usage index), never from
// the network or the agents' logs, so it is fast enough for git hooks, CI steps and agent wrappers.
// Exit codes: 0 headroom, 1 no headroom, 3 cannot tell (no storage, nothing selected, stale or unknown figures),
// 2 bad arguments (as every command). Rules: the command's help (args.ts) and docs/cli-json.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { localDay, readDayRows } from '../core/usage/usageIndex';
import type { Meter } from '../shared/model';
import { UsageError } from './args';
import { readStoredAccounts, type StoredAccount } from './snapshots';
import { findStorage } from './storage';

export const GUARD_EXIT = { headroom: 0, noHeadroom: 1, badArguments: 2, cannotTell: 3 } as const;
export const DEFAULT_MAX_AGE_MS = 2 * 3_600_000;

export type Threshold = { kind: 'percent' | 'money' | 'units'; value: number } | { kind: 'limit' };
export type Result = 'headroom' | 'no-headroom' | 'unknown';

export interface GuardOptions {
  storage?: string;
  account?: string;
  provider?: string;
  meter?: string;
  minRemaining?: string;
  maxCostToday?: string;
  maxAge?: string;
}

export interface MeterCheck {
  kind: 'meter';
  result: Result;
  reason: string;
  accountId: string;
  account: string | null;
  providerId: string | null;
  meter: string;
  label: string;
  unit: string;
  remaining: number | null;
  limit: number | null;
  percentLeft: number | null;
  threshold: Threshold;
  ageMs: number;
  status: string;
}

export interface CostCheck {
  kind: 'cost';
  result: Result;
  reason: string;
  day: string;
  costUSD: number;
  unpricedRequests: number;
  maxUSD: number;
  indexAgeMs: number | null;
}

export type Check = MeterCheck | CostCheck;

export interface GuardOutcome {
  exitCode: 0 | 1 | 3;
  reason: string;
  checks: Check[];
  storage: string | null;
}

const NUM = '(\\d+(?:\\.\\d+)?)';

/** `10%` (of the limit left), `$5` (money left, money meters only) or `N` (units left). */
export function parseMinRemaining(v: string | undefined): Threshold {
  if (v === undefined) return { kind: 'limit' };
  const s = v.trim();
  let m = new RegExp(`^${NUM}%$`).exec(s);
  if (m) {
    const value = Number(m[1]);
    if (value > 100) throw new UsageError(`--min-remaining ${v}: a percentage is at most 100%`);
    return { kind: 'percent', value };
  }
  m = new RegExp(`^\\$${NUM}$`).exec(s);
  if (m) return { kind: 'money', value: Number(m[1]) };
  m = new RegExp(`^${NUM}$`).exec(s);
  if (m) return { kind: 'units', value: Number(m[1]) };
  throw new UsageError(`--min-remaining must be a percentage (10%), an amount of money ($5) or a number of units (50), not "${v}"`);
}

/** `$5` or `5` (US dollars). */
export function parseMoney(option: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = new RegExp(`^\\$?${NUM}$`).exec(v.trim());
  if (!m) throw new UsageError(`--${option} must be an amount in US dollars ($5 or 5), not "${v}"`);
  return Number(m[1]);
}

/** `90s`, `30m`, `2h`, `1d` → ms. */
export function parseDuration(option: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const m = new RegExp(`^${NUM}(s|m|h|d)$`).exec(v.trim());
  if (!m) throw new UsageError(`--${option} must be a duration such as 30m, 2h or 1d, not "${v}"`);
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** A meter counts money when its unit is a currency code (USD, EUR, …). */
export const isMoney = (m: Pick<Meter, 'unit'>): boolean => /^[A-Z]{3}$/.test(m.unit);

const fin = (n: number | undefined): number | undefined => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);
const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

function remainingOf(m: Meter): number | undefined {
  const r = fin(m.remaining);
  if (r !== undefined) return r;
  const l = fin(m.limit);
  const u = fin(m.used);
  return l !== undefined && u !== undefined ? l - u : undefined;
}

function percentLeftOf(m: Meter): number | undefined {
  const p = fin(m.percentUsed);
  if (p !== undefined) return 100 - p;
  const l = fin(m.limit);
  const r = remainingOf(m);
  return l !== undefined && l > 0 && r !== undefined ? (r / l) * 100 : undefined;
}

function fmtAmount(n: number, unit: string): string {
  if (unit === 'USD') return `${n < 0 ? '-' : ''}$${Math.abs(n).toFixed(2)}`;
  if (unit === '%') return `${round(n)}%`;
  return `${round(n)} ${unit}`;
}

function fmtAge(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 120) return `${min}m`;
  const h = Math.round(min / 60);
  return h < 48 ? `${h}h` : `${Math.round(h / 24)}d`;
}

function thresholdText(t: Threshold, unit: string): string {
  if (t.kind === 'percent') return `${t.value}%`;
  if (t.kind === 'money') return unit === 'USD' ? `$${t.value.toFixed(2)}` : `${t.value} ${unit}`;
  if (t.kind === 'units') return `${t.value} ${unit}`;
  return 'its limit';
}

/** The meters a guard looks at in one account: `--meter ID`, else those with a limit or a remaining amount. */
function selectedMeters(e: StoredAccount, meterId: string | undefined, t: Threshold): Meter[] {
  const meters = e.snapshot.meters ?? [];
  if (meterId !== undefined) return meters.filter((m) => m.id.toLowerCase() === meterId.toLowerCase());
  return meters.filter((m) => !m.unlimited && (fin(m.limit) !== undefined || fin(m.remaining) !== undefined) && (t.kind !== 'money' || isMoney(m)));
}

function checkMeter(e: StoredAccount, m: Meter, t: Threshold, maxAgeMs: number, now: number): MeterCheck {
  const s = e.snapshot;
  const ageMs = now - (fin(m.capturedAt) ?? s.lastSuccessAt ?? s.takenAt);
  const remaining = remainingOf(m);
  const pctLeft = percentLeftOf(m);
  const title = `${e.name ?? s.identity ?? e.accountId}${e.providerId ? ` (${e.providerId})` : ''} ${m.label} [${m.id}]`;
  const base = {
    kind: 'meter' as const, accountId: e.accountId, account: e.name ?? null, providerId: e.providerId ?? null, meter: m.id, label: m.label, unit: m.unit,
    remaining: remaining ?? null, limit: fin(m.limit) ?? null, percentLeft: pctLeft === undefined ? null : round(pctLeft), threshold: t, ageMs, status: s.status,
  };
  const figures = remaining !== undefined
    ? `${fmtAmount(remaining, m.unit)} left${fin(m.limit) !== undefined ? ` of ${fmtAmount(m.limit!, m.unit)}` : ''}${pctLeft !== undefined ? ` (${round(pctLeft, 1)}%)` : ''}`
    : pctLeft !== undefined ? `${round(pctLeft, 1)}% left` : 'no figures';
  const verdict = (ok: boolean | undefined, why: string): MeterCheck =>
    ok === undefined ? { ...base, result: 'unknown', reason: `${title}: ${why}` } : { ...base, result: ok ? 'headroom' : 'no-headroom', reason: `${title}: ${figures}, ${ok ? '≥' : 'below'} ${thresholdText(t, m.unit)}` };
  if (m.unlimited) return { ...base, result: 'headroom', reason: `${title}: unlimited` };
  // Figures of a failed refresh or older than --max-age decide nothing (another meter may still say "no headroom").
  if (s.status === 'error' || s.status === 'auth-required') return { ...base, result: 'unknown', reason: `${title}: the last refresh failed (${s.status}${s.error ? `: ${s.error.message}` : ''})` };
  if (ageMs > maxAgeMs) return { ...base, result: 'unknown', reason: `${title}: figures are ${fmtAge(ageMs)} old (over --max-age ${fmtAge(maxAgeMs)})` };
  let ok: boolean | undefined;
  let unknownWhy = 'remaining amount unknown';
  if (t.kind === 'percent') {
    ok = pctLeft === undefined ? undefined : pctLeft >= t.value;
    unknownWhy = 'no limit to take a percentage of';
  } else if (t.kind === 'money') {
    if (!isMoney(m)) return { ...base, result: 'unknown', reason: `${title}: counts ${m.unit}, not money: --min-remaining $X applies to money meters only` };
    ok = remaining === undefined ? undefined : remaining >= t.value;
  } else if (t.kind === 'units') {
    ok = remaining === undefined ? undefined : remaining >= t.value;
  } else {
    ok = remaining !== undefined ? remaining > 0 : pctLeft !== undefined ? pctLeft > 0 : undefined;
    if (ok === false) return { ...base, result: 'no-headroom', reason: `${title}: ${figures}, at or over its limit` };
    if (ok === true) return { ...base, result: 'headroom', reason: `${title}: ${figures}` };
  }
  return verdict(ok, unknownWhy);
}

/** Today's (local day) cost from the extension's persisted usage index, read-only (never saved). */
async function checkCost(storage: string, maxUSD: number, now: number): Promise<CostCheck> {
  const day = localDay(now);
  const folder = path.join(storage, 'usage');
  const base = { kind: 'cost' as const, day, costUSD: 0, unpricedRequests: 0, maxUSD, indexAgeMs: null };
  const read = await readDayRows(folder, day);
  if ('missing' in read) {
    const why = read.missing === 'none' ? 'no usage index' : read.missing === 'version' ? 'a usage index of an older format' : 'an unreadable usage index';
    return { ...base, result: 'unknown', reason: `today's cost: ${why} in ${folder} (tokstat for VS Code writes it when usage tracking is on; guard does not read the agents' logs)` };
  }
  let mtime: number | undefined;
  for (const f of ['usage-index.json', 'usage-index.journal']) {
    try {
      mtime = Math.max(mtime ?? 0, fs.statSync(path.join(folder, f)).mtimeMs);
    } catch {
      /* no journal */
    }
  }
  let cost = 0;
  let unpriced = 0;
  for (const r of read.rows) {
    cost += r.costUSD;
    unpriced += r.unpricedRequests;
  }
  const c = { ...base, costUSD: round(cost, 6), unpricedRequests: unpriced, indexAgeMs: mtime === undefined ? null : Math.max(0, Math.round(now - mtime)) };
  const figures = `today's cost (${day}) $${cost.toFixed(2)}${unpriced ? ` + ${unpriced} unpriced request${unpriced === 1 ? '' : 's'}` : ''}`;
  if (cost >= maxUSD) return { ...c, result: 'no-headroom', reason: `${figures}, at or over --max-cost-today $${maxUSD.toFixed(2)}` };
  if (unpriced > 0) return { ...c, result: 'unknown', reason: `${figures}: under $${maxUSD.toFixed(2)} but the unpriced requests could cost more` };
  return { ...c, result: 'headroom', reason: `${figures}, under $${maxUSD.toFixed(2)}` };
}

/** The tightest check with headroom: the least percentage (or money) left. */
function tightest(checks: Check[]): Check | undefined {
  const score = (c: Check): number => (c.kind === 'cost' ? (c.maxUSD > 0 ? (1 - c.costUSD / c.maxUSD) * 100 : 0) : c.percentLeft ?? Number.POSITIVE_INFINITY);
  return [...checks].sort((a, b) => score(a) - score(b))[0];
}

export async function guard(o: GuardOptions, env: Record<string, string | undefined>, home: string, now: number): Promise<GuardOutcome> {
  const t = parseMinRemaining(o.minRemaining);
  const maxCost = parseMoney('max-cost-today', o.maxCostToday);
  const maxAgeMs = parseDuration('max-age', o.maxAge, DEFAULT_MAX_AGE_MS);
  const found = findStorage(o.storage, env, home);
  const storage = found.dir ?? null;
  const cannot = (reason: string, checks: Check[] = []): GuardOutcome => ({ exitCode: 3, reason, checks, storage });
  if (!found.dir) return cannot(`no tokstat storage folder found (looked in ${found.tried.join(', ')}); use --storage DIR`);
  // --max-cost-today alone checks only today's cost; meters are checked otherwise, or when asked for by a selection.
  const meters = maxCost === undefined || o.minRemaining !== undefined || o.account !== undefined || o.provider !== undefined || o.meter !== undefined;
  const checks: Check[] = [];
  const [read, cost] = await Promise.all([
    meters ? readStoredAccounts(found.dir) : undefined,
    maxCost !== undefined ? checkCost(found.dir, maxCost, now) : undefined,
  ]);
  if (read) {
    if ('error' in read) return cannot(read.error, cost ? [cost] : []);
    const acc = o.account?.toLowerCase();
    const prov = o.provider?.toLowerCase();
    const accounts = read.entries.filter(
      (e) => (acc === undefined || e.name?.toLowerCase() === acc || e.accountId.toLowerCase() === acc) && (prov === undefined || e.providerId?.toLowerCase() === prov),
    );
    const sel = [o.account !== undefined ? `account "${o.account}"` : '', o.provider !== undefined ? `provider "${o.provider}"` : ''].filter(Boolean).join(' and ');
    if (accounts.length === 0) return cannot(read.entries.length ? `no stored account matches ${sel}` : `no stored snapshots in ${read.folder} yet`, cost ? [cost] : []);
    for (const e of accounts) for (const m of selectedMeters(e, o.meter, t)) checks.push(checkMeter(e, m, t, maxAgeMs, now));
    if (checks.length === 0) {
      const what = o.meter !== undefined ? `no meter "${o.meter}"` : t.kind === 'money' ? 'no money meter with a limit or a remaining amount' : 'no meter with a limit or a remaining amount';
      return cannot(`${what} in ${accounts.length === 1 ? (accounts[0]!.name ?? accounts[0]!.accountId) : `the ${accounts.length} selected accounts`}`, cost ? [cost] : []);
    }
  }
  if (cost) checks.push(cost);
  const no = checks.find((c) => c.result === 'no-headroom');
  if (no) return { exitCode: 1, reason: `no headroom: ${no.reason}`, checks, storage };
  const unknown = checks.find((c) => c.result === 'unknown');
  if (unknown) return cannot(`cannot tell: ${unknown.reason}`, checks);
  const tight = tightest(checks)!;
  return { exitCode: 0, reason: `headroom (${checks.length} check${checks.length === 1 ? '' : 's'}); tightest: ${tight.reason}`, checks, storage };
}
