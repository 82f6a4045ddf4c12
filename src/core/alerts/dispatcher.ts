// Collects fresh snapshots for a moment and hands them to the engine as one batch: polls of many accounts land
// within a second or two of each other (startup, wake from sleep, Refresh All), and one batch is what lets the
// engine fold "3 accounts above 80 %" into a single notification instead of a storm. Notices the engine holds back
// (storm control across batches) are released by a timer when due, also when no poll lands by then.
import type { Clock, TimerHandle } from '../clock';
import type { Disposable } from '../events';
import type { PaceSummary } from '../../shared/pace';
import { nullLogger, scoped, type Logger } from '../log';
import type { Snapshot } from '../../shared/model';
import type { AlertEngine } from './engine';
import type { AlertNotification, AlertObservation } from './types';

export interface AlertDispatcherDeps {
  engine: AlertEngine;
  clock: Clock;
  log?: Logger;
  /** The account's display name; undefined when the account is gone (its snapshot is then ignored). */
  accountName(accountId: string): string | undefined;
  /** Pace per meter id for a fresh snapshot (history store + computePace), when available. */
  paces?(accountId: string, snapshot: Snapshot): Promise<Record<string, PaceSummary> | undefined> | Record<string, PaceSummary> | undefined;
  /** Shows one notification (the host adapter). Must not throw; errors are logged. */
  present(n: AlertNotification): void;
  /** How long to gather snapshots before deciding (default 2 s). */
  debounceMs?: number;
}

export class AlertDispatcher implements Disposable {
  private readonly log: Logger;
  private readonly pending = new Map<string, Snapshot>();
  private timer: TimerHandle | undefined;
  private releaseTimer: TimerHandle | undefined;
  private disposed = false;

  constructor(private readonly deps: AlertDispatcherDeps) {
    this.log = scoped(deps.log ?? nullLogger, 'alerts');
  }

  /** Feed every snapshot change here (scheduler `onDidChange`). */
  onSnapshot(accountId: string, snapshot: Snapshot | undefined): void {
    if (this.disposed) return;
    if (!snapshot) {
      this.pending.delete(accountId);
      return;
    }
    this.pending.set(accountId, snapshot);
    this.schedule();
  }

  /** Looks at the shared state once without a snapshot: notices held before a restart are released when due. */
  resume(): void {
    if (!this.disposed) this.schedule();
  }

  private schedule(): void {
    // Not restarted by later snapshots: a steady trickle must still be decided within debounceMs.
    this.timer ??= this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.deps.debounceMs ?? 2_000);
  }

  private run(): void {
    this.flush().catch((e) => this.log.error(`alert batch failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Decides on everything pending now (also called by the timer; tests call it directly). */
  async flush(): Promise<void> {
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    if (this.disposed || !this.deps.engine.isActive()) return;
    const observations: AlertObservation[] = [];
    for (const [accountId, snapshot] of batch) {
      const accountName = this.deps.accountName(accountId);
      if (accountName === undefined) continue;
      let paces: Record<string, PaceSummary> | undefined;
      try {
        paces = await this.deps.paces?.(accountId, snapshot);
      } catch (e) {
        // Without a pace only the predictive alert is lost; thresholds still work.
        this.log.warn(`pace unavailable for an account: ${e instanceof Error ? e.message : String(e)}`);
      }
      observations.push({ accountId, accountName, snapshot, ...(paces ? { paces } : {}) });
    }
    const notes = await this.deps.engine.process(observations, this.deps.clock.now());
    if (this.disposed) return;
    this.armRelease();
    for (const n of notes) {
      try {
        this.deps.present(n);
      } catch (e) {
        this.log.error(`could not show a notification: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Wakes the engine when its held notices are due. */
  private armRelease(): void {
    if (this.releaseTimer) this.deps.clock.clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    const at = this.deps.engine.nextReleaseAt();
    if (at === undefined) return;
    this.releaseTimer = this.deps.clock.setTimeout(() => {
      this.releaseTimer = undefined;
      this.run();
    }, Math.max(0, at - this.deps.clock.now()));
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    if (this.releaseTimer) this.deps.clock.clearTimeout(this.releaseTimer);
    this.timer = undefined;
    this.releaseTimer = undefined;
    this.pending.clear();
  }
}
