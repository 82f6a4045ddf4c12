// Add Account's home questions for Claude Code, Codex CLI and Gemini CLI (issue #20 §1): which of the folders found on
// this machine to add (each holds one sign-in), and the message when that sign-in is already tracked by another account.
import * as vscode from 'vscode';
import type { Account } from '../shared/model';
import { findDuplicate, findHomes, type FoundHome, type HomeKind } from '../core/homes';
import type { CredentialEnv, CredentialFileSource } from '../core/providers/types';
import type { CommandDeps } from './deps';

/** "This Claude Code sign-in is already tracked as "work"": the account that has it, and how to add another one. */
export function alreadyAdded(deps: CommandDeps, source: CredentialFileSource, existing: Account, where: string): void {
  deps.log.info(`[accounts] not added: the ${source.tool} sign-in in ${where} is already tracked by "${existing.name}"`);
  void vscode.window.showWarningMessage(
    vscode.l10n.t('tokstat: "{0}" already tracks this {1} sign-in ({2}).', existing.name, source.tool, where),
    {
      detail: vscode.l10n.t(
        'Each sign-in is tracked once, so its limits are not asked for twice. To track another account, sign in to it in another folder ({0}) and add that folder.',
        source.signInHint,
      ),
    },
  );
}

const CHOOSE_FOLDER = 'choose';

/** Where a home was found, for the picker. */
function originText(h: FoundHome, kind: HomeKind): string {
  switch (h.origin) {
    case 'default':
      return vscode.l10n.t('default');
    case 'environment':
      return kind.envVar;
    case 'setting':
      return `tokstat.localUsage.${kind.localUsageSetting}`;
    case 'found':
      return vscode.l10n.t('found in your home folder');
  }
}

/**
 * Asks which home to add when there is a choice: every folder found (signed in first), which account already reads
 * it, and "Choose folder…". With one signed-in home and no account of the provider yet, that home without asking.
 * Undefined when cancelled.
 */
export async function pickHome(deps: CommandDeps, kind: HomeKind, source: CredentialFileSource, env: CredentialEnv): Promise<string | undefined> {
  const homes = await findHomes(kind, env, deps.config.localUsageDirs(kind.localUsageSetting));
  const existing = deps.repo.list().filter((a) => a.providerId === kind.providerId);
  if (homes.length === 1 && homes[0]!.signedIn && existing.length === 0) return homes[0]!.dir;
  if (homes.length === 0 && existing.length === 0) return kind.defaultDir(env);
  const items: Array<vscode.QuickPickItem & { dir: string }> = [];
  for (const h of homes) {
    const owner = await findDuplicate(existing, kind, { home: h.dir }, env);
    const parts = [originText(h, kind), h.signedIn ? undefined : vscode.l10n.t('no sign-in found'), owner ? vscode.l10n.t('already added as "{0}"', owner.name) : undefined];
    items.push({ label: `$(folder) ${h.shown}`, description: parts.filter(Boolean).join(' · '), dir: h.dir });
  }
  items.push({ label: `$(folder-opened) ${vscode.l10n.t('Choose folder…')}`, description: vscode.l10n.t('another {0} folder', source.tool), dir: CHOOSE_FOLDER });
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('tokstat: Add Account: {0} folder', source.tool),
    placeHolder: vscode.l10n.t('Which {0} sign-in? Each folder holds one.', source.tool),
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.dir !== CHOOSE_FOLDER) return picked.dir;
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: vscode.l10n.t('{0} configuration folder', source.tool) });
  return chosen?.[0]?.fsPath;
}
