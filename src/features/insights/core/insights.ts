// Joins the history store and the pace engine: the pace of every meter (for tooltips, gauges and predictive alerts)
// and the chart series the dashboard asks for. Pure core: no vscode.
import { Emitter, type Disposable } from '../../../core/events';
import { basisOf, readingValue, windowHint, type Basis, type PacePoint } from '../../../core/forecast/pace';
import { computePace } from '../../../core/forecast/paceSummary';
import type { PaceSummary } from '../../../shared/pace';
import { formatInUnit } from '../../../shared/format';
import { DEFAULT_RETENTION, type HistoryPoint, type RetentionOptions } from '../../../core/history/types';
import type { Logger } from '../../../core/log';
import type { Meter, Snapshot } from '../../../shared/model';
import type { ChartPoint, ChartSeries } from '../../../shared/protocol';
import { RANGE_LABEL, RANGE_MS, type HistoryRange } from '../../../shared/historyRange';
import { l10n } from '../../../shared/l10n';
import { meterLabelText } from '../../../shared/meterLabels';

export interface HistoryReader {
  query(accountId: string, meterId: string, from: number, to: number, maxPoints: number): Promise<HistoryPoint[]>;
}

export interface InsightsOptions {
  /** The store's retention (default DEFAULT_RETENTION): past `fifteenMinuteDays` it keeps about one reading a day. */
  retention?: RetentionOptions;
  /** The store's heartbeat: an unchanged value is still written this often (default 1 h, as HistoryStore). */
  heartbeatMs?: number;
}

/** How far back the pace engine looks: a whole monthly window, else a week. */
const PACE_LOOKBACK_MS = 32 * 86_400_000;
const PACE_POINTS = 600;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The store's finer tier keeps the last reading of each 15 minutes: readings may land that much further apart. */
const Q15_MS = 15 * 60_000;
/** Readings this many times further apart than expected are a gap in polling: the chart breaks its line there. */
const GAP_FACTOR = 3;

type Reading = Pick<HistoryPoint, 'used' | 'limit' | 'remaining' | 'percentUsed'>;

/**
 * What a chart plots: amounts used, the percentage (a meter that only reports a share) or what is left (a balance),
 * chosen as the pace engine chooses, so the forecast is in the same unit. A meter that reads nothing now (an error):
 * the newest stored reading decides.
 */
function chartBasis(m: Meter, points: readonly HistoryPoint[]): Basis | undefined {
  let basis = basisOf(m);
  for (let i = points.length - 1; i >= 0 && !basis; i--) basis = basisOf({ kind: m.kind, ...points[i]! });
  return basis;
}

/** The limit line's value at a reading: 100 for percentages, the reading's own limit for amounts, none for balances. */
function chartLimit(basis: Basis, p: Reading): number | undefined {
  return basis === 'percent' ? 100 : basis === 'units' ? fin(p.limit) : undefined;
}

function chartPoint(t: number, value: number, limit: number | undefined): ChartPoint {
  return limit === undefined ? [t, value] : [t, value, limit];
}

export class Insights implements Disposable {
  private readonly paces = new Map<string, Record<string, PaceSummary>>();
  private readonly changed = new Emitter<string>();
  /** Fires with an account id when its paces were recomputed. */
  readonly onDidChange = this.changed.event;
  private disposed = false;

  constructor(
    private readonly history: HistoryReader,
    private readonly providerOf: (accountId: string) => string | undefined,
    private readonly now: () => number,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly opts: InsightsOptions = {},
  ) {}

  pacesFor(accountId: string): Record<string, PaceSummary> | undefined {
    return this.paces.get(accountId);
  }

  /** Recomputes every meter's pace of a snapshot from its history (after the snapshot was recorded). */
  async update(accountId: string, snapshot: Snapshot | undefined): Promise<Record<string, PaceSummary> | undefined> {
    if (!snapshot || snapshot.meters.length === 0) {
      this.paces.delete(accountId);
      if (!this.disposed) this.changed.fire(accountId);
      return undefined;
    }
    const now = this.now();
    const out: Record<string, PaceSummary> = {};
    const providerId = this.providerOf(accountId) ?? '';
    for (const m of snapshot.meters) {
      try {
        const points = await this.history.query(accountId, m.id, now - PACE_LOOKBACK_MS, now, PACE_POINTS);
        out[m.id] = computePace(points as PacePoint[], m, now, windowHint(providerId, m));
      } catch (err) {
        this.log.warn(`[insights] pace for ${m.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (this.disposed) return out;
    this.paces.set(accountId, out);
    this.changed.fire(accountId);
    return out;
  }

  forget(accountId: string): void {
    this.paces.delete(accountId);
  }

  /**
   * The chart series of one meter over a range, downsampled by the store to about `width` points: the readings in
   * one unit, each with its limit, ending at the meter's current reading; resets, gaps in polling, and the forecast.
   */
  async series(accountId: string, meter: Meter, range: HistoryRange, width: number): Promise<ChartSeries | null> {
    const now = this.now();
    const from = now - RANGE_MS[range];
    const maxPoints = Math.max(10, Math.min(width, 4000));
    const stored = await this.history.query(accountId, meter.id, from, now, maxPoints);
    const basis = chartBasis(meter, stored);
    if (!basis) return null;
    const points: ChartPoint[] = [];
    const resets = new Set<number>();
    for (const p of stored) {
      if (p.resetsAt !== undefined && p.resetsAt >= from && p.resetsAt <= now) resets.add(p.resetsAt);
      const v = readingValue(p, basis);
      if (v !== undefined) points.push(chartPoint(p.t, v, chartLimit(basis, p)));
    }
    // The store writes an unchanged value only once an hour: the line ends at the meter's current reading when that is
    // newer than the last stored one (a stored reading of the same poll has the meter's capture time).
    const lastStored = stored[stored.length - 1];
    const current = readingValue(meter, basis);
    const currentReading =
      current !== undefined &&
      meter.capturedAt >= from &&
      meter.capturedAt <= now &&
      (!lastStored || (meter.capturedAt > lastStored.t && meter.capturedAt > (lastStored.capturedAt ?? lastStored.t)));
    if (currentReading) points.push(chartPoint(meter.capturedAt, current, chartLimit(basis, meter)));
    if (points.length === 0) return null;

    const last = points[points.length - 1]!;
    // Buckets of the store's query downsampling (downsampleMinMax): neighbours may be up to two buckets apart.
    const bucketMs = stored.length > 1 ? (stored[stored.length - 1]!.t - stored[0]!.t) / Math.max(1, Math.floor((maxPoints - 2) / 2)) : 0;
    const retention = this.opts.retention ?? DEFAULT_RETENTION;
    const series: ChartSeries = {
      accountId,
      meterId: meter.id,
      label: meter.label,
      unit: basis === 'percent' ? '%' : meter.unit,
      range,
      from,
      to: now,
      points,
      resets: [...resets].sort((a, b) => a - b),
      gaps: pollingGaps(points, {
        dailyBefore: now - retention.fifteenMinuteDays * DAY,
        heartbeatMs: this.opts.heartbeatMs ?? HOUR,
        bucketMs,
      }),
      summary: '',
    };
    if (currentReading) series.currentReading = true;
    if (last[2] !== undefined) series.limit = last[2];
    const pace = this.paces.get(accountId)?.[meter.id];
    if (pace) {
      series.pace = pace;
      const forecast = forecastOf(basis, pace, last, basis === 'percent' ? 100 : meter.limit);
      if (forecast) {
        series.forecast = forecast.points;
        series.forecastEnd = forecast.end;
      }
    }
    series.summary = describeSeries(series);
    return series;
  }

  dispose(): void {
    this.disposed = true;
    this.changed.dispose();
  }
}

/**
 * Stretches between neighbouring readings far longer than readings are apart while polling runs. Expected: one
 * reading per heartbeat at least (the store writes an unchanged value hourly; its 15-minute tier keeps the last reading
 * of each bucket), or per poll when polling is slower (the typical spacing of the recent readings); one a day in the
 * daily tier; and the store's query downsampling may put neighbours up to two of its buckets apart.
 */
function pollingGaps(points: readonly ChartPoint[], o: { dailyBefore: number; heartbeatMs: number; bucketMs: number }): Array<[number, number]> {
  const recent: number[] = [];
  for (let i = 1; i < points.length; i++) if (points[i - 1]![0] >= o.dailyBefore) recent.push(points[i]![0] - points[i - 1]![0]);
  recent.sort((a, b) => a - b);
  const typical = recent.length > 0 ? recent[Math.floor(recent.length / 2)]! : 0;
  const gaps: Array<[number, number]> = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]![0];
    const b = points[i]![0];
    const expected = a < o.dailyBefore ? DAY : Math.max(o.heartbeatMs + Q15_MS, typical);
    if (b - a > Math.max(GAP_FACTOR * expected, 2 * o.bucketMs)) gaps.push([a, b]);
  }
  return gaps;
}

/**
 * The pace engine's forecast as a line from the chart's last point, in the chart's unit, to its end: the projected
 * value at the reset, or the limit (a balance: zero) when it is reached first; for a meter without a limit, its burn
 * rate to the reset (what its pace text says). Nothing when the pace reads another unit or has no forecast.
 */
function forecastOf(basis: Basis, pace: PaceSummary, last: ChartPoint, limit: number | undefined): { points: Array<[number, number]>; end: 'reset' | 'run-out' } | undefined {
  if (pace.basis !== undefined && pace.basis !== basis) return undefined;
  const [t0, v0] = last;
  const resetsAt = pace.resetsAt !== undefined && pace.resetsAt > t0 ? pace.resetsAt : undefined;
  // An over-limit meter's runOutAt is when it crossed the limit: in the past, no forecast.
  const runOutAt = pace.runOutAt !== undefined && pace.runOutAt > t0 ? pace.runOutAt : undefined;
  const to = (t: number, v: number | undefined, end: 'reset' | 'run-out') =>
    v !== undefined && Number.isFinite(v) ? { points: [[t0, v0], [t, v]] as Array<[number, number]>, end } : undefined;
  const burnTo = (t: number, sign: 1 | -1) => (pace.burnPerHour !== undefined ? v0 + (sign * pace.burnPerHour * (t - t0)) / HOUR : undefined);
  if (pace.status === 'no-limit') return resetsAt !== undefined ? to(resetsAt, burnTo(resetsAt, 1), 'reset') : undefined;
  if (pace.status !== 'ok') return undefined;
  if (basis === 'balance') {
    if (runOutAt !== undefined && (resetsAt === undefined || runOutAt <= resetsAt)) return to(runOutAt, 0, 'run-out');
    return resetsAt !== undefined ? to(resetsAt, burnTo(resetsAt, -1), 'reset') : undefined;
  }
  if (runOutAt !== undefined && (pace.runsOutBeforeReset || resetsAt === undefined)) return to(runOutAt, limit, 'run-out');
  if (resetsAt === undefined) return undefined;
  return to(resetsAt, basis === 'percent' ? pace.projectedPercentAtReset : pace.projectedAtReset, 'reset');
}

/** The chart's text alternative: range, points, low/high/latest, limit, resets, gaps, pace. */
export function describeSeries(s: ChartSeries): string {
  const values = s.points.map((p) => p[1]);
  const fmt = (v: number) => formatInUnit(v, s.unit);
  const n = s.points.length;
  const latest = fmt(values[values.length - 1]!);
  const parts = [
    n === 1 ? l10n.t('{0}, {1}: 1 point', meterLabelText(s.label), RANGE_LABEL[s.range]) : l10n.t('{0}, {1}: {2} points', meterLabelText(s.label), RANGE_LABEL[s.range], n),
    s.currentReading ? l10n.t('latest {0} (now)', latest) : l10n.t('latest {0}', latest),
    l10n.t('low {0}', fmt(Math.min(...values))),
    l10n.t('high {0}', fmt(Math.max(...values))),
  ];
  const firstLimit = s.points.find((p) => p[2] !== undefined)?.[2];
  if (s.limit !== undefined) parts.push(firstLimit !== undefined && firstLimit !== s.limit ? l10n.t('limit {0} ({1} earlier)', fmt(s.limit), fmt(firstLimit)) : l10n.t('limit {0}', fmt(s.limit)));
  if (s.resets.length) parts.push(s.resets.length === 1 ? l10n.t('1 reset in range') : l10n.t('{0} resets in range', s.resets.length));
  if (s.gaps.length) parts.push(s.gaps.length === 1 ? l10n.t('1 gap with no readings') : l10n.t('{0} gaps with no readings', s.gaps.length));
  let text = l10n.t('{0}.', parts.join(l10n.t(', ')));
  if (s.pace?.text) text += ` ${l10n.t('{0}.', s.pace.text)}`;
  return text;
}

function fin(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}
