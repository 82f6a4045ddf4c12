// Shapes shared by the alert engine, its state store and the host adapter that shows the notifications.
import type { PaceSummary } from '../../shared/pace';
import type { Snapshot } from '../../shared/model';

export type AlertKind = 'threshold' | 'predictive' | 'reset' | 'lowBalance';

export const ALERT_KINDS: readonly AlertKind[] = ['threshold', 'predictive', 'reset', 'lowBalance'];

export interface AlertOptions {
  /** Master switch (`tokstat.alerts.enabled`). */
  enabled: boolean;
  /** Percent-used levels, ascending, each notified once per episode (`tokstat.alerts.thresholds`, default 80, 95). */
  thresholds: number[];
  /** Percentage points usage must fall below a threshold before that threshold can notify again. */
  hysteresis: number;
  /** Each kind can be turned off on its own. `reset` also covers a balance being topped up. */
  kinds: Record<AlertKind, boolean>;
  /**
   * A money balance with less than this left (in its own currency) is low. Credits, tokens and other units are low
   * under 10 % of the most seen since the last top-up (and under 1 left). 0 turns every low-balance check off.
   */
  lowBalance: number;
  /** This many alerts of one kind and level shown together become one grouped notification. */
  groupAt: number;
  /** At most this many notifications are shown within `rateWindowMs`; more are folded into one summary. */
  maxSeparate: number;
  rateWindowMs: number;
  /** Reset and top-up notices wait this long for the others of the same event (accounts polled minutes apart). */
  holdMs: number;
  /** A predicted run-out must come at least this long before the reset to be worth a notification. */
  predictiveMinLeadMs: number;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = {
  enabled: true,
  thresholds: [80, 95],
  hysteresis: 5,
  kinds: { threshold: true, predictive: true, reset: true, lowBalance: true },
  lowBalance: 5,
  groupAt: 3,
  maxSeparate: 3,
  rateWindowMs: 600_000,
  holdMs: 600_000,
  predictiveMinLeadMs: 3_600_000,
};

/** What the engine is told about one account after a poll. */
export interface AlertObservation {
  accountId: string;
  /** The user's label for the account (shown in messages; never a secret). */
  accountName: string;
  snapshot: Snapshot;
  /** Pace per meter id, when the history allows one. */
  paces?: Readonly<Record<string, PaceSummary>>;
}

export interface AlertTarget {
  accountId: string;
  meterId: string;
}

export interface AlertNotification {
  kind: AlertKind;
  severity: 'info' | 'warning';
  message: string;
  /** The meters it covers: one for a single alert, several for a grouped one (Snooze applies to all). */
  targets: AlertTarget[];
  grouped: boolean;
  /** The threshold crossed, for `threshold` alerts. */
  level?: number;
  /** Set on a balance top-up (a `reset`-kind alert about a balance). */
  refill?: boolean;
}

/** A decided notification with its account's name (for grouping it with others). */
export interface NamedNotification extends AlertNotification {
  accountName: string;
}

/** A notification waiting in the shared state (storm control) since `heldAt`. */
export interface HeldNotification extends NamedNotification {
  heldAt: number;
}

/** Per account/meter memory of what was already said in the current episode. */
export interface MeterEpisode {
  /** Highest threshold notified in the current episode. */
  level?: number;
  /** A run-out before the reset was announced in this window. */
  predicted?: boolean;
  /** Since when the projection has stayed clearly under the limit after a predictive alert (re-arms it when long). */
  calmSince?: number;
  /** A low balance was announced and not topped up since. */
  low?: boolean;
  /**
   * Highest percent seen in the current window (a reset is worth telling only when it was high); for a balance, the
   * most left since the last top-up (the scale of a credits or tokens balance).
   */
  peak?: number;
  /** Last percent used, or remaining amount for balances. */
  last?: number;
  resetsAt?: number;
  /** Epoch ms until which this meter stays quiet. */
  snoozedUntil?: number;
  /** Epoch ms of the last observation, for pruning meters that vanished. */
  seenAt: number;
}

export interface AlertState {
  version: 1;
  /** Keyed by `${accountId}/${meterId}`. */
  meters: Record<string, MeterEpisode>;
  /** Notifications decided but not shown yet (storm control), oldest first. */
  held?: HeldNotification[];
  /** When the notifications shown within the rate window were shown, ascending. */
  shown?: number[];
}

export function emptyAlertState(): AlertState {
  return { version: 1, meters: {} };
}

/** Persistence port: one small document shared by every window (so a restart or a leader change does not re-notify). */
export interface AlertStateStore {
  /** The stored state, or an empty one when absent or unreadable (never throws for bad content). */
  load(): Promise<AlertState>;
  /**
   * Reads the state, hands it to `change` and writes what `change` returns (nothing when it returns undefined), as one
   * step no other window's update interleaves with: the leader decides while another window snoozes, and a plain
   * read-modify-write by each lost one of the two.
   */
  update(change: (state: AlertState) => AlertState | undefined): Promise<void>;
}
