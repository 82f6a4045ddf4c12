// The vendors' daily cost buckets, kept past their month (the providers fetch the current month only): one small
// private JSON file, `spend/days.json`, written by the window that polls. Unreadable or malformed content is dropped
// (the buckets come back with the next polls of the current month), never a crash.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { cleanDailySpend, type DailyAmount } from '../../../shared/dailySpend';
import type { Logger } from '../../../core/log';
import { mkdirPrivate, renameWithRetry, writeFilePrivate } from '../../../core/privateFs';
import { mergeDays } from './spend';

/** Largest file read (400 days × a few currencies × 200 accounts is far below it). */
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_ACCOUNTS = 500;

export class SpendDayStore {
  private days = new Map<string, DailyAmount[]>();
  private loaded: Promise<void> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: { folder: string; log: Logger; maxDays?: number }) {}

  private get file(): string {
    return path.join(this.opts.folder, 'days.json');
  }

  load(): Promise<void> {
    this.loaded ??= (async () => {
      try {
        const st = await fsp.stat(this.file);
        if (st.size > MAX_BYTES) throw new Error(`${st.size} bytes, larger than ${MAX_BYTES}`);
        const data = JSON.parse(await fsp.readFile(this.file, 'utf8')) as unknown;
        const accounts = data && typeof data === 'object' ? (data as { accounts?: unknown }).accounts : undefined;
        if (accounts && typeof accounts === 'object') {
          for (const [id, v] of Object.entries(accounts as Record<string, unknown>).slice(0, MAX_ACCOUNTS)) {
            if (/^[A-Za-z0-9_-]{1,100}$/.test(id)) this.days.set(id, mergeDays([], cleanDailySpendAll(v), this.opts.maxDays));
          }
        }
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOENT') this.opts.log.warn(`[spend] ignored ${this.file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    })();
    return this.loaded;
  }

  get(accountId: string): DailyAmount[] {
    return this.days.get(accountId) ?? [];
  }

  /** Merges an account's fresh buckets; writes the file when anything changed. */
  async record(accountId: string, fresh: readonly DailyAmount[]): Promise<void> {
    await this.load();
    const before = this.days.get(accountId) ?? [];
    const after = mergeDays(before, fresh, this.opts.maxDays);
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    this.days.set(accountId, after);
    await this.save();
  }

  async forget(accountId: string): Promise<void> {
    await this.load();
    if (!this.days.delete(accountId)) return;
    await this.save();
  }

  private save(): Promise<void> {
    const run = this.writing.then(async () => {
      await mkdirPrivate(this.opts.folder);
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFilePrivate(tmp, JSON.stringify({ version: 1, accounts: Object.fromEntries(this.days) }));
      await renameWithRetry(tmp, this.file);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}

/** cleanDailySpend without its per-snapshot cap (a year of days). */
function cleanDailySpendAll(v: unknown): DailyAmount[] {
  if (!Array.isArray(v)) return [];
  const out: DailyAmount[] = [];
  for (let i = 0; i < v.length && i < 5000; i += 100) out.push(...cleanDailySpend(v.slice(i, i + 100)));
  return out;
}
