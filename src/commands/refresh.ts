import * as vscode from 'vscode';
import type { CommandDeps } from './deps';
import { errorText, resolveAccount } from './deps';

export function registerRefreshAccount(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand('tokstat.refreshAccount', async (arg?: unknown) => {
    const account = await resolveAccount(deps, arg, 'tokstat: Refresh Account');
    if (!account) return;
    try {
      await deps.poll.refresh(account.id);
    } catch (err) {
      void vscode.window.showWarningMessage(`tokstat: "${account.name}": ${errorText(err)}`);
    }
  });
}

export function registerRefreshAll(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand('tokstat.refreshAll', async () => {
    if (deps.repo.list().length === 0) {
      await vscode.commands.executeCommand('tokstat.addAccount');
      return;
    }
    try {
      await deps.poll.refreshAll();
    } catch (err) {
      void vscode.window.showWarningMessage(`tokstat: ${errorText(err)}`);
    }
  });
}
