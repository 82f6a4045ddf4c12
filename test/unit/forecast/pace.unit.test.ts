import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monthBefore, windowHint, type PacePoint } from '../../../src/core/forecast/pace';
import { computePace } from '../../../src/core/forecast/paceSummary';
import { makeMeter, type Meter, type MeterInput } from '../../../src/shared/model';
import { codexMeters, type CodexUsage } from '../../../src/core/providers/codex';

const H = 3_600_000;
const D = 24 * H;
const JAN1 = Date.UTC(2026, 0, 1);
const FEB1 = Date.UTC(2026, 1, 1);
const UTC = { timeZone: 'UTC' } as const;

/** Hourly samples of a cumulative counter `f(t)` from `from` to `to` (inclusive). */
function trace(from: number, to: number, f: (t: number) => number, extra: Partial<PacePoint> = {}, step = H): PacePoint[] {
  const out: PacePoint[] = [];
  for (let t = from; t <= to; t += step) out.push({ t, used: f(t), ...extra });
  return out;
}

function quota(used: number, at: number, over: Partial<MeterInput> = {}): Meter {
  return makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: at, used, limit: 300, resetsAt: FEB1, ...over });
}

function close(actual: number | undefined, expected: number, tol: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tol, `${what}: expected ${expected} ± ${tol}, got ${actual}`);
}

test('steady monthly use under the limit: on pace, with month progress and reserve', () => {
  const now = JAN1 + 14.5 * D;
  const f = (t: number) => ((t - JAN1) / D) * 8;
  const pts = trace(JAN1, now - H, f, { limit: 300, resetsAt: FEB1 });
  const p = computePace(pts, quota(f(now), now), now, { period: 'month', ...UTC });
  assert.equal(p.status, 'ok');
  assert.equal(p.basis, 'units');
  close(p.burnPerHour, 8 / 24, 1e-6, 'burn');
  close(p.projectedAtReset, 8 * 31, 1e-3, 'projected');
  assert.equal(p.runsOutBeforeReset, false);
  assert.equal(p.runOutAt, undefined);
  assert.equal(p.windowStart, JAN1);
  close(p.elapsedFraction, 14.5 / 31, 1e-9, 'elapsed');
  close(p.usedFraction, 116 / 300, 1e-9, 'used');
  close(p.reserve, (14.5 / 31) * 300 - 116, 1e-3, 'reserve');
  close(p.budgetPerDay, (300 - 116) / 16.5, 1e-3, 'budget/day');
  assert.equal(p.text, 'On pace: 39% used, 47% of the month gone');
  // The numbers behind it: 24 requests of reserve, and what may still be used (184 in 16.5 days).
  assert.equal(p.detail, '24 requests under a straight-line pace · budget 11 requests a day, 0.46 an hour');
});

test('steady use too fast: run-out day, lead before reset and the daily budget', () => {
  const now = JAN1 + 14.5 * D; // Thu 15 Jan 12:00 UTC
  const f = (t: number) => ((t - JAN1) / D) * 15;
  const pts = trace(JAN1, now - H, f);
  const p = computePace(pts, quota(f(now), now), now, { period: 'month', ...UTC });
  assert.equal(p.status, 'ok');
  assert.equal(p.runsOutBeforeReset, true);
  close(p.runOutAt, now + 5.5 * D, 1000, 'run-out'); // 82.5 left at 15 a day
  close(p.budgetPerDay, 5, 1e-6, 'budget');
  assert.ok(p.reserve! < 0, 'a deficit against the linear pace');
  assert.equal(p.text, 'At this pace you run out Wed 00:00, 11 days before reset — stay under 5 requests a day');
  assert.equal(p.detail, '77 requests over a straight-line pace · budget 5 requests a day, 0.21 an hour');
});

test('bursty work-hours use: the forecast follows the daily average at any hour, the burst only nudges it', () => {
  // 3 requests per hour from 09:00 to 17:00 UTC, nothing at night: 24 a day, 744 by the end of January.
  const f = (t: number) => {
    const days = Math.floor((t - JAN1) / D);
    const h = ((t - JAN1) % D) / H;
    return days * 24 + Math.min(Math.max(h - 9, 0), 8) * 3;
  };
  for (const hour of [8, 12, 17, 23]) {
    const now = JAN1 + 9 * D + hour * H;
    const pts = trace(JAN1, now - H, f, {}, H / 2);
    const p = computePace(pts, quota(f(now), now, { limit: 1000 }), now, { period: 'month', ...UTC });
    assert.equal(p.status, 'ok');
    // A week of whole days: 1 an hour, whatever the hour; a day's rate would swing from 0.7 to 1.6 an hour.
    close(p.burnPerHour, 1, 0.05, `burn at ${hour}:00`);
    close(p.projectedAtReset, 744, 15, `projected at ${hour}:00`);
    assert.equal(p.runsOutBeforeReset, false, `no run-out at ${hour}:00`);
  }
});

test('weekday-only use on a monthly quota: no false run-out at the end of a workday, a forecast near the real total', () => {
  // 12 premium requests per workday (1.5 an hour from 09:00 to 17:00 UTC), nothing at weekends, since December:
  // January ends at 264 of 300. A one-day look-back projected the last workday over the weekends too (466 at 17:00).
  const DEC1 = Date.UTC(2025, 11, 1);
  const cumulative = (t: number) => {
    let u = 0;
    for (let d = DEC1; d < t; d += D) {
      const wd = new Date(d).getUTCDay();
      if (wd !== 0 && wd !== 6) u += Math.min(Math.max((t - d) / H - 9, 0), 8) * 1.5;
    }
    return u;
  };
  const used = (t: number) => Math.floor(t < JAN1 ? cumulative(t) : cumulative(t) - cumulative(JAN1));
  const pts: PacePoint[] = [];
  for (let t = DEC1; t < FEB1; t += 15 * 60_000) pts.push({ t, used: used(t), limit: 300, resetsAt: t < JAN1 ? JAN1 : FEB1 });
  let lo = Infinity;
  let hi = -Infinity;
  for (let day = 1; day <= 30; day++) {
    for (const hour of [8, 17]) {
      const now = JAN1 + (day - 1) * D + hour * H;
      const p = computePace(pts.filter((x) => x.t < now && x.t > now - 32 * D), quota(used(now), now), now, { period: 'month', ...UTC });
      const at = new Date(now).toISOString().slice(0, 13);
      assert.equal(p.status, 'ok', at);
      assert.equal(p.runsOutBeforeReset, false, `${at}: ${p.text}`);
      lo = Math.min(lo, p.projectedAtReset!);
      hi = Math.max(hi, p.projectedAtReset!);
    }
  }
  assert.ok(lo >= 215 && hi <= 295, `forecasts between ${lo} and ${hi}`);
  // Wednesday 14 January, end of the workday: 10 workdays done (120), 13 to come.
  const now = Date.UTC(2026, 0, 14, 17);
  const p = computePace(pts.filter((x) => x.t < now), quota(used(now), now), now, { period: 'month', ...UTC });
  close(p.projectedAtReset, 264, 15, 'projected');
  assert.equal(p.text, 'On pace: 40% used, 44% of the month gone');
});

test('reset mid-series (5-hour window, percent only): the old window does not leak into the rate', () => {
  const t0 = JAN1 + 8 * H;
  const pts: PacePoint[] = [];
  for (let t = t0; t < t0 + 5 * H; t += 10 * 60_000) pts.push({ t, percentUsed: ((t - t0) / H) * 15, resetsAt: t0 + 5 * H });
  for (let t = t0 + 5 * H; t < t0 + 6.5 * H; t += 10 * 60_000) pts.push({ t, percentUsed: ((t - t0 - 5 * H) / H) * 10, resetsAt: t0 + 10 * H });
  const now = t0 + 6.5 * H;
  const meter = makeMeter({ id: 'five-hour', label: '5-hour session', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 15, resetsAt: t0 + 10 * H });
  for (const opts of [{ windowMs: 5 * H }, {}]) {
    // Without a hint the window starts at the reset seen in the history: the next reset time came right after it.
    const p = computePace(pts, meter, now, { ...opts, ...UTC });
    assert.equal(p.status, 'ok');
    assert.equal(p.basis, 'percent');
    close(p.burnPerHour, 10, 1e-6, 'burn');
    assert.equal(p.windowStart, t0 + 5 * H);
    close(p.projectedPercentAtReset, 50, 1e-6, 'projected');
    close(p.elapsedFraction, 0.3, 1e-9, 'elapsed');
    assert.equal(p.text, 'On pace: 15% used, 30% of the 5-hour window gone');
    // 85 points left in 3.5 hours; no day's budget in a window shorter than a day.
    assert.equal(p.detail, '15% under a straight-line pace · budget 24% an hour');
  }
});

/** A 5-hour window used at 10 % an hour from 08:00 to 13:00, idle until 06:00 the next day, then 1.5 h of use. */
function idleBetweenWindows(): { pts: PacePoint[]; now: number; meter: (over?: Partial<MeterInput>) => Meter } {
  const pts: PacePoint[] = [];
  const w1 = JAN1 + 4 * D + 8 * H;
  for (let t = w1; t < w1 + 5 * H; t += 10 * 60_000) pts.push({ t, percentUsed: ((t - w1) / H) * 10, resetsAt: w1 + 5 * H });
  const w2 = JAN1 + 5 * D + 6 * H;
  for (let t = w2; t <= w2 + 1.5 * H; t += 10 * 60_000) pts.push({ t, percentUsed: ((t - w2) / H) * 10, resetsAt: w2 + 5 * H });
  const now = w2 + 1.5 * H;
  const meter = (over: Partial<MeterInput> = {}) =>
    makeMeter({ id: 'five-hour', label: '5-hour limit', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 15, resetsAt: w2 + 5 * H, ...over });
  return { pts, now, meter };
}

test('idle between session windows: the gap between two resets is not the window length', () => {
  const { pts, now, meter } = idleBetweenWindows();
  // No length known: one gap of 22 h proves nothing, and the window did not start at the previous reset.
  const blind = computePace(pts, meter(), now, UTC);
  assert.equal(blind.status, 'ok');
  assert.equal(blind.windowStart, undefined);
  assert.equal(blind.elapsedFraction, undefined);
  assert.equal(blind.reserve, undefined);
  assert.equal(blind.text, 'On pace: 15% used, about 50% by the reset');
  // The length the provider states (Codex's limit_window_seconds) puts the marker where it belongs.
  const known = computePace(pts, meter({ windowMs: 5 * H }), now, { windowMs: 5 * H, ...UTC });
  assert.equal(known.windowStart, now - 1.5 * H);
  close(known.elapsedFraction, 0.3, 1e-9, 'elapsed');
  close(known.reserve, 15, 1e-6, 'reserve');
  assert.equal(known.text, 'On pace: 15% used, 30% of the 5-hour window gone');
});

test('a Codex window states its length: the meter carries it and windowHint hands it to the pace', () => {
  const { pts, now } = idleBetweenWindows();
  const resetsAt = now + 3.5 * H;
  const usage = { rate_limit: { primary_window: { used_percent: 15, limit_window_seconds: 18_000, reset_at: resetsAt / 1000 } } } as unknown as CodexUsage;
  const [m] = codexMeters(usage, now);
  assert.equal(m!.windowMs, 5 * H);
  const p = computePace(pts, m!, now, { ...windowHint('codex', m!), ...UTC });
  close(p.elapsedFraction, 0.3, 1e-9, 'elapsed');
  assert.equal(p.text, 'On pace: 15% used, 30% of the 5-hour window gone');
});

test('a rolling reset time (idle, the reset moves with the clock) infers no window; a known window drops the idle time from the rate', () => {
  const t0 = JAN1 + 4 * D + 6 * H;
  const pts: PacePoint[] = [];
  for (let t = t0; t < t0 + 3 * H; t += 60_000) pts.push({ t, percentUsed: 0, resetsAt: t + 5 * H });
  const start = t0 + 3 * H;
  for (let t = start; t <= start + 90 * 60_000; t += 60_000) pts.push({ t, percentUsed: Math.floor((t - start) / 240_000), resetsAt: start + 5 * H });
  const now = start + 90 * 60_000;
  const m = makeMeter({ id: 'five-hour', label: '5-hour limit', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 22, resetsAt: start + 5 * H });
  const blind = computePace(pts, m, now, UTC);
  assert.equal(blind.windowStart, undefined, 'no ~31-minute window from a reset time that drifts');
  const known = computePace(pts, m, now, { windowMs: 5 * H, ...UTC });
  assert.equal(known.windowStart, start);
  close(known.burnPerHour, 15, 1, 'burn since the window began, not diluted by the idle hours');
});

test('a window length is inferred only from regular, repeated resets', () => {
  // A daily window polled hourly for three days: gaps of 24 h, each reset followed at once by the next reset time.
  const day0 = JAN1 + 4 * D;
  const now = day0 + 2 * D + 15 * H;
  const pts: PacePoint[] = [];
  for (let t = day0; t < now; t += H) pts.push({ t, used: ((t - day0) % D) / H, limit: 100, resetsAt: day0 + (Math.floor((t - day0) / D) + 1) * D });
  const m = quota(15, now, { id: 'daily', limit: 100, resetsAt: day0 + 3 * D });
  const p = computePace(pts, m, now, UTC);
  assert.equal(p.windowStart, day0 + 2 * D);
  assert.equal(p.text, 'On pace: 15% used, 63% of the day gone');
});

test('a refund (usage going down) on a monthly quota: the rate skips the drop, the window keeps its start', () => {
  const now = JAN1 + 10 * D;
  const refundAt = now - 12 * H;
  const f = (t: number) => ((t - JAN1) / D) * 10 - (t >= refundAt ? 30 : 0);
  const pts = trace(JAN1, now - H, f);
  const p = computePace(pts, quota(f(now), now), now, { period: 'month', ...UTC });
  assert.equal(p.status, 'ok');
  close(p.burnPerHour, 10 / 24, 1e-6, 'burn');
  assert.equal(p.windowStart, JAN1, 'a refund is not a new month');
  // A refund moments ago does not blank the forecast either.
  const g = (t: number) => ((t - JAN1) / D) * 10 - (t >= now - 20 * 60_000 ? 30 : 0);
  const q = computePace(trace(JAN1, now - H, g), quota(g(now), now), now, { period: 'month', ...UTC });
  assert.equal(q.status, 'ok');
  close(q.burnPerHour, 10 / 24, 1e-6, 'burn after a fresh refund');
});

test('a refund with no window length known: the drop restarts the rate, never the window', () => {
  // Spend this month with a budget, no period stated: a $40 refund 3 days ago.
  const now = JAN1 + 20 * D;
  const f = (t: number) => ((t - JAN1) / D) * 10 - (t >= now - 3 * D ? 40 : 0);
  const pts = trace(JAN1, now - H, f, { limit: 300, resetsAt: FEB1 });
  const m = makeMeter({ id: 'spend-month', label: 'Spent this month', kind: 'spend', unit: 'USD', source: 'official', capturedAt: now, used: f(now), limit: 300, resetsAt: FEB1 });
  const p = computePace(pts, m, now, UTC);
  assert.equal(p.status, 'ok');
  assert.equal(p.windowStart, undefined, 'the refund is not the start of the window');
  assert.equal(p.reserve, undefined, 'no reserve against an unknown window');
  close(p.burnPerHour, 10 / 24, 1e-6, 'burn');
  // With the month known, the reserve is against the real month: 65 % gone, 53 % used.
  const month = computePace(pts, m, now, { period: 'month', ...UTC });
  assert.equal(month.windowStart, JAN1);
  close(month.reserve, (20 / 31) * 300 - 160, 1e-3, 'reserve');
});

test('a drop moments ago in a short window: not enough use since to say anything', () => {
  const t0 = JAN1 + 8 * H;
  const now = t0 + 3 * H;
  const pts: PacePoint[] = [];
  for (let t = t0; t < now; t += 10 * 60_000) pts.push({ t, used: ((t - t0) / H) * 10 - (t >= now - 20 * 60_000 ? 15 : 0), limit: 100, resetsAt: t0 + 5 * H });
  const p = computePace(pts, quota(15, now, { limit: 100, resetsAt: t0 + 5 * H }), now, { windowMs: 5 * H, ...UTC });
  assert.equal(p.status, 'insufficient-data');
  assert.equal(p.text, 'Usage went down moments ago — not enough use since to estimate a pace');
  assert.equal(p.burnPerHour, undefined);
  assert.ok(p.usedFraction! > 0, 'the gauge still gets its fractions');
  close(p.elapsedFraction, 0.6, 1e-9, 'the window is untouched');
});

test('flat use: zero burn, no run-out, on pace', () => {
  const now = JAN1 + 20 * D;
  const p = computePace(trace(now - 2 * D, now - H, () => 50), quota(50, now), now, { period: 'month', ...UTC });
  assert.equal(p.status, 'ok');
  assert.equal(p.burnPerHour, 0);
  assert.equal(p.runOutAt, undefined);
  assert.equal(p.projectedAtReset, 50);
  assert.match(p.text, /^On pace: 17% used, 65% of the month gone$/);
});

test('too little data: few points or a short span', () => {
  const now = JAN1 + 20 * D;
  assert.equal(computePace([], quota(50, now), now, { period: 'month' }).status, 'insufficient-data');
  const two = computePace([{ t: now - 3 * H, used: 40 }], quota(50, now), now, { period: 'month' });
  assert.equal(two.status, 'insufficient-data');
  assert.equal(two.text, 'Not enough history yet');
  const short = trace(now - 20 * 60_000, now - 60_000, (t) => 40 + (t - now) / 60_000, {}, 60_000);
  assert.equal(computePace(short, quota(41, now), now, { period: 'month' }).status, 'insufficient-data');
});

test('the month just started: just-reset rather than a wild extrapolation', () => {
  const now = FEB1 + 40 * 60_000;
  const pts = trace(FEB1, now - 10 * 60_000, (t) => (t - FEB1) / 60_000, {}, 10 * 60_000);
  const p = computePace(pts, quota(40, now, { resetsAt: Date.UTC(2026, 2, 1) }), now, { period: 'month' });
  assert.equal(p.status, 'just-reset');
  assert.equal(p.windowStart, FEB1);
});

test('a reset time already in the past: waiting for fresh numbers', () => {
  const now = FEB1 + H;
  const p = computePace(trace(JAN1, FEB1 - H, (t) => (t - JAN1) / D), quota(31, FEB1 - H), now, { period: 'month' });
  assert.equal(p.status, 'just-reset');
});

test('over quota already', () => {
  const now = JAN1 + 25 * D;
  const f = (t: number) => ((t - JAN1) / D) * 12.4;
  const p = computePace(trace(JAN1, now - H, f), quota(f(now), now), now, { period: 'month', ...UTC });
  assert.equal(p.status, 'ok');
  assert.equal(p.overLimit, true);
  assert.equal(p.runsOutBeforeReset, true);
  assert.equal(p.budgetPerDay, 0);
  assert.ok(p.runOutAt! < now);
  assert.match(p.text, /^Over the limit: 103% used — resets Feb 1, 00:00$/);
});

test('unlimited, no limit (spend) and unknown meters', () => {
  const now = JAN1 + 5 * D;
  const unl = makeMeter({ id: 'x', label: 'x', kind: 'quota', unit: 'requests', source: 'official', capturedAt: now, unlimited: true });
  assert.equal(computePace([], unl, now).status, 'unlimited');
  const spend = (used: number, at: number) => makeMeter({ id: 's', label: 'Spend', kind: 'spend', unit: 'USD', source: 'official', capturedAt: at, used });
  const f = (t: number) => ((t - JAN1) / D) * 2;
  const p = computePace(trace(JAN1, now - H, f), spend(f(now), now), now);
  assert.equal(p.status, 'no-limit');
  close(p.burnPerHour, 2 / 24, 1e-6, 'burn');
  assert.equal(p.runOutAt, undefined);
  assert.equal(p.text, 'Spending about $2.00 a day');
  assert.equal(p.projectedAtReset, undefined, 'no reset, no projection');
  const none = makeMeter({ id: 'n', label: 'n', kind: 'quota', unit: 'requests', source: 'official', capturedAt: now });
  assert.equal(computePace([], none, now).status, 'insufficient-data');
});

test('no limit but a reset (spend this month, AI credits): a projection at the reset', () => {
  const now = JAN1 + 5 * D;
  const f = (t: number) => ((t - JAN1) / D) * 2;
  const spend = makeMeter({ id: 'spend-month', label: 'Spent this month', kind: 'spend', unit: 'USD', source: 'official', capturedAt: now, used: f(now), resetsAt: FEB1 });
  const p = computePace(trace(JAN1, now - H, f), spend, now, { period: 'month', ...UTC });
  assert.equal(p.status, 'no-limit');
  close(p.projectedAtReset, 62, 1e-3, 'projected');
  assert.equal(p.projectedPercentAtReset, undefined);
  assert.equal(p.runsOutBeforeReset, undefined);
  assert.equal(p.text, 'Spending about $2.00 a day — ≈ $62.00 by Feb 1, 00:00');
  const credits = makeMeter({ id: 'ai-credits', label: 'AI credits used', kind: 'credits', unit: 'credits', source: 'official', capturedAt: now, used: f(now) * 50, resetsAt: FEB1 });
  const c = computePace(trace(JAN1, now - H, (t) => f(t) * 50), credits, now, { period: 'month', ...UTC });
  assert.equal(c.text, 'Using about 100 credits a day — ≈ 3,100 credits by Feb 1, 00:00');
});

test('a limit of 0 is no allowance, not "over the limit: unknown used"', () => {
  const now = JAN1 + 10 * D;
  const pts = trace(now - 10 * H, now - H, () => 0, { limit: 0 });
  const m = makeMeter({ id: 'chat', label: 'Chat', kind: 'quota', unit: 'messages', source: 'official', capturedAt: now, limit: 0, remaining: 0, resetsAt: FEB1 });
  const p = computePace(pts, m, now, { period: 'month', ...UTC });
  assert.equal(p.status, 'no-limit');
  assert.equal(p.text, 'No allowance');
  assert.equal(p.overLimit, undefined);
  assert.equal(p.usedFraction, undefined);
});

test('under a day left: the day budget is at most what is left', () => {
  const t0 = JAN1 + 8 * H;
  const now = t0 + 2 * H;
  const pts: PacePoint[] = [];
  for (let t = t0; t < now; t += 10 * 60_000) pts.push({ t, percentUsed: ((t - t0) / H) * 5, resetsAt: t0 + 5 * H });
  const m = makeMeter({ id: 'five-hour', label: '5-hour limit', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 10, resetsAt: t0 + 5 * H });
  const p = computePace(pts, m, now, { windowMs: 5 * H, ...UTC });
  close(p.budgetPerHour, 30, 1e-6, 'budget/hour');
  assert.equal(p.budgetPerDay, 90, 'capped at the 90 % left, not 720 %');
  assert.equal(p.detail, '30% under a straight-line pace · budget 30% an hour');
});

test('far-off dates carry their year', () => {
  const now = JAN1 + 10 * D;
  const pts: PacePoint[] = [];
  for (let t = JAN1; t < now; t += H) pts.push({ t, remaining: 100 - ((t - JAN1) / D) * 0.05 });
  const bal = makeMeter({ id: 'credits', label: 'Credits', kind: 'balance', unit: 'USD', source: 'official', capturedAt: now, remaining: 99.5 });
  const p = computePace(pts, bal, now, UTC);
  assert.equal(p.text, 'At this pace $99.50 lasts until Jun 24, 2031, 00:00 (about 1990 days)');
  assert.equal(p.detail, 'Spending about $0.0021 an hour');
});

test('a monthly window anchored on the 31st starts at the previous reset, not on the clamped day', () => {
  // Resets on Jan 31, then Feb 28 (no Feb 31), then Mar 31: the history knows when this window began.
  const JAN31 = Date.UTC(2026, 0, 31);
  const FEB28 = Date.UTC(2026, 1, 28);
  const MAR31 = Date.UTC(2026, 2, 31);
  const f = (t: number) => ((t - Date.UTC(2026, 0, 1)) / D) * 2;
  const now = FEB28 - 10 * D;
  const pts = trace(JAN1, now - H, (t) => (t < JAN31 ? f(t) : f(t) - f(JAN31)), {}).map((p) => ({ ...p, resetsAt: p.t < JAN31 ? JAN31 : FEB28 }));
  const p = computePace(pts, quota(f(now) - f(JAN31), now, { resetsAt: FEB28 }), now, { period: 'month', ...UTC });
  assert.equal(p.windowStart, JAN31);
  close(p.elapsedFraction, 18 / 28, 1e-9, 'elapsed');
  const later = FEB28 + 5 * D;
  const pts2 = trace(FEB28 - 3 * D, later - H, () => 10).map((p) => ({ ...p, resetsAt: p.t < FEB28 ? FEB28 : MAR31 }));
  assert.equal(computePace(pts2, quota(10, later, { resetsAt: MAR31 }), later, { period: 'month', ...UTC }).windowStart, FEB28);
  // Without earlier resets in the history the month before is the only guess.
  assert.equal(computePace([], quota(10, later, { resetsAt: MAR31 }), later, { period: 'month' }).windowStart, FEB28);
  assert.equal(computePace([], quota(10, now, { resetsAt: FEB28 }), now, { period: 'month' }).windowStart, Date.UTC(2026, 0, 28));
});

test('balance: remaining going down lasts until …; a top-up restarts the rate', () => {
  const now = JAN1 + 10 * D;
  const topUp = now - 2 * D;
  const rem = (t: number) => 100 - ((t - JAN1) / D) * 5 + (t >= topUp ? 50 : 0);
  const pts: PacePoint[] = [];
  for (let t = JAN1; t < now; t += H) pts.push({ t, remaining: rem(t) });
  const bal = makeMeter({ id: 'balance', label: 'Balance', kind: 'balance', unit: 'USD', source: 'official', capturedAt: now, remaining: rem(now) });
  const p = computePace(pts, bal, now, UTC);
  assert.equal(p.status, 'ok');
  assert.equal(p.basis, 'balance');
  close(p.burnPerHour, 5 / 24, 1e-6, 'burn');
  close(p.runOutAt, now + 20 * D, 1000, 'lasts until');
  assert.equal(p.spanMs, 2 * D - 0, 'rate since the top-up');
  assert.equal(p.text, 'At this pace $100.00 lasts until Jan 31, 00:00 (about 20 days)');
});

test('a limit without a reset (key limit): run-out only', () => {
  const now = JAN1 + 3 * D;
  const f = (t: number) => ((t - JAN1) / D) * 20;
  const m = quota(f(now), now, { resetsAt: undefined });
  const p = computePace(trace(JAN1, now - H, f), m, now, UTC);
  assert.equal(p.status, 'ok');
  close(p.runOutAt, now + 12 * D, 1000, 'run-out');
  assert.equal(p.projectedAtReset, undefined);
  assert.match(p.text, /^At this pace the limit is reached Jan 16, 00:00/);
});

test('monthBefore and window hints', () => {
  assert.equal(monthBefore(Date.UTC(2026, 2, 31, 5)), Date.UTC(2026, 1, 28, 5));
  assert.equal(monthBefore(Date.UTC(2026, 0, 1)), Date.UTC(2025, 11, 1));
  assert.deepEqual(windowHint('copilot', { id: 'premium' }), { period: 'month' });
  assert.deepEqual(windowHint('claude', { id: 'five-hour' }), { windowMs: 5 * H });
  assert.deepEqual(windowHint('openrouter', { id: 'credits' }), {});
  // A meter that states its period or window length wins over the provider's defaults.
  assert.deepEqual(windowHint('openrouter', { id: 'key-limit', period: 'month' }), { period: 'month' });
  assert.deepEqual(windowHint('openrouter', { id: 'key-limit', period: 'week' }), { windowMs: 7 * 24 * H });
  assert.deepEqual(windowHint('claude', { id: 'five-hour', period: 'day' }), { windowMs: 24 * H });
  assert.deepEqual(windowHint('codex', { id: 'five-hour', windowMs: 5 * H }), { windowMs: 5 * H });
  assert.deepEqual(windowHint('codex', { id: 'weekly' }), {});
});
