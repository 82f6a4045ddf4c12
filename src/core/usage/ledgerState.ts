// The usage ledger's state and its serialised forms: what a snapshot (usage-index.json) and a journal line hold, the
// record of what changed since the last save, and the conversions between them. No file I/O (ledgerFile.ts does it).

import type { CellRef } from './events';
import type { TokenCountsWithReasoning } from '../../shared/tokens';
import type { FileCursor } from './scanJob';
import type { AgentId, PlanWindows, UsageRecord, UsageRow } from './types';

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
  seen: Set<string>;
  claudeParents: Set<string>;
  sidechains: Map<string, Stored[]>;
  replaceable: Map<string, Stored>;
  toolsSeen: Set<string>;
  pendingTools: Map<string, PendingTool>;
  claudeResp: Map<string, ClaudeResp>;
  /** Hashes of `series|cumulative totals` of every Codex token-count event counted or recognised as copied. */
  codexSeries: Set<string>;
  rowMap: Map<string, UsageRow>;
  hourMap: Map<string, HourRow>;
  windows: PlanWindows[];
}

export function emptyState(): LedgerState {
  return {
    cursorMap: {},
    seen: new Set(),
    claudeParents: new Set(),
    sidechains: new Map(),
    replaceable: new Map(),
    toolsSeen: new Set(),
    pendingTools: new Map(),
    claudeResp: new Map(),
    codexSeries: new Set(),
    rowMap: new Map(),
    hourMap: new Map(),
    windows: [],
  };
}

/** The state a parsed snapshot holds (its journal not yet replayed). */
export function stateOf(v: IndexFile): LedgerState {
  const rowMap = new Map<string, UsageRow>();
  for (const r of v.rows) rowMap.set(cellKeyOf(r.day, r), r);
  const hourMap = new Map<string, HourRow>();
  for (const h of v.hours ?? []) hourMap.set(`${h.hour}${SEP}${h.agent}${SEP}${h.model}`, h);
  return {
    cursorMap: v.cursors ?? {},
    seen: new Set(v.seen ?? []),
    claudeParents: new Set(v.claudeParents ?? []),
    sidechains: new Map(Object.entries(v.sidechains ?? {})),
    replaceable: new Map(Object.entries(v.replaceable ?? {})),
    toolsSeen: new Set(v.toolsSeen ?? []),
    pendingTools: new Map(v.pendingTools ?? []),
    claudeResp: new Map(Object.entries(v.claudeResp ?? {})),
    codexSeries: new Set(v.codexSeries ?? []),
    rowMap,
    hourMap,
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
 * not the whole text is ever encoded at once.
 */
export function snapshotParts(st: LedgerState, journalToken: string | undefined): string[] {
  const parts: string[] = [`{"version":${USAGE_INDEX_VERSION},"savedAt":${Date.now()}${journalToken ? `,"journal":${JSON.stringify(journalToken)}` : ''}`];
  const field = (name: keyof IndexFile, value: unknown) => parts.push(`,"${name}":${JSON.stringify(value)}`);
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
    if (list.length === 0) parts.push(`,"${name}":[]`);
    for (let i = 0; i < list.length; i += 2000) {
      const chunk = JSON.stringify(list.slice(i, i + 2000));
      parts.push((i === 0 ? `,"${name}":` : ',') + (i === 0 ? chunk.slice(0, -1) : chunk.slice(1, -1)) + (i + 2000 >= list.length ? ']' : ''));
    }
  }
  field('planWindows', st.windows);
  parts.push('}');
  return parts;
}
