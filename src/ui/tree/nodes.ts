import * as vscode from 'vscode';
import { errorReason, formatAge, formatMeterValue, formatMoment, formatResetIn, formatUsedOfLimit, meterSeverity, type Severity, type Thresholds } from '../../shared/format';
import type { Meter } from '../../shared/model';
import { displayStatus, mainMeter, type AccountEntry } from '../../core/summary';
import { accountTooltip, incidentLine, incidentText, meterTooltip } from '../tooltip';
import type { ProviderIncident } from '../../shared/incidents';
import { meterLabelText } from '../../shared/meterLabels';
import type { ExportState } from '../../core/export/runner';
import { formatCount } from '../../shared/numberFormat';

// One class per node kind; `contextValue` is a list of tokens matched in package.json menus by regex.

// Provider and account nodes are kept by the tree provider and updated in place (see AccountsTreeProvider), so
// that VS Code can be told to refresh those very rows.

export class ProviderNode {
  readonly kind = 'provider' as const;
  constructor(
    readonly providerId: string,
    readonly providerName: string,
    readonly icon: string,
    public entries: AccountEntry[],
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.providerName, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `provider:${this.providerId}`;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.description = this.entries.length === 1 ? vscode.l10n.t('1 account') : vscode.l10n.t('{0} accounts', this.entries.length);
    item.contextValue = `provider ${this.providerId}`;
    return item;
  }
}

const SEVERITY_COLOR: Record<Severity, string | undefined> = {
  ok: 'charts.green',
  warning: 'charts.yellow',
  error: 'charts.red',
  unknown: undefined,
};

export class AccountNode {
  readonly kind = 'account' as const;
  constructor(
    private current: AccountEntry,
    private thresholds: Thresholds,
    private now: number,
  ) {}

  get entry(): AccountEntry {
    return this.current;
  }

  get accountId(): string {
    return this.current.account.id;
  }

  /** The row's data as of now (the id stays: a node is only ever updated with its own account's entry). */
  update(entry: AccountEntry, thresholds: Thresholds, now: number): void {
    this.current = entry;
    this.thresholds = thresholds;
    this.now = now;
  }

  toTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(e.account.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `account:${e.account.id}`;
    const status = displayStatus(e, this.now);
    const main = mainMeter(e.snapshot);
    const tokens = ['account', e.account.providerId, status];
    // The context menu offers "Replace Key…" to an API-key account and "Sign In Again" to the others.
    const apiKey = e.account.authKind === 'api-key';
    tokens.push(apiKey ? 'apikey' : 'relogin');
    const err = e.snapshot?.error;
    // Under its provider's row, the reason needs no provider name, and the status code is in the row below and the
    // tooltip: "Key rejected · 68% stale" fits the sidebar's default width.
    // While the provider's own status page reports an incident, a failed poll says so first (issue #20 §3).
    const reason = err ? (e.incident ? incidentText(e.incident) : errorReason(err, e.account.authKind)) : undefined;
    const value = main ? formatMeterValue(main) : undefined;
    let description: string;
    let icon: vscode.ThemeIcon;
    if (e.loading && !e.snapshot) {
      description = vscode.l10n.t('loading…');
      icon = new vscode.ThemeIcon('sync~spin');
    } else if (status === 'auth-required') {
      description = [reason ?? (apiKey ? vscode.l10n.t('Key rejected') : vscode.l10n.t('Sign in again')), value ? vscode.l10n.t('{0} stale', value) : undefined].filter(Boolean).join(' · ');
      icon = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      tokens.push(apiKey ? 'replacekey' : 'signin');
    } else if (status === 'error') {
      description = reason ?? vscode.l10n.t('Refresh failed');
      icon = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    } else if (status === 'stale') {
      description = reason
        ? [reason, value ? vscode.l10n.t('{0} stale', value) : vscode.l10n.t('stale')].join(' · ')
        : [value, vscode.l10n.t('stale, {0}', formatAge(e.snapshot?.lastSuccessAt, this.now))].filter(Boolean).join(' · ');
      icon = new vscode.ThemeIcon('history', new vscode.ThemeColor('list.warningForeground'));
    } else if (status === 'pending') {
      description = vscode.l10n.t('not fetched yet');
      icon = new vscode.ThemeIcon('circle-outline');
    } else {
      const sev = main ? meterSeverity(main, this.thresholds) : 'unknown';
      // Short enough for the sidebar's default width: a long plan name stays in the tooltip.
      const plan = e.snapshot?.plan && e.snapshot.plan.length <= 12 ? e.snapshot.plan : undefined;
      description = [value, plan].filter(Boolean).join(' · ');
      const color = SEVERITY_COLOR[sev];
      icon = new vscode.ThemeIcon('account', color ? new vscode.ThemeColor(color) : undefined);
    }
    if (e.incident && status === 'ok') {
      // The badge: the incident's icon and word ahead of the numbers (its title is the row below and the tooltip).
      description = [vscode.l10n.t('Incident'), description].filter(Boolean).join(' · ');
      icon = new vscode.ThemeIcon('broadcast', new vscode.ThemeColor('list.warningForeground'));
    }
    if (e.incident) tokens.push('incident');
    if (e.loading && e.snapshot) icon = new vscode.ThemeIcon('sync~spin');
    item.description = description;
    item.iconPath = icon;
    item.tooltip = accountTooltip(e, this.now);
    item.contextValue = tokens.join(' ');
    item.accessibilityInformation = { label: `${e.account.name}, ${e.providerName}, ${description}` };
    return item;
  }
}

export class MeterNode {
  readonly kind = 'meter' as const;
  constructor(
    readonly entry: AccountEntry,
    readonly meter: Meter,
    private readonly thresholds: Thresholds,
    private readonly now: number,
    /** Pinned to the status bar: the row offers Unpin and Move Left/Right instead of Pin. */
    readonly pinned = false,
  ) {}

  get accountId(): string {
    return this.entry.account.id;
  }

  /** The text "Copy Value" puts on the clipboard. */
  copyText(): string {
    const v = formatMeterValue(this.meter);
    const d = formatUsedOfLimit(this.meter);
    const label = meterLabelText(this.meter.label);
    return d === v ? vscode.l10n.t('{0}: {1}', label, v) : vscode.l10n.t('{0}: {1} ({2})', label, v, d);
  }

  toTreeItem(): vscode.TreeItem {
    const m = this.meter;
    const label = meterLabelText(m.label);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `meter:${this.entry.account.id}:${m.id}`;
    // The value, then either "stale" (the numbers are not fresh: a failed refresh, rejected credentials, or simply
    // old) or when the meter resets. Used / limit is in the tooltip: the row stays short enough for the default width.
    const parts = [formatMeterValue(m)];
    const status = displayStatus(this.entry, this.now);
    const stale = status === 'stale' || status === 'auth-required' || status === 'error';
    const reset = formatResetIn(m.resetsAt, this.now);
    if (stale) parts.push(vscode.l10n.t('stale'));
    else if (reset) parts.push(reset);
    item.description = parts.join(' · ');
    const sev = meterSeverity(m, this.thresholds);
    const color = SEVERITY_COLOR[sev];
    const iconName = m.unlimited ? 'pass' : sev === 'unknown' ? 'circle-outline' : sev === 'ok' ? 'circle-filled' : 'warning';
    item.iconPath = new vscode.ThemeIcon(iconName, color ? new vscode.ThemeColor(color) : undefined);
    item.tooltip = meterTooltip(this.entry, m, this.now);
    item.contextValue = `meter ${m.kind}${this.pinned ? ' pinned' : ''}`;
    item.accessibilityInformation = { label: vscode.l10n.t('{0}: {1}', label, parts.join(vscode.l10n.t(', '))) };
    return item;
  }
}

/** The incident the provider's status page reports, first under the account; opens the status page. */
export class IncidentNode {
  readonly kind = 'incident' as const;
  constructor(
    readonly accountId: string,
    readonly incident: ProviderIncident,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const i = this.incident;
    const item = new vscode.TreeItem(incidentText(i), vscode.TreeItemCollapsibleState.None);
    item.id = `incident:${this.accountId}`;
    item.description = [i.impact !== 'unknown' && i.impact !== 'none' ? i.impact : undefined, i.status].filter(Boolean).join(' · ');
    const md = new vscode.MarkdownString(incidentLine(i), true);
    md.isTrusted = false;
    item.tooltip = md;
    item.iconPath = new vscode.ThemeIcon('broadcast', new vscode.ThemeColor('list.warningForeground'));
    if (i.url) item.command = { command: 'vscode.open', title: vscode.l10n.t('Open Status Page'), arguments: [vscode.Uri.parse(i.url)] };
    item.contextValue = 'incident';
    item.accessibilityInformation = { label: [incidentText(i), item.description].filter(Boolean).join(', ') };
    return item;
  }
}

/** A row that explains a problem and offers its fix (sign in again, retry, …). */
export class StatusNode {
  readonly kind = 'status' as const;
  constructor(
    readonly accountId: string,
    readonly label: string,
    readonly detail: string,
    readonly icon: string,
    readonly command: vscode.Command,
    /** The longer explanation on hover (the detail when absent). */
    readonly hover?: string,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = `status:${this.accountId}:${this.command.command}`;
    item.description = this.detail;
    item.tooltip = this.hover ?? this.detail;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.command = this.command;
    item.contextValue = 'status';
    return item;
  }
}

/** The sign-ins of coding tools found on this machine and not tracked yet, offered at the top of the tree. */
export class FoundNode {
  readonly kind = 'found' as const;
  constructor(readonly tools: readonly string[]) {}

  toTreeItem(): vscode.TreeItem {
    const list =
      this.tools.length <= 1 ? (this.tools[0] ?? '') : vscode.l10n.t('{0} and {1}', this.tools.slice(0, -1).join(vscode.l10n.t(', ')), this.tools[this.tools.length - 1]!);
    const item = new vscode.TreeItem(vscode.l10n.t('Track {0}', list), vscode.TreeItemCollapsibleState.None);
    item.id = 'found-sign-ins';
    item.description = vscode.l10n.t('signed in on this machine');
    item.tooltip =
      this.tools.length === 1
        ? vscode.l10n.t('{0} is signed in on this machine. Click to track its plan limits: tokstat reads the sign-in before each poll and never copies it.', list)
        : vscode.l10n.t('{0} are signed in on this machine. Click to track their plan limits: tokstat reads the sign-in before each poll and never copies it.', list);
    item.iconPath = new vscode.ThemeIcon('add');
    item.command = { command: 'tokstat.addFoundSignIns', title: vscode.l10n.t('Add Sign-ins Found on This Machine') };
    item.contextValue = 'found';
    return item;
  }
}

/** "Export failing since …": the one visible state of a team export that cannot reach its collector (#23). */
export class ExportNode {
  readonly kind = 'export' as const;
  constructor(
    readonly state: ExportState,
    private readonly now: number,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const since = this.state.failingSince !== undefined ? formatMoment(this.state.failingSince, this.now, vscode.env.language) : '';
    const item = new vscode.TreeItem(since ? vscode.l10n.t('Export failing since {0}', since) : vscode.l10n.t('Export failing'), vscode.TreeItemCollapsibleState.None);
    item.id = 'export-state';
    item.description = this.state.lastError ?? '';
    item.tooltip = [
      vscode.l10n.t('tokstat cannot reach {0}: {1}', this.state.url, this.state.lastError ?? ''),
      vscode.l10n.t('It keeps trying with a growing delay; polling and the figures here are not affected.'),
      this.state.dropped > 0 ? vscode.l10n.t('{0} exports dropped so far (the oldest go first).', formatCount(this.state.dropped)) : '',
      vscode.l10n.t('Click to see the log.'),
    ].filter(Boolean).join('\n');
    item.iconPath = new vscode.ThemeIcon('cloud-upload', new vscode.ThemeColor('charts.yellow'));
    item.command = { command: 'tokstat.showLog', title: vscode.l10n.t('Show Log') };
    item.contextValue = 'exportFailing';
    return item;
  }
}

export type TreeNode = ProviderNode | AccountNode | MeterNode | StatusNode | FoundNode | ExportNode | IncidentNode;
