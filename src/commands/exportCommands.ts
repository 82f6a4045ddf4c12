// Team export commands: Preview Export (exactly what would be sent, in a read-only editor), Set Export Headers (a
// collector token, kept in SecretStorage) and Stop Exporting (turns export off and deletes this machine's
// Pushgateway group).
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { ExportFeature } from '../features/export/feature';
import { errorText } from './deps';
import { CommandIds } from './ids';

export interface ExportCommandDeps {
  feature: ExportFeature;
  log: Logger;
}

export function registerExportCommands(deps: ExportCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.previewExport, async () => {
      try {
        const p = await deps.feature.preview();
        const header = [
          vscode.l10n.t('# What tokstat would send now ({0} series). Nothing has been sent by this preview.', p.series),
          vscode.l10n.t('# Header values are masked here; they are sent as set.'),
          ...(p.note ? [`# ${p.note}`] : []),
          `# ${p.method} ${p.url}`,
          ...Object.entries(p.headers).map(([k, v]) => `# ${k}: ${v}`),
          '',
        ].join('\n');
        const doc = await vscode.workspace.openTextDocument({ content: header + p.body, language: p.body.trimStart().startsWith('{') ? 'jsonc' : 'plaintext' });
        await vscode.window.showTextDocument(doc, { preview: true });
      } catch (err) {
        void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: cannot preview the export: {0}', errorText(err)));
      }
    }),
    vscode.commands.registerCommand(CommandIds.setExportHeaders, async () => {
      const value = await vscode.window.showInputBox({
        title: vscode.l10n.t('tokstat: Set Export Headers'),
        prompt: vscode.l10n.t('Headers for the collector as name=value pairs separated by commas (OTEL_EXPORTER_OTLP_HEADERS form), e.g. Authorization=Bearer%20<token>. Empty removes them. Kept in the OS keychain.'),
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' || /^[A-Za-z0-9._-]+=[^,]*(,[A-Za-z0-9._-]+=[^,]*)*$/.test(v.trim()) ? undefined : vscode.l10n.t('Use name=value pairs separated by commas.')),
      });
      if (value === undefined) return;
      await deps.feature.setHeaders(value.trim() || undefined);
      void vscode.window.showInformationMessage(value.trim() ? vscode.l10n.t('tokstat: export headers saved.') : vscode.l10n.t('tokstat: export headers removed.'));
    }),
    vscode.commands.registerCommand(CommandIds.stopExporting, async () => {
      try {
        await deps.feature.stop();
      } catch (err) {
        deps.log.warn(`[export] could not delete this machine's Pushgateway group: ${errorText(err)}`);
        void vscode.window.showWarningMessage(vscode.l10n.t('tokstat: export stopped, but the Pushgateway group could not be deleted: {0}', errorText(err)));
      }
      await vscode.workspace.getConfiguration('tokstat').update('export.enabled', false, vscode.ConfigurationTarget.Global);
    }),
  ];
}
