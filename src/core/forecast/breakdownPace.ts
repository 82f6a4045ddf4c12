// The pace engine on a Copilot billing breakdown: the month's usage day by day (GitHub's billing report) as the
// engine's history, so "where it ends up by the reset" rests on the same rules as every meter's pace.
import type { BillingBreakdown, Meter } from '../../shared/model';
import type { PaceSummary } from '../../shared/pace';
import type { PacePoint } from './pace';
import { computePace } from './paceSummary';

const DAY = 86_400_000;

/**
 * The projection to the month's reset (the first of the next month, UTC) from a breakdown's days; undefined when the
 * breakdown has no days. `now` is the caller's clock (the dashboard's), not the breakdown's capture time.
 */
export function breakdownPace(b: BillingBreakdown | undefined, now: number, timeZone?: string): PaceSummary | undefined {
  if (!b || b.state !== 'ok' || !b.byDay) return undefined;
  const [y, m] = b.month.split('-').map(Number) as [number, number];
  const start = Date.UTC(y, m - 1, 1);
  const resetsAt = Date.UTC(y, m, 1);
  if (!(now > start)) return undefined;
  const perDay = new Map(b.byDay.map((d) => [d.day, d.quantity]));
  const points: PacePoint[] = [{ t: start, used: 0, resetsAt }];
  let used = 0;
  // One point at the end of each day that has passed (days without usage are zero), the last at the capture time.
  const until = Math.min(now, b.capturedAt, resetsAt);
  for (let t = start; t < until; t += DAY) {
    used += perDay.get(new Date(t).toISOString().slice(0, 10)) ?? 0;
    points.push({ t: Math.min(t + DAY, until), used, resetsAt });
  }
  const meter: Meter = { id: 'breakdown', label: b.unit === 'credits' ? 'AI credits' : 'Premium requests', kind: 'credits', unit: b.unit, source: 'official', capturedAt: b.capturedAt, used: b.totalQuantity, resetsAt, period: 'month' };
  return computePace(points, meter, now, { period: 'month', ...(timeZone ? { timeZone } : {}) });
}
