// Adaptive refresh (issue #20 §5): while tokstat's own log watcher sees a coding agent working, the accounts that agent
// spends poll at their provider's floor (the fastest it allows); when no agent has worked for an hour, every account
// polls at a slower pace; otherwise at its normal interval. The scheduler asks `intervalMs` on every decision and is
// rescheduled when a pace changes, so all windows together still make one call per account per interval (only the
// leader polls, and it counts every window's last attempt).
import type { AgentId } from '../../shared/agents';
import type { Clock, TimerHandle } from '../clock';
import { Emitter, type Disposable, type Event } from '../events';

export type PollPace = 'active' | 'normal' | 'idle';

/** The providers whose quota an agent spends (the plans its sign-in uses). */
export const AGENT_PROVIDERS: Readonly<Record<AgentId, readonly string[]>> = {
  'claude-code': ['claude'],
  codex: ['codex'],
  'gemini-cli': ['gemini-cli'],
  'copilot-cli': ['copilot'],
  opencode: [],
  api: [],
};

/** The last request time per agent in the usage index's hour rows: what `noteActivity` is fed after each scan. */
export function latestActivity(rows: Iterable<{ agent: AgentId; lastTs: number }>): Map<AgentId, number> {
  const out = new Map<AgentId, number>();
  for (const r of rows) if (Number.isFinite(r.lastTs) && r.lastTs > (out.get(r.agent) ?? -Infinity)) out.set(r.agent, r.lastTs);
  return out;
}

export interface AdaptivePollingOptions {
  clock: Clock;
  /** An agent counts as working this long after its last logged request (default 10 min). */
  activeMs?: number;
  /** No agent for this long: everything polls slower (default 1 h). */
  idleAfterMs?: number;
  /** The slower pace: the normal interval times this (default 3), at most `idleMaxMs` (default 1 h) but never faster than normal. */
  idleFactor?: number;
  idleMaxMs?: number;
  /** `tokstat.adaptivePolling` (default on): off, every account polls at its normal interval. */
  enabled?: () => boolean;
}

export class AdaptivePolling implements Disposable {
  private readonly clock: Clock;
  private readonly activeMs: number;
  private readonly idleAfterMs: number;
  private readonly idleFactor: number;
  private readonly idleMaxMs: number;
  private readonly enabled: () => boolean;
  private readonly lastByProvider = new Map<string, number>();
  /** Last activity of any agent; the start counts as activity (an hour of quiet is needed to slow down). */
  private lastAny: number;
  private timer: TimerHandle | undefined;
  private signature: string;
  private readonly changed = new Emitter<void>();
  /** Fires when the pace of some provider changed (reschedule the polls). */
  readonly onDidChange: Event<void> = this.changed.event;

  constructor(o: AdaptivePollingOptions) {
    this.clock = o.clock;
    this.activeMs = o.activeMs ?? 10 * 60_000;
    this.idleAfterMs = o.idleAfterMs ?? 60 * 60_000;
    this.idleFactor = Math.max(1, o.idleFactor ?? 3);
    this.idleMaxMs = o.idleMaxMs ?? 60 * 60_000;
    this.enabled = o.enabled ?? (() => true);
    this.lastAny = this.clock.now();
    this.signature = this.currentSignature();
    this.arm();
  }

  /** The log watcher saw `agent` log a request at `at` (epoch ms; a time in the future counts as now). */
  noteActivity(agent: AgentId, at: number): void {
    const now = this.clock.now();
    const t = Math.min(at, now);
    if (!Number.isFinite(t) || now - t > this.idleAfterMs) return;
    this.lastAny = Math.max(this.lastAny, t);
    for (const p of AGENT_PROVIDERS[agent] ?? []) this.lastByProvider.set(p, Math.max(this.lastByProvider.get(p) ?? -Infinity, t));
    this.update();
  }

  pace(providerId: string): PollPace {
    if (!this.enabled()) return 'normal';
    const now = this.clock.now();
    const last = this.lastByProvider.get(providerId);
    if (last !== undefined && now - last < this.activeMs) return 'active';
    if (now - this.lastAny >= this.idleAfterMs) return 'idle';
    return 'normal';
  }

  /** The interval for an account of `providerId` whose normal interval is `normalMs` and floor `floorMs`. */
  intervalMs(providerId: string, normalMs: number, floorMs: number): number {
    const pace = this.pace(providerId);
    if (pace === 'active') return Math.min(normalMs, floorMs);
    if (pace === 'idle') return Math.max(normalMs, Math.min(normalMs * this.idleFactor, this.idleMaxMs));
    return normalMs;
  }

  /** The settings changed (on/off): reschedule. */
  refresh(): void {
    this.update(true);
  }

  dispose(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.dispose();
  }

  private currentSignature(): string {
    const active = [...this.lastByProvider.keys()].filter((p) => this.pace(p) === 'active').sort();
    // The settings are read only once something happened (not while the extension activates).
    return `${active.join(',')}|${this.clock.now() - this.lastAny >= this.idleAfterMs && this.enabled() ? 'idle' : ''}`;
  }

  private update(force = false): void {
    const sig = this.currentSignature();
    const changed = sig !== this.signature;
    this.signature = sig;
    this.arm();
    if (changed || force) this.changed.fire();
  }

  /** One timer, at the next moment a pace changes by itself (an agent stops counting as working, or the hour is up). */
  private arm(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    const moments = [...this.lastByProvider.values()].map((t) => t + this.activeMs).concat(this.lastAny + this.idleAfterMs).filter((t) => t > now);
    if (moments.length === 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, Math.min(...moments) - now);
  }
}
