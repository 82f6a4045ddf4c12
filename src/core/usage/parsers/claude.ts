// Claude Code's transcripts (provider-apis.md §8.1): one JSON line per message; usage on assistant lines, tool calls
// and results for durations. The byte reader skips lines that cannot matter without decoding them.

import type { UsageEvent } from '../events';
import type { UsageRecord } from '../types';
import { ByteSchema, FALLBACK, parseSelectiveBytes } from '../selectiveJson';
import { hashKey } from '../hashKey';
import { isObj, tok, idOf, cwdOf, costOf, parseTs, parseJsonObject, parseObjectKeeping, LineOutcome, LOG_LIMITS, beginLine, endLine, type Json } from './shared';

export interface ClaudeFileState {
  /** Session id from the file name, used when a line has none. */
  fileSessionId: string;
  /** false: usage records only, no tool calls or results (ScanJobInput.tools; the CLI reports no tool figures). */
  tools?: boolean;
  /**
   * Set: the lines of a response streamed in this file are folded into one event (foldStreamed), counted here. The
   * scan sets it for every file; the parser tests that compare events line by line leave it out.
   */
  fold?: FoldCounts;
  /** The record event of each response key read so far in this file (foldStreamed). */
  responses?: Map<string, RecordEvent>;
}

/** Lines foldStreamed took out, as the ledger would have counted them (ScanJobStats). */
export interface FoldCounts {
  foldedReplaced: number;
  foldedDuplicates: number;
}

type RecordEvent = Extract<UsageEvent, { kind: 'record' }>;

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
/** Kept strings unique to their line (see ByteSchema): decoded without the cache of recent strings. */
const CLAUDE_FRESH_KEYS: ReadonlySet<string> = new Set(['timestamp', 'id', 'requestId', 'tool_use_id']);
const CLAUDE_BYTES = new ByteSchema(CLAUDE_READ_KEYS, CLAUDE_STRING_KEYS, CLAUDE_FRESH_KEYS);

/**
 * Without tool figures (ClaudeFileState.tools false) a line matters only when it holds `"usage"`, and of it only what
 * a usage record reads: the message's `content` (text, tool calls, tool results: most of an assistant line's bytes)
 * is validated and dropped instead of built.
 */
export const CLAUDE_USAGE_NEEDLE = B_USAGE;
const CLAUDE_TOOL_KEYS: ReadonlySet<string> = new Set(['content', 'is_error', 'tool_use_id', 'name']);
const without = (keys: ReadonlySet<string>) => new Set([...keys].filter((k) => !CLAUDE_TOOL_KEYS.has(k)));
const CLAUDE_USAGE_BYTES = new ByteSchema(without(CLAUDE_READ_KEYS), without(CLAUDE_STRING_KEYS), without(CLAUDE_FRESH_KEYS));

/** claudeRelevantLine on the raw bytes b[s, e) of the line: never decodes it (see selectiveJson.ts). */
export function claudeRelevantLineBytes(b: Buffer, s: number, e: number, st: ClaudeFileState, out: UsageEvent[]): LineOutcome {
  const r = parseSelectiveBytes(b, s, e, st.tools === false ? CLAUDE_USAGE_BYTES : CLAUDE_BYTES);
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
  beginLine();
  const r = claudeEvents(obj, st, out);
  if (!endLine()) {
    if (st.fold && out.length > mark) foldStreamed(st, st.fold, out);
    return r;
  }
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
  const content = st.tools !== false && Array.isArray(msg.content) ? (msg.content as unknown[]) : undefined;

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
  const inputTokens = tok(usage.input_tokens);
  const outputTokens = tok(usage.output_tokens);
  const cacheReadTokens = tok(usage.cache_read_input_tokens);
  const webSearchRequests = isObj(stu) ? tok(stu.web_search_requests, LOG_LIMITS.webSearches) : 0;
  // Two literals rather than a spread of the optional cwd: same fields in the same order, without the object copy.
  const record: UsageRecord = cwd
    ? { agent: 'claude-code', timestamp: ts, sessionId, model, cwd, inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens: w5, cacheWrite1hTokens: w1h, reasoningTokens: 0, webSearchRequests }
    : { agent: 'claude-code', timestamp: ts, sessionId, model, inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens: w5, cacheWrite1hTokens: w1h, reasoningTokens: 0, webSearchRequests };
  if (usage.speed === 'fast') record.speed = 'fast';
  const cost = costOf(entry.costUSD);
  if (cost !== undefined) record.costUSD = cost;
  out.push({
    kind: 'record',
    record,
    // One API response is written as several lines while it streams: the ledger keeps the most complete one per key.
    key: hashKey(requestId ? `cc|${messageId}|${requestId}` : `cc|${sessionId}|${messageId}`),
    claude: { messageId: hashKey(messageId), sidechain: entry.isSidechain === true },
  });
  return LineOutcome.Parsed;
}

type LineCounts = Pick<UsageRecord, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWrite5mTokens' | 'cacheWrite1hTokens' | 'webSearchRequests'>;

/**
 * Whether a later line of a response counts instead of the earlier one: a larger output, or an equal output with other
 * counts. The one rule of the index (applyClaude) and of the reader's fold (foldStreamed).
 */
export function moreComplete(earlier: LineCounts, later: LineCounts): boolean {
  if (later.outputTokens !== earlier.outputTokens) return later.outputTokens > earlier.outputTokens;
  return (
    later.inputTokens !== earlier.inputTokens ||
    later.cacheReadTokens !== earlier.cacheReadTokens ||
    later.cacheWrite5mTokens !== earlier.cacheWrite5mTokens ||
    later.cacheWrite1hTokens !== earlier.cacheWrite1hTokens ||
    later.webSearchRequests !== earlier.webSearchRequests
  );
}

/**
 * A response streams as several lines of one file, its output count growing. The ledger keeps the most complete line
 * (applyClaude: a larger output, or an equal one with other counts), in the cell and on the day of the first line.
 * When the new line's response already has an event from this file, in the same cell and of the same kind (sidechain
 * or not), that rule is applied here instead: a more complete line takes the earlier event's place with the earlier
 * timestamp, any other is dropped. The host then applies one event per response (a quarter of a Claude corpus's lines
 * are such repeats), and counts the same tokens and cost: the ledger's rule keeps, against any line it counted before,
 * the same usage from the folded event as from the lines one by one. Only the scan statistics can differ, when an
 * earlier scan or file already counted part of the response (the lines fold as replacements here, and may be
 * duplicates there).
 */
function foldStreamed(st: ClaudeFileState, counts: FoldCounts, out: UsageEvent[]): void {
  const e = out[out.length - 1]!;
  if (e.kind !== 'record' || !e.key || !e.claude) return;
  const responses = (st.responses ??= new Map());
  const p = responses.get(e.key);
  const a = p?.record;
  const b = e.record;
  if (!p || !a || p.claude!.sidechain !== e.claude.sidechain || a.model !== b.model || a.sessionId !== b.sessionId || (a.cwd ?? '') !== (b.cwd ?? '')) {
    responses.set(e.key, e);
    return;
  }
  out.pop();
  if (!moreComplete(a, b)) {
    counts.foldedDuplicates++;
    return;
  }
  b.timestamp = a.timestamp;
  p.record = b;
  counts.foldedReplaced++;
}
