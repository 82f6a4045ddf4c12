// The words the tree and the status bar put around the local-agent usage view (number formats live in
// src/shared/usageFormat.ts, for the webview too). Plain (no vscode import) so unit tests read it on Node; the words go
// through the shared translator, which the host points at vscode.l10n.t.

import type { UsageAgentView, UsageTotalsView, UsageView } from '../shared/protocol';
import { l10n } from '../shared/l10n';
import { formatTokens, formatUsd } from '../shared/usageFormat';
import { formatCount } from '../shared/numberFormat';

/** The cost of a total, noting unpriced requests when only some had a price: "$3.21 (+2 unpriced)". */
export function costText(t: Pick<UsageTotalsView, 'costUSD' | 'unpricedRequests' | 'requests'>): string {
  const base = formatUsd(t.costUSD);
  return t.costUSD !== undefined && t.unpricedRequests > 0 ? l10n.t('{0} (+{1} unpriced)', base, formatCount(t.unpricedRequests)) : base;
}

/** Tree description of an agent: "today $3.21 · 1.2M tokens · month $45.10". */
export function agentDescription(a: Pick<UsageAgentView, 'today' | 'month'>): string {
  return l10n.t('today {0} · {1} tokens · month {2}', formatUsd(a.today.costUSD), formatTokens(a.today.tokens.total), formatUsd(a.month.costUSD));
}

/** Status-bar suffix: " · $3.21 today" or " · unpriced today". */
export function todaySpendSuffix(view: UsageView): string {
  return ` · ${l10n.t('{0} today', formatUsd(view.totals.today.costUSD))}`;
}

/** Markdown-free lines describing a total (tooltips). */
export function totalsLines(t: UsageTotalsView): string[] {
  const k = t.tokens;
  const lines = [
    l10n.t('Cost: {0}', costText(t)),
    l10n.t('Tokens: {0} (input {1}, output {2}, cache read {3}, cache write {4})', formatTokens(k.total), formatTokens(k.input), formatTokens(k.output), formatTokens(k.cacheRead), formatTokens(k.cacheWrite)),
  ];
  if (k.reasoning > 0) lines.push(l10n.t('Reasoning: {0} (inside output)', formatTokens(k.reasoning)));
  lines.push(l10n.t('Requests: {0}', formatCount(t.requests)));
  return lines;
}

