import * as vscode from 'vscode';
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
          return { label: `${e.account.name}: ${m.label}`, description: d === v ? v : `${v} · ${d}`, text: `${e.account.name} ${m.label}: ${v}${d === v ? '' : ` (${d})`}` };
        }),
      );
      if (items.length === 0) {
        void vscode.window.showInformationMessage('tokstat: there is no value to copy yet.');
        return;
      }
      const picked = await vscode.window.showQuickPick(items, { title: 'tokstat: Copy Value', placeHolder: 'Choose a meter' });
      text = picked?.text;
    }
    if (!text) return;
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`tokstat: copied "${text}"`, 3000);
  });
}
