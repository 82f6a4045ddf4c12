// Joins the history store and the pace engine: the pace of every meter (for tooltips, gauges and predictive alerts)
// and the chart series the dashboard asks for. Pure core: no vscode.
import { Emitter, type Disposable } from './events';
import { computePace, windowHint, type PacePoint } from './forecast/pace';
import type { PaceSummary } from './forecast/types';
import { formatAmount, formatPercent } from './format';
import type { HistoryPoint } from './history/types';
import type { Log } from './insightsTypes';
import type { Meter, Snapshot } from './model';
import type { ChartSeries, HistoryRange } from '../shared/protocol';

export interface HistoryReader {
  query(accountId: string, meterId: string, from: number, to: number, maxPoints: number): Promise<HistoryPoint[]>;
}

export const RANGE_MS: Record<HistoryRange, number> = {
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
  '1y': 365 * 86_400_000,
};

/** How far back the pace engine looks: a whole monthly window, else a week. */
const PACE_LOOKBACK_MS = 32 * 86_400_000;
const PACE_POINTS = 600;

/** The value a chart draws for a meter: `used` when the meter has amounts, else the percentage, else `remaining`. */
export function chartValue(m: Pick<Meter, 'kind'>, p: HistoryPoint): number | undefined {
  if (m.kind === 'balance') return p.remaining ?? p.used;
  return p.used ?? p.percentUsed ?? p.remaining;
}

function chartBasis(m: Meter, points: readonly HistoryPoint[]): 'amount' | 'percent' | 'remaining' {
  if (m.kind === 'balance') return 'remaining';
  return points.some((p) => p.used !== undefined) ? 'amount' : points.some((p) => p.percentUsed !== undefined) ? 'percent' : 'remaining';
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
    private readonly log: Log,
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

  /** The chart series of one meter over a range, downsampled by the store to about `width` points. */
  async series(accountId: string, meter: Meter, range: HistoryRange, width: number): Promise<ChartSeries | null> {
    const now = this.now();
    const from = now - RANGE_MS[range];
    const stored = await this.history.query(accountId, meter.id, from, now, Math.max(10, Math.min(width, 4000)));
    const basis = chartBasis(meter, stored);
    const points: Array<[number, number]> = [];
    const resets = new Set<number>();
    for (const p of stored) {
      const v = basis === 'percent' ? p.percentUsed : chartValue(meter, p);
      if (v !== undefined && Number.isFinite(v)) points.push([p.t, v]);
      if (p.resetsAt !== undefined && p.resetsAt >= from && p.resetsAt <= now) resets.add(p.resetsAt);
    }
    if (points.length === 0) return null;
    const pace = this.paces.get(accountId)?.[meter.id];
    const limit = basis === 'percent' ? 100 : basis === 'amount' ? meter.limit : undefined;
    const series: ChartSeries = {
      accountId,
      meterId: meter.id,
      label: meter.label,
      unit: basis === 'percent' ? '%' : meter.unit,
      range,
      points,
      resets: [...resets].sort((a, b) => a - b),
      summary: '',
    };
    if (limit !== undefined) series.limit = limit;
    if (pace) series.pace = pace;
    const last = points[points.length - 1]!;
    if (pace && pace.status === 'ok' && pace.resetsAt !== undefined && pace.resetsAt > last[0]) {
      const end = pace.runsOutBeforeReset && pace.runOutAt !== undefined ? pace.runOutAt : pace.resetsAt;
      const projected =
        basis === 'percent'
          ? pace.projectedPercentAtReset
          : pace.runsOutBeforeReset && end !== pace.resetsAt
            ? limit
            : pace.projectedAtReset;
      if (projected !== undefined && Number.isFinite(projected)) series.forecast = [last, [end, projected]];
    }
    series.summary = describeSeries(series, meter);
    return series;
  }

  dispose(): void {
    this.disposed = true;
    this.changed.dispose();
  }
}

/** The chart's text alternative: range, points, low/high/latest, limit, resets, pace. */
export function describeSeries(s: ChartSeries, meter: Pick<Meter, 'unit'>): string {
  const values = s.points.map((p) => p[1]);
  const fmt = (v: number) => (s.unit === '%' ? formatPercent(v) : formatAmount(v, meter.unit));
  const parts = [
    `${s.label}, last ${s.range}: ${s.points.length} point${s.points.length === 1 ? '' : 's'}`,
    `latest ${fmt(values[values.length - 1]!)}`,
    `low ${fmt(Math.min(...values))}`,
    `high ${fmt(Math.max(...values))}`,
  ];
  if (s.limit !== undefined) parts.push(`limit ${fmt(s.limit)}`);
  if (s.resets.length) parts.push(`${s.resets.length} reset${s.resets.length === 1 ? '' : 's'} in range`);
  let text = `${parts.join(', ')}.`;
  if (s.pace?.text) text += ` ${s.pace.text}.`;
  return text;
}
