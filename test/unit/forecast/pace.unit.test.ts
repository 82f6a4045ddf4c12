import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePace, monthBefore, windowHint, type PacePoint } from '../../../src/core/forecast/pace';
import { makeMeter, type Meter, type MeterInput } from '../../../src/core/model';

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
});

test('bursty work-hours use: the daily average dominates, the recent burst only nudges it', () => {
  const now = JAN1 + 9 * D + 12 * H; // midday, inside a burst
  // 3 requests per hour from 09:00 to 17:00 UTC, nothing at night: 24 a day.
  const f = (t: number) => {
    const days = Math.floor((t - JAN1) / D);
    const h = ((t - JAN1) % D) / H;
    return days * 24 + Math.min(Math.max(h - 9, 0), 8) * 3;
  };
  const pts = trace(JAN1, now - H, f, {}, H / 2);
  const p = computePace(pts, quota(f(now), now, { limit: 1000 }), now, { period: 'month', ...UTC });
  assert.equal(p.status, 'ok');
  // 24 h rate = 1/h, 6 h rate = 9/6 = 1.5/h → 0.7·1 + 0.3·1.5.
  close(p.burnPerHour, 1.15, 1e-6, 'burn');
  assert.equal(p.runsOutBeforeReset, false);
});

test('reset mid-series (5-hour window, percent only): the old window does not leak into the rate', () => {
  const t0 = JAN1 + 8 * H;
  const pts: PacePoint[] = [];
  for (let t = t0; t < t0 + 5 * H; t += 10 * 60_000) pts.push({ t, percentUsed: ((t - t0) / H) * 15, resetsAt: t0 + 5 * H });
  for (let t = t0 + 5 * H; t < t0 + 6.5 * H; t += 10 * 60_000) pts.push({ t, percentUsed: ((t - t0 - 5 * H) / H) * 10, resetsAt: t0 + 10 * H });
  const now = t0 + 6.5 * H;
  const meter = makeMeter({ id: 'five-hour', label: '5-hour session', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 15, resetsAt: t0 + 10 * H });
  for (const opts of [{ windowMs: 5 * H }, {}]) {
    // Without a hint the window length is inferred from the jump of resetsAt.
    const p = computePace(pts, meter, now, { ...opts, ...UTC });
    assert.equal(p.status, 'ok');
    assert.equal(p.basis, 'percent');
    close(p.burnPerHour, 10, 1e-6, 'burn');
    assert.equal(p.windowStart, t0 + 5 * H);
    close(p.projectedPercentAtReset, 50, 1e-6, 'projected');
    close(p.elapsedFraction, 0.3, 1e-9, 'elapsed');
    assert.equal(p.text, 'On pace: 15% used, 30% of the 5-hour window gone');
  }
});

test('a refund (usage going down) restarts the rate at the drop instead of going negative', () => {
  const now = JAN1 + 10 * D;
  const refundAt = now - 12 * H;
  const f = (t: number) => ((t - JAN1) / D) * 10 - (t >= refundAt ? 30 : 0);
  const pts = trace(JAN1, now - H, f);
  const p = computePace(pts, quota(f(now), now), now, { period: 'month', ...UTC });
  assert.equal(p.status, 'ok');
  close(p.burnPerHour, 10 / 24, 1e-6, 'burn');
  assert.equal(p.windowStart, JAN1, 'a refund is not a new month');
  assert.equal(p.spanMs, 12 * H);
});

test('a refund moments ago: too little since the drop to say anything', () => {
  const now = JAN1 + 10 * D;
  const f = (t: number) => ((t - JAN1) / D) * 10 - (t >= now - 20 * 60_000 ? 30 : 0);
  const p = computePace(trace(JAN1, now - H, f), quota(f(now), now), now, { period: 'month' });
  assert.equal(p.status, 'just-reset');
  assert.equal(p.burnPerHour, undefined);
  assert.ok(p.usedFraction! > 0, 'the gauge still gets its fractions');
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
  const none = makeMeter({ id: 'n', label: 'n', kind: 'quota', unit: 'requests', source: 'official', capturedAt: now });
  assert.equal(computePace([], none, now).status, 'insufficient-data');
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
  assert.deepEqual(windowHint('copilot', 'premium'), { period: 'month' });
  assert.deepEqual(windowHint('claude', 'five-hour'), { windowMs: 5 * H });
  assert.deepEqual(windowHint('openrouter', 'credits'), {});
  // A meter that states its period wins over the provider's defaults.
  assert.deepEqual(windowHint('openrouter', 'key-limit', 'month'), { period: 'month' });
  assert.deepEqual(windowHint('openrouter', 'key-limit', 'week'), { windowMs: 7 * 24 * H });
  assert.deepEqual(windowHint('claude', 'five-hour', 'day'), { windowMs: 24 * H });
});
