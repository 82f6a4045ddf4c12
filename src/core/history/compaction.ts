// Compaction of the history store: folds aged raw days into 15-minute buckets and aged months into daily buckets,
// applies the daily retention, and sweeps what nothing else removes (orphaned accounts, interrupted deletes, old
// copies of repaired files). Run by the store's writer, one account at a time, inside its write queue.

import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Logger } from '../log';
import { isValidAccountId } from '../state/snapshotStore';
import { blockLine, dayStart, nextMonthStart, type DecodedPoint } from './format';
import { statOrUndefined } from './files';
import { DAY_MS, FILE_RE, Q15_MS, coverage, foldFile, foldPoints, type AccountCache } from './tiers';
import type { RetentionOptions } from './types';

/** History of an account that no longer exists is swept once it has not been written for this long. */
const ORPHAN_GRACE_MS = 7 * 86_400_000;
/** Copies of repaired files are kept this long for inspection, then removed by compaction. */
const BACKUP_KEEP_MS = 30 * 86_400_000;

/** What compaction needs of the store. */
export interface CompactionContext {
  readonly log: Logger;
  /** The `v2` folder holding one folder per account. */
  readonly v2: string;
  retention(): RetentionOptions;
  knownAccounts?: (() => readonly string[] | undefined) | undefined;
  accountDir(accountId: string): string;
  /** Parses (and repairs) an account's files, refreshing the store's cache. */
  load(accountId: string, repair: true): Promise<AccountCache>;
  /** The account's cached files, when cached. */
  cached(accountId: string): AccountCache | undefined;
  /** Drops what the store keeps in memory about an account whose folder is being removed. */
  forget(accountId: string): void;
  /** Appends with one write (undone when it fails). */
  append(file: string, data: string): Promise<void>;
  /** Replaces a file atomically. */
  rewrite(file: string, content: string): Promise<void>;
}

/**
 * Removes what nothing else will: the history of accounts that no longer exist (after ORPHAN_GRACE_MS without a
 * write), folders left by an interrupted delete (an interrupted migration is resumed by migrateIfNeeded), and
 * copies of repaired files older than BACKUP_KEEP_MS.
 */
export async function sweep(ctx: CompactionContext, now: number): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(ctx.v2);
  } catch {
    return;
  }
  const known = ctx.knownAccounts?.();
  for (const name of names) {
    const full = path.join(ctx.v2, name);
    if (name.startsWith('.deleted-')) {
      await fsp.rm(full, { recursive: true, force: true });
      continue;
    }
    if (!isValidAccountId(name)) continue;
    let files: string[];
    try {
      files = await fsp.readdir(full);
    } catch {
      continue;
    }
    let newest = 0;
    for (const f of files) {
      const st = await statOrUndefined(path.join(full, f));
      if (!st) continue;
      const backupAt = /\.corrupt-(\d+)$/.exec(f)?.[1];
      if (backupAt !== undefined && now - Number(backupAt) > BACKUP_KEEP_MS) {
        await fsp.rm(path.join(full, f), { force: true });
        ctx.log.info(`removed ${name}/${f}, kept ${Math.round(BACKUP_KEEP_MS / 86_400_000)} days`);
        continue;
      }
      newest = Math.max(newest, st.mtimeMs);
    }
    if (known && !known.includes(name) && now - newest > ORPHAN_GRACE_MS) {
      ctx.forget(name);
      await fsp.rm(full, { recursive: true, force: true });
      ctx.log.info(`deleted the history of ${name}: no such account, not written for ${Math.round((now - newest) / 86_400_000)} days`);
    }
  }
}

export async function compactAccount(ctx: CompactionContext, accountId: string, now: number): Promise<void> {
  const dir = ctx.accountDir(accountId);
  const data = await ctx.load(accountId, true);
  const cover = coverage(data.files);
  const rawEdge = now - ctx.retention().rawDays * DAY_MS;
  const q15Edge = now - ctx.retention().fifteenMinuteDays * DAY_MS;
  let changed = false;
  for (const [name, entry] of data.files) {
    const day = FILE_RE.exec(name)?.[1];
    if (!day || dayStart(day) + DAY_MS > rawEdge) continue;
    if (!cover.days.has(day) && !cover.months.has(day.slice(0, 6))) {
      const survivors = foldFile(entry.parsed.lines, Q15_MS);
      await ctx.append(path.join(dir, `q15-${day.slice(0, 6)}.log`), blockLine(day, survivors));
    }
    await fsp.rm(path.join(dir, name), { force: true });
    changed = true;
  }
  if (changed) {
    // The raw days just folded may belong to a month folded below: re-read so coverage is current.
    await ctx.load(accountId, true);
  }
  const fresh = ctx.cached(accountId) ?? (await ctx.load(accountId, true));
  const cover2 = coverage(fresh.files);
  const rawLeft = new Set([...fresh.files.keys()].map((n) => FILE_RE.exec(n)?.[1]?.slice(0, 6)).filter(Boolean));
  for (const [name, entry] of fresh.files) {
    const month = FILE_RE.exec(name)?.[2];
    if (!month || nextMonthStart(month) > q15Edge || rawLeft.has(month)) continue;
    if (!cover2.months.has(month)) {
      const pts: DecodedPoint[] = [];
      for (const l of entry.parsed.lines) if (l.kind === 'B') pts.push(...l.points);
      const survivors = foldPoints(pts, DAY_MS);
      await ctx.append(path.join(dir, 'day.log'), blockLine(month, survivors));
    }
    await fsp.rm(path.join(dir, name), { force: true });
  }
  if (ctx.retention().dailyDays > 0) {
    const dayEdge = now - ctx.retention().dailyDays * DAY_MS;
    const entry = (await ctx.load(accountId, true)).files.get('day.log');
    if (entry) {
      const keep = entry.parsed.lines.filter((l) => !(l.kind === 'B' && nextMonthStart(l.period) <= dayEdge));
      if (keep.length !== entry.parsed.lines.length) {
        const idx = new Set(keep);
        const content = entry.parsed.good.filter((_, i) => idx.has(entry.parsed.lines[i]!)).join('');
        await ctx.rewrite(path.join(dir, 'day.log'), content);
      }
    }
  }
}
