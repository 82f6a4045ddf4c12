import * as vscode from 'vscode';
import { resolveBaseUrl } from '../core/endpoints';
import { ProviderError } from '../core/errors';
import type { Logger } from '../core/log';
import type { CommandDeps } from './deps';
import { errorText } from './deps';

export interface DeviceVerification {
  userCode: string;
  verificationUri: string;
  expiresIn?: number;
}

export type DeviceFlowRunner = (opts: {
  clientId: string;
  scopes: string[];
  oauthBaseUrl: string;
  signal: AbortSignal;
  onVerification(v: DeviceVerification): void;
  log: Logger;
}) => Promise<{ token: string; scopes?: string[] }>;

export function oauthBaseUrl(deps: Pick<CommandDeps, 'config'>, enterpriseHost: string | undefined): string {
  const def = enterpriseHost ? `https://${enterpriseHost}` : 'https://github.com';
  return resolveBaseUrl('github-oauth', def, deps.config.endpoints());
}

/**
 * GitHub device flow with the UI a person expects: the code in a notification with "Copy and open GitHub",
 * a cancellable wait, and clear messages for expired or denied codes. Returns the token, or undefined when cancelled.
 */
export async function deviceSignIn(deps: CommandDeps, enterpriseHost: string | undefined): Promise<string | undefined> {
  const clientId = deps.config.oauthClientId();
  if (!clientId) {
    const open = 'Open Settings';
    const choice = await vscode.window.showWarningMessage(
      'tokstat: signing in with a device code needs the client id of a GitHub OAuth app with device flow enabled (setting "tokstat.github.oauthClientId"). Accounts signed in to VS Code work without it.',
      open,
    );
    if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'tokstat.github.oauthClientId');
    return undefined;
  }
  let base: string;
  try {
    base = oauthBaseUrl(deps, enterpriseHost);
  } catch (err) {
    void vscode.window.showErrorMessage(`tokstat: ${errorText(err)}`);
    return undefined;
  }
  const ac = new AbortController();
  let waiting: Thenable<unknown> | undefined;
  let finished = false;
  const flow = deps.deviceFlow({
    clientId,
    scopes: ['read:user'],
    oauthBaseUrl: base,
    signal: ac.signal,
    log: deps.log,
    onVerification: (v) => {
      deps.log.info('[github] device code issued; waiting for the user to authorize');
      const copy = 'Copy and open GitHub';
      const cancel = 'Cancel';
      void vscode.window
        .showInformationMessage(`Enter code ${v.userCode} at ${v.verificationUri} to sign in to GitHub for tokstat.`, copy, cancel)
        .then(async (choice) => {
          if (finished) return;
          if (choice === cancel) {
            ac.abort();
            return;
          }
          if (choice === copy) {
            try {
              await vscode.env.clipboard.writeText(v.userCode);
            } catch (err) {
              deps.log.warn(`[github] could not copy the device code: ${errorText(err)}`);
            }
            await vscode.env.openExternal(vscode.Uri.parse(v.verificationUri));
            waiting = vscode.window.withProgress(
              { location: vscode.ProgressLocation.Notification, title: `Waiting for GitHub authorization (code ${v.userCode})…`, cancellable: true },
              (_p, token) =>
                new Promise<void>((resolve) => {
                  token.onCancellationRequested(() => {
                    ac.abort();
                    resolve();
                  });
                  flow.then(() => resolve(), () => resolve());
                }),
            );
          }
        });
    },
  });
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'tokstat: waiting for GitHub authorization' },
      () => flow,
    );
    return result.token;
  } catch (err) {
    if (ac.signal.aborted || (err instanceof ProviderError && err.kind === 'cancelled')) {
      deps.log.info('[github] device sign-in cancelled');
      return undefined;
    }
    deps.log.warn(`[github] device sign-in failed: ${errorText(err)}`);
    void vscode.window.showErrorMessage(`tokstat: GitHub sign-in failed: ${errorText(err)}`);
    return undefined;
  } finally {
    finished = true;
    void waiting;
  }
}
