// Shows the alert engine's decisions as VS Code notifications. Thin: batching, episodes, grouping and the
// leader check live in the core (src/core/alerts); this file only turns a decision into a message with actions.
import * as vscode from 'vscode';
import { systemClock, type Clock } from '../core/clock';
import { AlertDispatcher, type AlertDispatcherDeps } from '../core/alerts/dispatcher';
import { AlertEngine } from '../core/alerts/engine';
import { alertOptionsFromSettings } from '../core/alerts/options';
import { FileAlertStateStore } from '../core/alerts/stateStore';
import type { AlertNotification, AlertOptions, AlertStateStore } from '../core/alerts/types';
import { DisposableStore, type Disposable } from '../core/events';
import { scoped, type Logger } from '../core/log';
import type { Snapshot } from '../core/model';

export const NOTIFICATION_ACTIONS = {
  openDashboard: 'Open Dashboard',
  snooze: 'Snooze for Today',
  settings: 'Settings',
} as const;

export interface NotificationsControllerDeps {
  log: Logger;
  /** Folder shared by every window for `alerts.json`, e.g. `<globalStorage>/state`. */
  storageFolder: string;
  /** Scheduler `onDidChange` (fires in every window, for its own polls and for the leader's). */
  onDidChangeSnapshot(listener: (accountId: string, snapshot: Snapshot | undefined) => void): Disposable;
  /** Scheduler `isLeader`: only the leader window notifies. */
  isLeader(): boolean;
  /** The account's display name, undefined when it was removed. */
  accountName(accountId: string): string | undefined;
  /** Command that opens the dashboard (`tokstat.openDashboard`). */
  openDashboardCommand: string;
  /** Pace per meter for a fresh snapshot; without it there are no predictive alerts. */
  paces?: AlertDispatcherDeps['paces'];
  /** Default: `tokstat.alerts.*` read on every batch, so a settings change applies at once. */
  options?: () => AlertOptions;
  clock?: Clock;
  /** Default: `alerts.json` in `storageFolder`. */
  store?: AlertStateStore;
  debounceMs?: number;
}

export class NotificationsController implements vscode.Disposable {
  readonly engine: AlertEngine;
  private readonly dispatcher: AlertDispatcher;
  private readonly disposables = new DisposableStore();
  private readonly log: Logger;
  private readonly clock: Clock;
  private disposed = false;

  constructor(private readonly deps: NotificationsControllerDeps) {
    this.log = scoped(deps.log, 'notifications');
    this.clock = deps.clock ?? systemClock;
    this.engine = new AlertEngine({
      store: deps.store ?? new FileAlertStateStore({ folder: deps.storageFolder, log: deps.log }),
      options: deps.options ?? NotificationsController.optionsFromConfiguration,
      isLeader: deps.isLeader,
      log: deps.log,
    });
    this.dispatcher = this.disposables.add(
      new AlertDispatcher({
        engine: this.engine,
        clock: this.clock,
        log: deps.log,
        accountName: deps.accountName,
        ...(deps.paces ? { paces: deps.paces } : {}),
        present: (n) => this.present(n),
        ...(deps.debounceMs !== undefined ? { debounceMs: deps.debounceMs } : {}),
      }),
    );
    this.disposables.add(deps.onDidChangeSnapshot((id, snap) => this.dispatcher.onSnapshot(id, snap)));
  }

  static optionsFromConfiguration(): AlertOptions {
    const c = vscode.workspace.getConfiguration('tokstat.alerts');
    return alertOptionsFromSettings((k) => c.get<unknown>(k));
  }

  /** Decides on pending snapshots now (tests; also handy before a window closes). */
  flush(): Promise<void> {
    return this.dispatcher.flush();
  }

  /** Call when the user removes an account, so its episodes do not linger. */
  forgetAccount(accountId: string): Promise<void> {
    return this.engine.forgetAccount(accountId);
  }

  private present(n: AlertNotification): void {
    if (this.disposed) return;
    const a = NOTIFICATION_ACTIONS;
    const shown =
      n.severity === 'warning'
        ? vscode.window.showWarningMessage(n.message, a.openDashboard, a.snooze, a.settings)
        : vscode.window.showInformationMessage(n.message, a.openDashboard, a.snooze, a.settings);
    // Not awaited: the promise settles only when the user acts or the toast goes away, which may be never.
    Promise.resolve(shown)
      .then((choice) => this.onAction(choice, n))
      .catch((e) => this.log.error(`notification action failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async onAction(choice: string | undefined, n: AlertNotification): Promise<void> {
    if (!choice || this.disposed) return;
    if (choice === NOTIFICATION_ACTIONS.openDashboard) {
      await vscode.commands.executeCommand(this.deps.openDashboardCommand);
    } else if (choice === NOTIFICATION_ACTIONS.snooze) {
      await this.engine.snooze(n.targets, this.clock.now());
    } else if (choice === NOTIFICATION_ACTIONS.settings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'tokstat.alerts');
    }
  }

  dispose(): void {
    this.disposed = true;
    this.disposables.dispose();
  }
}
