// Shared per-account state (last snapshot + poll schedule) that every VS Code window reads and writes, so that the
// leader's schedule counts polls made by any window and followers show the leader's results.
//
// Layout: `<folder>/<accountId>.json`, one file per account, written atomically (temp file in the same folder, then
// rename) so a reader never sees half a file. Readers are tolerant: a corrupt or foreign file is logged and ignored.
// FileJsonStore is the same for any JSON state (`validate` says what is valid), e.g. the status pages' shared state.

import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Snapshot, SnapshotStatus } from '../../shared/model';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { scoped, type Logger } from '../log';
import { mkdirPrivate, openPrivate, renameWithRetry } from '../privateFs';

export interface Disposable {
  dispose(): void;
}

export interface ScheduleState {
  /** Epoch ms when the last attempt (by any window) started. */
  lastAttemptAt?: number;
  /** Epoch ms of the next automatic attempt; undefined when no automatic attempt is planned (auth blocked). */
  nextDueAt?: number;
  /** Consecutive failures. */
  failures: number;
  /** Server-imposed "not before" (Retry-After), epoch ms. */
  retryAt?: number;
  /** Auth failed: no automatic retry until the credentials change or the user refreshes. */
  authBlocked?: boolean;
}

export interface AccountState {
  version: 1;
  snapshot?: Snapshot;
  schedule: ScheduleState;
}

export interface SnapshotStore extends Disposable {
  /** The stored state, or undefined when absent or unreadable (never throws for bad content). */
  read(accountId: string): Promise<AccountState | undefined>;
  /** Replaces the state atomically. Rejects on I/O errors. */
  write(accountId: string, state: AccountState): Promise<void>;
  /** Forgets an account (call when the user removes it). Missing files are fine. */
  delete(accountId: string): Promise<void>;
  /** Account ids with a stored state. */
  list(): Promise<string[]>;
  /** Fires when another process (window) changed or deleted an account's state; not for this store's own writes. */
  onDidChangeExternally(listener: (accountId: string) => void): Disposable;
}

const ACCOUNT_ID = /^[A-Za-z0-9_-]+$/;

export function isValidAccountId(id: string): boolean {
  return typeof id === 'string' && id.length > 0 && id.length <= 200 && ACCOUNT_ID.test(id);
}

export function assertValidAccountId(id: string): void {
  if (!isValidAccountId(id)) throw new Error('Invalid account id (allowed: A-Z a-z 0-9 _ -)');
}

const STATUSES: ReadonlySet<SnapshotStatus> = new Set(['ok', 'stale', 'error', 'auth-required']);

const optNum = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));

/** Structural check of a parsed file. Returns a reason when invalid. */
export function validateAccountState(value: unknown, accountId: string): string | undefined {
  if (!value || typeof value !== 'object') return 'not an object';
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return `unsupported version ${String(v.version)}`;
  const s = v.schedule as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object') return 'missing schedule';
  if (typeof s.failures !== 'number' || !Number.isFinite(s.failures) || s.failures < 0) return 'bad schedule.failures';
  if (!optNum(s.lastAttemptAt) || !optNum(s.nextDueAt) || !optNum(s.retryAt)) return 'bad schedule times';
  if (s.authBlocked !== undefined && typeof s.authBlocked !== 'boolean') return 'bad schedule.authBlocked';
  if (v.snapshot !== undefined) {
    const snap = v.snapshot as Record<string, unknown>;
    if (!snap || typeof snap !== 'object') return 'bad snapshot';
    if (snap.accountId !== accountId) return 'snapshot for another account';
    if (typeof snap.takenAt !== 'number' || !Number.isFinite(snap.takenAt)) return 'bad snapshot.takenAt';
    if (!STATUSES.has(snap.status as SnapshotStatus)) return 'bad snapshot.status';
    if (!Array.isArray(snap.meters)) return 'bad snapshot.meters';
    for (const m of snap.meters as unknown[]) {
      if (!m || typeof m !== 'object' || typeof (m as { id?: unknown }).id !== 'string') return 'bad meter';
    }
    if (!optNum(snap.lastSuccessAt)) return 'bad snapshot.lastSuccessAt';
    if (snap.breakdown !== undefined) {
      const b = snap.breakdown as Record<string, unknown> | null;
      if (!b || typeof b !== 'object' || (b.state !== 'ok' && b.state !== 'unavailable')) return 'bad snapshot.breakdown';
      if (b.state === 'ok' && (!Array.isArray(b.byModel) || (b.byDay !== undefined && !Array.isArray(b.byDay)))) return 'bad snapshot.breakdown';
      if (b.state === 'unavailable' && typeof b.message !== 'string') return 'bad snapshot.breakdown';
    }
  }
  return undefined;
}

class Listeners<T extends unknown[]> {
  private readonly set = new Set<(...args: T) => void>();
  constructor(private readonly log: Logger) {}
  add(l: (...args: T) => void): Disposable {
    this.set.add(l);
    return { dispose: () => void this.set.delete(l) };
  }
  fire(...args: T): void {
    for (const l of [...this.set]) {
      try {
        l(...args);
      } catch (e) {
        this.log.error(`listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  clear(): void {
    this.set.clear();
  }
}

export interface FileSnapshotStoreOptions {
  /** Folder holding `<accountId>.json`, e.g. `<globalStorage>/snapshots`. Created on demand. */
  folder: string;
  log: Logger;
  /** Timers for the rescan fallback. Default: system clock. */
  clock?: Clock;
  /** Use fs.watch on the folder (default true). */
  watch?: boolean;
  /** Periodic stat rescan, because fs.watch is unreliable on network/virtual filesystems. 0 disables. Default 5 s. */
  rescanMs?: number;
  /** fsync the temp file before renaming (default false: the data is a cache, losing the last write on power loss is fine). */
  fsync?: boolean;
  validate?(value: unknown, id: string): string | undefined; // why a file is refused (default: an account's state)
}

interface Known {
  mtimeMs: number;
  size: number;
  content: string;
}

const SUFFIX = '.json';

export class FileJsonStore<T> {
  private readonly folder: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly rescanMs: number;
  private readonly fsync: boolean;
  private readonly validate: (value: unknown, id: string) => string | undefined;
  private readonly listeners: Listeners<[string]>;
  /** What this process last wrote or observed per account; external-change detection compares against it. */
  private readonly known = new Map<string, Known>();
  /** Per-account serialisation of change checks (fs.watch fires several events per rename). */
  private readonly checking = new Map<string, Promise<void>>();
  private readonly recheck = new Set<string>();
  private watcher: fs.FSWatcher | undefined;
  private rescanTimer: TimerHandle | undefined;
  private rescanRunning: Promise<void> | undefined;
  private ready: Promise<void> | undefined;
  private disposed = false;

  constructor(opts: FileSnapshotStoreOptions) {
    this.folder = opts.folder;
    this.validate = opts.validate ?? validateAccountState;
    this.log = scoped(opts.log, 'snapshot-store');
    this.clock = opts.clock ?? systemClock;
    this.rescanMs = opts.rescanMs ?? 5_000;
    this.fsync = opts.fsync ?? false;
    this.listeners = new Listeners(this.log);
    this.ready = this.init(opts.watch ?? true);
  }

  private async init(watch: boolean): Promise<void> {
    try {
      await mkdirPrivate(this.folder);
    } catch (e) {
      this.log.error(`cannot create the snapshot folder: ${errMsg(e)}`);
    }
    if (this.disposed) return;
    // Baseline so the first rescan does not report every existing file as an external change.
    await this.scanAll(false);
    if (this.disposed) return;
    if (watch) this.startWatch();
    this.armRescan();
  }

  /** Resolves once the folder exists, the baseline scan ran and the watcher is set up. */
  whenReady(): Promise<void> {
    return this.ready ?? Promise.resolve();
  }

  private file(accountId: string): string {
    assertValidAccountId(accountId);
    return path.join(this.folder, accountId + SUFFIX);
  }

  async read(accountId: string): Promise<T | undefined> {
    const file = this.file(accountId);
    let content: string;
    try {
      content = await fsp.readFile(file, 'utf8');
    } catch (e) {
      if (isCode(e, 'ENOENT')) return undefined;
      this.log.warn(`cannot read state of ${accountId}: ${errMsg(e)}`);
      return undefined;
    }
    return this.parse(accountId, content);
  }

  private parse(accountId: string, content: string): T | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      this.log.warn(`ignoring corrupt state file for ${accountId} (${content.length} bytes, not JSON)`);
      return undefined;
    }
    const why = this.validate(parsed, accountId);
    if (why) {
      this.log.warn(`ignoring invalid state file for ${accountId}: ${why}`);
      return undefined;
    }
    return parsed as T;
  }

  async write(accountId: string, state: T): Promise<void> {
    const file = this.file(accountId);
    const content = JSON.stringify(state);
    await mkdirPrivate(this.folder);
    // The temp name does not end in `.json`, so readers, list() and the watcher never pick it up.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const fh = await openPrivate(tmp, 'w');
      try {
        await fh.writeFile(content, 'utf8');
        if (this.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      // Record the content before the rename: a watch event racing with this write must see it as our own.
      this.known.set(accountId, { mtimeMs: -1, size: -1, content });
      await renameWithRetry(tmp, file);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
    try {
      const st = await fsp.stat(file);
      const k = this.known.get(accountId);
      if (k && k.content === content) this.known.set(accountId, { mtimeMs: st.mtimeMs, size: st.size, content });
    } catch {
      // A concurrent delete; the next check sorts it out.
    }
  }

  async delete(accountId: string): Promise<void> {
    const file = this.file(accountId);
    this.known.delete(accountId);
    await fsp.rm(file, { force: true });
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.folder);
    } catch (e) {
      if (!isCode(e, 'ENOENT')) this.log.warn(`cannot list the snapshot folder: ${errMsg(e)}`);
      return [];
    }
    return names
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length))
      .filter(isValidAccountId)
      .sort();
  }

  onDidChangeExternally(listener: (accountId: string) => void): Disposable {
    return this.listeners.add(listener);
  }

  /**
   * Stats every file and reports those that changed since this process last saw them. Runs periodically as the
   * fs.watch fallback; public so tests (and a "reload" command) can force a deterministic sync.
   */
  async rescan(): Promise<void> {
    await this.whenReady();
    await this.scanAll(true);
  }

  private async scanAll(notify: boolean): Promise<void> {
    if (this.rescanRunning) return this.rescanRunning;
    const run = (async () => {
      const ids = new Set(await this.list());
      for (const id of this.known.keys()) ids.add(id);
      for (const id of ids) {
        if (this.disposed) return;
        await this.check(id, notify);
      }
    })();
    this.rescanRunning = run;
    try {
      await run;
    } finally {
      this.rescanRunning = undefined;
    }
  }

  private armRescan(): void {
    if (this.disposed || this.rescanMs <= 0) return;
    this.rescanTimer = this.clock.setTimeout(() => {
      this.rescanTimer = undefined;
      this.scanAll(true)
        .catch((e) => this.log.warn(`rescan failed: ${errMsg(e)}`))
        .finally(() => this.armRescan());
    }, this.rescanMs);
  }

  private startWatch(): void {
    try {
      const w = fs.watch(this.folder, { persistent: false }, (_event, filename) => {
        const name = filename ? filename.toString() : '';
        if (!name.endsWith(SUFFIX)) return;
        const id = name.slice(0, -SUFFIX.length);
        if (!isValidAccountId(id)) return;
        this.check(id, true).catch((e) => this.log.warn(`watch check failed: ${errMsg(e)}`));
      });
      w.on('error', (e) => {
        // Fall back to the periodic rescan alone.
        this.log.warn(`fs.watch failed, relying on the periodic rescan: ${errMsg(e)}`);
        w.close();
        if (this.watcher === w) this.watcher = undefined;
      });
      this.watcher = w;
    } catch (e) {
      this.log.warn(`fs.watch unavailable, relying on the periodic rescan: ${errMsg(e)}`);
    }
  }

  /** Serialised per account: a burst of watch events collapses into at most one extra check. */
  private check(id: string, notify: boolean): Promise<void> {
    const running = this.checking.get(id);
    if (running) {
      this.recheck.add(id);
      return running;
    }
    const p = (async () => {
      do {
        this.recheck.delete(id);
        const changed = await this.checkOnce(id);
        if (changed && notify && !this.disposed) this.listeners.fire(id);
      } while (this.recheck.has(id) && !this.disposed);
    })().finally(() => this.checking.delete(id));
    this.checking.set(id, p);
    return p;
  }

  private async checkOnce(id: string): Promise<boolean> {
    const file = path.join(this.folder, id + SUFFIX);
    const prev = this.known.get(id);
    let st: fs.Stats;
    try {
      st = await fsp.stat(file);
    } catch (e) {
      if (!isCode(e, 'ENOENT')) this.log.warn(`cannot stat state of ${id}: ${errMsg(e)}`);
      if (prev) {
        this.known.delete(id);
        return true;
      }
      return false;
    }
    if (prev && prev.mtimeMs === st.mtimeMs && prev.size === st.size) return false;
    let content: string;
    try {
      content = await fsp.readFile(file, 'utf8');
    } catch (e) {
      if (isCode(e, 'ENOENT')) {
        if (prev) this.known.delete(id);
        return prev !== undefined;
      }
      this.log.warn(`cannot read state of ${id}: ${errMsg(e)}`);
      return false;
    }
    this.known.set(id, { mtimeMs: st.mtimeMs, size: st.size, content });
    return !prev || prev.content !== content;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.rescanTimer) this.clock.clearTimeout(this.rescanTimer);
    this.rescanTimer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.listeners.clear();
  }
}

export class FileSnapshotStore extends FileJsonStore<AccountState> implements SnapshotStore {}

function isCode(e: unknown, code: string): boolean {
  return !!e && typeof e === 'object' && (e as { code?: unknown }).code === code;
}

function errMsg(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return e instanceof Error ? e.message : String(e);
}
