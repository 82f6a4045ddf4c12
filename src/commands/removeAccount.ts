import * as vscode from 'vscode';
import type { CommandDeps } from './deps';
import { errorText, resolveAccount } from './deps';
import { CommandIds } from './ids';

export function registerRemoveAccount(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.removeAccount, async (arg?: unknown) => {
    const account = await resolveAccount(deps, arg, 'tokstat: Remove Account');
    if (!account) return;
    const remove = 'Remove';
    const what = account.authKind === 'github-session' ? 'tokstat forgets it (your VS Code GitHub sign-in stays)' : 'its key is deleted from secret storage';
    const choice = await vscode.window.showWarningMessage(
      `Remove the account "${account.name}"?`,
      { modal: true, detail: `${what}, and its stored quota data is deleted.` },
      remove,
    );
    if (choice !== remove) return;
    try {
      await deps.repo.remove(account.id);
      await deps.poll.forget(account.id);
      deps.log.info(`[accounts] removed "${account.name}"`);
    } catch (err) {
      void vscode.window.showErrorMessage(`tokstat: could not remove "${account.name}": ${errorText(err)}`);
    }
  });
}
