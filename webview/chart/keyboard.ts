// The point readout, by pointer and by keyboard: the tooltip follows uPlot's cursor, and a focused chart walks its
// points with the arrows, Home and End (a break in the line is skipped; Escape hides the cursor), announcing the same
// text through its live region.
import { l10n } from '../../src/shared/l10n';
import type uPlot from 'uplot';
import { formatInUnit } from '../../src/shared/format';
import { absoluteTime } from '../formats';
import { endWords, type Chart } from './model';

export function pointText(chart: Chart, idx: number): string | undefined {
  const d = chart.drawn;
  if (!d) return undefined;
  const t = d.xs[idx];
  const measured = d.used[idx];
  const value = measured ?? d.projected[idx];
  if (t === undefined || value === null || value === undefined) return undefined;
  const unit = d.series.unit;
  const time = absoluteTime().format(t);
  if (measured !== null && measured !== undefined) {
    const limit = d.limits[idx];
    const v = limit !== null && limit !== undefined ? l10n.t('{0} of {1}', formatInUnit(value, unit), formatInUnit(limit, unit)) : formatInUnit(value, unit);
    const now = idx === d.lastMeasured && d.series.currentReading;
    return now ? l10n.t('{0}: {1} (now)', time, v) : l10n.t('{0}: {1}', time, v);
  }
  if (idx < d.xs.length - 1) return l10n.t('{0}: {1} (projected)', time, formatInUnit(value, unit));
  // The forecast's last drawn point: its end, or where the axis clips it (then the true end is told too).
  const end = d.clippedEnd;
  return end
    ? l10n.t('{0}: {1} (projected; {2} {3}, {4})', time, formatInUnit(value, unit), formatInUnit(end[1], unit), endWords(d.series), absoluteTime().format(end[0]))
    : l10n.t('{0}: {1} (projected, {2})', time, formatInUnit(value, unit), endWords(d.series));
}

export function updateTip(chart: Chart, u: uPlot): void {
  const tip = chart.tip;
  if (!tip) return;
  const { idx, left, top } = u.cursor;
  const text = idx === null || idx === undefined || left === undefined || left < 0 ? undefined : pointText(chart, idx);
  if (!text) {
    tip.hidden = true;
    return;
  }
  tip.textContent = text;
  tip.hidden = false;
  // Flip to the other side of the cursor past the middle, so the tip stays inside the plot.
  const w = u.over.clientWidth;
  const x = left! > w / 2 ? left! - tip.offsetWidth - 8 : left! + 8;
  const y = Math.max(0, Math.min((top ?? 0) - 24, u.over.clientHeight - tip.offsetHeight));
  tip.style.transform = `translate(${Math.round(Math.max(0, x))}px, ${Math.round(y)}px)`;
}

export function onKey(chart: Chart, ev: KeyboardEvent): void {
  const u = chart.plot;
  const d = chart.drawn;
  if (!u || !d || d.xs.length === 0) return;
  const last = d.xs.length - 1;
  const cur = u.cursor.idx ?? -1;
  const hasValue = (i: number) => d.used[i] != null || d.projected[i] != null;
  let idx: number;
  switch (ev.key) {
    case 'ArrowRight':
      idx = cur < 0 ? last : Math.min(last, cur + 1);
      while (idx < last && !hasValue(idx)) idx++; // skip a break in the line
      break;
    case 'ArrowLeft':
      idx = cur < 0 ? last : Math.max(0, cur - 1);
      while (idx > 0 && !hasValue(idx)) idx--;
      break;
    case 'Home':
      idx = 0;
      break;
    case 'End':
      idx = last;
      break;
    case 'Escape':
      u.setCursor({ left: -10, top: -10 });
      return;
    default:
      return;
  }
  ev.preventDefault();
  const value = d.used[idx] ?? d.projected[idx] ?? 0;
  u.setCursor({ left: u.valToPos(d.xs[idx]!, 'x'), top: u.valToPos(value, 'y') });
  chart.live.textContent = pointText(chart, idx) ?? '';
}
