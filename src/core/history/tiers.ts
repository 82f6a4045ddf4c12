// The files of one account's history and how they read as series. Three tiers (see store.ts for the layout):
// raw days, 15-minute months and the daily file; a period present in a coarser tier shadows the finer copy.
// Shared by the store (reading), compaction (folding) and migration (writing raw days).

import type { HistoryPoint, ExportRow } from './types';
import type { DecodedLine, DecodedPoint, ParsedFile } from './format';
import { foldSeries } from './downsample';

export const DAY_MS = 86_400_000;
export const Q15_MS = 15 * 60_000;
export const VERSION_DIR = 'v2';
export const FILE_RE = /^(?:raw-(\d{8})|q15-(\d{6})|day)\.log$/;

export type Resolution = 0 | 1 | 2; // raw, 15m, 1d
export const RES_NAME: ExportRow['resolution'][] = ['raw', '15m', '1d'];

export interface Series {
  points: HistoryPoint[];
  res: Resolution[];
}

export interface FileEntry {
  sig: string;
  parsed: ParsedFile;
}

export interface AccountCache {
  sig: string;
  files: Map<string, FileEntry>;
  series: Map<string, Series>;
}

export interface Coverage {
  /** Raw days folded into the 15-minute tier. */
  days: Set<string>;
  /** Months folded into the daily tier. */
  months: Set<string>;
}

export function coverage(files: Map<string, FileEntry>): Coverage {
  const c: Coverage = { days: new Set(), months: new Set() };
  for (const [name, f] of files) {
    const isDay = name === 'day.log';
    const isQ15 = name.startsWith('q15-');
    if (!isDay && !isQ15) continue;
    for (const l of f.parsed.lines) if (l.kind === 'B') (isDay ? c.months : c.days).add(l.period);
  }
  return c;
}

/** Builds every series of an account; a period present in a coarser tier shadows the finer tier's copy. */
export function merge(files: Map<string, FileEntry>): Map<string, Series> {
  const cover = coverage(files);
  const series = new Map<string, Series>();
  const add = (d: DecodedPoint, res: Resolution): void => {
    let s = series.get(d.meterId);
    if (!s) series.set(d.meterId, (s = { points: [], res: [] }));
    s.points.push(d.point);
    s.res.push(res);
  };
  const seenMonths = new Set<string>();
  const seenDays = new Set<string>();
  for (const [name, f] of files) {
    const m = FILE_RE.exec(name);
    if (!m) continue;
    if (m[1]) {
      if (cover.days.has(m[1]) || cover.months.has(m[1].slice(0, 6))) continue;
      for (const l of f.parsed.lines) if (l.kind === 'P') add(l.point, 0);
    } else if (m[2]) {
      if (cover.months.has(m[2])) continue;
      for (const l of f.parsed.lines) {
        // A block appended twice (a crash between append and delete, then a retry) counts once.
        if (l.kind !== 'B' || seenDays.has(l.period) || cover.months.has(l.period.slice(0, 6))) continue;
        seenDays.add(l.period);
        for (const d of l.points) add(d, 1);
      }
    } else {
      for (const l of f.parsed.lines) {
        if (l.kind !== 'B' || seenMonths.has(l.period)) continue;
        seenMonths.add(l.period);
        for (const d of l.points) add(d, 2);
      }
    }
  }
  for (const s of series.values()) sortSeries(s);
  return series;
}

/** Stable sort by t, skipped when already in order (the common case). */
export function sortSeries(s: Series): void {
  let sorted = true;
  for (let i = 1; i < s.points.length; i++) {
    if (s.points[i]!.t < s.points[i - 1]!.t) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const idx = s.points.map((_, i) => i).sort((a, b) => s.points[a]!.t - s.points[b]!.t || a - b);
  s.points = idx.map((i) => s.points[i]!);
  s.res = idx.map((i) => s.res[i]!);
}

export function foldFile(lines: DecodedLine[], bucketMs: number): DecodedPoint[] {
  const pts: DecodedPoint[] = [];
  for (const l of lines) if (l.kind === 'P') pts.push(l.point);
  return foldPoints(pts, bucketMs);
}

export function foldPoints(pts: DecodedPoint[], bucketMs: number): DecodedPoint[] {
  const byMeter = new Map<string, HistoryPoint[]>();
  for (const d of pts) {
    let arr = byMeter.get(d.meterId);
    if (!arr) byMeter.set(d.meterId, (arr = []));
    arr.push(d.point);
  }
  const out: DecodedPoint[] = [];
  for (const [meterId, arr] of byMeter) {
    const s: Series = { points: arr, res: arr.map(() => 0 as Resolution) };
    sortSeries(s);
    for (const p of foldSeries(s.points, bucketMs)) out.push({ meterId, point: p });
  }
  return out;
}
