// What a series looks like on a chart of a given width (`layout`): the x axis from the range's start to the host's
// "now", plus room for the forecast (at most a third of the range, the forecast cut there); the line broken at resets
// and gaps in polling; readings with no neighbour on the line as dots; the limit as a step line (each reading's own
// limit). Pure: no DOM, no uPlot.
import type { ChartSeries } from '../../src/shared/protocol';
import { minMaxPerPixel } from '../downsample';
import { Y_AXIS_PX, type Drawn } from './model';

/** Past "now" the axis makes room for the forecast, up to this share of the range; the forecast is clipped there. */
const FORECAST_SHARE = 1 / 3;
/**
 * Resets closer than this (px, on average) are not drawn one by one: a break and a marker per reset would leave
 * isolated points and grey stripes (a daily meter over a year). The sawtooth is drawn unbroken instead.
 */
const RESET_MIN_PX = 6;
/** A stretch of line shorter than this (px) would not be seen: its readings are drawn as dots. */
const MIN_RUN_PX = 3;

/**
 * What a series looks like on a chart `width` px wide: the x extents, the measured line with its breaks, the forecast
 * clipped at the axis, the limit at every entry, and the points and reset markers to draw.
 */
export function layout(series: ChartSeries, width: number): Drawn {
  // The host downsamples to the width it was given; this guard keeps a misbehaving or stale-width answer cheap.
  const maxPoints = Math.max(10, Math.round(width));
  const points = minMaxPerPixel(series.points, maxPoints);
  const n = points.length;
  const last = points[n - 1]!;
  // The axis: the range's start to "now" (the host's), and past it room for the forecast, at most a share of the
  // range: a forecast to a reset weeks away would otherwise squeeze a day's history into a few pixels.
  const xMin = Math.min(series.from, points[0]![0]);
  const now = Math.max(series.to, last[0]);
  const ahead = series.forecast ? minMaxPerPixel(series.forecast.filter((p) => p[0] > last[0]), maxPoints) : [];
  const end = ahead[ahead.length - 1];
  const xMax = Math.max(now + (end ? Math.max(0, Math.min(end[0] - now, (series.to - series.from) * FORECAST_SHARE)) : 0), xMin + 1);
  const forecast: Array<[number, number]> = [];
  let clippedEnd: [number, number] | undefined;
  let prev: readonly [number, number, ...number[]] = last;
  for (const p of ahead) {
    if (p[0] <= xMax) {
      forecast.push(p);
      prev = p;
      continue;
    }
    // Cut where the axis ends (on the line between the neighbours); the true end is kept for the texts.
    if (xMax > prev[0]) forecast.push([xMax, prev[1] + ((p[1] - prev[1]) * (xMax - prev[0])) / (p[0] - prev[0])]);
    clippedEnd = end;
    break;
  }

  // Resets a few pixels apart or closer are not drawn one by one (see RESET_MIN_PX).
  const resets = series.resets.filter((t) => t > xMin && t <= now);
  const plotPx = Math.max(1, width - Y_AXIS_PX);
  const dense = resets.length * RESET_MIN_PX > (plotPx * (now - xMin)) / (xMax - xMin);
  const resetMarkers = dense ? [] : resets;
  // The line breaks at a reset (a line falling from 95 % to 2 % would draw usage that never happened) and in a gap in
  // polling (a line across it would invent the usage of a time nothing was read). Breaks are [time, is a gap].
  const breaks: Array<[number, boolean]> = resetMarkers.map((t) => [t, false]);
  for (const [a, b] of series.gaps) breaks.push([(a + b) / 2, true]);
  breaks.sort((a, b) => a[0] - b[0]);

  const xs: number[] = [];
  const used: Array<number | null> = [];
  const projected: Array<number | null> = [];
  const limits: Array<number | null> = [];
  let maxLimit: number | undefined;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    if (i > 0) {
      const prevT = points[i - 1]![0];
      while (r < breaks.length && breaks[r]![0] <= prevT) r++;
      if (r < breaks.length && breaks[r]![0] <= p[0]) {
        let gap = false;
        const at = breaks[r]![0];
        for (; r < breaks.length && breaks[r]![0] <= p[0]; r++) gap ||= breaks[r]![1];
        xs.push(at);
        used.push(null);
        projected.push(null);
        // A reset does not change the limit; nothing is known through a gap.
        limits.push(gap ? null : (limits[limits.length - 1] ?? null));
      }
    }
    xs.push(p[0]);
    used.push(p[1]);
    projected.push(null);
    const limit = p[2] ?? null;
    limits.push(limit);
    if (limit !== null && (maxLimit === undefined || limit > maxLimit)) maxLimit = limit;
  }
  const lastMeasured = xs.length - 1;
  if (forecast.length > 0) projected[lastMeasured] = last[1];
  for (const p of forecast) {
    xs.push(p[0]);
    used.push(null);
    projected.push(p[1]);
    // The forecast assumes the current limit stays.
    limits.push(limits[lastMeasured] ?? null);
  }
  // Points drawn as dots: a reading with no neighbour on the line, and every reading of a run too short to show as a
  // line (a stored reading and the current one a few seconds apart span less than a pixel of a 30-day axis).
  const isolated: number[] = [];
  const msPerPx = (xMax - xMin) / plotPx;
  for (let i = 0; i <= lastMeasured; i++) {
    if (used[i] === null || used[i - 1] != null) continue;
    let j = i;
    while (j < lastMeasured && used[j + 1] != null) j++;
    if (xs[j]! - xs[i]! < MIN_RUN_PX * msPerPx) for (let k = i; k <= j; k++) isolated.push(k);
  }
  return { series, xs, used, projected, limits, maxLimit, lastMeasured, points: n, forecastPoints: forecast.length, clippedEnd, isolated, resetMarkers, xMin, xMax };
}
