import * as vscode from 'vscode';
import type { AccountRepository } from '../core/accountRepository';
import type { AppModel } from '../core/appModel';
import type { FetcherDeps } from '../core/fetcher';
import type { Logger } from '../core/log';
import type { Account } from '../shared/model';
import type { Config } from '../host/config';
import type { GitHubAuth } from '../host/githubAuth';
import type { InsightsFeature } from '../features/insights/feature';
import type { LazySpend } from '../features/spend/feature';

/** What GitHub's device flow shows the user: the code to type and where. */
export interface DeviceVerification {
  userCode: string;
  verificationUri: string;
  expiresIn?: number;
}

/** Runs GitHub's device flow (src/core/auth/deviceFlow.ts in production, a fake in tests); commands/deviceSignIn.ts adds the UI. */
export type DeviceFlowRunner = (opts: {
  clientId: string;
  scopes: string[];
  oauthBaseUrl: string;
  signal: AbortSignal;
  onVerification(v: DeviceVerification): void | Promise<void>;
  log: Logger;
}) => Promise<{ token: string; scopes?: string[] }>;

/** A refresh the server's Retry-After held back: nothing was called; tokstat retries at `until` (epoch ms). */
export interface HeldBack {
  accountId: string;
  until: number;
}

/** The account's sign-in lives on another host, whose window polls it; this window called nothing. */
export interface PolledElsewhere {
  accountId: string;
  elsewhere: true;
}

/** What the scheduler offers to commands. */
export interface PollControl {
  /**
   * Fetch now (single flight). Resolves when done: with when tokstat retries when the server's Retry-After held the
   * refresh back (nothing was fetched), or `elsewhere` when a window on another host polls the account, else
   * undefined. A rejection carries a user-facing message.
   */
  refresh(accountId: string): Promise<HeldBack | PolledElsewhere | undefined>;
  /** Refresh every account; resolves with the ones the server's Retry-After held back. */
  refreshAll(): Promise<HeldBack[]>;
  /** Forget an account's schedule and stored snapshot (after removal). */
  forget(accountId: string): Promise<void>;
}

export interface CommandDeps {
  repo: AccountRepository;
  model: AppModel;
  poll: PollControl;
  config: Config;
  log: Logger;
  channel: vscode.LogOutputChannel;
  github: GitHubAuth;
  fetcherDeps: FetcherDeps;
  deviceFlow: DeviceFlowRunner;
  insights: InsightsFeature;
  openDashboard(): void;
  /** Spend across providers (the Spend view, its CSV export). */
  spend?: LazySpend;
  /** Opens the dashboard scrolled to its Spend view. */
  openSpend?(): void;
}

/** Resolves the account a command is about: a tree node, an id, or a quick pick when invoked from the palette. */
export async function resolveAccount(deps: CommandDeps, arg: unknown, title: string, filter?: (a: Account) => boolean): Promise<Account | undefined> {
  const id =
    typeof arg === 'string' ? arg : arg && typeof arg === 'object' && 'accountId' in arg ? String((arg as { accountId: unknown }).accountId) : undefined;
  if (id) {
    const a = deps.repo.get(id);
    if (!a) void vscode.window.showWarningMessage(vscode.l10n.t('tokstat: that account no longer exists.'));
    return a;
  }
  const accounts = deps.repo.list().filter(filter ?? (() => true));
  if (accounts.length === 0) {
    const add = vscode.l10n.t('Add Account');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('tokstat: there are no accounts yet.'), add);
    if (choice === add) await vscode.commands.executeCommand('tokstat.addAccount');
    return undefined;
  }
  const entries = deps.model.entries();
  const picked = await vscode.window.showQuickPick(
    accounts.map((a) => {
      const e = entries.find((x) => x.account.id === a.id);
      return { label: a.name, description: e?.providerName ?? a.providerId, account: a };
    }),
    { title, placeHolder: vscode.l10n.t('Choose an account') },
  );
  return picked?.account;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
