// Codex CLI's session logs (provider-apis.md §8.2): cumulative token counts per session turned into per-request
// records, forks and copies counted once, plan windows from the rate-limit fields.

import type { UsageEvent } from '../events';
import type { PlanWindow, UsageRecord } from '../types';
import { ByteSchema, FALLBACK, parseSelectiveBytes } from '../selectiveJson';
import { isObj, num, tok, idOf, cwdOf, parseTs, parseJsonObject, parseObjectKeeping, LineOutcome, LOG_LIMITS, beginLine, endLine, type Json } from './shared';

interface CodexTotals {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

export interface CodexFileState {
  /** File name (stable across the move to archived_sessions), part of the key of lines without a timestamp. */
  fileKey: string;
  /** CODEX_HOME the file belongs to (plan windows are per home). */
  home: string;
  sessionId: string;
  /** `session_meta.forked_from_id`: the session whose history this rollout begins with a copy of. */
  forkOf?: string;
  model?: string;
  cwd?: string;
  prev?: CodexTotals;
  /** Subagent rollout (first 16 KB mention thread_spawn): its first second replays the parent's token counts. */
  subagent?: boolean;
  firstTs?: number;
  /** Timestamp for headless lines that carry none (the file's mtime). */
  fallbackTs?: number;
  /** Latest plan windows seen in this file. */
  windows?: PlanWindow[];
}

function codexTotals(v: unknown, max: number = LOG_LIMITS.tokens): CodexTotals | undefined {
  if (!isObj(v)) return undefined;
  return {
    input: tok(v.input_tokens, max),
    cached: tok(v.cached_input_tokens ?? v.cache_read_input_tokens, max),
    output: tok(v.output_tokens, max),
    reasoning: tok(v.reasoning_output_tokens, max),
  };
}

const sameTotals = (a: CodexTotals, b: CodexTotals) =>
  a.input === b.input && a.cached === b.cached && a.output === b.output && a.reasoning === b.reasoning;
const totalsText = (t: CodexTotals) => `${t.input},${t.cached},${t.output},${t.reasoning}`;

function codexWindows(rl: unknown, observedAt: number): PlanWindow[] | undefined {
  if (!isObj(rl)) return undefined;
  const out: PlanWindow[] = [];
  for (const name of ['primary', 'secondary']) {
    const w = rl[name];
    if (!isObj(w)) continue;
    const used = num(w.used_percent);
    if (used === undefined) continue;
    const win: PlanWindow = { name, usedPercent: used, observedAt };
    const minutes = num(w.window_minutes);
    if (minutes !== undefined) win.windowMinutes = minutes;
    const at = num(w.resets_at);
    const inS = num(w.resets_in_seconds);
    if (at !== undefined) win.resetsAt = at < 1e12 ? at * 1000 : at;
    else if (inS !== undefined) win.resetsAt = observedAt + inS * 1000;
    out.push(win);
  }
  return out.length ? out : undefined;
}

/**
 * One Codex record event. Token-count events are keyed by what they say (timestamp, model, usage, cumulative totals)
 * rather than by where they are: the same event copied into another rollout (a branch's history with the original
 * timestamps, an archived copy, a file re-read after replacement) is counted once (provider-apis.md §8.2). Lines
 * without a timestamp (headless output) keep the file + offset key. `total` makes the event part of its session's
 * cumulative series, which a fork's copied prefix is recognised by.
 */
function codexRecord(st: CodexFileState, ts: number, hasTs: boolean, d: CodexTotals, total: CodexTotals | undefined, lineOffset: number, out: UsageEvent[]): void {
  if (d.input === 0 && d.cached === 0 && d.output === 0 && d.reasoning === 0) return;
  // input includes cached (clamped), output includes reasoning.
  const cached = Math.min(d.cached, d.input);
  const model = st.model ?? 'gpt-5';
  const inputTokens = d.input - cached;
  const reasoningTokens = Math.min(d.reasoning, d.output);
  // Two literals rather than a spread of the optional cwd (as the Claude reader): same fields, no object copy.
  const record: UsageRecord = st.cwd
    ? { agent: 'codex', timestamp: ts, sessionId: st.sessionId, model, cwd: st.cwd, inputTokens, outputTokens: d.output, cacheReadTokens: cached, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens, webSearchRequests: 0 }
    : { agent: 'codex', timestamp: ts, sessionId: st.sessionId, model, inputTokens, outputTokens: d.output, cacheReadTokens: cached, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens, webSearchRequests: 0 };
  if (!st.model) record.isFallbackModel = true;
  const totalText = total ? totalsText(total) : '';
  const key = hasTs ? `cx|${ts}|${model}|${totalsText(d)}|${totalText}` : `cx|${st.fileKey}|${lineOffset}`;
  if (!total) return void out.push({ kind: 'record', record, key });
  const codex: { series: string; total: string; forkOf?: string } = { series: st.sessionId, total: totalText };
  if (st.forkOf) codex.forkOf = st.forkOf;
  out.push({ kind: 'record', record, key, codex });
}

/** Every key whose string value codexLine reads; all other strings (tool outputs, messages) may come back as null. */
export const CODEX_STRING_KEYS: ReadonlySet<string> = new Set(['timestamp', 'type', 'id', 'cwd', 'model', 'call_id', 'name', 'thread_id', 'forked_from_id']);

export function codexLine(line: string, lineOffset: number, st: CodexFileState, out: UsageEvent[]): LineOutcome {
  const obj = parseObjectKeeping(line, CODEX_STRING_KEYS);
  if (!obj) return line.trim() ? LineOutcome.Malformed : LineOutcome.Ignored;
  return codexObject(obj, lineOffset, st, out);
}

/** Every key codexObject looks up, at any depth (see CLAUDE_READ_KEYS). */
export const CODEX_READ_KEYS: ReadonlySet<string> = new Set([
  ...CODEX_STRING_KEYS, 'payload', 'usage', 'result', 'response', 'rate_limits', 'info', 'primary', 'secondary', 'used_percent', 'window_minutes',
  'resets_at', 'resets_in_seconds', 'total_token_usage', 'last_token_usage', 'input_tokens', 'cached_input_tokens', 'cache_read_input_tokens',
  'output_tokens', 'reasoning_output_tokens',
]);
/** Kept strings unique to their line (see ByteSchema). */
const CODEX_FRESH_KEYS: ReadonlySet<string> = new Set(['timestamp', 'call_id']);
const CODEX_BYTES = new ByteSchema(CODEX_READ_KEYS, CODEX_STRING_KEYS, CODEX_FRESH_KEYS);

const B_HEAD = Buffer.from('{"timestamp":"');
const B_ITEM = Buffer.from('","type":"response_item","payload":{');
const B_EVENT = Buffer.from('","type":"event_msg","payload":{"type":"');
const B_TOKEN_COUNT = Buffer.from('token_count"');

const startsAt = (b: Buffer, i: number, e: number, p: Buffer): boolean => {
  if (i + p.length > e) return false;
  for (let k = 0; k < p.length; k++) if (b[i + k] !== p[k]) return false;
  return true;
};

/**
 * Without tool figures, whether the line b[s, e) is one that adds nothing: a `response_item` (messages, reasoning,
 * tool calls and their outputs: most of a rollout's bytes) or an `event_msg` other than `token_count`, told by the
 * first bytes Codex writes for them (`{"timestamp":"…","type":"response_item","payload":{`). Such a line is not
 * parsed at all. Its only other effect, the file's first timestamp, is why the caller asks only once that is known.
 * A line written otherwise (other key order, spaces, escapes) is parsed as before; like the Claude reader's `"usage"`
 * test, this trusts that a line has one top-level `type`, as Codex writes it.
 */
export function codexUsageless(b: Buffer, s: number, e: number): boolean {
  if (!startsAt(b, s, e, B_HEAD)) return false;
  let q = s + B_HEAD.length;
  const lim = Math.min(e, q + 64);
  while (q < lim && b[q] !== 34 && b[q] !== 92) q++;
  if (q >= lim || b[q] !== 34) return false;
  if (startsAt(b, q, e, B_ITEM)) return true;
  return startsAt(b, q, e, B_EVENT) && !startsAt(b, q + B_EVENT.length, e, B_TOKEN_COUNT);
}

/** codexLine on the raw bytes b[s, e) of the line (`tools` false: no tool call or result events, see ClaudeFileState). */
export function codexLineBytes(b: Buffer, s: number, e: number, lineOffset: number, st: CodexFileState, out: UsageEvent[], tools = true): LineOutcome {
  if (!tools && st.firstTs !== undefined && codexUsageless(b, s, e)) return LineOutcome.Ignored;
  const r = parseSelectiveBytes(b, s, e, CODEX_BYTES);
  const obj = r === FALLBACK ? parseJsonObject(b.toString('utf8', s, e)) : r;
  if (!obj) return b.toString('utf8', s, e).trim() ? LineOutcome.Malformed : LineOutcome.Ignored;
  return codexObject(obj, lineOffset, st, out, tools);
}

/**
 * The events of one parsed Codex line (exported like claudeObject). A line with an implausible value adds no event
 * and leaves the file's state (cumulative baseline, model) as it was: the next good line counts from the last good one.
 */
export function codexObject(obj: Json, lineOffset: number, st: CodexFileState, out: UsageEvent[], tools = true): LineOutcome {
  const mark = out.length;
  // What codexEvents may change, put back when the line is rejected (not a copy of the whole state per line).
  const { sessionId, firstTs, forkOf, model, cwd, prev, windows } = st;
  beginLine();
  const r = codexEvents(obj, lineOffset, st, out, tools);
  if (!endLine()) return r;
  out.length = mark;
  st.sessionId = sessionId;
  putBack(st, 'firstTs', firstTs);
  putBack(st, 'forkOf', forkOf);
  putBack(st, 'model', model);
  putBack(st, 'cwd', cwd);
  putBack(st, 'prev', prev);
  putBack(st, 'windows', windows);
  return LineOutcome.Rejected;
}

/** Sets an optional field back to what it was, absent when it was absent (the state is saved as JSON). */
function putBack<K extends keyof CodexFileState>(st: CodexFileState, k: K, v: CodexFileState[K]): void {
  if (v === undefined) delete st[k];
  else st[k] = v;
}

function codexEvents(obj: Json, lineOffset: number, st: CodexFileState, out: UsageEvent[], tools: boolean): LineOutcome {
  const ts = parseTs(obj.timestamp);
  if (ts !== undefined && st.firstTs === undefined) st.firstTs = ts;
  const type = obj.type;
  const p = obj.payload;
  if (isObj(p)) {
    if (type === 'session_meta') {
      const id = idOf(p.id);
      if (id) st.sessionId = id;
      const fork = idOf(p.forked_from_id);
      if (fork && fork !== st.sessionId) st.forkOf = fork;
      const cwd = cwdOf(p.cwd);
      if (cwd) st.cwd = cwd;
      return LineOutcome.Parsed;
    }
    if (type === 'turn_context') {
      const model = idOf(p.model);
      if (model) st.model = model;
      const cwd = cwdOf(p.cwd);
      if (cwd) st.cwd = cwd;
      return LineOutcome.Parsed;
    }
    if (type === 'event_msg' && p.type === 'token_count') {
      if (ts === undefined) return LineOutcome.Parsed;
      const windows = codexWindows(p.rate_limits, ts);
      if (windows && (!st.windows?.length || st.windows[0]!.observedAt <= ts)) st.windows = windows;
      const info = p.info;
      if (!isObj(info)) return LineOutcome.Parsed; // rate-limit-only event
      const total = codexTotals(info.total_token_usage, LOG_LIMITS.cumulativeTokens);
      const last = codexTotals(info.last_token_usage);
      // A subagent's first second replays the parent's events: not counted, but the replayed cumulative totals are
      // the baseline of the file's first own event (when that one carries totals only, it counts total − replayed).
      if (st.subagent && st.firstTs !== undefined && ts - st.firstTs <= 1000) {
        if (total) st.prev = total;
        return LineOutcome.Parsed;
      }
      let delta: CodexTotals | undefined;
      if (total && st.prev && sameTotals(total, st.prev)) delta = undefined; // repeated event: nothing new
      else if (last) delta = last;
      else if (total) {
        const p0 = st.prev;
        // A counter that went backwards means a new cumulative series (resumed session): take it whole.
        delta =
          p0 && total.input >= p0.input && total.cached >= p0.cached && total.output >= p0.output && total.reasoning >= p0.reasoning
            ? { input: total.input - p0.input, cached: total.cached - p0.cached, output: total.output - p0.output, reasoning: total.reasoning - p0.reasoning }
            : total;
        // A difference of cumulative counters is one request's usage: it has the per-request bound.
        for (const v of [delta.input, delta.cached, delta.output, delta.reasoning]) tok(v);
      }
      if (total) st.prev = total;
      if (delta) codexRecord(st, ts, true, delta, total, lineOffset, out);
      return LineOutcome.Parsed;
    }
    if (type === 'response_item' && ts !== undefined && tools) {
      const pt = p.type;
      if (pt === 'function_call' || pt === 'custom_tool_call' || pt === 'local_shell_call') {
        const id = idOf(p.call_id) ?? idOf(p.id);
        const name = idOf(p.name) ?? (pt === 'local_shell_call' ? 'shell' : undefined);
        if (id && name)
          out.push({ kind: 'tool', id: `cx|${id}`, name, timestamp: ts, cell: { agent: 'codex', model: st.model ?? 'gpt-5', cwd: st.cwd ?? '', sessionId: st.sessionId } });
      } else if (pt === 'function_call_output' || pt === 'custom_tool_call_output') {
        const id = idOf(p.call_id);
        if (id) out.push({ kind: 'toolResult', id: `cx|${id}`, timestamp: ts });
      }
      return LineOutcome.Parsed;
    }
    return LineOutcome.Parsed;
  }
  // Headless `codex exec --json`: {"type":"thread.started","thread_id"} and usage at top level / under result / response.
  if (type === 'thread.started') {
    const id = idOf(obj.thread_id);
    if (id) st.sessionId = id;
    return LineOutcome.Parsed;
  }
  const model = idOf(obj.model);
  if (model) st.model = model;
  const usage = isObj(obj.usage) ? obj.usage : isObj(obj.result) && isObj(obj.result.usage) ? obj.result.usage : isObj(obj.response) && isObj(obj.response.usage) ? obj.response.usage : undefined;
  if (usage) {
    const d = codexTotals(usage);
    if (d) codexRecord(st, ts ?? st.firstTs ?? st.fallbackTs ?? 0, ts !== undefined, d, undefined, lineOffset, out);
  }
  return LineOutcome.Parsed;
}
