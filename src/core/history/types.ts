// Shapes of the usage-history store (see store.ts for the format and why it was chosen).
import type { MeterSource } from '../../shared/model';

/** One stored sample of one meter. Unknown values stay absent (never 0), as in the Meter it came from. */
export interface HistoryPoint {
  /** Epoch ms of the poll that produced the sample (the snapshot's takenAt, clamped to be non-decreasing). */
  t: number;
  used?: number;
  limit?: number;
  remaining?: number;
  percentUsed?: number;
  resetsAt?: number;
  source?: MeterSource;
  /** Epoch ms when the provider captured the number (Meter.capturedAt); absent when equal to `t`. */
  capturedAt?: number;
}

export interface SeriesInfo {
  accountId: string;
  meterId: string;
  /** Oldest and newest stored point, epoch ms. */
  from: number;
  to: number;
  /** Stored points (all tiers). */
  points: number;
}

export interface ExportRow {
  accountId: string;
  meterId: string;
  t: number;
  used?: number;
  limit?: number;
  remaining?: number;
  percentUsed?: number;
  resetsAt?: number;
  source?: MeterSource;
  /** Epoch ms the provider captured the value (equals t when the store had no separate capture time). */
  capturedAt: number;
  /** Which tier the row comes from: raw samples or a downsampled survivor (15-minute or daily bucket). */
  resolution: 'raw' | '15m' | '1d';
}

/**
 * How long each resolution is kept. Raw samples are kept `rawDays`, then folded into 15-minute buckets (kept
 * `fifteenMinuteDays`, rounded up to whole UTC months), then into daily buckets kept `dailyDays` (0 = forever).
 */
export interface RetentionOptions {
  rawDays: number;
  fifteenMinuteDays: number;
  dailyDays: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionOptions> = { rawDays: 7, fifteenMinuteDays: 90, dailyDays: 0 };

/** Bounds of each tier in days (package.json's schema for `tokstat.history.retention` states the same). */
export const RETENTION_LIMITS = {
  rawDays: { min: 1, max: 366 },
  fifteenMinuteDays: { min: 1, max: 3660 },
  dailyDays: { min: 0, max: 36600 },
} as const;

/**
 * Validates the `tokstat.history.retention` setting (an object with the fields of RetentionOptions): fields that are
 * missing or not numbers fall back to the defaults, numbers out of range are clamped to RETENTION_LIMITS, and the
 * tiers are kept ordered (raw ≤ 15-minute ≤ daily).
 */
export function retentionFromSetting(value: unknown): RetentionOptions {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  // A number out of range is brought into it (asking for more history than the maximum gives the maximum, not the
  // default); anything that is not a number falls back to the default.
  const num = (x: unknown, limits: { min: number; max: number }, dflt: number): number =>
    typeof x === 'number' && Number.isFinite(x) ? Math.min(limits.max, Math.max(limits.min, Math.floor(x))) : dflt;
  const rawDays = num(v.rawDays, RETENTION_LIMITS.rawDays, DEFAULT_RETENTION.rawDays);
  const fifteenMinuteDays = Math.max(rawDays, num(v.fifteenMinuteDays, RETENTION_LIMITS.fifteenMinuteDays, DEFAULT_RETENTION.fifteenMinuteDays));
  let dailyDays = num(v.dailyDays, RETENTION_LIMITS.dailyDays, DEFAULT_RETENTION.dailyDays);
  if (dailyDays !== 0) dailyDays = Math.max(dailyDays, fifteenMinuteDays);
  return { rawDays, fifteenMinuteDays, dailyDays };
}

/** Reported once per store when a damaged file was repaired (the host turns it into one notification). */
export interface CorruptionReport {
  /** File that was repaired (no secrets: account ids and dates only). */
  file: string;
  /** Copy of the damaged original, kept for inspection. */
  backup: string;
  goodLines: number;
  badLines: number;
}
