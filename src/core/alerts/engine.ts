// Decides which notifications a batch of fresh snapshots deserves. The decision is a pure function of (state,
// observations, options, now); `AlertEngine` wraps it with the shared state file and the leader check.
//
// Episodes: each account/meter remembers what it was already told (threshold level, predicted run-out, low
// balance). An episode ends when the condition clears with some hysteresis, or when the window resets, and only
// then may the same alert fire again; a predicted run-out is told once per window (re-armed only after a long calm).
// A snoozed meter is quiet, and what it was not told is not remembered as told. Storms are folded (storm.ts): many
// alerts of one kind become one notification, also when the polls that bring them come minutes apart.
import { basisOf } from '../forecast/pace';
import { formatAmount, formatPercent } from '../../shared/format';
import { l10n } from '../../shared/l10n';
import { meterLabelText } from '../../shared/meterLabels';
import { nullLogger, scoped, type Logger } from '../log';
import type { Meter } from '../../shared/model';
import type { PaceSummary } from '../../shared/pace';
import {
  emptyAlertState,
  type AlertKind,
  type AlertNotification,
  type AlertObservation,
  type AlertOptions,
  type AlertState,
  type AlertStateStore,
  type AlertTarget,
  type MeterEpisode,
  type NamedNotification,
} from './types';
import { SerialQueue } from '../serial';
import { nextReleaseAt, release } from './storm';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Forget meters not seen for this long (removed accounts, renamed meters). */
const PRUNE_AFTER_MS = 45 * DAY;
/** Vendors report reset times with jitter (seconds-from-now); only a jump this large is a new window. */
const RESET_JUMP_MS = 15 * MINUTE;
/** A balance in credits, tokens or another non-money unit is low under this share of the most seen since a top-up. */
const LOW_SHARE = 0.1;
/**
 * A predictive alert needs a pace resting on at least a day of data since the reset, or a tenth of a shorter window
 * (30 minutes of a 5-hour window): two hours of a monthly quota say nothing about the month.
 */
const PREDICT_MIN_SPAN_MS = DAY;
const PREDICT_MIN_SPAN_SHARE = 0.1;
/** Within a window, a predictive alert is given again only after the projection stayed under the limit this long. */
const REARM_MIN_MS = 3 * DAY;
const REARM_SHARE = 0.25;
/** "Snooze for Today" lasts at least this long, whatever the hour. */
const SNOOZE_MIN_MS = 8 * 60 * MINUTE;

export function episodeKey(accountId: string, meterId: string): string {
  return `${accountId}/${meterId}`;
}

export interface AlertDecision {
  state: AlertState;
  notifications: AlertNotification[];
}

type Single = NamedNotification;

/** Pure: the next state and the notifications to show. `state` is not modified. */
export function decideAlerts(state: AlertState, batch: readonly AlertObservation[], opts: AlertOptions, now: number): AlertDecision {
  const next: AlertState = JSON.parse(JSON.stringify(state)) as AlertState;
  if (!next.meters || typeof next.meters !== 'object') next.meters = {};
  const singles: Single[] = [];
  const thresholds = [...new Set(opts.thresholds.filter((t) => Number.isFinite(t) && t > 0))].sort((a, b) => a - b);
  const h = Math.max(0, opts.hysteresis);

  for (const obs of batch) {
    // Stale or failed snapshots carry old numbers: alerting on them would repeat the past.
    if (obs.snapshot.status !== 'ok') continue;
    for (const m of obs.snapshot.meters) {
      // Per-minute rate limits swing by design; notifying on them would be noise.
      if (m.kind === 'rate-limit') continue;
      const key = episodeKey(obs.accountId, m.id);
      const prev = next.meters[key];
      const e: MeterEpisode = prev ? { ...prev } : { seenAt: now };
      // Snoozed: the meter stays quiet, and what it was not told is not remembered as told, so when the snooze ends the
      // state it is in then is reported (once, at the highest level reached) instead of being lost for the episode.
      const quiet = e.snoozedUntil !== undefined && e.snoozedUntil > now;
      const ctx: Ctx = { obs, m, key, out: singles, quiet, pace: obs.paces?.[m.id] };
      if (m.unlimited) {
        next.meters[key] = { seenAt: now, ...(e.snoozedUntil ? { snoozedUntil: e.snoozedUntil } : {}) };
        continue;
      }
      // A prepaid amount going down (a balance, or credits left with no limit): as the pace engine reads it.
      if (basisOf(m) === 'balance') balanceRules(e, ctx, opts);
      else if (m.percentUsed !== undefined) percentRules(e, ctx, opts, thresholds, h, now);
      if (m.resetsAt !== undefined) e.resetsAt = m.resetsAt;
      else delete e.resetsAt;
      e.seenAt = now;
      if (!quiet) delete e.snoozedUntil;
      next.meters[key] = e;
    }
  }
  for (const [k, e] of Object.entries(next.meters)) {
    if (!e || typeof e.seenAt !== 'number' || now - e.seenAt > PRUNE_AFTER_MS) delete next.meters[k];
  }
  // Held notices of meters removed or snoozed since are dropped; the rest wait for their turn with the new ones. A
  // dropped warning was never shown, so its meter is not left marked as told (the snooze rule above).
  const wanted = (n: NamedNotification) => {
    const t = n.targets[0];
    const e = t && next.meters[episodeKey(t.accountId, t.meterId)];
    if (!e) return false;
    if (e.snoozedUntil === undefined || e.snoozedUntil <= now) return true;
    untell(e, n, thresholds);
    return false;
  };
  return { state: next, notifications: release(next, singles, opts, now, wanted) };
}

interface Ctx {
  obs: AlertObservation;
  m: Meter;
  key: string;
  out: Single[];
  /** Snoozed: nothing is said, so nothing may be recorded as said. */
  quiet: boolean;
  pace: PaceSummary | undefined;
}

/** Says `s` unless the meter is snoozed; true when it was said (only then is the episode marked as told). */
function tell(ctx: Ctx, s: Single): boolean {
  if (ctx.quiet) return false;
  ctx.out.push(s);
  return true;
}

/** Takes back what a notice that will not be shown marked as told. */
function untell(e: MeterEpisode, n: AlertNotification, thresholds: readonly number[]): void {
  if (n.kind === 'threshold' && n.level !== undefined && e.level === n.level) {
    const lower = thresholds.filter((t) => t < n.level!).pop();
    if (lower === undefined) delete e.level;
    else e.level = lower;
  } else if (n.kind === 'predictive') {
    delete e.predicted;
  } else if (n.kind === 'lowBalance') {
    delete e.low;
  }
}

function name(ctx: Ctx): string {
  return `${ctx.obs.accountName} · ${meterLabelText(ctx.m.label)}`;
}

function single(ctx: Ctx, kind: AlertKind, severity: 'info' | 'warning', message: string, extra: Partial<AlertNotification> = {}): Single {
  return {
    kind,
    severity,
    message,
    targets: [{ accountId: ctx.obs.accountId, meterId: ctx.m.id }],
    grouped: false,
    accountName: ctx.obs.accountName,
    ...extra,
  };
}

function percentRules(e: MeterEpisode, ctx: Ctx, opts: AlertOptions, thresholds: number[], h: number, now: number): void {
  const p = ctx.m.percentUsed!;
  const lowest = thresholds[0] ?? 100;

  // 1. A new window (the old reset time passed and a later one is reported) or a large fall back: the episode ends.
  const windowChanged =
    e.resetsAt !== undefined && now >= e.resetsAt && (ctx.m.resetsAt === undefined || ctx.m.resetsAt > e.resetsAt + RESET_JUMP_MS);
  // Without a usable reset time, only a fall to well under half is taken for a reset (a partial refund is not).
  const fellBack = e.last !== undefined && e.last - p >= Math.max(20, 2 * h) && p < Math.min(lowest - h, e.last / 2);
  if (windowChanged || fellBack) {
    const peak = e.peak;
    delete e.level;
    delete e.predicted;
    delete e.calmSince;
    delete e.peak;
    if (opts.kinds.reset && peak !== undefined && peak >= lowest && p < lowest) {
      tell(ctx, single(ctx, 'reset', 'info', l10n.t('{0} has reset: {1} used (was {2})', name(ctx), formatPercent(p), formatPercent(peak))));
    }
  }

  // 2. Thresholds, once per episode; an episode ends when usage falls below the threshold minus the hysteresis.
  let crossedNow: number | undefined;
  if (opts.kinds.threshold) {
    if (e.level !== undefined && p < e.level - h) {
      const level = e.level;
      const lower = thresholds.filter((t) => t < level && p >= t - h).pop();
      if (lower === undefined) delete e.level;
      else e.level = lower;
    }
    const crossed = thresholds.filter((t) => p >= t).pop();
    if (crossed !== undefined && (e.level === undefined || crossed > e.level)) {
      const pace = ctx.pace?.status === 'ok' && ctx.pace.runsOutBeforeReset && !ctx.pace.overLimit ? ` — ${ctx.pace.text}` : '';
      const used = p >= 100 ? l10n.t('{0}: {1} used (limit reached)', name(ctx), formatPercent(p)) : l10n.t('{0}: {1} used', name(ctx), formatPercent(p));
      if (tell(ctx, single(ctx, 'threshold', 'warning', `${used}${pace}`, { level: crossed }))) {
        e.level = crossed;
        crossedNow = crossed;
      }
    }
  }

  // 3. Predictive: only on a confident pace resting on enough data, only while there is still something to save, and
  //    once per window: a quiet weekend brings the projection down for a day or two, which is not "back on pace".
  const pace = ctx.pace;
  if (opts.kinds.predictive && pace && pace.status === 'ok') {
    const windowMs = pace.windowStart !== undefined && pace.resetsAt !== undefined ? pace.resetsAt - pace.windowStart : undefined;
    const grounded = (pace.spanMs ?? 0) >= Math.min(PREDICT_MIN_SPAN_MS, PREDICT_MIN_SPAN_SHARE * (windowMs ?? Infinity));
    const lead = pace.resetsAt !== undefined && pace.runOutAt !== undefined ? pace.resetsAt - pace.runOutAt : undefined;
    const predicts =
      grounded && pace.runsOutBeforeReset === true && !pace.overLimit && p < 100 && pace.runOutAt! > now && lead !== undefined && lead >= opts.predictiveMinLeadMs;
    if (predicts) {
      delete e.calmSince;
      // The threshold message just sent already carries the pace: one notification per meter is enough.
      if (!e.predicted && (crossedNow !== undefined || tell(ctx, single(ctx, 'predictive', 'warning', `${name(ctx)}: ${pace.text}`)))) e.predicted = true;
    } else if (e.predicted && pace.projectedPercentAtReset !== undefined && pace.projectedPercentAtReset <= 100 - h) {
      // Back on pace for a long stretch (a quarter of the window, at least 3 days): a new run-out is news again.
      e.calmSince ??= now;
      if (now - e.calmSince >= Math.max(REARM_MIN_MS, REARM_SHARE * (windowMs ?? 0))) {
        delete e.predicted;
        delete e.calmSince;
      }
    } else {
      delete e.calmSince;
    }
  }

  e.peak = Math.max(e.peak ?? 0, p);
  e.last = p;
}

/** Money: a currency code (USD, CNY, …), the unit `tokstat.alerts.lowBalance` is written in. */
function isCurrency(unit: string): boolean {
  return /^[A-Z]{3}$/.test(unit);
}

/**
 * Below this a balance is low. Money: the setting, in the balance's own currency. Other units (credits, tokens) have
 * no common scale, so one number cannot fit them all: low is under a tenth of the most seen since the last top-up,
 * and always under one unit left.
 */
function lowFloor(unit: string, high: number | undefined, opts: AlertOptions): number {
  if (isCurrency(unit)) return opts.lowBalance;
  return Math.max(1, LOW_SHARE * (high ?? 0));
}

function balanceRules(e: MeterEpisode, ctx: Ctx, opts: AlertOptions): void {
  const rem = ctx.m.remaining!;
  const floor = opts.lowBalance > 0 ? lowFloor(ctx.m.unit, e.peak, opts) : 0;
  if (floor > 0) {
    if (rem < floor) {
      if (!e.low) {
        const lasts = ctx.pace?.status === 'ok' && ctx.pace.runOutAt !== undefined ? ` — ${ctx.pace.text}` : '';
        // With the low-balance kind off the state is still tracked, for the top-up notice.
        if (!opts.kinds.lowBalance || tell(ctx, single(ctx, 'lowBalance', 'warning', `${l10n.t('{0} is low: {1} left', name(ctx), formatAmount(rem, ctx.m.unit))}${lasts}`))) e.low = true;
      }
    } else if (e.low && rem >= floor * 1.1) {
      // Topped up clearly above the floor (not just hovering around it): the episode ends.
      delete e.low;
      delete e.peak;
      if (opts.kinds.reset) tell(ctx, single(ctx, 'reset', 'info', l10n.t('{0} topped up: {1} left', name(ctx), formatAmount(rem, ctx.m.unit)), { refill: true }));
    }
  } else {
    delete e.low;
  }
  e.peak = Math.max(e.peak ?? rem, rem);
  e.last = rem;
}

export interface AlertEngineDeps {
  store: AlertStateStore;
  options: () => AlertOptions;
  /** Only the leader window notifies; followers leave the shared state alone. Default: always the leader. */
  isLeader?: () => boolean;
  log?: Logger;
  /** When "Snooze for Today" ends (default `localEndOfDay`: the next local midnight, at least 8 hours away). */
  endOfDay?: (now: number) => number;
}

/** The engine with its state file: serialises batches and saves episode state before returning what to show. */
export class AlertEngine {
  private readonly log: Logger;
  private readonly queue = new SerialQueue();
  /** Whether the shared state was looked at since start-up (it may hold notices of the previous leader). */
  private looked = false;
  private releaseAt: number | undefined;

  constructor(private readonly deps: AlertEngineDeps) {
    this.log = scoped(deps.log ?? nullLogger, 'alerts');
  }

  /** Whether a batch would be looked at now (leader window, alerts on): lets callers skip computing paces. */
  isActive(): boolean {
    return (!this.deps.isLeader || this.deps.isLeader()) && this.deps.options().enabled;
  }

  /** When notices held back by storm control are due, as of the last decision (the caller wakes `process` then). */
  nextReleaseAt(): number | undefined {
    return this.releaseAt;
  }

  /**
   * Decides and persists; returns the notifications to show (empty in a follower window or when alerts are off). An
   * empty batch only releases held notices that are due.
   */
  process(batch: readonly AlertObservation[], now: number): Promise<AlertNotification[]> {
    return this.queue.run(async () => {
      if (this.deps.isLeader && !this.deps.isLeader()) return [];
      const opts = this.deps.options();
      if (!opts.enabled) return [];
      if (batch.length === 0 && this.looked && (this.releaseAt === undefined || now < this.releaseAt)) return [];
      let notifications: AlertNotification[] = [];
      try {
        // Always re-read: another window may have been the leader a moment ago, or snoozed a meter.
        await this.deps.store.update((state) => {
          const d = decideAlerts(state, batch, opts, now);
          notifications = d.notifications;
          this.looked = true;
          this.releaseAt = nextReleaseAt(d.state, opts);
          return JSON.stringify(d.state) !== JSON.stringify(state) ? d.state : undefined;
        });
      } catch (e) {
        // Showing the alert matters more than remembering it; worst case it repeats after a restart.
        this.log.warn(`could not save alert state: ${errMsg(e)}`);
      }
      if (notifications.length) this.log.info(`${notifications.length} notification(s): ${notifications.map((n) => n.kind).join(', ')}`);
      return notifications;
    });
  }

  /** Quiets these meters until the end of the day (persisted, so every window and a restart respect it). */
  snooze(targets: readonly AlertTarget[], now: number): Promise<void> {
    return this.queue.run(async () => {
      const until = (this.deps.endOfDay ?? localEndOfDay)(now);
      await this.deps.store.update((state) => {
        for (const t of targets) {
          const key = episodeKey(t.accountId, t.meterId);
          state.meters[key] = { ...(state.meters[key] ?? { seenAt: now }), snoozedUntil: until };
        }
        return state;
      });
      this.log.info(`snoozed ${targets.length} meter(s) until the end of the day`);
    });
  }

  /** Drops a removed account's episodes, snoozes and held notices. */
  forgetAccount(accountId: string): Promise<void> {
    return this.queue.run(() =>
      this.deps.store.update((state) => {
        const keys = Object.keys(state.meters).filter((k) => k.startsWith(`${accountId}/`));
        for (const k of keys) delete state.meters[k];
        const held = state.held?.filter((h) => !h.targets.some((t) => t.accountId === accountId));
        if (keys.length === 0 && held?.length === state.held?.length) return undefined;
        if (held?.length) state.held = held;
        else delete state.held;
        return state;
      }),
    );
  }
}

/**
 * When "Snooze for Today" ends: the start of the next local day, but never sooner than 8 hours from now, so a snooze
 * late in the evening lasts through the night (at 23:59 it used to last one minute). The local calendar decides, so a
 * 23- or 25-hour day (daylight saving) and a day whose midnight is skipped (the next day then starts at 01:00) end
 * where the clock on the wall says.
 */
export function localEndOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(24, 0, 0, 0);
  return Math.max(d.getTime(), now + SNOOZE_MIN_MS);
}

export { emptyAlertState };

function errMsg(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return e instanceof Error ? e.message : String(e);
}
