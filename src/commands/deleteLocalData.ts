import * as vscode from 'vscode';
import type { AccountRepository, KeyValueStore } from '../core/accountRepository';
import { ALERTS_KEY } from '../core/alerts/mirror';
import { SNAPSHOTS_KEY } from '../core/state/hostSpan';
import { requestLocalDataDeletion } from '../core/localData';
import type { Logger } from '../core/log';
import { errorText } from './deps';
import { CommandIds } from './ids';

export interface DeleteLocalDataDeps {
  storage: string;
  repo: Pick<AccountRepository, 'list' | 'remove'>;
  log: Logger;
  /** globalState: the snapshots and alert state mirrored there for the user's other hosts go too. */
  shared?: KeyValueStore;
}

/**
 * "tokstat: Delete Local Data": history, the agent-usage index, API usage records, alert state, snapshots and the
 * cached price list go; accounts and their keys stay unless the user asks for those too. Then the window reloads and
 * the next activation empties the folder before anything opens it (core/localData.ts).
 */
export function registerDeleteLocalData(deps: DeleteLocalDataDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.deleteLocalData, async () => {
    const data = vscode.l10n.t('Delete Local Data');
    const all = vscode.l10n.t('Delete Data, Accounts and Keys');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete tokstat’s local data?'),
      {
        modal: true,
        detail: vscode.l10n.t(
          'This removes the usage history, the index of your coding agents’ usage, alert state, stored snapshots and the cached price list from {0}, then reloads this window. Your coding agents’ own logs are not touched. Accounts and their keys stay, unless you choose to delete them too. Close other VS Code windows first, or they keep what they have open.',
          deps.storage,
        ),
      },
      data,
      all,
    );
    if (choice !== data && choice !== all) return;
    try {
      if (choice === all) {
        for (const a of deps.repo.list()) await deps.repo.remove(a.id);
        deps.log.info('[local data] every account and its key removed');
      }
      requestLocalDataDeletion(deps.storage);
      for (const key of [SNAPSHOTS_KEY, ALERTS_KEY]) await deps.shared?.update(key, undefined);
      deps.log.info('[local data] deletion requested; reloading the window');
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: could not delete local data: {0}', errorText(err)));
      return;
    }
    await vscode.commands.executeCommand('workbench.action.reloadWindow');
  });
}
