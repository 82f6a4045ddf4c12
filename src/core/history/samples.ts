// Which poll becomes a history sample: the point a meter gives (none without a number) and whether it differs from
// its series' last point (a rolling reset time is not a change).

import type { Meter } from '../../shared/model';
import type { HistoryPoint } from './types';

export function pointOf(m: Meter, t: number): HistoryPoint | undefined {
  if (m.used === undefined && m.limit === undefined && m.remaining === undefined && m.percentUsed === undefined) return undefined;
  const p: HistoryPoint = { t };
  if (m.used !== undefined) p.used = m.used;
  if (m.limit !== undefined) p.limit = m.limit;
  if (m.remaining !== undefined) p.remaining = m.remaining;
  if (m.percentUsed !== undefined) p.percentUsed = m.percentUsed;
  if (m.resetsAt !== undefined) p.resetsAt = Math.round(m.resetsAt);
  if (m.source) p.source = m.source;
  if (Number.isFinite(m.capturedAt) && Math.round(m.capturedAt) !== t) p.capturedAt = Math.round(m.capturedAt);
  return p;
}

/** Reset times this close count as the same (an estimate recomputed on every poll, rounding of a vendor's time). */
const RESET_SLACK_MS = 60_000;

export function sameValues(a: HistoryPoint, b: HistoryPoint): boolean {
  return (
    a.used === b.used &&
    a.limit === b.limit &&
    a.remaining === b.remaining &&
    a.percentUsed === b.percentUsed &&
    sameReset(a, b) &&
    a.source === b.source
  );
}

/**
 * The same reset, or a rolling one: a rate limit read from headers ("resets in 20 s") has its reset time move with
 * the clock while nothing else changes; writing a point for each would defeat "written when a value changes". A
 * fixed window that rolled over moves its reset by the window's length, far more than the time between samples.
 */
function sameReset(a: HistoryPoint, b: HistoryPoint): boolean {
  if (a.resetsAt === b.resetsAt) return true;
  if (a.resetsAt === undefined || b.resetsAt === undefined) return false;
  const moved = b.resetsAt - a.resetsAt;
  return Math.abs(moved) <= RESET_SLACK_MS || Math.abs(moved - (b.t - a.t)) <= RESET_SLACK_MS;
}
