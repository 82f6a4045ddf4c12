// Words for a Copilot billing breakdown (Snapshot.breakdown), shared by the tooltip and the dashboard.
import type { BillingBreakdown } from './model';
import { formatAmount, formatPercent } from './format';

type Ok = Extract<BillingBreakdown, { state: 'ok' }>;

/** "Claude Opus 4.5 900 credits (66%) · Claude Sonnet 4.5 350 credits (26%)": the `n` models that used the most. */
export function topModelsLine(b: Ok, n = 3): string | undefined {
  const rows = b.byModel.filter((r) => r.quantity > 0).slice(0, n);
  if (rows.length === 0) return undefined;
  return rows
    .map((r) => `${r.model} ${formatAmount(r.quantity, b.unit)}${b.totalQuantity > 0 ? ` (${formatPercent((r.quantity / b.totalQuantity) * 100)})` : ''}`)
    .join(' · ');
}

/** "1,370 credits this month · 400 included · $9.70 paid overage" (unknown parts left out, never shown as 0). */
export function breakdownTotalsLine(b: Ok): string {
  const parts = [`${formatAmount(b.totalQuantity, b.unit)} this month`];
  if (b.includedQuantity !== undefined) parts.push(`${formatAmount(b.includedQuantity, '')} included`);
  if (b.netAmount !== undefined) parts.push(`${formatAmount(b.netAmount, b.currency)} paid overage`);
  if (b.scope !== 'user') parts.push(`${b.scope} ${b.scopeName}`);
  return parts.join(' · ');
}
