// opencode's messages (provider-apis.md §8.4): rows of its SQLite database or legacy JSON files, one record each.

import type { UsageEvent } from '../events';
import type { UsageRecord } from '../types';
import { isObj, str, tok, idOf, costOf, parseTs, beginLine, endLine } from './shared';

/** One opencode message (DB row data or legacy JSON file). Priority: DB rows 2, legacy files 1. Implausible: nothing. */
export function opencodeMessage(data: unknown, rowId: string | undefined, rowSession: string | undefined, priority: number, out: UsageEvent[]): boolean {
  beginLine();
  const mark = out.length;
  const r = opencodeRecord(data, rowId, rowSession, priority, out);
  if (!endLine()) return r;
  out.length = mark;
  return false;
}

function opencodeRecord(data: unknown, rowId: string | undefined, rowSession: string | undefined, priority: number, out: UsageEvent[]): boolean {
  if (!isObj(data)) return false;
  if (data.role !== undefined && data.role !== 'assistant') return false;
  const t = data.tokens;
  if (!isObj(t)) return false;
  const id = rowId ?? str(data.id);
  const time = isObj(data.time) ? data.time : {};
  const ts = parseTs(time.created) ?? parseTs(time.completed);
  if (!id || ts === undefined) return false;
  const cache = isObj(t.cache) ? t.cache : {};
  const reasoning = tok(t.reasoning);
  const providerID = str(data.providerID);
  const record: UsageRecord = {
    agent: 'opencode',
    timestamp: ts,
    sessionId: rowSession ?? str(data.sessionID) ?? 'unknown',
    model: idOf(data.modelID) ?? (providerID ? `${providerID}/unknown` : 'unknown'),
    inputTokens: tok(t.input),
    // opencode logs reasoning apart from output; both are billed as output.
    outputTokens: tok(t.output) + reasoning,
    cacheReadTokens: tok(cache.read),
    cacheWrite5mTokens: tok(cache.write),
    cacheWrite1hTokens: 0,
    reasoningTokens: reasoning,
    webSearchRequests: 0,
  };
  const path = data.path;
  const cwd = isObj(path) ? str(path.cwd) ?? str(path.root) : undefined;
  if (cwd) record.cwd = cwd;
  // 0 means "subscription, price it yourself".
  const cost = costOf(data.cost);
  if (cost !== undefined && cost > 0) record.costUSD = cost;
  if (record.inputTokens + record.outputTokens + record.cacheReadTokens + record.cacheWrite5mTokens === 0 && record.costUSD === undefined) return false;
  out.push({ kind: 'record', record, key: `oc|${id}`, replace: { priority } });
  return true;
}
