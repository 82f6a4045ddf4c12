// Line parsers of the agents' local logs (provider-apis.md §8). Pure functions of (line, per-file state): they never
// touch the file system, so the incremental reader can feed them any slice of a file and the worker and the in-process
// fallback produce identical events.

import type { UsageEvent } from './events';
import type { PlanWindow, UsageRecord } from './types';
import { ByteSchema, FALLBACK, parseSelective, parseSelectiveBytes } from './selectiveJson';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Plausibility bounds of what one log line may carry (nothing in a log is trusted). A line with a value outside them
 * is rejected whole (LineOutcome.Rejected, counted in the scan's statistics): a damaged or hostile `1e300` would
 * otherwise become $1e294 in every total. The per-request bound is the API path's (INGEST_LIMITS.tokens); Codex's
 * cumulative counters add up a whole session, hence their larger bound.
 */
export const LOG_LIMITS = {
  /** Tokens of one kind in one request. */
  tokens: 1e9,
  /** Codex `total_token_usage` (a session's running sum). */
  cumulativeTokens: 1e12,
  /** An agent-logged cost of one request (USD). */
  costUSD: 1e5,
  /** Web searches in one request. */
  webSearches: 1e6,
  /** Model ids, session ids, message / request / tool ids (characters). */
  idChars: 512,
  /** A working directory (characters); a longer one is dropped (the workspace becomes unknown). */
  cwdChars: 4096,
} as const;

/** Set by `tok`/`idOf` when the value being read is implausible; the line parsers reject the line when it is set. */
let implausible = false;

/**
 * A token count: a missing or non-numeric value counts as 0 (absent); a negative, non-finite or implausibly large
 * number marks the line implausible (and counts 0 here).
 */
function tok(v: unknown, max: number = LOG_LIMITS.tokens): number {
  if (typeof v !== 'number') return 0;
  if (!(v >= 0 && v <= max)) {
    implausible = true;
    return 0;
  }
  return v;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** A string from a log made safe to keep: lone surrogates become U+FFFD (they would not survive UTF-8). */
function wellFormed(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return s.replace(LONE_SURROGATE, '\uFFFD');
  }
  return s;
}

/** An id-like string (model, session, message, request): non-empty, bounded (longer marks the line implausible). */
function idOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return undefined;
  if (v.length > LOG_LIMITS.idChars) {
    implausible = true;
    return undefined;
  }
  return wellFormed(v);
}

function cwdOf(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= LOG_LIMITS.cwdChars ? wellFormed(v) : undefined;
}

/** An agent-logged cost: undefined when absent; out of [0, LOG_LIMITS.costUSD] marks the line implausible. */
function costOf(v: unknown): number | undefined {
  if (typeof v !== 'number') return undefined;
  if (!(v >= 0 && v <= LOG_LIMITS.costUSD)) {
    implausible = true;
    return undefined;
  }
  return v;
}

function parseTs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

export function parseJsonObject(line: string): Json | undefined {
  // Every log line is one JSON object; a cheap first-character test avoids exceptions on blank or foreign lines.
  const c = line.charCodeAt(0);
  if (c !== 123 /* { */) {
    const t = line.trimStart();
    if (t.charCodeAt(0) !== 123) return undefined;
  }
  try {
    const v = JSON.parse(line) as unknown;
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `parseJsonObject` that materialises only the string values of `keep` keys (see selectiveJson.ts for why the line
 * parsers below cannot tell the difference).
 */
export function parseObjectKeeping(line: string, keep: ReadonlySet<string>): Json | undefined {
  const r = parseSelective(line, keep);
  return r === FALLBACK ? parseJsonObject(line) : r;
}

/** Outcome of feeding one line, for the reader's statistics. */
export const enum LineOutcome {
  Ignored = 0,
  Parsed = 1,
  Malformed = 2,
  /** Well-formed, but with an implausible value (see LOG_LIMITS): nothing of it is counted. */
  Rejected = 3,
}

// ───────────────────────────── Claude Code (§8.1) ─────────────────────────────

export interface ClaudeFileState {
  /** Session id from the file name, used when a line has none. */
  fileSessionId: string;
}

const SEMVER = /^\d+\.\d+\.\d+/;

/** Every key whose string value claudeEntry reads; all other strings may come back as null. */
export const CLAUDE_STRING_KEYS: ReadonlySet<string> = new Set(['sessionId', 'cwd', 'version', 'timestamp', 'role', 'type', 'tool_use_id', 'model', 'id', 'name', 'requestId', 'speed']);

/**
 * Only three kinds of line matter: those holding `"usage"`, `"tool_use"` or `"tool_result"`. One search for `"tool_`
 * (then the two suffixes) and one for `"usage"` replace three full scans of the line.
 */
export function claudeRelevant(line: string): boolean {
  let i = line.indexOf('"tool_');
  while (i >= 0) {
    if (line.startsWith('use"', i + 6) || line.startsWith('result"', i + 6)) return true;
    i = line.indexOf('"tool_', i + 6);
  }
  return line.indexOf('"usage"') >= 0;
}

const B_TOOL = Buffer.from('"tool_');
const B_USE = Buffer.from('use"');
const B_RESULT = Buffer.from('result"');
const B_USAGE = Buffer.from('"usage"');

/** claudeRelevant on raw bytes [s, e): irrelevant lines (prompts, summaries) are never decoded. */
export function claudeRelevantBytes(buf: Buffer, s: number, e: number): boolean {
  const b = buf.subarray(s, e);
  let i = b.indexOf(B_TOOL);
  while (i >= 0) {
    const j = i + 6;
    if (b.compare(B_USE, 0, 4, j, Math.min(j + 4, b.length)) === 0 || b.compare(B_RESULT, 0, 7, j, Math.min(j + 7, b.length)) === 0) return true;
    i = b.indexOf(B_TOOL, j);
  }
  return b.indexOf(B_USAGE) >= 0;
}

export function claudeLine(line: string, st: ClaudeFileState, out: UsageEvent[]): LineOutcome {
  // Everything else (most of the bytes: user prompts, summaries) is never parsed.
  if (!claudeRelevant(line)) return LineOutcome.Ignored;
  return claudeRelevantLine(line, st, out);
}

/** claudeLine for a line already known to be relevant. */
export function claudeRelevantLine(line: string, st: ClaudeFileState, out: UsageEvent[]): LineOutcome {
  const obj = parseObjectKeeping(line, CLAUDE_STRING_KEYS);
  if (!obj) return LineOutcome.Malformed;
  return claudeObject(obj, st, out);
}

/**
 * Every key claudeObject looks up, at any depth. The byte reader builds only these (and their kept strings); adding a
 * lookup of another key below means adding it here (the fast-path tests compare with JSON.parse on whole corpora).
 */
export const CLAUDE_READ_KEYS: ReadonlySet<string> = new Set([
  ...CLAUDE_STRING_KEYS, 'data', 'message', 'isSidechain', 'costUSD', 'content', 'is_error', 'usage', 'cache_creation', 'cache_creation_input_tokens',
  'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'server_tool_use', 'ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens',
  'web_search_requests',
]);
const CLAUDE_BYTES = new ByteSchema(CLAUDE_READ_KEYS, CLAUDE_STRING_KEYS);

/** claudeRelevantLine on the raw bytes b[s, e) of the line: never decodes it (see selectiveJson.ts). */
export function claudeRelevantLineBytes(b: Buffer, s: number, e: number, st: ClaudeFileState, out: UsageEvent[]): LineOutcome {
  const r = parseSelectiveBytes(b, s, e, CLAUDE_BYTES);
  const obj = r === FALLBACK ? parseJsonObject(b.toString('utf8', s, e)) : r;
  if (!obj) return LineOutcome.Malformed;
  return claudeObject(obj, st, out);
}

/**
 * The events of one parsed Claude line (exported for the fast-path tests, which feed it JSON.parse's objects). A line
 * with an implausible value (LOG_LIMITS) adds no event at all and answers Rejected.
 */
export function claudeObject(obj: Json, st: ClaudeFileState, out: UsageEvent[]): LineOutcome {
  const mark = out.length;
  implausible = false;
  const r = claudeEvents(obj, st, out);
  if (!implausible) return r;
  implausible = false;
  out.length = mark;
  return LineOutcome.Rejected;
}

function claudeEvents(obj: Json, st: ClaudeFileState, out: UsageEvent[]): LineOutcome {
  // The "agent progress" shape nests the entry under data.message; the outer line carries session, cwd, version.
  let entry: Json = obj;
  const data = obj.data;
  if (isObj(data) && isObj(data.message) && isObj(data.message.message)) {
    entry = { sessionId: obj.sessionId, cwd: obj.cwd, version: obj.version, ...data.message };
  }
  const ts = parseTs(entry.timestamp);
  const msg = entry.message;
  if (ts === undefined || !isObj(msg)) return LineOutcome.Parsed;

  const version = entry.version;
  if (version !== undefined && (typeof version !== 'string' || !SEMVER.test(version))) return LineOutcome.Parsed;
  const sessionId = idOf(entry.sessionId) ?? st.fileSessionId;
  const cwd = cwdOf(entry.cwd) ?? '';
  const content = Array.isArray(msg.content) ? (msg.content as unknown[]) : undefined;

  if (msg.role === 'user' || entry.type === 'user') {
    if (content) {
      for (const b of content) {
        if (isObj(b) && b.type === 'tool_result') {
          const id = idOf(b.tool_use_id);
          if (id) out.push({ kind: 'toolResult', id, timestamp: ts, ...(b.is_error === true ? { error: true } : {}) });
        }
      }
    }
    return LineOutcome.Parsed;
  }

  const model = idOf(msg.model);
  if (!model || model === '<synthetic>') return LineOutcome.Parsed;

  // Tool calls count from every line of a response (a streamed response writes each tool_use block on its own line).
  if (content) {
    for (const b of content) {
      if (isObj(b) && b.type === 'tool_use') {
        const id = idOf(b.id);
        const name = idOf(b.name);
        if (id && name) out.push({ kind: 'tool', id, name, timestamp: ts, cell: { agent: 'claude-code', model, cwd, sessionId } });
      }
    }
  }

  const usage = msg.usage;
  const messageId = idOf(msg.id);
  if (!isObj(usage) || !messageId) return LineOutcome.Parsed;
  // Some Anthropic-compatible front ends write no (or an empty) requestId: still billed, deduplicated by the message
  // id within the session instead (provider-apis.md §8.1).
  const requestId = idOf(entry.requestId);

  const cc = usage.cache_creation;
  let w5 = 0;
  let w1h = 0;
  if (isObj(cc) && (typeof cc.ephemeral_5m_input_tokens === 'number' || typeof cc.ephemeral_1h_input_tokens === 'number')) {
    w5 = tok(cc.ephemeral_5m_input_tokens);
    w1h = tok(cc.ephemeral_1h_input_tokens);
  } else {
    // Without the split, every cache write is a 5-minute write (ccusage).
    w5 = tok(usage.cache_creation_input_tokens);
  }
  const stu = usage.server_tool_use;
  const record: UsageRecord = {
    agent: 'claude-code',
    timestamp: ts,
    sessionId,
    model,
    ...(cwd ? { cwd } : {}),
    inputTokens: tok(usage.input_tokens),
    outputTokens: tok(usage.output_tokens),
    cacheReadTokens: tok(usage.cache_read_input_tokens),
    cacheWrite5mTokens: w5,
    cacheWrite1hTokens: w1h,
    reasoningTokens: 0,
    webSearchRequests: isObj(stu) ? tok(stu.web_search_requests, LOG_LIMITS.webSearches) : 0,
  };
  if (usage.speed === 'fast') record.speed = 'fast';
  const cost = costOf(entry.costUSD);
  if (cost !== undefined) record.costUSD = cost;
  out.push({
    kind: 'record',
    record,
    // One API response is written as several lines while it streams: the ledger keeps the most complete one per key.
    key: requestId ? `cc|${messageId}|${requestId}` : `cc|${sessionId}|${messageId}`,
    claude: { messageId, sidechain: entry.isSidechain === true },
  });
  return LineOutcome.Parsed;
}

// ───────────────────────────── Codex CLI (§8.2) ─────────────────────────────

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
  const record: UsageRecord = {
    agent: 'codex',
    timestamp: ts,
    sessionId: st.sessionId,
    model,
    ...(st.cwd ? { cwd: st.cwd } : {}),
    inputTokens: d.input - cached,
    outputTokens: d.output,
    cacheReadTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: Math.min(d.reasoning, d.output),
    webSearchRequests: 0,
  };
  if (!st.model) record.isFallbackModel = true;
  const key = hasTs ? `cx|${ts}|${model}|${totalsText(d)}|${total ? totalsText(total) : ''}` : `cx|${st.fileKey}|${lineOffset}`;
  out.push({
    kind: 'record',
    record,
    key,
    ...(total ? { codex: { series: st.sessionId, total: totalsText(total), ...(st.forkOf ? { forkOf: st.forkOf } : {}) } } : {}),
  });
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
const CODEX_BYTES = new ByteSchema(CODEX_READ_KEYS, CODEX_STRING_KEYS);

/** codexLine on the raw bytes b[s, e) of the line. */
export function codexLineBytes(b: Buffer, s: number, e: number, lineOffset: number, st: CodexFileState, out: UsageEvent[]): LineOutcome {
  const r = parseSelectiveBytes(b, s, e, CODEX_BYTES);
  const obj = r === FALLBACK ? parseJsonObject(b.toString('utf8', s, e)) : r;
  if (!obj) return b.toString('utf8', s, e).trim() ? LineOutcome.Malformed : LineOutcome.Ignored;
  return codexObject(obj, lineOffset, st, out);
}

/**
 * The events of one parsed Codex line (exported like claudeObject). A line with an implausible value adds no event
 * and leaves the file's state (cumulative baseline, model) as it was: the next good line counts from the last good one.
 */
export function codexObject(obj: Json, lineOffset: number, st: CodexFileState, out: UsageEvent[]): LineOutcome {
  const mark = out.length;
  const saved = { ...st };
  implausible = false;
  const r = codexEvents(obj, lineOffset, st, out);
  if (!implausible) return r;
  implausible = false;
  out.length = mark;
  Object.assign(st, saved);
  for (const k of Object.keys(st) as Array<keyof CodexFileState>) if (!(k in saved)) delete st[k];
  return LineOutcome.Rejected;
}

function codexEvents(obj: Json, lineOffset: number, st: CodexFileState, out: UsageEvent[]): LineOutcome {
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
    if (type === 'response_item' && ts !== undefined) {
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

// ───────────────────────────── Gemini CLI (§8.3) ─────────────────────────────

export interface GeminiFileState {
  sessionId: string;
}

/**
 * One `type:"gemini"` message → record event keyed by session + message id (later replaces earlier). Rejected: an
 * implausible value (nothing added).
 */
function geminiMessage(m: Json, sessionId: string, fallbackTs: number | undefined, out: UsageEvent[]): boolean | 'rejected' {
  implausible = false;
  const r = geminiRecord(m, sessionId, fallbackTs, out);
  if (!implausible) return r;
  implausible = false;
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

// ───────────────────────────── opencode (§8.4) ─────────────────────────────

/** One opencode message (DB row data or legacy JSON file). Priority: DB rows 2, legacy files 1. Implausible: nothing. */
export function opencodeMessage(data: unknown, rowId: string | undefined, rowSession: string | undefined, priority: number, out: UsageEvent[]): boolean {
  implausible = false;
  const mark = out.length;
  const r = opencodeRecord(data, rowId, rowSession, priority, out);
  if (!implausible) return r;
  implausible = false;
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

// ───────────────────────────── JIT warm-up ─────────────────────────────

/**
 * Runs the byte readers over a few synthetic lines of each shape, so that a fresh worker's first real scan does not
 * parse in the interpreter (a watcher-triggered rescan of a 1 MB append takes ~5× longer on cold code). Pure: the
 * events are thrown away. A few ms, off the extension host's thread.
 */
export function warmUp(rounds = 10): void {
  const text = (n: number) => 'lorem ipsum dolor sit amet, '.repeat(Math.ceil(n / 28)).slice(0, n);
  const lines: string[] = [];
  for (let i = 0; i < 8; i++) {
    const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const base = { sessionId: 'warm', cwd: '/warm', version: '2.1.0', userType: 'external', gitBranch: 'main', uuid: `u${i}` };
    lines.push(JSON.stringify({ ...base, type: 'user', timestamp: ts, message: { role: 'user', content: text(200) } }));
    lines.push(JSON.stringify({
      ...base, type: 'assistant', requestId: `req_warm${i}`, timestamp: ts,
      message: {
        id: `msg_warm${i}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: text(100) }, { type: 'tool_use', id: `toolu_warm${i}`, name: 'Read', input: { file_path: '/warm/a.ts' } }],
        stop_reason: 'tool_use', usage: { input_tokens: 3, output_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 30, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 }, service_tier: 'standard' },
      },
    }));
    lines.push(JSON.stringify({ ...base, type: 'user', timestamp: ts, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_warm${i}`, content: text(4000) + '\n\t"q"' }] }, toolUseResult: { stdout: text(300), exitCode: 0 } }));
    lines.push(JSON.stringify({ timestamp: ts, type: 'turn_context', payload: { cwd: '/warm', model: 'gpt-5', approval_policy: 'never' } }));
    lines.push(JSON.stringify({ timestamp: ts, type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: `call_warm${i}` } }));
    lines.push(JSON.stringify({ timestamp: ts, type: 'response_item', payload: { type: 'function_call_output', call_id: `call_warm${i}`, output: text(3000) } }));
    const u = { input_tokens: 100 + i, cached_input_tokens: 50, output_tokens: 10, reasoning_output_tokens: 5, total_tokens: 110 + i };
    lines.push(JSON.stringify({ timestamp: ts, type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: u, last_token_usage: u, model_context_window: 272000 }, rate_limits: { primary: { used_percent: 1.5, window_minutes: 300, resets_in_seconds: 100 } } } }));
  }
  const b = Buffer.from(lines.join('\n') + '\n');
  const ends: number[] = [];
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) ends.push(i);
  for (let r = 0; r < rounds; r++) {
    const out: UsageEvent[] = [];
    const claude: ClaudeFileState = { fileSessionId: 'warm' };
    const codex: CodexFileState = { fileKey: 'warm', home: '', sessionId: 'warm' };
    let s = 0;
    for (const e of ends) {
      if (b[s] === 123 && b[s + 2] === 116) codexLineBytes(b, s, e, s, codex, out);
      else if (claudeRelevantBytes(b, s, e)) claudeRelevantLineBytes(b, s, e, claude, out);
      s = e + 1;
    }
  }
}
