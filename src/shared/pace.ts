// Shared shapes of the pace engine's answer (consumed by the tree/status tooltips, notifications and the dashboard).

export type PaceStatus =
  /** A forecast is available. */
  | 'ok'
  /** Too few points or too short a span to say anything honest. */
  | 'insufficient-data'
  /** The window reset moments ago: no burn rate yet. */
  | 'just-reset'
  /**
   * The meter has no limit (spend without budget) or a limit of 0 (no allowance): burn rate, and the projection at the
   * reset when there is one (`projectedAtReset`), no run-out.
   */
  | 'no-limit'
  | 'unlimited';

export interface PaceSummary {
  status: PaceStatus;
  /** Units per hour over the recent window (same unit as the meter). */
  burnPerHour?: number;
  /** Projected `used` at the reset time at the current burn rate (also for a meter without a limit). */
  projectedAtReset?: number;
  projectedPercentAtReset?: number;
  /** Epoch ms when `used` is projected to reach the limit (only when before the reset). */
  runOutAt?: number;
  runsOutBeforeReset?: boolean;
  /** What may still be used per hour / per day to stay within the limit until the reset. */
  budgetPerHour?: number;
  budgetPerDay?: number;
  /** Units ahead of (positive) or behind (negative, a deficit) a linear pace through the window. */
  reserve?: number;
  /** Share of the window elapsed (0–1) and share of the limit used (0–1), for the month-progress marker. */
  elapsedFraction?: number;
  usedFraction?: number;
  windowStart?: number;
  resetsAt?: number;
  /**
   * How to read the numbers: `units` (used/limit in the meter's unit), `percent` (the meter only reports a share:
   * amounts are percentage points), `balance` (remaining money or credits going down: burn is spend per hour,
   * `runOutAt` is when the balance is projected to reach zero).
   */
  basis?: 'units' | 'percent' | 'balance';
  /** Already at or over the limit. */
  overLimit?: boolean;
  /**
   * Points and time span (ms) the burn rate rests on: since the last reset or refund (windows under a week), or the
   * history before it too (windows of a week or more, whose rate spans the last 7 days).
   */
  samples?: number;
  spanMs?: number;
  /** One line a person reads, e.g. "At this pace you run out Thu 14:00, 3 days before reset — stay under 40 requests a day". */
  text: string;
  /**
   * The second line, with the numbers behind the first: deficit or reserve against a straight-line pace and the budget
   * per day and per hour ("12 requests over a straight-line pace · budget 9.8 requests a day, 0.41 an hour"), or the
   * spending rate of a balance.
   */
  detail?: string;
}

/**
 * What the pace's sentence says, with the figures only the pace engine knows; `src/shared/paceText.ts` writes it.
 * The engine (core/forecast/pace.ts) computes numbers and this; it writes no words.
 */
export type PaceSay =
  | { kind: 'unlimited' }
  | { kind: 'no-history' }
  | { kind: 'no-allowance' }
  /** The reset time passed; the provider has not shown the new window yet. */
  | { kind: 'reset-waiting' }
  /** Usage went down (or a balance was topped up) moments ago, too little use since. */
  | { kind: 'dropped'; toppedUp: boolean }
  | { kind: 'just-reset' }
  | { kind: 'over-limit'; percentUsed: number }
  /** A balance going down at `perHour` (money or credits in `unit`). */
  | { kind: 'balance'; remaining: number; unit: string; perHour: number; spend: boolean }
  /** No limit: the rate, and where it ends up by the reset (`projected`). */
  | { kind: 'rate'; unit: string; perHour: number; spend: boolean; projected?: number }
  /** A limit without a reset time. */
  | { kind: 'limit-no-reset'; percentUsed: number }
  /** A limit with a reset time: `unit` '%' for a percent meter; `hoursLeft` until the reset. */
  | {
      kind: 'run-out' | 'on-pace-elapsed' | 'on-pace-projected';
      percentUsed: number;
      unit: string;
      limit: number;
      hoursLeft: number;
      windowLen?: number;
      period?: 'month';
    };
