import * as vscode from 'vscode';
import type { AppModel } from '../../core/appModel';
import { errorReason, formatMeterValue, meterSeverity, type Thresholds } from '../../shared/format';
import { displayStatus, pickStatusMeter, type AccountEntry, type DisplayStatus, type StatusPick } from '../../core/summary';
import { cleanPins, combinedText, resolvePins, shortMeterLabel, type ResolvedPin } from '../../core/pins';
import { accountTooltip, escapeMd } from '../tooltip';
import { costText, todaySpendSuffix } from '../usageText';
import { formatTokens } from '../../shared/usageFormat';
import type { UsageViewProvider } from '../tree/usageNodes';
import type { UsageTotalsView } from '../../shared/protocol';
import { formatCount, formatFixed } from '../../shared/numberFormat';

/** "**Local agents today:** $3.21 · 1.2M tokens · 12 requests", for the tooltips. */
function spendLine(t: UsageTotalsView, when: 'today' | 'month'): string {
  const head = when === 'today' ? vscode.l10n.t('Local agents today:') : vscode.l10n.t('Local agents this month:');
  return `**${head}** ${vscode.l10n.t('{0} · {1} tokens · {2} requests', escapeMd(costText(t)), escapeMd(formatTokens(t.tokens.total)), formatCount(t.requests))}`;
}

/** The status bar's short figure: the money ("$3.21"), or the tokens when every request was unpriced. */
function shortFigure(t: { costUSD?: number; tokens: { total: number } }): string {
  return t.costUSD === undefined ? vscode.l10n.t('{0} tokens', formatTokens(t.tokens.total)) : `$${formatFixed(t.costUSD, 2, 2)}`;
}

export interface StatusBarSettings {
  enabled(): boolean;
  pinned(): string;
  show(): 'used' | 'remaining';
  thresholds(): Thresholds;
  /** Append today's local agent spend (`tokstat.statusBar.showTodaySpend`); needs the `usage` source. */
  showTodaySpend?(): boolean;
  /** Meters pinned as their own items, left to right (`tokstat.statusBar.pins`). */
  pins?(): readonly string[];
  /** Show the pins in one compact item (`tokstat.statusBar.combine`). */
  combine?(): boolean;
  /** This month's spend across providers, a Markdown line for the tooltips; undefined when nothing reports money. */
  monthSpend?(): string | undefined;
}

const LINK_COMMANDS = ['tokstat.openDashboard', 'tokstat.refreshAll', 'tokstat.addAccount', 'tokstat.unpinStatusBar', 'tokstat.showSpend'] as const;

/**
 * The glance: the meter closest to its limit (or the pinned one), coloured at the thresholds, a Markdown tooltip
 * with every account, a spinner while loading, and a prompt to add an account when there is none.
 */
export class StatusBarController implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The pinned items by pin (or `combined`), with the place they were created for. */
  private readonly pinned = new Map<string, { item: vscode.StatusBarItem; index: number }>();

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
      this.reconcilePinned([]);
      return;
    }
    const entries = this.model.entries();
    const now = Date.now();
    this.item.backgroundColor = undefined;
    if (entries.length === 0) {
      this.reconcilePinned([]);
      this.renderWithoutAccounts();
      return;
    }
    const spend = this.todaySpend();
    const pins = cleanPins(this.settings.pins?.() ?? []);
    if (pins.length > 0) {
      // Pinned meters replace the automatic item: each its own item (or all in one, `statusBar.combine`).
      this.item.hide();
      this.renderPinned(entries, resolvePins(entries, pins), now, spend);
      return;
    }
    this.reconcilePinned([]);
    const pick = pickStatusMeter(entries, this.settings.pinned());
    const look = this.look(pick!, entries.some((e) => e.loading), now);
    this.item.text = `${look.text}${spend?.suffix ?? ''}`;
    this.item.accessibilityInformation = { label: `tokstat: ${look.label}${spend?.suffix ?? ''}` };
    this.item.backgroundColor = look.background;
    const md = this.tooltipFor(entries, now, spend);
    if (pick?.pinMissed) md.appendMarkdown(`\n\n_${vscode.l10n.t('The pinned "{0}" matches no account or meter.', escapeMd(this.settings.pinned()))}_`);
    this.appendLinks(md);
    this.item.tooltip = md;
    this.item.command = 'tokstat.openDashboard';
    this.item.show();
  }

  /**
   * What one pick looks like: the icon (spinning while `loading`, a warning when frozen, an error), the account's
   * name and value, why the numbers are not fresh, and the background colour of its severity.
   */
  private look(pick: StatusPick, loading: boolean, now: number, short?: string): { text: string; label: string; background: vscode.ThemeColor | undefined } {
    const e = pick.entry;
    const status = displayStatus(e, now);
    const icon = loading ? '$(sync~spin)' : status === 'auth-required' ? '$(warning)' : status === 'error' ? '$(error)' : '$(pulse)';
    const value = pick.meter ? formatMeterValue(pick.meter, this.settings.show()) : e.loading ? vscode.l10n.t('loading…') : vscode.l10n.t('unknown');
    // Numbers that are not fresh say so, and why: frozen until the user acts (rejected credentials), stale while
    // tokstat keeps retrying. Without numbers the reason is the value.
    const why = stateWord(e, status);
    let shown = value;
    let mark = '';
    if (pick.meter) {
      if (status === 'auth-required') mark = ` ${vscode.l10n.t('(frozen: {0})', why ?? vscode.l10n.t('sign in again'))}`;
      else if (status === 'stale' || status === 'error') mark = ` ${why ? vscode.l10n.t('(stale: {0})', why) : vscode.l10n.t('(stale)')}`;
    } else if (status === 'auth-required' || status === 'error') {
      shown = why ?? (status === 'error' ? vscode.l10n.t('error') : vscode.l10n.t('sign in again'));
    }
    const name = short ? `${e.account.name} ${short}` : e.account.name;
    const sev = pick.meter ? meterSeverity(pick.meter, this.settings.thresholds()) : 'unknown';
    let background: vscode.ThemeColor | undefined;
    if (sev === 'error') background = new vscode.ThemeColor('statusBarItem.errorBackground');
    else if (sev === 'warning' || status === 'auth-required' || (!pick.meter && status === 'error')) {
      // Frozen numbers are coloured even when the number itself is fine: they will not change until the user acts.
      background = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
    return {
      text: `${icon} ${name} ${shown}${mark}`,
      label: `${e.account.name}${pick.meter ? ` ${pick.meter.label}` : ''} ${shown}${mark}`,
      background,
    };
  }

  /** Every account's tooltip, then today's agent spend and this month's spend across providers. */
  private tooltipFor(entries: readonly AccountEntry[], now: number, spend: { tooltip: string } | undefined): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [...LINK_COMMANDS] };
    entries.forEach((entry, i) => {
      if (i > 0) md.appendMarkdown('\n\n---\n\n');
      md.appendMarkdown(accountTooltip(entry, now).value);
    });
    if (spend) md.appendMarkdown(`\n\n---\n\n${spend.tooltip}`);
    const month = this.settings.monthSpend?.();
    if (month) md.appendMarkdown(`\n\n---\n\n${month}`);
    return md;
  }

  private appendLinks(md: vscode.MarkdownString, extra = ''): void {
    md.appendMarkdown(
      `\n\n[$(dashboard) ${vscode.l10n.t('Dashboard')}](command:tokstat.openDashboard) · [$(refresh) ${vscode.l10n.t('Refresh all')}](command:tokstat.refreshAll) · [$(add) ${vscode.l10n.t('Add account')}](command:tokstat.addAccount)${extra}`,
    );
  }

  /** One item per pin, left to right in the order of the setting, or a single combined item. */
  private renderPinned(entries: readonly AccountEntry[], pins: ResolvedPin[], now: number, spend: { suffix: string; tooltip: string } | undefined): void {
    if (this.settings.combine?.()) {
      const item = this.reconcilePinned(['combined'])[0]!;
      const text = combinedText(pins, this.settings.show());
      item.text = `$(pulse) ${text}${spend?.suffix ?? ''}`;
      item.accessibilityInformation = { label: `tokstat: ${text}${spend?.suffix ?? ''}` };
      // The combined item takes the colour of its most pressing pin.
      const looks = pins.flatMap((p) => (p.pick ? [this.look(p.pick, false, now).background] : []));
      item.backgroundColor = looks.find((b) => b?.id === 'statusBarItem.errorBackground') ?? looks.find((b) => b !== undefined);
      const shown = new Set(pins.flatMap((p) => (p.pick ? [p.pick.entry.account.id] : [])));
      const md = this.tooltipFor(entries.filter((e) => shown.has(e.account.id)), now, spend);
      const missed = pins.filter((p) => !p.pick).map((p) => `"${escapeMd(p.key)}"`);
      if (missed.length) md.appendMarkdown(`\n\n_${vscode.l10n.t('Pinned but matching no account or meter: {0}.', missed.join(', '))}_`);
      this.appendLinks(md);
      item.tooltip = md;
      item.command = 'tokstat.openDashboard';
      item.show();
      return;
    }
    const items = this.reconcilePinned(pins.map((p) => p.key));
    pins.forEach((p, i) => {
      const item = items[i]!;
      const unpin = ` · [$(pin) ${vscode.l10n.t('Unpin')}](command:tokstat.unpinStatusBar?${encodeURIComponent(JSON.stringify([p.key]))})`;
      const md = new vscode.MarkdownString(undefined, true);
      md.isTrusted = { enabledCommands: [...LINK_COMMANDS] };
      if (!p.pick) {
        item.text = `$(pulse) ${vscode.l10n.t('{0}: not found', p.key)}`;
        item.accessibilityInformation = { label: `tokstat: ${vscode.l10n.t('the pinned {0} matches no account or meter', p.key)}` };
        item.backgroundColor = undefined;
        md.appendMarkdown(`_${vscode.l10n.t('The pinned "{0}" matches no account or meter (renamed or removed?).', escapeMd(p.key))}_`);
      } else {
        const short = p.pick.meter ? shortMeterLabel(p.pick.meter) : undefined;
        const look = this.look(p.pick, p.pick.entry.loading, now, short);
        // Today's agent spend goes on the last item only, not once per pin.
        const suffix = i === pins.length - 1 ? (spend?.suffix ?? '') : '';
        item.text = `${look.text}${suffix}`;
        item.accessibilityInformation = { label: `tokstat: ${look.label}${suffix}` };
        item.backgroundColor = look.background;
        md.appendMarkdown(accountTooltip(p.pick.entry, now).value);
        if (spend) md.appendMarkdown(`\n\n---\n\n${spend.tooltip}`);
        const month = this.settings.monthSpend?.();
        if (month) md.appendMarkdown(`\n\n---\n\n${month}`);
      }
      this.appendLinks(md, unpin);
      item.tooltip = md;
      item.command = 'tokstat.openDashboard';
      item.show();
    });
  }

  /**
   * Keeps one item per key, in order: an item whose place changed is made again (a status bar item's priority, which
   * orders it, is fixed when it is created); items no longer wanted are disposed.
   */
  private reconcilePinned(keys: readonly string[]): vscode.StatusBarItem[] {
    const wanted = new Map(keys.map((k, i) => [k, i]));
    for (const [k, p] of this.pinned) {
      if (wanted.get(k) !== p.index) {
        p.item.dispose();
        this.pinned.delete(k);
      }
    }
    return keys.map((k, i) => {
      let p = this.pinned.get(k);
      if (!p) {
        // Right-aligned items with a higher priority sit further left: the first pin is the leftmost.
        const item = vscode.window.createStatusBarItem(`pin:${k}`, vscode.StatusBarAlignment.Right, 100 - i * 0.001);
        item.name = k === 'combined' ? vscode.l10n.t('tokstat (pinned meters)') : `tokstat: ${k}`;
        p = { item, index: i };
        this.pinned.set(k, p);
      }
      return p.item;
    });
  }

  /**
   * No account: what the local agents cost, when there is anything to say (today's spend, else this month's), so a
   * user who only wants agent cost gets it at a glance; otherwise a quiet icon that never asks for anything. Either
   * can be hidden from the status bar's context menu or with `tokstat.statusBar.enabled`.
   */
  private renderWithoutAccounts(): void {
    const view = this.usage?.view();
    const add = vscode.l10n.t('[$(add) Add an account](command:tokstat.addAccount) to see what your plans and keys have left');
    const hide = `_${vscode.l10n.t('Right-click to hide this item, or turn off `tokstat.statusBar.enabled`.')}_`;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['tokstat.openDashboard', 'tokstat.addAccount'] };
    const today = view?.visible ? view.totals.today : undefined;
    const month = view?.visible ? view.totals.month : undefined;
    const shown = today && today.requests > 0 ? { t: today, when: 'today' as const } : month && month.requests > 0 ? { t: month, when: 'month' as const } : undefined;
    if (shown) {
      const cost = costText(shown.t);
      const figure = shortFigure(shown.t);
      this.item.text = `$(pulse) ${shown.when === 'today' ? vscode.l10n.t('{0} today', figure) : vscode.l10n.t('{0} this month', figure)}`;
      md.appendMarkdown(`${spendLine(shown.t, shown.when)} ${vscode.l10n.t('(API-equivalent prices)')}\n\n`);
      md.appendMarkdown(`[$(dashboard) ${vscode.l10n.t('Dashboard')}](command:tokstat.openDashboard) · ${add}\n\n${hide}`);
      this.item.command = 'tokstat.openDashboard';
      this.item.accessibilityInformation = {
        label:
          shown.when === 'today'
            ? vscode.l10n.t('tokstat: local agents today {0}; no accounts yet, Add account', cost)
            : vscode.l10n.t('tokstat: local agents this month {0}; no accounts yet, Add account', cost),
      };
    } else {
      this.item.text = '$(pulse)';
      md.appendMarkdown(`**tokstat** — ${vscode.l10n.t('no AI accounts yet.')}\n\n${add}${vscode.l10n.t('.')}\n\n${hide}`);
      this.item.command = 'tokstat.addAccount';
      this.item.accessibilityInformation = { label: vscode.l10n.t('tokstat: no accounts yet, Add account') };
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
    return describeItem(this.item);
  }

  /** The pinned items shown, left to right, for tests. */
  describePinned(): Array<{ text: string; tooltip: string; accessibilityLabel: string; background?: string }> {
    return [...this.pinned.values()]
      .sort((a, b) => a.index - b.index)
      .map((p) => ({ ...describeItem(p.item), ...(p.item.backgroundColor ? { background: (p.item.backgroundColor as vscode.ThemeColor).id } : {}) }));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    for (const p of this.pinned.values()) p.item.dispose();
    this.pinned.clear();
  }
}

function describeItem(item: vscode.StatusBarItem): { text: string; tooltip: string; accessibilityLabel: string } {
  const t = item.tooltip;
  return { text: item.text, tooltip: typeof t === 'string' ? t : (t?.value ?? ''), accessibilityLabel: item.accessibilityInformation?.label ?? '' };
}

/** Why an account's numbers are not fresh, in two or three lowercase words ("key rejected", "rate limited"). */
function stateWord(e: AccountEntry, status: DisplayStatus): string | undefined {
  const err = e.snapshot?.error;
  if (!err || status === 'ok' || status === 'pending') return undefined;
  const r = errorReason(err, e.account.authKind);
  return r.charAt(0).toLowerCase() + r.slice(1);
}

/**
 * "**Spent this month:** $12.40 across 3 sources" (and other currencies after it), in the user's locale, for the
 * tooltips; undefined when nothing reports money this month.
 */
export function monthSpendLine(month: ReadonlyArray<{ currency: string; amount: number; sources: number }>): string | undefined {
  if (month.length === 0) return undefined;
  const parts = month.map((m) => escapeMd(formatMoney(m.amount, m.currency)));
  const sources = month.reduce((n, m) => n + m.sources, 0);
  return `**${vscode.l10n.t('Spent this month:')}** ${parts.join(' + ')} ${escapeMd(vscode.l10n.t('across {0} source(s), agents at API-equivalent prices', sources))} · [${vscode.l10n.t('Spend')}](command:tokstat.showSpend)`;
}

/** Money in the user's locale (VS Code's display language), e.g. "$1,234.50" or "1.234,50 €". */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(vscode.env.language, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}
