// Keeps the usage index current: scans in a worker thread (fallback: in-process with periodic yields so the extension
// host stays responsive), watches the agents' folders (recursive fs.watch where supported, plus a periodic stat rescan
// because watchers miss events on network and virtual file systems), debounced, and persists the index.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Emitter, type Disposable, type Event } from '../events';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { nullLogger, scoped, type Logger } from '../log';
import { resolveSources, watchRoots, type ResolvedSources, type UsageSourceOptions } from './sources';
import { runScanJob, type ScanBatch, type ScanJobInput, type ScanJobOutput } from './scanJob';
import { UsageIndex, type ApplyStats } from './usageIndex';
import type { WorkerReply, WorkerRequest } from './usageWorker';
import { fiveHourBlocks, queryUsage, type UsageBlock, type UsageGroup, type UsageQuery } from './query';
import type { PlanWindows, PriceFn } from './types';

export interface UsageScannerOptions {
  sources?: UsageSourceOptions;
  /** Environment for CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_DATA_DIR, OPENCODE_DATA_DIR. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Home folder. Default os.homedir(). */
  home?: string;
  /** Folder of the persisted index (e.g. `<globalStorage>/usage`); undefined = memory only. */
  storageFolder?: string;
  log?: Logger;
  clock?: Clock;
  price?: PriceFn;
  /** 'auto' (default): worker when its entry file exists, else inline. */
  mode?: 'auto' | 'worker' | 'inline';
  /** Worker entry; default `<this module's folder>/usageWorker.js` (dist/usageWorker.js in the bundle). */
  workerPath?: string;
  /** sql-wasm.wasm for opencode; default next to this module, then node_modules/sql.js/dist. */
  sqlWasmPath?: string;
  /** Watch folders (default true). */
  watch?: boolean;
  /** Delay between a change and the scan it triggers (default 1500 ms). */
  debounceMs?: number;
  /** Periodic rescan (default 60 s); 0 disables. */
  rescanMs?: number;
  /** Inline mode: yield to the event loop after this much work (default 8 ms). */
  inlineSliceMs?: number;
  /** Read buffer size (tests). */
  chunkBytes?: number;
  /** Only one window should write the index: return false in followers (e.g. `() => lease.isHeld()`). Default always. */
  canPersist?: () => boolean;
}

export interface ScanResult {
  mode: 'worker' | 'inline';
  filesSeen: number;
  filesRead: number;
  bytesRead: number;
  linesParsed: number;
  malformedLines: number;
  errors: number;
  /** Records newly counted (after dedup, net of sidechain replays taken back). */
  records: number;
  duplicates: number;
  replaced: number;
  sidechainsDropped: number;
  tools: number;
  /** Files that disappeared in this scan (their history stays). */
  missingFiles: number;
  durationMs: number;
  /** The aggregates changed. */
  changed: boolean;
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class UsageScanner implements Disposable {
  readonly index: UsageIndex;
  private readonly sources: ResolvedSources;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly opts: UsageScannerOptions;
  private readonly changeEmitter = new Emitter<ScanResult>();
  readonly onDidChange: Event<ScanResult> = this.changeEmitter.event;

  private worker: Worker | undefined;
  private workerBroken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (o: ScanJobOutput) => void; reject: (e: Error) => void; onBatch: (b: ScanBatch) => void }>();
  /** Epoch of the cursor map the live worker holds (-1: none; the next request sends them). */
  private workerEpoch = -1;

  private loaded: Promise<void> | undefined;
  private running: Promise<ScanResult> | undefined;
  private queued: Promise<ScanResult> | undefined;
  private watchers: fs.FSWatcher[] = [];
  private debounceTimer: TimerHandle | undefined;
  private rescanTimer: TimerHandle | undefined;
  private disposed = false;

  constructor(opts: UsageScannerOptions = {}) {
    this.opts = opts;
    this.log = scoped(opts.log ?? nullLogger, 'usage');
    this.clock = opts.clock ?? systemClock;
    this.sources = resolveSources(opts.sources ?? {}, opts.env ?? process.env, opts.home ?? os.homedir());
    this.index = new UsageIndex({ folder: opts.storageFolder, log: opts.log, price: opts.price });
  }

  /** The folders that will be read. */
  get resolvedSources(): ResolvedSources {
    return this.sources;
  }

  /** Loads the persisted index once. */
  load(): Promise<void> {
    return (this.loaded ??= this.index.load());
  }

  /** Loads, scans once, then watches (call after activation; nothing here blocks). */
  async start(): Promise<ScanResult> {
    await this.load();
    const r = await this.scan();
    if (!this.disposed) {
      if (this.opts.watch !== false) this.startWatching();
      this.armRescan();
    }
    return r;
  }

  /** One incremental scan; calls made while one runs share a single follow-up scan. */
  scan(): Promise<ScanResult> {
    if (!this.running) {
      this.running = this.runOnce().finally(() => (this.running = undefined));
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.scan();
        });
    }
    return this.queued;
  }

  private async runOnce(): Promise<ScanResult> {
    await this.load();
    const job: Omit<ScanJobInput, 'cursors'> = {
      sources: this.sources,
      ...(this.opts.sqlWasmPath ? { sqlWasmPath: this.opts.sqlWasmPath } : {}),
      ...(this.opts.chunkBytes ? { chunkBytes: this.opts.chunkBytes } : {}),
    };
    // Batches are folded in as they arrive: the worker reads while this thread applies, and neither side ever holds
    // a whole cold scan's events.
    const a: ApplyStats = { records: 0, duplicates: 0, replaced: 0, sidechainsDropped: 0, tools: 0 };
    let changed = false;
    const fold = (b: ScanBatch | ScanJobOutput) => {
      const s = this.index.apply({ missing: [], planWindows: [], ...b } as ScanJobOutput);
      a.records += s.records;
      a.duplicates += s.duplicates;
      a.replaced += s.replaced;
      a.sidechainsDropped += s.sidechainsDropped;
      a.tools += s.tools;
      if (b.events.length > 0 || Object.keys(b.cursors).length > 0) changed = true;
    };
    const inline = () =>
      // A copy: the job must not see the cursors its own batches update.
      runScanJob({ ...job, cursors: { ...this.index.cursors() }, onBatch: fold, yieldEveryMs: this.opts.inlineSliceMs ?? 8 });
    let mode: ScanResult['mode'] = 'inline';
    let out: ScanJobOutput;
    const w = this.getWorker();
    if (w) {
      try {
        out = await this.runInWorker(w, job, fold);
        mode = 'worker';
      } catch (e) {
        if (this.disposed) throw e;
        this.log.warn(`worker scan failed, scanning in-process: ${errMsg(e)}`);
        this.breakWorker();
        out = await inline();
      }
    } else {
      out = await inline();
    }
    for (const w of out.warnings) this.log.warn(w);
    fold(out);
    if (out.missing.length > 0) changed = true;
    const result: ScanResult = {
      mode,
      ...out.stats,
      records: a.records,
      duplicates: a.duplicates,
      replaced: a.replaced,
      sidechainsDropped: a.sidechainsDropped,
      tools: a.tools,
      missingFiles: out.missing.length,
      changed,
    };
    if (changed) {
      if (this.opts.canPersist?.() ?? true) {
        try {
          await this.index.save();
        } catch (e) {
          this.log.warn(`cannot save the usage index: ${errMsg(e)}`);
        }
      }
      if (!this.disposed) this.changeEmitter.fire(result);
    }
    this.log.debug(
      `scan (${mode}): ${result.filesRead}/${result.filesSeen} files, ${result.bytesRead} bytes, ${result.records} records, ${result.duplicates} duplicates in ${result.durationMs} ms`,
    );
    return result;
  }

  private getWorker(): Worker | undefined {
    const mode = this.opts.mode ?? 'auto';
    if (mode === 'inline' || this.workerBroken || this.disposed) return undefined;
    if (this.worker) return this.worker;
    const file = this.opts.workerPath ?? path.join(__dirname, 'usageWorker.js');
    if (!fs.existsSync(file)) {
      if (mode === 'worker') this.log.warn('usage worker entry not found, scanning in-process');
      this.workerBroken = true;
      return undefined;
    }
    try {
      const w = new Worker(file);
      w.on('message', (m: WorkerReply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        if ('batch' in m) {
          p.onBatch(m.batch);
          return;
        }
        this.pending.delete(m.id);
        if (this.pending.size === 0) w.unref();
        if (m.ok) p.resolve(m.output);
        else {
          // The worker's cursor copy can no longer be trusted (part of the scan may have been applied here).
          this.workerEpoch = -1;
          p.reject(Object.assign(new Error(m.error), { stale: m.stale === true }));
        }
      });
      w.on('error', (e) => this.failPending(e));
      w.on('exit', (code) => {
        if (this.worker === w) this.worker = undefined;
        this.workerEpoch = -1;
        this.failPending(new Error(`usage worker exited (${code})`));
      });
      // An idle worker never keeps the process (CLI, tests) alive.
      w.unref();
      this.worker = w;
      this.workerEpoch = -1;
      return w;
    } catch (e) {
      this.log.warn(`cannot start the usage worker: ${errMsg(e)}`);
      this.workerBroken = true;
      return undefined;
    }
  }

  private async runInWorker(w: Worker, job: Omit<ScanJobInput, 'cursors'>, onBatch: (b: ScanBatch) => void): Promise<ScanJobOutput> {
    try {
      return await this.request(w, job, onBatch);
    } catch (e) {
      // The worker held other cursors than we thought: once more with ours.
      if ((e as { stale?: boolean }).stale && this.worker === w) return this.request(w, job, onBatch);
      throw e;
    }
  }

  private request(w: Worker, job: Omit<ScanJobInput, 'cursors'>, onBatch: (b: ScanBatch) => void): Promise<ScanJobOutput> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const epoch = this.index.cursorsEpoch;
      const msg: WorkerRequest = { id, epoch, job, ...(this.workerEpoch !== epoch ? { cursors: this.index.cursors() } : {}) };
      this.pending.set(id, {
        resolve: (o) => {
          // The worker now holds exactly the cursors the index will hold after this output is applied.
          this.workerEpoch = epoch;
          resolve(o);
        },
        reject,
        onBatch,
      });
      w.ref();
      w.postMessage(msg);
    });
  }

  private failPending(e: Error): void {
    const ps = [...this.pending.values()];
    this.pending.clear();
    for (const p of ps) p.reject(e);
  }

  private breakWorker(): void {
    this.workerBroken = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate().catch(() => undefined);
  }

  startWatching(): void {
    if (this.watchers.length || this.disposed) return;
    for (const root of watchRoots(this.sources)) {
      if (!fs.existsSync(root)) continue; // the periodic rescan notices folders created later
      try {
        const w = fs.watch(root, { recursive: true, persistent: false }, () => this.schedule());
        w.on('error', (e) => {
          this.log.warn(`watching ${root} failed, relying on the periodic rescan: ${errMsg(e)}`);
          w.close();
          this.watchers = this.watchers.filter((x) => x !== w);
        });
        this.watchers.push(w);
      } catch (e) {
        this.log.debug(`cannot watch ${root}: ${errMsg(e)}`);
      }
    }
  }

  /** Debounced scan (a burst of appends while an agent streams → one scan). */
  schedule(): void {
    if (this.disposed || this.debounceTimer) return;
    this.debounceTimer = this.clock.setTimeout(() => {
      this.debounceTimer = undefined;
      this.scan().catch((e) => this.log.warn(`scan failed: ${errMsg(e)}`));
    }, this.opts.debounceMs ?? 1500);
  }

  private armRescan(): void {
    const ms = this.opts.rescanMs ?? 60_000;
    if (this.disposed || ms <= 0) return;
    this.rescanTimer = this.clock.setTimeout(() => {
      this.rescanTimer = undefined;
      this.scan()
        .catch((e) => this.log.warn(`rescan failed: ${errMsg(e)}`))
        .finally(() => this.armRescan());
    }, ms);
  }

  // ── queries ──

  query(q: UsageQuery): UsageGroup[] {
    return queryUsage(this.index.rows(), q);
  }

  blocks(opts: { now?: number; since?: number } = {}): UsageBlock[] {
    return fiveHourBlocks(this.index.hours(), { agent: 'claude-code', now: opts.now ?? this.clock.now(), ...(opts.since !== undefined ? { since: opts.since } : {}) });
  }

  planWindows(): PlanWindows[] {
    return this.index.planWindows();
  }

  /** Waits for a running scan, saves (compacting the journal), and stops the worker, watchers and timers. */
  async close(): Promise<void> {
    const r = this.running;
    this.dispose();
    if (r) await r.catch(() => undefined);
    // Folds the journal into one snapshot, so a clean shutdown leaves a single file.
    if (this.opts.canPersist?.() ?? true) await this.index.save(false, true).catch(() => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.debounceTimer) this.clock.clearTimeout(this.debounceTimer);
    if (this.rescanTimer) this.clock.clearTimeout(this.rescanTimer);
    this.debounceTimer = this.rescanTimer = undefined;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    const w = this.worker;
    this.worker = undefined;
    this.failPending(new Error('disposed'));
    if (w) void w.terminate().catch(() => undefined);
    this.changeEmitter.dispose();
  }
}
