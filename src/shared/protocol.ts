// Typed messages between the extension host and the dashboard webview (both bundles import this file).
// Inbound messages (webview → host) are validated with zod before the host acts on them; the webview
// starts the exchange with `ready` and the host answers with the full state, then pushes updates.
import * as z from 'zod/mini';
import type { Snapshot } from '../core/model';
import type { Thresholds } from '../core/format';

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
}

export interface DashboardState {
  accounts: DashboardAccount[];
  thresholds: Thresholds;
  /** Host clock at the time the state was sent (epoch ms); the webview ticks countdowns from it. */
  now: number;
}

export type HostToWebview = { type: 'state'; state: DashboardState };

const accountId = z.string().check(z.minLength(1), z.maxLength(200));

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh'), accountId: z.optional(accountId) }),
  z.object({ type: z.literal('signIn'), accountId }),
  z.object({ type: z.literal('addAccount') }),
  z.object({ type: z.literal('openSettings') }),
  z.object({ type: z.literal('showLog') }),
]);

export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

/** State the webview persists with `setState` so a reloaded window restores the panel. */
export interface DashboardPersistedState {
  version: 1;
  scrollY?: number;
}
