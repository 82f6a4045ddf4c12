import * as vscode from 'vscode';
import { signInLivesElsewhere } from '../host/credentials';
import { currentHost } from '../host/hostIdentity';
import { waitNotice } from '../shared/format';
import type { CommandDeps, HeldBack } from './deps';
import { errorText, resolveAccount } from './deps';
import { CommandIds } from './ids';

/**
 * Says who asked to wait and until when, when the server's Retry-After held refreshes back: a click that fetches
 * nothing would otherwise look like a click that did nothing ("OpenRouter asked to wait until 14:32 — retrying then.", or "— retrying at 14:37." when the next poll is later).
 */
function tellHeldBack(deps: CommandDeps, held: readonly HeldBack[]): void {
  const text = waitNotice(
    held.map((h) => {
      const e = deps.model.entry(h.accountId);
      // The next automatic poll may come after the server's window (backoff, poll interval): say when it really is.
      return { providerName: e?.providerName ?? vscode.l10n.t('The server'), until: h.until, ...(e?.nextPollAt !== undefined ? { retryAt: e.nextPollAt } : {}) };
    }),
    Date.now(),
  );
  // No "tokstat:" prefix: a toast shows one line, and this one must fit it (the toast names its source).
  if (text) void vscode.window.showInformationMessage(text);
}

export function registerRefreshAccount(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.refreshAccount, async (arg?: unknown) => {
    const account = await resolveAccount(deps, arg, vscode.l10n.t('tokstat: Refresh Account'));
    if (!account) return;
    try {
      const held = await deps.poll.refresh(account.id);
      if (held && 'elsewhere' in held) {
        // A click that calls nothing must say why: the window on the sign-in's host polls it (core/state/hostAffinity.ts).
        const host = signInLivesElsewhere(account, currentHost()) ?? vscode.l10n.t('another host');
        void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" is refreshed by the window on {1}, where its sign-in lives.', account.name, host));
      } else if (held) tellHeldBack(deps, [held]);
    } catch (err) {
      void vscode.window.showWarningMessage(`tokstat: "${account.name}": ${errorText(err)}`);
    }
  });
}

export function registerRefreshAll(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.refreshAll, async () => {
    if (deps.repo.list().length === 0) {
      await vscode.commands.executeCommand('tokstat.addAccount');
      return;
    }
    try {
      tellHeldBack(deps, await deps.poll.refreshAll());
    } catch (err) {
      void vscode.window.showWarningMessage(`tokstat: ${errorText(err)}`);
    }
  });
}
