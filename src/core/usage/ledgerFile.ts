// The usage ledger's files: the snapshot `usage-index.json`, the journal `usage-index.journal` and the rows of an
// older index kept aside (`usage-index.legacy.json`): reading, atomic writing and replay, and the fast read of one
// day's rows. The UsageIndex decides when to save, compact and rebuild (see usageIndex.ts for the journal's rules);
// what the files hold is in ledgerState.ts.

import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { UsageRow } from './types';
import type { Logger } from '../log';
import { mkdirPrivate, openPrivate } from '../privateFs';
import {
  EAGER_FIELDS,
  LAZY_FIELDS,
  USAGE_INDEX_VERSION,
  cellKeyOf,
  checksum,
  hourMapOf,
  replayEntry,
  rowMapOf,
  type HourRow,
  type IndexFile,
  type JournalEntry,
  type LazyField,
  type LedgerState,
  type SnapshotLayout,
} from './ledgerState';
import { LazyKeyMap, LazyKeySet, LazySectionError, parseFilter, type LazySection } from './lazyCollections';
import type { FileCursor } from './scanJob';
import type { PlanWindows } from './types';

export const LEGACY_FILE = 'usage-index.legacy.json';
export const FILE = 'usage-index.json';
export const JOURNAL = 'usage-index.journal';
/** The journal is compacted into a new snapshot once it exceeds this share of the snapshot (and this floor). */
export const COMPACT_RATIO = 0.5;
export const COMPACT_MIN_BYTES = 256 * 1024;

/**
 * Replays the journal `file` onto `st` when its first line names the snapshot `token`; a journal of another snapshot
 * (a crash between writing a snapshot and removing the old journal) is ignored and a torn line ends it. Returns the
 * journal bytes that count (0 when none).
 */
export function replayJournalFile(file: string, token: string, st: LedgerState, log: Logger): number {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  const lines = text.split('\n');
  let head: { token?: string } | undefined;
  try {
    head = JSON.parse(lines[0] ?? '') as { token?: string };
  } catch {
    head = undefined;
  }
  // A journal of another snapshot (crash between snapshot and journal removal): its changes are in no snapshot we
  // trust less than the one just read, so it is dropped.
  if (head?.token !== token) return 0;
  let used = lines[0]!.length + 1;
  let applied = 0;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l) continue;
    let e: JournalEntry;
    try {
      e = JSON.parse(l) as JournalEntry;
    } catch {
      // Torn last write: everything before it stands, it and anything after is not counted (its files are
      // re-read because the cursors it carried were not applied either).
      log.warn(`[usage-index] ignoring a torn journal line (${l.length} bytes)`);
      break;
    }
    replayEntry(st, e);
    applied++;
    used += l.length + 1;
  }
  if (applied) log.debug?.(`[usage-index] replayed ${applied} journal entries`);
  return used;
}

/**
 * A snapshot read back. `state`: one of this version with a layout (snapshotParts): the aggregates and cursors are
 * parsed, the dedup collections wait until they are needed (lazyCollections.ts). `whole`: any other JSON object with
 * rows (an older snapshot, or one of another version), parsed whole; the caller decides what its version means.
 * Undefined: not a snapshot (corrupt, torn).
 */
export type ReadSnapshot = { state: LedgerState; journal: string | undefined } | { whole: IndexFile };

export function parseSnapshot(buf: Buffer): ReadSnapshot | undefined {
  const laid = parseLaidOut(buf);
  if (laid) return laid;
  let v: IndexFile;
  try {
    v = JSON.parse(buf.toString('utf8')) as IndexFile;
  } catch {
    return undefined;
  }
  return v && typeof v === 'object' && Array.isArray(v.rows) ? { whole: v } : undefined;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const OPEN_ARRAY = 91;
const OPEN_OBJECT = 123;
const CLOSE: Record<number, number> = { [OPEN_ARRAY]: 93, [OPEN_OBJECT]: 125 };

/** The first line of a laid-out snapshot of this version, checked against the bytes after it; undefined for any other file. */
function readLayoutHead(buf: Buffer): { layout: SnapshotLayout; journal: string | undefined; body: number } | undefined {
  const nl = buf.indexOf(10);
  if (nl === -1) return undefined;
  let head: { version?: unknown; journal?: unknown; layout?: SnapshotLayout };
  try {
    head = JSON.parse(buf.toString('utf8', 0, nl) + '}') as typeof head;
  } catch {
    return undefined;
  }
  const layout = head.layout;
  const body = nl + 1;
  if (head.version !== USAGE_INDEX_VERSION || !isObject(layout) || layout.bytes !== buf.length - body || !isObject(layout.at)) return undefined;
  if (head.journal !== undefined && typeof head.journal !== 'string') return undefined;
  return { layout, journal: head.journal, body };
}

/**
 * Where field `f`'s value lies in `buf` (absolute offsets), when the layout's range is sound and the value starts and
 * ends with its brackets there: a file cut short or spliced is read whole.
 */
function valueRange(buf: Buffer, head: { layout: SnapshotLayout; body: number }, f: string): [number, number] | undefined {
  const r = head.layout.at[f as keyof SnapshotLayout['at']];
  if (!Array.isArray(r) || r.length !== 2 || !Number.isInteger(r[0]) || !Number.isInteger(r[1]) || r[0] < 0 || r[1] <= r[0] || r[1] > head.layout.bytes) return undefined;
  const [start, end] = [head.body + r[0], head.body + r[1]];
  const open = buf[start]!;
  return (open === OPEN_ARRAY || open === OPEN_OBJECT) && buf[end - 1] === CLOSE[open] ? [start, end] : undefined;
}

/** The state of a laid-out snapshot of this version; undefined when the first line is not such a header or the layout does not fit the bytes. */
function parseLaidOut(buf: Buffer): ReadSnapshot | undefined {
  const head = readLayoutHead(buf);
  if (!head) return undefined;
  const { layout } = head;
  const range = (f: string) => valueRange(buf, head, f);
  const eager: Partial<Record<(typeof EAGER_FIELDS)[number], unknown>> = {};
  for (const f of EAGER_FIELDS) {
    const r = range(f);
    if (!r) return undefined;
    try {
      eager[f] = JSON.parse(buf.toString('utf8', r[0], r[1]));
    } catch {
      return undefined;
    }
  }
  if (!isObject(eager.cursors) || !Array.isArray(eager.rows) || !Array.isArray(eager.hours) || !Array.isArray(eager.planWindows)) return undefined;
  // The dedup sections are parsed later, in the middle of a scan: they must be what was written (else read whole).
  const sum = isObject(layout.sum) && (layout.sum.alg === 'crc32' || layout.sum.alg === 'sha256') ? checksum(layout.sum.alg) : undefined;
  if (!sum) return undefined;
  const sections = {} as Record<LazyField, LazySection<never>>;
  for (const f of LAZY_FIELDS) {
    const r = range(f);
    const filter = parseFilter(layout.filters?.[f]);
    const count = layout.counts?.[f];
    if (!r || !filter || !Number.isInteger(count) || (count as number) < 0) return undefined;
    sum.update(buf.subarray(r[0], r[1]));
    // Its own copy: the file's buffer is not kept alive by the sections that are never needed.
    const bytes = Buffer.from(buf.subarray(r[0], r[1]));
    const object = bytes[0] === OPEN_OBJECT;
    sections[f] = {
      filter,
      count: count as number,
      load: () => {
        let x: unknown;
        try {
          x = JSON.parse(bytes.toString('utf8'));
        } catch (e) {
          throw new LazySectionError(`the usage index's ${f} does not parse: ${(e as Error).message}`);
        }
        if (object !== isObject(x) || (!object && !Array.isArray(x))) throw new LazySectionError(`the usage index's ${f} is not what its layout says`);
        return (object ? Object.entries(x as object) : x) as never;
      },
    };
  }
  if (sum.digest() !== layout.sum.value) return undefined;
  const state: LedgerState = {
    cursorMap: eager.cursors as Record<string, FileCursor>,
    seen: new LazyKeySet(sections.seen),
    claudeParents: new LazyKeySet(sections.claudeParents),
    sidechains: new LazyKeyMap(sections.sidechains),
    replaceable: new LazyKeyMap(sections.replaceable),
    toolsSeen: new LazyKeySet(sections.toolsSeen),
    pendingTools: new LazyKeyMap(sections.pendingTools),
    claudeResp: new LazyKeyMap(sections.claudeResp),
    codexSeries: new LazyKeySet(sections.codexSeries),
    rowMap: rowMapOf(eager.rows as UsageRow[]),
    hourMap: hourMapOf(eager.hours as HourRow[]),
    windows: eager.planWindows as PlanWindows[],
  };
  return { state, journal: head.journal };
}

/**
 * Writes the snapshot pieces to `file` atomically: a temp file in the same folder, written piece by piece (each piece
 * released once written), then renamed; on failure the temp file is removed and the error rethrown. Returns its bytes.
 */
export async function writeSnapshotFile(file: string, parts: string[]): Promise<number> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let bytes = 0;
  try {
    await mkdirPrivate(path.dirname(file));
    const fh = await openPrivate(tmp, 'w');
    try {
      for (let i = 0; i < parts.length; i++) {
        const b = Buffer.from(parts[i]!, 'utf8');
        parts[i] = '';
        bytes += b.length;
        let off = 0;
        while (off < b.length) off += (await fh.write(b, off)).bytesWritten;
      }
    } finally {
      await fh.close();
    }
    // Only a complete file takes the index's name: a process killed before this leaves the previous snapshot.
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  return bytes;
}

/** The rows (and hourly totals) of an older index kept aside; empty when there is no such file (or it is torn). */
export async function readLegacyFile(file: string): Promise<{ rows?: UsageRow[]; hours?: HourRow[] }> {
  const out: { rows?: UsageRow[]; hours?: HourRow[] } = {};
  try {
    const v = JSON.parse(await fsp.readFile(file, 'utf8')) as { rows?: unknown; hours?: unknown };
    if (Array.isArray(v.rows)) out.rows = v.rows as UsageRow[];
    if (Array.isArray(v.hours)) out.hours = v.hours as HourRow[];
  } catch {
    /* none (or torn: the older index it came from is still there and is read again) */
  }
  return out;
}

/** Keeps an older index's rows aside (atomically); rejects when that fails. */
export async function writeLegacyFile(file: string, rows: UsageRow[], hours: HourRow[]): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fsp.writeFile(tmp, JSON.stringify({ rows, hours }), 'utf8');
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** The rows' JSON text and the journal token of a laid-out snapshot of this version; undefined for any other. */
function readLaidOutRows(buf: Buffer): { rows: string; journal: string | undefined } | undefined {
  const head = readLayoutHead(buf);
  const r = head && valueRange(buf, head, 'rows');
  return r && buf[r[0]] === OPEN_ARRAY ? { rows: buf.toString('utf8', r[0], r[1]), journal: head.journal } : undefined;
}

/** End (exclusive) of the JSON object that starts at `text[start]` (`{`), strings and nesting respected; -1 if none. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i + 1;
  }
  return -1;
}

function countOf(text: string, needle: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf(needle, from); i !== -1 && i < to; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * The rows of one day straight from the snapshot text and its journal, without building the index: only that day's
 * rows are parsed. Relies on the snapshot's layout (snapshotParts: rows as flat objects whose first key is `day`, then
 * `hours`); when the text does not look like that it answers 'fallback' (the caller reads the whole index).
 */
export async function readDayRowsFast(folder: string, day: string): Promise<{ rows: UsageRow[] } | { missing: 'none' } | 'fallback'> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(path.join(folder, FILE));
  } catch {
    return { missing: 'none' };
  }
  const fallback = () => 'fallback' as const;
  // A laid-out snapshot (snapshotParts): the rows' value is where its first line says. An older one: the text between
  // `,"rows":[` and `,"hours":[`.
  const laid = readLaidOutRows(buf);
  const text = laid ? laid.rows : buf.toString('utf8');
  const head = laid ? undefined : new RegExp(`^\\{"version":${USAGE_INDEX_VERSION},"savedAt":\\d+(?:,"journal":("[^"\\\\]*"))?,"cursors":`).exec(text);
  const hoursAt = laid ? text.length : text.lastIndexOf(',"hours":[');
  const rowsAt = laid ? 0 : hoursAt === -1 ? -1 : text.lastIndexOf(',"rows":[', hoursAt);
  if ((!laid && !head) || rowsAt === -1) return fallback();
  // Every row has one `firstTs` and starts with `{"day":`; tool aggregates have neither. Anything else: full read.
  if (countOf(text, '{"day":"', rowsAt, hoursAt) !== countOf(text, '"firstTs":', rowsAt, hoursAt)) return fallback();
  const rows = new Map<string, UsageRow>();
  const start = `{"day":${JSON.stringify(day)},`;
  try {
    for (let i = text.indexOf(start, rowsAt); i !== -1 && i < hoursAt; i = text.indexOf(start, i + start.length)) {
      const end = objectEnd(text, i);
      if (end === -1 || end > hoursAt) return fallback();
      const r = JSON.parse(text.slice(i, end)) as UsageRow;
      rows.set(cellKeyOf(r.day, r), r);
    }
  } catch {
    return fallback();
  }
  const token = laid ? laid.journal : head![1] !== undefined ? (JSON.parse(head![1]) as string) : undefined;
  if (token) {
    let journal: string | undefined;
    try {
      journal = await fsp.readFile(path.join(folder, JOURNAL), 'utf8');
    } catch {
      journal = undefined;
    }
    const lines = journal?.split('\n') ?? [];
    let first: { token?: string } | undefined;
    try {
      first = JSON.parse(lines[0] ?? '') as { token?: string };
    } catch {
      first = undefined;
    }
    // The same rules as replayJournalFile: a journal of another snapshot is ignored, a torn line ends it.
    if (first?.token === token) {
      for (const l of lines.slice(1)) {
        if (!l) continue;
        let e: JournalEntry;
        try {
          e = JSON.parse(l) as JournalEntry;
        } catch {
          break;
        }
        for (const r of e.rows ?? []) if (r.day === day) rows.set(cellKeyOf(r.day, r), r);
      }
    }
  }
  return { rows: [...rows.values()] };
}
