// The persistent usage ledger: file cursors, the dedup state that lets reading continue across scans and restarts,
// and the aggregates. Aggregates are only ever added to (or corrected when a replaceable row changes), never rebuilt
// from the files, so history survives the agents deleting old transcripts.
//
// Files: `<folder>/usage-index.json`, the snapshot, versioned, written atomically (temp file + rename) like the snapshot
// store; and `<folder>/usage-index.journal`, one JSON line per save since that snapshot holding only what changed
// (upserted rows, cursors, new dedup keys…). A rescan that touched a dozen files appends a few KB instead of
// re-serialising megabytes; the journal is folded into a new snapshot when it grows past half the snapshot, and on close.
// The journal's first line names the snapshot it continues (a token stored in both), so a journal left behind by a
// crash between writing a snapshot and removing the old journal is ignored, and a torn last line is dropped.
// What the files hold is in ledgerState.ts, their reading and writing in ledgerFile.ts; this class keeps the state and
// does the counting.

import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { UsageEvent, CellRef } from './events';
import { applyCursorChanges, type FileCursor, type ScanJobOutput } from './scanJob';
import type { PlanWindows, PriceFn, ToolAggregate, UsageRecord, UsageRow } from './types';
import { nullLogger, type Logger } from '../log';
import { appendFilePrivate } from '../privateFs';
import { hashKey } from './hashKey';
import { moreComplete } from './parsers/claude';
import {
  COMPACT_MIN_BYTES,
  COMPACT_RATIO,
  FILE,
  JOURNAL,
  LEGACY_FILE,
  parseSnapshot,
  readDayRowsFast,
  readLegacyFile,
  replayJournalFile,
  writeLegacyFile,
  writeSnapshotFile,
} from './ledgerFile';
import {
  Changes,
  F_FAST,
  F_UNPRICED,
  LAZY_FIELDS,
  SEP,
  USAGE_INDEX_VERSION,
  cellKeyOf,
  emptyState,
  journalEntryOf,
  mergeChanges,
  noChanges,
  snapshotParts,
  stateOf,
  type ClaudeResp,
  type HourRow,
  type JournalEntry,
  type LazyField,
  type LedgerState,
} from './ledgerState';

export { USAGE_INDEX_VERSION, type HourRow } from './ledgerState';

/** Unanswered tool calls kept for duration matching; older ones are forgotten first. */
const MAX_PENDING_TOOLS = 20_000;

export interface ApplyStats {
  records: number;
  duplicates: number;
  replaced: number;
  sidechainsDropped: number;
  tools: number;
}

export interface UsageIndexOptions {
  /** Folder for usage-index.json; undefined keeps everything in memory (tests, CLI). */
  folder?: string;
  log?: Logger;
  /** Prices each new record (the pricing engine). */
  price?: PriceFn;
  /** Day bucket of a timestamp; default the local calendar day `YYYY-MM-DD`. */
  dayOf?: (ts: number) => string;
}

export function localDay(ts: number): string {
  const d = new Date(ts);
  const m = d.getMonth() + 1;
  const day = d.getDate();
  return `${d.getFullYear()}-${m < 10 ? '0' : ''}${m}-${day < 10 ? '0' : ''}${day}`;
}

/**
 * localDay, remembering the last day's bounds: a scan's events come mostly in time order, so most calls fall in the
 * day before and need no Date. The bounds are the local midnights (Date's own calendar arithmetic, DST included).
 */
export function memoLocalDay(): (ts: number) => string {
  let lo = 1;
  let hi = 0;
  let day = '';
  return (ts) => {
    if (ts >= lo && ts < hi) return day;
    day = localDay(ts);
    const d = new Date(ts);
    lo = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    hi = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
    return day;
  };
}

function respOf(r: UsageRecord, cost: number | undefined, unpriced: boolean): ClaudeResp {
  const flags = (unpriced ? F_UNPRICED : 0) | (r.speed === 'fast' ? F_FAST : 0);
  // One flat string (join), not a tree of concatenated pieces: ~100 bytes per response instead of ~600.
  return [r.timestamp, r.inputTokens, r.outputTokens, r.cacheReadTokens, r.cacheWrite5mTokens, r.cacheWrite1hTokens, r.webSearchRequests, cost ?? '', r.costUSD ?? '', flags].join('|');
}
const HOUR = 3_600_000;

function emptyRow(day: string, c: CellRef): UsageRow {
  return {
    day,
    agent: c.agent,
    model: c.model,
    cwd: c.cwd,
    sessionId: c.sessionId,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    webSearchRequests: 0,
    requests: 0,
    fastRequests: 0,
    loggedCostUSD: 0,
    loggedCostRequests: 0,
    costUSD: 0,
    unpricedRequests: 0,
    fallbackModelRequests: 0,
    tools: {},
    // 0 = no request yet (a row may hold only tool calls); JSON has no Infinity.
    firstTs: 0,
    lastTs: 0,
  };
}

/**
 * The rows of one day from the persisted index (snapshot + journal), read-only and without building the index: only
 * that day's rows are parsed (ledgerFile.ts, `readDayRowsFast`), so `tokstat guard --max-cost-today` answers in
 * milliseconds from a year of history. When the snapshot does not have the expected layout it falls back to a full
 * read-only `load()`. `missing`: no usable index, with the reason as `UsageIndex.rebuildReason` gives it. Nothing is
 * written.
 */
export async function readDayRows(folder: string, day: string): Promise<{ rows: UsageRow[] } | { missing: 'none' | 'version' | 'corrupt' }> {
  const fast = await readDayRowsFast(folder, day);
  if (fast !== 'fallback') return fast;
  const index = new UsageIndex({ folder });
  await index.load();
  return index.rebuildReason ? { missing: index.rebuildReason } : { rows: index.rows().filter((r) => r.day === day) };
}

export class UsageIndex {
  private readonly folder: string | undefined;
  private readonly log: Logger;
  private price: PriceFn | undefined;
  private readonly dayOf: (ts: number) => string;

  /** Everything the snapshot holds: cursors, dedup state and the aggregates. */
  private st: LedgerState = emptyState();
  /**
   * Rows of an index of an older format, kept until the first full scan of the rebuild: then the rows of sessions no
   * log mentions any more (transcripts the agents deleted) join the new index, so upgrading loses no history.
   */
  private legacy: UsageRow[] | undefined;
  /** The legacy rows were merged: the next save removes their file. */
  private legacyMerged = false;
  /** Why the last load() started from an empty index: 'none' (no index yet), 'version' (older format), 'corrupt'. */
  rebuildReason: 'none' | 'version' | 'corrupt' | undefined;
  private dirty = false;
  private changes = noChanges();
  /** Token of the snapshot on disk and whether its journal exists; undefined: no snapshot written or loaded. */
  private journalToken: string | undefined;
  private journalBytes = 0;
  private snapshotBytes = 0;
  /**
   * The snapshot on disk has a layout (its dedup state is read lazily). One without (written by an older version) is
   * replaced by a laid-out one at the next save instead of getting a journal line.
   */
  private laidOut = false;
  /** Cursor id by file path (built on first use, then kept up to date). */
  private byPath: Map<string, string> | undefined;
  /** Changes whenever the cursor map is replaced by something other than a scan's output (load). */
  cursorsEpoch = 0;
  /** Bumped on every change; queries can cache on it. */
  generation = 0;
  /**
   * The last row and hour keys `add` made, with what they were made of: a scan's records come mostly cell by cell
   * and hour by hour, and a key made again is a new string to build and hash before the map finds its row.
   */
  private lastCell = { day: '', agent: '', model: '', cwd: '', sessionId: '', key: '' };
  private lastHour = { hour: NaN, agent: '', model: '', key: '' };

  constructor(opts: UsageIndexOptions = {}) {
    this.folder = opts.folder;
    this.log = opts.log ?? nullLogger;
    this.price = opts.price;
    this.dayOf = opts.dayOf ?? memoLocalDay();
  }

  /** Replaces the price callback; it applies to records counted from now on (stored aggregates keep their cost). */
  setPrice(price: PriceFn | undefined): void {
    this.price = price;
  }

  get file(): string | undefined {
    return this.folder ? path.join(this.folder, FILE) : undefined;
  }

  isDirty(): boolean {
    return this.dirty;
  }

  cursors(): Record<string, FileCursor> {
    return this.st.cursorMap;
  }

  /** The id of the cursor of the file at `p` (the path it was last read at), if any. */
  idOfPath(p: string): string | undefined {
    if (!this.byPath) {
      this.byPath = new Map();
      for (const id in this.st.cursorMap) this.byPath.set(this.st.cursorMap[id]!.path, id);
    }
    const id = this.byPath.get(p);
    return id !== undefined && this.st.cursorMap[id]?.path === p ? id : undefined;
  }

  /** Whether some known file lies under the folder `dir`. */
  hasPathUnder(dir: string): boolean {
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const id in this.st.cursorMap) if (this.st.cursorMap[id]!.path.startsWith(prefix)) return true;
    return false;
  }

  rows(): UsageRow[] {
    return [...this.st.rowMap.values()];
  }

  hours(): HourRow[] {
    return [...this.st.hourMap.values()];
  }

  planWindows(): PlanWindows[] {
    return this.st.windows;
  }

  /** The dedup collections parsed so far; the others still wait in the snapshot (lazyCollections.ts). */
  parsedDedup(): LazyField[] {
    return LAZY_FIELDS.filter((f) => this.st[f].loaded);
  }

  /**
   * Loads the persisted index; a missing, corrupt or other-version file starts empty (and is logged). An index of the
   * previous format (1) is read whole (with its journal) and its rows kept aside as `legacy` (also in a file of their
   * own, so a restart before the rebuild's first full scan still has them): the index is rebuilt from the logs.
   */
  async load(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.rebuildReason = undefined;
    await this.loadLegacyFile();
    let buf: Buffer;
    try {
      buf = await fsp.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`[usage-index] cannot read the index: ${(e as Error).message}`);
      this.rebuildReason = 'none';
      return;
    }
    const read = parseSnapshot(buf);
    if (!read) {
      this.log.warn(`[usage-index] ignoring a corrupt index (${buf.length} bytes)`);
      this.rebuildReason = 'corrupt';
      return;
    }
    if ('state' in read) {
      this.assign(read.state, read.journal, buf.length);
      this.laidOut = true;
      return;
    }
    const v = read.whole;
    if (v.version !== USAGE_INDEX_VERSION) {
      this.rebuildReason = 'version';
      if (v.version === 1) {
        this.assign(stateOf(v), v.journal, buf.length);
        const legacy = this.rows().filter((r) => r.agent !== 'api');
        const hours = this.hours();
        this.reset();
        await this.keepLegacy(legacy, hours);
        this.log.info(
          `[usage-index] the index is of an older format (1): rebuilding it from the agents' logs once (${legacy.length} rows kept for the days the logs no longer cover)`,
        );
      } else this.log.warn(`[usage-index] ignoring an index of version ${String(v.version)}`);
      return;
    }
    this.assign(stateOf(v), v.journal, buf.length);
  }

  /** Takes a parsed snapshot (and its journal) as the index's state. */
  private assign(st: LedgerState, journal: string | undefined, bytes: number): void {
    this.laidOut = false;
    this.st = st;
    this.snapshotBytes = bytes;
    this.journalToken = journal;
    this.replayJournal();
    this.byPath = undefined;
    this.changes = this.freshChanges();
    this.cursorsEpoch++;
    this.generation++;
  }

  /** Back to an empty index (nothing on disk is touched). */
  private reset(): void {
    this.st = emptyState();
    this.snapshotBytes = 0;
    this.journalBytes = 0;
    // No snapshot of this format yet: the first save writes one (and removes the old journal).
    this.journalToken = undefined;
    this.byPath = undefined;
    this.changes = this.freshChanges();
    this.cursorsEpoch++;
    this.generation++;
  }

  private get legacyFile(): string | undefined {
    return this.folder ? path.join(this.folder, LEGACY_FILE) : undefined;
  }

  private async loadLegacyFile(): Promise<void> {
    const file = this.legacyFile;
    if (!file) return;
    const v = await readLegacyFile(file);
    if (v.rows) this.legacy = v.rows;
    if (v.hours) this.legacyHours = v.hours;
  }

  private legacyHours: HourRow[] | undefined;

  private async keepLegacy(rows: UsageRow[], hours: HourRow[]): Promise<void> {
    this.legacy = rows;
    this.legacyHours = hours;
    const file = this.legacyFile;
    if (!file) return;
    try {
      await writeLegacyFile(file, rows, hours);
    } catch (e) {
      this.log.warn(`[usage-index] cannot keep the older index's rows aside: ${(e as Error).message}`);
    }
  }

  /** Whether rows of an older index wait for mergeLegacy(). */
  hasLegacy(): boolean {
    return this.legacy !== undefined;
  }

  /**
   * After the rebuild's first full scan: the older index's rows (and hourly totals) of the days before the earliest
   * day the logs still cover, per agent, join the index (the agents delete old transcripts; that history exists only
   * in the older index). Days the logs cover are the rebuild's alone. Idempotent. Returns the rows added.
   */
  mergeLegacy(): number {
    const legacy = this.legacy;
    if (!legacy) return 0;
    const firstDay = new Map<string, string>();
    for (const r of this.st.rowMap.values()) {
      const d = firstDay.get(r.agent);
      if (d === undefined || r.day < d) firstDay.set(r.agent, r.day);
    }
    const before = (agent: string, day: string) => {
      const d = firstDay.get(agent);
      return d === undefined || day < d;
    };
    let n = 0;
    for (const r of legacy) {
      if (r.agent === 'api' || !before(r.agent, r.day)) continue;
      const key = cellKeyOf(r.day, r);
      if (this.st.rowMap.has(key)) continue;
      this.st.rowMap.set(key, r);
      this.changes.rows.add(key);
      n++;
    }
    for (const h of this.legacyHours ?? []) {
      if (h.agent === 'api' || !before(h.agent, this.dayOf(h.hour))) continue;
      const key = `${h.hour}${SEP}${h.agent}${SEP}${h.model}`;
      if (this.st.hourMap.has(key)) continue;
      this.st.hourMap.set(key, h);
      this.changes.hours.add(key);
    }
    this.legacy = undefined;
    this.legacyHours = undefined;
    this.legacyMerged = true;
    this.dirty = true;
    this.generation++;
    return n;
  }

  private get journalFile(): string | undefined {
    return this.folder ? path.join(this.folder, JOURNAL) : undefined;
  }

  private replayJournal(): void {
    const file = this.journalFile;
    this.journalBytes = 0;
    if (!file || !this.journalToken) return;
    this.journalBytes = replayJournalFile(file, this.journalToken, this.st, this.log);
  }

  /** The journal line for what changed since the last save. */
  private journalEntry(): JournalEntry {
    return journalEntryOf(this.st, this.changes);
  }

  serialize(): string {
    return this.serializeParts().join('');
  }

  private serializeParts(): string[] {
    return snapshotParts(this.st, this.journalToken);
  }

  /**
   * Persists what changed: appends one journal line, or writes a new snapshot (atomically: temp file in the same
   * folder, then rename) when there is none yet, the journal has grown past half of it, or `compact` / `force`.
   * No-op for an in-memory index or when nothing changed (unless forced).
   */
  async save(force = false, compact = false): Promise<void> {
    await this.saveIndex(force, compact);
    if (this.legacyMerged && this.legacyFile) {
      // The merged rows are on disk now (the merge is idempotent should this removal fail).
      this.legacyMerged = false;
      await fsp.rm(this.legacyFile, { force: true }).catch(() => undefined);
    }
  }

  private async saveIndex(force: boolean, compact: boolean): Promise<void> {
    const file = this.file;
    if (!file) return;
    const journal = this.journalFile!;
    if (!this.dirty && !force) {
      if (compact && this.journalBytes > 0) return this.writeSnapshot(file, journal);
      return;
    }
    if (!force && !compact && this.journalToken && this.laidOut) {
      const line = JSON.stringify(this.journalEntry()) + '\n';
      if (this.journalBytes + line.length <= Math.max(COMPACT_MIN_BYTES, this.snapshotBytes * COMPACT_RATIO)) {
        const changes = this.changes;
        this.changes = this.freshChanges();
        this.dirty = false;
        try {
          // First line of a fresh journal: the token of the snapshot it continues.
          const head = this.journalBytes === 0 ? JSON.stringify({ token: this.journalToken }) + '\n' : '';
          await appendFilePrivate(journal, head + line, 'utf8');
          this.journalBytes += head.length + line.length;
        } catch (e) {
          this.mergeBack(changes);
          this.dirty = true;
          throw e;
        }
        return;
      }
    }
    return this.writeSnapshot(file, journal);
  }

  /** Changes are recorded only when they can become a journal line: a snapshot with a journal token exists. */
  private freshChanges(): Changes {
    return this.folder && this.journalToken ? new Changes() : noChanges();
  }

  /** Changes made while a failed journal append was in flight join the ones it carried. */
  private mergeBack(old: Changes): void {
    this.changes = mergeChanges(old, this.changes);
  }

  private async writeSnapshot(file: string, journal: string): Promise<void> {
    const prevToken = this.journalToken;
    this.journalToken = randomBytes(6).toString('hex');
    const parts = this.serializeParts();
    const changes = this.changes;
    this.changes = new Changes();
    this.dirty = false;
    let bytes: number;
    try {
      bytes = await writeSnapshotFile(file, parts);
    } catch (e) {
      this.journalToken = prevToken;
      this.mergeBack(changes);
      this.dirty = true;
      throw e;
    }
    this.snapshotBytes = bytes;
    this.journalBytes = 0;
    this.laidOut = true;
    // The old journal names the old token: even if this removal fails, it is never replayed onto the new snapshot.
    await fsp.rm(journal, { force: true }).catch(() => undefined);
  }

  /** Folds one scan's output in: events through dedup into the aggregates, then the cursors. */
  apply(out: ScanJobOutput): ApplyStats {
    const s: ApplyStats = { records: 0, duplicates: 0, replaced: 0, sidechainsDropped: 0, tools: 0 };
    for (const e of out.events) this.applyEvent(e, s);
    applyCursorChanges(this.st.cursorMap, out.cursors, out.missing);
    for (const id in out.cursors) {
      this.changes.cursors.add(id);
      this.byPath?.set(out.cursors[id]!.path, id);
    }
    for (const id of out.missing) if (this.st.cursorMap[id]) this.changes.cursors.add(id);
    if (out.partial) {
      // Some files only: their windows replace a home's known ones when newer (what a full scan would pick).
      for (const w of out.planWindows) {
        const i = this.st.windows.findIndex((x) => x.agent === w.agent && x.home === w.home);
        if (i < 0) this.st.windows = [...this.st.windows, w];
        else if ((this.st.windows[i]!.windows[0]?.observedAt ?? 0) < (w.windows[0]?.observedAt ?? 0)) this.st.windows = this.st.windows.map((x, j) => (j === i ? w : x));
        else continue;
        this.changes.windows = true;
      }
    } else if (out.planWindows.length) {
      this.st.windows = out.planWindows;
      this.changes.windows = true;
    }
    if (out.events.length || Object.keys(out.cursors).length || out.missing.length) {
      this.dirty = true;
      this.generation++;
    }
    return s;
  }

  /**
   * Counts records that do not come from a log scan (e.g. API records reported by other extensions). A key makes the
   * call idempotent (a record with a key already counted is skipped).
   */
  addRecords(items: Array<{ record: UsageRecord; key?: string }>): ApplyStats {
    const s: ApplyStats = { records: 0, duplicates: 0, replaced: 0, sidechainsDropped: 0, tools: 0 };
    for (const it of items) this.applyEvent({ kind: 'record', record: it.record, ...(it.key ? { key: it.key } : {}) }, s);
    if (items.length) {
      this.dirty = true;
      this.generation++;
    }
    return s;
  }

  private applyEvent(e: UsageEvent, s: ApplyStats): void {
    if (e.kind === 'tool') {
      if (this.st.toolsSeen.has(e.id)) return;
      this.st.toolsSeen.add(e.id);
      this.changes.toolsSeen.push(e.id);
      const day = this.dayOf(e.timestamp);
      const key = cellKeyOf(day, e.cell);
      let row = this.st.rowMap.get(key);
      if (!row) this.st.rowMap.set(key, (row = emptyRow(day, e.cell)));
      this.changes.rows.add(key);
      this.toolAgg(row, e.name).count++;
      this.st.pendingTools.set(e.id, { cell: key, name: e.name, ts: e.timestamp });
      this.changes.pendingAdd.add(e.id);
      if (this.st.pendingTools.sizeExceeds(MAX_PENDING_TOOLS)) this.deletePending(this.st.pendingTools.keys().next().value as string);
      s.tools++;
      return;
    }
    if (e.kind === 'toolResult') {
      const p = this.st.pendingTools.get(e.id);
      if (!p) return;
      this.deletePending(e.id);
      const row = this.st.rowMap.get(p.cell);
      if (!row) return;
      this.changes.rows.add(p.cell);
      const agg = this.toolAgg(row, p.name);
      agg.durationMs += Math.max(0, e.timestamp - p.ts);
      agg.timedCount++;
      if (e.error) agg.errors++;
      return;
    }
    const r = e.record;
    if (e.replace && e.key) {
      const prev = this.st.replaceable.get(e.key);
      if (prev) {
        if ((prev.priority ?? 0) > e.replace.priority) return void s.duplicates++;
        if (JSON.stringify(prev.record) === JSON.stringify(r)) return void s.duplicates++;
        this.add(prev.record, -1, prev.cost, prev.unpriced);
        s.replaced++;
      }
      const { cost, unpriced } = this.priceOf(r);
      this.add(r, 1, cost, unpriced);
      this.st.replaceable.set(e.key, { record: r, cost, unpriced, priority: e.replace.priority });
      this.changes.replaceable.add(e.key);
      s.records++;
      return;
    }
    if (e.key && e.claude) return this.applyClaude(e.key, e.claude, r, s);
    if (e.codex) {
      // Codex: the event's place in its session's cumulative series. A forked rollout begins with a copy of its
      // parent's history: an event whose totals are in the parent's series is that copy (whatever its timestamp),
      // counted with the parent (read first: files are read in creation order). It joins the fork's own series too,
      // so a fork of the fork recognises it.
      const own = hashKey(`cxt|${e.codex.series}|${e.codex.total}`);
      const copied = e.codex.forkOf !== undefined && this.st.codexSeries.has(hashKey(`cxt|${e.codex.forkOf}|${e.codex.total}`));
      if (!this.st.codexSeries.has(own)) {
        this.st.codexSeries.add(own);
        this.changes.codexSeries.push(own);
      }
      if (copied) {
        // Its own key too: a branch copy of this fork's history (original timestamps) is the same event again.
        if (e.key) this.markSeen(hashKey(e.key));
        return void s.duplicates++;
      }
    }
    if (e.key) {
      const h = hashKey(e.key);
      if (this.st.seen.has(h)) return void s.duplicates++;
      this.markSeen(h);
    }
    const { cost, unpriced } = this.priceOf(r);
    this.add(r, 1, cost, unpriced);
    s.records++;
  }

  /**
   * One line of a Claude response (provider-apis.md §8.1). The response is written as several lines while it streams,
   * its output count growing: the most complete line counts (largest output; on a tie a later line that differs),
   * bucketed by the first line's timestamp. A more complete line read later — in this scan, or in a later one when the
   * response was half-written when a scan ran — replaces what was counted by the difference. Sidechain replays of a
   * parent request are dropped in favour of the parent.
   */
  private applyClaude(h: string, c: { messageId: string; sidechain: boolean }, r: UsageRecord, s: ApplyStats): void {
    // The key and the message id come hashed from the reader (UsageEvent's `claude`).
    const mh = c.messageId;
    // A sidechain replay repeats a parent request under another request id: the parent wins.
    if (c.sidechain && this.st.claudeParents.has(mh)) return void s.sidechainsDropped++;
    const prev = this.st.claudeResp.get(h);
    if (prev !== undefined) {
      const p = prev.split('|');
      const n = (i: number) => Number(p[i]);
      // The counted line, in this line's cell: taken back when this one is more complete.
      const old: UsageRecord = {
        ...r,
        timestamp: n(0),
        inputTokens: n(1),
        outputTokens: n(2),
        cacheReadTokens: n(3),
        cacheWrite5mTokens: n(4),
        cacheWrite1hTokens: n(5),
        webSearchRequests: n(6),
      };
      if (!moreComplete(old, r)) return void s.duplicates++;
      // The counted line is taken back and this one counted, both in this line's cell on the first line's day. When the
      // response was first counted in another cell (a partial copy of it in a resumed session read first), that cell
      // keeps the partial count and this one gets the difference: totals per day, agent and model stay exact.
      const flags = n(9);
      if (flags & F_FAST) old.speed = 'fast';
      else delete old.speed;
      if (p[8] !== '') old.costUSD = n(8);
      else delete old.costUSD;
      this.add(old, -1, p[7] !== '' ? n(7) : undefined, (flags & F_UNPRICED) !== 0);
      const next: UsageRecord = { ...r, timestamp: old.timestamp };
      const { cost, unpriced } = this.priceOf(next);
      this.add(next, 1, cost, unpriced);
      this.st.claudeResp.set(h, respOf(next, cost, unpriced));
      this.changes.claudeResp.add(h);
      if (c.sidechain) {
        const list = this.st.sidechains.get(mh);
        const i = list?.findIndex((x) => x.key === h) ?? -1;
        if (list && i >= 0) {
          list[i] = { record: next, ...(cost !== undefined ? { cost } : {}), unpriced, key: h };
          this.changes.sidechains.add(mh);
        }
      }
      s.replaced++;
      return;
    }
    const { cost, unpriced } = this.priceOf(r);
    if (c.sidechain) {
      const list = this.st.sidechains.get(mh) ?? [];
      list.push({ record: r, ...(cost !== undefined ? { cost } : {}), unpriced, key: h });
      this.st.sidechains.set(mh, list);
      this.changes.sidechains.add(mh);
    } else {
      if (!this.st.claudeParents.has(mh)) {
        this.st.claudeParents.add(mh);
        this.changes.claudeParents.push(mh);
      }
      const replays = this.st.sidechains.get(mh);
      if (replays) {
        // The replay was read first (subagent file scanned before its parent): take it back.
        for (const x of replays) this.add(x.record, -1, x.cost, x.unpriced);
        s.sidechainsDropped += replays.length;
        s.records -= replays.length;
        this.st.sidechains.delete(mh);
        this.changes.sidechains.add(mh);
      }
    }
    this.st.claudeResp.set(h, respOf(r, cost, unpriced));
    this.changes.claudeResp.add(h);
    this.add(r, 1, cost, unpriced);
    s.records++;
  }

  private markSeen(h: string): void {
    if (this.st.seen.has(h)) return;
    this.st.seen.add(h);
    this.changes.seen.push(h);
  }

  private deletePending(id: string): void {
    this.st.pendingTools.delete(id);
    // Added and resolved between two saves: the journal never needs to mention it.
    if (!this.changes.pendingAdd.delete(id)) this.changes.pendingDel.add(id);
  }

  private priceOf(r: UsageRecord): { cost?: number; unpriced: boolean } {
    // Copilot bills its own units (AI credits at $0.01, or premium requests at $0.04), not the tokens at API prices:
    // what the CLI logged is the charge (before the plan's allowance), so it is the cost.
    if (r.agent === 'copilot-cli' && r.costUSD !== undefined) return { cost: r.costUSD, unpriced: false };
    if (!this.price) return { unpriced: true };
    try {
      const p = this.price(r);
      return p.costUSD !== undefined ? { cost: p.costUSD, unpriced: p.unpriced } : { unpriced: p.unpriced };
    } catch {
      return { unpriced: true };
    }
  }

  private toolAgg(row: UsageRow, name: string): ToolAggregate {
    let a = row.tools[name];
    if (!a) row.tools[name] = a = { count: 0, durationMs: 0, timedCount: 0, errors: 0 };
    return a;
  }

  /** Adds (sign 1) or takes back (sign −1) one record. */
  private add(r: UsageRecord, sign: 1 | -1, cost: number | undefined, unpriced: boolean): void {
    // A record may stand for several requests (Copilot CLI aggregates): the request counts move by that many.
    const n = sign * (r.requests ?? 1);
    const day = this.dayOf(r.timestamp);
    const cwd = r.cwd ?? '';
    const lc = this.lastCell;
    if (lc.day !== day || lc.sessionId !== r.sessionId || lc.model !== r.model || lc.cwd !== cwd || lc.agent !== r.agent) {
      this.lastCell = { day, agent: r.agent, model: r.model, cwd, sessionId: r.sessionId, key: cellKeyOf(day, { agent: r.agent, model: r.model, cwd, sessionId: r.sessionId }) };
    }
    const key = this.lastCell.key;
    let row = this.st.rowMap.get(key);
    if (!row) this.st.rowMap.set(key, (row = emptyRow(day, { agent: r.agent, model: r.model, cwd, sessionId: r.sessionId })));
    this.changes.rows.add(key);
    row.inputTokens += sign * r.inputTokens;
    row.outputTokens += sign * r.outputTokens;
    row.cacheReadTokens += sign * r.cacheReadTokens;
    row.cacheWrite5mTokens += sign * r.cacheWrite5mTokens;
    row.cacheWrite1hTokens += sign * r.cacheWrite1hTokens;
    row.reasoningTokens += sign * r.reasoningTokens;
    row.webSearchRequests += sign * r.webSearchRequests;
    row.requests += n;
    if (r.speed === 'fast') row.fastRequests += n;
    if (r.costUSD !== undefined) {
      row.loggedCostUSD += sign * r.costUSD;
      row.loggedCostRequests += n;
    }
    if (cost !== undefined) row.costUSD += sign * cost;
    if (unpriced) row.unpricedRequests += n;
    if (r.isFallbackModel) row.fallbackModelRequests += n;
    if (r.aiCredits !== undefined) row.aiCredits = (row.aiCredits ?? 0) + sign * r.aiCredits;
    // Tool calls carried on the record itself (API records); the log readers report tools as separate events.
    if (r.tools) {
      for (const t of r.tools) {
        const a = this.toolAgg(row, t.name);
        a.count += sign;
        if (t.durationMs !== undefined) {
          a.durationMs += sign * t.durationMs;
          a.timedCount += sign;
        }
        if (t.error) a.errors += sign;
      }
    }
    if (sign > 0) {
      if (row.firstTs === 0 || r.timestamp < row.firstTs) row.firstTs = r.timestamp;
      if (r.timestamp > row.lastTs) row.lastTs = r.timestamp;
    }

    const hour = Math.floor(r.timestamp / HOUR) * HOUR;
    const lh = this.lastHour;
    if (lh.hour !== hour || lh.model !== r.model || lh.agent !== r.agent) this.lastHour = { hour, agent: r.agent, model: r.model, key: `${hour}${SEP}${r.agent}${SEP}${r.model}` };
    const hk = this.lastHour.key;
    let h = this.st.hourMap.get(hk);
    if (!h) {
      h = {
        hour, agent: r.agent, model: r.model, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0,
        reasoningTokens: 0, requests: 0, costUSD: 0, loggedCostUSD: 0, unpricedRequests: 0, firstTs: r.timestamp, lastTs: r.timestamp,
      };
      this.st.hourMap.set(hk, h);
    }
    this.changes.hours.add(hk);
    h.inputTokens += sign * r.inputTokens;
    h.outputTokens += sign * r.outputTokens;
    h.cacheReadTokens += sign * r.cacheReadTokens;
    h.cacheWrite5mTokens += sign * r.cacheWrite5mTokens;
    h.cacheWrite1hTokens += sign * r.cacheWrite1hTokens;
    h.reasoningTokens += sign * r.reasoningTokens;
    h.requests += n;
    if (cost !== undefined) h.costUSD += sign * cost;
    if (r.costUSD !== undefined) h.loggedCostUSD += sign * r.costUSD;
    if (unpriced) h.unpricedRequests += n;
    if (sign > 0) {
      if (r.timestamp < h.firstTs) h.firstTs = r.timestamp;
      if (r.timestamp > h.lastTs) h.lastTs = r.timestamp;
    }
  }
}
