// Per-account host affinity (issue #19 §2): an account whose credential is a file on one host (Claude Code, Codex
// CLI, Gemini CLI; the host it was added on is recorded in the account) is polled by a window on that host, even when
// the cross-host leader (`CrossHostLease`, hostSpan.ts) runs elsewhere. Every other account is still polled by the
// cross-host leader alone.
//
// - Each host's host-local leader (the window holding that host's FileLease; one per storage folder) claims a
//   presence record for its host in globalState and beats it on the lease's cadence (`beat`, called by the
//   CrossHostLease after each check of the host's lease). One record per host, under a key derived from the host id:
//   two storage folders on one host (VS Code and code-server, Stable and Insiders) compete for it like the leader
//   record (the last write wins, the other steps down at its next beat), so one window per host reads its files.
// - A window routes each account (`route`): no home host → the cross-host leader polls it; its home host's record is
//   this window's → this window polls it; the record is another window's and alive → that window polls it, this one
//   does not (Claude's rate limit allows no second poller of one credential); no live record (the host has no window
//   open) → the cross-host leader polls it as before, and its files not being there says "this sign-in lives on …".
// - A record is judged gone as the leader record is: it stopped changing for `ttlMs` on this window's clock, or its
//   own stamp is older than `staleAfterMs`. Everything read is validated (zod, and the host it names must be the one
//   asked about); anything else is ignored, so a damaged value falls back to the cross-host leader.
// - A change of any route this window asked about (a host's window came or went, this window claimed or lost its
//   host's record) fires `onDidChange`, so the scheduler re-derives its timers.
// At a hand-over (a host's window appears while the leader's poll runs) at most one extra poll happens, as with the
// leader lease; and the leader's poll of a credential that lives on another host never reaches the provider (the
// file is not there).

import * as z from 'zod/mini';
import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../accountRepository';
import { systemClock, type Clock } from '../clock';
import { RecordLiveness } from './recordLiveness';
import { scoped, type Logger } from '../log';
import type { Disposable } from './snapshotStore';

export const PRESENCE_KEY_PREFIX = 'tokstat.hosts.presence.v1.';
/** How many home hosts a window keeps watching for changes (a user has a few machines). */
export const MAX_WATCHED_HOSTS = 32;

/**
 * Who polls an account: `this-window`: this window (its host holds the credential and this window holds the host's
 * record); `this-host`: another window of this host does; `other-host`: a window on another host does; `leader`: the
 * cross-host leader (no home host, or no live window there).
 */
export type PollRoute = 'this-window' | 'this-host' | 'other-host' | 'leader';

const presenceSchema = z.object({
  host: z.string().check(z.maxLength(200)),
  token: z.string().check(z.maxLength(64)),
  beat: z.number().check(z.int(), z.nonnegative()),
  at: z.number().check(z.nonnegative()),
});
export type PresenceRecord = z.infer<typeof presenceSchema>;

/** The globalState key of a host's presence record (a hash: host ids are free text). */
export function presenceKey(hostId: string): string {
  return PRESENCE_KEY_PREFIX + createHash('sha256').update(hostId.slice(0, 200)).digest('hex').slice(0, 16);
}

/** A host's presence record, or undefined when absent, damaged, or naming another host. */
export function readPresence(kv: KeyValueStore, hostId: string): PresenceRecord | undefined {
  let raw: unknown;
  try {
    raw = kv.get<unknown>(presenceKey(hostId));
  } catch {
    return undefined;
  }
  const r = presenceSchema.safeParse(raw);
  return r.success && r.data.host === hostId.slice(0, 200) ? r.data : undefined;
}

export interface HostAffinityOptions {
  /** globalState (shared by every window of the user's profile, local and remote). */
  kv: KeyValueStore;
  /** This window's host, as recorded in the accounts added on it (e.g. `ssh-remote:devbox`); no secret. */
  hostId: string;
  log: Logger;
  clock?: Clock;
  /** A record that has not changed for this long (on this window's clock) is gone. Default 60 s. */
  ttlMs?: number;
  /** A record whose own stamp is this much older than now is gone at once. Default 10 min. */
  staleAfterMs?: number;
}

export class HostAffinity {
  private readonly kv: KeyValueStore;
  private readonly hostId: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly liveness: RecordLiveness;
  private readonly token = randomBytes(8).toString('hex');
  private held = false;
  private beats = 0;
  /** Per home host asked about: the route last given, to tell when it changes. */
  private readonly routes = new Map<string, PollRoute>();
  private readonly listeners = new Set<() => void>();
  private released = false;

  constructor(opts: HostAffinityOptions) {
    this.kv = opts.kv;
    this.hostId = opts.hostId.slice(0, 200);
    this.log = scoped(opts.log, 'hosts');
    this.clock = opts.clock ?? systemClock;
    this.liveness = new RecordLiveness(this.clock, opts.ttlMs, opts.staleAfterMs);
  }

  /** Whether this window holds its host's record (polls the accounts whose credential lives here). */
  holdsHost(): boolean {
    return this.held;
  }

  /** Who polls an account whose credential lives on `home` (undefined: no home host, a SecretStorage account). */
  route(home: string | undefined): PollRoute {
    if (home === undefined || home === '') return 'leader';
    const host = home.slice(0, 200);
    const r = this.judge(host);
    if (!this.routes.has(host) && this.routes.size < MAX_WATCHED_HOSTS) this.routes.set(host, r);
    return r;
  }

  /**
   * Called after each check of the host's own lease (CrossHostLease): claims or beats this host's record while the
   * window holds the host lease, gives it up otherwise; then re-judges the hosts asked about. Never rejects.
   */
  async beat(hostLeaseHeld: boolean): Promise<void> {
    if (this.released) return;
    const was = this.held;
    try {
      if (!hostLeaseHeld) await this.drop();
      else {
        const r = readPresence(this.kv, this.hostId);
        if (this.held && r && r.token !== this.token) {
          // Another window of this host wrote since our last beat (a simultaneous claim): it reads the files now.
          this.log.info('another window of this host polls the accounts whose sign-in lives here');
          this.held = false;
        } else if (this.held || !r || r.token === this.token || this.liveness.isGone(this.hostId, r)) {
          await this.write();
        }
      }
    } catch (e) {
      this.log.warn(`cannot update this host's presence: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.held !== was && this.held) this.log.info('this window polls the accounts whose sign-in lives on this host');
    this.observe();
  }

  /** Gives the record up (the window closes) so the leader takes those accounts over at once. Never rejects. */
  async release(): Promise<void> {
    await this.drop().catch((e: unknown) => this.log.warn(`cannot clear this host's presence: ${String(e)}`));
    this.released = true;
    this.listeners.clear();
  }

  /** Fires when the route of an account this window asked about may have changed. */
  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private judge(host: string): PollRoute {
    const r = readPresence(this.kv, host);
    if (!r) {
      this.liveness.forget(host);
      return 'leader';
    }
    if (r.token === this.token) return this.held ? 'this-window' : 'leader';
    if (this.liveness.isGone(host, r)) return 'leader';
    return host === this.hostId ? 'this-host' : 'other-host';
  }

  private observe(): void {
    let changed = false;
    for (const [host, before] of this.routes) {
      const now = this.judge(host);
      if (now === before) continue;
      this.routes.set(host, now);
      changed = true;
      if (host !== this.hostId && now === 'leader') this.log.info(`no window on ${host} polls its sign-ins any more; the polling window tries them`);
      if (now === 'other-host') this.log.info(`a window on ${host} polls the sign-ins that live there`);
    }
    if (!changed) return;
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (e) {
        this.log.error(`listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private async write(): Promise<void> {
    this.beats += 1;
    const record: PresenceRecord = { host: this.hostId, token: this.token, beat: this.beats, at: this.clock.now() };
    await this.kv.update(presenceKey(this.hostId), record);
    this.held = true;
  }

  private async drop(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.log.info('this window no longer polls the accounts whose sign-in lives on this host');
    if (readPresence(this.kv, this.hostId)?.token === this.token) await this.kv.update(presenceKey(this.hostId), undefined);
  }
}
