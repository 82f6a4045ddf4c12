// The one poll scheduler. Per account: next due = last attempt (by ANY window, read from the shared store) + interval,
// or the backoff / Retry-After time after a failure; auth failures stop automatic polling entirely. Fetches run with
// bounded concurrency, a per-fetch timeout and single flight per account.
//
// Multi-window: every window builds one scheduler over the same store and lease. Only the lease holder (leader) runs
// timers; followers show what the store holds and are told about other windows' writes. A manual refresh runs in the
// window where the user asked and is written to the shared store, so the leader's schedule counts it.
// Who leads lives in leadership.ts, the snapshots a poll leaves in snapshots.ts. What stays here is one room: the
// per-account entry (timer, single flight, slot, abort, load/reload) is shared by every method below.

import type { Clock, TimerHandle } from '../clock';
import { ProviderError, toProviderError } from '../errors';
import { scoped, type Logger } from '../log';
import type { AcceptedMeters, Snapshot, SnapshotError } from '../../shared/model';
import type { FetchResult } from '../providers/types';
import { redact } from '../redact';
import type { AccountState, Disposable, ScheduleState, SnapshotStore } from '../state/snapshotStore';
import { isValidAccountId } from '../state/snapshotStore';
import type { Lease } from '../state/lease';
import type { PollRoute } from '../state/hostAffinity';
import { DEFAULT_BACKOFF, decideRetry, type BackoffOptions } from './backoff';
import { Leadership } from './leadership';
import { failureSnapshot, successSnapshot } from './snapshots';
import { LoggingEmitter, errText } from './support';

export interface PollSchedulerDeps {
  clock: Clock;
  log: Logger;
  /** [0, 1) source for jitter. Default Math.random. */
  random?: () => number;
  /** Max fetches in flight at once (default 4). */
  concurrency?: number;
  /** Fetches one account. Throws ProviderError (anything else is wrapped as `network`). Must honour the signal. */
  fetch(accountId: string, signal: AbortSignal): Promise<FetchResult>;
  /** The account's normal poll interval in ms (read on every scheduling decision, so settings changes apply). */
  intervalMs(accountId: string): number;
  /** Per-fetch timeout; aborts the signal (default 30 s). */
  timeoutMs?: number;
  store: SnapshotStore;
  lease: Lease;
  /** Transient-failure backoff (default 1 min doubling to 30 min, equal jitter). */
  backoff?: BackoffOptions;
  /** Leader heartbeat cadence (default 10 s; keep well under the lease TTL). */
  leaseRenewMs?: number;
  /** How often a follower tries to become leader (default 15 s). */
  leaseRetryMs?: number;
  /**
   * Who polls the account (core/state/hostAffinity.ts): one whose credential file lives on one host is polled by a
   * window there; by default (and when this throws) the leader polls every account.
   */
  route?(accountId: string): PollRoute;
}

export type RefreshOutcome =
  /** The provider was called; `snapshot` is the new result (ok or failure). */
  | 'fetched'
  /** The server's Retry-After still blocks the account; nothing was called. See `rateLimitedUntil`. */
  | 'rate-limited'
  /** A scheduled run found the account not due after all (another window polled it). Not returned by refresh(). */
  | 'not-due'
  /** Its credential lives on another host, where a window polls it; nothing was called here (refresh() only). */
  | 'elsewhere'
  | 'unknown-account'
  /** The account was removed or the scheduler disposed while the fetch ran; nothing stored. */
  | 'cancelled'
  | 'disposed';

export interface RefreshResult {
  accountId: string;
  outcome: RefreshOutcome;
  /** The snapshot now shown for the account (the stored one when nothing was fetched). */
  snapshot: Snapshot | undefined;
  /** With `rate-limited`: epoch ms before which the server refuses calls ("rate limited until …"). */
  rateLimitedUntil?: number;
  /** With `fetched` and a failure: the error that was stored. */
  error?: SnapshotError;
}

type Trigger = 'schedule' | 'manual';

interface Entry {
  readonly id: string;
  snapshot: Snapshot | undefined;
  schedule: ScheduleState;
  loaded: Promise<void>;
  timer?: TimerHandle;
  inFlight?: Promise<RefreshResult>;
  inFlightKind?: Trigger;
  /** A manual refresh queued behind a scheduled run that may turn out `not-due`. */
  followUp?: Promise<RefreshResult>;
  abort?: AbortController;
  /** The per-fetch timeout, cleared synchronously by dispose/removal. */
  fetchTimer?: TimerHandle;
  cancelReason?: 'removed' | 'disposed';
  loading: boolean;
  removed: boolean;
  /** Clock time when the last run finished, to never start two runs for one account at the same instant. */
  lastRunEndAt?: number;
  /** This window has polled the account (the first poll of a credential file another host could not read is due at once). */
  triedHere?: boolean;
  /** Meter problems already logged for this account (each is logged once, not on every poll). */
  reported?: Set<string>;
}

interface Waiter {
  entry: Entry;
  resolve(ok: boolean): void;
}

const MIN_INTERVAL_MS = 1_000;
const DEFAULT_INTERVAL_MS = 5 * 60_000;

export class PollScheduler implements Disposable {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffOptions;

  private readonly entries = new Map<string, Entry>();
  private readonly waiters: Waiter[] = [];
  private active = 0;
  private readonly pending = new Set<Promise<unknown>>();

  private readonly leadership: Leadership;
  private disposed = false;
  private released: Promise<void> | undefined;
  private readonly storeSub: Disposable;

  private readonly changeEmitter: LoggingEmitter<[string, Snapshot | undefined]>;
  private readonly loadingEmitter: LoggingEmitter<[string, boolean]>;

  /** (accountId, snapshot | undefined when the account was removed). */
  readonly onDidChange: (listener: (accountId: string, snapshot: Snapshot | undefined) => void) => Disposable;
  readonly onDidChangeLoading: (listener: (accountId: string, loading: boolean) => void) => Disposable;
  /** Fires when this window becomes (true) or stops being (false) the polling leader. */
  readonly onDidChangeRole: (listener: (leader: boolean) => void) => Disposable;

  constructor(private readonly deps: PollSchedulerDeps) {
    this.clock = deps.clock;
    this.log = scoped(deps.log, 'scheduler');
    this.random = deps.random ?? Math.random;
    this.concurrency = Math.max(1, Math.floor(deps.concurrency ?? 4));
    this.timeoutMs = Math.max(1, deps.timeoutMs ?? 30_000);
    this.backoff = deps.backoff ?? DEFAULT_BACKOFF;
    this.changeEmitter = new LoggingEmitter(this.log);
    this.loadingEmitter = new LoggingEmitter(this.log);
    this.leadership = new Leadership({
      clock: this.clock,
      log: this.log,
      lease: deps.lease,
      renewMs: Math.max(1, deps.leaseRenewMs ?? 10_000),
      retryMs: Math.max(1, deps.leaseRetryMs ?? 15_000),
      track: (p) => this.track(p),
      onChange: (leader) => this.onLeaderChange(leader),
    });
    this.onDidChange = this.changeEmitter.event;
    this.onDidChangeLoading = this.loadingEmitter.event;
    this.onDidChangeRole = this.leadership.onDidChangeRole;
    this.storeSub = deps.store.onDidChangeExternally((id) => this.onExternalChange(id));
    this.leadership.start();
  }

  // ---------------------------------------------------------------- public API

  /** The accounts to poll. New ones load their shared state and are polled when due (at once if never polled). */
  setAccounts(ids: readonly string[]): void {
    if (this.disposed) return;
    const wanted = new Set<string>();
    for (const id of ids) {
      if (isValidAccountId(id)) wanted.add(id);
      else this.log.warn('ignoring an account with an invalid id');
    }
    for (const [id, entry] of this.entries) {
      if (!wanted.has(id)) this.remove(entry);
    }
    for (const id of wanted) {
      if (this.entries.has(id)) continue;
      const entry: Entry = { id, snapshot: undefined, schedule: { failures: 0 }, loaded: Promise.resolve(), loading: false, removed: false };
      this.entries.set(id, entry);
      entry.loaded = this.track(this.load(entry));
    }
  }

  /**
   * Polls now even if not due. Single flight: while a fetch for the account is queued or running, returns the same
   * promise. While the server's Retry-After blocks the account, calls nothing and resolves with `rate-limited`.
   * An auth-blocked account is tried once (the user may have fixed the key). Never rejects.
   */
  refresh(accountId: string): Promise<RefreshResult> {
    const entry = this.entries.get(accountId);
    if (this.disposed) return Promise.resolve({ accountId, outcome: 'disposed', snapshot: entry?.snapshot });
    if (!entry) return Promise.resolve({ accountId, outcome: 'unknown-account', snapshot: undefined });
    if (entry.inFlight && entry.inFlightKind === 'manual') return entry.inFlight;
    if (entry.inFlight) {
      // A scheduled run is queued or running: the user's click should not wait behind other accounts.
      this.prioritise(entry);
      if (!entry.followUp) {
        const follow = entry.inFlight.then((r) => {
          entry.followUp = undefined;
          if (r.outcome === 'not-due' && !entry.removed && !this.disposed) return this.startRun(entry, 'manual');
          return r;
        });
        entry.followUp = this.track(follow);
      }
      return entry.followUp;
    }
    return this.startRun(entry, 'manual');
  }

  refreshAll(): Promise<RefreshResult[]> {
    return Promise.all([...this.entries.keys()].map((id) => this.refresh(id)));
  }

  /**
   * The account's credentials changed: lift an auth block and any Retry-After (they applied to the old key) and poll
   * at once. Only the leader polls and writes; followers update their view and leave the poll to it.
   */
  credentialsChanged(accountId: string): void {
    const entry = this.entries.get(accountId);
    if (!entry || this.disposed) return;
    const now = this.clock.now();
    const s: ScheduleState = { ...entry.schedule, failures: 0, nextDueAt: now };
    delete s.authBlocked;
    delete s.retryAt;
    entry.schedule = s;
    if (!this.polls(entry.id)) return;
    void this.track(
      (async () => {
        await entry.loaded;
        await this.persist(entry);
        this.arm(entry);
      })(),
    );
  }

  /** Re-derives every timer, e.g. after the poll interval setting changed. */
  reschedule(): void {
    for (const e of this.entries.values()) this.arm(e);
  }

  getSnapshot(accountId: string): Snapshot | undefined {
    return this.entries.get(accountId)?.snapshot;
  }

  /** Snapshots of the current accounts, in setAccounts order; accounts without one yet are left out. */
  getAll(): Snapshot[] {
    const out: Snapshot[] = [];
    for (const e of this.entries.values()) if (e.snapshot) out.push(e.snapshot);
    return out;
  }

  isLoading(accountId: string): boolean {
    return this.entries.get(accountId)?.loading ?? false;
  }

  /**
   * When the account is next polled automatically by whichever window leads (from the shared schedule), or
   * undefined when no automatic poll is planned (auth required, unknown account, disposed).
   */
  nextPollAt(accountId: string): number | undefined {
    const e = this.entries.get(accountId);
    if (!e || this.disposed) return undefined;
    return this.dueAt(e);
  }

  isLeader(): boolean {
    return this.leadership.isLeader && !this.disposed;
  }

  /** Resolves when no load, fetch, store write or lease operation of this scheduler is pending (for tests/shutdown). */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.allSettled([...this.pending]);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.leadership.stop();
    for (const e of this.entries.values()) this.cancel(e, 'disposed');
    for (const w of this.waiters.splice(0)) w.resolve(false);
    this.storeSub.dispose();
    this.changeEmitter.dispose();
    this.loadingEmitter.dispose();
    this.released = this.leadership.release();
    this.log.debug('disposed');
  }

  /** dispose() and wait until the lease is released and every pending operation has settled. */
  async shutdown(): Promise<void> {
    this.dispose();
    await this.released;
    await this.whenIdle();
  }

  // ---------------------------------------------------------------- accounts

  private async load(entry: Entry): Promise<void> {
    const state = await this.safeRead(entry.id);
    if (this.disposed || entry.removed) return;
    if (state && this.adopt(entry, state)) this.fireChange(entry);
    this.arm(entry);
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.id);
    this.cancel(entry, 'removed');
    this.dropWaiters(entry);
    this.log.debug(`account ${entry.id} removed`);
    if (entry.loading) {
      entry.loading = false;
      if (!this.disposed) this.loadingEmitter.fire(entry.id, false);
    }
    if (!this.disposed) this.changeEmitter.fire(entry.id, undefined);
  }

  private cancel(entry: Entry, reason: 'removed' | 'disposed'): void {
    entry.removed = true;
    entry.cancelReason = reason;
    this.clearTimer(entry);
    if (entry.fetchTimer) this.clock.clearTimeout(entry.fetchTimer);
    entry.fetchTimer = undefined;
    entry.abort?.abort(new ProviderError('cancelled', reason === 'removed' ? 'The account was removed.' : 'Polling stopped.'));
  }

  /** Takes the stored state when it is at least as recent as ours. Returns whether the snapshot changed. */
  private adopt(entry: Entry, state: AccountState): boolean {
    const local = entry.schedule.lastAttemptAt ?? -Infinity;
    const ext = state.schedule.lastAttemptAt ?? -Infinity;
    if (ext < local) return false;
    const before = JSON.stringify(entry.snapshot ?? null);
    entry.schedule = { ...state.schedule };
    entry.snapshot = state.snapshot;
    return JSON.stringify(entry.snapshot ?? null) !== before;
  }

  private onExternalChange(id: string): void {
    const entry = this.entries.get(id);
    if (!entry || this.disposed) return;
    void this.track(this.reload(entry));
  }

  private async reload(entry: Entry): Promise<void> {
    await entry.loaded;
    const state = await this.safeRead(entry.id);
    if (this.disposed || entry.removed) return;
    // While our own fetch runs, our write comes last and wins; re-reading now could roll the cache back.
    if (entry.inFlight || !state) return;
    if (this.adopt(entry, state)) this.fireChange(entry);
    this.arm(entry);
  }

  // ---------------------------------------------------------------- schedule

  private interval(id: string): number {
    let v: number;
    try {
      v = this.deps.intervalMs(id);
    } catch {
      v = DEFAULT_INTERVAL_MS;
    }
    return Number.isFinite(v) ? Math.max(MIN_INTERVAL_MS, v) : DEFAULT_INTERVAL_MS;
  }

  private dueAt(entry: Entry): number | undefined {
    const s = entry.schedule;
    if (s.authBlocked) return undefined;
    const now = this.clock.now();
    let due: number;
    if (s.lastAttemptAt === undefined) due = s.nextDueAt ?? now;
    else if (s.failures === 0) due = Math.min(s.nextDueAt ?? Infinity, s.lastAttemptAt + this.interval(entry.id));
    else due = s.nextDueAt ?? s.lastAttemptAt + this.interval(entry.id);
    // A window on another host could not read the credential file ("lives on …"); this one, on its host, can.
    if (!entry.triedHere && s.failures > 0 && entry.snapshot?.error?.kind === 'config' && this.route(entry.id) === 'this-window') due = Math.min(due, now);
    if (s.retryAt !== undefined) due = Math.max(due, s.retryAt);
    return due;
  }

  private arm(entry: Entry): void {
    this.clearTimer(entry);
    if (this.disposed || entry.removed || !this.polls(entry.id) || entry.inFlight) return;
    const due = this.dueAt(entry);
    if (due === undefined) return;
    const now = this.clock.now();
    let delay = due - now;
    if (delay <= 0 && entry.lastRunEndAt !== now) {
      void this.startRun(entry, 'schedule');
      return;
    }
    // Never spin: a run that just ended at this instant waits at least a second before the next one.
    delay = Math.max(delay, delay <= 0 ? MIN_INTERVAL_MS : 0);
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      void this.startRun(entry, 'schedule');
    }, delay);
  }

  private clearTimer(entry: Entry): void {
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  // ---------------------------------------------------------------- runs

  private startRun(entry: Entry, trigger: Trigger): Promise<RefreshResult> {
    if (entry.inFlight) return entry.inFlight;
    this.clearTimer(entry);
    const p: Promise<RefreshResult> = this.run(entry, trigger)
      .catch((e): RefreshResult => {
        this.log.error(`run for ${entry.id} failed unexpectedly: ${errText(e)}`);
        return { accountId: entry.id, outcome: 'cancelled', snapshot: entry.snapshot };
      })
      .finally(() => {
        if (entry.inFlight === p) {
          entry.inFlight = undefined;
          entry.inFlightKind = undefined;
        }
        entry.lastRunEndAt = this.clock.now();
        this.arm(entry);
      });
    entry.inFlight = p;
    entry.inFlightKind = trigger;
    return this.track(p);
  }

  private async run(entry: Entry, trigger: Trigger): Promise<RefreshResult> {
    const cancelled = (): RefreshResult => ({ accountId: entry.id, outcome: this.disposed ? 'disposed' : 'cancelled', snapshot: entry.snapshot });
    await entry.loaded;
    if (this.disposed || entry.removed) return cancelled();
    // The freshest shared state: another window may have polled this account a moment ago.
    const state = await this.safeRead(entry.id);
    if (this.disposed || entry.removed) return cancelled();
    if (state && this.adopt(entry, state)) this.fireChange(entry);

    const now = this.clock.now();
    if (trigger === 'manual') {
      if (this.route(entry.id) === 'other-host') {
        // Its credential file is on another host, whose window polls it: a try from here would only fail.
        this.log.info(`refresh of ${entry.id} left to the window on the host where its sign-in lives`);
        return { accountId: entry.id, outcome: 'elsewhere', snapshot: entry.snapshot };
      }
      const retryAt = entry.schedule.retryAt;
      if (retryAt !== undefined && retryAt > now) {
        this.log.info(`refresh of ${entry.id} skipped: rate limited until ${new Date(retryAt).toISOString()}`);
        return { accountId: entry.id, outcome: 'rate-limited', snapshot: entry.snapshot, rateLimitedUntil: retryAt };
      }
    } else {
      const due = this.dueAt(entry);
      if (!this.polls(entry.id) || due === undefined || due > now) {
        return { accountId: entry.id, outcome: 'not-due', snapshot: entry.snapshot };
      }
    }

    const gotSlot = await this.acquireSlot(entry, trigger === 'manual');
    if (!gotSlot) return cancelled();
    try {
      if (this.disposed || entry.removed) return cancelled();
      return await this.attempt(entry, trigger);
    } finally {
      this.releaseSlot();
    }
  }

  private async attempt(entry: Entry, trigger: Trigger): Promise<RefreshResult> {
    const id = entry.id;
    const start = this.clock.now();
    const interval = this.interval(id);
    entry.triedHere = true;
    // Record the attempt in the shared store before calling, so a leader change or a concurrent window counts it.
    entry.schedule = { ...entry.schedule, lastAttemptAt: start, nextDueAt: entry.schedule.authBlocked ? undefined : start + interval };
    this.setLoading(entry, true);
    await this.persist(entry);
    if (this.disposed || entry.removed) {
      this.setLoading(entry, false);
      return { accountId: id, outcome: this.disposed ? 'disposed' : 'cancelled', snapshot: entry.snapshot };
    }

    const controller = new AbortController();
    entry.abort = controller;
    let timedOut = false;
    const timer = this.clock.setTimeout(() => {
      entry.fetchTimer = undefined;
      timedOut = true;
      controller.abort(new ProviderError('timeout', `No answer within ${Math.round(this.timeoutMs / 1000)} s.`));
    }, this.timeoutMs);
    entry.fetchTimer = timer;

    let result: FetchResult | undefined;
    let error: ProviderError | undefined;
    try {
      result = await raceAbort(() => this.deps.fetch(id, controller.signal), controller.signal);
    } catch (e) {
      if (timedOut) error = new ProviderError('timeout', `No answer within ${Math.round(this.timeoutMs / 1000)} s.`);
      else error = toProviderError(e);
    } finally {
      this.clock.clearTimeout(timer);
      if (entry.fetchTimer === timer) entry.fetchTimer = undefined;
      if (entry.abort === controller) entry.abort = undefined;
    }

    if (this.disposed || entry.removed) {
      // Cancelled by dispose/removal: nothing is stored and (after dispose) nothing fires.
      this.setLoading(entry, false);
      return { accountId: id, outcome: this.disposed ? 'disposed' : 'cancelled', snapshot: entry.snapshot };
    }

    const now = this.clock.now();
    let res: RefreshResult;
    if (result) {
      entry.snapshot = successSnapshot(id, result, now, entry.snapshot, (r) => this.reportRefused(entry, r));
      entry.schedule = { lastAttemptAt: start, nextDueAt: start + interval, failures: 0 };
      this.log.debug(`${trigger} poll of ${id}: ok (${entry.snapshot.meters.length} meters)`);
      res = { accountId: id, outcome: 'fetched', snapshot: entry.snapshot };
    } else {
      const err = error ?? new ProviderError('network', 'Unknown error');
      const d = decideRetry(err, { now, intervalMs: interval, previousFailures: entry.schedule.failures, backoff: this.backoff, random: this.random });
      entry.snapshot = failureSnapshot(id, entry.snapshot, err, now, d.severity);
      const s: ScheduleState = { lastAttemptAt: start, failures: d.failures };
      if (d.nextDueAt !== undefined) s.nextDueAt = d.nextDueAt;
      if (d.retryAt !== undefined) s.retryAt = d.retryAt;
      if (d.authBlocked) s.authBlocked = true;
      entry.schedule = s;
      const next = d.authBlocked ? 'no automatic retry until the credentials change' : `next attempt ${new Date(s.nextDueAt ?? now).toISOString()}`;
      this.log.warn(`${trigger} poll of ${id}: ${err.kind}${err.status !== undefined ? ` (HTTP ${err.status})` : ''}, failure ${d.failures}; ${next}`);
      this.log.debug(`${id}: ${redact(err.message)}`);
      res = { accountId: id, outcome: 'fetched', snapshot: entry.snapshot, error: entry.snapshot.error };
    }
    await this.persist(entry);
    if (!this.disposed && !entry.removed) this.fireChange(entry);
    this.setLoading(entry, false);
    return res;
  }

  /** Logs each skipped or refused meter of an account once (bounded: a server cannot grow the set without limit). */
  private reportRefused(entry: Entry, r: AcceptedMeters): void {
    const seen = (entry.reported ??= new Set());
    const lines = [
      ...r.skipped.map((m) => `${entry.id}: meter "${m.id}" skipped: ${m.reason}`),
      ...r.rejected.map((m) => `${entry.id}: meter "${m.id}" keeps its last good reading: ${m.reason}`),
    ];
    for (const line of lines) {
      if (seen.has(line) || seen.size >= 200) continue;
      seen.add(line);
      this.log.warn(redact(line));
    }
  }

  private acquireSlot(entry: Entry, front: boolean): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false);
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const w: Waiter = { entry, resolve };
      if (front) this.waiters.unshift(w);
      else this.waiters.push(w);
    });
  }

  private releaseSlot(): void {
    const next = this.waiters.shift();
    // Hand the slot straight to the next waiter so `active` never exceeds the bound.
    if (next) next.resolve(true);
    else this.active = Math.max(0, this.active - 1);
  }

  private dropWaiters(entry: Entry): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.entry === entry) {
        this.waiters.splice(i, 1);
        w.resolve(false);
      }
    }
  }

  private prioritise(entry: Entry): void {
    const i = this.waiters.findIndex((w) => w.entry === entry);
    if (i > 0) this.waiters.unshift(...this.waiters.splice(i, 1));
  }

  // ---------------------------------------------------------------- leadership

  /** Called by the leadership on a hand-over, before the role event fires. */
  private onLeaderChange(leader: boolean): void {
    if (leader) {
      // Derive the schedule from the shared state: accounts another window just polled are not due.
      for (const e of this.entries.values()) void this.track(this.reload(e).then(() => this.arm(e)));
    } else {
      // Accounts whose credential lives on this host stay with this window (route `this-window`).
      for (const e of this.entries.values()) this.arm(e);
    }
  }

  /** Whether this window runs the account's timer: its host's window for a credential file there, else the leader. */
  private polls(id: string): boolean {
    const r = this.route(id);
    return r === 'this-window' || (r === 'leader' && this.leadership.isLeader);
  }

  private route(id: string): PollRoute {
    try {
      return this.deps.route?.(id) ?? 'leader';
    } catch (e) {
      this.log.warn(`cannot tell which window polls ${id} (${errText(e)}); the leader does`);
      return 'leader';
    }
  }

  // ---------------------------------------------------------------- helpers

  private async safeRead(id: string): Promise<AccountState | undefined> {
    try {
      return await this.deps.store.read(id);
    } catch (e) {
      this.log.warn(`cannot read the shared state of ${id}: ${errText(e)}`);
      return undefined;
    }
  }

  private async persist(entry: Entry): Promise<void> {
    const state: AccountState = { version: 1, schedule: entry.schedule };
    if (entry.snapshot) state.snapshot = entry.snapshot;
    try {
      await this.deps.store.write(entry.id, state);
    } catch (e) {
      this.log.warn(`cannot write the shared state of ${entry.id}: ${errText(e)}`);
    }
  }

  private fireChange(entry: Entry): void {
    if (this.disposed || entry.removed) return;
    this.changeEmitter.fire(entry.id, entry.snapshot);
  }

  private setLoading(entry: Entry, loading: boolean): void {
    if (entry.loading === loading) return;
    entry.loading = loading;
    if (!this.disposed && !entry.removed) this.loadingEmitter.fire(entry.id, loading);
  }

  /**
   * Registers background work for whenIdle() and guarantees that a rejection is logged, never unhandled (attaching
   * the handler marks `p` handled; callers that await `p` still see the rejection). Callers that do not await it
   * write `void this.track(…)`: its failure is already handled and logged here.
   */
  private track<T>(p: Promise<T>): Promise<T> {
    const guarded: Promise<void> = p
      .then(
        () => undefined,
        (e: unknown) => this.log.error(`background task failed: ${errText(e)}`),
      )
      .finally(() => this.pending.delete(guarded));
    this.pending.add(guarded);
    return p;
  }
}

/** Runs `fn` and rejects as soon as the signal aborts, even if the provider ignores the signal. */
function raceAbort<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let p: Promise<T>;
    try {
      p = fn();
    } catch (e) {
      reject(e);
      return;
    }
    if (signal.aborted) {
      p.catch(() => undefined);
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason ?? new ProviderError('cancelled', 'The request was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
