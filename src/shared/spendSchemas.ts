// The Spend view's messages (host → webview `spend` and `focus`) and ranges, with the same zod/mini rules as
// protocolSchemas.ts (which re-exports them): a malformed view costs only the Spend section.
import * as z from 'zod/mini';
import type { SpendView } from './protocol';

/** The Spend view's ranges (protocol.ts re-exports them with the `SpendRange` type). */
export const SPEND_RANGES = ['7d', '30d', '12m'] as const;

const num = z.number();
const str = z.string();
const list = <T extends z.ZodMiniType>(item: T, max: number) => z.array(item).check(z.maxLength(max));

/** An amount; null is unknown (before tokstat saw the source), never 0. */
const amount = z.nullable(num);
const MAX_SPEND_BUCKETS = 400;

export const spendViewSchema: z.ZodMiniType<SpendView> = z
  .object({
    range: z.enum(SPEND_RANGES),
    unit: z.enum(['day', 'month']),
    generatedAt: num,
    currency: str,
    buckets: list(str, MAX_SPEND_BUCKETS),
    stacks: list(z.object({ provider: str, values: list(amount, MAX_SPEND_BUCKETS), total: amount }), 1000),
    rows: list(
      z.object({
        id: str,
        label: str,
        provider: str,
        kind: z.enum(['vendor', 'spend', 'burn', 'agent']),
        currency: str,
        values: list(amount, MAX_SPEND_BUCKETS),
        total: amount,
        topUps: z.optional(num),
      }),
      2000,
    ),
    totals: list(amount, MAX_SPEND_BUCKETS),
    total: amount,
    otherCurrencies: list(z.object({ currency: str, total: num }), 100),
  })
  // One amount per bucket in every series.
  .check(
    z.refine((v) => {
      const n = v.buckets.length;
      return v.totals.length === n && v.stacks.every((s) => s.values.length === n) && v.rows.every((r) => r.values.length === n);
    }),
  );

const spendMessageSchema = z.object({ type: z.literal('spend'), requestId: num, view: z.unknown() });

/** Returns `{ requestId, view }` for a `spend` message; a malformed view becomes `null` (the section says so). */
export function parseSpendMessage(data: unknown): { requestId: number; view: SpendView | null } | undefined {
  const r = spendMessageSchema.safeParse(data);
  if (!r.success) return undefined;
  const view = spendViewSchema.safeParse(r.data.view);
  return { requestId: r.data.requestId, view: view.success ? view.data : null };
}

const focusMessageSchema = z.object({ type: z.literal('focus'), section: z.literal('spend') });

/** 'spend' for a `focus` message (the "Show Spend" command scrolls the page to its section). */
export function parseFocusMessage(data: unknown): 'spend' | undefined {
  return focusMessageSchema.safeParse(data).success ? 'spend' : undefined;
}
