// Persistence of API-reported operations: validated synchronously (the caller waits for nothing else), queued, and
// appended in batches to month files `<folder>/YYYY-MM.jsonl` (UTC month of the operation). Append-only JSON lines:
// several windows can append to the same file (each batch is one `O_APPEND` write of whole lines), a reader skips a
// torn last line, and old months can be deleted as files.
//
// The callers are other extensions, untrusted: everything they can make tokstat hold or write is bounded, and the
// excess is refused with `{ ok: false, error }` (never an exception, never silently dropped):
//  - memory: operations accepted but not yet on disk (queued, being written, or waiting for a retry) are at most
//    INGEST_STORE_LIMITS.maxPendingOps and maxPendingBytes;
//  - rate: a token bucket per caller (the operation's optional `source`, its extension id; calls without one share
//    one anonymous bucket) and one for all callers together, so that made-up sources cannot add up past it. Every
//    call takes a token, valid or not;
//  - disk: at most monthFileBytes per month file, checked against the size last seen on disk plus what this window
//    has pending (other windows appending at the same moment can overshoot it by at most their pending bytes).
// A failed write is retried (backoff 1 s doubling to 60 s) for as long as the window lives; nothing answered
// `{ ok: true }` is dropped, except what is still unwritten when the window closes with the disk failing (logged).
// Every line carries a unique `id`, and a retried batch starts on a fresh line, so a batch that was partly written
// before failing is read back exactly once.
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { Emitter, type Disposable } from '../events';
import { nullLogger, scoped, type Logger } from '../log';
import { appendFilePrivate, mkdirPrivate } from '../privateFs';
import { INGEST_LIMITS, parseApiLine, toApiRecord, type ApiUsageRecord, type RecordResult } from './ingest';

/** The bounds above, as named constants (also in the README's "Privacy and security"). */
export const INGEST_STORE_LIMITS = {
  /** Operations accepted but not yet on disk (queued + being written + waiting for a retry). */
  maxPendingOps: 10_000,
  /** Their serialised size. */
  maxPendingBytes: 8 * 1024 * 1024,
  /** Sustained operations per second from one caller (`source`), and the burst it may send at once. */
  callerRatePerSec: 20,
  callerBurst: 200,
  /** Sustained operations per second from all callers together, and their burst. */
  totalRatePerSec: 100,
  totalBurst: 1000,
  /** Distinct sources tracked; further sources share one overflow bucket. */
  maxCallers: 64,
  /** Size of one month file; operations beyond it are refused until the next month. */
  monthFileBytes: 64 * 1024 * 1024,
  /** Retry of a failed write: first delay, doubled up to the last. */
  retryFirstMs: 1000,
  retryMaxMs: 60_000,
  /** A stored line longer than this cannot be ours (payloadBytes is the limit of one record) and is skipped unread. */
  maxLineBytes: 4 * INGEST_LIMITS.payloadBytes,
} as const;

export type IngestStoreLimits = { -readonly [K in keyof typeof INGEST_STORE_LIMITS]: number };

/** The few file operations the log needs; injected by the hostile tests (slow, failing disks). */
export interface IngestFs {
  mkdir(dir: string): Promise<void>;
  /** Size in bytes; 0 when the file does not exist. */
  size(file: string): Promise<number>;
  append(file: string, data: string): Promise<void>;
}

export const nodeIngestFs: IngestFs = {
  mkdir: mkdirPrivate,
  size: async (file) => {
    try {
      return (await fsp.stat(file)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
  },
  append: (file, data) => appendFilePrivate(file, data, 'utf8'),
};

export interface ApiUsageLogOptions {
  /** e.g. `<globalStorage>/usage-api`. */
  folder: string;
  clock?: Clock;
  log?: Logger;
  /** Longest wait before a queued operation is written. Default 1 s. */
  batchMs?: number;
  /** Write at once when this many are queued. Default 200. */
  maxBatch?: number;
  /** Shorthand for `limits.maxPendingOps`. */
  maxQueue?: number;
  /** Overrides of INGEST_STORE_LIMITS (tests). */
  limits?: Partial<IngestStoreLimits>;
  fs?: IngestFs;
}

const MONTH_FILE = /^\d{4}-\d{2}\.jsonl$/;

function monthOf(ts: number): string {
  const d = new Date(ts);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

interface Pending {
  record: ApiUsageRecord;
  line: string;
  month: string;
  /** UTF-8 bytes of the line and its newline. */
  bytes: number;
  /** Failed write attempts so far. */
  tries: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const ANONYMOUS = '\0anonymous';
const OVERFLOW = '\0overflow';

/** The caller's `source`, read without trusting the object (a getter may throw); validated later with the rest. */
function sourceOf(input: unknown): string {
  try {
    const s = (input as { source?: unknown } | null)?.source;
    return typeof s === 'string' && s.length > 0 && s.length <= INGEST_LIMITS.nameChars ? s : ANONYMOUS;
  } catch {
    return ANONYMOUS;
  }
}

function codeOf(e: unknown): string {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : e instanceof Error ? e.name : 'error';
}

export class ApiUsageLog implements Disposable {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly fs: IngestFs;
  private readonly batchMs: number;
  private readonly maxBatch: number;
  private readonly limits: IngestStoreLimits;
  private queue: Pending[] = [];
  /** Batches whose write failed, retried first by the next flush. */
  private failed: Pending[] = [];
  private pendingOps = 0;
  private pendingBytes = 0;
  private readonly pendingByMonth = new Map<string, number>();
  /** Size of each month file as last seen on disk (after our own appends). */
  private readonly monthBytes = new Map<string, number>();
  private readonly sizing = new Set<string>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly total: Bucket;
  private readonly idPrefix = randomBytes(6).toString('hex');
  private seq = 0;
  private timer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private retryDelay = 0;
  private writing: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly refusalsLogged = new Map<string, number>();
  private readonly appended = new Emitter<readonly ApiUsageRecord[]>();
  /** Fires after a batch reached the disk (the ledger/dashboard can add it without rescanning). */
  readonly onDidAppend = this.appended.event;
  /** Counters for the log and tests. */
  readonly stats = { accepted: 0, rejected: 0, written: 0, writeErrors: 0, batches: 0, lost: 0 };

  constructor(private readonly opts: ApiUsageLogOptions) {
    this.log = scoped(opts.log ?? nullLogger, 'api-usage');
    this.clock = opts.clock ?? systemClock;
    this.fs = opts.fs ?? nodeIngestFs;
    this.batchMs = opts.batchMs ?? 1000;
    this.maxBatch = opts.maxBatch ?? 200;
    this.limits = { ...INGEST_STORE_LIMITS, ...(opts.maxQueue !== undefined ? { maxPendingOps: opts.maxQueue } : {}), ...opts.limits };
    this.total = { tokens: this.limits.totalBurst, at: this.clock.now() };
  }

  /** Operations accepted and not yet on disk (queued, being written, or waiting for a retry), and their bytes. */
  pending(): { ops: number; bytes: number } {
    return { ops: this.pendingOps, bytes: this.pendingBytes };
  }

  /** Synchronous: validates and queues. Never throws. */
  record(input: unknown): RecordResult {
    try {
      if (this.disposed) return this.refuse('closed', 'tokstat is shutting down');
      const now = this.clock.now();
      const caller = this.bucketOf(sourceOf(input), now);
      refill(this.total, now, this.limits.totalRatePerSec, this.limits.totalBurst);
      if (this.total.tokens < 1) {
        return this.refuse('total-rate', `too many operations from all callers (more than ${this.limits.totalRatePerSec} per second); try again later`);
      }
      if (caller.tokens < 1) {
        return this.refuse('caller-rate', `too many operations from this caller (more than ${this.limits.callerRatePerSec} per second, bursts of ${this.limits.callerBurst}); try again later`);
      }
      this.total.tokens--;
      caller.tokens--;
      if (this.pendingOps >= this.limits.maxPendingOps) {
        return this.refuse('full', `too many operations waiting to be written (${this.limits.maxPendingOps}); try again later`);
      }
      const r = toApiRecord(input, now);
      if (!r.ok) {
        this.stats.rejected++;
        return r;
      }
      const record = r.record;
      record.id = `${this.idPrefix}${(this.seq++).toString(36)}`;
      const line = JSON.stringify(record);
      const bytes = Buffer.byteLength(line, 'utf8') + 1;
      if (this.pendingBytes + bytes > this.limits.maxPendingBytes) {
        return this.refuse('full', `too many operations waiting to be written (${this.limits.maxPendingBytes} bytes); try again later`);
      }
      const month = monthOf(record.timestamp);
      const inMonth = this.pendingByMonth.get(month) ?? 0;
      if ((this.monthBytes.get(month) ?? 0) + inMonth + bytes > this.limits.monthFileBytes) {
        return this.refuse(`month-${month}`, `storage limit for ${month} reached (${this.limits.monthFileBytes} bytes of operations); operations of that month are refused`);
      }
      if (!this.monthBytes.has(month)) this.learnSize(month);
      this.queue.push({ record, line, month, bytes, tries: 0 });
      this.pendingOps++;
      this.pendingBytes += bytes;
      this.pendingByMonth.set(month, inMonth + bytes);
      this.stats.accepted++;
      if (this.queue.length >= this.maxBatch) this.schedule(0);
      else this.schedule(this.batchMs);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: `internal error (${e instanceof Error ? e.name : 'unknown'})` };
    }
  }

  private refuse(kind: string, error: string): RecordResult {
    this.stats.rejected++;
    // A flood must not flood the log too: one line per kind of refusal per minute.
    const now = this.clock.now();
    const last = this.refusalsLogged.get(kind);
    if (last === undefined || now - last >= 60_000) {
      if (this.refusalsLogged.size > 256) this.refusalsLogged.clear();
      this.refusalsLogged.set(kind, now);
      this.log.warn(`refusing operations: ${error}`);
    }
    return { ok: false, error };
  }

  private bucketOf(source: string, now: number): Bucket {
    let key = source;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.limits.maxCallers) {
        // Evict callers idle long enough to be full again; if none, newcomers share the overflow bucket.
        for (const [k, v] of this.buckets) {
          refill(v, now, this.limits.callerRatePerSec, this.limits.callerBurst);
          if (k !== OVERFLOW && k !== ANONYMOUS && v.tokens >= this.limits.callerBurst) this.buckets.delete(k);
        }
        if (this.buckets.size >= this.limits.maxCallers) key = OVERFLOW;
      }
      b = this.buckets.get(key);
      if (!b) this.buckets.set(key, (b = { tokens: this.limits.callerBurst, at: now }));
    }
    refill(b, now, this.limits.callerRatePerSec, this.limits.callerBurst);
    return b;
  }

  /** Learns the size of a month file this window has not written yet (until then it counts as empty). */
  private learnSize(month: string): void {
    if (this.sizing.has(month)) return;
    this.sizing.add(month);
    this.fs.size(path.join(this.opts.folder, `${month}.jsonl`)).then(
      (size) => {
        if (!this.monthBytes.has(month)) this.monthBytes.set(month, size);
      },
      () => this.sizing.delete(month),
    );
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  /**
   * Writes everything queued so far, and retries what failed before. Never rejects; resolves when this attempt is
   * over (what failed again stays pending and is retried later, see `pending()`).
   */
  flush(): Promise<void> {
    if (this.timer) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.retryTimer) {
      this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    const batch = this.failed.length ? this.failed.concat(this.queue) : this.queue;
    if (batch.length === 0) return this.writing;
    this.failed = [];
    this.queue = [];
    this.writing = this.writing.then(() => this.write(batch)).catch(() => undefined);
    return this.writing;
  }

  private async write(batch: Pending[]): Promise<void> {
    const byMonth = new Map<string, Pending[]>();
    for (const p of batch) {
      let list = byMonth.get(p.month);
      if (!list) byMonth.set(p.month, (list = []));
      list.push(p);
    }
    const done: ApiUsageRecord[] = [];
    let failure: string | undefined;
    for (const [m, list] of byMonth) {
      // A retried batch may have been partly written: start on a fresh line so its torn tail cannot swallow a line.
      const data = (list.some((p) => p.tries > 0) ? '\n' : '') + list.map((p) => p.line).join('\n') + '\n';
      const file = path.join(this.opts.folder, `${m}.jsonl`);
      try {
        await this.fs.mkdir(this.opts.folder);
        const before = await this.fs.size(file);
        await this.fs.append(file, data);
        this.monthBytes.set(m, before + Buffer.byteLength(data, 'utf8'));
        this.release(list);
        this.stats.written += list.length;
        for (const p of list) done.push(p.record);
      } catch (e) {
        this.stats.writeErrors++;
        failure = codeOf(e);
        for (const p of list) p.tries++;
        this.failed.push(...list);
      }
    }
    this.stats.batches++;
    if (this.failed.length) {
      this.retryDelay = this.retryDelay ? Math.min(this.retryDelay * 2, this.limits.retryMaxMs) : this.limits.retryFirstMs;
      if (!this.disposed) {
        this.log.warn(`cannot append ${this.failed.length} operations (${failure}); retrying in ${Math.round(this.retryDelay / 1000)} s`);
        if (!this.retryTimer) {
          this.retryTimer = this.clock.setTimeout(() => {
            this.retryTimer = undefined;
            void this.flush();
          }, this.retryDelay);
        }
      }
    } else {
      this.retryDelay = 0;
    }
    if (done.length && !this.disposed) this.appended.fire(done);
  }

  private release(list: readonly Pending[]): void {
    for (const p of list) {
      this.pendingOps--;
      this.pendingBytes -= p.bytes;
      const left = (this.pendingByMonth.get(p.month) ?? 0) - p.bytes;
      if (left > 0) this.pendingByMonth.set(p.month, left);
      else this.pendingByMonth.delete(p.month);
    }
  }

  /** Flushes (one last attempt for what failed) and stops accepting operations. Await it in `deactivate`. */
  async close(): Promise<void> {
    await this.flush();
    this.dispose();
    await this.writing;
  }

  dispose(): void {
    if (this.disposed) return;
    const last = this.queue.length || this.failed.length ? this.flush() : this.writing;
    this.disposed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    if (this.retryTimer) this.clock.clearTimeout(this.retryTimer);
    this.timer = this.retryTimer = undefined;
    this.appended.dispose();
    void last.then(() => {
      if (!this.failed.length) return;
      this.stats.lost += this.failed.length;
      this.log.error(`${this.failed.length} accepted operations could not be written before closing and are lost`);
      this.release(this.failed);
      this.failed = [];
    });
  }
}

function refill(b: Bucket, now: number, ratePerSec: number, burst: number): void {
  if (now > b.at) {
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) * ratePerSec) / 1000);
    b.at = now;
  }
}

/**
 * Calls `onLine` for every line of `file`, read in chunks so no file size makes it unreadable; lines longer than
 * `maxLine` bytes are skipped without being held. Returns how many were skipped.
 */
async function forEachLine(file: string, maxLine: number, onLine: (line: string) => void): Promise<number> {
  const fh = await fsp.open(file, 'r');
  let skipped = 0;
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let carry: Buffer[] = [];
    let carryLen = 0;
    let skipping = false;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      let start = 0;
      for (let nl = buf.indexOf(0x0a, 0); nl !== -1 && nl < bytesRead; nl = buf.indexOf(0x0a, start)) {
        if (skipping || carryLen + (nl - start) > maxLine) {
          skipped++;
        } else if (carryLen) {
          onLine(Buffer.concat([...carry, buf.subarray(start, nl)]).toString('utf8'));
        } else {
          onLine(buf.toString('utf8', start, nl));
        }
        carry = [];
        carryLen = 0;
        skipping = false;
        start = nl + 1;
      }
      if (start < bytesRead && !skipping) {
        if (carryLen + (bytesRead - start) > maxLine) {
          skipping = true;
          carry = [];
          carryLen = 0;
        } else {
          carry.push(Buffer.from(buf.subarray(start, bytesRead)));
          carryLen += bytesRead - start;
        }
      }
    }
    // A last line without newline: another window mid-append, or a torn write. Parsed if whole, skipped if not.
    if (!skipping && carryLen) onLine(Buffer.concat(carry).toString('utf8'));
    else if (skipping) skipped++;
  } finally {
    await fh.close().catch(() => undefined);
  }
  return skipped;
}

/**
 * Reads every stored operation, optionally only months overlapping [since, until] (epoch ms). Streams each month
 * file; corrupt lines are skipped, lines too long to be ours are skipped (and logged), an operation written twice
 * (a retried batch) is returned once.
 */
export async function readApiUsage(folder: string, range: { since?: number; until?: number } = {}, log: Logger = nullLogger): Promise<ApiUsageRecord[]> {
  let names: string[];
  try {
    names = (await fsp.readdir(folder)).filter((n) => MONTH_FILE.test(n)).sort();
  } catch {
    return [];
  }
  const lo = range.since !== undefined ? monthOf(range.since) : undefined;
  const hi = range.until !== undefined ? monthOf(range.until) : undefined;
  const out: ApiUsageRecord[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    const m = n.slice(0, 7);
    if ((lo && m < lo) || (hi && m > hi)) continue;
    try {
      const skipped = await forEachLine(path.join(folder, n), INGEST_STORE_LIMITS.maxLineBytes, (line) => {
        const r = parseApiLine(line);
        if (!r) return;
        if ((range.since !== undefined && r.timestamp < range.since) || (range.until !== undefined && r.timestamp > range.until)) return;
        if (typeof r.id === 'string') {
          if (seen.has(r.id)) return;
          seen.add(r.id);
        }
        out.push(r);
      });
      if (skipped) scoped(log, 'api-usage').warn(`${n}: skipped ${skipped} lines longer than ${INGEST_STORE_LIMITS.maxLineBytes} bytes`);
    } catch (e) {
      scoped(log, 'api-usage').warn(`cannot read ${n} (${codeOf(e)})`);
    }
  }
  return out;
}
