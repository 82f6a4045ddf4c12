import * as vscode from 'vscode';
import type { Meter } from '../shared/model';
import type { AccountEntry } from '../core/summary';
import { addPin, isPinned, movePin, pinKey, removePin } from '../core/pins';
import { SerialQueue } from '../core/serial';
import type { CommandDeps } from './deps';
import { CommandIds } from './ids';

/** What the status bar's pin settings hold for a meter: `account name/meter id`. */
export function pinValue(e: Pick<AccountEntry, 'account'>, m: Pick<Meter, 'id'>): string {
  return pinKey(e.account.name, m.id);
}

/**
 * The meter a command is about: a tree row (`{ entry, meter }`), the dashboard's `{ accountId, meterId }`, or a pin
 * key (a tooltip's Unpin link).
 */
function targetKey(deps: CommandDeps, arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg.trim()) return arg.trim();
  if (!arg || typeof arg !== 'object') return undefined;
  if ('entry' in arg && 'meter' in arg) {
    const a = arg as { entry?: AccountEntry; meter?: Meter };
    if (a.entry?.account && a.meter?.id) return pinValue(a.entry, a.meter);
  }
  if ('accountId' in arg && 'meterId' in arg) {
    const a = arg as { accountId: unknown; meterId: unknown };
    const e = typeof a.accountId === 'string' ? deps.model.entry(a.accountId) : undefined;
    if (e && typeof a.meterId === 'string') return pinKey(e.account.name, a.meterId);
  }
  return undefined;
}

/** A quick pick over every meter (or only the pinned ones), for the palette. */
async function pickMeter(deps: CommandDeps, title: string, only?: readonly string[]): Promise<string | undefined> {
  const items = deps.model
    .entries()
    .flatMap((entry) => (entry.snapshot?.meters ?? []).map((meter) => ({ label: `${entry.account.name}: ${meter.label}`, description: entry.providerName, key: pinValue(entry, meter) })))
    .filter((i) => !only || isPinned(only, i.key));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(
      only ? vscode.l10n.t('tokstat: no meter is pinned to the status bar.') : vscode.l10n.t('tokstat: there is no meter to pin yet. Add an account first.'),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Choose a meter') });
  return picked?.key;
}

/**
 * "Pin to Status Bar" (each pinned meter gets its own item, added at the right end), "Unpin from Status Bar", and
 * "Move Left" / "Move Right" among the pinned items. The order lives in `tokstat.statusBar.pins`.
 */
export function registerPinCommands(deps: CommandDeps): vscode.Disposable[] {
  // Each change reads the setting and writes it back, one change at a time: a second Pin chosen while the first one's
  // write is still under way (a slow settings write on a remote) would otherwise start from the list without the
  // first and drop it.
  const changes = new SerialQueue();
  const changePins = (change: (pins: string[]) => string[]): Promise<void> =>
    changes.run(async () => {
      const pins = deps.config.statusBarPins();
      const next = change(pins);
      if (next.length === pins.length && next.every((p, i) => p === pins[i])) return; // nothing to write
      await vscode.workspace.getConfiguration('tokstat').update('statusBar.pins', next.length ? next : undefined, vscode.ConfigurationTarget.Global);
    });
  const movePinned = async (arg: unknown, by: -1 | 1): Promise<void> => {
    const title = by < 0 ? vscode.l10n.t('tokstat: Move Left in Status Bar') : vscode.l10n.t('tokstat: Move Right in Status Bar');
    const key = targetKey(deps, arg) ?? (await pickMeter(deps, title, deps.config.statusBarPins()));
    if (key) await changePins((pins) => movePin(pins, key, by));
  };
  return [
    vscode.commands.registerCommand(CommandIds.pinToStatusBar, async (arg?: unknown) => {
      const key = targetKey(deps, arg) ?? (await pickMeter(deps, vscode.l10n.t('tokstat: Pin to Status Bar')));
      if (!key) return;
      await changePins((pins) => addPin(pins, key));
      deps.log.info(`[status bar] pinned ${key}`);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('tokstat: {0} is pinned to the status bar', key), 4000);
    }),
    vscode.commands.registerCommand(CommandIds.unpinStatusBar, async (arg?: unknown) => {
      const pins = deps.config.statusBarPins();
      const legacy = deps.config.statusBarPinned();
      let key = targetKey(deps, arg);
      if (!key && pins.length > 0) key = pins.length === 1 ? pins[0] : await pickMeter(deps, vscode.l10n.t('tokstat: Unpin from Status Bar'), pins);
      let left = 0;
      if (key) {
        const unpinned = key;
        await changePins((now) => {
          const rest = removePin(now, unpinned);
          left = rest.length;
          return rest;
        });
      }
      // The single pin of earlier versions (`tokstat.statusBar.pinned`) goes with an Unpin that names nothing else.
      if (legacy && (!key || pins.length === 0)) await vscode.workspace.getConfiguration('tokstat').update('statusBar.pinned', undefined, vscode.ConfigurationTarget.Global);
      if (!key && !legacy) return;
      deps.log.info(`[status bar] unpinned ${key ?? legacy}`);
      void vscode.window.setStatusBarMessage(
        left > 0 ? vscode.l10n.t('tokstat: unpinned') : vscode.l10n.t('tokstat: the status bar shows the meter closest to its limit again'),
        4000,
      );
    }),
    vscode.commands.registerCommand(CommandIds.movePinLeft, (arg?: unknown) => movePinned(arg, -1)),
    vscode.commands.registerCommand(CommandIds.movePinRight, (arg?: unknown) => movePinned(arg, 1)),
  ];
}
