// What a poll leaves behind: the snapshot for a successful fetch (through the model boundary) and for a failed one
// (the last good meters kept, the error attached). Pure functions of the previous snapshot and the outcome.

import type { ProviderError } from '../errors';
import { acceptMeters, type AcceptedMeters, type Snapshot } from '../../shared/model';
import { cleanDailySpend } from '../../shared/dailySpend';
import type { FetchResult } from '../providers/types';
import { redact } from '../redact';

/**
 * Snapshot for a successful fetch. The provider's meters pass the model boundary (`acceptMeters`): unusable ids are
 * skipped, a meter with an unusable number keeps its reading from `prev`. `onRefused` hears what was left out.
 */
export function successSnapshot(accountId: string, result: FetchResult, now: number, prev?: Snapshot, onRefused?: (r: AcceptedMeters) => void): Snapshot {
  const accepted = acceptMeters(result.meters, prev?.meters);
  if (onRefused && (accepted.skipped.length > 0 || accepted.rejected.length > 0)) onRefused(accepted);
  const s: Snapshot = { accountId, takenAt: now, status: 'ok', meters: accepted.meters, lastSuccessAt: now };
  if (result.plan !== undefined) s.plan = result.plan;
  if (result.identity !== undefined) s.identity = result.identity;
  const days = cleanDailySpend(result.dailySpend);
  if (days.length) s.dailySpend = days;
  const b = result.breakdown;
  // A billing report that failed this time (rate limit, outage) keeps the last good one rather than blanking the charts.
  if (b) s.breakdown = b.state === 'unavailable' && b.reason === 'error' && prev?.breakdown?.state === 'ok' ? prev.breakdown : b;
  return s;
}

/**
 * Snapshot for a failed fetch: the last good meters are kept (status `stale`, or `auth-required` for auth errors)
 * with the error attached and lastSuccessAt unchanged; without previous meters the status is `error`/`auth-required`.
 */
export function failureSnapshot(accountId: string, prev: Snapshot | undefined, err: ProviderError, now: number, severity: 'auth-required' | 'error'): Snapshot {
  const hasMeters = !!prev && prev.meters.length > 0;
  const error = err.toSnapshotError();
  error.message = redact(error.message);
  const s: Snapshot = {
    accountId,
    takenAt: now,
    status: severity === 'auth-required' ? 'auth-required' : hasMeters ? 'stale' : 'error',
    error,
    meters: hasMeters ? prev.meters : [],
  };
  if (prev?.lastSuccessAt !== undefined) s.lastSuccessAt = prev.lastSuccessAt;
  if (prev?.plan !== undefined) s.plan = prev.plan;
  if (prev?.identity !== undefined) s.identity = prev.identity;
  if (prev?.dailySpend !== undefined) s.dailySpend = prev.dailySpend;
  if (prev?.breakdown !== undefined) s.breakdown = prev.breakdown;
  return s;
}
