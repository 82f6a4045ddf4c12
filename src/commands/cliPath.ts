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
          void vscode.window.showWarningMessage(vscode.l10n.t('tokstat: {0} already exists and was not written by tokstat (an npm install of the CLI?), so it was left as it is.', r.place.file));
          return;
        }
        deps.log.info(`[cli] 'tokstat' launcher ${r.changed ? 'written' : 'already current'} at ${r.place.file}`);
        const how = r.place.onPath
          ? vscode.l10n.t('Open a new terminal and run `tokstat --help`.')
          : vscode.l10n.t("{0} is not on your PATH yet: add it (for example `export PATH=\"{0}:$PATH\"` in your shell's profile), then open a new terminal.", r.place.dir);
        void vscode.window.showInformationMessage(vscode.l10n.t("tokstat: the 'tokstat' command is installed at {0}. {1}", r.place.file, how));
      } catch (err) {
        deps.log.warn(`[cli] could not install the 'tokstat' command: ${errorText(err)}`);
        void vscode.window.showErrorMessage(vscode.l10n.t("tokstat: could not install the 'tokstat' command: {0}", errorText(err)));
      }
    }),
    vscode.commands.registerCommand(CommandIds.uninstallCli, async () => {
      try {
        const p = place();
        const state = uninstallShim(p, target(deps));
        const text =
          state === 'foreign'
            ? vscode.l10n.t('tokstat: {0} was not written by tokstat, so it was left as it is.', p.file)
            : state === 'absent'
              ? vscode.l10n.t("tokstat: the 'tokstat' command was not installed at {0}.", p.file)
              : vscode.l10n.t("tokstat: the 'tokstat' command was removed from {0}.", p.dir);
        deps.log.info(`[cli] uninstall: ${state} (${p.file})`);
        void vscode.window.showInformationMessage(text);
      } catch (err) {
        void vscode.window.showErrorMessage(vscode.l10n.t("tokstat: could not remove the 'tokstat' command: {0}", errorText(err)));
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
