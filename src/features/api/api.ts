// The API tokstat exports to other extensions (`vscode.extensions.getExtension('tokstat.tokstat').exports`).
// Kept tiny and defensive: every entry point answers, none throws into the caller, and the hot path only validates
// and queues (persistence is batched by ApiUsageLog). The read methods hand out plain JSON built by the same answer
// module as the MCP server and the chat participant (src/core/agentAnswers.ts): copies, never tokstat's own objects,
// and never a credential, an account's e-mail or a file path. No `vscode` import: the unit tier runs it in plain Node
// (the event follows vscode.Event's signature).
import type { ApiUsageLog } from '../../core/usage/ingestStore';
import type { OperationInput, RecordResult } from '../../core/usage/ingest';
import {
  dayRange,
  quotaStatus,
  usageSummary,
  USAGE_GROUPS,
  USAGE_RANGES,
  type AnswerAccount,
  type QuotaAccountDoc,
  type UsageGroupName,
  type UsageRangeName,
  type UsageRangeSpec,
  type UsageSummaryDoc,
} from '../../core/agentAnswers';
import type { UsageRow } from '../../core/usage/types';
import { Emitter, type Disposable } from '../../core/events';

/** vscode.Event's shape: `(listener, thisArgs?, disposables?) => Disposable`. */
export type ApiEvent<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

export type { OperationInput, RecordResult, QuotaAccountDoc as ApiAccountSnapshot, UsageSummaryDoc as ApiUsageSummary, UsageRangeSpec, UsageRangeName, UsageGroupName };

/** The API's version: 2 added getSnapshots, getUsage and onDidChange (recordOperation is unchanged). */
export const API_VERSION = 2;

export interface TokstatApi {
  /** Bumped on breaking changes and when methods are added (1: recordOperation; 2: the read methods). */
  readonly apiVersion: typeof API_VERSION;
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
  /**
   * Every account's latest figures, as the MCP tool `quota_status` returns them: name, provider, status, age and
   * staleness, and per meter used / limit / remaining / percent, reset, source and pace. Plain JSON, a fresh copy on
   * each call; never a credential or an account's e-mail. Never polls a provider.
   */
  getSnapshots(): ApiAccountSnapshot[];
  /**
   * Tokens and API-equivalent cost of the local coding agents over a range (`'today'`, `'7d'`, `'month'`, … or
   * `{ since, until }` local days), by agent, model, project (folder name) or day, as the MCP tool `usage_summary`.
   * `available: false` when local usage tracking is off. Rejects only on a malformed range.
   */
  getUsage(range?: UsageRangeName | UsageRangeSpec, groupBy?: UsageGroupName): Promise<ApiUsageSummary>;
  /** Fires (without data: call getSnapshots/getUsage) when an account's figures or the usage totals change. */
  readonly onDidChange: ApiEvent<void>;
}

type ApiAccountSnapshot = QuotaAccountDoc;
type ApiUsageSummary = UsageSummaryDoc;

/** What the read methods answer from (the extension's live model and usage index). */
export interface ApiSources {
  accounts(): readonly AnswerAccount[];
  /** The usage index's rows; undefined when local usage is off or not loaded yet. */
  usageRows(): readonly UsageRow[] | undefined;
  /** Fires when either changes. */
  onDidChange(listener: () => void): Disposable;
  now(): number;
}

function rangeOf(range: UsageRangeName | UsageRangeSpec | undefined): UsageRangeSpec {
  if (range === undefined) return {};
  if (typeof range === 'string') {
    if (!(USAGE_RANGES as readonly string[]).includes(range)) throw new Error(`unknown range ${JSON.stringify(range).slice(0, 40)} (${USAGE_RANGES.join(', ')})`);
    return { range };
  }
  if (typeof range !== 'object' || range === null) throw new Error('range must be a name or { since, until }');
  const pick = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const named = pick((range as UsageRangeSpec).range);
  return {
    ...(named && (USAGE_RANGES as readonly string[]).includes(named) ? { range: named as UsageRangeName } : {}),
    ...(pick(range.since) ? { since: pick(range.since)! } : {}),
    ...(pick(range.until) ? { until: pick(range.until)! } : {}),
  };
}

const NO_SOURCES: ApiSources = { accounts: () => [], usageRows: () => undefined, onDidChange: () => ({ dispose: () => undefined }), now: () => Date.now() };

/** The API object; its event's cleanup goes into `subscriptions` (the extension's), not onto the exported object. */
export function createApi(usage: Pick<ApiUsageLog, 'record'>, sources: ApiSources = NO_SOURCES, subscriptions?: Disposable[]): TokstatApi {
  // Closures, not methods: callers may detach them (`const { recordOperation } = api`).
  const recordOperation = (op: OperationInput): RecordResult => {
    try {
      return usage.record(op);
    } catch {
      return { ok: false, error: 'internal error' };
    }
  };
  const getSnapshots = (): ApiAccountSnapshot[] => {
    try {
      return quotaStatus(sources.accounts(), sources.now()).accounts;
    } catch {
      return [];
    }
  };
  const getUsage = async (range?: UsageRangeName | UsageRangeSpec, groupBy?: UsageGroupName): Promise<ApiUsageSummary> => {
    const by = groupBy !== undefined && (USAGE_GROUPS as readonly string[]).includes(groupBy) ? groupBy : 'agent';
    return usageSummary(sources.usageRows(), dayRange(rangeOf(range), sources.now()), by);
  };
  const changed = new Emitter<void>();
  const sub = sources.onDidChange(() => changed.fire());
  const onDidChange: ApiEvent<void> = (listener, thisArgs, disposables) => {
    // A listener that throws is the caller's problem, never tokstat's (the emitter reports it asynchronously).
    const d = changed.event(() => void listener.call(thisArgs));
    if (Array.isArray(disposables)) disposables.push(d);
    return d;
  };
  subscriptions?.push({
    dispose: () => {
      sub.dispose();
      changed.dispose();
    },
  });
  return Object.freeze({ apiVersion: API_VERSION, recordOperation, getSnapshots, getUsage, onDidChange });
}
