// Keeps the usage index current: scans in a worker thread (fallback: in-process with periodic yields so the extension
// host stays responsive), watches the agents' folders (recursive fs.watch where supported, plus a periodic stat rescan
// because watchers miss events on network and virtual file systems), debounced, and persists the index.
//
// Two kinds of scan: a full one walks every folder and stats every file (explicit scan(), the periodic rescan, and
// whenever the watchers cannot be trusted); a watcher-triggered one rescans only the known files the watchers
// reported. The latter is used only while every change since the start of the last full scan has been reported: the
// watchers were already running when that scan started and none of them failed since. A reported path that is not a
// known file (a new transcript, a folder, a rename) turns the scan into a full one; other files next to the logs are
// ignored.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Emitter, type Disposable, type Event } from '../events';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { nullLogger, scoped, type Logger } from '../log';
import { resolveSources, watchRoots, type ResolvedSources, type UsageSourceOptions } from './sources';
import { MAX_LINE_BYTES, discoverFiles, emptyJobStats, mayBeSource, runScanJob, type ScanBatch, type ScanJobInput, type ScanJobOutput, type ScanProgress, type ScanTarget } from './scanJob';
import { UsageIndex, type ApplyStats } from './usageIndex';
import type { WorkerAck, WorkerReply, WorkerRequest } from './usageWorker';
import { unpackEvents } from './eventCodec';
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
  /** Watcher-triggered scans read only the files the watchers reported (default true; false: always full scans). */
  targetedScans?: boolean;
  /**
   * Watcher-triggered scans save the index at most this often (default 2000 ms; 0: after every scan). Full scans
   * save at once. Deferring is safe: what a scan counted is saved together with the cursors it advanced, so a process
   * killed before the save leaves the previous index, and the next start reads those bytes again.
   */
  saveDelayMs?: number;
  /** Periodic rescan (default 60 s); 0 disables. */
  rescanMs?: number;
  /** Inline mode: yield to the event loop after this much work (default 8 ms). */
  inlineSliceMs?: number;
  /** Read buffer size (tests). */
  chunkBytes?: number;
  /** Line cap (tests; default scanJob.ts MAX_LINE_BYTES, 16 MiB). */
  maxLineBytes?: number;
  /**
   * false: usage records only, no tool calls or results (ScanJobInput.tools; the CLI reports no tool figures). An
   * index must always be built the same way: its tool figures and pending calls are otherwise half there.
   */
  tools?: boolean;
  /** A worker that read at least this much in one scan is replaced by a fresh one (default 64 MiB; tests). */
  retireWorkerAfterBytes?: number;
  /**
   * A full scan of an index that knows no file yet (a first run, a rebuild) splits the files between this many
   * workers (default 1; worker mode only). Their output is applied in discovery order, so the index is exactly the
   * one a single worker builds (the CLI uses 2 on an idle machine with four cores or more).
   */
  coldScanWorkers?: number;
  /**
   * A full scan of an index that knows no file yet, with one worker and `tools: false`: the Claude logs are read in
   * the worker while this thread reads the other agents' logs itself, between applying the worker's batches
   * (runAgentSplitCold). Both cores then parse. Default false: the extension keeps its own thread free (the CLI sets it).
   */
  coldSplitAgents?: boolean;
  /** Only one window should write the index: return false in followers (e.g. `() => lease.isHeld()`). Default always. */
  canPersist?: () => boolean;
}

export interface ScanResult {
  mode: 'worker' | 'inline';
  /** Workers that read in this scan: 0 inline, more than 1 for a split cold scan (coldScanWorkers). */
  workers: number;
  /** 'full': every folder walked and every file stat'ed; 'changed': only the files the watchers reported. */
  scope: 'full' | 'changed';
  filesSeen: number;
  filesRead: number;
  bytesRead: number;
  linesParsed: number;
  malformedLines: number;
  /** Lines with an implausible value (negative, non-finite or absurd token counts, see parsers.ts LOG_LIMITS). */
  rejectedLines: number;
  /** Lines longer than the line cap (scanJob.ts MAX_LINE_BYTES), skipped. */
  oversizeLines: number;
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
  /** The whole scan: job, applying its output and saving the index. */
  wallMs: number;
  /** The aggregates changed. */
  changed: boolean;
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** Young generation of the worker's heap (see getWorker). */
const WORKER_YOUNG_GEN_MB = 8;
/** A worker that read this much in one scan is replaced by a fresh one (see runJob). */
const RETIRE_AFTER_BYTES = 64 * 1024 * 1024;
/** Files per request of a split cold scan: small enough to keep the workers even, big enough to be cheap to ask. */
const STRIPE_FILES = 24;
/** How often this thread's part of an agent-split cold scan lets the worker's batches in (see runAgentSplitCold). */
const SPLIT_YIELD_MS = 2;
/** More reported paths than this between two scans: a full scan is cheaper than looking each one up. */
const MAX_DIRTY = 512;

/** How far the first full scan has come: files looked at of those found; `rebuild` when an older index is being rebuilt. */
export interface FirstScanProgress extends ScanProgress {
  rebuild: boolean;
}

export class UsageScanner implements Disposable {
  readonly index: UsageIndex;
  private readonly sources: ResolvedSources;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly opts: UsageScannerOptions;
  private readonly changeEmitter = new Emitter<ScanResult>();
  readonly onDidChange: Event<ScanResult> = this.changeEmitter.event;
  private readonly progressEmitter = new Emitter<FirstScanProgress>();
  /**
   * The first full scan after loading (a first start, or the rebuild of an index of an older format) says how far it
   * has come, with the figures read so far already in the index; the last event has `done === total`.
   */
  readonly onDidProgress: Event<FirstScanProgress> = this.progressEmitter.event;
  private firstFullScanDone = false;

  private worker: Worker | undefined;
  private workerBroken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (o: ScanJobOutput) => void; reject: (e: Error) => void; onBatch: (b: ScanBatch) => void }>();
  /** Epoch of the cursor map the live worker holds (-1: none; the next request sends them). */
  private workerEpoch = -1;
  /** A big scan retired the worker: start the next one once the index is saved (it warms up while idle). */
  private respawn = false;
  /** The other workers of a split cold scan (see coldScanWorkers), terminated when it ends. */
  private readonly helpers = new Set<Worker>();

  private loaded: Promise<void> | undefined;
  private running: Promise<ScanResult> | undefined;
  private queued: Promise<ScanResult> | undefined;
  private watchers: fs.FSWatcher[] = [];
  private readonly watchedRoots = new Set<string>();
  /** startWatching() was called: full scans also start watching roots created since. */
  private watching = false;
  /** Paths the watchers reported since the last scan started; `dirtyAll`: a report without a name, or too many. */
  private dirty = new Set<string>();
  private dirtyAll = false;
  /** The next scan walks everything (explicit scan(), periodic rescan, a failed or incomplete targeted scan). */
  private wantFull = true;
  /** Bumped whenever a watcher starts or fails; a targeted scan needs a full scan that started at the current one. */
  private watchGen = 0;
  private trustedGen = -1;
  private watchBroken = false;
  private debounceTimer: TimerHandle | undefined;
  private rescanTimer: TimerHandle | undefined;
  private saveTimer: TimerHandle | undefined;
  /** Saves run one after the other (journal lines must be appended in order). */
  private saving: Promise<void> = Promise.resolve();
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

  /** Loads, watches, then scans once (call after activation; nothing here blocks). */
  async start(): Promise<ScanResult> {
    await this.load();
    // Watching first: the first scan then covers everything the watchers did not see, and later changes can be
    // rescanned file by file.
    if (!this.disposed && this.opts.watch !== false) this.startWatching();
    const r = await this.scan();
    if (!this.disposed) this.armRescan();
    return r;
  }

  /** One full incremental scan (every folder walked); calls made while one runs share a single follow-up scan. */
  scan(): Promise<ScanResult> {
    return this.requestScan(true);
  }

  /** Resolves once no scan runs, is queued or waits for its debounce (tests, benchmarks). */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.running) await this.running.catch(() => undefined);
      else if (this.queued) await this.queued.catch(() => undefined);
      else if (this.debounceTimer) await new Promise<void>((r) => setTimeout(r, 5));
      else return;
    }
  }

  private requestScan(full: boolean): Promise<ScanResult> {
    if (full) this.wantFull = true;
    if (!this.running) {
      this.running = this.runOnce().finally(() => (this.running = undefined));
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.requestScan(false);
        });
    }
    return this.queued;
  }

  /** The known files behind the reported paths; undefined when a full scan is needed to account for them. */
  private targetsFor(paths: Iterable<string>): ScanTarget[] | undefined {
    const cursors = this.index.cursors();
    const out = new Map<string, ScanTarget>();
    for (const p of paths) {
      let id = this.index.idOfPath(p);
      if (id === undefined) {
        // opencode's write-ahead log and friends change the database they belong to.
        const m = /^(.*\.db)-(?:wal|shm|journal)$/.exec(p);
        if (m && cursors[this.index.idOfPath(m[1]!) ?? '']?.kind === 'opencode-db') id = this.index.idOfPath(m[1]!);
      }
      if (id !== undefined) {
        const c = cursors[id];
        if (!c || c.missing) return undefined;
        if (p !== c.path && !p.startsWith(c.path + '-')) return undefined; // a path this id no longer lives at
        const home = c.kind === 'codex' ? (c.state as { home?: string } | undefined)?.home : undefined;
        out.set(id, { id, kind: c.kind, agent: c.agent, path: c.path, ...(home !== undefined ? { home } : {}) });
        continue;
      }
      // A new transcript, or a folder that may hold (or have held) transcripts: only a full scan accounts for them.
      if (mayBeSource(p, this.sources)) return undefined;
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(p);
      } catch {
        st = undefined;
      }
      if (st?.isDirectory()) return undefined;
      if (!st && this.index.hasPathUnder(p)) return undefined;
      // Any other file next to the logs (settings, locks, other agents' state) is not read.
    }
    return [...out.values()];
  }

  private async runOnce(): Promise<ScanResult> {
    await this.load();
    const t0 = Date.now();
    let full =
      this.wantFull || this.dirtyAll || this.opts.targetedScans === false || this.watchBroken || this.watchers.length === 0 || this.trustedGen !== this.watchGen;
    this.wantFull = false;
    const paths = this.dirty;
    this.dirty = new Set();
    this.dirtyAll = false;
    let targets: ScanTarget[] | undefined;
    if (!full) {
      targets = this.targetsFor(paths);
      if (!targets) full = true;
    }
    // Batches are folded in as they arrive: the worker reads while this thread applies, and neither side ever holds
    // a whole cold scan's events.
    const a: ApplyStats = { records: 0, duplicates: 0, replaced: 0, sidechainsDropped: 0, tools: 0 };
    const stats = emptyJobStats();
    let changed = false;
    let missing = 0;
    let jobWallMs = 0;
    let prepMs = 0;
    let saveMs = 0;
    let mode: ScanResult['mode'] = 'inline';
    let workers = 0;
    const reportProgress = full && !this.firstFullScanDone;
    let lastProgress: ScanProgress | undefined;
    const fold = (b: ScanBatch | ScanJobOutput) => {
      if (reportProgress && 'progress' in b && b.progress && !this.disposed) {
        lastProgress = b.progress;
        this.progressEmitter.fire({ ...b.progress, rebuild: this.index.rebuildReason === 'version' });
      }
      const s = this.index.apply({ missing: [], planWindows: [], ...b } as ScanJobOutput);
      a.records += s.records;
      a.duplicates += s.duplicates;
      a.replaced += s.replaced;
      a.sidechainsDropped += s.sidechainsDropped;
      a.tools += s.tools;
      if (b.events.length > 0 || Object.keys(b.cursors).length > 0) changed = true;
    };
    // A targeted pass that finds a reported file gone is followed by a full one in the same scan.
    for (;;) {
      if (!full && targets!.length === 0) break; // only files that are not read were reported
      const watchGen = this.watchGen;
      const job: Omit<ScanJobInput, 'cursors'> = {
        sources: this.sources,
        ...(this.opts.sqlWasmPath ? { sqlWasmPath: this.opts.sqlWasmPath } : {}),
        ...(this.opts.chunkBytes ? { chunkBytes: this.opts.chunkBytes } : {}),
        ...(this.opts.maxLineBytes ? { maxLineBytes: this.opts.maxLineBytes } : {}),
        ...(this.opts.tools === false ? { tools: false } : {}),
        ...(full ? {} : { only: targets! }),
      };
      let out: ScanJobOutput;
      try {
        const tj = Date.now();
        if (!prepMs) prepMs = tj - t0;
        let split: Awaited<ReturnType<UsageScanner['runSplitCold']>>;
        try {
          split = full ? ((await this.runSplitCold(job, fold)) ?? (await this.runAgentSplitCold(job, fold))) : undefined;
        } catch (e) {
          // What was applied stays, with its cursors: the scan below reads the rest.
          this.log.warn(`split scan failed, scanning with one worker: ${errMsg(e)}`);
        }
        ({ out, mode } = split ?? (await this.runJob(job, fold)));
        workers = Math.max(workers, split?.workers ?? (mode === 'worker' ? 1 : 0));
        jobWallMs += Date.now() - tj;
      } catch (e) {
        // Whatever the reported paths were, the next scan must account for them.
        this.wantFull = true;
        throw e;
      }
      for (const w of out.warnings) this.log.warn(w);
      fold(out);
      for (const k of Object.keys(stats) as Array<keyof typeof stats>) stats[k] += out.stats[k] ?? 0;
      missing += out.missing.length;
      if (out.missing.length > 0) changed = true;
      if (full) {
        if (watchGen === this.watchGen) this.trustedGen = watchGen;
        break;
      }
      if (!out.incomplete) break;
      full = true;
    }
    if (full) {
      if (reportProgress && !this.disposed) {
        const total = lastProgress?.total ?? 0;
        this.progressEmitter.fire({ done: total, total, rebuild: this.index.rebuildReason === 'version' });
      }
      this.firstFullScanDone = true;
    }
    if (full && this.index.hasLegacy()) {
      // The first full scan of a rebuild (an index of an older format): the older rows of days no log covers now join.
      const n = this.index.mergeLegacy();
      this.log.info(`index rebuilt from the logs; ${n} older rows kept for the days the logs no longer cover`);
      changed = true;
    }
    if (full && this.watching && !this.disposed) this.startWatching();
    // Lines the reader folded into their response's event count as the ledger would have counted them.
    const { foldedReplaced, foldedDuplicates, ...read } = stats;
    const result: ScanResult = {
      mode,
      workers,
      scope: full ? 'full' : 'changed',
      ...read,
      records: a.records,
      duplicates: a.duplicates + foldedDuplicates,
      replaced: a.replaced + foldedReplaced,
      sidechainsDropped: a.sidechainsDropped,
      tools: a.tools,
      missingFiles: missing,
      wallMs: 0,
      changed,
    };
    if (changed) {
      const delay = this.opts.saveDelayMs ?? 2000;
      if (full || delay <= 0) {
        const ts = Date.now();
        await this.persist();
        saveMs = Date.now() - ts;
      } else if (!this.saveTimer && !this.disposed) {
        this.saveTimer = this.clock.setTimeout(() => {
          this.saveTimer = undefined;
          void this.persist();
        }, delay);
      }
    }
    result.wallMs = Date.now() - t0;
    if (this.respawn) {
      this.getWorker();
      this.respawn = false;
    }
    if (result.rejectedLines || result.oversizeLines) {
      // Counts only: what the lines held is never logged.
      this.log.warn(
        `scan skipped ${result.rejectedLines} line(s) with implausible values (negative, non-finite or above the per-request bounds) and ${result.oversizeLines} line(s) over the size cap (${this.opts.maxLineBytes ?? MAX_LINE_BYTES} bytes per line, 4 times that for a log read whole)`,
      );
    }
    if (changed && !this.disposed) this.changeEmitter.fire(result);
    this.log.debug(
      `scan (${mode}, ${result.scope}): ${result.filesRead}/${result.filesSeen} files, ${result.bytesRead} bytes, ${result.records} records, ${result.duplicates} duplicates in ${result.durationMs} ms (${result.wallMs} ms in all: ${prepMs} ms to start, job with its batches applied ${jobWallMs} ms, save ${saveMs} ms)`,
    );
    return result;
  }

  /** Saves (compact: into one snapshot) after the saves already under way; never throws. */
  private persist(compact = false): Promise<void> {
    if (this.saveTimer) {
      this.clock.clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    this.saving = this.saving.then(async () => {
      if (!(this.opts.canPersist?.() ?? true)) return;
      try {
        await this.index.save(false, compact);
      } catch (e) {
        this.log.warn(`cannot save the usage index: ${errMsg(e)}`);
      }
    });
    return this.saving;
  }

  private async runJob(job: Omit<ScanJobInput, 'cursors'>, fold: (b: ScanBatch) => void): Promise<{ out: ScanJobOutput; mode: ScanResult['mode'] }> {
    const inline = () =>
      // A copy: the job must not see the cursors its own batches update.
      runScanJob({ ...job, cursors: { ...this.index.cursors() }, onBatch: fold, yieldEveryMs: this.opts.inlineSliceMs ?? 8 });
    const w = this.getWorker();
    if (w) {
      try {
        const out = await this.runInWorker(w, job, fold);
        // After a big scan (the first one, a catch-up) the worker's heap stays as large as that scan made it: a fresh
        // worker for the next one gives that memory back before the index is saved.
        if (out.stats.bytesRead >= (this.opts.retireWorkerAfterBytes ?? RETIRE_AFTER_BYTES)) {
          await this.retireWorker(w);
          this.respawn = true;
        }
        return { out, mode: 'worker' };
      } catch (e) {
        if (this.disposed) throw e;
        this.log.warn(`worker scan failed, scanning in-process: ${errMsg(e)}`);
        this.breakWorker();
      }
    }
    return { out: await inline(), mode: 'inline' };
  }

  private getWorker(): Worker | undefined {
    const mode = this.opts.mode ?? 'auto';
    if (mode === 'inline' || this.workerBroken || this.disposed) return undefined;
    if (this.worker) return this.worker;
    const w = this.spawnWorker();
    if (w) {
      this.worker = w;
      this.workerEpoch = -1;
    }
    return w;
  }

  private spawnWorker(): Worker | undefined {
    const mode = this.opts.mode ?? 'auto';
    const file = this.opts.workerPath ?? path.join(__dirname, 'usageWorker.js');
    if (!fs.existsSync(file)) {
      if (mode === 'worker') this.log.warn('usage worker entry not found, scanning in-process');
      this.workerBroken = true;
      return undefined;
    }
    try {
      // A small young generation: the worker's garbage (parsed lines, batches already posted) is short-lived, and
      // the default semi-spaces would let it grow by tens of MB before collecting. Never an out-of-memory limit.
      const w = new Worker(file, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GEN_MB }, workerData: { warmUp: this.respawn } });
      w.on('message', (m: WorkerReply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        if ('batch' in m) {
          let batch: ScanBatch;
          try {
            batch = m.packed ? { ...m.batch, events: unpackEvents(m.packed) } : m.batch;
          } catch (e) {
            // Cannot happen unless the two ends disagree on the format: the request fails like a crashed worker's.
            this.pending.delete(m.id);
            w.postMessage({ ack: m.id } satisfies WorkerAck);
            p.reject(e instanceof Error ? e : new Error(String(e)));
            return;
          }
          try {
            p.onBatch(batch);
          } finally {
            // Lets the worker post its next batch (at most two are ever in flight).
            w.postMessage({ ack: m.id } satisfies WorkerAck);
          }
          return;
        }
        this.pending.delete(m.id);
        if (this.pending.size === 0) w.unref();
        if (m.ok) {
          let output: ScanJobOutput;
          try {
            output = m.packed ? { ...m.output, events: unpackEvents(m.packed) } : m.output;
          } catch (e) {
            this.workerEpoch = -1;
            p.reject(e instanceof Error ? e : new Error(String(e)));
            return;
          }
          p.resolve(output);
        } else {
          // The worker's cursor copy can no longer be trusted (part of the scan may have been applied here).
          this.workerEpoch = -1;
          p.reject(Object.assign(new Error(m.error), { stale: m.stale === true }));
        }
      });
      // A retired or replaced worker has nothing pending: only the current one's end fails requests.
      w.on('error', (e) => {
        if (this.worker === w || this.helpers.has(w)) this.failPending(e);
      });
      w.on('exit', (code) => {
        if (this.helpers.delete(w)) return this.failPending(new Error(`usage worker exited (${code})`));
        if (this.worker !== w) return;
        this.worker = undefined;
        this.workerEpoch = -1;
        this.failPending(new Error(`usage worker exited (${code})`));
      });
      // An idle worker never keeps the process (CLI, tests) alive.
      w.unref();
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

  /**
   * A cold full scan split between workers (coldScanWorkers): the files, in discovery order, go out in stripes of
   * STRIPE_FILES, dealt to the workers in turn; each stripe's output is applied once the stripes before it are, so the
   * ledger sees the events in the order one worker would produce them (cross-file dedup, Codex forks read after their
   * parent). Undefined when it does not apply (the caller then scans as usual). A failure part-way leaves the index
   * holding the stripes applied so far, with their cursors: the caller's full scan that follows reads the rest.
   */
  private async runSplitCold(job: Omit<ScanJobInput, 'cursors'>, fold: (b: ScanBatch) => void): Promise<{ out: ScanJobOutput; mode: 'worker'; workers: number } | undefined> {
    const n = Math.min(8, Math.floor(this.opts.coldScanWorkers ?? 1));
    if (n < 2 || job.only || Object.keys(this.index.cursors()).length > 0) return undefined;
    const first = this.getWorker();
    if (!first) return undefined;
    const workers = [first];
    for (let i = 1; i < n; i++) {
      const w = this.spawnWorker();
      if (!w) break;
      this.helpers.add(w);
      workers.push(w);
    }
    const seen = new Set<string>();
    const files = (await discoverFiles(job.sources)).filter((f) => !seen.has(f.id) && seen.add(f.id));
    const stripes: Array<{ batches: ScanBatch[]; done: Promise<ScanJobOutput> }> = [];
    for (let i = 0; i * STRIPE_FILES < files.length; i++) {
      const batches: ScanBatch[] = [];
      const only = files.slice(i * STRIPE_FILES, (i + 1) * STRIPE_FILES);
      // Every stripe carries the (empty) cold cursors: a worker's own copy is never trusted afterwards (epoch -2).
      const done = this.send(workers[i % workers.length]!, { id: this.nextId++, epoch: -2, cursors: {}, job: { ...job, only } }, (b) => batches.push(b));
      done.catch(() => undefined); // awaited in order below; a later stripe's failure must not go unhandled meanwhile
      stripes.push({ batches, done });
    }
    this.workerEpoch = -1;
    const out: ScanJobOutput = { events: [], cursors: {}, missing: [], planWindows: [], warnings: [], stats: emptyJobStats() };
    const windows = new Map<string, PlanWindows>();
    try {
      for (const s of stripes) {
        const o = await s.done;
        for (const b of s.batches) fold(b);
        fold({ events: o.events, cursors: o.cursors });
        s.batches.length = 0;
        out.warnings.push(...o.warnings);
        for (const k of Object.keys(out.stats) as Array<keyof ScanJobOutput['stats']>) out.stats[k] += o.stats[k] ?? 0;
        // Each stripe saw the plan windows of its own files: the newest per Codex home wins, as in one full scan.
        for (const pw of o.planWindows) {
          const cur = windows.get(pw.home);
          if (!cur || (cur.windows[0]?.observedAt ?? 0) < (pw.windows[0]?.observedAt ?? 0)) windows.set(pw.home, pw);
        }
      }
    } finally {
      for (const h of workers.slice(1)) {
        this.helpers.delete(h);
        void h.terminate().catch(() => undefined);
      }
      // It answered its last stripe while the others' were pending, so it is still referenced: idle now, it must not
      // keep the process alive.
      if (this.pending.size === 0) first.unref();
    }
    out.planWindows = [...windows.values()];
    return { out, mode: 'worker', workers: workers.length };
  }

  /**
   * A cold full scan split by agent (coldSplitAgents): the Claude logs in the worker, the other agents' logs read here
   * at the same time, yielding every SPLIT_YIELD_MS so the worker's batches are applied as they come. An agent's events
   * depend only on its own files and their order (dedup keys, streamed responses, forks and cumulative series never
   * cross agents) and a row or hour row holds one agent's records, so the two streams may be applied interleaved: the
   * index holds what one job would have made, its rows in another order. Usage records only (ScanJobInput.tools
   * false). Undefined when it does not apply. After a failure, what was applied stays with its cursors, and the
   * caller's full scan that follows reads the rest.
   */
  private async runAgentSplitCold(job: Omit<ScanJobInput, 'cursors'>, fold: (b: ScanBatch) => void): Promise<{ out: ScanJobOutput; mode: 'worker'; workers: number } | undefined> {
    const src = job.sources;
    const others = src.codex.length + src.gemini.length + src.opencode.length + (src.copilot?.length ?? 0);
    // With tool figures, the agents would share the cap on pending tool calls, whose evictions follow the order.
    if (!this.opts.coldSplitAgents || job.tools !== false || job.only || !src.claude.length || !others || Object.keys(this.index.cursors()).length > 0) return undefined;
    const w = this.getWorker();
    if (!w) return undefined;
    this.log.debug('cold scan split by agent: the Claude logs in the worker, the others in this thread');
    // Progress adds up the two streams' own counts.
    const progress: ScanProgress[] = [{ done: 0, total: 0 }, { done: 0, total: 0 }];
    const foldFrom = (i: 0 | 1) => (b: ScanBatch) => {
      if (!b.progress) return fold(b);
      progress[i] = b.progress;
      fold({ ...b, progress: { done: progress[0]!.done + progress[1]!.done, total: progress[0]!.total + progress[1]!.total } });
    };
    // The worker's copy of the cursors will lack the other agents' files: it starts from none and is not trusted after.
    const there = this.send(w, { id: this.nextId++, epoch: -2, cursors: {}, job: { ...job, sources: { ...src, codex: [], gemini: [], opencode: [], copilot: [] } } }, foldFrom(0));
    there.catch(() => undefined); // awaited below, after this thread's part
    this.workerEpoch = -1;
    const parts: ScanJobOutput[] = [];
    let failure: unknown;
    try {
      parts.push(await runScanJob({ ...job, sources: { ...src, claude: [] }, cursors: {}, onBatch: foldFrom(1), yieldEveryMs: SPLIT_YIELD_MS }));
    } catch (e) {
      failure = e;
    }
    try {
      parts.push(await there);
    } catch (e) {
      failure ??= e;
    }
    if (failure !== undefined) {
      for (const o of parts) fold({ events: o.events, cursors: o.cursors });
      throw failure;
    }
    const [here, worker] = parts as [ScanJobOutput, ScanJobOutput];
    const stats = { ...here.stats };
    for (const k of Object.keys(stats) as Array<keyof ScanJobOutput['stats']>) stats[k] += worker.stats[k] ?? 0;
    const out: ScanJobOutput = {
      events: [...here.events, ...worker.events],
      cursors: { ...here.cursors, ...worker.cursors },
      missing: [],
      planWindows: [...here.planWindows, ...worker.planWindows],
      stats,
      warnings: [...here.warnings, ...worker.warnings],
    };
    return { out, mode: 'worker', workers: 1 };
  }

  private async request(w: Worker, job: Omit<ScanJobInput, 'cursors'>, onBatch: (b: ScanBatch) => void): Promise<ScanJobOutput> {
    const epoch = this.index.cursorsEpoch;
    const o = await this.send(w, { id: this.nextId++, epoch, job, ...(this.workerEpoch !== epoch ? { cursors: this.index.cursors() } : {}) }, onBatch);
    // The worker now holds exactly the cursors the index will hold after this output is applied.
    this.workerEpoch = epoch;
    return o;
  }

  private send(w: Worker, msg: WorkerRequest, onBatch: (b: ScanBatch) => void): Promise<ScanJobOutput> {
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject, onBatch });
      w.ref();
      w.postMessage(msg);
    });
  }

  private failPending(e: Error): void {
    const ps = [...this.pending.values()];
    this.pending.clear();
    for (const p of ps) p.reject(e);
  }

  private async retireWorker(w: Worker): Promise<void> {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.workerEpoch = -1;
    await w.terminate().catch(() => undefined);
  }

  private breakWorker(): void {
    this.workerBroken = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate().catch(() => undefined);
  }

  /** Watches the agents' folders; roots that do not exist yet are picked up by the full scans that follow. */
  startWatching(): void {
    if (this.disposed || this.watchBroken) return;
    this.watching = true;
    for (const root of watchRoots(this.sources)) {
      if (this.watchedRoots.has(root) || !fs.existsSync(root)) continue;
      try {
        const w = fs.watch(root, { recursive: true, persistent: false }, (_event, name) => {
          this.noteChange(root, name);
          this.schedule();
        });
        w.on('error', (e) => {
          this.log.warn(`watching ${root} failed, relying on full scans: ${errMsg(e)}`);
          w.close();
          this.watchers = this.watchers.filter((x) => x !== w);
          // Changes under this root are no longer reported: no more targeted scans.
          this.watchBroken = true;
          this.watchGen++;
          this.schedule();
        });
        this.watchers.push(w);
        this.watchedRoots.add(root);
        // Changes before this watcher existed were not reported: the next scan must be a full one.
        this.watchGen++;
      } catch (e) {
        this.log.debug(`cannot watch ${root}: ${errMsg(e)}`);
        // Changes there would never be reported: full scans only.
        this.watchBroken = true;
      }
    }
  }

  private noteChange(root: string, name: string | Buffer | null): void {
    if (this.dirtyAll) return;
    if (name === null || name === undefined || name.length === 0) {
      this.dirtyAll = true;
      return;
    }
    this.dirty.add(path.join(root, name.toString()));
    if (this.dirty.size > MAX_DIRTY) {
      this.dirtyAll = true;
      this.dirty.clear();
    }
  }

  /** Debounced scan (a burst of appends while an agent streams → one scan of the files that changed). */
  schedule(): void {
    if (this.disposed || this.debounceTimer) return;
    this.debounceTimer = this.clock.setTimeout(() => {
      this.debounceTimer = undefined;
      this.requestScan(false).catch((e) => this.log.warn(`scan failed: ${errMsg(e)}`));
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
    await this.persist(true);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.debounceTimer) this.clock.clearTimeout(this.debounceTimer);
    if (this.rescanTimer) this.clock.clearTimeout(this.rescanTimer);
    this.debounceTimer = this.rescanTimer = undefined;
    // A deferred save is done now rather than dropped.
    if (this.saveTimer) void this.persist();
    for (const w of this.watchers) w.close();
    this.watchers = [];
    this.watchedRoots.clear();
    const w = this.worker;
    this.worker = undefined;
    this.failPending(new Error('disposed'));
    if (w) void w.terminate().catch(() => undefined);
    for (const h of this.helpers) void h.terminate().catch(() => undefined);
    this.helpers.clear();
    this.changeEmitter.dispose();
    this.progressEmitter.dispose();
  }
}
