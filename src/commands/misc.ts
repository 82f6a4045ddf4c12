import * as vscode from 'vscode';
import { meterLabelText } from '../shared/meterLabels';
import { formatMeterValue, formatUsedOfLimit } from '../shared/format';
import type { CommandDeps } from './deps';
import { CommandIds } from './ids';

export function registerOpenDashboard(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.openDashboard, () => deps.openDashboard());
}

export function registerShowLog(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.showLog, () => deps.channel.show(true));
}

/** Copies a meter's value: from a tree row's context menu, or chosen from a list in the palette. */
export function registerCopyValue(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.copyValue, async (arg?: unknown) => {
    let text: string | undefined;
    if (arg && typeof arg === 'object' && 'copyText' in arg && typeof (arg as { copyText: unknown }).copyText === 'function') {
      text = (arg as { copyText(): string }).copyText();
    } else {
      const items = deps.model.entries().flatMap((e) =>
        (e.snapshot?.meters ?? []).map((m) => {
          const v = formatMeterValue(m);
          const d = formatUsedOfLimit(m);
          const label = meterLabelText(m.label);
          return {
            label: vscode.l10n.t('{0}: {1}', e.account.name, label),
            description: d === v ? v : `${v} · ${d}`,
            text: d === v ? vscode.l10n.t('{0} {1}: {2}', e.account.name, label, v) : vscode.l10n.t('{0} {1}: {2} ({3})', e.account.name, label, v, d),
          };
        }),
      );
      if (items.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: there is no value to copy yet.'));
        return;
      }
      const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('tokstat: Copy Value'), placeHolder: vscode.l10n.t('Choose a meter') });
      text = picked?.text;
    }
    if (!text) return;
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t('tokstat: copied "{0}"', text), 3000);
  });
}
