// The words the tree and the status bar put around the local-agent usage view (number formats live in
// src/shared/usageFormat.ts, for the webview too).

import type { UsageAgentView, UsageTotalsView, UsageView } from '../shared/protocol';
import { formatTokens, formatUsd } from '../shared/usageFormat';

/** The cost of a total, noting unpriced requests when only some had a price: "$3.21 (+2 unpriced)". */
export function costText(t: Pick<UsageTotalsView, 'costUSD' | 'unpricedRequests' | 'requests'>): string {
  const base = formatUsd(t.costUSD);
  return t.costUSD !== undefined && t.unpricedRequests > 0 ? `${base} (+${t.unpricedRequests} unpriced)` : base;
}

/** Tree description of an agent: "today $3.21 · 1.2M tokens · month $45.10". */
export function agentDescription(a: Pick<UsageAgentView, 'today' | 'month'>): string {
  return `today ${formatUsd(a.today.costUSD)} · ${formatTokens(a.today.tokens.total)} tokens · month ${formatUsd(a.month.costUSD)}`;
}

/** Status-bar suffix: " · $3.21 today" or " · unpriced today". */
export function todaySpendSuffix(view: UsageView): string {
  return ` · ${formatUsd(view.totals.today.costUSD)} today`;
}

/** Markdown-free lines describing a total (tooltips). */
export function totalsLines(t: UsageTotalsView): string[] {
  const k = t.tokens;
  const lines = [
    `Cost: ${costText(t)}`,
    `Tokens: ${formatTokens(k.total)} (input ${formatTokens(k.input)}, output ${formatTokens(k.output)}, cache read ${formatTokens(k.cacheRead)}, cache write ${formatTokens(k.cacheWrite)})`,
  ];
  if (k.reasoning > 0) lines.push(`Reasoning: ${formatTokens(k.reasoning)} (inside output)`);
  lines.push(`Requests: ${t.requests.toLocaleString('en-US')}`);
  return lines;
}

