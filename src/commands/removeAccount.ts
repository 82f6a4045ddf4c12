import * as vscode from 'vscode';
import type { CommandDeps } from './deps';
import { errorText, resolveAccount } from './deps';
import { CommandIds } from './ids';

export function registerRemoveAccount(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.removeAccount, async (arg?: unknown) => {
    const account = await resolveAccount(deps, arg, vscode.l10n.t('tokstat: Remove Account'));
    if (!account) return;
    const remove = vscode.l10n.t('Remove');
    const detail =
      account.authKind === 'github-session'
        ? vscode.l10n.t('tokstat forgets it (your VS Code GitHub sign-in stays), and its stored quota data is deleted.')
        : vscode.l10n.t('Its key is deleted from secret storage, and its stored quota data is deleted.');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Remove the account "{0}"?', account.name),
      { modal: true, detail },
      remove,
    );
    if (choice !== remove) return;
    try {
      await deps.repo.remove(account.id);
      await deps.poll.forget(account.id);
      deps.log.info(`[accounts] removed "${account.name}"`);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: could not remove "{0}": {1}', account.name, errorText(err)));
    }
  });
}
