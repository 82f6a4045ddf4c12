// Usage history, pace and notifications, started after activation from the `insights` chunk.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AccountRepository, KeyValueStore } from '../../core/accountRepository';
import { Emitter } from '../../core/events';
import type { PaceSummary } from '../../shared/pace';
import type { HistoryStore } from '../../core/history';
import type { Insights } from './core/insights';
import { loadInsights } from '../chunks';
import type { Logger } from '../../core/log';
import type { Meter, Snapshot } from '../../shared/model';
import type { PollScheduler } from '../../core/scheduler/scheduler';
import type { NotificationsController } from '../notifications/notifications';
import type { ChartSeries, HistoryRange } from '../../shared/protocol';

export interface InsightsFeatureDeps {
  storage: string;
  log: Logger;
  repo: AccountRepository;
  scheduler: PollScheduler;
  retention(): unknown;
  openDashboardCommand: string;
  /** Command that shows tokstat's log (offered with the history's warnings). */
  showLogCommand: string;
  /** globalState: the alert state is mirrored there, so every host of the user (and a rebuilt Codespace) shares it. */
  sharedState?: KeyValueStore;
}

/** Consecutive failed history writes before the user is told (one failure may be a passing hiccup). */
const WRITE_FAILURES_TO_WARN = 3;

/** What the rest of the extension sees of the insights chunk; everything answers "nothing yet" until it has loaded. */
export class InsightsFeature implements vscode.Disposable {
  private history: HistoryStore | undefined;
  private insights: Insights | undefined;
  private notifications: NotificationsController | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new Emitter<string>();
  /** Fires with an account id when its paces changed. */
  readonly onDidChangePace = this.changed.event;
  private disposed = false;
  /** Accounts removed before the history was ready: their history is deleted once it is. */
  private readonly pendingForget = new Set<string>();
  /** Snapshots being recorded (history, paces), for whenIdle. */
  private readonly inFlight = new Set<Promise<void>>();
  private writeFailures = 0;
  private writeWarned = false;

  constructor(private readonly deps: InsightsFeatureDeps) {
    this.disposables.push(this.changed);
  }

  async start(): Promise<void> {
    const m = loadInsights();
    const { deps } = this;
    const retention = m.retentionFromSetting(deps.retention());
    const history = new m.HistoryStore({
      folder: path.join(deps.storage, 'history'),
      log: deps.log,
      retention,
      // The window that polls writes the history; the others read it.
      isWriter: () => deps.scheduler.isLeader(),
      knownAccounts: () => deps.repo.list().map((a) => a.id),
    });
    // The charts tell gaps in polling from the store's tiers (see Insights.series).
    const insights = new m.Insights(history, (id) => deps.repo.get(id)?.providerId, Date.now, deps.log, { retention });
    if (this.disposed) {
      history.dispose();
      insights.dispose();
      return;
    }
    this.history = history;
    this.insights = insights;
    this.disposables.push(history, insights, insights.onDidChange((id) => this.changed.fire(id)));
    this.disposables.push(
      history.onDidDetectCorruption(() => {
        this.warn('tokstat: part of the usage history was damaged and has been repaired; a copy of the damaged data was kept next to it (the log says where).');
      }),
    );
    await history.start();
    // Disposed while the history loaded (a window closing at start-up): nothing more may be created, or it would
    // outlive the extension (a snapshot listener, the notifications' outbox watcher).
    if (this.disposed) return;
    this.disposables.push(
      deps.scheduler.onDidChange((id, snap) => {
        const work = this.onSnapshot(id, snap).catch((err: unknown) => deps.log.warn(`[history] ${err instanceof Error ? err.message : String(err)}`));
        this.inFlight.add(work);
        void work.finally(() => this.inFlight.delete(work));
      }),
    );
    const notifications = new m.NotificationsController({
      log: deps.log,
      storageFolder: path.join(deps.storage, 'alerts'),
      ...(deps.sharedState
        ? { store: new m.MirroredAlertStateStore(new m.FileAlertStateStore({ folder: path.join(deps.storage, 'alerts'), log: deps.log }), deps.sharedState, deps.log) }
        : {}),
      onDidChangeSnapshot: (l) => deps.scheduler.onDidChange(l),
      isLeader: () => deps.scheduler.isLeader(),
      accountName: (id) => deps.repo.get(id)?.name,
      openDashboardCommand: deps.openDashboardCommand,
      paces: async (id, snap) => insights.pacesFor(id) ?? (await insights.update(id, snap)) ?? {},
      // The leader may be a background window: its notifications are shown in the window the user is in.
      handOff: { relay: new m.NotificationRelay({ folder: path.join(deps.storage, 'alerts', 'outbox'), log: deps.log }), ...m.windowFocus() },
    });
    this.notifications = notifications;
    this.disposables.push(notifications);
    // Accounts removed while this was starting: their history and alert state go now.
    for (const id of this.pendingForget) await this.forgetAccount(id);
    this.pendingForget.clear();
    // Paces for what is already on screen (snapshots restored from disk).
    for (const a of deps.repo.list()) {
      const snap = deps.scheduler.getSnapshot(a.id);
      if (snap) await insights.update(a.id, snap);
    }
  }

  /** Resolves once every snapshot received so far is recorded and its alerts evaluated (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    await this.notifications?.whenIdle();
  }

  private async onSnapshot(accountId: string, snap: Snapshot | undefined): Promise<void> {
    if (!this.history || !this.insights) return;
    if (!snap) {
      this.insights.forget(accountId);
      return;
    }
    // Only fresh numbers go into the history: a stale snapshot repeats old values.
    if (snap.status === 'ok' && this.history.isWriter()) {
      try {
        await this.history.record(accountId, snap.meters, snap.takenAt);
        this.writeFailures = 0;
      } catch (err) {
        this.writeFailed(err);
      }
    }
    await this.insights.update(accountId, snap);
  }

  /** Logs every failed write; after a few in a row (disk full, no permission), tells the user once per session. */
  private writeFailed(err: unknown): void {
    const code = err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;
    this.deps.log.warn(`[history] could not save a sample: ${err instanceof Error ? err.message : String(err)}`);
    if (++this.writeFailures < WRITE_FAILURES_TO_WARN || this.writeWarned) return;
    this.writeWarned = true;
    this.warn(
      code === 'ENOSPC'
        ? vscode.l10n.t('tokstat cannot save usage history because the disk is full. Quotas are still shown; charts and forecasts miss the time until it can.')
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? vscode.l10n.t('tokstat cannot save usage history because its folder cannot be written. Quotas are still shown; charts and forecasts miss the time until it can.')
          : vscode.l10n.t('tokstat cannot save usage history. Quotas are still shown; charts and forecasts miss the time until it can.'),
    );
  }

  private warn(message: string): void {
    vscode.window.showWarningMessage(message, vscode.l10n.t('Show Log')).then(
      (choice) => (choice ? vscode.commands.executeCommand(this.deps.showLogCommand) : undefined),
      (err: unknown) => this.deps.log.warn(`[history] ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  /** The `tokstat.history.retention` setting changed: applied at once, not at the next start. */
  retentionChanged(): void {
    this.history?.setRetention(loadInsights().retentionFromSetting(this.deps.retention()));
  }

  pacesFor(accountId: string): Record<string, PaceSummary> | undefined {
    return this.insights?.pacesFor(accountId);
  }

  async series(accountId: string, meter: Meter, range: HistoryRange, width: number): Promise<ChartSeries | null> {
    return this.insights ? this.insights.series(accountId, meter, range, width) : null;
  }

  /** A meter's stored readings in [from, to] (the store's tiers; at most `maxPoints`), for the Spend view; [] until ready. */
  async points(accountId: string, meterId: string, from: number, to: number, maxPoints: number): Promise<import('../../core/history/types').HistoryPoint[]> {
    return this.history ? this.history.query(accountId, meterId, from, to, maxPoints) : [];
  }

  async forgetAccount(accountId: string): Promise<void> {
    if (!this.history) {
      // Removed while the history is still starting: deleted as soon as it can be, not left on disk for good.
      this.pendingForget.add(accountId);
      return;
    }
    this.insights?.forget(accountId);
    await this.history.deleteAccount(accountId);
    await this.notifications?.forgetAccount(accountId);
  }

  /** One account's rows for "Export Usage History", in chunks (HistoryStore.exportChunks). */
  exportChunks(accountId: string, from: number | undefined, to: number): AsyncIterable<import('../../core/history/types').ExportRow[]> {
    if (!this.history) throw new Error('the usage history is still loading; try again in a moment.');
    return this.history.exportChunks(accountId, { ...(from !== undefined ? { from } : {}), to });
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables.reverse()) d.dispose();
  }
}
