// Leader election between VS Code windows sharing one globalStorage folder: the window holding the lease runs the
// poll schedule, the others follow. The lease is a directory created with an atomic `mkdir`, holding `owner.json`
// ({ owner, token, expiresAt }) that the holder rewrites on every renew (heartbeat). A lease whose heartbeat is past
// `expiresAt` (a crashed or suspended window) may be stolen, and so may a lease whose holder process is known to be
// gone (same host, pid no longer running): a reloaded window takes over at once instead of waiting out the TTL.
//
// Stealing is the delicate part: several windows can judge the same lease stale at once. Each must first claim that
// generation of the lock with an atomic `mkdir <lock>/steal`; only one claim per directory can exist. The claimant
// re-checks that the directory is still the stale one, renames it to a private name, checks that the claim moved
// with it (so it never disposes of a fresh lease), deletes it and `mkdir`s its own lock; if that mkdir loses to a
// plain acquirer, that acquirer is the single winner instead.

import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock';
import { scoped, type Logger } from '../log';
import { SerialQueue } from '../serial';
import { mkdirExclusivePrivate, mkdirPrivate, writeFilePrivate } from '../privateFs';

export interface Lease {
  /** Takes the lease when free or stale; true when this instance holds it afterwards (idempotent for the holder). */
  tryAcquire(): Promise<boolean>;
  /** Extends the heartbeat; false when the lease was lost (stolen after a long suspend, folder wiped, …). */
  renew(): Promise<boolean>;
  /** Gives the lease up so another window can take over at once. Safe to call when not held. */
  release(): Promise<void>;
  /** Whether this instance believes it holds the lease (as of the last acquire/renew). */
  isHeld(): boolean;
}

export interface FileLeaseOptions {
  /** The lock directory, e.g. `<globalStorage>/leader.lock`. Its parent is created on demand. */
  dir: string;
  log: Logger;
  /** A heartbeat older than this makes the lease stale (default 30 s). Renew well within it (e.g. every ttl/3). */
  ttlMs?: number;
  /** Source of `now` for heartbeats. All windows must use wall time (the default); tests share a fake clock. */
  clock?: Clock;
  /** Human-readable owner label written to owner.json (no secrets), default `pid <pid>`. */
  ownerLabel?: string;
  /** Whether a process of this host runs (default: `process.kill(pid, 0)`); injectable for tests. */
  isProcessAlive?: (pid: number) => boolean;
  /** This process and host, written to owner.json (defaults: process.pid, os.hostname()). */
  pid?: number;
  hostname?: string;
}

interface OwnerFile {
  owner: string;
  token: string;
  acquiredAt: number;
  expiresAt: number;
  pid?: number;
  host?: string;
}

/** Signal 0 checks for existence without touching the process; EPERM means it exists under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isCode(e, 'EPERM');
  }
}

const OWNER = 'owner.json';
const CLAIM = 'steal';

export class FileLease implements Lease {
  private readonly dir: string;
  private readonly log: Logger;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly owner: string;
  private readonly pid: number;
  private readonly host: string;
  private readonly isProcessAlive: (pid: number) => boolean;
  /** Unique per instance: a restarted window (same pid reuse) never mistakes an old lease for its own. */
  private readonly token = randomBytes(8).toString('hex');
  private held = false;
  private acquiredAt = 0;
  private swept = false;
  /** Serialises operations of this instance so a renew never interleaves with a release. */
  private readonly queue = new SerialQueue();

  constructor(opts: FileLeaseOptions) {
    this.dir = opts.dir;
    this.log = scoped(opts.log, 'lease');
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.clock = opts.clock ?? systemClock;
    this.owner = opts.ownerLabel ?? `pid ${process.pid}`;
    this.pid = opts.pid ?? process.pid;
    this.host = opts.hostname ?? os.hostname();
    this.isProcessAlive = opts.isProcessAlive ?? processAlive;
  }

  isHeld(): boolean {
    return this.held;
  }

  tryAcquire(): Promise<boolean> {
    return this.queue.run(() => this.doAcquire());
  }

  renew(): Promise<boolean> {
    return this.queue.run(() => this.doRenew());
  }

  release(): Promise<void> {
    return this.queue.run(() => this.doRelease());
  }

  private async doAcquire(): Promise<boolean> {
    await mkdirPrivate(path.dirname(this.dir));
    if (!this.swept) {
      this.swept = true;
      await this.sweepLitter();
    }
    if (await this.tryMkdir()) return true;
    const current = await this.readOwner(this.dir);
    if (current?.token === this.token) {
      this.held = true;
      return this.doRenew();
    }
    if (!(await this.isStale(this.dir, current))) {
      this.held = false;
      return false;
    }
    return this.steal(current);
  }

  /**
   * Replaces a stale lease. Only the stealer that claims this generation of the lock directory (an atomic mkdir of
   * `steal` inside it) may move it; the claim travels with the directory, so after the rename the stealer can check
   * that it moved exactly the generation it judged stale and not a fresh lease created meanwhile.
   */
  private async steal(judged: OwnerFile | undefined): Promise<boolean> {
    const before = await statOrUndefined(this.dir);
    if (!before) return false;
    const claim = path.join(this.dir, CLAIM);
    try {
      await mkdirExclusivePrivate(claim);
    } catch (e) {
      if (isCode(e, 'EEXIST')) {
        // Another window is stealing; if its claim is old, that window died mid-steal: clear the claim for next time.
        const st = await statOrUndefined(claim);
        if (st && Date.now() - st.mtimeMs > this.ttlMs) await fsp.rmdir(claim).catch(() => undefined);
        return false;
      }
      if (isCode(e, 'ENOENT')) return false;
      throw e;
    }
    // The claim went into whatever directory was there at mkdir time: make sure it is still the stale one.
    const now = await this.readOwner(this.dir);
    const after = await statOrUndefined(this.dir);
    const sameGeneration =
      !!after &&
      after.ino === before.ino &&
      after.birthtimeMs === before.birthtimeMs &&
      (judged ? now?.token === judged.token && now.expiresAt === judged.expiresAt : now === undefined);
    if (!sameGeneration) {
      await fsp.rmdir(claim).catch(() => undefined);
      return false;
    }
    const aside = `${this.dir}.stale-${this.token}-${randomBytes(4).toString('hex')}`;
    try {
      await fsp.rename(this.dir, aside);
    } catch (e) {
      // ENOENT: the stale holder woke up and released; try again on the next tick.
      this.log.debug(`steal aborted (${code(e)})`);
      await fsp.rmdir(claim).catch(() => undefined);
      return false;
    }
    if (!(await statOrUndefined(path.join(aside, CLAIM)))) {
      // Not the directory we claimed (the holder released and someone re-acquired in between): put it back.
      try {
        await fsp.rename(aside, this.dir);
      } catch (e) {
        this.log.warn(`could not restore a lease moved during a steal (${code(e)}); its holder will notice on renew`);
        await fsp.rm(aside, { recursive: true, force: true }).catch(() => undefined);
      }
      return false;
    }
    await fsp.rm(aside, { recursive: true, force: true }).catch(() => undefined);
    this.log.info(`took over a stale lease from ${judged?.owner ?? 'an unknown owner'}`);
    return this.tryMkdirOnce();
  }

  private async tryMkdirOnce(): Promise<boolean> {
    const ok = await this.tryMkdir();
    if (!ok) this.held = false;
    return ok;
  }

  private async tryMkdir(): Promise<boolean> {
    try {
      await mkdirExclusivePrivate(this.dir);
    } catch (e) {
      if (isCode(e, 'EEXIST')) return false;
      throw e;
    }
    this.acquiredAt = this.clock.now();
    try {
      await this.writeOwner();
    } catch (e) {
      // Without an owner file the lease still counts (judged by the directory mtime); the next renew retries.
      this.log.warn(`acquired the lease but could not write its owner file (${code(e)})`);
    }
    this.held = true;
    this.log.info('acquired the lease');
    return true;
  }

  private async doRenew(): Promise<boolean> {
    if (!this.held) return false;
    const current = await this.readOwner(this.dir);
    const dirExists = await exists(this.dir);
    // A missing owner file right after our mkdir is ours; any other owner means we lost it.
    if (!dirExists || (current !== undefined && current.token !== this.token)) {
      this.held = false;
      this.log.warn('lost the lease');
      return false;
    }
    try {
      await this.writeOwner();
    } catch (e) {
      if (isCode(e, 'ENOENT')) {
        this.held = false;
        this.log.warn('lost the lease');
        return false;
      }
      throw e;
    }
    return true;
  }

  private async doRelease(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    const current = await this.readOwner(this.dir);
    if (current && current.token !== this.token) return;
    // Rename first so a concurrent acquirer never finds a half-deleted directory.
    const aside = `${this.dir}.released-${this.token}-${randomBytes(4).toString('hex')}`;
    try {
      await fsp.rename(this.dir, aside);
    } catch (e) {
      if (!isCode(e, 'ENOENT')) this.log.warn(`could not release the lease (${code(e)})`);
      return;
    }
    await fsp.rm(aside, { recursive: true, force: true }).catch(() => undefined);
    this.log.info('released the lease');
  }

  /**
   * Removes what a window killed between the rename and the delete of a release or a steal leaves next to the lock
   * (`<lock>.released-*`, `<lock>.stale-*`). Only entries untouched for a whole TTL: a live window finishes its
   * rename-then-delete within milliseconds. Once per instance, on its first acquire.
   */
  private async sweepLitter(): Promise<void> {
    const parent = path.dirname(this.dir);
    const base = path.basename(this.dir);
    let names: string[];
    try {
      names = await fsp.readdir(parent);
    } catch {
      return;
    }
    let removed = 0;
    for (const n of names) {
      if (!n.startsWith(`${base}.released-`) && !n.startsWith(`${base}.stale-`)) continue;
      const p = path.join(parent, n);
      const st = await statOrUndefined(p);
      if (!st || Date.now() - st.mtimeMs <= this.ttlMs) continue;
      await fsp.rm(p, { recursive: true, force: true }).then(
        () => removed++,
        () => undefined,
      );
    }
    if (removed) this.log.info(`removed ${removed} leftovers of interrupted lease hand-overs`);
  }

  private async writeOwner(): Promise<void> {
    const now = this.clock.now();
    const body: OwnerFile = {
      owner: this.owner,
      token: this.token,
      acquiredAt: this.acquiredAt,
      expiresAt: now + this.ttlMs,
      pid: this.pid,
      host: this.host,
    };
    const tmp = path.join(this.dir, `${OWNER}.${this.token}.tmp`);
    await writeFilePrivate(tmp, JSON.stringify(body), 'utf8');
    await fsp.rename(tmp, path.join(this.dir, OWNER));
  }

  private async readOwner(dir: string): Promise<OwnerFile | undefined> {
    try {
      const v = JSON.parse(await fsp.readFile(path.join(dir, OWNER), 'utf8')) as Partial<OwnerFile>;
      if (typeof v.token === 'string' && typeof v.expiresAt === 'number' && Number.isFinite(v.expiresAt)) {
        return {
          owner: String(v.owner ?? ''),
          token: v.token,
          acquiredAt: Number(v.acquiredAt ?? 0),
          expiresAt: v.expiresAt,
          ...(Number.isSafeInteger(v.pid) && (v.pid as number) > 0 ? { pid: v.pid as number } : {}),
          ...(typeof v.host === 'string' ? { host: v.host } : {}),
        };
      }
      return undefined;
    } catch {
      return undefined;
    }
  }

  private async isStale(dir: string, owner: OwnerFile | undefined): Promise<boolean> {
    if (owner) {
      if (owner.expiresAt <= this.clock.now()) return true;
      // The holder's process is gone (a reloaded or killed window): no need to wait out the heartbeat. Only on the
      // same host, and never for our own pid (a previous instance in this process releases on dispose).
      if (owner.pid !== undefined && owner.host === this.host && owner.pid !== this.pid && !this.isProcessAlive(owner.pid)) {
        this.log.info(`the lease holder (${owner.owner}) is no longer running`);
        return true;
      }
      return false;
    }
    // No readable owner file: the holder may be between mkdir and its first write, or crashed right there.
    // File-system times are wall-clock, so compare them with wall time.
    try {
      const st = await fsp.stat(dir);
      return Date.now() - st.mtimeMs > this.ttlMs;
    } catch {
      return false;
    }
  }
}

async function statOrUndefined(p: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fsp.stat(p);
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.stat(p);
    return true;
  } catch {
    return false;
  }
}

function isCode(e: unknown, c: string): boolean {
  return !!e && typeof e === 'object' && (e as { code?: unknown }).code === c;
}

function code(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return e instanceof Error ? e.message : String(e);
}
