// The usage ledger's state and its serialised forms: what a snapshot (usage-index.json) and a journal line hold, the
// record of what changed since the last save, and the conversions between them. No file I/O (ledgerFile.ts does it).

import type { CellRef } from './events';
import type { TokenCountsWithReasoning } from '../../shared/tokens';
import type { FileCursor } from './scanJob';
import type { AgentId, PlanWindows, UsageRecord, UsageRow } from './types';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { LazyKeyMap, LazyKeySet, filterOf } from './lazyCollections';

/**
 * Format of usage-index.json. 2: Claude responses keep their most complete streamed line (and lines without a
 * requestId count), Codex forks and copies count once, subagent replays set the baseline (issue #24). An index of an
 * older version is rebuilt from the logs once; the sessions whose logs are gone keep their old rows (see `legacy`).
 */
export const USAGE_INDEX_VERSION = 2;

/** Hourly totals per agent × model: enough for 5-hour blocks and intraday charts. */
export interface HourRow extends TokenCountsWithReasoning {
  /** Epoch ms of the start of the UTC hour. */
  hour: number;
  agent: AgentId;
  model: string;
  requests: number;
  costUSD: number;
  loggedCostUSD: number;
  unpricedRequests: number;
  firstTs: number;
  lastTs: number;
}

export interface Stored {
  record: UsageRecord;
  cost?: number;
  unpriced: boolean;
  priority?: number;
  /** Sidechain replays: the hashed key of the response (its more complete line replaces it). */
  key?: string;
}

/**
 * What was counted for one Claude response (hashed key → this), so that a more complete line of it, in the same scan
 * or a later one, replaces it: `ts|in|out|cacheRead|w5|w1h|web|cost|loggedCost|flags`, cost and loggedCost
 * empty when undefined, flags 1 = unpriced, 2 = fast. A string: ~50 bytes per response instead of a record object.
 */
export type ClaudeResp = string;
export const F_UNPRICED = 1;
export const F_FAST = 2;

export interface PendingTool {
  cell: string;
  name: string;
  ts: number;
}

export interface IndexFile {
  version: number;
  savedAt: number;
  cursors: Record<string, FileCursor>;
  seen: string[];
  claudeParents: string[];
  sidechains: Record<string, Stored[]>;
  replaceable: Record<string, Stored>;
  toolsSeen: string[];
  pendingTools: Array<[string, PendingTool]>;
  claudeResp?: Record<string, ClaudeResp>;
  codexSeries?: string[];
  rows: UsageRow[];
  hours: HourRow[];
  planWindows: PlanWindows[];
  /** Token of the journal that continues this snapshot. */
  journal?: string;
}

/** One journal line: what changed since the previous save (idempotent upserts, so replaying twice is harmless). */
export interface JournalEntry {
  rows?: UsageRow[];
  hours?: HourRow[];
  cursors?: Record<string, FileCursor>;
  seen?: string[];
  claudeParents?: string[];
  toolsSeen?: string[];
  /** null: deleted. */
  sidechains?: Record<string, Stored[] | null>;
  replaceable?: Record<string, Stored>;
  pendingDel?: string[];
  pendingAdd?: Array<[string, PendingTool]>;
  planWindows?: PlanWindows[];
  claudeResp?: Record<string, ClaudeResp>;
  codexSeries?: string[];
}

/** What changed since the last save, by key. */
export class Changes {
  rows = new Set<string>();
  hours = new Set<string>();
  cursors = new Set<string>();
  seen: string[] = [];
  claudeParents: string[] = [];
  toolsSeen: string[] = [];
  sidechains = new Set<string>();
  replaceable = new Set<string>();
  pendingAdd = new Set<string>();
  pendingDel = new Set<string>();
  claudeResp = new Set<string>();
  codexSeries: string[] = [];
  windows = false;
}

/** Collections that keep nothing: before a snapshot exists (and for an in-memory index) no journal line is ever
 * written, so what changed need not be recorded (a cold scan would otherwise list every key it saw twice). */
const discardSet: Set<string> = Object.assign(new Set<string>(), { add: () => discardSet });
const discardArray: string[] = Object.assign([] as string[], { push: () => 0 });
export function noChanges(): Changes {
  const c = new Changes();
  for (const k of ['rows', 'hours', 'cursors', 'sidechains', 'replaceable', 'pendingAdd', 'pendingDel', 'claudeResp'] as const) c[k] = discardSet;
  for (const k of ['seen', 'claudeParents', 'toolsSeen', 'codexSeries'] as const) c[k] = discardArray;
  return c;
}

export const SEP = '\u0000';
export const cellKeyOf = (day: string, c: CellRef): string => day + SEP + c.agent + SEP + c.model + SEP + c.cwd + SEP + c.sessionId;

/** The ledger's whole state: what a snapshot holds. */
export interface LedgerState {
  cursorMap: Record<string, FileCursor>;
  seen: LazyKeySet;
  claudeParents: LazyKeySet;
  sidechains: LazyKeyMap<Stored[]>;
  replaceable: LazyKeyMap<Stored>;
  toolsSeen: LazyKeySet;
  pendingTools: LazyKeyMap<PendingTool>;
  claudeResp: LazyKeyMap<ClaudeResp>;
  /** Hashes of `series|cumulative totals` of every Codex token-count event counted or recognised as copied. */
  codexSeries: LazyKeySet;
  rowMap: Map<string, UsageRow>;
  hourMap: Map<string, HourRow>;
  windows: PlanWindows[];
}

/** The dedup collections: parsed from a snapshot only when needed (lazyCollections.ts). */
export const LAZY_FIELDS = ['seen', 'claudeParents', 'sidechains', 'replaceable', 'toolsSeen', 'pendingTools', 'claudeResp', 'codexSeries'] as const;
export type LazyField = (typeof LAZY_FIELDS)[number];
/** The fields a snapshot's readers parse up front. */
export const EAGER_FIELDS = ['cursors', 'rows', 'hours', 'planWindows'] as const;
export type EagerField = (typeof EAGER_FIELDS)[number];

/**
 * Where each field's value lies in a snapshot written by snapshotParts: byte offsets `[start, end)` in the text after
 * the first line (the body), the body's length, and each dedup collection's filter and entry count. Older snapshots
 * (one JSON line) have none and are parsed whole.
 */
export interface SnapshotLayout {
  bytes: number;
  at: Record<EagerField | LazyField, [number, number]>;
  filters: Record<LazyField, string>;
  counts: Record<LazyField, number>;
  /**
   * A checksum of the dedup collections' values (their bytes one after the other, in LAZY_FIELDS order), checked when
   * the snapshot is read: a section parsed later, in the middle of a scan, is then known to be what was written.
   */
  sum: { alg: SumAlg; value: string };
}

/** crc32 where Node has it (20.15 and later), else SHA-256. */
export type SumAlg = 'crc32' | 'sha256';
export const SUM_ALG: SumAlg = typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? 'crc32' : 'sha256';

/** An incremental checksum of bytes; undefined when this Node lacks the algorithm. */
export function checksum(alg: SumAlg): { update: (b: Buffer | string) => void; digest: () => string } | undefined {
  if (alg === 'sha256') {
    const h = createHash('sha256');
    return { update: (b) => void h.update(b), digest: () => h.digest('hex') };
  }
  const crc32 = (zlib as { crc32?: (data: Buffer | string, value?: number) => number }).crc32;
  if (typeof crc32 !== 'function') return undefined;
  let v = 0;
  return { update: (b) => void (v = crc32(b, v)), digest: () => v.toString(16) };
}

export function emptyState(): LedgerState {
  return {
    cursorMap: {},
    seen: new LazyKeySet(),
    claudeParents: new LazyKeySet(),
    sidechains: new LazyKeyMap(),
    replaceable: new LazyKeyMap(),
    toolsSeen: new LazyKeySet(),
    pendingTools: new LazyKeyMap(),
    claudeResp: new LazyKeyMap(),
    codexSeries: new LazyKeySet(),
    rowMap: new Map(),
    hourMap: new Map(),
    windows: [],
  };
}

/** The aggregates by key. */
export function rowMapOf(rows: readonly UsageRow[]): Map<string, UsageRow> {
  const rowMap = new Map<string, UsageRow>();
  for (const r of rows) rowMap.set(cellKeyOf(r.day, r), r);
  return rowMap;
}
export function hourMapOf(hours: readonly HourRow[]): Map<string, HourRow> {
  const hourMap = new Map<string, HourRow>();
  for (const h of hours) hourMap.set(`${h.hour}${SEP}${h.agent}${SEP}${h.model}`, h);
  return hourMap;
}

/** The state a parsed snapshot holds (its journal not yet replayed). */
export function stateOf(v: IndexFile): LedgerState {
  return {
    cursorMap: v.cursors ?? {},
    seen: new LazyKeySet(undefined, v.seen ?? []),
    claudeParents: new LazyKeySet(undefined, v.claudeParents ?? []),
    sidechains: new LazyKeyMap(undefined, Object.entries(v.sidechains ?? {})),
    replaceable: new LazyKeyMap(undefined, Object.entries(v.replaceable ?? {})),
    toolsSeen: new LazyKeySet(undefined, v.toolsSeen ?? []),
    pendingTools: new LazyKeyMap(undefined, v.pendingTools ?? []),
    claudeResp: new LazyKeyMap(undefined, Object.entries(v.claudeResp ?? {})),
    codexSeries: new LazyKeySet(undefined, v.codexSeries ?? []),
    rowMap: rowMapOf(v.rows),
    hourMap: hourMapOf(v.hours ?? []),
    windows: v.planWindows ?? [],
  };
}

/** Changes made while a failed journal append was in flight join the ones it carried. */
export function mergeChanges(old: Changes, c: Changes): Changes {
  for (const k of ['rows', 'hours', 'cursors', 'sidechains', 'replaceable', 'pendingDel', 'claudeResp'] as const) for (const x of c[k]) old[k].add(x);
  for (const x of c.pendingAdd) old.pendingAdd.add(x);
  old.seen.push(...c.seen);
  old.codexSeries.push(...c.codexSeries);
  old.claudeParents.push(...c.claudeParents);
  old.toolsSeen.push(...c.toolsSeen);
  old.windows ||= c.windows;
  return old;
}

/** Applies one journal line to the state (idempotent upserts). */
export function replayEntry(st: LedgerState, e: JournalEntry): void {
  for (const r of e.rows ?? []) st.rowMap.set(cellKeyOf(r.day, r), r);
  for (const h of e.hours ?? []) st.hourMap.set(`${h.hour}${SEP}${h.agent}${SEP}${h.model}`, h);
  if (e.cursors) Object.assign(st.cursorMap, e.cursors);
  for (const k of e.seen ?? []) st.seen.add(k);
  for (const k of e.claudeParents ?? []) st.claudeParents.add(k);
  for (const k of e.toolsSeen ?? []) st.toolsSeen.add(k);
  for (const [k, v] of Object.entries(e.sidechains ?? {})) {
    if (v) st.sidechains.set(k, v);
    else st.sidechains.delete(k);
  }
  for (const [k, v] of Object.entries(e.replaceable ?? {})) st.replaceable.set(k, v);
  for (const k of e.pendingDel ?? []) st.pendingTools.delete(k);
  for (const [k, v] of e.pendingAdd ?? []) st.pendingTools.set(k, v);
  if (e.planWindows) st.windows = e.planWindows;
  for (const [k, v] of Object.entries(e.claudeResp ?? {})) st.claudeResp.set(k, v);
  for (const k of e.codexSeries ?? []) st.codexSeries.add(k);
}

/** The journal line for what changed since the last save. */
export function journalEntryOf(st: LedgerState, c: Changes): JournalEntry {
  const e: JournalEntry = {};
  const pick = <T>(keys: Set<string>, m: Map<string, T>) => [...keys].map((k) => m.get(k)).filter((x): x is T => x !== undefined);
  if (c.rows.size) e.rows = pick(c.rows, st.rowMap);
  if (c.hours.size) e.hours = pick(c.hours, st.hourMap);
  if (c.cursors.size) e.cursors = Object.fromEntries([...c.cursors].map((k) => [k, st.cursorMap[k]!]));
  if (c.seen.length) e.seen = c.seen;
  if (c.claudeParents.length) e.claudeParents = c.claudeParents;
  if (c.toolsSeen.length) e.toolsSeen = c.toolsSeen;
  if (c.sidechains.size) e.sidechains = Object.fromEntries([...c.sidechains].map((k) => [k, st.sidechains.get(k) ?? null]));
  if (c.replaceable.size) e.replaceable = Object.fromEntries([...c.replaceable].map((k) => [k, st.replaceable.get(k)!]));
  if (c.pendingDel.size) e.pendingDel = [...c.pendingDel];
  if (c.pendingAdd.size) e.pendingAdd = [...c.pendingAdd].map((k) => [k, st.pendingTools.get(k)!]);
  if (c.windows) e.planWindows = st.windows;
  if (c.claudeResp.size) e.claudeResp = Object.fromEntries([...c.claudeResp].map((k) => [k, st.claudeResp.get(k)!]));
  if (c.codexSeries.length) e.codexSeries = c.codexSeries;
  return e;
}

/**
 * The snapshot (an IndexFile) as consecutive pieces of one JSON text, one per field, all taken now (so the snapshot
 * is consistent even if the index changes while they are written). Written piece by piece, the largest piece and
 * not the whole text is ever encoded at once. The first piece is a line of its own: the object's start with the
 * version, the journal token and the layout (where each field's value lies, the dedup collections' filters), so a
 * reader parses the aggregates and leaves the dedup state until it needs it. The whole text is one JSON object all the
 * same (the newline is whitespace): a reader that knows no layout parses it whole.
 */
export function snapshotParts(st: LedgerState, journalToken: string | undefined): string[] {
  const body: string[] = [];
  let bytes = 0;
  const at = {} as SnapshotLayout['at'];
  const push = (s: string) => {
    body.push(s);
    bytes += Buffer.byteLength(s, 'utf8');
  };
  const sum = checksum(SUM_ALG)!;
  const field = (name: keyof SnapshotLayout['at'], value: unknown) => {
    push(`,"${name}":`);
    const start = bytes;
    const text = JSON.stringify(value);
    push(text);
    at[name] = [start, bytes];
    if ((LAZY_FIELDS as readonly string[]).includes(name)) sum.update(text);
  };
  field('cursors', st.cursorMap);
  field('seen', [...st.seen]);
  field('claudeParents', [...st.claudeParents]);
  field('sidechains', Object.fromEntries(st.sidechains));
  field('replaceable', Object.fromEntries(st.replaceable));
  field('toolsSeen', [...st.toolsSeen]);
  field('pendingTools', [...st.pendingTools]);
  field('claudeResp', Object.fromEntries(st.claudeResp));
  field('codexSeries', [...st.codexSeries]);
  // Rows and hours are the largest fields: a few thousand at a time.
  for (const [name, list] of [['rows', [...st.rowMap.values()]], ['hours', [...st.hourMap.values()]]] as const) {
    push(`,"${name}":`);
    const start = bytes;
    if (list.length === 0) push('[]');
    for (let i = 0; i < list.length; i += 2000) {
      const chunk = JSON.stringify(list.slice(i, i + 2000));
      push((i === 0 ? '' : ',') + (i === 0 ? chunk.slice(0, -1) : chunk.slice(1, -1)) + (i + 2000 >= list.length ? ']' : ''));
    }
    at[name] = [start, bytes];
  }
  field('planWindows', st.windows);
  push('}');
  const filters = {} as SnapshotLayout['filters'];
  const counts = {} as SnapshotLayout['counts'];
  for (const name of LAZY_FIELDS) {
    const c = st[name];
    const keys = c instanceof LazyKeySet ? [...c] : [...c.keys()];
    filters[name] = filterOf(keys);
    counts[name] = keys.length;
  }
  const layout: SnapshotLayout = { bytes, at, filters, counts, sum: { alg: SUM_ALG, value: sum.digest() } };
  const head = `{"version":${USAGE_INDEX_VERSION},"savedAt":${Date.now()}${journalToken ? `,"journal":${JSON.stringify(journalToken)}` : ''},"layout":${JSON.stringify(layout)}\n`;
  return [head, ...body];
}
