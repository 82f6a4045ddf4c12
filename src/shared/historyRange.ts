// The history charts' ranges, shared by the host (insights.ts, protocol.ts) and the webview bundle. No imports: the
// webview imports it without the message schemas (protocolSchemas.ts).

export type HistoryRange = '24h' | '7d' | '30d' | '90d' | '1y';
export const HISTORY_RANGES: readonly HistoryRange[] = ['24h', '7d', '30d', '90d', '1y'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far back each range reaches from "now". */
export const RANGE_MS: Readonly<Record<HistoryRange, number>> = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY, '1y': 365 * DAY };
/** "last …" in words: the chart's summary, its aria-label, its range buttons and its table caption say the same. */
export const RANGE_LABEL: Readonly<Record<HistoryRange, string>> = { '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days', '1y': 'year' };
