// What uPlot does not draw itself, on top of the series: the limit as a step line and the reset boundaries.
import type uPlot from 'uplot';
import type { Chart, Theme } from './model';

/** Limit line (a step line: each reading's own limit) and reset boundaries, on top of the series. */
export function drawMarkers(chart: Chart, u: uPlot, theme: Theme): void {
  const d = chart.drawn;
  if (!d) return;
  const { ctx, bbox } = u;
  const px = devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  if (d.resetMarkers.length > 0) {
    ctx.strokeStyle = theme.reset;
    ctx.lineWidth = px;
    ctx.setLineDash([2 * px, 3 * px]);
    ctx.beginPath();
    for (const t of d.resetMarkers) {
      const x = Math.round(u.valToPos(t, 'x', true)) + 0.5;
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
    }
    ctx.stroke();
  }
  if (d.maxLimit !== undefined) {
    ctx.strokeStyle = theme.limit;
    ctx.lineWidth = Math.max(1, Math.round(1.5 * px));
    ctx.setLineDash([]);
    ctx.beginPath();
    const right = bbox.left + bbox.width;
    let row: number | undefined;
    let prevY: number | undefined;
    for (let i = 0; i < d.xs.length; i++) {
      const limit = d.limits[i];
      if (limit === null || limit === undefined) {
        prevY = undefined;
        continue;
      }
      const y = Math.round(u.valToPos(limit, 'y', true));
      const x0 = u.valToPos(d.xs[i]!, 'x', true);
      // Up to the next entry, but not into a gap (unknown there); the last limit (the meter's current one) holds up
      // to the axis's end ("now", or the forecast's edge).
      const next = i + 1 < d.xs.length ? (d.limits[i + 1] === null ? d.xs[i]! : d.xs[i + 1]!) : undefined;
      const x1 = next === undefined ? right : u.valToPos(next, 'x', true);
      if (prevY === undefined) ctx.moveTo(x0, y);
      else if (prevY !== y) ctx.lineTo(x0, y); // the step where the limit changed
      ctx.lineTo(x1, y);
      prevY = y;
      row = y;
    }
    ctx.stroke();
    if (row !== undefined) chart.box.dataset.limitRow = String(row); // canvas row of the current limit, for tests
  }
  ctx.restore();
}
