// Pure retry arithmetic for the poll scheduler: no timers, no I/O, randomness injected.
//
// Jitter strategy: the scheduler uses EQUAL jitter by default (half the exponential delay is fixed, the other half
// random). Full jitter (`random() * delay`) spreads load best but can draw a delay close to zero, which for a quota
// endpoint that just failed means an immediate second hit; equal jitter keeps at least half of the delay while still
// de-synchronising windows and accounts. Both are available through `BackoffOptions.jitter`.

import type { ErrorKind } from '../../shared/model';

export type JitterMode = 'full' | 'equal' | 'none';

export interface BackoffOptions {
  /** Delay before the first retry, before jitter (ms). */
  baseMs: number;
  /** Growth per consecutive failure (>= 1). */
  factor: number;
  /** Upper bound of the un-jittered delay (ms). The jittered delay never exceeds it either. */
  maxMs: number;
  /** Default `equal`. */
  jitter?: JitterMode;
}

/** Defaults for transient failures: 1 min, doubling, capped at 30 min (see provider-apis.md §10). */
export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object.freeze({
  baseMs: 60_000,
  factor: 2,
  maxMs: 30 * 60_000,
  jitter: 'equal',
});

/** The un-jittered delay for the n-th consecutive failure (n >= 1): min(max, base * factor^(n-1)). */
export function exponentialDelay(failures: number, opts: BackoffOptions): number {
  const n = Math.max(1, Math.floor(failures));
  const factor = Math.max(1, opts.factor);
  // A huge failure count overflows to Infinity; the cap must still apply rather than NaN leaking out.
  const raw = opts.baseMs * Math.pow(factor, Math.min(n - 1, 1000));
  return Math.max(0, Math.min(opts.maxMs, Number.isFinite(raw) ? raw : opts.maxMs));
}

/**
 * Jittered delay for the n-th consecutive failure.
 * - `full`:  uniform in [0, d)
 * - `equal`: uniform in [d/2, d)
 * - `none`:  d
 * where d = exponentialDelay(failures). `random` must return values in [0, 1) like Math.random.
 */
export function backoffDelay(failures: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const d = exponentialDelay(failures, opts);
  const r = clamp01(random());
  switch (opts.jitter ?? 'equal') {
    case 'full':
      return Math.floor(r * d);
    case 'none':
      return d;
    case 'equal':
    default:
      return Math.floor(d / 2 + r * (d / 2));
  }
}

function clamp01(r: number): number {
  if (!Number.isFinite(r) || r < 0) return 0;
  // Keep strictly below 1 so `full` never returns d itself.
  return r >= 1 ? 1 - Number.EPSILON : r;
}

/** What the scheduler should do after a failed attempt. */
export interface RetryDecision {
  /** `auth-required` for auth/forbidden, otherwise `error` (the scheduler turns it into `stale` when meters exist). */
  severity: 'auth-required' | 'error';
  /** Epoch ms of the next automatic attempt; undefined = no automatic retry (auth). */
  nextDueAt: number | undefined;
  /** Consecutive failures including this one. */
  failures: number;
  /** Epoch ms before which the server asked not to be called (Retry-After), manual refreshes included. */
  retryAt?: number;
  /** No automatic retry until the credentials change or the user refreshes. */
  authBlocked?: boolean;
}

export interface RetryContext {
  now: number;
  /** The account's normal poll interval (ms). Transient retries never come more often than this. */
  intervalMs: number;
  /** Consecutive failures before this one. */
  previousFailures: number;
  backoff?: BackoffOptions;
  random?: () => number;
}

/**
 * Maps an error to the next attempt:
 * - `rate-limited`: not before the server's retryAt (Retry-After, seconds or HTTP-date, already parsed) and not before
 *   the transient backoff either; without retryAt, the transient backoff alone.
 * - `auth` / `forbidden`: `auth-required`, no automatic retry at all (no retry storm against a revoked key).
 * - `server` / `network` / `timeout` / `bad-response` (and an unexpected `cancelled`): jittered backoff capped at
 *   `backoff.maxMs`, but never sooner than the normal interval.
 * - `not-found` / `config`: error, retried at the normal interval: the answer will not change faster than that.
 */
export function decideRetry(err: { kind: ErrorKind; retryAt?: number }, ctx: RetryContext): RetryDecision {
  const failures = Math.max(0, ctx.previousFailures) + 1;
  const interval = Math.max(0, ctx.intervalMs);
  const transient = (): number => {
    const b = backoffDelay(failures, ctx.backoff ?? DEFAULT_BACKOFF, ctx.random ?? Math.random);
    return ctx.now + Math.max(interval, b);
  };
  switch (err.kind) {
    case 'auth':
    case 'forbidden':
      return { severity: 'auth-required', nextDueAt: undefined, failures, authBlocked: true };
    case 'not-found':
    case 'config':
    case 'proxy':
      return { severity: 'error', nextDueAt: ctx.now + interval, failures };
    case 'rate-limited': {
      const next = transient();
      if (err.retryAt !== undefined && Number.isFinite(err.retryAt) && err.retryAt > ctx.now) {
        return { severity: 'error', nextDueAt: Math.max(next, err.retryAt), failures, retryAt: err.retryAt };
      }
      return { severity: 'error', nextDueAt: next, failures };
    }
    case 'server':
    case 'network':
    case 'timeout':
    case 'bad-response':
    case 'cancelled':
    default:
      return { severity: 'error', nextDueAt: transient(), failures };
  }
}
