// One scan pass over the agents' folders: discover files, read only what changed since the cursors the caller passes
// in, and return usage events plus the new cursors. Self-contained and serialisable in both directions, so it runs
// unchanged in a worker thread (usageWorker.ts) or, as a fallback, in-process with periodic yields.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { UsageEvent } from './events';
import type { AgentId, PlanWindows } from './types';
import type { ResolvedSources } from './sources';
import {
  LineOutcome,
  CLAUDE_USAGE_NEEDLE,
  claudeRelevantBytes,
  claudeRelevantLineBytes,
  codexLineBytes,
  copilotCliLine,
  copilotSessionOfPath,
  geminiJsonFile,
  geminiLine,
  opencodeMessage,
  parseJsonObject,
  type ClaudeFileState,
  type CodexFileState,
  type CopilotCliFileState,
  type GeminiFileState,
} from './parsers';
import { loadSqlJs, openDatabaseBytes, readOpencodeMessages } from './sqlite';
import { ByteSchema, FALLBACK, parseSelectiveBytes } from './selectiveJson';

export type FileKind = 'claude' | 'codex' | 'gemini-json' | 'gemini-jsonl' | 'opencode-db' | 'opencode-json' | 'copilot-cli';

/** What is remembered per file between scans. */
export interface FileCursor {
  kind: FileKind;
  agent: AgentId;
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** Byte offset just after the last complete line consumed. */
  offset: number;
  /** Parser continuation (Codex model/totals, Gemini session id, opencode -wal stat). */
  state?: unknown;
  /**
   * `offset` is inside a line longer than the line cap, already skipped up to there: the next read discards bytes
   * up to the next newline instead of parsing them.
   */
  skipping?: boolean;
  /** The file was not found by the last scan; what it contributed stays in the aggregates. */
  missing?: boolean;
}

export interface ScanJobInput {
  sources: ResolvedSources;
  cursors: Record<string, FileCursor>;
  /** sql-wasm.wasm location (opencode); undefined → next to this module or in node_modules. */
  sqlWasmPath?: string;
  /** Yield to the event loop after this many ms of work (in-process fallback). Undefined: never yield (worker). */
  yieldEveryMs?: number;
  /** Read buffer size (tests use small ones to cross chunk boundaries). Default 1 MiB. */
  chunkBytes?: number;
  /**
   * Longest line read (default MAX_LINE_BYTES, 16 MiB). A longer one is skipped without being held whole in memory,
   * counted in `oversizeLines`, and the cursor moves past it, so an append never makes it be read again.
   */
  maxLineBytes?: number;
  /**
   * Streams the output: called with the events and cursors of whole files whenever at least `batchEvents` events
   * are pending, so the caller can fold them in while reading goes on and no scan ever holds all its events at once.
   * The final output then carries only what was not handed over yet. Order is preserved.
   */
  onBatch?: (batch: ScanBatch) => void | Promise<void>;
  /** Events per batch (default 512: small batches die young in the worker's heap and keep the host's work even). */
  batchEvents?: number;
  /**
   * Only these files (known ones, from their cursors; the host takes them from what the file watcher reported):
   * no discovery and no missing-file detection. The output is `partial`; a file that is gone or is no longer a
   * regular file makes it `incomplete` (the caller then runs a full scan).
   */
  only?: ScanTarget[];
  /**
   * false: read usage records only, no tool calls or results (the CLI, which reports no tool figures). Claude lines
   * without `"usage"` are then not even split out of the read buffer, and the tool parts of a line are not built.
   * Default true (the extension's dashboard shows tool counts and durations).
   */
  tools?: boolean;
}

/** A known file to rescan: what discovery would have found for it. */
export interface ScanTarget {
  id: string;
  kind: FileKind;
  agent: AgentId;
  path: string;
  /** Codex: CODEX_HOME. */
  home?: string;
}

/** Part of a scan's output: the events and the new cursors of the files they came from. */
export interface ScanBatch {
  events: UsageEvent[];
  cursors: Record<string, FileCursor>;
  /** How far a full scan has come: files looked at of those found (a batch may carry only this). */
  progress?: ScanProgress;
}

export interface ScanProgress {
  done: number;
  total: number;
}

/** A progress-only batch goes out at most this often (the files in between are counted in the next). */
export const PROGRESS_EVERY_MS = 250;

export interface ScanJobStats {
  filesSeen: number;
  filesRead: number;
  bytesRead: number;
  linesParsed: number;
  malformedLines: number;
  /** Well-formed lines with an implausible value (parsers.ts LOG_LIMITS): nothing of them is counted. */
  rejectedLines: number;
  /** Lines longer than the line cap, skipped. */
  oversizeLines: number;
  errors: number;
  durationMs: number;
  /** Lines of streamed Claude responses folded into the response's event by the reader (claude.ts foldStreamed). */
  foldedReplaced: number;
  foldedDuplicates: number;
}

export function emptyJobStats(): ScanJobStats {
  return { filesSeen: 0, filesRead: 0, bytesRead: 0, linesParsed: 0, malformedLines: 0, rejectedLines: 0, oversizeLines: 0, errors: 0, durationMs: 0, foldedReplaced: 0, foldedDuplicates: 0 };
}

export interface ScanJobOutput {
  events: UsageEvent[];
  /** New or changed cursors (by id). */
  cursors: Record<string, FileCursor>;
  /** Cursor ids whose files disappeared. */
  missing: string[];
  planWindows: PlanWindows[];
  stats: ScanJobStats;
  /** Per-file problems, without contents (paths are the user's own). */
  warnings: string[];
  /** Only some files were looked at (`only`): plan windows merge into the known ones instead of replacing them. */
  partial?: boolean;
  /** A targeted file was gone or replaced by something else: a full scan is needed to account for it. */
  incomplete?: boolean;
}

const MAX_DEPTH = 10;
/**
 * Longest log line read: 16 MiB. Real lines are a few KB (a bulky tool result a few MB); a longer one (a damaged file,
 * a runaway write without a newline) is skipped and the cursor moves past it.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

// readdirSync: one folder listing is tens of microseconds; awaiting a thread-pool round trip per folder made
// discovery of ~2 000 folders dominate a no-change rescan. The in-process fallback still yields between folders.
async function walk(dir: string, depth: number, onFile: (p: string, name: string) => void, y: Yielder): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // missing or unreadable folder: nothing to read
  }
  for (const e of entries) {
    const p = dir + path.sep + e.name;
    if (e.isDirectory()) {
      if (depth < MAX_DEPTH) await walk(p, depth + 1, onFile, y);
    } else if (e.isFile() || e.isSymbolicLink()) onFile(p, e.name);
  }
  await y.maybe();
}

class Yielder {
  private last = Date.now();
  constructor(private readonly every: number | undefined) {}
  async maybe(): Promise<void> {
    if (this.every === undefined) return;
    if (Date.now() - this.last < this.every) return;
    await new Promise<void>((r) => setImmediate(r));
    this.last = Date.now();
  }
}

async function discover(src: ResolvedSources, y: Yielder): Promise<ScanTarget[]> {
  const found: ScanTarget[] = [];
  for (const root of src.claude) {
    await walk(path.join(root, 'projects'), 0, (p, name) => {
      if (name.endsWith('.jsonl')) found.push({ id: p, kind: 'claude', agent: 'claude-code', path: p });
    }, y);
  }
  for (const home of src.codex) {
    // Codex moves finished rollouts to archived_sessions/: the file name identifies the rollout, sessions/ wins.
    const byName = new Map<string, ScanTarget>();
    await walk(path.join(home, 'sessions'), 0, (p, name) => {
      if (name.endsWith('.jsonl')) byName.set(name, { id: `codex:${home}:${name}`, kind: 'codex', agent: 'codex', path: p, home });
    }, y);
    await walk(path.join(home, 'archived_sessions'), 0, (p, name) => {
      if (name.endsWith('.jsonl') && !byName.has(name)) byName.set(name, { id: `codex:${home}:${name}`, kind: 'codex', agent: 'codex', path: p, home });
    }, y);
    // In name order, which is creation order (`rollout-<timestamp>-<uuid>.jsonl`): a forked rollout is read after the
    // one it was forked from, so its copied history is recognised as such (see UsageIndex, Codex series).
    found.push(...[...byName.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]));
  }
  for (const root of src.gemini) {
    await walk(root, 0, (p, name) => {
      // Only chat transcripts: the Gemini folder also holds settings and credentials, which are never opened.
      if (path.basename(path.dirname(p)) !== 'chats') return;
      if (name.endsWith('.json')) found.push({ id: p, kind: 'gemini-json', agent: 'gemini-cli', path: p });
      else if (name.endsWith('.jsonl')) found.push({ id: p, kind: 'gemini-jsonl', agent: 'gemini-cli', path: p });
    }, y);
  }
  for (const root of src.opencode) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(root);
    } catch {
      /* absent */
    }
    for (const n of names.sort()) {
      if (n === 'opencode.db' || (n.startsWith('opencode-') && n.endsWith('.db'))) {
        const p = path.join(root, n);
        found.push({ id: p, kind: 'opencode-db', agent: 'opencode', path: p });
      }
    }
    await walk(path.join(root, 'storage', 'message'), 0, (p, name) => {
      if (name.endsWith('.json')) found.push({ id: p, kind: 'opencode-json', agent: 'opencode', path: p });
    }, y);
  }
  for (const home of src.copilot ?? []) {
    // `session-state/<id>/events.jsonl` (and old flat `session-state/<id>.jsonl`); the folders beside the events
    // (checkpoints/, files/) hold the user's files and are never opened nor listed (one level below the root only).
    const root = path.join(home, 'session-state');
    await walk(root, MAX_DEPTH - 1, (p, name) => {
      if (isCopilotEvents(p, name, root)) found.push({ id: p, kind: 'copilot-cli', agent: 'copilot-cli', path: p });
    }, y);
  }
  return found;
}

/** The files a full scan would look at, in the order it reads them (UsageScanner splits a cold scan by them). */
export function discoverFiles(src: ResolvedSources): Promise<ScanTarget[]> {
  return discover(src, new Yielder(undefined));
}

function isCopilotEvents(p: string, name: string, root: string): boolean {
  const dir = path.dirname(p);
  if (name === 'events.jsonl') return path.dirname(dir) === root;
  return name.endsWith('.jsonl') && dir === root;
}

/**
 * Whether discovery could pick the file at `p` (by its path alone: the same folders, names and extensions as
 * `discover`). The scanner uses it to tell a new transcript, which needs a full scan, from the other files the agents
 * keep next to them, which a watcher event about can be ignored.
 */
export function mayBeSource(p: string, src: ResolvedSources): boolean {
  const name = path.basename(p);
  const under = (root: string) => p.startsWith(root + path.sep);
  if (name.endsWith('.jsonl')) {
    for (const root of src.claude) if (under(path.join(root, 'projects'))) return true;
    for (const home of src.codex) if (under(path.join(home, 'sessions')) || under(path.join(home, 'archived_sessions'))) return true;
  }
  if ((name.endsWith('.json') || name.endsWith('.jsonl')) && path.basename(path.dirname(p)) === 'chats') {
    for (const root of src.gemini) if (under(root)) return true;
  }
  for (const root of src.opencode) {
    if (name.endsWith('.json') && under(path.join(root, 'storage', 'message'))) return true;
    if (path.dirname(p) === root && (name === 'opencode.db' || (name.startsWith('opencode-') && name.endsWith('.db')))) return true;
  }
  for (const home of src.copilot ?? []) {
    const root = path.join(home, 'session-state');
    if (under(root) && isCopilotEvents(p, name, root)) return true;
  }
  return false;
}

function sessionFromName(p: string): string {
  return path.basename(p).replace(/\.jsonl?$/, '');
}

interface ReadCtx {
  stats: ScanJobStats;
  events: UsageEvent[];
  chunk: number;
  maxLine: number;
  /** The read buffer, reused across files (`chunk` bytes unless a longer line needed more). */
  buf: Buffer;
  y: Yielder;
}

/**
 * Reads [start, end) line by line. Only complete lines are handed over; a trailing partial line is consumed only when
 * it is already a complete JSON object (a writer that has not yet written its newline). A line longer than
 * `ctx.maxLine` is skipped (never held whole): the bytes up to its newline are discarded, and when the file ends
 * inside it the cursor still moves past what was read, with `skipping` set so the next read goes on discarding.
 * Returns the new offset and whether it is inside a skipped line.
 */
type OnLine = (buf: Buffer, s: number, e: number, lineStart: number) => LineOutcome;
const decoded =
  (f: (line: string, lineStart: number) => LineOutcome): OnLine =>
  (buf, s, e, at) =>
    f(buf.toString('utf8', s, e), at);

/**
 * `needle`: only lines holding it are handed over. The read buffer is then searched for the needle, not split into
 * lines: a line without it is never looked at beyond that search (its line end is found only for the last one).
 */
async function readLines(file: string, start: number, end: number, ctx: ReadCtx, onLine: OnLine, skipFirst = false, needle?: Buffer): Promise<{ offset: number; skipping: boolean }> {
  const fd = fs.openSync(file, 'r');
  let offset = start;
  let skipping = skipFirst;
  try {
    // One buffer for the whole scan: the unfinished line of a chunk moves to its front and the next read goes after it
    // (a line longer than the buffer doubles it, up to the line cap). Lines are parsed from it in place; nothing keeps
    // a reference to it.
    let buf = ctx.buf;
    let pos = start;
    let carry = 0;
    let carryStart = start;
    while (pos < end) {
      if (carry >= ctx.maxLine) {
        // An oversize line: drop what is held of it and discard up to its newline.
        ctx.stats.oversizeLines++;
        skipping = true;
        carry = 0;
      } else if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, Math.max(ctx.maxLine, ctx.chunk)));
        buf.copy(bigger, 0, 0, carry);
        buf = ctx.buf = bigger;
      }
      const want = Math.min(buf.length - carry, end - pos);
      const n = fs.readSync(fd, buf, carry, want, pos);
      if (n <= 0) break;
      ctx.stats.bytesRead += n;
      const len = carry + n;
      const dataStart = carry ? carryStart : pos;
      pos += n;
      let s = 0;
      if (skipping) {
        const nl = buf.indexOf(10, carry);
        if (nl < 0 || nl >= len) {
          // Still inside the skipped line: what was read is consumed.
          carry = 0;
          offset = pos;
          await ctx.y.maybe();
          continue;
        }
        skipping = false;
        s = nl + 1;
        offset = dataStart + s;
      }
      if (needle) {
        // The complete lines end at the buffer's last newline; within them, only the lines holding the needle.
        const last = buf.lastIndexOf(10, len - 1);
        if (last >= s) {
          for (;;) {
            const at = buf.indexOf(needle, s);
            if (at < 0 || at >= last) break;
            const ls = Math.max(s, buf.lastIndexOf(10, at) + 1);
            const nl = buf.indexOf(10, at);
            feed(buf, ls, nl, dataStart + ls, ctx, onLine);
            s = nl + 1;
          }
          s = last + 1;
          offset = dataStart + s;
        }
      } else {
        for (;;) {
          const nl = buf.indexOf(10, s);
          if (nl < 0 || nl >= len) break;
          if (nl > s) feed(buf, s, nl, dataStart + s, ctx, onLine);
          s = nl + 1;
          offset = dataStart + s;
        }
      }
      carry = len - s;
      if (carry > 0) {
        buf.copy(buf, 0, s, len);
        carryStart = dataStart + s;
      }
      await ctx.y.maybe();
    }
    if (carry >= ctx.maxLine) {
      // The file ends inside an oversize line: skip what is there, go on skipping at the next read.
      ctx.stats.oversizeLines++;
      skipping = true;
      offset = carryStart + carry;
    } else if (carry > 0 && !skipping) {
      if ((!needle || buf.subarray(0, carry).includes(needle)) && isWholeObject(buf, carry)) {
        feed(buf, 0, carry, carryStart, ctx, onLine);
        offset = carryStart + carry;
      }
    }
    // A doubled buffer is not kept beyond this file.
    if (ctx.buf.length > ctx.chunk) ctx.buf = Buffer.allocUnsafe(ctx.chunk);
  } finally {
    fs.closeSync(fd);
  }
  return { offset, skipping };
}

/** Validates without building anything (no read keys). */
const WHOLE = new ByteSchema([], new Set());

/**
 * Whether b[0, n), a file's last bytes after its last newline, is already one whole JSON object: what parseJsonObject
 * says, without decoding the bytes and without an exception for the usual answer, a line cut short (a thrown
 * SyntaxError, with its stack, per file made this a visible part of a cold read).
 */
function isWholeObject(b: Buffer, n: number): boolean {
  const r = parseSelectiveBytes(b, 0, n, WHOLE);
  return r === FALLBACK ? parseJsonObject(b.toString('utf8', 0, n)) !== undefined : r !== undefined;
}

function feed(buf: Buffer, s: number, e: number, at: number, ctx: ReadCtx, onLine: OnLine): void {
  const r = onLine(buf, s, e, at);
  if (r === LineOutcome.Parsed) ctx.stats.linesParsed++;
  else if (r === LineOutcome.Malformed) ctx.stats.malformedLines++;
  else if (r === LineOutcome.Rejected) ctx.stats.rejectedLines++;
}

function sameIdentity(c: FileCursor, st: fs.Stats): boolean {
  return c.dev === st.dev && c.ino === st.ino;
}

function unchanged(c: FileCursor, st: fs.Stats): boolean {
  return sameIdentity(c, st) && c.size === st.size && c.mtimeMs === st.mtimeMs;
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** What the index does with a scan's cursor changes; the long-lived worker mirrors it to keep its own copy. */
export function applyCursorChanges(map: Record<string, FileCursor>, cursors: Record<string, FileCursor>, missing: readonly string[]): void {
  for (const id in cursors) map[id] = cursors[id]!;
  for (const id of missing) {
    const c = map[id];
    if (c) map[id] = { ...c, missing: true };
  }
}

export async function runScanJob(input: ScanJobInput): Promise<ScanJobOutput> {
  const t0 = Date.now();
  const y = new Yielder(input.yieldEveryMs);
  const stats = emptyJobStats();
  const events: UsageEvent[] = [];
  const chunk = Math.max(64, input.chunkBytes ?? 1 << 20);
  const maxLine = Math.max(64, input.maxLineBytes ?? MAX_LINE_BYTES);
  const ctx: ReadCtx = { stats, events, chunk, maxLine, buf: Buffer.allocUnsafe(Math.min(chunk, maxLine)), y };
  const out: ScanJobOutput = { events, cursors: {}, missing: [], planWindows: [], stats, warnings: [] };
  const batchEvents = Math.max(1, input.batchEvents ?? 512);
  const partial = input.only !== undefined;
  const found = input.only ?? (await discover(input.sources, y));
  // A full scan says how far it has come, so the first one (gigabytes of logs) can show "reading 1,240 of 3,012".
  const progress: ScanProgress | undefined = partial ? undefined : { done: 0, total: found.length };
  let progressAt = 0;
  const flush = async (withProgress = false) => {
    const hasData = ctx.events.length > 0 || Object.keys(out.cursors).length > 0;
    if (!input.onBatch || (!hasData && !withProgress)) return;
    const batch: ScanBatch = { events: ctx.events, cursors: out.cursors, ...(progress ? { progress: { ...progress } } : {}) };
    if (progress) progressAt = Date.now();
    ctx.events = [];
    out.cursors = {};
    await input.onBatch(batch);
  };
  if (progress) await flush(true);
  const seen = new Set<string>();
  const windowsByHome = new Map<string, PlanWindows>();

  for (const f of found) {
    if (progress) {
      progress.done++;
      if (input.onBatch && Date.now() - progressAt >= PROGRESS_EVERY_MS) await flush(true);
    }
    if (seen.has(f.id)) continue;
    seen.add(f.id);
    const st = statOrUndefined(f.path);
    if (!st || !st.isFile()) {
      if (partial) out.incomplete = true;
      continue;
    }
    stats.filesSeen++;
    const prev = input.cursors[f.id];
    const walStat = f.kind === 'opencode-db' ? statOrUndefined(f.path + '-wal') : undefined;
    if (prev && !prev.missing && prev.path === f.path && unchanged(prev, st)) {
      if (f.kind !== 'opencode-db' || sameWal(prev.state, walStat)) {
        collectWindows(prev, windowsByHome);
        continue;
      }
    }
    try {
      const cur = await readFile(f, st, prev, walStat, ctx, input);
      out.cursors[f.id] = cur;
      stats.filesRead++;
      collectWindows(cur, windowsByHome);
      if (input.onBatch && ctx.events.length >= batchEvents) await flush();
    } catch (e) {
      stats.errors++;
      out.warnings.push(`cannot read ${f.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    await y.maybe();
  }
  if (partial) out.partial = true;
  else {
    for (const [id, c] of Object.entries(input.cursors)) {
      if (!seen.has(id) && !c.missing) out.missing.push(id);
      else if (!seen.has(id)) collectWindows(c, windowsByHome);
    }
  }
  out.events = ctx.events;
  out.planWindows = [...windowsByHome.values()];
  stats.durationMs = Date.now() - t0;
  return out;
}

function sameWal(state: unknown, wal: fs.Stats | undefined): boolean {
  const s = (state ?? {}) as { walSize?: number; walMtimeMs?: number };
  return (s.walSize ?? -1) === (wal?.size ?? -1) && (s.walMtimeMs ?? -1) === (wal?.mtimeMs ?? -1);
}

function collectWindows(c: FileCursor, into: Map<string, PlanWindows>): void {
  if (c.kind !== 'codex') return;
  const s = c.state as CodexFileState | undefined;
  if (!s?.windows?.length) return;
  const cur = into.get(s.home);
  if (!cur || (cur.windows[0]?.observedAt ?? 0) < s.windows[0]!.observedAt) into.set(s.home, { agent: 'codex', home: s.home, windows: s.windows });
}

async function readFile(f: ScanTarget, st: fs.Stats, prev: FileCursor | undefined, wal: fs.Stats | undefined, ctx: ReadCtx, input: ScanJobInput): Promise<FileCursor> {
  const base = { kind: f.kind, agent: f.agent, path: f.path, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  // Append-only files continue from the last complete line unless the file was replaced (new inode) or truncated.
  const cont = prev && !prev.missing && sameIdentity(prev, st) && st.size >= prev.offset ? prev : undefined;
  switch (f.kind) {
    case 'claude': {
      const usageOnly = input.tools === false;
      const state: ClaudeFileState = { fileSessionId: sessionOfClaudePath(f.path), fold: ctx.stats };
      if (usageOnly) state.tools = false;
      // Lines without the three markers are never decoded (claudeLine's own test, on the raw bytes); usage only, lines
      // without `"usage"` are not even split out (readLines hands over only those holding it).
      const onLine: OnLine = usageOnly
        ? (b, s, e) => claudeRelevantLineBytes(b, s, e, state, ctx.events)
        : (b, s, e) => (claudeRelevantBytes(b, s, e) ? claudeRelevantLineBytes(b, s, e, state, ctx.events) : LineOutcome.Ignored);
      const r = await readLines(f.path, cont?.offset ?? 0, st.size, ctx, onLine, cont?.skipping, usageOnly ? CLAUDE_USAGE_NEEDLE : undefined);
      return { ...base, ...lineCursor(r) };
    }
    case 'codex': {
      const start = cont?.offset ?? 0;
      const fresh: CodexFileState = { fileKey: path.basename(f.path), home: f.home ?? '', sessionId: sessionFromName(f.path) };
      const state: CodexFileState = cont?.state ? { ...(cont.state as CodexFileState) } : fresh;
      if (start === 0) state.subagent = headHas(f.path, 'thread_spawn', 16 * 1024, ctx);
      state.fallbackTs = st.mtimeMs;
      const r = await readLines(f.path, start, st.size, ctx, (b, s, e, at) => codexLineBytes(b, s, e, at, state, ctx.events, input.tools !== false), cont?.skipping);
      return { ...base, ...lineCursor(r), state };
    }
    case 'gemini-jsonl': {
      const state: GeminiFileState = cont?.state ? { ...(cont.state as GeminiFileState) } : { sessionId: sessionFromName(f.path) };
      const r = await readLines(f.path, cont?.offset ?? 0, st.size, ctx, decoded((l) => geminiLine(l, state, ctx.events)), cont?.skipping);
      return { ...base, ...lineCursor(r), state };
    }
    case 'copilot-cli': {
      const state: CopilotCliFileState = cont?.state ? { ...(cont.state as CopilotCliFileState) } : { sessionId: copilotSessionOfPath(f.path) };
      const r = await readLines(f.path, cont?.offset ?? 0, st.size, ctx, decoded((l) => copilotCliLine(l, state, ctx.events)), cont?.skipping);
      return { ...base, ...lineCursor(r), state };
    }
    case 'gemini-json': {
      // Rewritten in place on every message: read whole; the ledger replaces by message id.
      if (tooBig(st, ctx)) return { ...base, offset: st.size };
      const buf = fs.readFileSync(f.path);
      ctx.stats.bytesRead += buf.length;
      const r = geminiJsonFile(buf.toString('utf8'), sessionFromName(f.path), ctx.events);
      if (r === LineOutcome.Malformed) {
        ctx.stats.malformedLines++;
        // Half-written file: keep the old cursor so the next change re-reads it.
        return { ...base, size: -1, offset: 0 };
      }
      ctx.stats.linesParsed++;
      return { ...base, offset: buf.length };
    }
    case 'opencode-json': {
      if (tooBig(st, ctx)) return { ...base, offset: st.size };
      const buf = fs.readFileSync(f.path);
      ctx.stats.bytesRead += buf.length;
      const obj = parseJsonObject(buf.toString('utf8'));
      if (!obj) {
        ctx.stats.malformedLines++;
        return { ...base, size: -1, offset: 0 };
      }
      ctx.stats.linesParsed++;
      opencodeMessage(obj, undefined, path.basename(path.dirname(f.path)), 1, ctx.events);
      return { ...base, offset: buf.length };
    }
    case 'opencode-db': {
      const sql = await loadSqlJs(input.sqlWasmPath);
      const bytes = fs.readFileSync(f.path);
      ctx.stats.bytesRead += bytes.length;
      const db = openDatabaseBytes(sql, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      try {
        for (const row of readOpencodeMessages(db)) {
          let data: unknown;
          try {
            data = JSON.parse(row.data);
          } catch {
            ctx.stats.malformedLines++;
            continue;
          }
          ctx.stats.linesParsed++;
          opencodeMessage(data, row.id, row.sessionId, 2, ctx.events);
        }
      } finally {
        db.close();
      }
      return { ...base, offset: bytes.length, state: { walSize: wal?.size ?? -1, walMtimeMs: wal?.mtimeMs ?? -1 } };
    }
  }
}

/**
 * A file read whole as one JSON document (Gemini chats, opencode's legacy messages) may be at most 4 line caps
 * (64 MiB by default): a larger one is skipped, counted as an oversize line, until it changes.
 */
function tooBig(st: fs.Stats, ctx: ReadCtx): boolean {
  if (st.size <= ctx.maxLine * 4) return false;
  ctx.stats.oversizeLines++;
  return true;
}

function lineCursor(r: { offset: number; skipping: boolean }): { offset: number; skipping?: true } {
  return r.skipping ? { offset: r.offset, skipping: true } : { offset: r.offset };
}

/** `projects/<cwd>/<session>.jsonl` → session; nested `projects/<cwd>/<session>/subagents/x.jsonl` → session. */
function sessionOfClaudePath(p: string): string {
  const parts = p.split(/[\\/]/);
  const i = parts.lastIndexOf('projects');
  if (i >= 0 && parts.length > i + 3) return parts[i + 2]!;
  return sessionFromName(p);
}

function headHas(file: string, needle: string, bytes: number, ctx: ReadCtx): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    ctx.stats.bytesRead += n;
    return buf.subarray(0, n).includes(needle);
  } finally {
    fs.closeSync(fd);
  }
}
