// Gemini CLI's chat files (provider-apis.md §8.3): a whole-file JSON session or JSON lines; one record per `gemini`
// message, keyed by session and message id.

import type { UsageEvent } from '../events';
import type { UsageRecord } from '../types';
import { isObj, str, num, tok, idOf, parseTs, parseJsonObject, LineOutcome, beginLine, endLine, type Json } from './shared';

export interface GeminiFileState {
  sessionId: string;
}

/**
 * One `type:"gemini"` message → record event keyed by session + message id (later replaces earlier). Rejected: an
 * implausible value (nothing added).
 */
function geminiMessage(m: Json, sessionId: string, fallbackTs: number | undefined, out: UsageEvent[]): boolean | 'rejected' {
  beginLine();
  const r = geminiRecord(m, sessionId, fallbackTs, out);
  if (!endLine()) return r;
  if (r) out.pop();
  return 'rejected';
}

function geminiRecord(m: Json, sessionId: string, fallbackTs: number | undefined, out: UsageEvent[]): boolean {
  if (m.type !== 'gemini' || !isObj(m.tokens)) return false;
  const t = m.tokens;
  const input = tok(t.input);
  const output = tok(t.output);
  const cached = tok(t.cached);
  const thoughts = tok(t.thoughts);
  const tool = tok(t.tool);
  const total = num(t.total);
  // Inclusive total ⇒ cached is part of input.
  const inclusive = total !== undefined && total === input + output + thoughts + tool;
  const uncached = inclusive ? Math.max(0, input - cached) : input;
  const ts = parseTs(m.timestamp) ?? fallbackTs;
  if (ts === undefined) return false;
  const id = str(m.id) ?? String(ts);
  const record: UsageRecord = {
    agent: 'gemini-cli',
    timestamp: ts,
    sessionId,
    model: idOf(m.model) ?? 'gemini-unknown',
    inputTokens: uncached + tool,
    outputTokens: output + thoughts,
    cacheReadTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: thoughts,
    webSearchRequests: 0,
  };
  out.push({ kind: 'record', record, key: `gm|${sessionId}|${id}`, replace: { priority: 1 } });
  return true;
}

/** A whole `chats/*.json` session file (rewritten in place by Gemini CLI, so always read whole). */
export function geminiJsonFile(text: string, fileSessionId: string, out: UsageEvent[]): LineOutcome {
  const obj = parseJsonObject(text);
  if (!obj) return LineOutcome.Malformed;
  const sessionId = str(obj.sessionId) ?? fileSessionId;
  const fallbackTs = parseTs(obj.lastUpdated) ?? parseTs(obj.startTime);
  if (Array.isArray(obj.messages)) for (const m of obj.messages) if (isObj(m)) geminiMessage(m, sessionId, fallbackTs, out);
  return LineOutcome.Parsed;
}

export function geminiLine(line: string, st: GeminiFileState, out: UsageEvent[]): LineOutcome {
  const obj = parseJsonObject(line);
  if (!obj) return line.trim() ? LineOutcome.Malformed : LineOutcome.Ignored;
  if (obj.type === undefined && str(obj.sessionId)) {
    st.sessionId = obj.sessionId as string;
    return LineOutcome.Parsed;
  }
  return geminiMessage(obj, str(obj.sessionId) ?? st.sessionId, undefined, out) === 'rejected' ? LineOutcome.Rejected : LineOutcome.Parsed;
}
