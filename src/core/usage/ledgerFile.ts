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
import { USAGE_INDEX_VERSION, cellKeyOf, replayEntry, type HourRow, type JournalEntry, type LedgerState } from './ledgerState';

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
  let text: string;
  try {
    text = await fsp.readFile(path.join(folder, FILE), 'utf8');
  } catch {
    return { missing: 'none' };
  }
  const fallback = () => 'fallback' as const;
  const head = new RegExp(`^\\{"version":${USAGE_INDEX_VERSION},"savedAt":\\d+(?:,"journal":("[^"\\\\]*"))?,"cursors":`).exec(text);
  const hoursAt = text.lastIndexOf(',"hours":[');
  const rowsAt = hoursAt === -1 ? -1 : text.lastIndexOf(',"rows":[', hoursAt);
  if (!head || rowsAt === -1) return fallback();
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
  const token = head[1] !== undefined ? (JSON.parse(head[1]) as string) : undefined;
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
