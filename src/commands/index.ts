import type * as vscode from 'vscode';
import { registerAddAccount } from './addAccount';
import type { CommandDeps } from './deps';
import { registerCopyValue, registerOpenDashboard, registerShowLog } from './misc';
import { registerRefreshAccount, registerRefreshAll } from './refresh';
import { registerRemoveAccount } from './removeAccount';
import { registerRenameAccount } from './renameAccount';
import { registerReplaceKey, registerSignIn } from './signIn';
import { registerExportHistory } from './exportHistory';
import { registerPinCommands } from './pin';
import { registerSpendCommands } from './spend';

/** Registers every command in package.json; the integration suite checks the two lists match. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    registerAddAccount(deps),
    registerRemoveAccount(deps),
    registerRenameAccount(deps),
    registerRefreshAccount(deps),
    registerRefreshAll(deps),
    registerSignIn(deps),
    registerReplaceKey(deps),
    registerOpenDashboard(deps),
    registerShowLog(deps),
    registerCopyValue(deps),
    registerExportHistory(deps),
    ...registerPinCommands(deps),
    ...registerSpendCommands(deps),
  ];
}
