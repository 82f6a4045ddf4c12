import { l10n } from './l10n';
// The history charts' ranges, shared by the host (insights.ts, protocol.ts) and the webview bundle. No imports: the
// webview imports it without the message schemas (protocolSchemas.ts).

export type HistoryRange = '24h' | '7d' | '30d' | '90d' | '1y';
export const HISTORY_RANGES: readonly HistoryRange[] = ['24h', '7d', '30d', '90d', '1y'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far back each range reaches from "now". */
export const RANGE_MS: Readonly<Record<HistoryRange, number>> = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY, '1y': 365 * DAY };
/** "last …" in words: the chart's summary, its aria-label, its range buttons and its table caption say the same. */
/** "Last …" of each range in the user's language (getters: read when shown). */
export const RANGE_LABEL: Readonly<Record<HistoryRange, string>> = {
  get '24h'() {
    return l10n.t('last 24 hours');
  },
  get '7d'() {
    return l10n.t('last 7 days');
  },
  get '30d'() {
    return l10n.t('last 30 days');
  },
  get '90d'() {
    return l10n.t('last 90 days');
  },
  get '1y'() {
    return l10n.t('last year');
  },
};
