// Money per day as a vendor reports it (OpenAI's and Anthropic's cost buckets), carried on a snapshot for the Spend
// view: the check that makes a provider's days safe for the model.
import { METER_BOUNDS, type DailyAmount } from './model';

export type { DailyAmount };

/** Most daily amounts a snapshot carries (two months of buckets in a few currencies). */
export const MAX_DAILY_SPEND = 200;

/**
 * A provider's daily amounts made safe for the model: a well-formed day, a finite non-negative amount below
 * METER_BOUNDS.amount, a currency code; at most MAX_DAILY_SPEND, the newest kept. Never throws.
 */
export function cleanDailySpend(v: unknown): DailyAmount[] {
  if (!Array.isArray(v)) return [];
  const out: DailyAmount[] = [];
  for (const x of v as unknown[]) {
    if (!x || typeof x !== 'object') continue;
    const { day, amount, currency } = x as Record<string, unknown>;
    if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || amount > METER_BOUNDS.amount) continue;
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) continue;
    out.push({ day, amount, currency });
  }
  return out.slice(-MAX_DAILY_SPEND);
}
