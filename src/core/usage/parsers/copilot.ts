// GitHub Copilot CLI session logs: `${COPILOT_HOME:-~/.copilot}/session-state/<sessionId>/events.jsonl`
// (provider-apis.md §8.5). Per-request usage is never written to disk (`assistant.usage` is ephemeral); what is
// persisted is one `session.shutdown` per CLI process with per-model totals (requests, tokens, AI credits as nano-AIU).
// A resumed session appends another shutdown to the same file: each is a per-process snapshot, so all are summed.

import type { UsageEvent } from '../events';
import type { UsageRecord } from '../types';
import { isObj, tok, idOf, cwdOf, parseTs, parseJsonObject, LineOutcome, beginLine, endLine, type Json } from './shared';

export interface CopilotCliFileState {
  /** From `session.start` (`data.sessionId`), else the folder name. */
  sessionId: string;
  /** The session's working folder (`session.start` `data.context.cwd`). */
  cwd?: string;
}

/** One AI credit is 10⁹ nano-AIU and costs $0.01 (§8.5); premium requests (legacy billing) cost $0.04 each. */
export const NANO_AIU_PER_CREDIT = 1e9;
export const USD_PER_CREDIT = 0.01;
export const USD_PER_PREMIUM_REQUEST = 0.04;
/** One process's AI credits can hardly pass a million ($10,000): more marks the line implausible. */
const MAX_NANO_AIU = 1e6 * NANO_AIU_PER_CREDIT;
/** Requests (or their summed multipliers) one process may make. */
const MAX_REQUESTS = 1e7;

/** Copilot's routing suffixes (`-1m`, `-1m-internal`, `-internal`, `-high`, `-xhigh`) name the same model (ccusage). */
export function normaliseCopilotModel(model: string): string {
  return model.replace(/(-1m)?(-internal)?$/i, '').replace(/-(x?high)$/i, '') || model;
}

/**
 * Feeds one line. `session.start` sets the session id and folder; each `session.shutdown` gives one record per model
 * it lists. Only the top-level `type` counts (a tool's arguments may quote "session.shutdown"). A line with an
 * implausible number or id is rejected whole.
 */
export function copilotCliLine(line: string, st: CopilotCliFileState, out: UsageEvent[]): LineOutcome {
  // Cheap pre-filter: only these two event types carry anything.
  if (!line.includes('"session.shutdown"') && !line.includes('"session.start"')) return LineOutcome.Ignored;
  const obj = parseJsonObject(line);
  if (!obj) return LineOutcome.Malformed;
  beginLine();
  const mark = out.length;
  const r = copilotCliEvent(obj, st, out);
  if (!endLine()) return r;
  out.length = mark;
  return LineOutcome.Rejected;
}

function copilotCliEvent(obj: Json, st: CopilotCliFileState, out: UsageEvent[]): LineOutcome {
  const data = obj.data;
  if (!isObj(data)) return LineOutcome.Ignored;
  if (obj.type === 'session.start') {
    const id = idOf(data.sessionId);
    if (id) st.sessionId = id;
    const cwd = isObj(data.context) ? cwdOf(data.context.cwd) : undefined;
    if (cwd) st.cwd = cwd;
    return LineOutcome.Parsed;
  }
  if (obj.type !== 'session.shutdown') return LineOutcome.Ignored;
  const ts = typeof obj.timestamp === 'string' ? parseTs(obj.timestamp) : undefined;
  const eventId = idOf(obj.id);
  if (ts === undefined || !eventId || !isObj(data.modelMetrics)) return LineOutcome.Ignored;
  let n = 0;
  for (const [rawModel, m] of Object.entries(data.modelMetrics)) {
    if (isObj(m) && copilotModelRecord(rawModel, m, ts, eventId, st, out)) n++;
  }
  return n > 0 ? LineOutcome.Parsed : LineOutcome.Ignored;
}

function copilotModelRecord(rawModel: string, m: Json, ts: number, eventId: string, st: CopilotCliFileState, out: UsageEvent[]): boolean {
  const model = idOf(rawModel);
  if (!model) return false;
  const usage = isObj(m.usage) ? m.usage : {};
  const input = tok(usage.inputTokens);
  const cacheRead = tok(usage.cacheReadTokens);
  const cacheWrite = tok(usage.cacheWriteTokens);
  const output = tok(usage.outputTokens);
  const reasoning = tok(usage.reasoningTokens);
  const requests = isObj(m.requests) ? m.requests : {};
  const reqCount = tok(requests.count, MAX_REQUESTS);
  const multiplierSum = tok(requests.cost, MAX_REQUESTS);
  const nano = typeof m.totalNanoAiu === 'number' ? tok(m.totalNanoAiu, MAX_NANO_AIU) : undefined;
  const name = normaliseCopilotModel(model);
  // `inputTokens` includes cache reads and writes; reasoning is inside output except for Gemini models (ccusage).
  const extraReasoning = /^gemini-/i.test(name) ? reasoning : 0;
  const record: UsageRecord = {
    agent: 'copilot-cli',
    timestamp: ts,
    sessionId: st.sessionId,
    model: name,
    inputTokens: Math.max(0, input - cacheRead - cacheWrite),
    outputTokens: output + extraReasoning,
    cacheReadTokens: cacheRead,
    cacheWrite5mTokens: cacheWrite,
    cacheWrite1hTokens: 0,
    reasoningTokens: reasoning,
    webSearchRequests: 0,
  };
  if (st.cwd) record.cwd = st.cwd;
  // One record stands for the process's requests of that model (at least one when it used anything).
  record.requests = Math.max(1, reqCount);
  // Money by field presence (§8.5): AI credits, else premium requests × $0.04; else the ledger prices the tokens.
  if (nano !== undefined && nano > 0) {
    record.aiCredits = nano / NANO_AIU_PER_CREDIT;
    record.costUSD = record.aiCredits * USD_PER_CREDIT;
  } else if (multiplierSum > 0) {
    record.costUSD = multiplierSum * USD_PER_PREMIUM_REQUEST;
  }
  const tokens = record.inputTokens + record.outputTokens + cacheRead + cacheWrite;
  if (tokens === 0 && record.costUSD === undefined) return false;
  // Distinct shutdown events are distinct charges; credit-only rows come in duplicate pairs with different ids
  // (ccusage), so those are keyed by what they say.
  const key = tokens > 0 ? `cp|s|${st.sessionId}|${eventId}|${model}` : `cp|c|${st.sessionId}|${model}|${nano ? nano : `r${multiplierSum}`}`;
  out.push({ kind: 'record', record, key });
  return true;
}

/** `session-state/<id>/events.jsonl` → `<id>`; an old flat `session-state/<id>.jsonl` → `<id>`. */
export function copilotSessionOfPath(p: string): string {
  const parts = p.split(/[\\/]/);
  const name = parts[parts.length - 1] ?? '';
  if (name === 'events.jsonl' && parts.length >= 2) return parts[parts.length - 2]!;
  return name.replace(/\.jsonl$/, '');
}
