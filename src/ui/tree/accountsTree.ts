import * as vscode from 'vscode';
import type { AppModel } from '../../core/appModel';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock';
import { errorHeadline, formatClock, problemConsequence, type Thresholds } from '../../shared/format';
import { displayStatus, type AccountEntry } from '../../core/summary';
import { isPinned, pinKey } from '../../core/pins';
import { AccountNode, ExportNode, FoundNode, IncidentNode, MeterNode, ProviderNode, StatusNode, type TreeNode as AccountTreeNode } from './nodes';
import { incidentText } from '../tooltip';
import type { Event } from '../../core/events';
import type { ExportState } from '../../core/export/runner';
import { UsageRootNode, usageChildren, type UsageTreeNode, type UsageViewProvider } from './usageNodes';

export type TreeNode = AccountTreeNode | UsageTreeNode;

/** The tools whose sign-ins were found on this machine and are not tracked yet (src/features/discovery/feature.ts). */
export interface FoundSignInsView {
  tools(): readonly string[];
  readonly onDidChange: vscode.Event<void>;
}

/** The team export's state, when export is on (features/export/feature.ts). */
export interface ExportStateView {
  state(): ExportState | undefined;
  readonly onDidChange: Event<void>;
}

/**
 * provider → account → meters, with status rows that offer their fix; then "Local agents" when usage is wired.
 *
 * VS Code forgets every row on a whole-tree refresh, and the children of an expanded row it asks for in that moment
 * (a request already under way when the refresh lands) come back empty: a provider shown expanded with no accounts,
 * or collapsed, until it is clicked again. So the tree fires a whole-tree refresh only when the top-level rows change
 * (a provider appears or goes, the found sign-ins or the failing export row come or go, "Local agents" is shown or
 * hidden). An account added, removed, renamed or moved under a provider that stays refreshes that provider's row
 * (VS Code asks for its item and its children again and keeps the rest); a change that keeps the rows (a new
 * snapshot, a tick of the relative times, new thresholds) refreshes the account rows and "Local agents" themselves.
 *
 * The rows VS Code is told about (the "rendered" shape) change only in `flush`, right before the one change event
 * that announces them: until then `getChildren` keeps answering from the previous shape (an expanded provider row
 * keeps its accounts while a reload is under way), with each row's data current. The provider and account nodes
 * are kept and updated in place, and every row has a stable `TreeItem.id`, so VS Code keeps their expansion.
 */
export class AccountsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: TimerHandle | undefined;
  private tick: TimerHandle | undefined;
  private disposed = false;
  private readonly providerNodes = new Map<string, ProviderNode>();
  private readonly accountNodes = new Map<string, AccountNode>();
  private usageRoot: UsageRootNode | undefined;
  private view: Pick<vscode.TreeView<TreeNode>, 'badge'> | undefined;
  /** The top-level rows VS Code was last told about; a different one needs a whole-tree refresh. */
  private rootShape = '';
  /** The provider rows in the rendered order (each one's `entries` are its rendered accounts). */
  private providerOrder: ProviderNode[] = [];
  /** The rendered found sign-ins, failing export state and "Local agents" row. */
  private renderedTools: readonly string[] = [];
  private renderedExport: ExportState | undefined;
  private usageShown = false;
  private readonly settledWaiters: Array<() => void> = [];

  constructor(
    private readonly model: AppModel,
    private readonly thresholds: () => Thresholds,
    private readonly usage?: UsageViewProvider,
    private readonly found?: FoundSignInsView,
    private readonly clock: Clock = systemClock,
    private readonly exportView?: ExportStateView,
    /** The meters pinned to the status bar (`tokstat.statusBar.pins`): their rows offer Unpin and Move Left/Right. */
    private readonly pins?: () => readonly string[],
  ) {
    this.render(this.groups());
    if (exportView) this.disposables.push(exportView.onDidChange(() => this.refresh()));
    if (found) this.disposables.push(found.onDidChange(() => this.refresh()));
    this.disposables.push(model.onDidChange(() => this.refresh()));
    if (usage) this.disposables.push(usage.onDidChange(() => this.refresh()));
    // Relative times ("resets in 3h", "5m ago") age even when nothing is fetched.
    this.armTick();
    this.disposables.push({
      dispose: () => {
        this.disposed = true;
        if (this.tick) this.clock.clearTimeout(this.tick);
        if (this.timer) this.clock.clearTimeout(this.timer);
        for (const done of this.settledWaiters.splice(0)) done();
      },
    });
  }

  private armTick(): void {
    this.tick = this.clock.setTimeout(() => {
      if (this.disposed) return;
      this.refresh();
      this.armTick();
    }, 60_000);
  }

  /** Debounced refresh: bursts of snapshot events (Refresh All) collapse into one repaint. */
  refresh(): void {
    if (this.timer || this.disposed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      try {
        this.flush();
      } finally {
        for (const done of this.settledWaiters.splice(0)) done();
      }
    }, 50);
  }

  /** Resolves once a pending repaint has been announced (at once when none is pending): what VS Code now shows. */
  whenSettled(): Promise<void> {
    if (!this.timer || this.disposed) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** The view whose badge counts the accounts that need attention, kept current on every repaint and tick. */
  attachView(view: Pick<vscode.TreeView<TreeNode>, 'badge'>): void {
    this.view = view;
    view.badge = this.attention();
  }

  private flush(): void {
    if (this.view) this.view.badge = this.attention();
    const groups = this.groups();
    const wasRoot = this.rootShape;
    // Providers that stay but whose accounts changed: refreshing their rows re-asks for their children.
    const reshaped = new Set<ProviderNode>();
    for (const g of groups) {
      const p = this.providerNodes.get(g.providerId);
      if (p && accountsShape(p.entries) !== accountsShape(g.entries)) reshaped.add(p);
    }
    this.render(groups);
    if (this.rootShape !== wasRoot) {
      this.changed.fire(undefined);
      return;
    }
    const now = Date.now();
    const t = this.thresholds();
    const rows: TreeNode[] = [...reshaped];
    for (const e of this.model.entries()) {
      const node = this.accountNodes.get(e.account.id);
      if (!node) continue; // never shown: VS Code fetches it with the current data when it is
      node.update(e, t, now);
      const p = this.providerNodes.get(e.account.providerId);
      if (!p || !reshaped.has(p)) rows.push(node); // under a refreshed provider it is fetched anew anyway
    }
    const view = this.usage?.view();
    if (this.usageRoot && view?.visible) {
      this.usageRoot.view = view;
      rows.push(this.usageRoot);
    }
    if (rows.length > 0) this.changed.fire(rows);
  }

  /** Makes `groups` (and the top-level rows of now) the rendered shape, keeping the nodes of the rows that stay. */
  private render(groups: Array<{ providerId: string; entries: AccountEntry[] }>): void {
    const providers = new Set(groups.map((g) => g.providerId));
    const accounts = new Set(groups.flatMap((g) => g.entries.map((e) => e.account.id)));
    for (const id of this.providerNodes.keys()) if (!providers.has(id)) this.providerNodes.delete(id);
    for (const id of this.accountNodes.keys()) if (!accounts.has(id)) this.accountNodes.delete(id);
    this.providerOrder = groups.map(({ providerId, entries }) => {
      let p = this.providerNodes.get(providerId);
      if (p) p.entries = entries;
      else this.providerNodes.set(providerId, (p = new ProviderNode(providerId, entries[0]!.providerName, entries[0]!.icon, entries)));
      return p;
    });
    this.renderedTools = this.found?.tools() ?? [];
    const ex = this.exportView?.state();
    this.renderedExport = ex?.status === 'failing' ? ex : undefined;
    this.usageShown = this.usage?.view()?.visible ?? false;
    this.rootShape = this.currentRootShape();
  }

  /** The accounts grouped by provider, providers in display order, accounts in the model's order. */
  private groups(): Array<{ providerId: string; entries: AccountEntry[] }> {
    const groups = new Map<string, AccountEntry[]>();
    for (const e of this.model.entries()) {
      const g = groups.get(e.account.providerId) ?? [];
      g.push(e);
      groups.set(e.account.providerId, g);
    }
    return [...groups.entries()]
      .map(([providerId, entries]) => ({ providerId, entries }))
      .sort((a, b) => a.entries[0]!.providerName.localeCompare(b.entries[0]!.providerName));
  }

  /** What the top-level rows are, not what they say: the found sign-ins, the failing export, providers, "Local agents". */
  private currentRootShape(): string {
    const rows = this.providerOrder.map((p) => p.providerId);
    if (this.usageShown) rows.push('usage');
    if (this.renderedTools.length) rows.unshift(`found(${this.renderedTools.join(',')})`);
    // The failing state is its own row: its text (since when, why) is part of the shape, so a change repaints it.
    const ex = this.renderedExport;
    if (ex) rows.unshift(`export(${ex.failingSince ?? ''},${ex.lastError ?? ''})`);
    return rows.join('|');
  }

  private accountNode(e: AccountEntry, t: Thresholds, now: number): AccountNode {
    let node = this.accountNodes.get(e.account.id);
    if (node) node.update(e, t, now);
    else {
      node = new AccountNode(e, t, now);
      // A row of the previous shape asked for while its removal is not announced yet is answered but not kept.
      if (this.providerNodes.get(e.account.providerId)?.entries.some((x) => x.account.id === e.account.id)) this.accountNodes.set(e.account.id, node);
    }
    return node;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const now = Date.now();
    const t = this.thresholds();
    if (!node) {
      // The rendered shape, not the model's of this moment: it changes in `flush`, with the event that says so.
      const roots: TreeNode[] = this.renderedTools.length ? [new FoundNode(this.renderedTools)] : [];
      const live = this.exportView?.state();
      const ex = this.renderedExport && (live?.status === 'failing' ? live : this.renderedExport);
      if (ex) roots.unshift(new ExportNode(ex, now));
      roots.push(...this.providerOrder);
      // Hidden while there is nothing to say: no usage recorded and no agent folder on this machine.
      const view = this.usage?.view();
      if (this.usageShown && view) {
        if (this.usageRoot) this.usageRoot.view = view;
        else this.usageRoot = new UsageRootNode(view);
        roots.push(this.usageRoot);
      } else if (!this.usageShown) {
        this.usageRoot = undefined;
      }
      return roots;
    }
    if (node instanceof UsageRootNode) {
      const view = this.usage?.view() ?? node.view;
      return usageChildren(view);
    }
    if (node instanceof ProviderNode) {
      return node.entries.map((e) => this.accountNode(this.model.entry(e.account.id) ?? e, t, now));
    }
    if (node instanceof AccountNode) {
      const e = this.model.entry(node.accountId) ?? node.entry;
      const out: TreeNode[] = e.incident ? [new IncidentNode(e.account.id, e.incident)] : [];
      const status = displayStatus(e, now);
      const error = e.snapshot?.error;
      const message = error?.message ?? '';
      // On hover: the reason with its provider, what it means for the numbers, then the details (server text, host).
      const hover = error
        ? [
            e.incident ? incidentText(e.incident) : errorHeadline(error, e.providerName, e.account.authKind),
            problemConsequence({ status: e.snapshot!.status, hasNumbers: e.snapshot!.meters.length > 0, lastSuccessAt: e.snapshot!.lastSuccessAt, authKind: e.account.authKind, ...(e.nextPollAt !== undefined ? { nextPollAt: e.nextPollAt } : {}) }, now),
            message,
          ].filter(Boolean).join('\n')
        : undefined;
      if (status === 'auth-required' && e.account.authKind === 'api-key') {
        out.push(new StatusNode(e.account.id, vscode.l10n.t('Replace key…'), message || vscode.l10n.t('The key was rejected.'), 'key', {
          command: 'tokstat.replaceKey',
          title: vscode.l10n.t('Replace Key…'),
          arguments: [e.account.id],
        }, hover));
      } else if (status === 'auth-required') {
        out.push(new StatusNode(e.account.id, vscode.l10n.t('Sign in again'), message || vscode.l10n.t('The credentials were rejected.'), 'sign-in', {
          command: 'tokstat.signIn',
          title: vscode.l10n.t('Sign In Again'),
          arguments: [e.account.id],
        }, hover));
      } else if (status === 'error' || (status === 'stale' && e.snapshot?.error)) {
        // When tokstat tries again by itself is worth more than the start of the message (which is on hover).
        const next = e.nextPollAt !== undefined ? vscode.l10n.t('next try at {0}', formatClock(e.nextPollAt, now)) : undefined;
        out.push(new StatusNode(e.account.id, vscode.l10n.t('Retry'), next ?? (message || vscode.l10n.t('The last refresh failed.')), 'refresh', {
          command: 'tokstat.refreshAccount',
          title: vscode.l10n.t('Refresh Account'),
          arguments: [e.account.id],
        }, hover));
      }
      const pins = this.pins?.() ?? [];
      for (const m of e.snapshot?.meters ?? []) out.push(new MeterNode(e, m, t, now, isPinned(pins, pinKey(e.account.name, m.id))));
      return out;
    }
    return [];
  }

  /** The row above `node`, so `TreeView.reveal` can open the way to an account or a meter. */
  getParent(node: TreeNode): TreeNode | undefined {
    if (node instanceof AccountNode) return this.providerNodes.get(node.entry.account.providerId);
    if (node instanceof MeterNode || node instanceof StatusNode || node instanceof IncidentNode) return this.accountNodes.get(node.accountId);
    if (node instanceof ProviderNode || node instanceof UsageRootNode || node instanceof FoundNode || node instanceof ExportNode) return undefined;
    return this.usageRoot;
  }

  /**
   * How many accounts need the user (rejected credentials, a failed or stale refresh), for the view's badge; the
   * tooltip names them. Undefined when none does: no badge.
   */
  attention(now = Date.now()): { value: number; tooltip: string } | undefined {
    const names: string[] = [];
    for (const e of this.model.entries()) {
      const status = displayStatus(e, now);
      if (status === 'auth-required' || status === 'error' || status === 'stale') names.push(e.account.name);
    }
    if (names.length === 0) return undefined;
    const sep = vscode.l10n.t(', ');
    const list = names.length <= 3 ? names.join(sep) : vscode.l10n.t('{0} and {1} more', names.slice(0, 3).join(sep), names.length - 3);
    return { value: names.length, tooltip: names.length === 1 ? vscode.l10n.t('1 account needs attention: {0}', list) : vscode.l10n.t('{0} accounts need attention: {1}', names.length, list) };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The rows under a provider: its accounts' ids and names, in order. */
function accountsShape(entries: readonly AccountEntry[]): string {
  return entries.map((e) => JSON.stringify([e.account.id, e.account.name])).join(',');
}
