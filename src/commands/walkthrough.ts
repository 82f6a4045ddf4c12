import * as vscode from 'vscode';
import type { Logger } from '../core/log';

export const WALKTHROUGH_ID = 'tokstat.tokstat#gettingStarted';
const OPENED_KEY = 'tokstat.walkthrough.opened.v1';

function open(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

/** "tokstat: Get Started" opens the walkthrough (also from the welcome view and the view's menu). */
export function registerWalkthrough(): vscode.Disposable {
  return vscode.commands.registerCommand('tokstat.openWalkthrough', () => open());
}

/**
 * The first time tokstat runs for a user who has no account yet, the walkthrough opens once — unless the user told
 * VS Code not to open walkthroughs on install (`workbench.welcomePage.walkthroughs.openOnInstall`).
 */
export async function openWalkthroughOnce(state: vscode.Memento, hasAccounts: boolean, log: Logger): Promise<void> {
  if (state.get<boolean>(OPENED_KEY)) return;
  await state.update(OPENED_KEY, true);
  if (hasAccounts) return;
  if (vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall') === false) return;
  log.info('[walkthrough] first run: opening "Get started with tokstat"');
  await open();
}
