// Hands a notification from the window that decided it (the poll leader, which may sit in the background) to the
// window the user is in. An outbox folder shared by every window holds one JSON file per notification; a window
// claims a file by renaming it — of several windows renaming the same name at once exactly one succeeds — then reads
// and deletes it, so each notification is shown once, by whoever claims it first. Files older than `maxAgeMs` are
// dropped unclaimed: an alert from yesterday is no news.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { nullLogger, scoped, type Logger } from '../log';
import { notificationSchema } from './schema';
import type { AlertNotification } from './types';
import { mkdirPrivate, writeFilePrivate } from '../privateFs';

const SUFFIX = '.json';
/** Written by this version; a file of another version is dropped unread. */
const VERSION = 1;
const envelopeSchema = z.object({ version: z.literal(VERSION), postedAt: z.number(), notification: notificationSchema });

export interface NotificationRelayOptions {
  /** Shared by every window, e.g. `<globalStorage>/alerts/outbox`. Created on demand. */
  folder: string;
  log?: Logger;
  /** Older notifications are dropped unclaimed (default 6 h). */
  maxAgeMs?: number;
}

export class NotificationRelay {
  private readonly log: Logger;
  private readonly maxAgeMs: number;
  private seq = 0;

  constructor(private readonly opts: NotificationRelayOptions) {
    this.log = scoped(opts.log ?? nullLogger, 'alert-relay');
    this.maxAgeMs = opts.maxAgeMs ?? 6 * 3_600_000;
  }

  get folder(): string {
    return this.opts.folder;
  }

  /** Leaves `n` for the window the user is in (written atomically: temp name first, then renamed into view). */
  async post(n: AlertNotification, now: number): Promise<void> {
    await mkdirPrivate(this.opts.folder);
    // Names sort by time, so notifications are claimed in the order they were decided.
    const name = `${String(now).padStart(15, '0')}-${process.pid}-${this.seq++}-${randomBytes(4).toString('hex')}${SUFFIX}`;
    const tmp = path.join(this.opts.folder, `.tmp-${name}`);
    await writeFilePrivate(tmp, JSON.stringify({ version: VERSION, postedAt: now, notification: n }));
    await fsp.rename(tmp, path.join(this.opts.folder, name));
  }

  /** Takes every notification waiting now, oldest first; each is returned to exactly one caller across windows. */
  async claim(now: number): Promise<AlertNotification[]> {
    let all: string[];
    try {
      all = await fsp.readdir(this.opts.folder);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`cannot list the outbox (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      return [];
    }
    const out: AlertNotification[] = [];
    for (const name of all.filter((f) => f.endsWith(SUFFIX) && !f.startsWith('.')).sort()) {
      const from = path.join(this.opts.folder, name);
      const mine = path.join(this.opts.folder, `.claimed-${process.pid}-${randomBytes(4).toString('hex')}-${name}`);
      try {
        await fsp.rename(from, mine);
      } catch {
        continue; // another window claimed it first
      }
      let text = '';
      try {
        text = await fsp.readFile(mine, 'utf8');
      } catch {
        // Renamed but unreadable: nothing to show.
      } finally {
        await fsp.rm(mine, { force: true }).catch(() => undefined);
      }
      const parsed = parse(text);
      if (!parsed) {
        this.log.warn(`dropped an unreadable notification from the outbox (${text.length} bytes)`);
        continue;
      }
      if (now - parsed.postedAt > this.maxAgeMs) {
        this.log.info('dropped a notification older than the outbox keeps');
        continue;
      }
      out.push(parsed.notification as AlertNotification);
    }
    // The same listing: this claim's own `.claimed-` files are gone by now, and a newer one is too young to sweep.
    await this.sweepTemp(all.filter((f) => f.startsWith('.tmp-') || f.startsWith('.claimed-')), now);
    return out;
  }

  /** Temp and claimed files left by a window that died mid-write or mid-claim; removed once clearly abandoned. */
  private async sweepTemp(names: readonly string[], now: number): Promise<void> {
    for (const name of names) {
      const p = path.join(this.opts.folder, name);
      try {
        const st = await fsp.stat(p);
        if (now - st.mtimeMs > 60_000) await fsp.rm(p, { force: true });
      } catch {
        // gone already
      }
    }
  }
}

function parse(text: string): z.infer<typeof envelopeSchema> | undefined {
  try {
    const r = envelopeSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
