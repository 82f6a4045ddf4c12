// Which window polls. Every window's scheduler holds one Leadership over the shared lease: a follower tries to take
// the lease every `retryMs`, the leader renews it every `renewMs`; when the lease itself fails (I/O error) the window
// polls anyway (degraded) rather than have nobody poll. The scheduler hears each hand-over through `onChange` before
// the public role event fires.

import type { Clock, TimerHandle } from '../clock';
import type { Logger } from '../log';
import type { Lease } from '../state/lease';
import type { Disposable } from '../state/snapshotStore';
import { LoggingEmitter, errText } from './support';

export interface LeadershipDeps {
  clock: Clock;
  /** Already scoped to the scheduler. */
  log: Logger;
  lease: Lease;
  /** Leader heartbeat cadence (keep well under the lease TTL). */
  renewMs: number;
  /** How often a follower tries to become leader. */
  retryMs: number;
  /** Registers background work with the scheduler (for whenIdle) and logs its failure. */
  track<T>(p: Promise<T>): Promise<T>;
  /** This window became (true) or stopped being (false) the leader; runs before `onDidChangeRole` fires. */
  onChange(leader: boolean): void;
}

export class Leadership {
  private leader = false;
  /** Leader because the lease itself failed (I/O error): better to poll than to have nobody poll. */
  private degraded = false;
  private timer: TimerHandle | undefined;
  private disposed = false;
  private readonly roleEmitter: LoggingEmitter<[boolean]>;

  /** Fires when this window becomes (true) or stops being (false) the polling leader. */
  readonly onDidChangeRole: (listener: (leader: boolean) => void) => Disposable;

  constructor(private readonly deps: LeadershipDeps) {
    this.roleEmitter = new LoggingEmitter(deps.log);
    this.onDidChangeRole = this.roleEmitter.event;
  }

  /** Whether this window holds the lease (or polls degraded). False once stopped. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** First lease check now, then on the renew/retry cadence. */
  start(): void {
    this.tick();
  }

  /** Stops the timer; no further check starts and no role event fires. */
  stop(): void {
    this.disposed = true;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Drops the listeners, stops leading and releases the lease, even when not (yet) leader: an acquire may be in
   * flight, and release is a no-op otherwise. Never rejects.
   */
  release(): Promise<void> {
    this.stop();
    this.roleEmitter.dispose();
    this.leader = false;
    return this.deps.lease.release().catch((e) => this.deps.log.warn(`lease release failed: ${errText(e)}`));
  }

  private tick(): void {
    if (this.disposed) return;
    void this.deps.track(
      this.check()
        .catch((e) => this.deps.log.error(`lease check failed: ${errText(e)}`))
        .finally(() => this.armTimer()),
    );
  }

  private armTimer(): void {
    if (this.disposed) return;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    const delay = this.leader && !this.degraded ? this.deps.renewMs : this.deps.retryMs;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, delay);
  }

  private async check(): Promise<void> {
    const lease = this.deps.lease;
    if (this.leader && !this.degraded) {
      let ok = true;
      try {
        ok = await lease.renew();
      } catch (e) {
        // An I/O hiccup is not a lost lease; the TTL protects the others if it persists.
        this.deps.log.warn(`lease renew failed: ${errText(e)}`);
      }
      if (this.disposed) return;
      if (!ok) this.setLeader(false);
      return;
    }
    let ok: boolean;
    let failed = false;
    try {
      ok = await lease.tryAcquire();
    } catch (e) {
      this.deps.log.warn(`lease unavailable (${errText(e)}); polling from this window anyway`);
      ok = true;
      failed = true;
    }
    if (this.disposed) {
      if (ok && !failed) await lease.release().catch(() => undefined);
      return;
    }
    this.degraded = failed;
    if (ok !== this.leader) this.setLeader(ok);
  }

  private setLeader(leader: boolean): void {
    this.leader = leader;
    this.deps.log.info(leader ? 'this window now polls (leader)' : 'another window polls (follower)');
    this.deps.onChange(leader);
    if (!this.disposed) this.roleEmitter.fire(leader);
  }
}
