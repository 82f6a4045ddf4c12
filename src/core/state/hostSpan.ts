// One poll per account across every window of the user, on every host (issue #19 §2). The file lease and the snapshot
// files are per host: a local window and a Remote-SSH / WSL / container / Codespaces window each have their own
// globalStorage folder. What spans them is VS Code's globalState (a Memento): it lives with the user's profile on the
// machine that runs the workbench, so every window of that profile, local or remote, reads and writes the same values.
// It has no compare-and-swap and no change event, and a change reaches other windows after a delay (measured in
// code-server: see README "Remote development"), so:
//
// - `CrossHostLease` stacks on the host's FileLease (one window per host competes). The record in globalState names
//   the holder (host id, token) and a heartbeat counter. A holder is judged gone when its record stops changing for
//   `ttlMs` on *this* window's clock (no comparison of two hosts' clocks), or at once when its wall-clock stamp is
//   older than `staleAfterMs` (a host closed hours ago). Two hosts that claim at once both write; the last write wins
//   and the other steps down at its next renew, so at worst both poll once.
// - `SharedSnapshotStore` mirrors each account's last state (snapshot + poll schedule) into globalState, bounded in
//   size, so a window on another host shows the leader's readings and a new leader knows when each account was last
//   polled. Reads return the newer of the host's file and the mirror; the mirror is re-read every `pollMs`.
//
// Everything read from globalState is validated (zod, then the snapshot store's own checks); anything else is ignored.

import * as z from 'zod/mini';
import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../accountRepository';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { SerialQueue } from '../serial';
import { RecordLiveness } from './recordLiveness';
import { scoped, type Logger } from '../log';
import type { Lease } from './lease';
import type { HostAffinity } from './hostAffinity';
import { isValidAccountId, validateAccountState, type AccountState, type Disposable, type SnapshotStore } from './snapshotStore';

export const LEADER_KEY = 'tokstat.hosts.leader.v1';
export const SNAPSHOTS_KEY = 'tokstat.hosts.snapshots.v1';
/** The mirror of the accounts whose credential file lives on one host (their poller is that host's window). */
export const HOST_SNAPSHOTS_KEY_PREFIX = 'tokstat.hosts.snapshots.v1.';

/** The mirror key of a home host's accounts: each key has one writer in steady state, so no write hides another's. */
export function hostSnapshotsKey(home: string): string {
  return HOST_SNAPSHOTS_KEY_PREFIX + createHash('sha256').update(home.slice(0, 200)).digest('hex').slice(0, 16);
}

const leaderSchema = z.object({
  host: z.string().check(z.maxLength(200)),
  token: z.string().check(z.maxLength(64)),
  beat: z.number().check(z.int(), z.nonnegative()),
  at: z.number().check(z.nonnegative()),
});
export type LeaderRecord = z.infer<typeof leaderSchema>;

/** The leader record, or undefined when absent or not ours to trust (a foreign or damaged value). */
export function readLeaderRecord(kv: KeyValueStore): LeaderRecord | undefined {
  let raw: unknown;
  try {
    raw = kv.get<unknown>(LEADER_KEY);
  } catch {
    return undefined;
  }
  const r = leaderSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}

export interface CrossHostLeaseOptions {
  /** The host's own lease (one window per host competes across hosts). */
  inner: Lease;
  /** globalState (shared by every window of the user's profile, local and remote). */
  kv: KeyValueStore;
  /** Identifies this host (e.g. `ssh-remote:devbox` or `local:laptop`); no secret. */
  hostId: string;
  log: Logger;
  clock?: Clock;
  /** A record that has not changed for this long (on this window's clock) is taken over. Default 60 s. */
  ttlMs?: number;
  /** A record whose own stamp is this much older than now is taken over at once (clock skew allowance). Default 10 min. */
  staleAfterMs?: number;
  /** Told after each check of the host's lease whether this window holds it (the host's presence, hostAffinity.ts). */
  presence?: Pick<HostAffinity, 'beat' | 'release'>;
}

export class CrossHostLease implements Lease {
  private readonly inner: Lease;
  private readonly kv: KeyValueStore;
  private readonly hostId: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly liveness: RecordLiveness;
  private readonly presence: CrossHostLeaseOptions['presence'];
  private readonly token = randomBytes(8).toString('hex');
  private held = false;
  private beat = 0;
  /** The other host this window last said it follows (logged once per change). */
  private followed: string | undefined;

  constructor(opts: CrossHostLeaseOptions) {
    this.inner = opts.inner;
    this.kv = opts.kv;
    this.hostId = opts.hostId.slice(0, 200);
    this.log = scoped(opts.log, 'hosts');
    this.clock = opts.clock ?? systemClock;
    this.liveness = new RecordLiveness(this.clock, opts.ttlMs, opts.staleAfterMs);
    this.presence = opts.presence;
  }

  isHeld(): boolean {
    return this.held;
  }

  /** Who polls when it is not this window: another host's id, or undefined (this host, or nobody known). */
  otherHost(): string | undefined {
    const r = readLeaderRecord(this.kv);
    return r && r.host !== this.hostId && r.token !== this.token ? r.host : undefined;
  }

  async tryAcquire(): Promise<boolean> {
    // The host's own lease first: the other windows of this host stay followers whatever happens across hosts.
    const hostHeld = await this.inner.tryAcquire();
    // The host's lease holder polls the accounts whose credential files live on this host, leader or not.
    await this.presence?.beat(hostHeld);
    if (!hostHeld) return this.lose();
    const r = readLeaderRecord(this.kv);
    if (r && r.token !== this.token && r.host !== this.hostId && !this.liveness.isGone(LEADER_KEY, r)) {
      if (this.followed !== r.host) this.log.info(`another host polls (${r.host}); this window shows its readings`);
      this.followed = r.host;
      return this.lose();
    }
    this.followed = undefined;
    if (r && r.token !== this.token) this.log.info(r.host === this.hostId ? 'taking over from a window of this host' : `taking over from ${r.host}, which stopped polling`);
    return this.write();
  }

  async renew(): Promise<boolean> {
    if (!this.held) return false;
    const hostHeld = await this.inner.renew();
    await this.presence?.beat(hostHeld);
    if (!hostHeld) return this.lose();
    const r = readLeaderRecord(this.kv);
    // Someone else wrote since our last beat (a simultaneous claim, or we were judged gone after a suspend).
    if (r && r.token !== this.token) {
      this.log.info(`${r.host === this.hostId ? 'a window of this host' : r.host} polls now; this window follows`);
      return this.lose();
    }
    return this.write();
  }

  async release(): Promise<void> {
    const wasHeld = this.held;
    this.held = false;
    if (wasHeld && readLeaderRecord(this.kv)?.token === this.token) {
      await this.kv.update(LEADER_KEY, undefined).catch((e: unknown) => this.log.warn(`cannot clear the leader record: ${String(e)}`));
    }
    await this.presence?.release();
    await this.inner.release();
  }

  private async write(): Promise<boolean> {
    this.beat += 1;
    const record: LeaderRecord = { host: this.hostId, token: this.token, beat: this.beat, at: this.clock.now() };
    await this.kv.update(LEADER_KEY, record);
    this.held = true;
    return true;
  }

  private lose(): boolean {
    this.held = false;
    return false;
  }
}

// ---- the snapshot mirror --------------------------------------------------------------------------------------------

/** Bounds of the mirror: globalState is loaded into every window's memory. */
export const MAX_MIRRORED_ACCOUNTS = 64;
export const MAX_MIRRORED_ENTRY_CHARS = 16 * 1024;
export const MAX_MIRROR_CHARS = 256 * 1024;

const mirrorSchema = z.object({
  version: z.literal(1),
  accounts: z.record(z.string().check(z.maxLength(200)), z.unknown()),
});

/** The valid entries of a mirror (anything malformed, oversized or foreign is dropped). */
export function readMirror(kv: KeyValueStore, key = SNAPSHOTS_KEY): Map<string, AccountState> {
  const out = new Map<string, AccountState>();
  let raw: unknown;
  try {
    raw = kv.get<unknown>(key);
  } catch {
    return out;
  }
  const r = mirrorSchema.safeParse(raw);
  if (!r.success) return out;
  for (const [id, state] of Object.entries(r.data.accounts)) {
    if (out.size >= MAX_MIRRORED_ACCOUNTS) break;
    if (!isValidAccountId(id) || validateAccountState(state, id) !== undefined) continue;
    if (JSON.stringify(state).length > MAX_MIRRORED_ENTRY_CHARS) continue;
    out.set(id, state as AccountState);
  }
  return out;
}

/** When the state was last touched by a poll (the newer of the two copies wins). */
export function stateStamp(s: AccountState | undefined): number {
  if (!s) return -1;
  return Math.max(s.schedule.lastAttemptAt ?? -1, s.snapshot?.takenAt ?? -1);
}

export interface SharedSnapshotStoreOptions {
  /** This host's store (files in its globalStorage folder). */
  local: SnapshotStore;
  kv: KeyValueStore;
  log: Logger;
  clock?: Clock;
  /** How often the mirror is re-read for other hosts' changes (default 5 s; 0 turns it off). */
  pollMs?: number;
  /**
   * The home host of each account whose credential file lives on one host (hostAffinity.ts). Their states go to that
   * host's own mirror key: two windows poll in steady state (the leader, and that host's window), and two writers of
   * one globalState value would overwrite each other's changes that had not reached them yet.
   */
  homes?: () => ReadonlyMap<string, string>;
}

export class SharedSnapshotStore implements SnapshotStore {
  private readonly local: SnapshotStore;
  private readonly kv: KeyValueStore;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly homes: () => ReadonlyMap<string, string>;
  private readonly listeners = new Set<(id: string) => void>();
  private readonly localSub: Disposable;
  /** Per mirror key, its entries as last seen (serialised), to tell other windows' changes from ours. */
  private known = new Map<string, Map<string, string>>();
  private timer: TimerHandle | undefined;
  private disposed = false;
  /** Serialises mirror writes of this window (read-modify-write of one globalState value). */
  private readonly queue = new SerialQueue();

  constructor(opts: SharedSnapshotStoreOptions) {
    this.local = opts.local;
    this.kv = opts.kv;
    this.log = scoped(opts.log, 'hosts');
    this.clock = opts.clock ?? systemClock;
    this.pollMs = opts.pollMs ?? 5_000;
    this.homes = opts.homes ?? (() => new Map());
    this.localSub = this.local.onDidChangeExternally((id) => this.fire(id));
    for (const key of this.keys()) this.known.set(key, serialise(readMirror(this.kv, key)));
    this.arm();
  }

  async read(accountId: string): Promise<AccountState | undefined> {
    let best = await this.local.read(accountId);
    // The account's own key, and the common one (what was written before its home was known, or by an older version).
    for (const key of new Set([this.keyOf(accountId), SNAPSHOTS_KEY])) {
      const mirrored = readMirror(this.kv, key).get(accountId);
      if (stateStamp(mirrored) > stateStamp(best)) best = mirrored;
    }
    return best;
  }

  async write(accountId: string, state: AccountState): Promise<void> {
    await this.local.write(accountId, state);
    await this.mutate(this.keyOf(accountId), (m) => {
      const text = JSON.stringify(state);
      if (text.length > MAX_MIRRORED_ENTRY_CHARS) {
        // Too big to share (a provider with very many meters): other hosts keep polling it themselves.
        m.delete(accountId);
        return;
      }
      m.set(accountId, state);
    });
  }

  async delete(accountId: string): Promise<void> {
    await this.local.delete(accountId);
    for (const key of new Set([this.keyOf(accountId), SNAPSHOTS_KEY])) await this.mutate(key, (m) => void m.delete(accountId));
  }

  async list(): Promise<string[]> {
    const ids = new Set(await this.local.list());
    for (const key of this.keys()) for (const id of readMirror(this.kv, key).keys()) ids.add(id);
    return [...ids];
  }

  onDidChangeExternally(listener: (accountId: string) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Re-reads the mirror now and fires for every account another window changed (the timer calls this). */
  checkMirror(): void {
    if (this.disposed) return;
    const changed = new Set<string>();
    for (const key of this.keys()) {
      const now = serialise(readMirror(this.kv, key));
      const known = this.known.get(key) ?? new Map<string, string>();
      for (const [id, text] of now) if (known.get(id) !== text) changed.add(id);
      for (const id of known.keys()) if (!now.has(id)) changed.add(id);
      this.known.set(key, now);
    }
    for (const id of changed) this.fire(id);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.localSub.dispose();
    this.listeners.clear();
    this.local.dispose();
  }

  private arm(): void {
    if (this.disposed || this.pollMs <= 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.checkMirror();
      this.arm();
    }, this.pollMs);
  }

  /** The mirror keys in use: the common one and one per home host of the current accounts (bounded). */
  private keys(): string[] {
    const keys = new Set([SNAPSHOTS_KEY]);
    for (const home of this.safeHomes().values()) {
      if (keys.size > MAX_MIRRORED_ACCOUNTS) break;
      keys.add(hostSnapshotsKey(home));
    }
    return [...keys];
  }

  private keyOf(accountId: string): string {
    const home = this.safeHomes().get(accountId);
    return home ? hostSnapshotsKey(home) : SNAPSHOTS_KEY;
  }

  private safeHomes(): ReadonlyMap<string, string> {
    try {
      return this.homes();
    } catch {
      return new Map();
    }
  }

  private mutate(key: string, change: (m: Map<string, AccountState>) => void): Promise<void> {
    const op = async (): Promise<void> => {
      const m = readMirror(this.kv, key);
      const before = m.size;
      change(m);
      if (key !== SNAPSHOTS_KEY && m.size === 0 && before === 0) return;
      const bounded = bound(m);
      await this.kv.update(key, { version: 1, accounts: Object.fromEntries(bounded) });
      // Our own write is not an external change.
      this.known.set(key, serialise(bounded));
    };
    return this.queue.run(op).catch((e: unknown) => this.log.warn(`cannot share the snapshot with other hosts: ${e instanceof Error ? e.message : String(e)}`));
  }

  private fire(id: string): void {
    for (const l of [...this.listeners]) {
      try {
        l(id);
      } catch (e) {
        this.log.error(`listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

/** Keeps the most recently polled accounts within the count and size bounds. */
function bound(m: Map<string, AccountState>): Map<string, AccountState> {
  const entries = [...m].sort((a, b) => stateStamp(b[1]) - stateStamp(a[1]));
  const out = new Map<string, AccountState>();
  let total = 0;
  for (const [id, s] of entries) {
    if (out.size >= MAX_MIRRORED_ACCOUNTS) break;
    const size = JSON.stringify(s).length + id.length;
    if (total + size > MAX_MIRROR_CHARS) continue;
    total += size;
    out.set(id, s);
  }
  return out;
}

function serialise(m: Map<string, AccountState>): Map<string, string> {
  return new Map([...m].map(([id, s]) => [id, JSON.stringify(s)]));
}
