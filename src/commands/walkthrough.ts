import * as vscode from 'vscode';
import { CommandIds } from './ids';

export const WALKTHROUGH_ID = 'tokstat.tokstat#gettingStarted';

function open(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

/**
 * "tokstat: Get Started" opens the walkthrough (also from the welcome view and the view's "…" menu). On install from
 * the Extensions view VS Code opens it by itself (`workbench.welcomePage.walkthroughs.openOnInstall`); tokstat does
 * not open it at start-up on its own, which would take the focus from whatever the user is doing in that window.
 */
export function registerWalkthrough(): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.openWalkthrough, () => open());
}
