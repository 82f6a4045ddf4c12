// When another host's heartbeat record (the leader record, a host's presence record) counts as gone. Two hosts'
// clocks are never compared: a record is gone once it has not changed for `ttlMs` on this window's clock, or at once
// when its own stamp is older than `staleAfterMs` (a host closed hours ago; a generous allowance for clock skew).
import type { Clock } from '../clock';

export interface HeartbeatRecord {
  token: string;
  beat: number;
  /** The writer's wall-clock stamp (ms). */
  at: number;
}

export class RecordLiveness {
  /** Per slot (a record's key): the record last seen and when, on this window's clock, it last changed. */
  private readonly seen = new Map<string, { key: string; since: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
    private readonly staleAfterMs = 600_000,
  ) {}

  /** Whether the record `r` now in `slot` is gone; the first sight of a record (or of a new beat) starts its clock. */
  isGone(slot: string, r: HeartbeatRecord): boolean {
    const now = this.clock.now();
    if (now - r.at > this.staleAfterMs) return true;
    const key = `${r.token}:${r.beat}`;
    const seen = this.seen.get(slot);
    if (seen?.key !== key) {
      this.seen.set(slot, { key, since: now });
      return false;
    }
    return now - seen.since >= this.ttlMs;
  }

  /** Forgets what was seen in `slot` (its record was removed). */
  forget(slot: string): void {
    this.seen.delete(slot);
  }
}
