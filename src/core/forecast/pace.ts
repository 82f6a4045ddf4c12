// The pace engine: from a meter's recent history, how fast it is being used and what that means before the reset.
// Pure (no clock, no I/O): callers pass `now`. Honest above all: when the data cannot support a forecast the answer
// says so (status `insufficient-data` / `just-reset`) instead of extrapolating two points into a scary run-out.
import { formatAmount, formatPercent } from '../format';
import type { Meter } from '../model';
import type { PaceSummary } from './types';

/** One stored observation of a meter (the history store's shape), ascending by `t`. */
export interface PacePoint {
  t: number;
  used?: number;
  limit?: number;
  remaining?: number;
  percentUsed?: number;
  resetsAt?: number;
}

export interface PaceOptions {
  /** Window length when known (5 h, 7 d). Otherwise inferred from past `resetsAt` jumps in the history. */
  windowMs?: number;
  /** Calendar-month quota (Copilot): the window starts on the same day/time of the previous month as `resetsAt`. */
  period?: 'month';
  /** Burn-rate lookback (default 24 h, capped by the window length). A quarter of it is weighed in as "recent". */
  lookbackMs?: number;
  /** Fewest points since the last reset for a forecast (default 3). */
  minPoints?: number;
  /** Shortest span since the last reset for a forecast (default 1 h, or a tenth of a shorter window). */
  minSpanMs?: number;
  /** IANA zone for times in `text` (default: the local zone). */
  timeZone?: string;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Weight of the short (lookback/4) rate against the full-lookback rate: reacts to a change without chasing bursts. */
const RECENT_WEIGHT = 0.3;

type Basis = 'units' | 'percent' | 'balance';

interface Sample {
  t: number;
  /** Monotone "consumption" value: used, percent used, or minus the remaining balance. */
  v: number;
  resetsAt?: number;
}

/**
 * The window ending at the meter's reset: the period the meter states (`Meter.period`), else the one known for the
 * provider but not reported by it.
 */
export function windowHint(providerId: string, meterId: string, period?: Meter['period']): Pick<PaceOptions, 'windowMs' | 'period'> {
  if (period === 'month') return { period: 'month' };
  if (period === 'week') return { windowMs: 7 * DAY };
  if (period === 'day') return { windowMs: DAY };
  if (providerId === 'copilot') return { period: 'month' };
  if (providerId === 'claude') {
    if (meterId === 'five-hour') return { windowMs: 5 * HOUR };
    if (meterId === 'seven-day' || meterId.startsWith('seven-day') || meterId.startsWith('weekly-')) return { windowMs: 7 * DAY };
  }
  return {};
}

export function computePace(points: readonly PacePoint[], meter: Meter, now: number, opts: PaceOptions = {}): PaceSummary {
  if (meter.unlimited) return { status: 'unlimited', text: 'Unlimited' };

  const basis = basisOf(meter);
  if (!basis) return { status: 'insufficient-data', text: 'Not enough history yet' };
  const limit = basis === 'percent' ? 100 : basis === 'units' ? meter.limit : undefined;

  const series = buildSeries(points, meter, basis, now);
  const resetsAt = meter.resetsAt;

  // Segment: the points since the last reset or refund. A drop in consumption can only be a reset, a refund or a
  // top-up; a rate spanning it would be meaningless (or negative), so the rate restarts there.
  // Small drops are rounding noise (a percent rounded by the vendor), not a reset.
  const scale = limit ?? Math.abs(series[series.length - 1]?.v ?? 0);
  const tol = Math.max(1e-9, scale * 2e-3);
  let segStart = 0;
  let resetAtTime: number | undefined;
  for (let i = 1; i < series.length; i++) {
    const prev = series[i - 1]!;
    const cur = series[i]!;
    const windowPassed = prev.resetsAt !== undefined && cur.t >= prev.resetsAt;
    if (cur.v < prev.v - tol || windowPassed) {
      segStart = i;
      resetAtTime = windowPassed ? prev.resetsAt : cur.t;
    }
  }
  const seg = series.slice(segStart);

  const windowMs = opts.windowMs ?? (opts.period ? undefined : inferWindowMs(series));
  let windowStart: number | undefined;
  if (resetsAt !== undefined && opts.period === 'month') windowStart = monthBefore(resetsAt);
  else if (resetsAt !== undefined && windowMs !== undefined) windowStart = resetsAt - windowMs;
  else if (resetAtTime !== undefined) windowStart = resetAtTime;
  if (windowStart !== undefined && windowStart > now) windowStart = undefined;
  const windowLen = resetsAt !== undefined && windowStart !== undefined ? resetsAt - windowStart : windowMs;

  const last = seg[seg.length - 1];
  const base: PaceSummary = { status: 'ok', text: '', basis };
  if (resetsAt !== undefined) base.resetsAt = resetsAt;
  if (windowStart !== undefined) base.windowStart = windowStart;
  if (windowStart !== undefined && resetsAt !== undefined && resetsAt > windowStart) {
    base.elapsedFraction = clamp01((now - windowStart) / (resetsAt - windowStart));
  }
  const current = last?.v;
  if (current !== undefined && limit !== undefined && limit > 0) base.usedFraction = Math.max(0, current / limit);

  if (!last) return { ...base, status: 'insufficient-data', text: 'Not enough history yet' };
  if (resetsAt !== undefined && resetsAt <= now) {
    return { ...base, status: 'just-reset', text: 'The window has reset — waiting for fresh numbers' };
  }

  const lookback = Math.max(MINUTE, opts.lookbackMs ?? Math.min(DAY, windowLen ?? DAY));
  const minPoints = Math.max(2, opts.minPoints ?? 3);
  const minSpan = opts.minSpanMs ?? Math.min(HOUR, (windowLen ?? DAY) / 10);
  const span = last.t - seg[0]!.t;
  base.samples = seg.length;
  base.spanMs = span;

  if (limit !== undefined && current !== undefined && current >= limit) {
    // Over quota already: no rate needed to say so, and a rate would only predict the past.
    const crossed = seg.find((s) => s.v >= limit)?.t ?? last.t;
    return overLimit(base, current, limit, crossed, resetsAt, now, opts.timeZone);
  }

  if (seg.length < minPoints || span < minSpan) {
    // "Just reset" only when the reset is recent; a reset long ago with few points since is plain missing data.
    const recent = Math.max(2 * minSpan, lookback / 4);
    const justReset = [resetAtTime, windowStart].some((t) => t !== undefined && now - t < recent);
    return justReset
      ? { ...base, status: 'just-reset', text: 'Just reset — not enough use yet to estimate a pace' }
      : { ...base, status: 'insufficient-data', text: 'Not enough history yet' };
  }

  const long = rateOver(seg, lookback);
  const burnPerMs = Math.max(0, span >= lookback / 2 ? (1 - RECENT_WEIGHT) * long + RECENT_WEIGHT * rateOver(seg, lookback / 4) : long);
  const burnPerHour = burnPerMs * HOUR;
  const out: PaceSummary = { ...base, burnPerHour: tidy(burnPerHour) };

  if (basis === 'balance') return balanceText(out, meter, -last.v, burnPerMs, last.t, now, opts.timeZone);
  if (limit === undefined) {
    out.status = 'no-limit';
    out.text = noLimitText(meter, burnPerHour);
    return out;
  }

  const used = last.v;
  const remaining = limit - used;
  const unit = basis === 'percent' ? '%' : meter.unit;
  if (burnPerMs > 0) {
    const runOut = last.t + remaining / burnPerMs;
    if (resetsAt === undefined || runOut < resetsAt) out.runOutAt = Math.round(runOut);
  }
  if (resetsAt === undefined) {
    out.text = out.runOutAt !== undefined
      ? `At this pace the limit is reached ${when(out.runOutAt, now, opts.timeZone)} (${formatPercent((used / limit) * 100)} used)`
      : `No recent use: ${formatPercent((used / limit) * 100)} used`;
    return out;
  }

  const projected = used + burnPerMs * (resetsAt - last.t);
  out.projectedAtReset = tidy(projected);
  out.projectedPercentAtReset = tidy((projected / limit) * 100);
  out.runsOutBeforeReset = out.runOutAt !== undefined;
  const hoursLeft = Math.max((resetsAt - now) / HOUR, 1 / 60);
  out.budgetPerHour = tidy(Math.max(0, remaining) / hoursLeft);
  out.budgetPerDay = tidy((Math.max(0, remaining) / hoursLeft) * 24);
  if (base.elapsedFraction !== undefined) out.reserve = tidy(base.elapsedFraction * limit - used);

  if (out.runOutAt !== undefined) {
    const budget = hoursLeft >= 48 ? `${amount(out.budgetPerDay, unit)} a day` : `${amount(out.budgetPerHour, unit)} an hour`;
    out.text = `At this pace you run out ${when(out.runOutAt, now, opts.timeZone)}, ${lead(resetsAt - out.runOutAt)} before reset — stay under ${budget}`;
  } else if (base.elapsedFraction !== undefined) {
    out.text = `On pace: ${formatPercent((used / limit) * 100)} used, ${formatPercent(base.elapsedFraction * 100)} of the ${windowNoun(windowLen, opts.period)} gone`;
  } else {
    out.text = `On pace: ${formatPercent((used / limit) * 100)} used, about ${formatPercent(out.projectedPercentAtReset)} by the reset`;
  }
  return out;
}

function basisOf(m: Meter): Basis | undefined {
  if (m.kind === 'balance' && m.remaining !== undefined) return 'balance';
  if (m.used !== undefined) return 'units';
  if (m.percentUsed !== undefined) return 'percent';
  // A remaining amount with nothing to compare it to (credits left): it behaves like a balance.
  if (m.remaining !== undefined) return 'balance';
  return undefined;
}

function valueOf(p: PacePoint, basis: Basis, meterLimit: number | undefined): number | undefined {
  const limit = fin(p.limit) ?? meterLimit;
  if (basis === 'balance') {
    const rem = fin(p.remaining) ?? (limit !== undefined && fin(p.used) !== undefined ? limit - p.used! : undefined);
    return rem === undefined ? undefined : -rem;
  }
  if (basis === 'percent') {
    return fin(p.percentUsed) ?? (fin(p.used) !== undefined && limit ? (p.used! / limit) * 100 : undefined);
  }
  return (
    fin(p.used) ??
    (limit !== undefined && fin(p.remaining) !== undefined ? limit - p.remaining! : undefined) ??
    (limit !== undefined && fin(p.percentUsed) !== undefined ? (p.percentUsed! * limit) / 100 : undefined)
  );
}

function buildSeries(points: readonly PacePoint[], meter: Meter, basis: Basis, now: number): Sample[] {
  const out: Sample[] = [];
  const push = (p: PacePoint) => {
    if (!Number.isFinite(p.t) || p.t > now) return;
    const v = valueOf(p, basis, meter.limit);
    if (v === undefined) return;
    const s: Sample = { t: p.t, v };
    if (fin(p.resetsAt) !== undefined) s.resetsAt = p.resetsAt!;
    const prev = out[out.length - 1];
    // Tolerate out-of-order input and keep the later reading of a duplicated instant.
    if (prev && s.t <= prev.t) {
      if (s.t === prev.t) out[out.length - 1] = s;
      return;
    }
    out.push(s);
  };
  for (const p of points) push(p);
  push({
    t: meter.capturedAt,
    ...(meter.used !== undefined ? { used: meter.used } : {}),
    ...(meter.limit !== undefined ? { limit: meter.limit } : {}),
    ...(meter.remaining !== undefined ? { remaining: meter.remaining } : {}),
    ...(meter.percentUsed !== undefined ? { percentUsed: meter.percentUsed } : {}),
    ...(meter.resetsAt !== undefined ? { resetsAt: meter.resetsAt } : {}),
  });
  return out;
}

/** The latest jump between distinct reset times (a window's length), ignoring jitter of a few minutes. */
function inferWindowMs(series: readonly Sample[]): number | undefined {
  let prev: number | undefined;
  let found: number | undefined;
  for (const s of series) {
    if (s.resetsAt === undefined) continue;
    if (prev !== undefined && s.resetsAt - prev > 30 * MINUTE) found = s.resetsAt - prev;
    if (prev === undefined || Math.abs(s.resetsAt - prev) > 30 * MINUTE) prev = s.resetsAt;
  }
  return found;
}

/** Consumption per ms over the last `ms` of the segment (the value at the boundary interpolated). */
function rateOver(seg: readonly Sample[], ms: number): number {
  const end = seg[seg.length - 1]!;
  const from = Math.max(seg[0]!.t, end.t - ms);
  if (end.t <= from) return 0;
  return (end.v - valueAt(seg, from)) / (end.t - from);
}

function valueAt(seg: readonly Sample[], t: number): number {
  let i = 0;
  while (i < seg.length - 1 && seg[i + 1]!.t <= t) i++;
  const a = seg[i]!;
  const b = seg[i + 1];
  if (!b || a.t >= t) return a.v;
  return a.v + ((b.v - a.v) * (t - a.t)) / (b.t - a.t);
}

function overLimit(base: PaceSummary, used: number, limit: number, crossedAt: number, resetsAt: number | undefined, now: number, tz: string | undefined): PaceSummary {
  const out: PaceSummary = { ...base, overLimit: true, runOutAt: crossedAt, budgetPerHour: 0, budgetPerDay: 0 };
  if (resetsAt !== undefined) out.runsOutBeforeReset = true;
  if (base.elapsedFraction !== undefined) out.reserve = tidy(base.elapsedFraction * limit - used);
  const pct = formatPercent((used / limit) * 100);
  out.text = resetsAt !== undefined ? `Over the limit: ${pct} used — resets ${when(resetsAt, now, tz)}` : `Over the limit: ${pct} used`;
  return out;
}

function balanceText(out: PaceSummary, meter: Meter, remaining: number, burnPerMs: number, at: number, now: number, tz: string | undefined): PaceSummary {
  const left = formatAmount(remaining, meter.unit);
  if (burnPerMs <= 0 || remaining <= 0) {
    out.text = remaining <= 0 ? `Balance used up: ${left} left` : `No spending lately: ${left} left`;
    return out;
  }
  out.runOutAt = Math.round(at + remaining / burnPerMs);
  out.text = `At this pace ${left} lasts until ${when(out.runOutAt, now, tz)} (about ${lead(out.runOutAt - now)})`;
  return out;
}

function noLimitText(meter: Meter, perHour: number): string {
  const perDay = perHour * 24;
  const verb = meter.kind === 'spend' ? 'Spending' : 'Using';
  if (perDay <= 0) return meter.kind === 'spend' ? 'No spending lately' : 'No use lately';
  return perDay >= 1 || perHour === 0 ? `${verb} about ${amount(perDay, meter.unit)} a day` : `${verb} about ${amount(perHour, meter.unit)} an hour`;
}

function windowNoun(len: number | undefined, period: 'month' | undefined): string {
  if (period === 'month' || (len !== undefined && len >= 27 * DAY && len <= 32 * DAY)) return 'month';
  if (len !== undefined && Math.abs(len - 7 * DAY) < HOUR) return 'week';
  if (len !== undefined && Math.abs(len - DAY) < HOUR) return 'day';
  if (len !== undefined && len < DAY) return `${Math.round(len / HOUR)}-hour window`;
  return 'window';
}

/** "3 days", "5 hours", "40 minutes" — rounded down, it is a lead time. */
function lead(ms: number): string {
  const d = Math.floor(ms / DAY);
  if (d >= 2) return `${d} days`;
  const h = Math.floor(ms / HOUR);
  if (h >= 2) return `${h} hours`;
  if (h === 1) return '1 hour';
  const m = Math.max(1, Math.floor(ms / MINUTE));
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/** "Thu 14:00" within the coming week, else "Mar 12, 14:00". */
function when(t: number, now: number, timeZone: string | undefined): string {
  const near = t - now < 6 * DAY && t - now > -DAY;
  const key = `${near ? 'w' : 'd'}|${timeZone ?? ''}`;
  let fmt = formatters.get(key);
  if (!fmt) {
    // Building an Intl formatter costs far more than formatting: keep one per style and zone.
    fmt = new Intl.DateTimeFormat('en-US', {
      ...(near ? { weekday: 'short' as const } : { month: 'short' as const, day: 'numeric' as const }),
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      ...(timeZone ? { timeZone } : {}),
    });
    if (formatters.size > 32) formatters.clear();
    formatters.set(key, fmt);
  }
  return fmt.format(new Date(t));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A budget a person can act on: whole units from 10 up, one decimal below; money keeps cents. */
function amount(n: number | undefined, unit: string): string {
  if (n === undefined) return 'unknown';
  if (unit === '%') return `${n >= 10 ? Math.round(n) : Math.round(n * 10) / 10}%`;
  const money = /^(USD|EUR|GBP|CNY|JPY)$/i.test(unit);
  const v = money ? n : n >= 10 ? Math.round(n) : n >= 1 ? Math.round(n * 10) / 10 : Number(n.toPrecision(2));
  return formatAmount(v, unit);
}

/** Same day-of-month and time, one month earlier (clamped to the month's last day), in UTC like the vendors' dates. */
export function monthBefore(t: number): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - 1;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

function fin(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Drops float noise so JSON and tests read cleanly. */
function tidy(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
