// Hooks for the extension-host test suite, exposed on the extension's API only when TOKSTAT_TEST_HOOKS=1.
// They drive the same objects the UI uses; nothing here is reachable in normal use.
import * as vscode from 'vscode';
import { newAccountId } from './core/accounts';
import type { AccountRepository } from './core/accountRepository';
import type { AppModel } from './core/appModel';
import type { Account, Snapshot } from './shared/model';
import type { PollScheduler, RefreshResult } from './core/scheduler/scheduler';
import type { SnapshotStore } from './core/state/snapshotStore';
import type { DashboardState } from './shared/protocol';
import type { StatusBarController } from './ui/statusBar/statusBar';
import type { AccountsTreeProvider } from './ui/tree/accountsTree';
import type { TreeNode } from './ui/tree/accountsTree';
import type { GitHubAuth } from './host/githubAuth';
import type { McpServerRegistration } from './features/mcp/provider';

export interface TreeRow {
  label: string;
  description?: string;
  contextValue?: string;
  tooltip?: string;
  children: TreeRow[];
}

export interface TestingApi {
  ready: Promise<void>;
  addAccount(a: { providerId: string; name: string; authKind?: string; secret?: string; settings?: Account['settings'] }): Promise<string>;
  removeAccount(id: string): Promise<void>;
  renameAccount(id: string, name: string): Promise<void>;
  /** Every tokstat key in globalState (for checks that no secret is stored there). */
  globalStateDump(): Record<string, unknown>;
  accounts(): Account[];
  readSecret(id: string): Promise<string | undefined>;
  setSecret(id: string, secret: string): Promise<void>;
  refresh(id: string): Promise<RefreshResult>;
  whenIdle(): Promise<void>;
  snapshot(id: string): Snapshot | undefined;
  storedState(id: string): Promise<unknown>;
  treeSnapshot(): Promise<TreeRow[]>;
  statusBar(): { text: string; tooltip: string; accessibilityLabel: string };
  dashboardState(): DashboardState;
  /** Replaces VS Code's GitHub sign-in (undefined restores it). */
  setGitHubAuth(impl: GitHubAuth | undefined): void;
  isLeader(): boolean;
  /** The `@tokstat` participant as the host's chat API returned it (undefined where the host has no chat API). */
  chatParticipant(): vscode.ChatParticipant | undefined;
  /** What became of the MCP server definition provider: registered, unavailable (no API) or refused (a proposal). */
  mcpRegistration(): string;
  /** The MCP server definitions VS Code asked the provider for (command, args, env), the latest last. */
  mcpProvided(): ReturnType<McpServerRegistration['provided']>;
}

export function createTestingApi(d: {
  ready: Promise<void>;
  repo: AccountRepository;
  scheduler: PollScheduler;
  model: AppModel;
  tree: AccountsTreeProvider;
  statusBar: StatusBarController;
  store: SnapshotStore;
  globalState: vscode.Memento;
  setGitHubAuth(impl: GitHubAuth | undefined): void;
  dashboardState(): DashboardState;
  chatParticipant?: vscode.ChatParticipant;
  mcp: McpServerRegistration;
}): TestingApi {
  const toRow = async (node: TreeNode): Promise<TreeRow> => {
    const item = d.tree.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
    const children = await Promise.all(d.tree.getChildren(node).map(toRow));
    return {
      label,
      ...(typeof item.description === 'string' ? { description: item.description } : {}),
      ...(item.contextValue ? { contextValue: item.contextValue } : {}),
      ...(typeof tooltip === 'string' ? { tooltip } : {}),
      children,
    };
  };
  return {
    ready: d.ready,
    addAccount: async (a) => {
      const account: Account = { id: newAccountId(), providerId: a.providerId, name: a.name, createdAt: Date.now(), authKind: a.authKind ?? 'api-key', settings: a.settings ?? {} };
      await d.repo.add(account, a.secret);
      return account.id;
    },
    removeAccount: async (id) => {
      await d.repo.remove(id);
      await d.store.delete(id);
    },
    renameAccount: async (id, name) => {
      await d.repo.update(id, { name });
    },
    globalStateDump: () => {
      const out: Record<string, unknown> = {};
      for (const k of d.globalState.keys()) out[k] = d.globalState.get(k);
      return out;
    },
    accounts: () => d.repo.list(),
    readSecret: (id) => d.repo.getSecret(id),
    setSecret: (id, s) => d.repo.setSecret(id, s),
    refresh: (id) => d.scheduler.refresh(id),
    whenIdle: () => d.scheduler.whenIdle(),
    snapshot: (id) => d.scheduler.getSnapshot(id),
    storedState: (id) => d.store.read(id),
    // What VS Code shows: the rows change with the debounced repaint (ui/tree/accountsTree.ts), so wait for one pending.
    treeSnapshot: async () => {
      await d.tree.whenSettled();
      return Promise.all(d.tree.getChildren().map(toRow));
    },
    statusBar: () => d.statusBar.describe(),
    dashboardState: d.dashboardState,
    setGitHubAuth: d.setGitHubAuth,
    isLeader: () => d.scheduler.isLeader(),
    chatParticipant: () => d.chatParticipant,
    mcpRegistration: () => d.mcp.state,
    mcpProvided: () => d.mcp.provided(),
  };
}
