// Typed messages between the extension host and the dashboard webview (both bundles import this file).
// Inbound messages (webview → host) are validated with zod before the host acts on them; the webview
// starts the exchange with `ready` and the host answers with the full state, then pushes updates.
import * as z from 'zod/mini';
import type { Snapshot } from '../core/model';
import type { Thresholds } from '../core/format';
import type { PaceSummary } from '../core/forecast/types';

export interface DashboardAccount {
  id: string;
  name: string;
  providerId: string;
  providerName: string;
  /** Codicon name without `$()`. */
  icon: string;
  authKind: string;
  snapshot?: Snapshot;
  /** A refresh for this account is in flight. */
  loading: boolean;
  /** Epoch ms of the next scheduled poll, when known. */
  nextPollAt?: number;
  /** Pace per meter id, when the history allows a forecast. */
  pace?: Record<string, PaceSummary>;
}

export interface DashboardState {
  accounts: DashboardAccount[];
  thresholds: Thresholds;
  /** Host clock at the time the state was sent (epoch ms); the webview ticks countdowns from it. */
  now: number;
}

export type HistoryRange = '24h' | '7d' | '30d' | '90d' | '1y';
export const HISTORY_RANGES: readonly HistoryRange[] = ['24h', '7d', '30d', '90d', '1y'];

/** One meter's history for a chart, already downsampled by the host to about the pixels available. */
export interface ChartSeries {
  accountId: string;
  meterId: string;
  label: string;
  unit: string;
  range: HistoryRange;
  /** [epoch ms, value] pairs, ascending; value is `used` (or `remaining` for balances). */
  points: Array<[number, number]>;
  /** Horizontal limit line, when the meter has a limit. */
  limit?: number;
  /** Epoch ms of window resets inside the range (vertical markers). */
  resets: number[];
  /** Projected continuation from the last point to the reset, when the pace engine has one. */
  forecast?: Array<[number, number]>;
  pace?: PaceSummary;
  /** Accessible text alternative describing the chart. */
  summary: string;
}

export type HostToWebview =
  | { type: 'state'; state: DashboardState }
  | { type: 'history'; requestId: number; series: ChartSeries | null };

const accountId = z.string().check(z.minLength(1), z.maxLength(200));

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh'), accountId: z.optional(accountId) }),
  z.object({ type: z.literal('signIn'), accountId }),
  z.object({ type: z.literal('addAccount') }),
  z.object({ type: z.literal('openSettings') }),
  z.object({ type: z.literal('showLog') }),
  z.object({
    type: z.literal('requestHistory'),
    requestId: z.number().check(z.int(), z.nonnegative()),
    accountId,
    meterId: z.string().check(z.minLength(1), z.maxLength(200)),
    range: z.enum(['24h', '7d', '30d', '90d', '1y']),
    /** Chart width in CSS pixels: the host downsamples to about this many points. */
    width: z.number().check(z.int(), z.minimum(10), z.maximum(10_000)),
  }),
]);

export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

/** State the webview persists with `setState` so a reloaded window restores the panel. */
export interface DashboardPersistedState {
  version: 1;
  scrollY?: number;
}
