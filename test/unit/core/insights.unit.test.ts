import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Insights, describeSeries } from '../../../src/features/insights/core/insights';
import { downsampleMinMax } from '../../../src/core/history/downsample';
import type { HistoryPoint } from '../../../src/core/history/types';
import { makeMeter, type Meter, type MeterInput, type Snapshot } from '../../../src/shared/model';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.UTC(2026, 10, 15, 12);
const resetsAt = Date.UTC(2026, 11, 1);
const log = { warn: () => undefined };

/** A reader that answers as HistoryStore.query does: the range, downsampled to about `maxPoints` (min/max buckets). */
function history(points: HistoryPoint[]) {
  return { query: async (_a: string, _m: string, from: number, to: number, max: number) => downsampleMinMax(points.filter((p) => p.t >= from && p.t <= to), max, from, to) };
}

/** Insights over `points`, with the paces of `meter` computed from them (as after a poll). */
async function insightsFor(points: HistoryPoint[], meter: Meter, provider = 'copilot'): Promise<Insights> {
  const ins = new Insights(history(points), () => provider, () => now, log);
  await ins.update('a', { accountId: 'a', takenAt: now, status: 'ok', meters: [meter] });
  return ins;
}

function quota(input: Partial<MeterInput>): Meter {
  return makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'vendor-undocumented', capturedAt: now, ...input });
}

/** Hourly readings `f(t)` from `from` to `to` (inclusive). */
function hourly(from: number, to: number, f: (t: number) => Omit<HistoryPoint, 't'>, step = HOUR): HistoryPoint[] {
  const out: HistoryPoint[] = [];
  for (let t = from; t <= to; t += step) out.push({ t, ...f(t) });
  return out;
}

// 14 days into the month, 10 requests an hour; the plan went from 300 to 500 requests a day ago.
const trace: HistoryPoint[] = Array.from({ length: 48 }, (_, i) => ({ t: now - (47 - i) * HOUR, used: 10 * i, limit: i < 24 ? 300 : 500, resetsAt }));
const meter = quota({ used: 470, limit: 500, resetsAt });

test('paces are computed from the history and announced', async () => {
  const ins = new Insights(history(trace), () => 'copilot', () => now, log);
  const seen: string[] = [];
  ins.onDidChange((id) => seen.push(id));
  const snap: Snapshot = { accountId: 'a', takenAt: now, status: 'ok', meters: [meter] };
  const paces = await ins.update('a', snap);
  assert.equal(paces?.premium?.status, 'ok');
  assert.ok(paces?.premium?.text);
  assert.deepEqual(seen, ['a']);
  assert.equal(ins.pacesFor('a')?.premium?.status, 'ok');
  ins.forget('a');
  assert.equal(ins.pacesFor('a'), undefined);
  ins.dispose();
});

test('a chart series: the range, the stored points each with its own limit, reset markers, gaps and the forecast to the run-out', async () => {
  const points = [{ t: now - 30 * DAY, used: 290, limit: 300, resetsAt: now - 20 * DAY }, ...trace];
  const ins = await insightsFor(points, meter);
  const s = await ins.series('a', meter, '90d', 400);
  assert.ok(s);
  assert.equal(s.from, now - 90 * DAY);
  assert.equal(s.to, now);
  assert.equal(s.points.length, 49);
  assert.deepEqual(s.points[0], [now - 30 * DAY, 290, 300]);
  // The limit line follows the plan: 300 until the change, 500 since (not today's 500 across the whole range).
  assert.deepEqual(s.points[24], [now - 24 * HOUR, 230, 300]);
  assert.deepEqual(s.points[25], [now - 23 * HOUR, 240, 500]);
  assert.deepEqual(s.points[48], [now, 470, 500]);
  assert.equal(s.limit, 500);
  assert.equal(s.currentReading, undefined, 'the last stored point is the current reading');
  assert.deepEqual(s.resets, [now - 20 * DAY]);
  // Nothing was read between last month's reading and two days ago: a gap, not a line.
  assert.deepEqual(s.gaps, [[now - 30 * DAY, now - 47 * HOUR]]);
  // 30 left at 10 an hour: the limit is reached in 3 hours, long before the reset. The forecast ends there, at the limit.
  const pace = ins.pacesFor('a')!.premium!;
  assert.equal(pace.runsOutBeforeReset, true);
  assert.equal(pace.runOutAt, now + 3 * HOUR);
  assert.deepEqual(s.forecast, [[now, 470], [now + 3 * HOUR, 500]]);
  assert.equal(s.forecastEnd, 'run-out');
  assert.match(s.summary, /^Premium requests, last 90 days: 49 points, latest 470 requests, low 0 requests, high 470 requests/);
  assert.match(s.summary, /limit 500 requests \(300 requests earlier\)/);
  assert.match(s.summary, /1 reset in range, 1 gap with no readings\./);
  assert.equal(await ins.series('a', meter, '24h', 400).then((x) => x?.points.length), 25);
  ins.dispose();
});

test('on pace to the reset: the forecast ends at the reset with the projected amount', async () => {
  const m = quota({ used: 470, limit: 5000, resetsAt });
  const ins = await insightsFor(trace.map((p) => ({ ...p, limit: 5000 })), m);
  const pace = ins.pacesFor('a')!.premium!;
  assert.equal(pace.runsOutBeforeReset, false);
  const s = (await ins.series('a', m, '30d', 300))!;
  assert.ok(pace.projectedAtReset !== undefined && pace.projectedAtReset > 3000 && pace.projectedAtReset < 5000, `${pace.projectedAtReset}`);
  assert.deepEqual(s.forecast, [[now, 470], [resetsAt, pace.projectedAtReset]]);
  assert.equal(s.forecastEnd, 'reset');
  ins.dispose();
});

test('a percent-only meter that runs out before its reset: the forecast ends at 100 % at the run-out, not at the projection past it', async () => {
  // Claude's 5-hour window: started 2 h ago, 30 % an hour, reset in 3 h: 100 % is reached in 80 minutes.
  const start = now - 2 * HOUR;
  const reset = start + 5 * HOUR;
  const pts = hourly(start, now - 5 * MIN, (t) => ({ percentUsed: ((t - start) / HOUR) * 30, resetsAt: reset }), 5 * MIN);
  const m = makeMeter({ id: 'five-hour', label: '5-hour session', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 60, resetsAt: reset });
  const ins = await insightsFor(pts, m, 'claude');
  const pace = ins.pacesFor('a')!['five-hour']!;
  assert.equal(pace.runsOutBeforeReset, true);
  assert.ok(pace.projectedPercentAtReset! > 140, `projected ${pace.projectedPercentAtReset} % at the reset`);
  const s = (await ins.series('a', m, '24h', 300))!;
  assert.equal(s.unit, '%');
  assert.equal(s.limit, 100);
  assert.deepEqual(s.forecast, [[now, 60], [pace.runOutAt, 100]]);
  assert.equal(s.forecastEnd, 'run-out');
  ins.dispose();
});

test('an over-limit meter has no forecast (its run-out is in the past)', async () => {
  const m = quota({ used: 520, limit: 500, resetsAt });
  const pts = trace.map((p, i) => ({ ...p, used: 50 + 10 * i, limit: 500 }));
  const ins = await insightsFor(pts, m);
  assert.equal(ins.pacesFor('a')!.premium!.overLimit, true);
  const s = (await ins.series('a', m, '7d', 300))!;
  assert.equal(s.forecast, undefined);
  ins.dispose();
});

test('a balance gets a forecast down to zero at its run-out, as its pace text says', async () => {
  // $1 an hour out of $50 since yesterday: $26 left, lasting 26 hours.
  const pts = hourly(now - 24 * HOUR, now - HOUR, (t) => ({ remaining: 50 - (t - (now - 24 * HOUR)) / HOUR }));
  const m = makeMeter({ id: 'credits', label: 'Credits', kind: 'balance', unit: 'USD', source: 'official', capturedAt: now, remaining: 26 });
  const ins = await insightsFor(pts, m, 'openrouter');
  const pace = ins.pacesFor('a')!.credits!;
  assert.equal(pace.status, 'ok');
  assert.equal(pace.runOutAt, now + 26 * HOUR);
  const s = (await ins.series('a', m, '7d', 300))!;
  assert.equal(s.limit, undefined);
  assert.deepEqual(s.forecast, [[now, 26], [now + 26 * HOUR, 0]]);
  assert.equal(s.forecastEnd, 'run-out');
  ins.dispose();
});

test('a meter with a reset but no limit: the burn rate to the reset, the rate its pace text states', async () => {
  const reset = now + 10 * DAY;
  const pts = hourly(now - 24 * HOUR, now - HOUR, (t) => ({ used: (2 * (t - (now - 24 * HOUR))) / HOUR, resetsAt: reset }));
  const m = makeMeter({ id: 'spend', label: 'Spend', kind: 'spend', unit: 'USD', source: 'official', capturedAt: now, used: 48, resetsAt: reset });
  const ins = await insightsFor(pts, m, 'openai');
  const pace = ins.pacesFor('a')!.spend!;
  assert.equal(pace.status, 'no-limit');
  assert.match(pace.text, /^Spending about \$48\.00 a day — ≈ \$528\.00 by /);
  assert.equal(pace.projectedAtReset, 528);
  const s = (await ins.series('a', m, '30d', 300))!;
  assert.deepEqual(s.forecast, [[now, 48], [reset, 48 + 2 * 24 * 10]], 'the line ends where the pace text says');
  assert.equal(s.forecastEnd, 'reset');
  ins.dispose();
});

test('a meter that switched units: only values in the chart unit, converted with their own limit when they can be', async () => {
  // Z.ai reports the same meter as counts or as a percentage; today it reads 52 %.
  const pts: HistoryPoint[] = [
    { t: now - 3 * HOUR, used: 400_000, limit: 1_000_000 },
    { t: now - 2 * HOUR, percentUsed: 45 },
    { t: now - HOUR, used: 500_000 },
    { t: now, percentUsed: 52 },
  ];
  const m = makeMeter({ id: 'tokens-5h', label: '5-hour tokens', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 52 });
  const s = (await new Insights(history(pts), () => 'zai', () => now, log).series('a', m, '24h', 300))!;
  assert.equal(s.unit, '%');
  assert.deepEqual(s.points, [[now - 3 * HOUR, 40, 100], [now - 2 * HOUR, 45, 100], [now, 52, 100]]);
  assert.match(describeSeries(s), /latest 52%, low 40%, high 52%, limit 100%/);
  // And the other way round: a counts meter with a stored percentage (and its limit) is drawn in counts.
  const counts = quota({ used: 600, limit: 1000 });
  const c = (await new Insights(history([{ t: now - HOUR, percentUsed: 50, limit: 1000 }, { t: now, used: 600, limit: 1000 }]), () => 'zai', () => now, log).series('a', counts, '24h', 300))!;
  assert.equal(c.unit, 'requests');
  assert.deepEqual(c.points, [[now - HOUR, 500, 1000], [now, 600, 1000]]);
});

test('gaps in polling: a stretch far longer than readings are apart is reported, regular readings are not', async () => {
  const m = quota({ used: 100, limit: 1000, capturedAt: now - 8 * DAY });
  // Hourly readings on days 0–2 and 20–22 of the last 30 days.
  const days = (a: number, b: number) => hourly(now - (30 - a) * DAY, now - (30 - b) * DAY, () => ({ used: 100, limit: 1000 }));
  const split = [...days(0, 2), ...days(20, 22)];
  let s = (await new Insights(history(split), () => 'x', () => now, log).series('a', m, '30d', 300))!;
  assert.deepEqual(s.gaps, [[now - 28 * DAY, now - 10 * DAY]]);
  assert.match(s.summary, /1 gap with no readings/);
  // Hourly for 30 days, and polling every 4 hours: no gaps.
  s = (await new Insights(history(days(0, 30)), () => 'x', () => now, log).series('a', m, '30d', 300))!;
  assert.deepEqual(s.gaps, []);
  const slow = hourly(now - 30 * DAY, now, () => ({ used: 100, limit: 1000 }), 4 * HOUR);
  s = (await new Insights(history(slow), () => 'x', () => now, log).series('a', m, '30d', 2000))!;
  assert.deepEqual(s.gaps, []);
  // A year: about one reading a day where the store keeps daily buckets (past 90 days), hourly after. A wide chart
  // (little downsampling) sees the daily spacing as normal; ten days with no reading at all are a gap.
  const year = [...hourly(now - 365 * DAY, now - 91 * DAY, () => ({ used: 100, limit: 1000 }), DAY), ...hourly(now - 90 * DAY, now, () => ({ used: 100, limit: 1000 }))];
  s = (await new Insights(history(year), () => 'x', () => now, log).series('a', m, '1y', 2000))!;
  assert.deepEqual(s.gaps, []);
  const holed = year.filter((p) => p.t <= now - 300 * DAY || p.t >= now - 290 * DAY);
  s = (await new Insights(history(holed), () => 'x', () => now, log).series('a', m, '1y', 2000))!;
  assert.deepEqual(s.gaps, [[now - 300 * DAY, now - 290 * DAY]]);
});

test('the line ends at the current reading when it is newer than the last stored point (an unchanged value is stored hourly)', async () => {
  const pts: HistoryPoint[] = [{ t: now - 2 * HOUR, used: 400, limit: 1000 }, { t: now - 50 * MIN, used: 420, limit: 1000 }];
  const m = quota({ used: 420, limit: 1000, capturedAt: now - 2 * MIN });
  const s = (await new Insights(history(pts), () => 'x', () => now, log).series('a', m, '24h', 300))!;
  assert.deepEqual(s.points, [[now - 2 * HOUR, 400, 1000], [now - 50 * MIN, 420, 1000], [now - 2 * MIN, 420, 1000]]);
  assert.equal(s.currentReading, true);
  assert.match(s.summary, /3 points, latest 420 requests \(now\)/);
  // The stored point of the same poll (taken a little after the provider's capture time): not drawn twice.
  const same = (await new Insights(history([...pts, { t: now - MIN, used: 420, limit: 1000, capturedAt: now - 2 * MIN }]), () => 'x', () => now, log).series('a', m, '24h', 300))!;
  assert.equal(same.points.length, 3);
  assert.equal(same.currentReading, undefined);
});

test('one reading is a series of one point; a meter with no reading and nothing stored gives null', async () => {
  const m = makeMeter({ id: 'five-hour', label: '5-hour session', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 51 });
  const s = (await new Insights(history([{ t: now, percentUsed: 51 }]), () => 'claude', () => now, log).series('a', m, '24h', 200))!;
  assert.deepEqual(s.points, [[now, 51, 100]]);
  assert.equal(s.summary, '5-hour session, last 24 hours: 1 point, latest 51%, low 51%, high 51%, limit 100%.');
  // First poll, before the history has it: the current reading alone.
  const first = (await new Insights(history([]), () => 'claude', () => now, log).series('a', m, '24h', 200))!;
  assert.deepEqual(first.points, [[now, 51, 100]]);
  assert.equal(first.currentReading, true);
  const nothing = makeMeter({ id: 'five-hour', label: '5-hour session', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now });
  assert.equal(await new Insights(history([]), () => 'claude', () => now, log).series('a', nothing, '24h', 200), null);
});

test('percent-only meters chart their percentage against 100; the summary names the range as the chart does', async () => {
  const pts: HistoryPoint[] = [{ t: now - HOUR, percentUsed: 40 }, { t: now, percentUsed: 51 }];
  const m = makeMeter({ id: 'five-hour', label: '5-hour session', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 51 });
  const ins = new Insights(history(pts), () => 'claude', () => now, log);
  const s = await ins.series('a', m, '24h', 200);
  assert.equal(s?.limit, 100);
  assert.deepEqual(s?.points.map((p) => p[1]), [40, 51]);
  assert.match(describeSeries(s!), /^5-hour session, last 24 hours: .*latest 51%/);
  assert.match((await ins.series('a', m, '1y', 200))!.summary, /^5-hour session, last year: /);
  assert.match((await ins.series('a', m, '30d', 200))!.summary, /^5-hour session, last 30 days: /);
});
