import * as vscode from 'vscode';
import type { AppModel } from '../../core/appModel';
import type { Thresholds } from '../../core/format';
import { displayStatus, type AccountEntry } from '../../core/summary';
import { AccountNode, MeterNode, ProviderNode, StatusNode, type TreeNode as AccountTreeNode } from './nodes';
import { UsageRootNode, usageChildren, type UsageTreeNode, type UsageViewProvider } from './usageNodes';

export type TreeNode = AccountTreeNode | UsageTreeNode;

/** provider → account → meters, with status rows that offer their fix; then "Local agents" when usage is wired. */
export class AccountsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly model: AppModel,
    private readonly thresholds: () => Thresholds,
    private readonly usage?: UsageViewProvider,
  ) {
    this.disposables.push(model.onDidChange(() => this.refresh()));
    if (usage) this.disposables.push(usage.onDidChange(() => this.refresh()));
    // Relative times ("resets in 3h", "5m ago") age even when nothing is fetched.
    const tick = setInterval(() => this.refresh(), 60_000);
    this.disposables.push({ dispose: () => clearInterval(tick) });
  }

  /** Debounced whole-tree refresh: bursts of snapshot events (Refresh All) collapse into one repaint. */
  refresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, 50);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const now = Date.now();
    const t = this.thresholds();
    if (!node) {
      const groups = new Map<string, AccountEntry[]>();
      for (const e of this.model.entries()) {
        const g = groups.get(e.account.providerId) ?? [];
        g.push(e);
        groups.set(e.account.providerId, g);
      }
      const roots: TreeNode[] = [...groups.entries()]
        .map(([id, entries]) => new ProviderNode(id, entries[0]!.providerName, entries[0]!.icon, entries))
        .sort((a, b) => a.providerName.localeCompare(b.providerName));
      // Hidden while there is nothing to say: no usage recorded and no agent folder on this machine.
      const view = this.usage?.view();
      if (view?.visible) roots.push(new UsageRootNode(view));
      return roots;
    }
    if (node instanceof UsageRootNode) {
      const view = this.usage?.view() ?? node.view;
      return usageChildren(view);
    }
    if (node instanceof ProviderNode) {
      return node.entries.map((e) => new AccountNode(this.model.entry(e.account.id) ?? e, t, now));
    }
    if (node instanceof AccountNode) {
      const e = this.model.entry(node.accountId) ?? node.entry;
      const out: TreeNode[] = [];
      const status = displayStatus(e, now);
      const message = e.snapshot?.error?.message ?? '';
      if (status === 'auth-required') {
        out.push(new StatusNode(e.account.id, 'Sign in again', message || 'The credentials were rejected.', 'sign-in', {
          command: 'tokstat.signIn',
          title: 'Sign In Again',
          arguments: [e.account.id],
        }));
      } else if (status === 'error' || (status === 'stale' && e.snapshot?.error)) {
        out.push(new StatusNode(e.account.id, 'Retry', message || 'The last refresh failed.', 'refresh', {
          command: 'tokstat.refreshAccount',
          title: 'Refresh Account',
          arguments: [e.account.id],
        }));
      }
      for (const m of e.snapshot?.meters ?? []) out.push(new MeterNode(e, m, t, now));
      return out;
    }
    return [];
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
