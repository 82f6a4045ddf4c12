import * as vscode from 'vscode';
import { meterLabelText } from '../shared/meterLabels';
import type { Meter } from '../shared/model';
import type { AccountEntry } from '../core/summary';
import type { CommandDeps } from './deps';
import { CommandIds } from './ids';

/** What the status bar's `tokstat.statusBar.pinned` setting holds for a meter: `account name/meter id`. */
export function pinValue(e: Pick<AccountEntry, 'account'>, m: Pick<Meter, 'id'>): string {
  return `${e.account.name.trim()}/${m.id}`;
}

function fromArg(arg: unknown): { entry: AccountEntry; meter: Meter } | undefined {
  if (arg && typeof arg === 'object' && 'entry' in arg && 'meter' in arg) {
    const a = arg as { entry: AccountEntry; meter: Meter };
    if (a.entry?.account && a.meter?.id) return a;
  }
  return undefined;
}

/** "Pin to Status Bar" (a meter row, or a pick from the palette) and "Unpin from Status Bar". */
export function registerPinCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.pinToStatusBar, async (arg?: unknown) => {
      let target = fromArg(arg);
      if (!target) {
        const items = deps.model.entries().flatMap((entry) => (entry.snapshot?.meters ?? []).map((meter) => ({ label: vscode.l10n.t('{0}: {1}', entry.account.name, meterLabelText(meter.label)), description: entry.providerName, entry, meter })));
        if (items.length === 0) {
          void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: there is no meter to pin yet. Add an account first.'));
          return;
        }
        const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('tokstat: Pin to Status Bar'), placeHolder: vscode.l10n.t('The meter the status bar shows') });
        if (!picked) return;
        target = picked;
      }
      await vscode.workspace.getConfiguration('tokstat').update('statusBar.pinned', pinValue(target.entry, target.meter), vscode.ConfigurationTarget.Global);
      deps.log.info(`[status bar] pinned "${target.entry.account.name}" / ${target.meter.id}`);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('tokstat: the status bar now shows {0}: {1}', target.entry.account.name, meterLabelText(target.meter.label)), 4000);
    }),
    vscode.commands.registerCommand(CommandIds.unpinStatusBar, async () => {
      await vscode.workspace.getConfiguration('tokstat').update('statusBar.pinned', undefined, vscode.ConfigurationTarget.Global);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('tokstat: the status bar shows the meter closest to its limit again'), 4000);
    }),
  ];
}
