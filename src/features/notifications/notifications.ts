// Shows the alert engine's decisions as VS Code notifications. Thin: batching, episodes, grouping and the
// leader check live in the core (src/core/alerts); this file only turns a decision into a message with actions.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock';
import { AlertDispatcher, type AlertDispatcherDeps } from '../../core/alerts/dispatcher';
import { AlertEngine } from '../../core/alerts/engine';
import { alertOptionsFromSettings } from '../../core/alerts/options';
import type { NotificationRelay } from '../../core/alerts/relay';
import { FileAlertStateStore } from '../../core/alerts/stateStore';
import type { AlertNotification, AlertOptions, AlertStateStore } from '../../core/alerts/types';
import { DisposableStore, type Disposable } from '../../core/events';
import { scoped, type Logger } from '../../core/log';
import type { Snapshot } from '../../shared/model';
import { mkdirPrivateSync } from '../../core/privateFs';

/** The notifications' buttons, in the user's language (getters: read when shown). */
export const NOTIFICATION_ACTIONS = {
  get openDashboard(): string {
    return vscode.l10n.t('Open Dashboard');
  },
  get snooze(): string {
    return vscode.l10n.t('Snooze for Today');
  },
  get settings(): string {
    return vscode.l10n.t('Settings');
  },
};

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
  /**
   * Shows the leader's notifications in the window the user is in: a leader window without focus leaves them in
   * the relay's outbox, and the focused window (any window, this one included) claims and shows them. Without it
   * the leader shows every notification itself.
   */
  handOff?: HandOff;
}

export interface HandOff {
  relay: NotificationRelay;
  /** Whether this window has focus now, and its changes (`vscode.window.state` / `onDidChangeWindowState`). */
  isFocused(): boolean;
  onDidChangeFocus(listener: (focused: boolean) => void): Disposable;
  /**
   * Unclaimed after this long (no window focused, or focus not reported, as in some browser setups), the leader
   * claims the notification back and shows it itself (default 10 s).
   */
  fallbackMs?: number;
  /**
   * Calls `onChange` when something lands in the outbox folder (default: `fs.watch` on it). Tests drive it
   * themselves, so they await hand-offs instead of racing a file watcher.
   */
  watch?(folder: string, onChange: () => void): Disposable;
}

/** The window's focus as VS Code reports it. */
export function windowFocus(): Pick<HandOff, 'isFocused' | 'onDidChangeFocus'> {
  return {
    isFocused: () => vscode.window.state.focused,
    onDidChangeFocus: (listener) => vscode.window.onDidChangeWindowState((s) => listener(s.focused)),
  };
}

export class NotificationsController implements vscode.Disposable {
  readonly engine: AlertEngine;
  private readonly dispatcher: AlertDispatcher;
  private readonly disposables = new DisposableStore();
  private readonly log: Logger;
  private readonly clock: Clock;
  private disposed = false;
  private fallback: TimerHandle | undefined;
  private claiming: Promise<void> | undefined;
  /** Hand-offs being written to the outbox. */
  private readonly posting = new Set<Promise<void>>();
  private claimAgain = false;
  /** Settings warnings already logged: options are read on every batch, a bad value is reported once. */
  private readonly settingsWarnings = new Set<string>();

  constructor(private readonly deps: NotificationsControllerDeps) {
    this.log = scoped(deps.log, 'notifications');
    this.clock = deps.clock ?? systemClock;
    this.engine = new AlertEngine({
      store: deps.store ?? new FileAlertStateStore({ folder: deps.storageFolder, log: deps.log }),
      options: deps.options ?? (() => NotificationsController.optionsFromConfiguration((m) => this.warnSettings(m))),
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
    // Notices the previous leader (or this window before a restart) held back are released even if no poll comes soon.
    this.dispatcher.resume();
    const handOff = deps.handOff;
    if (handOff) {
      this.disposables.add(handOff.onDidChangeFocus((focused) => focused && this.claimAndShow()));
      this.watchOutbox(handOff);
      // What a background leader left while this window was closed or starting.
      if (handOff.isFocused()) this.claimAndShow();
    }
  }

  /** Another window's hand-off lands while this one has focus: claimed at once (fs.watch on the outbox folder). */
  private watchOutbox(handOff: HandOff): void {
    try {
      mkdirPrivateSync(handOff.relay.folder);
      const onChange = () => {
        if (handOff.isFocused()) this.claimAndShow();
      };
      if (handOff.watch) {
        this.disposables.add(handOff.watch(handOff.relay.folder, onChange));
        return;
      }
      const watcher = fs.watch(handOff.relay.folder, { persistent: false }, onChange);
      watcher.on('error', (e) => this.log.warn(`outbox watch stopped: ${e.message}`));
      this.disposables.add({ dispose: () => watcher.close() });
    } catch (e) {
      // Without the watcher, a hand-off is still claimed when focus changes, or by the leader after the fallback.
      this.log.warn(`cannot watch the outbox: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Claims what waits in the outbox and shows it here; one claim at a time, repeated if asked again meanwhile. */
  private claimAndShow(): void {
    const relay = this.deps.handOff?.relay;
    if (!relay || this.disposed) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = (async () => {
      do {
        this.claimAgain = false;
        const notes = await relay.claim(this.clock.now());
        for (const n of notes) if (!this.disposed) this.show(n);
      } while (this.claimAgain && !this.disposed);
    })()
      .catch((e) => this.log.error(`could not claim notifications: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        this.claiming = undefined;
      });
  }

  static optionsFromConfiguration(warn?: (message: string) => void): AlertOptions {
    const c = vscode.workspace.getConfiguration('tokstat.alerts');
    return alertOptionsFromSettings((k) => c.get<unknown>(k), warn);
  }

  private warnSettings(message: string): void {
    if (this.settingsWarnings.has(message)) return;
    if (this.settingsWarnings.size >= 20) this.settingsWarnings.clear();
    this.settingsWarnings.add(message);
    this.log.warn(message);
  }

  /** Resolves once no hand-off is being written and no claim runs (tests await this instead of sleeping). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = [...this.posting, ...(this.claiming ? [this.claiming] : [])];
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  /** Decides on pending snapshots now (tests; also handy before a window closes). */
  flush(): Promise<void> {
    return this.dispatcher.flush();
  }

  /** Call when the user removes an account, so its episodes do not linger. */
  forgetAccount(accountId: string): Promise<void> {
    return this.engine.forgetAccount(accountId);
  }

  /** The leader's decision: shown here when this window has focus, else handed to the window that has it. */
  private present(n: AlertNotification): void {
    if (this.disposed) return;
    const handOff = this.deps.handOff;
    if (!handOff || handOff.isFocused()) {
      this.show(n);
      return;
    }
    const posted = handOff.relay.post(n, this.clock.now()).then(
      () => {
        this.log.info(`${n.kind} notification handed to the focused window`);
        if (this.disposed) return;
        if (this.fallback) this.clock.clearTimeout(this.fallback);
        this.fallback = this.clock.setTimeout(() => {
          this.fallback = undefined;
          this.claimAndShow();
        }, handOff.fallbackMs ?? 10_000);
      },
      (e: unknown) => {
        this.log.warn(`could not hand a notification over, showing it here: ${e instanceof Error ? e.message : String(e)}`);
        this.show(n);
      },
    );
    this.posting.add(posted);
    void posted.finally(() => this.posting.delete(posted));
  }

  private show(n: AlertNotification): void {
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
    if (this.fallback) this.clock.clearTimeout(this.fallback);
    this.fallback = undefined;
    this.disposables.dispose();
  }
}
