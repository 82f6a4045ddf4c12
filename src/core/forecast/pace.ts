// The pace engine: from a meter's recent history, how fast it is being used and what that means before the reset.
// Pure (no clock, no I/O): callers pass `now`. Honest above all: when the data cannot support a forecast the answer
// says so (status `insufficient-data` / `just-reset`) instead of extrapolating two points into a scary run-out.
// It computes numbers only and says which sentence applies (`say`); src/shared/paceText.ts words it, and
// paceSummary.ts puts the two together for the surfaces.
import type { Meter } from '../../shared/model';
import type { PaceSay, PaceSummary } from '../../shared/pace';

/** The pace's numbers and which sentence applies, without words. */
export type PaceNumbers = Omit<PaceSummary, 'text' | 'detail'> & { say: PaceSay };

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
  /**
   * Window length when known (5 h, 7 d). Otherwise inferred from the history, but only from reset times that are
   * regular and repeated (two windows in a row of the same length, each starting right at the previous reset).
   */
  windowMs?: number;
  /**
   * Calendar-month quota (Copilot): the window starts at the previous reset (from the history), else on the same
   * day/time of the previous month as `resetsAt`.
   */
  period?: 'month';
  /**
   * Burn-rate lookback. Default: 7 days for a window of 7 days or more (or when the reset is a week or more away),
   * reaching back over the reset into the previous window; else 24 h capped by the window length, since the last reset.
   */
  lookbackMs?: number;
  /** Fewest points for a forecast (default 3). */
  minPoints?: number;
  /** Shortest span of history for a forecast (default 1 day for a window of a week or more, else 1 h or a tenth of it). */
  minSpanMs?: number;
  /** IANA zone for times in `text` (default: the local zone). */
  timeZone?: string;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** Weight of the short (lookback/4) rate against the full-lookback rate: reacts to a change without chasing bursts. */
const RECENT_WEIGHT = 0.3;
/**
 * Long windows (a week or more): a day's rate says little about the month. Weekday-only work makes the last 24 h swing
 * between zero and three times the average, so the rate spans a whole week and the recent two days only nudge it.
 */
const LONG_RECENT_MS = 2 * DAY;
const LONG_RECENT_WEIGHT = 0.15;
/** Reset times that move by less than this are the same reset (vendors' rounding, clock jitter). */
const RESET_JITTER = 30 * MINUTE;

/** What a meter is measured in: amounts used, the share used, or what is left (a balance). */
export type Basis = 'units' | 'percent' | 'balance';

interface Sample {
  t: number;
  /** Monotone "consumption" value: used, percent used, or minus the remaining balance. */
  v: number;
  resetsAt?: number;
  /** The value fell from the previous sample (a reset, refund or top-up): the two are not comparable. */
  brk?: true;
}

/**
 * The window ending at the meter's reset: the length the meter states (`Meter.windowMs`), the period it states
 * (`Meter.period`), else the one known for the provider but not reported by it.
 */
export function windowHint(providerId: string, meter: Pick<Meter, 'id' | 'period' | 'windowMs'>): Pick<PaceOptions, 'windowMs' | 'period'> {
  const { id: meterId, period } = meter;
  if (period === 'month') return { period: 'month' };
  if (meter.windowMs !== undefined && Number.isFinite(meter.windowMs) && meter.windowMs > 0) return { windowMs: meter.windowMs };
  if (period === 'week') return { windowMs: WEEK };
  if (period === 'day') return { windowMs: DAY };
  if (providerId === 'copilot') return { period: 'month' };
  if (providerId === 'claude') {
    if (meterId === 'five-hour') return { windowMs: 5 * HOUR };
    if (meterId === 'seven-day' || meterId.startsWith('seven-day') || meterId.startsWith('weekly-')) return { windowMs: WEEK };
  }
  return {};
}

export function computePaceNumbers(points: readonly PacePoint[], meter: Meter, now: number, opts: PaceOptions = {}): PaceNumbers {
  if (meter.unlimited) return { status: 'unlimited', say: { kind: 'unlimited' } };

  const basis = basisOf(meter);
  if (!basis) return { status: 'insufficient-data', say: { kind: 'no-history' } };
  // A limit of 0 is no allowance at all: nothing to pace against, and no share of it to show.
  if (basis === 'units' && meter.limit !== undefined && meter.limit <= 0) {
    return { status: 'no-limit', say: { kind: 'no-allowance' }, basis, ...(meter.resetsAt !== undefined ? { resetsAt: meter.resetsAt } : {}) };
  }
  const limit = basis === 'percent' ? 100 : basis === 'units' ? meter.limit : undefined;

  const series = buildSeries(points, meter, basis, now);
  const resetsAt = meter.resetsAt;

  // Breaks: a drop in consumption (a reset, a refund or a top-up) or a reset time that passed. No rate spans a break.
  // Small drops are rounding noise (a percent rounded by the vendor), not a reset.
  // Only a reset seen in the reset times may start the window: a bare drop (a refund) restarts the rate, nothing else.
  const scale = limit ?? Math.abs(series[series.length - 1]?.v ?? 0);
  const tol = Math.max(1e-9, scale * 2e-3);
  let segStart = 0;
  let resetAtTime: number | undefined;
  let resetTrusted = false;
  let lastBreakIsReset = false;
  for (let i = 1; i < series.length; i++) {
    const prev = series[i - 1]!;
    const cur = series[i]!;
    const windowPassed = prev.resetsAt !== undefined && cur.t >= prev.resetsAt;
    if (cur.v < prev.v - tol || windowPassed) {
      cur.brk = true;
      segStart = i;
      lastBreakIsReset = windowPassed;
    }
    if (windowPassed) {
      resetAtTime = prev.resetsAt;
      // The window began at that reset only if the next window's reset time (the current one) came right after it;
      // a session window that starts on first use, or a rolling reset time, says nothing about when it began.
      resetTrusted =
        resetsAt !== undefined &&
        cur.resetsAt !== undefined &&
        Math.abs(cur.resetsAt - resetsAt) <= RESET_JITTER &&
        promptly(cur.t, prev.resetsAt!, resetsAt);
    }
  }

  const windowMs = opts.windowMs ?? (opts.period ? undefined : inferWindowMs(series));
  let windowStart: number | undefined;
  if (resetsAt !== undefined && opts.period === 'month') windowStart = previousMonthlyReset(series, resetsAt) ?? monthBefore(resetsAt);
  else if (resetsAt !== undefined && windowMs !== undefined) windowStart = resetsAt - windowMs;
  else if (resetAtTime !== undefined && resetTrusted) windowStart = resetAtTime;
  if (windowStart !== undefined && windowStart > now) windowStart = undefined;
  const windowLen = resetsAt !== undefined && windowStart !== undefined ? resetsAt - windowStart : windowMs;

  // Long windows take their rate from the last week, over the reset and any refund (increments only, never across a
  // break); shorter ones from the current window alone (a 5-hour session's pace is this session's).
  const long = (windowLen ?? (resetsAt !== undefined ? resetsAt - now : 0)) >= WEEK;
  let first = segStart;
  if (!long && windowStart !== undefined) while (first < series.length - 1 && series[first]!.t < windowStart) first++;
  const seg = series.slice(segStart);
  const data = long ? series : series.slice(first);

  const last = seg[seg.length - 1];
  const base: PaceNumbers = { status: 'ok', say: { kind: 'no-history' }, basis };
  if (resetsAt !== undefined) base.resetsAt = resetsAt;
  if (windowStart !== undefined) base.windowStart = windowStart;
  if (windowStart !== undefined && resetsAt !== undefined && resetsAt > windowStart) {
    base.elapsedFraction = clamp01((now - windowStart) / (resetsAt - windowStart));
  }
  const current = last?.v;
  if (current !== undefined && limit !== undefined && limit > 0) base.usedFraction = Math.max(0, current / limit);

  if (!last) return { ...base, status: 'insufficient-data', say: { kind: 'no-history' } };
  if (resetsAt !== undefined && resetsAt <= now) {
    return { ...base, status: 'just-reset', say: { kind: 'reset-waiting' } };
  }

  const lookback = Math.max(MINUTE, opts.lookbackMs ?? (long ? WEEK : Math.min(DAY, windowLen ?? DAY)));
  const minPoints = Math.max(2, opts.minPoints ?? 3);
  // A month's pace needs at least a day of history: a few hours say nothing about the days and weekends ahead.
  const minSpan = opts.minSpanMs ?? (long ? DAY : Math.min(HOUR, (windowLen ?? DAY) / 10));
  const span = last.t - data[0]!.t;
  base.samples = data.length;
  base.spanMs = span;

  if (limit !== undefined && current !== undefined && current >= limit) {
    // Over quota already: no rate needed to say so, and a rate would only predict the past.
    const crossed = seg.find((s) => s.v >= limit)?.t ?? last.t;
    return overLimit(base, current, limit, crossed, resetsAt);
  }

  if (data.length < minPoints || span < minSpan) {
    // "Just reset" only when the reset is recent; a reset long ago with few points since is plain missing data.
    const recent = Math.max(2 * minSpan, lookback / 4);
    if (segStart > 0 && !lastBreakIsReset && now - seg[0]!.t < recent) {
      return { ...base, status: 'insufficient-data', say: { kind: 'dropped', toppedUp: basis === 'balance' } };
    }
    const justReset = [resetAtTime, windowStart].some((t) => t !== undefined && now - t < recent);
    return justReset
      ? { ...base, status: 'just-reset', say: { kind: 'just-reset' } }
      : { ...base, status: 'insufficient-data', say: { kind: 'no-history' } };
  }

  const [recentMs, recentWeight] =
    long && opts.lookbackMs === undefined ? [LONG_RECENT_MS, LONG_RECENT_WEIGHT] : [lookback / 4, RECENT_WEIGHT];
  const longRate = rateOver(data, lookback);
  const burnPerMs = Math.max(0, span >= lookback / 2 ? (1 - recentWeight) * longRate + recentWeight * rateOver(data, recentMs) : longRate);
  const burnPerHour = burnPerMs * HOUR;
  const out: PaceNumbers = { ...base, burnPerHour: tidy(burnPerHour) };

  if (basis === 'balance') return balance(out, meter, -last.v, burnPerMs, last.t);
  if (limit === undefined) return noLimit(out, meter, last, burnPerMs, resetsAt);

  const used = last.v;
  const remaining = limit - used;
  const unit = basis === 'percent' ? '%' : meter.unit;
  if (burnPerMs > 0) {
    const runOut = last.t + remaining / burnPerMs;
    if (resetsAt === undefined || runOut < resetsAt) out.runOutAt = Math.round(runOut);
  }
  if (resetsAt === undefined) {
    out.say = { kind: 'limit-no-reset', percentUsed: (used / limit) * 100 };
    return out;
  }

  const projected = used + burnPerMs * (resetsAt - last.t);
  out.projectedAtReset = tidy(projected);
  out.projectedPercentAtReset = tidy((projected / limit) * 100);
  out.runsOutBeforeReset = out.runOutAt !== undefined;
  const hoursLeft = Math.max((resetsAt - now) / HOUR, 1 / 60);
  const perHour = Math.max(0, remaining) / hoursLeft;
  out.budgetPerHour = tidy(perHour);
  // Under a day left, a day's budget is all that is left, not 24 times the hourly one.
  out.budgetPerDay = tidy(Math.min(perHour * 24, Math.max(0, remaining)));
  if (base.elapsedFraction !== undefined) out.reserve = tidy(base.elapsedFraction * limit - used);

  const kind = out.runOutAt !== undefined ? 'run-out' : base.elapsedFraction !== undefined ? 'on-pace-elapsed' : 'on-pace-projected';
  out.say = { kind, percentUsed: (used / limit) * 100, unit, limit, hoursLeft };
  if (windowLen !== undefined) out.say.windowLen = windowLen;
  if (opts.period !== undefined) out.say.period = opts.period;
  return out;
}

/** The basis of a meter (or of one stored reading of it). The chart draws in the same basis as the pace. */
export function basisOf(m: Pick<Meter, 'kind' | 'used' | 'percentUsed' | 'remaining'>): Basis | undefined {
  if (m.kind === 'balance' && m.remaining !== undefined) return 'balance';
  if (m.used !== undefined) return 'units';
  if (m.percentUsed !== undefined) return 'percent';
  // A remaining amount with nothing to compare it to (credits left): it behaves like a balance.
  if (m.remaining !== undefined) return 'balance';
  return undefined;
}

/**
 * A reading's value in `basis` (a balance: what is left): its own, else converted with the limit it was read with,
 * else with `fallbackLimit`; undefined when it cannot be (counts without a limit are no percentage).
 */
export function readingValue(p: Pick<PacePoint, 'used' | 'limit' | 'remaining' | 'percentUsed'>, basis: Basis, fallbackLimit?: number): number | undefined {
  const limit = fin(p.limit) ?? fin(fallbackLimit);
  const used = fin(p.used);
  const pct = fin(p.percentUsed);
  const remaining = fin(p.remaining);
  if (basis === 'balance') return remaining ?? (limit !== undefined && used !== undefined ? limit - used : undefined);
  if (basis === 'percent') {
    if (pct !== undefined) return pct;
    if (!limit) return undefined;
    return used !== undefined ? (used / limit) * 100 : remaining !== undefined ? ((limit - remaining) / limit) * 100 : undefined;
  }
  return (
    used ??
    (limit !== undefined && remaining !== undefined ? limit - remaining : undefined) ??
    (limit !== undefined && pct !== undefined ? (pct * limit) / 100 : undefined)
  );
}

/** The monotone "consumption" value of a reading: used, percent used, or minus the remaining balance. */
function valueOf(p: PacePoint, basis: Basis, meterLimit: number | undefined): number | undefined {
  const v = readingValue(p, basis, meterLimit);
  return v === undefined || basis !== 'balance' ? v : -v;
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

/** The first reading after a reset came soon enough after it (within an hour, or 5 % of a long window). */
function promptly(t: number, reset: number, nextReset: number): boolean {
  return t - reset <= Math.max(HOUR, (nextReset - reset) / 20);
}

/**
 * A window length read from the history: the gap between a reset time that passed and the next one, counted only
 * when the next reset time was reported right after the reset (the window began there, it did not wait for the first
 * use), and trusted only when the last two such gaps agree. A rolling reset time never passes, so it counts nothing.
 */
function inferWindowMs(series: readonly Sample[]): number | undefined {
  const gaps: number[] = [];
  for (let i = 1; i < series.length; i++) {
    const r0 = series[i - 1]!.resetsAt;
    const { t, resetsAt: r1 } = series[i]!;
    if (r0 === undefined || r1 === undefined || t < r0 || r1 - r0 <= RESET_JITTER) continue;
    if (promptly(t, r0, r1)) gaps.push(r1 - r0);
  }
  const a = gaps[gaps.length - 1];
  const b = gaps[gaps.length - 2];
  return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.max(10 * MINUTE, a / 50) ? a : undefined;
}

/** The previous reset of a monthly window, from the reset times in the history (keeps a window anchored on the 31st). */
function previousMonthlyReset(series: readonly Sample[], resetsAt: number): number | undefined {
  let found: number | undefined;
  for (const s of series) {
    const gap = s.resetsAt === undefined ? 0 : resetsAt - s.resetsAt;
    if (gap >= 27 * DAY && gap <= 32 * DAY && (found === undefined || s.resetsAt! > found)) found = s.resetsAt;
  }
  return found;
}

/**
 * Consumption per ms over the last `ms` of the samples: the increments between comparable samples over the time they
 * cover (a step across a break — a reset, refund or top-up — counts neither its change nor its time), the first one
 * interpolated at the boundary.
 */
function rateOver(seg: readonly Sample[], ms: number): number {
  const end = seg[seg.length - 1]!;
  const from = Math.max(seg[0]!.t, end.t - ms);
  let sum = 0;
  let covered = 0;
  for (let i = seg.length - 1; i > 0; i--) {
    const b = seg[i]!;
    if (b.t <= from) break;
    if (b.brk) continue;
    const a = seg[i - 1]!;
    const start = Math.max(a.t, from);
    sum += ((b.v - a.v) * (b.t - start)) / (b.t - a.t);
    covered += b.t - start;
  }
  return covered > 0 ? sum / covered : 0;
}

function overLimit(base: PaceNumbers, used: number, limit: number, crossedAt: number, resetsAt: number | undefined): PaceNumbers {
  const out: PaceNumbers = { ...base, overLimit: true, runOutAt: crossedAt, budgetPerHour: 0, budgetPerDay: 0 };
  if (resetsAt !== undefined) out.runsOutBeforeReset = true;
  if (base.elapsedFraction !== undefined) out.reserve = tidy(base.elapsedFraction * limit - used);
  out.say = { kind: 'over-limit', percentUsed: (used / limit) * 100 };
  return out;
}

function balance(out: PaceNumbers, meter: Meter, remaining: number, burnPerMs: number, at: number): PaceNumbers {
  out.say = { kind: 'balance', remaining, unit: meter.unit, perHour: burnPerMs * HOUR, spend: spends(meter) };
  if (burnPerMs <= 0 || remaining <= 0) return out;
  out.runOutAt = Math.round(at + remaining / burnPerMs);
  return out;
}

/** A meter without a limit: the burn rate, and where it ends up by the reset when there is one. */
function noLimit(out: PaceNumbers, meter: Meter, last: Sample, burnPerMs: number, resetsAt: number | undefined): PaceNumbers {
  out.status = 'no-limit';
  out.say = { kind: 'rate', unit: meter.unit, perHour: burnPerMs * HOUR, spend: spends(meter) };
  if (resetsAt === undefined) return out;
  const projected = last.v + burnPerMs * (resetsAt - last.t);
  out.projectedAtReset = tidy(projected);
  if (burnPerMs > 0) out.say.projected = projected;
  return out;
}

/** Money going out (spend, balance) rather than units used. */
function spends(meter: Meter): boolean {
  return meter.kind === 'spend' || meter.kind === 'balance';
}

/**
 * Same day-of-month and time, one month earlier (clamped to the month's last day), in UTC like the vendors' dates.
 * A window anchored on the 29th–31st cannot be told from the reset alone (Feb 28 may follow Jan 28 or Jan 31):
 * `computePace` takes the previous reset from the history when it has one.
 */
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
