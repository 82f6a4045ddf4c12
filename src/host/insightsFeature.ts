// Usage history, pace and notifications, started after activation from the `insights` chunk.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AccountRepository } from '../core/accountRepository';
import { Emitter } from '../core/events';
import type { PaceSummary } from '../core/forecast/types';
import type { HistoryStore } from '../core/history';
import type { Insights } from '../core/insights';
import { loadInsights } from '../core/lazy';
import type { Logger } from '../core/log';
import type { Meter, Snapshot } from '../core/model';
import type { PollScheduler } from '../core/scheduler/scheduler';
import type { ChartSeries, HistoryRange } from '../shared/protocol';

export interface InsightsFeatureDeps {
  storage: string;
  log: Logger;
  repo: AccountRepository;
  scheduler: PollScheduler;
  retention(): unknown;
  openDashboardCommand: string;
}

/** What the rest of the extension sees of the insights chunk; everything answers "nothing yet" until it has loaded. */
export class InsightsFeature implements vscode.Disposable {
  private history: HistoryStore | undefined;
  private insights: Insights | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new Emitter<string>();
  /** Fires with an account id when its paces changed. */
  readonly onDidChangePace = this.changed.event;
  private disposed = false;

  constructor(private readonly deps: InsightsFeatureDeps) {
    this.disposables.push(this.changed);
  }

  async start(): Promise<void> {
    const m = loadInsights();
    const { deps } = this;
    const history = new m.HistoryStore({
      folder: path.join(deps.storage, 'history'),
      log: deps.log,
      retention: m.retentionFromSetting(deps.retention()),
      // The window that polls writes the history; the others read it.
      isWriter: () => deps.scheduler.isLeader(),
    });
    const insights = new m.Insights(history, (id) => deps.repo.get(id)?.providerId, Date.now, deps.log);
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
        void vscode.window.showWarningMessage(
          'tokstat: part of the usage history was damaged and has been repaired; a copy of the damaged data was kept next to it.',
        );
      }),
    );
    await history.start();
    // Disposed while the history loaded (a window closing at start-up): nothing more may be created, or it would
    // outlive the extension (a snapshot listener, the notifications' outbox watcher).
    if (this.disposed) return;
    this.disposables.push(
      deps.scheduler.onDidChange((id, snap) => {
        this.onSnapshot(id, snap).catch((err: unknown) => deps.log.warn(`[history] ${err instanceof Error ? err.message : String(err)}`));
      }),
    );
    const notifications = new m.NotificationsController({
      log: deps.log,
      storageFolder: path.join(deps.storage, 'alerts'),
      onDidChangeSnapshot: (l) => deps.scheduler.onDidChange(l),
      isLeader: () => deps.scheduler.isLeader(),
      accountName: (id) => deps.repo.get(id)?.name,
      openDashboardCommand: deps.openDashboardCommand,
      paces: async (id, snap) => insights.pacesFor(id) ?? (await insights.update(id, snap)) ?? {},
      // The leader may be a background window: its notifications are shown in the window the user is in.
      handOff: { relay: new m.NotificationRelay({ folder: path.join(deps.storage, 'alerts', 'outbox'), log: deps.log }), ...m.windowFocus() },
    });
    this.disposables.push(notifications);
    // Paces for what is already on screen (snapshots restored from disk).
    for (const a of deps.repo.list()) {
      const snap = deps.scheduler.getSnapshot(a.id);
      if (snap) await insights.update(a.id, snap);
    }
  }

  private async onSnapshot(accountId: string, snap: Snapshot | undefined): Promise<void> {
    if (!this.history || !this.insights) return;
    if (!snap) {
      this.insights.forget(accountId);
      return;
    }
    // Only fresh numbers go into the history: a stale snapshot repeats old values.
    if (snap.status === 'ok' && this.history.isWriter()) await this.history.record(accountId, snap.meters, snap.takenAt);
    await this.insights.update(accountId, snap);
  }

  pacesFor(accountId: string): Record<string, PaceSummary> | undefined {
    return this.insights?.pacesFor(accountId);
  }

  async series(accountId: string, meter: Meter, range: HistoryRange, width: number): Promise<ChartSeries | null> {
    return this.insights ? this.insights.series(accountId, meter, range, width) : null;
  }

  async forgetAccount(accountId: string): Promise<void> {
    this.insights?.forget(accountId);
    await this.history?.deleteAccount(accountId);
  }

  /** Rows for "Export Usage History". */
  async exportRows(accountIds: string[], from: number | undefined): Promise<import('../core/history/types').ExportRow[]> {
    if (!this.history) throw new Error('the usage history is still loading; try again in a moment.');
    return this.history.exportRows({ accountIds, ...(from !== undefined ? { from } : {}) });
  }

  toCsv(rows: Parameters<typeof import('../core/history').toCsv>[0], name: (id: string) => string): string {
    return loadInsights().toCsv(rows, { account: name });
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables.reverse()) d.dispose();
  }
}
