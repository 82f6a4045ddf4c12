import * as vscode from 'vscode';
import { checkVerificationUri } from '../core/auth/verificationUri';
import { resolveBaseUrl } from '../core/endpoints';
import { ProviderError } from '../core/errors';
import type { CommandDeps } from './deps';
import { errorText } from './deps';

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
    const open = vscode.l10n.t('Open Settings');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('tokstat: signing in with a device code needs the client id of a GitHub OAuth app with device flow enabled (setting "tokstat.github.oauthClientId"). Accounts signed in to VS Code work without it.'),
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
  const flow = deps.deviceFlow({
    clientId,
    scopes: ['read:user'],
    oauthBaseUrl: base,
    signal: ac.signal,
    log: deps.log,
    // Polling starts only once this resolves, so the modal can never outlive the flow.
    onVerification: async (v) => {
      // Only GitHub's own page on the configured host is ever opened, whatever runner produced the address.
      const verificationUri = checkVerificationUri(v.verificationUri, base);
      deps.log.info('[github] device code issued; waiting for the user to authorize');
      const copy = vscode.l10n.t('Copy and open GitHub');
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('Your GitHub one-time code is {0}', v.userCode),
        {
          modal: true,
          detail: vscode.l10n.t('Copy the code, open {0} and enter it to let tokstat read your Copilot quota. The code expires in {1} minutes.', verificationUri, Math.round((v.expiresIn ?? 900) / 60)),
        },
        copy,
      );
      if (choice !== copy) {
        ac.abort();
        throw new ProviderError('cancelled', vscode.l10n.t('GitHub sign-in was cancelled.'));
      }
      try {
        await vscode.env.clipboard.writeText(v.userCode);
      } catch (err) {
        deps.log.warn(`[github] could not copy the device code: ${errorText(err)}`);
      }
      void vscode.env.openExternal(vscode.Uri.parse(verificationUri, true));
      // A cancellable wait that closes by itself as soon as GitHub answers.
      waiting = vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('tokstat: waiting for GitHub authorization (code {0})…', v.userCode), cancellable: true },
        (_p, token) =>
          new Promise<void>((resolve) => {
            token.onCancellationRequested(() => {
              ac.abort();
              resolve();
            });
            void flow.then(() => resolve(), () => resolve());
          }),
      );
    },
  });
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('tokstat: waiting for GitHub authorization') },
      () => flow,
    );
    return result.token;
  } catch (err) {
    if (ac.signal.aborted || (err instanceof ProviderError && err.kind === 'cancelled')) {
      deps.log.info('[github] device sign-in cancelled');
      return undefined;
    }
    deps.log.warn(`[github] device sign-in failed: ${errorText(err)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: GitHub sign-in failed: {0}', errorText(err)));
    return undefined;
  } finally {
    void waiting;
  }
}
