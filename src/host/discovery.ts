import * as vscode from 'vscode';
import type { AccountRepository } from '../core/accountRepository';
import { discover } from '../core/discovery';
import type { Logger } from '../core/log';
import type { CredentialEnv, ProviderDefinition } from '../core/providers/types';

export const OFFERED_KEY = 'tokstat.discovery.offered.v1';

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

/** Offers, once per tool and unobtrusively, to track sign-ins found on this machine. Runs after activation. */
export function scheduleDiscovery(deps: DiscoveryDeps, delayMs: number): vscode.Disposable {
  let disposed = false;
  const timer = setTimeout(() => {
    run().catch((err: unknown) => deps.log.warn(`[discovery] failed: ${err instanceof Error ? err.message : String(err)}`));
  }, delayMs);
  const run = async () => {
    if (disposed || !deps.enabled() || !deps.isLeader()) return;
    const offered = new Set(deps.state.get<string[]>(OFFERED_KEY) ?? []);
    const found = await discover(deps.env(), deps.repo, offered);
    if (disposed || found.length === 0) return;
    await deps.state.update(OFFERED_KEY, [...offered, ...found.map((f) => f.provider.id)]);
    deps.log.info(`[discovery] found sign-ins of ${found.map((f) => f.tool).join(', ')}`);
    const names = found.map((f) => f.tool);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    const add = names.length === 1 ? 'Add' : 'Choose…';
    const choice = await vscode.window.showInformationMessage(
      `tokstat found ${list} signed in on this machine. Track ${names.length === 1 ? 'its' : 'their'} plan limits too? (tokstat reads their sign-in, never copies it.)`,
      add,
      'Not Now',
    );
    if (choice !== add) return;
    let chosen = found;
    if (found.length > 1) {
      const picked = await vscode.window.showQuickPick(
        found.map((f) => ({ label: f.provider.displayName, description: f.suggestedName, picked: true, f })),
        { canPickMany: true, title: 'tokstat: accounts found on this machine', placeHolder: 'Choose the ones to track' },
      );
      if (!picked) return;
      chosen = picked.map((p) => p.f);
    }
    for (const f of chosen) await deps.add(f.provider);
  };
  return {
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
