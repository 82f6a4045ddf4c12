// Downsampling of a time series to about the pixels a chart has. Pure (no DOM), so the host's history code and the
// benchmark can use the same function the webview uses as its guard.
//
// Min–max per bucket rather than averaging or LTTB: usage meters are sawtooth-shaped (they climb through a window and
// drop at the reset), and a reset is a single-sample drop that averaging would blur and LTTB may skip. Keeping each
// bucket's lowest and highest sample (in time order) preserves every peak and every reset at ≤ 2 points per bucket.

/** [time, value], possibly with more numbers after them (a chart point's limit), which travel with the point. */
export type Point = [number, number, ...number[]];

/**
 * Returns at most `maxPoints` points (≥ 2) of `points` (ascending by time). The input is returned as is when it is
 * already small enough; the first and last points are always kept so the line spans the same time range.
 */
export function minMaxPerPixel<P extends Point>(points: readonly P[], maxPoints: number): P[] {
  const n = points.length;
  const max = Math.max(2, Math.floor(maxPoints));
  if (n <= max) return points as P[];
  const first = points[0]!;
  const last = points[n - 1]!;
  // Two points per bucket for the inner points, plus the two fixed ends.
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const t0 = first[0];
  const span = last[0] - t0 || 1;
  const out: P[] = [first];
  let i = 1;
  for (let b = 0; b < buckets && i < n - 1; b++) {
    // Buckets are equal slices of time (not of index): gaps in polling stay gaps instead of being stretched.
    const end = b === buckets - 1 ? last[0] : t0 + (span * (b + 1)) / buckets;
    let lo: P | undefined;
    let hi: P | undefined;
    for (; i < n - 1 && points[i]![0] <= end; i++) {
      const p = points[i]!;
      if (!lo || p[1] < lo[1]) lo = p;
      if (!hi || p[1] > hi[1]) hi = p;
    }
    if (!lo || !hi) continue;
    if (lo === hi) out.push(lo);
    else if (lo[0] < hi[0]) out.push(lo, hi);
    else out.push(hi, lo);
  }
  out.push(last);
  return out;
}
