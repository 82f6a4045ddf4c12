// Downsampling, both for storage (folding old samples into 15-minute / daily buckets) and for queries (about one
// point per chart pixel).
//
// Why min/max-preserving and not LTTB: the charts exist to show how close a meter came to its limit and when it
// reset. A per-bucket min/max keeps every peak and every reset drop exactly (they are real samples), is O(n),
// deterministic and cheap; LTTB picks the "visually largest triangle" and can drop a bucket's maximum, which would
// understate the closest call — the one number a quota chart must not get wrong.
import type { HistoryPoint } from './types';

/** The value charts plot and extremes are kept for: used, else remaining (balances), else percent used. */
export function primaryValue(p: HistoryPoint): number | undefined {
  return p.used ?? p.remaining ?? p.percentUsed;
}

/**
 * Storage fold of one series (points ascending by t): per bucket keep the last sample, plus the bucket's min and/or
 * max sample when it lies outside the range between the previous bucket's last value and this bucket's last value
 * (an excursion such as a mid-bucket reset or spike). A monotonic run costs one point per bucket.
 */
export function foldSeries(points: HistoryPoint[], bucketMs: number, prevLast?: number): HistoryPoint[] {
  const out: HistoryPoint[] = [];
  let i = 0;
  let prev = prevLast;
  while (i < points.length) {
    const bucket = Math.floor(points[i]!.t / bucketMs);
    let j = i;
    let min: HistoryPoint | undefined;
    let max: HistoryPoint | undefined;
    while (j < points.length && Math.floor(points[j]!.t / bucketMs) === bucket) {
      const p = points[j]!;
      const v = primaryValue(p);
      if (v !== undefined) {
        if (!min || v < primaryValue(min)!) min = p;
        if (!max || v > primaryValue(max)!) max = p;
      }
      j++;
    }
    const last = points[j - 1]!;
    const lastV = primaryValue(last);
    const keep = new Set<HistoryPoint>([last]);
    if (lastV !== undefined && min && max) {
      const lo = Math.min(lastV, prev ?? lastV);
      const hi = Math.max(lastV, prev ?? lastV);
      if (primaryValue(min)! < lo) keep.add(min);
      if (primaryValue(max)! > hi) keep.add(max);
    }
    for (let k = i; k < j; k++) if (keep.has(points[k]!)) out.push(points[k]!);
    if (lastV !== undefined) prev = lastV;
    i = j;
  }
  return out;
}

/**
 * Query downsampling to about `maxPoints`: the range is cut into maxPoints/2 equal time buckets and each keeps its
 * min and max sample (in time order); the first and last points of the range are always kept so the chart starts
 * and ends on real values. Returns the input when it is already small enough.
 */
export function downsampleMinMax(points: HistoryPoint[], maxPoints: number, from?: number, to?: number): HistoryPoint[] {
  const n = points.length;
  const cap = Math.max(2, Math.floor(maxPoints));
  if (n <= cap) return points;
  // Infinite bounds ("everything") fall back to the data's own span.
  const start = from !== undefined && Number.isFinite(from) ? Math.max(from, points[0]!.t) : points[0]!.t;
  const last = to !== undefined && Number.isFinite(to) ? Math.min(to, points[n - 1]!.t) : points[n - 1]!.t;
  const end = Math.max(start + 1, last + 1);
  const buckets = Math.max(1, Math.floor((cap - 2) / 2));
  const width = (end - start) / buckets;
  const out: HistoryPoint[] = [points[0]!];
  let i = 1;
  const lastIdx = n - 1;
  while (i < lastIdx) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((points[i]!.t - start) / width)));
    let minI = -1;
    let maxI = -1;
    const firstI = i;
    let minV = Infinity;
    let maxV = -Infinity;
    while (i < lastIdx && Math.min(buckets - 1, Math.max(0, Math.floor((points[i]!.t - start) / width))) === b) {
      const v = primaryValue(points[i]!);
      if (v !== undefined) {
        if (v < minV) {
          minV = v;
          minI = i;
        }
        if (v > maxV) {
          maxV = v;
          maxI = i;
        }
      }
      i++;
    }
    if (minI < 0) {
      out.push(points[firstI]!);
    } else if (minI === maxI) {
      out.push(points[minI]!);
    } else {
      out.push(points[Math.min(minI, maxI)]!, points[Math.max(minI, maxI)]!);
    }
  }
  out.push(points[lastIdx]!);
  return out;
}
