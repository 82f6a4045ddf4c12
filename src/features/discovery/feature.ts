import * as vscode from 'vscode';
import type { AccountRepository } from '../../core/accountRepository';
import { discover, type Discovered } from './core/discover';
import type { Logger } from '../../core/log';
import type { CredentialEnv, ProviderDefinition } from '../../core/providers/types';

export const OFFERED_KEY = 'tokstat.discovery.offered.v1';
/** Context key: the tools whose sign-ins were found and are not tracked yet ("Claude Code, Codex CLI"), or ''. */
export const FOUND_CONTEXT = 'tokstat.foundSignIns';

export interface DiscoveryDeps {
  state: vscode.Memento;
  repo: AccountRepository;
  log: Logger;
  env(): CredentialEnv;
  enabled(): boolean;
  /** Only the window that leads polling offers, so several windows do not all ask. */
  isLeader(): boolean;
  add(provider: ProviderDefinition): Promise<void>;
}

function listOf(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : vscode.l10n.t('{0} and {1}', names.slice(0, -1).join(vscode.l10n.t(', ')), names[names.length - 1]!);
}

/** Asks which of the found sign-ins to track (all picked), then adds them. */
async function chooseAndAdd(deps: DiscoveryDeps, found: Discovered[]): Promise<void> {
  let chosen = found;
  if (found.length > 1) {
    const picked = await vscode.window.showQuickPick(
      found.map((f) => ({ label: f.provider.displayName, description: f.suggestedName, picked: true, f })),
      { canPickMany: true, title: vscode.l10n.t('tokstat: sign-ins found on this machine'), placeHolder: vscode.l10n.t('Choose the ones to track') },
    );
    if (!picked) return;
    chosen = picked.map((p) => p.f);
  }
  for (const f of chosen) await deps.add(f.provider);
}

/**
 * Finds sign-ins of Claude Code, Codex CLI, Gemini CLI and the GitHub CLI on this machine (offered before or not)
 * that no account tracks yet, and keeps the `tokstat.foundSignIns` context key in step, so the welcome view and the
 * walkthrough keep offering them after the one-time notification is gone.
 */
export class FoundSignIns implements vscode.Disposable {
  private found: Discovered[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private disposed = false;

  constructor(private readonly deps: DiscoveryDeps) {
    this.disposables.push(deps.repo.onDidChange(() => void this.refresh()));
  }

  async refresh(): Promise<Discovered[]> {
    if (this.disposed) return [];
    try {
      this.found = this.deps.enabled() ? await discover(this.deps.env(), this.deps.repo, new Set()) : [];
    } catch (err) {
      this.deps.log.warn(`[discovery] could not look for sign-ins: ${err instanceof Error ? err.message : String(err)}`);
      this.found = [];
    }
    if (this.disposed) return [];
    this.changed.fire();
    await vscode.commands.executeCommand('setContext', FOUND_CONTEXT, listOf(this.found.map((f) => f.tool)));
    return this.found;
  }

  /** The tools found and not tracked yet, as of the last look. */
  tools(): string[] {
    return this.found.map((f) => f.tool);
  }

  /** "tokstat: Add Sign-ins Found on This Machine". */
  async addFound(): Promise<void> {
    const found = await this.refresh();
    if (found.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: no untracked sign-in of Claude Code, Codex CLI, Gemini CLI or the GitHub CLI was found on this machine.'));
      return;
    }
    await chooseAndAdd(this.deps, found);
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }
}

/** Offers, once per tool and unobtrusively, to track sign-ins found on this machine. Runs after activation. */
export function scheduleDiscovery(deps: DiscoveryDeps, found: FoundSignIns, delayMs: number): vscode.Disposable {
  let disposed = false;
  const timer = setTimeout(() => {
    run().catch((err: unknown) => deps.log.warn(`[discovery] failed: ${err instanceof Error ? err.message : String(err)}`));
  }, delayMs);
  const run = async () => {
    if (disposed || !deps.enabled()) return;
    const all = await found.refresh();
    if (disposed || !deps.isLeader()) return;
    const offered = new Set(deps.state.get<string[]>(OFFERED_KEY) ?? []);
    const fresh = all.filter((f) => !offered.has(f.provider.id));
    if (fresh.length === 0) return;
    await deps.state.update(OFFERED_KEY, [...offered, ...fresh.map((f) => f.provider.id)]);
    deps.log.info(`[discovery] found sign-ins of ${fresh.map((f) => f.tool).join(', ')}`);
    const names = fresh.map((f) => f.tool);
    const add = names.length === 1 ? vscode.l10n.t('Add') : vscode.l10n.t('Choose…');
    const choice = await vscode.window.showInformationMessage(
      names.length === 1
        ? vscode.l10n.t('tokstat found {0} signed in on this machine. Track its plan limits too? (tokstat reads its sign-in, never copies it.)', listOf(names))
        : vscode.l10n.t('tokstat found {0} signed in on this machine. Track their plan limits too? (tokstat reads their sign-in, never copies it.)', listOf(names)),
      add,
      vscode.l10n.t('Not Now'),
    );
    if (choice !== add) return;
    await chooseAndAdd(deps, fresh);
  };
  return {
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
