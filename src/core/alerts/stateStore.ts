// Where alert episodes live: one small JSON document in the shared storage folder, so a restarted window or a new
// leader knows what was already said. Written atomically (temp file in the same folder, then rename), and changed
// only under a lock shared by every window (the leader's decisions and another window's snooze land in one file).
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { nullLogger, scoped, type Logger } from '../log';
import { FileLease } from '../state/lease';
import { heldNotificationSchema } from './schema';
import { emptyAlertState, type AlertState, type AlertStateStore, type HeldNotification, type MeterEpisode } from './types';
import { mkdirPrivate, renameWithRetry, writeFilePrivate } from '../privateFs';

/** Bounds of what storm control keeps (a few notices and times; more is a damaged or foreign file). */
const MAX_HELD = 200;
const MAX_SHOWN = 50;

/** Keeps only well-formed entries; anything else becomes an empty state (a lost episode at worst repeats an alert). */
export function sanitizeAlertState(value: unknown): AlertState {
  const state = emptyAlertState();
  if (!value || typeof value !== 'object') return state;
  const v = value as { version?: unknown; meters?: unknown; held?: unknown; shown?: unknown };
  if (v.version !== 1 || !v.meters || typeof v.meters !== 'object') return state;
  for (const [k, raw] of Object.entries(v.meters as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const r = raw as Record<string, unknown>;
    if (!isNum(r.seenAt)) continue;
    const e: MeterEpisode = { seenAt: r.seenAt };
    for (const f of ['level', 'calmSince', 'peak', 'last', 'resetsAt', 'snoozedUntil'] as const) if (isNum(r[f])) e[f] = r[f];
    if (r.predicted === true) e.predicted = true;
    if (r.low === true) e.low = true;
    state.meters[k] = e;
  }
  if (Array.isArray(v.held)) {
    const held = v.held.slice(0, MAX_HELD).flatMap((h): HeldNotification[] => {
      const r = heldNotificationSchema.safeParse(h);
      return r.success ? [r.data as HeldNotification] : [];
    });
    if (held.length) state.held = held;
  }
  if (Array.isArray(v.shown)) {
    const shown = v.shown.filter(isNum).slice(-MAX_SHOWN);
    if (shown.length) state.shown = shown;
  }
  return state;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A lock whose holder stopped renewing this long ago (hung, or on another host) is taken over. */
const LOCK_TTL_MS = 10_000;
/** How long an update waits for the lock before writing without it (longer than the TTL: a dead holder is passed). */
const LOCK_WAIT_MS = 15_000;

export interface FileAlertStateStoreOptions {
  /** Folder shared by every window, e.g. `<globalStorage>/state`. Created on demand. */
  folder: string;
  log?: Logger;
  /** Default `alerts.json`. */
  fileName?: string;
}

export class FileAlertStateStore implements AlertStateStore {
  private readonly file: string;
  private readonly folder: string;
  private readonly log: Logger;

  constructor(opts: FileAlertStateStoreOptions) {
    this.folder = opts.folder;
    this.file = path.join(opts.folder, opts.fileName ?? 'alerts.json');
    this.log = scoped(opts.log ?? nullLogger, 'alert-store');
  }

  async load(): Promise<AlertState> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if (!isCode(e, 'ENOENT')) this.log.warn(`cannot read alert state (${errCode(e)})`);
      return emptyAlertState();
    }
    try {
      return sanitizeAlertState(JSON.parse(text));
    } catch {
      this.log.warn(`ignoring a corrupt alert state file (${text.length} bytes)`);
      return emptyAlertState();
    }
  }

  async update(change: (state: AlertState) => AlertState | undefined): Promise<void> {
    const unlock = await this.lock();
    try {
      const next = change(await this.load());
      if (next) await this.save(next);
    } finally {
      await unlock();
    }
  }

  /**
   * Takes `<file>.lock` for one read-modify-write: a FileLease (an atomic mkdir; a holder whose process is gone is
   * taken over at once, a silent one after the TTL). Should it stay out of reach, the update goes ahead unlocked: a
   * rare lost update (an alert repeated) is better than alerts stopping.
   */
  private async lock(): Promise<() => Promise<void>> {
    const lease = new FileLease({ dir: `${this.file}.lock`, log: warningsOnly(this.log), ttlMs: LOCK_TTL_MS });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let pause = 2; ; pause = Math.min(50, pause * 2)) {
      try {
        if (await lease.tryAcquire()) return () => lease.release().catch((e: unknown) => this.log.warn(`cannot unlock the alert state (${errCode(e)})`));
      } catch (e) {
        this.log.warn(`cannot lock the alert state (${errCode(e)}); updating it without the lock`);
        return async () => undefined;
      }
      if (Date.now() >= deadline) {
        this.log.warn('the alert state stayed locked by another window; updating it without the lock');
        return async () => undefined;
      }
      await new Promise((r) => setTimeout(r, pause * (1 + Math.random())));
    }
  }

  private async save(state: AlertState): Promise<void> {
    await mkdirPrivate(this.folder);
    // The temp name is unique per process and write, so two windows never write the same temp file.
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFilePrivate(tmp, JSON.stringify(state), 'utf8');
      await renameWithRetry(tmp, this.file);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  }
}

/** The lease logs every acquire and release; for a lock taken on every batch only its trouble is worth a line. */
function warningsOnly(log: Logger): Logger {
  return { ...nullLogger, warn: (m) => log.warn(m), error: (m) => log.error(m) };
}

function isCode(e: unknown, c: string): boolean {
  return !!e && typeof e === 'object' && (e as { code?: unknown }).code === c;
}

function errCode(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return e instanceof Error ? e.name : 'error';
}
