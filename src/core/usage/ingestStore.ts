// Persistence of API-reported operations: validated synchronously (the caller waits for nothing else), queued, and
// appended in batches to month files `<folder>/YYYY-MM.jsonl` (UTC month of the operation). Append-only JSON lines:
// several windows can append to the same file (each batch is one `O_APPEND` write of whole lines), a reader skips a
// torn last line, and old months can be deleted as files.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { Emitter, type Disposable } from '../events';
import { nullLogger, scoped, type Logger } from '../log';
import { parseApiLine, toApiRecord, type ApiUsageRecord, type RecordResult } from './ingest';

export interface ApiUsageLogOptions {
  /** e.g. `<globalStorage>/usage-api`. */
  folder: string;
  clock?: Clock;
  log?: Logger;
  /** Longest wait before a queued operation is written. Default 1 s. */
  batchMs?: number;
  /** Write at once when this many are queued. Default 200. */
  maxBatch?: number;
  /** Refuse operations beyond this many unwritten ones (disk stuck). Default 10 000. */
  maxQueue?: number;
}

const MONTH_FILE = /^\d{4}-\d{2}\.jsonl$/;

function monthOf(ts: number): string {
  const d = new Date(ts);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export class ApiUsageLog implements Disposable {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly batchMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private queue: ApiUsageRecord[] = [];
  private timer: TimerHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly appended = new Emitter<readonly ApiUsageRecord[]>();
  /** Fires after a batch reached the disk (the ledger/dashboard can add it without rescanning). */
  readonly onDidAppend = this.appended.event;
  /** Counters for the log and tests. */
  readonly stats = { accepted: 0, rejected: 0, written: 0, writeErrors: 0, batches: 0 };

  constructor(private readonly opts: ApiUsageLogOptions) {
    this.log = scoped(opts.log ?? nullLogger, 'api-usage');
    this.clock = opts.clock ?? systemClock;
    this.batchMs = opts.batchMs ?? 1000;
    this.maxBatch = opts.maxBatch ?? 200;
    this.maxQueue = opts.maxQueue ?? 10_000;
  }

  /** Synchronous: validates and queues. Never throws. */
  record(input: unknown): RecordResult {
    try {
      if (this.disposed) return { ok: false, error: 'tokstat is shutting down' };
      if (this.queue.length >= this.maxQueue) {
        this.stats.rejected++;
        return { ok: false, error: 'too many operations waiting to be written; try again later' };
      }
      const r = toApiRecord(input, this.clock.now());
      if (!r.ok) {
        this.stats.rejected++;
        return r;
      }
      this.queue.push(r.record);
      this.stats.accepted++;
      if (this.queue.length >= this.maxBatch) this.schedule(0);
      else this.schedule(this.batchMs);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: `internal error (${e instanceof Error ? e.name : 'unknown'})` };
    }
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  /** Writes everything queued so far. Never rejects (failures are logged and the batch retried once later). */
  flush(): Promise<void> {
    if (this.timer) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue;
    if (batch.length === 0) return this.writing;
    this.queue = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: ApiUsageRecord[]): Promise<void> {
    const byMonth = new Map<string, string[]>();
    for (const r of batch) {
      const m = monthOf(r.timestamp);
      let lines = byMonth.get(m);
      if (!lines) byMonth.set(m, (lines = []));
      lines.push(JSON.stringify(r));
    }
    const done: ApiUsageRecord[] = [];
    for (const [m, lines] of byMonth) {
      try {
        await fsp.mkdir(this.opts.folder, { recursive: true });
        await fsp.appendFile(path.join(this.opts.folder, `${m}.jsonl`), lines.join('\n') + '\n', 'utf8');
        this.stats.written += lines.length;
        for (const r of batch) if (monthOf(r.timestamp) === m) done.push(r);
      } catch (e) {
        this.stats.writeErrors++;
        this.log.warn(`cannot append ${lines.length} operations: ${(e as { code?: string }).code ?? String(e)}`);
      }
    }
    this.stats.batches++;
    if (done.length && !this.disposed) this.appended.fire(done);
  }

  /** Flushes and stops accepting operations. Await it in `deactivate`. */
  async close(): Promise<void> {
    await this.flush();
    this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.queue.length) void this.flush();
    this.disposed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.appended.dispose();
  }
}

/** Reads every stored operation, optionally only months overlapping [since, until] (epoch ms). Corrupt lines are skipped. */
export async function readApiUsage(folder: string, range: { since?: number; until?: number } = {}): Promise<ApiUsageRecord[]> {
  let names: string[];
  try {
    names = (await fsp.readdir(folder)).filter((n) => MONTH_FILE.test(n)).sort();
  } catch {
    return [];
  }
  const lo = range.since !== undefined ? monthOf(range.since) : undefined;
  const hi = range.until !== undefined ? monthOf(range.until) : undefined;
  const out: ApiUsageRecord[] = [];
  for (const n of names) {
    const m = n.slice(0, 7);
    if ((lo && m < lo) || (hi && m > hi)) continue;
    let text: string;
    try {
      text = await fsp.readFile(path.join(folder, n), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const r = parseApiLine(line);
      if (!r) continue;
      if ((range.since !== undefined && r.timestamp < range.since) || (range.until !== undefined && r.timestamp > range.until)) continue;
      out.push(r);
    }
  }
  return out;
}
