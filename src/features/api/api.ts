// The API tokstat exports to other extensions (`vscode.extensions.getExtension('tokstat.tokstat').exports`).
// Kept tiny and defensive: every entry point answers, none throws into the caller, and the hot path only validates
// and queues (persistence is batched by ApiUsageLog).
import type { ApiUsageLog } from '../../core/usage/ingestStore';
import type { OperationInput, RecordResult } from '../../core/usage/ingest';

export type { OperationInput, RecordResult };

export interface TokstatApi {
  /** Bumped on breaking changes. */
  readonly apiVersion: 1;
  /**
   * Reports one model call made by the calling extension, so it shows in tokstat's totals (agent `api`).
   * Synchronous and cheap (< 1 ms); returns `{ ok: false, error }` for invalid input instead of throwing, and for
   * operations beyond tokstat's bounds (INGEST_STORE_LIMITS in src/core/usage/ingestStore.ts): more than 20 per
   * second per caller (bursts of 200) or 100 per second in all, 10 000 / 8 MiB waiting for the disk, 64 MiB per month.
   *
   * "Caller" is the optional `source` field (the caller's extension id): VS Code hands every extension the same
   * exports object and does not say who calls it, so the caller names itself. Calls without a `source` share one
   * anonymous budget; the total budget holds whatever sources are claimed.
   */
  recordOperation(op: OperationInput): RecordResult;
}

export function createApi(usage: Pick<ApiUsageLog, 'record'>): TokstatApi {
  // A closure, not a method: callers may detach it (`const { recordOperation } = api`).
  const recordOperation = (op: OperationInput): RecordResult => {
    try {
      return usage.record(op);
    } catch {
      return { ok: false, error: 'internal error' };
    }
  };
  return Object.freeze({ apiVersion: 1 as const, recordOperation });
}
