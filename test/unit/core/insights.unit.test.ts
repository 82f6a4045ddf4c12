import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Insights, describeSeries } from '../../../src/core/insights';
import type { HistoryPoint } from '../../../src/core/history/types';
import { makeMeter, type Snapshot } from '../../../src/core/model';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 10, 15, 12);
const resetsAt = Date.UTC(2026, 11, 1);

function history(points: HistoryPoint[]) {
  return { query: async (_a: string, _m: string, from: number, to: number) => points.filter((p) => p.t >= from && p.t <= to) };
}

// 14 days into the month, 10 requests an hour: well above a linear pace for 300 requests a month.
const trace: HistoryPoint[] = Array.from({ length: 48 }, (_, i) => ({ t: now - (47 - i) * HOUR, used: 10 * i, limit: 300, resetsAt }));
const meter = makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'vendor-undocumented', capturedAt: now, used: 470, limit: 300 + 200, resetsAt });

test('paces are computed from the history and announced', async () => {
  const ins = new Insights(history(trace), () => 'copilot', () => now, { warn: () => undefined });
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

test('a chart series has the stored points, the limit, reset markers and a forecast to the reset', async () => {
  const points = [...trace, { t: now - 30 * 86_400_000, used: 290, limit: 300, resetsAt: now - 20 * 86_400_000 }].sort((a, b) => a.t - b.t);
  const ins = new Insights(history(points), () => 'copilot', () => now, { warn: () => undefined });
  const m = makeMeter({ ...meter, used: 470, limit: 500 });
  await ins.update('a', { accountId: 'a', takenAt: now, status: 'ok', meters: [m] });
  const s = await ins.series('a', m, '90d', 400);
  assert.ok(s);
  assert.equal(s.points.length, 49);
  assert.equal(s.limit, 500);
  assert.deepEqual(s.resets, [now - 20 * 86_400_000]);
  assert.ok(s.forecast && s.forecast.length === 2, 'a forecast from the last point');
  assert.deepEqual(s.forecast[0], s.points[s.points.length - 1]);
  assert.match(s.summary, /Premium requests, last 90d: 49 points/);
  assert.match(s.summary, /limit 500 requests/);
  assert.equal(await ins.series('a', m, '24h', 400).then((x) => x?.points.length), 25);
  ins.dispose();
});

test('percent-only meters chart their percentage against 100; nothing stored gives null', async () => {
  const pts: HistoryPoint[] = [{ t: now - HOUR, percentUsed: 40 }, { t: now, percentUsed: 51 }];
  const ins = new Insights(history(pts), () => 'claude', () => now, { warn: () => undefined });
  const m = makeMeter({ id: 'five-hour', label: '5-hour session', kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: now, percentUsed: 51 });
  const s = await ins.series('a', m, '24h', 200);
  assert.equal(s?.limit, 100);
  assert.deepEqual(s?.points.map((p) => p[1]), [40, 51]);
  const empty = new Insights(history([]), () => 'claude', () => now, { warn: () => undefined });
  assert.equal(await empty.series('a', m, '24h', 200), null);
  assert.match(describeSeries(s!, m), /latest 51%/);
});
