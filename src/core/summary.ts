// What the surfaces show, derived from accounts + snapshots: the status of an account as displayed (a snapshot
// that is much older than its poll interval is stale even if its last fetch succeeded), each account's main
// meter, and the meter the status bar shows.
import type { Account, Meter, Snapshot, SnapshotStatus } from '../shared/model';
import { meterPressure } from '../shared/model';
import type { PaceSummary } from '../shared/pace';
import type { ProviderIncident } from '../shared/incidents';

export interface AccountEntry {
  account: Account;
  providerName: string;
  icon: string;
  snapshot?: Snapshot;
  loading: boolean;
  nextPollAt?: number;
  /** Poll interval in ms, used to decide when an ok snapshot has become stale. */
  intervalMs: number;
  /** Pace per meter id, when the history allows a forecast. */
  pace?: Record<string, PaceSummary>;
  /** An incident the provider's status page reports now (src/core/incidents), when it concerns this account. */
  incident?: ProviderIncident;
}

export type DisplayStatus = SnapshotStatus | 'pending';

export function displayStatus(e: Pick<AccountEntry, 'snapshot' | 'intervalMs'>, now: number): DisplayStatus {
  const s = e.snapshot;
  if (!s) return 'pending';
  if (s.status === 'ok' && now - s.takenAt > 2 * e.intervalMs + 60_000) return 'stale';
  return s.status;
}

/** The meter that best represents an account: the one closest to its limit, else the first one. */
export function mainMeter(s: Snapshot | undefined): Meter | undefined {
  if (!s || s.meters.length === 0) return undefined;
  let best: Meter | undefined;
  let bestP = -Infinity;
  for (const m of s.meters) {
    const p = meterPressure(m);
    if (p !== undefined && p > bestP) {
      best = m;
      bestP = p;
    }
  }
  return best ?? s.meters[0];
}

export interface StatusPick {
  entry: AccountEntry;
  meter?: Meter;
  /** The pin in settings matched nothing; the pick fell back to the automatic choice. */
  pinMissed?: boolean;
}

/**
 * The account and meter a pin names: "name" (the account's main meter) or "name/meterId". An account name may itself
 * hold a slash, so the longest name that fits wins; names compare without case. Undefined when nothing matches (an
 * account whose snapshot has not arrived yet matches without a meter).
 */
export function matchPin(entries: readonly AccountEntry[], pinned: string): StatusPick | undefined {
  const pin = pinned.trim();
  if (!pin) return undefined;
  const lower = pin.toLowerCase();
  let entry: AccountEntry | undefined;
  for (const e of entries) {
    const n = e.account.name.trim().toLowerCase();
    if ((lower === n || lower.startsWith(`${n}/`)) && n.length > (entry?.account.name.trim().length ?? -1)) entry = e;
  }
  if (!entry) return undefined;
  const rest = pin.slice(entry.account.name.trim().length);
  const meterId = rest.startsWith('/') ? rest.slice(1).trim() : undefined;
  const meter = meterId ? entry.snapshot?.meters.find((m) => m.id === meterId) : mainMeter(entry.snapshot);
  if (!meterId || meter || !entry.snapshot) return { entry, ...(meter ? { meter } : {}) };
  return undefined;
}

/**
 * The status bar's meter: the pinned account ("name") or meter ("name/meterId") when set and present; otherwise the
 * meter closest to its limit across all accounts; otherwise the first account with any meter; otherwise the first account.
 */
export function pickStatusMeter(entries: readonly AccountEntry[], pinned: string | undefined): StatusPick | undefined {
  if (entries.length === 0) return undefined;
  let pinMissed = false;
  if (pinned?.trim()) {
    const hit = matchPin(entries, pinned);
    if (hit) return hit;
    pinMissed = true;
  }
  let best: StatusPick | undefined;
  let bestP = -Infinity;
  for (const entry of entries) {
    for (const m of entry.snapshot?.meters ?? []) {
      const p = meterPressure(m);
      if (p !== undefined && p > bestP) {
        best = { entry, meter: m };
        bestP = p;
      }
    }
  }
  if (!best) {
    const withMeter = entries.find((e) => (e.snapshot?.meters.length ?? 0) > 0);
    best = withMeter ? { entry: withMeter, meter: mainMeter(withMeter.snapshot)! } : { entry: entries[0]! };
  }
  return pinMissed ? { ...best, pinMissed } : best;
}
