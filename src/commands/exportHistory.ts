import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatCount } from '../shared/numberFormat';
import type { ExportAccount, ExportFormat } from '../core/history/export';
import { loadInsights } from '../features/chunks';
import type { CommandDeps } from './deps';
import { errorText } from './deps';
import { CommandIds } from './ids';

const ranges = () =>
  [
    { label: vscode.l10n.t('Last 7 days'), days: 7 },
    { label: vscode.l10n.t('Last 30 days'), days: 30 },
    { label: vscode.l10n.t('Last 90 days'), days: 90 },
    { label: vscode.l10n.t('Last year'), days: 365 },
    { label: vscode.l10n.t('Everything'), days: undefined },
  ] as const;

const formats = (): ReadonlyArray<vscode.QuickPickItem & { ext: ExportFormat }> => [
  {
    label: 'CSV',
    description: vscode.l10n.t('one line per sample, for spreadsheets'),
    detail: 'Columns: account, accountId, provider, meter, meterLabel, unit, time, used, limit, remaining, percentUsed, resetsAt, resolution, source, capturedAt',
    ext: 'csv',
  },
  {
    label: 'JSON',
    description: vscode.l10n.t('one document, for scripts'),
    detail: '{ format, version, exportedAt, from, to, accounts: [...], rows: [...] } — rows have the CSV columns (unknown = null); jq ".rows[]"',
    ext: 'json',
  },
];

/**
 * "tokstat: Export Usage History": chosen accounts and range, to CSV or JSON, each sample with its account, provider,
 * meter label and unit, source and capture time; never a credential. The target is asked for first, then the file
 * is written account by account under a cancellable progress notification (see core/history/export.ts).
 */
export function registerExportHistory(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.exportHistory, () => exportHistory(deps));
}

async function exportHistory(deps: CommandDeps): Promise<void> {
  const accounts = deps.repo.list();
  if (accounts.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: there is no history to export yet — add an account first.'));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    accounts.map((a) => ({ label: a.name, description: deps.model.entry(a.id)?.providerName, picked: true, account: a })),
    { title: vscode.l10n.t('tokstat: Export Usage History ({0}/3)', 1), placeHolder: vscode.l10n.t('Accounts to export'), canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked || picked.length === 0) return;
  const range = await vscode.window.showQuickPick(
    ranges().map((r) => ({ label: r.label, days: r.days })),
    { title: vscode.l10n.t('tokstat: Export Usage History ({0}/3)', 2), placeHolder: vscode.l10n.t('Time range'), ignoreFocusOut: true },
  );
  if (!range) return;
  const format = await vscode.window.showQuickPick(formats(), { title: vscode.l10n.t('tokstat: Export Usage History ({0}/3)', 3), placeHolder: vscode.l10n.t('Format'), ignoreFocusOut: true });
  if (!format) return;
  const now = Date.now();
  const from = range.days === undefined ? undefined : now - range.days * 86_400_000;
  const day = new Date(now).toISOString().slice(0, 10);
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri ?? vscode.Uri.file(os.homedir());
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(folder, `tokstat-history-${day}.${format.ext}`),
    filters: format.ext === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    title: vscode.l10n.t('tokstat: Export Usage History'),
  });
  if (!target) return;
  // Labels and units come from what each account shows now; a meter it no longer shows gets none (never a guess).
  const exported: ExportAccount[] = picked.map(({ account: a }) => ({
    id: a.id,
    name: a.name,
    providerId: a.providerId,
    meters: new Map((deps.model.entry(a.id)?.snapshot?.meters ?? []).map((m) => [m.id, { label: m.label, unit: m.unit }])),
  }));
  let count: number | undefined;
  try {
    count = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('tokstat: exporting usage history'), cancellable: true },
      (progress, token) =>
        writeTarget(target, (write) =>
          loadInsights().writeHistoryExport({
            format: format.ext,
            accounts: exported,
            ...(from !== undefined ? { from } : {}),
            to: now,
            exportedAt: now,
            chunks: (id) => deps.insights.exportChunks(id, from, now),
            write,
            isCancelled: () => token.isCancellationRequested,
            onAccount: (i, a) => progress.report({ message: `${a.name} (${i + 1} of ${exported.length})`, increment: i === 0 ? 0 : 100 / exported.length }),
          }),
        ),
    );
  } catch (err) {
    deps.log.warn(`[export] failed: ${errorText(err)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: export failed: {0}', errorText(err)));
    return;
  }
  if (count === undefined) {
    deps.log.info('[export] cancelled; nothing was written');
    void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: export cancelled; nothing was written.'));
    return;
  }
  deps.log.info(`[export] ${count} history rows of ${exported.length} account(s) written`);
  const open = vscode.l10n.t('Open');
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('tokstat: exported {0} samples to {1}.', formatCount(count), target.fsPath), open);
  if (choice !== open) return;
  // `vscode.open` picks the editor for the file type and asks before opening a very large file.
  await vscode.commands.executeCommand('vscode.open', target).then(undefined, (err: unknown) => {
    void vscode.window.showWarningMessage(vscode.l10n.t('tokstat: could not open the export: {0}', errorText(err)));
  });
}

/**
 * Writes the export to `target` (see writeThroughTemp). A target outside the local disk (a virtual file system) is
 * written to a local temporary file first and copied in once complete. Resolves the samples written, or undefined
 * when cancelled (nothing written).
 */
async function writeTarget(target: vscode.Uri, produce: (write: (text: string) => Promise<void>) => Promise<number | undefined>): Promise<number | undefined> {
  const { writeThroughTemp } = loadInsights();
  let count: number | undefined;
  const run = (file: string) => writeThroughTemp(file, async (write) => (count = await produce(write)) !== undefined);
  if (target.scheme === 'file') {
    await run(target.fsPath);
    return count;
  }
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-export-'));
  try {
    const local = path.join(dir, 'export');
    if (await run(local)) await vscode.workspace.fs.copy(vscode.Uri.file(local), target, { overwrite: true });
    return count;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
