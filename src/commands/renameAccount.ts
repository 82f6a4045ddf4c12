import * as vscode from 'vscode';
import type { CommandDeps } from './deps';
import { errorText, resolveAccount } from './deps';
import { promptForName } from './keyEntry';
import { CommandIds } from './ids';

export function registerRenameAccount(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.renameAccount, async (arg?: unknown) => {
    const account = await resolveAccount(deps, arg, vscode.l10n.t('tokstat: Rename Account'));
    if (!account) return;
    const name = await promptForName(deps, `tokstat: Rename "${account.name}"`, account.name, account.id);
    if (name === undefined || name === account.name) return;
    try {
      await deps.repo.update(account.id, { name });
      deps.log.info(`[accounts] renamed "${account.name}" to "${name}"`);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: could not rename: {0}', errorText(err)));
    }
  });
}
