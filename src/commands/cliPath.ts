import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { installShim, refreshShim, shimPlace, uninstallShim, type ShimTarget } from '../core/cliShim';
import type { Logger } from '../core/log';
import { errorText } from './deps';
import { CommandIds } from './ids';

export interface CliPathDeps {
  extensionPath: string;
  log: Logger;
}

function target(deps: CliPathDeps): ShimTarget {
  return { execPath: process.execPath, cliPath: path.join(deps.extensionPath, 'dist', 'cli.js'), platform: process.platform };
}

const place = () => shimPlace(process.env, os.homedir(), process.platform);

/** "tokstat: Install 'tokstat' Command in PATH" and its uninstall, like VS Code's own `code` command. */
export function registerCliPathCommands(deps: CliPathDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.installCli, async () => {
      try {
        const r = installShim(place(), target(deps));
        if (!r.ok) {
          void vscode.window.showWarningMessage(`tokstat: ${r.place.file} already exists and was not written by tokstat (an npm install of the CLI?), so it was left as it is.`);
          return;
        }
        deps.log.info(`[cli] 'tokstat' launcher ${r.changed ? 'written' : 'already current'} at ${r.place.file}`);
        const how = r.place.onPath
          ? 'Open a new terminal and run `tokstat --help`.'
          : `${r.place.dir} is not on your PATH yet: add it (for example \`export PATH="${r.place.dir}:$PATH"\` in your shell's profile), then open a new terminal.`;
        void vscode.window.showInformationMessage(`tokstat: the 'tokstat' command is installed at ${r.place.file}. ${how}`);
      } catch (err) {
        deps.log.warn(`[cli] could not install the 'tokstat' command: ${errorText(err)}`);
        void vscode.window.showErrorMessage(`tokstat: could not install the 'tokstat' command: ${errorText(err)}`);
      }
    }),
    vscode.commands.registerCommand(CommandIds.uninstallCli, async () => {
      try {
        const p = place();
        const state = uninstallShim(p, target(deps));
        const text =
          state === 'foreign'
            ? `${p.file} was not written by tokstat, so it was left as it is.`
            : state === 'absent'
              ? `the 'tokstat' command was not installed at ${p.file}.`
              : `the 'tokstat' command was removed from ${p.dir}.`;
        deps.log.info(`[cli] uninstall: ${text}`);
        void vscode.window.showInformationMessage(`tokstat: ${text}`);
      } catch (err) {
        void vscode.window.showErrorMessage(`tokstat: could not remove the 'tokstat' command: ${errorText(err)}`);
      }
    }),
  ];
}

/** After an update the extension's folder changes: a launcher of ours pointing at the old one is rewritten. */
export function refreshCliLauncher(deps: CliPathDeps): void {
  try {
    if (refreshShim(place(), target(deps))) deps.log.info("[cli] the 'tokstat' launcher now points at this version");
  } catch (err) {
    deps.log.warn(`[cli] could not update the 'tokstat' launcher: ${errorText(err)}`);
  }
}
