// The API tokstat exports to other extensions (`vscode.extensions.getExtension('tokstat.tokstat').exports`).
// Kept tiny and defensive: every entry point answers, none throws into the caller, and the hot path only validates
// and queues (persistence is batched by ApiUsageLog).
import type { ApiUsageLog } from '../core/usage/ingestStore';
import type { OperationInput, RecordResult } from '../core/usage/ingest';

export type { OperationInput, RecordResult };

export interface TokstatApi {
  /** Bumped on breaking changes. */
  readonly apiVersion: 1;
  /**
   * Reports one model call made by the calling extension, so it shows in tokstat's totals (agent `api`).
   * Synchronous and cheap (< 1 ms); returns `{ ok: false, error }` for invalid input instead of throwing.
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
