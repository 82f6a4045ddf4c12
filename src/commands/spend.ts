import * as os from 'node:os';
import * as vscode from 'vscode';
import { writeFilePrivate } from '../core/privateFs';
import type { SpendRange } from '../shared/protocol';
import type { CommandDeps } from './deps';
import { errorText } from './deps';
import { CommandIds } from './ids';


/** Saves the Spend view of a range as CSV (asked from the dashboard's Export CSV, or the palette with a range pick). */
export async function exportSpendCsv(deps: CommandDeps, range?: SpendRange): Promise<void> {
  const spend = deps.spend;
  if (!spend) return;
  if (!range) {
    const ranges: Array<{ range: SpendRange; label: string }> = [
      { range: '7d', label: vscode.l10n.t('Last 7 days, per day') },
      { range: '30d', label: vscode.l10n.t('Last 30 days, per day') },
      { range: '12m', label: vscode.l10n.t('Last 12 months, per month') },
    ];
    const picked = await vscode.window.showQuickPick(ranges, { title: vscode.l10n.t('tokstat: Export Spend as CSV'), placeHolder: vscode.l10n.t('Which range?') });
    if (!picked) return;
    range = picked.range;
  }
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri ?? vscode.Uri.file(os.homedir());
  const day = new Date().toISOString().slice(0, 10);
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(folder, `tokstat-spend-${range}-${day}.csv`),
    filters: { CSV: ['csv'] },
    title: vscode.l10n.t('tokstat: Export Spend as CSV'),
  });
  if (!target) return;
  try {
    const csv = await spend.csv(range);
    if (target.scheme === 'file') await writeFilePrivate(target.fsPath, csv);
    else await vscode.workspace.fs.writeFile(target, Buffer.from(csv, 'utf8'));
    deps.log.info(`[spend] exported ${range} as CSV`);
    void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: spend exported to {0}.', target.fsPath || target.toString()));
  } catch (err) {
    deps.log.error(`[spend] export failed: ${errorText(err)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: could not export the spend: {0}', errorText(err)));
  }
}

export function registerSpendCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.showSpend, () => deps.openSpend?.()),
    vscode.commands.registerCommand(CommandIds.exportSpend, (range?: unknown) => exportSpendCsv(deps, range === '7d' || range === '30d' || range === '12m' ? range : undefined)),
  ];
}
