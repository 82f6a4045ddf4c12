import * as vscode from 'vscode';
import type { AppModel } from '../../core/appModel';
import { errorReason, formatMeterValue, meterSeverity, type Thresholds } from '../../shared/format';
import { displayStatus, pickStatusMeter, type AccountEntry, type DisplayStatus } from '../../core/summary';
import { accountTooltip, escapeMd } from '../tooltip';
import { costText, todaySpendSuffix } from '../usageText';
import { formatTokens } from '../../shared/usageFormat';
import type { UsageViewProvider } from '../tree/usageNodes';
import type { UsageTotalsView } from '../../shared/protocol';

/** "**Local agents today:** $3.21 · 1.2M tokens · 12 requests", for the tooltips. */
function spendLine(t: UsageTotalsView, when: string): string {
  return `**Local agents ${when}:** ${escapeMd(costText(t))} · ${escapeMd(formatTokens(t.tokens.total))} tokens · ${t.requests} requests`;
}

/** The status bar's short figure: the money ("$3.21"), or the tokens when every request was unpriced. */
function shortFigure(t: { costUSD?: number; tokens: { total: number } }): string {
  return t.costUSD === undefined ? `${formatTokens(t.tokens.total)} tokens` : `$${t.costUSD.toFixed(2)}`;
}

export interface StatusBarSettings {
  enabled(): boolean;
  pinned(): string;
  show(): 'used' | 'remaining';
  thresholds(): Thresholds;
  /** Append today's local agent spend (`tokstat.statusBar.showTodaySpend`); needs the `usage` source. */
  showTodaySpend?(): boolean;
}

/**
 * The glance: the meter closest to its limit (or the pinned one), coloured at the thresholds, a Markdown tooltip
 * with every account, a spinner while loading, and a prompt to add an account when there is none.
 */
export class StatusBarController implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly model: AppModel,
    private readonly settings: StatusBarSettings,
    private readonly usage?: UsageViewProvider,
  ) {
    this.item = vscode.window.createStatusBarItem('main', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'tokstat';
    this.disposables.push(this.item);
    this.disposables.push(model.onDidChange(() => this.schedule()));
    if (usage) this.disposables.push(usage.onDidChange(() => this.schedule()));
    const tick = setInterval(() => this.render(), 60_000);
    this.disposables.push({ dispose: () => clearInterval(tick) });
    this.render();
  }

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, 50);
  }

  render(): void {
    if (!this.settings.enabled()) {
      this.item.hide();
      return;
    }
    const entries = this.model.entries();
    const now = Date.now();
    const anyLoading = entries.some((e) => e.loading);
    this.item.backgroundColor = undefined;
    if (entries.length === 0) {
      this.renderWithoutAccounts();
      return;
    }
    const spend = this.todaySpend();
    const pick = pickStatusMeter(entries, this.settings.pinned());
    const e = pick!.entry;
    const status = displayStatus(e, now);
    const icon = anyLoading ? '$(sync~spin)' : status === 'auth-required' ? '$(warning)' : status === 'error' ? '$(error)' : '$(pulse)';
    const value = pick?.meter ? formatMeterValue(pick.meter, this.settings.show()) : e.loading ? 'loading…' : 'unknown';
    // Numbers that are not fresh say so, and why: frozen until the user acts (rejected credentials), stale while
    // tokstat keeps retrying. Without numbers the reason is the value.
    const why = stateWord(e, status);
    let shown = value;
    let mark = '';
    if (pick?.meter) {
      if (status === 'auth-required') mark = ` (frozen: ${why ?? 'sign in again'})`;
      else if (status === 'stale' || status === 'error') mark = why ? ` (stale: ${why})` : ' (stale)';
    } else if (status === 'auth-required' || status === 'error') {
      shown = why ?? (status === 'error' ? 'error' : 'sign in again');
    }
    this.item.text = `${icon} ${e.account.name} ${shown}${mark}${spend?.suffix ?? ''}`;
    this.item.accessibilityInformation = {
      label: `tokstat: ${e.account.name}${pick?.meter ? ` ${pick.meter.label}` : ''} ${shown}${mark}${spend?.suffix ?? ''}`,
    };
    const sev = pick?.meter ? meterSeverity(pick.meter, this.settings.thresholds()) : 'unknown';
    if (sev === 'error') this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    else if (sev === 'warning' || status === 'auth-required' || (!pick?.meter && status === 'error')) {
      // Frozen numbers are coloured even when the number itself is fine: they will not change until the user acts.
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['tokstat.openDashboard', 'tokstat.refreshAll', 'tokstat.addAccount'] };
    entries.forEach((entry, i) => {
      if (i > 0) md.appendMarkdown('\n\n---\n\n');
      md.appendMarkdown(accountTooltip(entry, now).value);
    });
    if (spend) md.appendMarkdown(`\n\n---\n\n${spend.tooltip}`);
    if (pick?.pinMissed) md.appendMarkdown(`\n\n_The pinned "${escapeMd(this.settings.pinned())}" matches no account or meter._`);
    md.appendMarkdown('\n\n[$(dashboard) Dashboard](command:tokstat.openDashboard) · [$(refresh) Refresh all](command:tokstat.refreshAll) · [$(add) Add account](command:tokstat.addAccount)');
    this.item.tooltip = md;
    this.item.command = 'tokstat.openDashboard';
    this.item.show();
  }

  /**
   * No account: what the local agents cost, when there is anything to say (today's spend, else this month's), so a
   * user who only wants agent cost gets it at a glance; otherwise a quiet icon that never asks for anything. Either
   * can be hidden from the status bar's context menu or with `tokstat.statusBar.enabled`.
   */
  private renderWithoutAccounts(): void {
    const view = this.usage?.view();
    const add = '[$(add) Add an account](command:tokstat.addAccount) to see what your plans and keys have left';
    const hide = '_Right-click to hide this item, or turn off `tokstat.statusBar.enabled`._';
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['tokstat.openDashboard', 'tokstat.addAccount'] };
    const today = view?.visible ? view.totals.today : undefined;
    const month = view?.visible ? view.totals.month : undefined;
    const shown = today && today.requests > 0 ? { t: today, when: 'today' } : month && month.requests > 0 ? { t: month, when: 'this month' } : undefined;
    if (shown) {
      const cost = costText(shown.t);
      this.item.text = `$(pulse) ${shortFigure(shown.t)} ${shown.when}`;
      md.appendMarkdown(`${spendLine(shown.t, shown.when)} (API-equivalent prices)\n\n`);
      md.appendMarkdown(`[$(dashboard) Dashboard](command:tokstat.openDashboard) · ${add}\n\n${hide}`);
      this.item.command = 'tokstat.openDashboard';
      this.item.accessibilityInformation = { label: `tokstat: local agents ${shown.when} ${cost}; no accounts yet, Add account` };
    } else {
      this.item.text = '$(pulse)';
      md.appendMarkdown(`**tokstat** — no AI accounts yet.\n\n${add}.\n\n${hide}`);
      this.item.command = 'tokstat.addAccount';
      this.item.accessibilityInformation = { label: 'tokstat: no accounts yet, Add account' };
    }
    this.item.tooltip = md;
    this.item.show();
  }

  /** The optional " · $3.21 today" suffix and its tooltip line, when enabled and usage exists. */
  private todaySpend(): { suffix: string; tooltip: string } | undefined {
    if (!this.usage || !this.settings.showTodaySpend?.()) return undefined;
    const view = this.usage.view();
    if (!view?.visible) return undefined;
    const t = view.totals.today;
    return {
      suffix: todaySpendSuffix(view),
      tooltip: spendLine(t, 'today'),
    };
  }

  /** What the item shows, for tests. */
  describe(): { text: string; tooltip: string; accessibilityLabel: string } {
    const t = this.item.tooltip;
    return {
      text: this.item.text,
      tooltip: typeof t === 'string' ? t : (t?.value ?? ''),
      accessibilityLabel: this.item.accessibilityInformation?.label ?? '',
    };
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** Why an account's numbers are not fresh, in two or three lowercase words ("key rejected", "rate limited"). */
function stateWord(e: AccountEntry, status: DisplayStatus): string | undefined {
  const err = e.snapshot?.error;
  if (!err || status === 'ok' || status === 'pending') return undefined;
  const r = errorReason(err, e.account.authKind);
  return r.charAt(0).toLowerCase() + r.slice(1);
}
