import * as vscode from 'vscode';
import { agentDescription, totalsLines } from '../usageText';
import { formatTokens, formatUsd } from '../../shared/usageFormat';
import type { UsageAgentView, UsageTotalsView, UsageView } from '../../shared/protocol';
import { escapeMd } from '../tooltip';
import { formatCount } from '../../shared/numberFormat';

// "Local agents" branch of the accounts tree: token usage and cost read from the coding agents' own logs.
// contextValue tokens: `usage` (root), `usage-agent <agentId>`, `usage-workspace`.

/** What the tree (and the status bar) read usage from: `UsageViewModel` satisfies it. */
export interface UsageViewProvider {
  view(): UsageView | undefined;
  onDidChange(listener: () => void): { dispose(): unknown };
}

function totalsMarkdown(title: string, t: UsageTotalsView): string {
  return `**${escapeMd(title)}**\n\n${totalsLines(t)
    .map((l) => `- ${escapeMd(l)}`)
    .join('\n')}`;
}

/** "reading 1,240 of 3,012 log files" while the first read of the logs runs. */
export function scanText(scan: { done: number; total: number; rebuild: boolean }): string {
  return scan.rebuild
    ? vscode.l10n.t('rebuilding: reading {0} of {1} log files', formatCount(scan.done), formatCount(scan.total))
    : vscode.l10n.t('reading {0} of {1} log files', formatCount(scan.done), formatCount(scan.total));
}

export class UsageRootNode {
  readonly kind = 'usage' as const;
  /** Updated in place by the tree provider, like the account rows. */
  constructor(public view: UsageView) {}

  toTreeItem(): vscode.TreeItem {
    const v = this.view;
    const item = new vscode.TreeItem(vscode.l10n.t('Local agents'), vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'usage';
    item.iconPath = new vscode.ThemeIcon('terminal');
    item.description = v.scan
      ? scanText(v.scan)
      : v.hasData
        ? vscode.l10n.t('today {0} · month {1}', formatUsd(v.totals.today.costUSD), formatUsd(v.totals.month.costUSD))
        : vscode.l10n.t('no usage recorded yet');
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${vscode.l10n.t('Local agents')}**: ${vscode.l10n.t('token usage read from the coding agents’ logs on this machine; cost from public list prices.')}\n\n`);
    md.appendMarkdown(totalsMarkdown(vscode.l10n.t('Today'), v.totals.today));
    md.appendMarkdown('\n\n');
    md.appendMarkdown(totalsMarkdown(vscode.l10n.t('This month'), v.totals.month));
    item.tooltip = md;
    item.contextValue = 'usage';
    item.accessibilityInformation = { label: vscode.l10n.t('Local agents, {0}', String(item.description)) };
    return item;
  }
}

export class UsageAgentNode {
  readonly kind = 'usage-agent' as const;
  constructor(readonly agent: UsageAgentView) {}

  toTreeItem(): vscode.TreeItem {
    const a = this.agent;
    const item = new vscode.TreeItem(a.label, vscode.TreeItemCollapsibleState.None);
    item.id = `usage-agent:${a.agent}`;
    item.iconPath = new vscode.ThemeIcon(a.today.requests > 0 ? 'pulse' : 'circle-outline');
    item.description = agentDescription(a);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escapeMd(a.label)}**\n\n`);
    md.appendMarkdown(totalsMarkdown(vscode.l10n.t('Today'), a.today));
    md.appendMarkdown('\n\n');
    md.appendMarkdown(totalsMarkdown(vscode.l10n.t('This month'), a.month));
    item.tooltip = md;
    item.contextValue = `usage-agent ${a.agent}`;
    item.accessibilityInformation = { label: `${a.label}: ${item.description}` };
    return item;
  }
}

export class UsageWorkspaceNode {
  readonly kind = 'usage-workspace' as const;
  constructor(readonly workspace: NonNullable<UsageView['workspace']>) {}

  toTreeItem(): vscode.TreeItem {
    const w = this.workspace;
    const item = new vscode.TreeItem(vscode.l10n.t('This workspace'), vscode.TreeItemCollapsibleState.None);
    item.id = 'usage-workspace';
    item.iconPath = new vscode.ThemeIcon('folder');
    item.description = vscode.l10n.t('today {0} · {1} tokens · month {2}', formatUsd(w.today.costUSD), formatTokens(w.today.tokens.total), formatUsd(w.month.costUSD));
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**This workspace**: agent sessions whose working folder is inside ${w.folders.map((f) => `\`${f.replace(/`/g, "'")}\``).join(', ')}\n\n`);
    md.appendMarkdown(totalsMarkdown(vscode.l10n.t('Today'), w.today));
    md.appendMarkdown('\n\n');
    md.appendMarkdown(totalsMarkdown(vscode.l10n.t('This month'), w.month));
    item.tooltip = md;
    item.contextValue = 'usage-workspace';
    item.accessibilityInformation = { label: vscode.l10n.t('This workspace: {0}', String(item.description)) };
    return item;
  }
}

/** The root's children: one node per agent, then "This workspace" when the window has folders. */
export function usageChildren(view: UsageView): Array<UsageAgentNode | UsageWorkspaceNode> {
  const out: Array<UsageAgentNode | UsageWorkspaceNode> = view.agents.map((a) => new UsageAgentNode(a));
  if (view.workspace) out.push(new UsageWorkspaceNode(view.workspace));
  return out;
}

export type UsageTreeNode = UsageRootNode | UsageAgentNode | UsageWorkspaceNode;
