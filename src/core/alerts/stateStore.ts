// Where alert episodes live: one small JSON document in the shared storage folder, so a restarted window or a new
// leader knows what was already said. Written atomically (temp file in the same folder, then rename).
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { nullLogger, scoped, type Logger } from '../log';
import { emptyAlertState, type AlertState, type AlertStateStore, type MeterEpisode } from './types';

/** Keeps only well-formed entries; anything else becomes an empty state (a lost episode at worst repeats an alert). */
export function sanitizeAlertState(value: unknown): AlertState {
  const state = emptyAlertState();
  if (!value || typeof value !== 'object') return state;
  const v = value as { version?: unknown; meters?: unknown };
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
  return state;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** For tests: stores the serialised text, so callers never share object references with the "file". */
export class InMemoryAlertStateStore implements AlertStateStore {
  private text: string | undefined;
  saves = 0;

  async load(): Promise<AlertState> {
    return sanitizeAlertState(this.text === undefined ? undefined : JSON.parse(this.text));
  }

  async save(state: AlertState): Promise<void> {
    this.saves++;
    this.text = JSON.stringify(state);
  }
}

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

  async save(state: AlertState): Promise<void> {
    await fsp.mkdir(this.folder, { recursive: true });
    // The temp name is unique per process and write, so two windows never write the same temp file.
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.writeFile(tmp, JSON.stringify(state), 'utf8');
      await renameWithRetry(tmp, this.file);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  // Windows refuses to replace a file another process has open for a few ms (EPERM/EBUSY/EACCES).
  for (let i = 0; ; i++) {
    try {
      await fsp.rename(from, to);
      return;
    } catch (e) {
      if (i >= 5 || !(isCode(e, 'EPERM') || isCode(e, 'EBUSY') || isCode(e, 'EACCES'))) throw e;
      await new Promise((r) => setTimeout(r, 10 * (i + 1)));
    }
  }
}

function isCode(e: unknown, c: string): boolean {
  return !!e && typeof e === 'object' && (e as { code?: unknown }).code === c;
}

function errCode(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return e instanceof Error ? e.name : 'error';
}
