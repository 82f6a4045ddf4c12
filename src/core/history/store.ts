// Usage-history store: a time series per account and meter, kept in the extension's global storage folder.
//
// Format decision (measured with bench/history.ts on the dev machine; figures in docs/history-format.md):
// an append-only, line-oriented text log per account and UTC day, with checksummed lines, folded into coarser
// append-only logs as it ages — chosen over sql.js (WASM SQLite, the only embedded database that installs from npm
// without a native build and runs in every extension host). sql.js keeps the whole database in memory and can only
// persist by exporting and rewriting the entire file, so every poll with a change rewrites the whole store: measured
// 11.6 MB/day for ONE account on day one and ~16 GB/day for 20 accounts after a year, against a 2 MB/day budget;
// its crash safety rests on that whole-file rewrite; it adds ~0.7 MB of WASM + JS to the package and ~30 MB RSS.
// This log measured 0.54 MB/day for 20 accounts (0.61 MB/day including compaction), ~21 MB after a year, a cold
// 1-year query of one meter in ~60 ms (0.4 ms warm). It appends ~60 bytes per changed sample with a single
// write() (a killed process loses at most the append in flight), readers re-read only files whose size/mtime
// changed, and damage stays confined to the lines it hits.
//
// Layout under `<folder>/v2/<accountId>/` (the `v2` folder is the format version; older layouts are migrated):
//   raw-YYYYMMDD.log   raw samples of one UTC day, one `P` line per sample, appended as polls arrive
//   q15-YYYYMM.log     15-minute buckets: one `B,<YYYYMMDD>` line per folded raw day (a single atomic append)
//   day.log            daily buckets: one `B,<YYYYMM>` line per folded month
// A folded period's block is appended first and its source deleted after, and a period present in a coarser tier
// shadows the finer one at read time, so a crash between the two steps never duplicates or loses points.
// Lines are `<payload>*<crc32>`: a torn tail (the crash case) is truncated by the writer, any other bad line is
// dropped, the damaged original kept as `<file>.corrupt-<ts>` and reported once through onDidDetectCorruption.
//
// Compaction (compaction.ts), migration of older layouts (migration.ts), the tiers' merge (tiers.ts) and which poll is a
// sample (samples.ts) live beside this file; the store keeps recording, reading, the writer lease and the file cache.
//
// One writer: only the window holding the lease (a FileLease on e.g. `<globalStorage>/history.lock`) or for which
// `isWriter()` is true writes, migrates and compacts; every window reads, re-stating the files on each query.

import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Meter } from '../../shared/model';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { Emitter, type Disposable, type Event } from '../events';
import { scoped, type Logger } from '../log';
import { copyFilePrivate, mkdirPrivate, openPrivate } from '../privateFs';
import type { Lease } from '../state/lease';
import { isValidAccountId, assertValidAccountId } from '../state/snapshotStore';
import { dayKey, parseFile, pointLine, type ParsedFile } from './format';
import { downsampleMinMax } from './downsample';
import { compactAccount, sweep, type CompactionContext } from './compaction';
import { SerialQueue } from '../serial';
import { errMsg, isCode, statOrUndefined, writeAtomic } from './files';
import { migrateV1 } from './migration';
import { pointOf, sameValues } from './samples';
import { FILE_RE, RES_NAME, VERSION_DIR, merge, type AccountCache, type FileEntry } from './tiers';
import {
  DEFAULT_RETENTION,
  type CorruptionReport,
  type ExportRow,
  type HistoryPoint,
  type RetentionOptions,
  type SeriesInfo,
} from './types';

/** Clock steps back up to this are clamped to the last sample's time; larger ones are taken as the real time. */
const MAX_CLAMP_MS = 10 * 60_000;

export interface HistoryStoreOptions {
  /** Folder of the store, e.g. `<globalStorage>/history`. Created on demand. */
  folder: string;
  log: Logger;
  clock?: Clock;
  retention?: RetentionOptions;
  /** An unchanged value is still written when the last point of its series is this old (default 1 h). */
  heartbeatMs?: number;
  /** Lease deciding the single writer across windows; the store acquires and renews it. */
  lease?: Lease;
  /** Alternative to `lease`: asked before every write. Default (neither given): this store is the writer. */
  isWriter?: () => boolean;
  /** Lease renew / re-acquire period (default 10 s; keep it well under the lease's ttl). */
  leaseRenewMs?: number;
  /** Background compaction period (default 1 h, first run 30 s after start); 0 disables the timer. */
  compactEveryMs?: number;
  /** fsync after every append (default false: losing the last seconds on power loss is acceptable for history). */
  fsync?: boolean;
  /** Parsed accounts kept in memory for queries (default 4). */
  cacheAccounts?: number;
  /**
   * Ids of the accounts that exist, or undefined while unknown. Compaction deletes the history of any other account
   * once it has not been written for a week (an account removed while another window was writing, or whose delete
   * was interrupted). Without it, nothing is swept.
   */
  knownAccounts?: () => readonly string[] | undefined;
}

interface WriterState {
  last: Map<string, HistoryPoint>;
  lastT: number;
}

export class HistoryStore implements Disposable {
  private readonly root: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private retention: RetentionOptions;
  private readonly heartbeatMs: number;
  private readonly lease: Lease | undefined;
  private readonly writerFn: (() => boolean) | undefined;
  private readonly leaseRenewMs: number;
  private readonly compactEveryMs: number;
  private readonly fsync: boolean;
  private readonly cacheAccounts: number;
  private readonly knownAccounts: (() => readonly string[] | undefined) | undefined;
  private readonly compaction: CompactionContext;
  /** Accounts deleted in this session: a poll still in flight for one must not bring its folder back. */
  private readonly deleted = new Set<string>();
  private readonly cache = new Map<string, AccountCache>();
  private readonly writers = new Map<string, WriterState>();
  private readonly corruptionEmitter = new Emitter<CorruptionReport>();
  private readonly reports: CorruptionReport[] = [];
  private readonly queue = new SerialQueue();
  private leaseTimer: TimerHandle | undefined;
  private compactTimer: TimerHandle | undefined;
  private leaseTick: Promise<void> | undefined;
  /** The lease's release after dispose(), for whenIdle. */
  private releasing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private wasWriter = false;
  private migrated = false;
  private disposed = false;
  private clockBackLogged = false;
  private badIdLogged = false;
  private bytesWritten = 0;

  /** Fires at most once per store, the first time a damaged file was repaired (later ones are logged only). */
  readonly onDidDetectCorruption: Event<CorruptionReport> = this.corruptionEmitter.event;

  constructor(opts: HistoryStoreOptions) {
    this.root = opts.folder;
    this.log = scoped(opts.log, 'history');
    this.clock = opts.clock ?? systemClock;
    this.retention = { ...DEFAULT_RETENTION, ...opts.retention };
    this.heartbeatMs = opts.heartbeatMs ?? 3_600_000;
    this.lease = opts.lease;
    this.writerFn = opts.isWriter;
    this.leaseRenewMs = opts.leaseRenewMs ?? 10_000;
    this.compactEveryMs = opts.compactEveryMs ?? 3_600_000;
    this.fsync = opts.fsync ?? false;
    this.cacheAccounts = Math.max(1, opts.cacheAccounts ?? 4);
    this.knownAccounts = opts.knownAccounts;
    this.compaction = {
      log: this.log,
      v2: this.v2,
      retention: () => this.retention,
      knownAccounts: this.knownAccounts,
      accountDir: (id) => this.accountDir(id),
      load: (id, repair) => this.load(id, repair),
      cached: (id) => this.cache.get(id),
      forget: (id) => {
        this.cache.delete(id);
        this.writers.delete(id);
      },
      append: (file, data) => this.append(file, data),
      rewrite: (file, content) => this.rewrite(file, content),
    };
  }

  /** Takes the lease when free, migrates older layouts (writer only) and arms the lease and compaction timers. */
  async start(): Promise<void> {
    if (this.lease) {
      try {
        await this.lease.tryAcquire();
      } catch (e) {
        this.log.warn(`cannot take the history lease: ${errMsg(e)}`);
      }
      this.armLease();
    }
    if (this.isWriter()) await this.queue.run(() => this.migrateIfNeeded());
    if (this.compactEveryMs > 0) this.armCompaction(Math.min(30_000, this.compactEveryMs));
  }

  isWriter(): boolean {
    if (this.disposed) return false;
    const w = this.writerFn ? this.writerFn() : this.lease ? this.lease.isHeld() : true;
    if (w && !this.wasWriter) {
      // Another window may have written since we last looked: rebuild the change-detection state from disk.
      this.writers.clear();
      this.migrated = false;
    }
    this.wasWriter = w;
    return w;
  }

  /**
   * Applies a changed retention setting. Compaction runs again soon (not only at its hourly tick), so shorter tiers
   * take effect at once; longer ones keep whatever has not been folded yet, and no later compaction folds it early.
   */
  setRetention(retention: RetentionOptions): void {
    const next = { ...DEFAULT_RETENTION, ...retention };
    const r = this.retention;
    if (next.rawDays === r.rawDays && next.fifteenMinuteDays === r.fifteenMinuteDays && next.dailyDays === r.dailyDays) return;
    this.retention = next;
    this.log.info(`retention: raw ${next.rawDays} d, 15-minute ${next.fifteenMinuteDays} d, daily ${next.dailyDays || 'forever'}${next.dailyDays ? ' d' : ''}`);
    if (this.compactEveryMs > 0 && !this.disposed) {
      if (this.compactTimer) this.clock.clearTimeout(this.compactTimer);
      this.armCompaction(Math.min(30_000, this.compactEveryMs));
    }
  }

  /** Bytes this store wrote to disk (appends, repairs, compaction rewrites), for diagnostics and the benchmark. */
  stats(): { bytesWritten: number } {
    return { bytesWritten: this.bytesWritten };
  }

  /** Every corruption repaired so far (the event fires only for the first). */
  corruptionReports(): readonly CorruptionReport[] {
    return this.reports;
  }

  private get v2(): string {
    return path.join(this.root, VERSION_DIR);
  }

  private accountDir(accountId: string): string {
    assertValidAccountId(accountId);
    return path.join(this.v2, accountId);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Records a poll's meters (call with the meters of a successful snapshot). A meter is written when any stored
   * value differs from its series' last point, or when that point is at least `heartbeatMs` old; meters without
   * any number are skipped. A `takenAt` up to 10 minutes earlier than the account's last point (the clock went
   * backwards) is clamped to it, so every series stays in order; a larger step back is recorded as it is (the earlier
   * time was wrong). Returns the number of points written (0 when not the writer). Rejects when the write fails
   * (disk full, no permission): nothing of that poll is stored, and the next call starts from what is on disk.
   */
  record(accountId: string, meters: readonly Meter[], takenAt: number): Promise<number> {
    if (!isValidAccountId(accountId)) return Promise.reject(new Error('Invalid account id (allowed: A-Z a-z 0-9 _ -)'));
    if (!this.isWriter() || !Number.isFinite(takenAt)) return Promise.resolve(0);
    return this.queue.run(async () => {
      if (this.disposed || this.deleted.has(accountId)) return 0;
      await this.migrateIfNeeded();
      const w = await this.writerState(accountId);
      let t = Math.round(takenAt);
      if (t < w.lastT) {
        // A small step back (a clock adjustment) is clamped, keeping every series in order. A large one means the
        // clock was wrong before (a sample taken while it ran ahead): clamping to that future time would pin every
        // later sample to it for good, so the real time is taken and the series is sorted when read.
        const back = w.lastT - t;
        if (back <= MAX_CLAMP_MS) t = w.lastT;
        if (!this.clockBackLogged) {
          this.log.info(back <= MAX_CLAMP_MS ? `clock went backwards by ${back} ms; clamping sample times` : `clock went backwards by ${Math.round(back / 60_000)} min; recording at the current time`);
        }
        this.clockBackLogged = true;
      }
      const lines: string[] = [];
      const written: Array<[string, HistoryPoint]> = [];
      for (const m of meters) {
        // A meter whose numbers were refused shows an old reading: it is not a new sample.
        if (m.problem) continue;
        const p = pointOf(m, t);
        if (!p) continue;
        const prev = w.last.get(m.id);
        if (prev && t >= prev.t && t - prev.t < this.heartbeatMs && sameValues(prev, p)) continue;
        let line: string;
        try {
          line = pointLine(m.id, p);
        } catch {
          // An id that cannot be encoded (the model boundary refuses these; this is the last line of defence) costs
          // that meter's sample, never its siblings'.
          if (!this.badIdLogged) this.log.warn('a meter with an unusable id was not recorded');
          this.badIdLogged = true;
          continue;
        }
        lines.push(line);
        written.push([m.id, p]);
      }
      if (lines.length === 0) return 0;
      const dir = this.accountDir(accountId);
      try {
        // 0700 (created or tightened), with the history folders above it.
        await mkdirPrivate(this.root);
        await mkdirPrivate(this.v2);
        await mkdirPrivate(dir);
        // One write() per poll: a kill leaves the whole poll or none of it (or, on power loss, a torn tail that may
        // keep the poll's first lines; the writer truncates the torn line).
        await this.append(path.join(dir, `raw-${dayKey(t)}.log`), lines.join(''));
      } catch (e) {
        // Nothing of this poll is stored (append undoes a partial write); what is known of the files is re-read
        // before the next write, which also repairs a tail that could not be undone.
        this.writers.delete(accountId);
        this.cache.delete(accountId);
        throw e;
      }
      for (const [id, p] of written) w.last.set(id, p);
      w.lastT = t;
      return lines.length;
    });
  }

  /**
   * Appends `data` with one write(). A failed or short write (a full disk writes what fits, then refuses) is undone
   * by truncating the file back to its size before the append, so the next append never continues a broken line.
   */
  private async append(file: string, data: string): Promise<void> {
    const buf = Buffer.from(data, 'latin1');
    const fh = await openPrivate(file, 'a');
    try {
      const before = (await fh.stat()).size;
      let written = 0;
      try {
        written = (await fh.write(buf, 0, buf.length)).bytesWritten;
        if (written !== buf.length) throw Object.assign(new Error(`short write (${written} of ${buf.length} bytes)`), { code: 'ENOSPC' });
      } catch (e) {
        await fh.truncate(before).catch(() => undefined);
        throw e;
      }
      this.bytesWritten += written;
      if (this.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** Replaces a file atomically (repair, retention). */
  private async rewrite(file: string, content: string): Promise<void> {
    this.bytesWritten += content.length;
    await writeAtomic(file, content);
  }

  private async writerState(accountId: string): Promise<WriterState> {
    let w = this.writers.get(accountId);
    if (w) return w;
    const data = await this.load(accountId, true);
    w = { last: new Map(), lastT: -Infinity };
    for (const [meterId, s] of data.series) {
      const p = s.points[s.points.length - 1];
      if (!p) continue;
      w.last.set(meterId, p);
      w.lastT = Math.max(w.lastT, p.t);
    }
    this.writers.set(accountId, w);
    return w;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Points of one series with `from ≤ t ≤ to`, ascending, downsampled to about `maxPoints` (min/max per time
   * bucket, see downsample.ts). Re-reads whatever changed on disk since the last call (another window's writes).
   */
  async query(accountId: string, meterId: string, from: number, to: number, maxPoints: number): Promise<HistoryPoint[]> {
    if (!isValidAccountId(accountId)) return [];
    const data = await this.load(accountId, false);
    const s = data.series.get(meterId);
    if (!s) return [];
    const lo = lowerBound(s.points, from);
    let hi = lowerBound(s.points, to + 1);
    if (hi < lo) hi = lo;
    return downsampleMinMax(s.points.slice(lo, hi), maxPoints, from, to).map((p) => ({ ...p }));
  }

  /** Every stored series with its time span and point count. */
  async listSeries(): Promise<SeriesInfo[]> {
    const out: SeriesInfo[] = [];
    for (const accountId of await this.accounts()) {
      const data = await this.load(accountId, false);
      for (const [meterId, s] of data.series) {
        if (s.points.length === 0) continue;
        out.push({ accountId, meterId, from: s.points[0]!.t, to: s.points[s.points.length - 1]!.t, points: s.points.length });
      }
    }
    return out.sort((a, b) => cmp(a.accountId, b.accountId) || cmp(a.meterId, b.meterId));
  }

  /**
   * One account's rows for "Export Usage History", sorted by meter and time, in chunks of at most `chunkRows`:
   * an export of a year of many accounts never holds all its rows at once, and its caller can yield between chunks.
   * Reads one consistent version of the account (a write landing meanwhile is not mixed in).
   */
  async *exportChunks(accountId: string, range: { from?: number; to?: number } = {}, chunkRows = 2000): AsyncGenerator<ExportRow[]> {
    if (!isValidAccountId(accountId)) return;
    const from = range.from ?? -Infinity;
    const to = range.to ?? Infinity;
    const data = await this.load(accountId, false);
    let rows: ExportRow[] = [];
    for (const meterId of [...data.series.keys()].sort(cmp)) {
      const s = data.series.get(meterId)!;
      for (let i = lowerBound(s.points, from); i < s.points.length && s.points[i]!.t <= to; i++) {
        const p = s.points[i]!;
        const row: ExportRow = { accountId, meterId, t: p.t, capturedAt: p.capturedAt ?? p.t, resolution: RES_NAME[s.res[i]!]! };
        if (p.used !== undefined) row.used = p.used;
        if (p.limit !== undefined) row.limit = p.limit;
        if (p.remaining !== undefined) row.remaining = p.remaining;
        if (p.percentUsed !== undefined) row.percentUsed = p.percentUsed;
        if (p.resetsAt !== undefined) row.resetsAt = p.resetsAt;
        if (p.source !== undefined) row.source = p.source;
        rows.push(row);
        if (rows.length >= chunkRows) {
          yield rows;
          rows = [];
        }
      }
    }
    if (rows.length > 0) yield rows;
  }

  /** Forgets an account's whole history (call when the user removes the account). Any window may call it. */
  deleteAccount(accountId: string): Promise<void> {
    const dir = this.accountDir(accountId);
    this.deleted.add(accountId);
    return this.queue.run(async () => {
      this.cache.delete(accountId);
      this.writers.delete(accountId);
      // Rename first so a reader never sees a half-deleted series.
      const aside = path.join(this.v2, `.deleted-${accountId}-${randomBytes(4).toString('hex')}`);
      try {
        await fsp.rename(dir, aside);
      } catch (e) {
        if (isCode(e, 'ENOENT')) return;
        throw e;
      }
      await fsp.rm(aside, { recursive: true, force: true });
      this.log.info(`deleted the history of ${accountId}`);
    });
  }

  private async accounts(): Promise<string[]> {
    try {
      return (await fsp.readdir(this.v2)).filter(isValidAccountId).sort(cmp);
    } catch (e) {
      if (!isCode(e, 'ENOENT')) this.log.warn(`cannot list history: ${errMsg(e)}`);
      return [];
    }
  }

  /**
   * Parses an account's files, re-using every file whose size, mtime and inode did not change. The writer also
   * repairs: truncates a torn tail (an interrupted append) and rewrites a damaged file from its intact lines.
   */
  private async load(accountId: string, repair: boolean): Promise<AccountCache> {
    const dir = this.accountDir(accountId);
    let names: string[];
    try {
      names = (await fsp.readdir(dir)).filter((n) => FILE_RE.test(n)).sort();
    } catch (e) {
      if (!isCode(e, 'ENOENT')) this.log.warn(`cannot read history of ${accountId}: ${errMsg(e)}`);
      names = [];
    }
    const prev = this.cache.get(accountId);
    const files = new Map<string, FileEntry>();
    const sigs: string[] = [];
    // Stat and read in parallel: a cold query's latency is dominated by file-system round trips, not parsing.
    const loaded = await Promise.all(
      names.map(async (name): Promise<[string, FileEntry] | undefined> => {
        const file = path.join(dir, name);
        let st = await statOrUndefined(file);
        if (!st) return undefined;
        let sig = `${st.ino}:${st.size}:${st.mtimeMs}`;
        const cached = prev?.files.get(name);
        if (cached && cached.sig === sig && !(repair && (cached.parsed.tornTail || cached.parsed.badLines > 0))) return [name, cached];
        let buf: Buffer;
        try {
          buf = await fsp.readFile(file);
        } catch (e) {
          if (!isCode(e, 'ENOENT')) this.log.warn(`cannot read ${accountId}/${name}: ${errMsg(e)}`);
          return undefined;
        }
        let parsed = parseFile(buf);
        if (repair && (parsed.tornTail || parsed.badLines > 0)) {
          parsed = await this.repair(accountId, file, name, parsed);
          st = await statOrUndefined(file);
          if (!st) return undefined;
          sig = `${st.ino}:${st.size}:${st.mtimeMs}`;
        }
        return [name, { sig, parsed }];
      }),
    );
    for (const item of loaded) {
      if (!item) continue;
      files.set(item[0], item[1]);
      sigs.push(`${item[0]}=${item[1].sig}`);
    }
    const sig = sigs.join('|');
    if (prev && prev.sig === sig) {
      this.touch(accountId, prev);
      return prev;
    }
    const data: AccountCache = { sig, files, series: merge(files) };
    this.touch(accountId, data);
    return data;
  }

  private touch(accountId: string, data: AccountCache): void {
    this.cache.delete(accountId);
    this.cache.set(accountId, data);
    while (this.cache.size > this.cacheAccounts) this.cache.delete(this.cache.keys().next().value!);
  }

  private async repair(accountId: string, file: string, name: string, parsed: ParsedFile): Promise<ParsedFile> {
    if (parsed.badLines === 0) {
      // The expected aftermath of a crash mid-append: drop the partial line so the next append starts clean.
      this.log.info(`dropping an interrupted write at the end of ${accountId}/${name}`);
      await fsp.truncate(file, parsed.completeBytes);
      return { ...parsed, tornTail: false };
    }
    const backup = `${file}.corrupt-${this.clock.now()}`;
    await copyFilePrivate(file, backup);
    const good = parsed.good.join('');
    await this.rewrite(file, good);
    const report: CorruptionReport = { file, backup, goodLines: parsed.goodLines, badLines: parsed.badLines };
    this.log.warn(
      `repaired damaged history file ${accountId}/${name}: kept ${parsed.goodLines} intact lines, dropped ${parsed.badLines}; original kept as ${path.basename(backup)}`,
    );
    this.reports.push(report);
    if (this.reports.length === 1) this.corruptionEmitter.fire(report);
    return { ...parsed, badLines: 0, tornTail: false };
  }

  // ---------------------------------------------------------------- compaction (compaction.ts)

  /**
   * Folds aged raw days into 15-minute buckets and aged months into daily buckets, and applies the daily
   * retention. Runs one account at a time, yielding to the event loop in between, so a caller is never blocked
   * for long; a no-op when not the writer. Idempotent and safe to interrupt at any point.
   */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    const run = (async () => {
      if (!this.isWriter()) return;
      await this.queue.run(() => this.migrateIfNeeded());
      await this.queue.run(() => sweep(this.compaction, this.clock.now())).catch((e: unknown) => this.log.warn(`sweep failed: ${errMsg(e)}`));
      for (const accountId of await this.accounts()) {
        if (this.disposed || !this.isWriter()) return;
        await new Promise<void>((r) => setImmediate(r));
        try {
          await this.queue.run(() => compactAccount(this.compaction, accountId, this.clock.now()));
        } catch (e) {
          this.log.warn(`compaction of ${accountId} failed: ${errMsg(e)}`);
        }
      }
    })();
    this.compacting = run.finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  // ---------------------------------------------------------------- migration (migration.ts)

  private async migrateIfNeeded(): Promise<void> {
    if (this.migrated) return;
    this.migrated = true;
    if (!(await migrateV1(this.root, this.v2, this.log))) this.migrated = false;
  }

  // ---------------------------------------------------------------- plumbing

  /** Resolves when every write queued so far has finished. */
  async flush(): Promise<void> {
    await this.queue.idle();
  }

  /** Resolves when nothing runs any more: queued writes, a compaction, a lease tick started by a timer, the release. */
  async whenIdle(): Promise<void> {
    while (this.compacting || this.leaseTick) {
      await this.compacting;
      await this.leaseTick;
    }
    await this.queue.idle();
    await this.releasing;
  }

  private armLease(): void {
    if (this.disposed || !this.lease) return;
    const lease = this.lease;
    this.leaseTimer = this.clock.setTimeout(() => {
      this.leaseTimer = undefined;
      const tick = (lease.isHeld() ? lease.renew() : lease.tryAcquire())
        .then(() => undefined)
        .catch((e: unknown) => this.log.warn(`history lease: ${errMsg(e)}`))
        .finally(() => {
          this.leaseTick = undefined;
          this.armLease();
        });
      this.leaseTick = tick;
    }, this.leaseRenewMs);
  }

  private armCompaction(ms: number): void {
    if (this.disposed) return;
    this.compactTimer = this.clock.setTimeout(() => {
      this.compactTimer = undefined;
      this.compact()
        .catch((e) => this.log.warn(`compaction failed: ${errMsg(e)}`))
        .finally(() => this.armCompaction(this.compactEveryMs));
    }, ms);
  }

  /** Stops timers and gives up the lease; pending writes still complete (await flush() first to be sure). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.leaseTimer) this.clock.clearTimeout(this.leaseTimer);
    if (this.compactTimer) this.clock.clearTimeout(this.compactTimer);
    this.leaseTimer = this.compactTimer = undefined;
    this.corruptionEmitter.dispose();
    this.cache.clear();
    const lease = this.lease;
    if (lease) {
      this.releasing = this.queue
        .idle()
        .then(() => lease.release())
        .catch((e: unknown) => this.log.warn(`cannot release the history lease: ${errMsg(e)}`));
    }
  }
}

// ---------------------------------------------------------------- helpers

function lowerBound(points: HistoryPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
