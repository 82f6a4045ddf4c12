import * as os from 'node:os';
import * as vscode from 'vscode';
import type { CommandDeps } from './deps';
import { errorText } from './deps';

const RANGES = [
  { label: 'Last 7 days', days: 7 },
  { label: 'Last 30 days', days: 30 },
  { label: 'Last 90 days', days: 90 },
  { label: 'Last year', days: 365 },
  { label: 'Everything', days: undefined },
] as const;

/**
 * "tokstat: Export Usage History": chosen accounts and range, to CSV or JSON, with each value's source and capture
 * time. Rows carry meter values only; accounts are named, never their credentials.
 */
export function registerExportHistory(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand('tokstat.exportHistory', async () => {
    const accounts = deps.repo.list();
    if (accounts.length === 0) {
      void vscode.window.showInformationMessage('tokstat: there is no history to export yet — add an account first.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      accounts.map((a) => ({ label: a.name, description: deps.model.entry(a.id)?.providerName, picked: true, account: a })),
      { title: 'tokstat: Export Usage History (1/3)', placeHolder: 'Accounts to export', canPickMany: true, ignoreFocusOut: true },
    );
    if (!picked || picked.length === 0) return;
    const range = await vscode.window.showQuickPick(
      RANGES.map((r) => ({ label: r.label, days: r.days })),
      { title: 'tokstat: Export Usage History (2/3)', placeHolder: 'Time range', ignoreFocusOut: true },
    );
    if (!range) return;
    const format = await vscode.window.showQuickPick(
      [
        { label: 'CSV', description: 'one row per sample, for spreadsheets', ext: 'csv' as const },
        { label: 'JSON', description: 'accounts and samples', ext: 'json' as const },
      ],
      { title: 'tokstat: Export Usage History (3/3)', placeHolder: 'Format', ignoreFocusOut: true },
    );
    if (!format) return;
    const now = Date.now();
    const from = range.days === undefined ? undefined : now - range.days * 86_400_000;
    const ids = picked.map((p) => p.account.id);
    const names = new Map(picked.map((p) => [p.account.id, p.account.name]));
    try {
      const rows = await deps.insights.exportRows(ids, from);
      const content =
        format.ext === 'csv'
          ? deps.insights.toCsv(rows, (id) => names.get(id) ?? id)
          : JSON.stringify(
              {
                exportedAt: new Date(now).toISOString(),
                from: from !== undefined ? new Date(from).toISOString() : null,
                accounts: picked.map((p) => ({ id: p.account.id, name: p.account.name, providerId: p.account.providerId })),
                rows: rows.map((r) => ({ ...r, account: names.get(r.accountId), time: new Date(r.t).toISOString(), capturedAtIso: new Date(r.capturedAt).toISOString() })),
              },
              null,
              2,
            );
      const day = new Date(now).toISOString().slice(0, 10);
      const defaultUri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()), `tokstat-history-${day}.${format.ext}`);
      const target = await vscode.window.showSaveDialog({ defaultUri, filters: format.ext === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] }, title: 'tokstat: Export Usage History' });
      if (!target) return;
      await vscode.workspace.fs.writeFile(target, Buffer.from(content, 'utf8'));
      deps.log.info(`[export] ${rows.length} history rows of ${ids.length} account(s) written`);
      const open = 'Open';
      const choice = await vscode.window.showInformationMessage(`tokstat: exported ${rows.length} samples to ${target.fsPath}.`, open);
      if (choice === open) await vscode.window.showTextDocument(target);
    } catch (err) {
      void vscode.window.showErrorMessage(`tokstat: export failed: ${errorText(err)}`);
    }
  });
}
