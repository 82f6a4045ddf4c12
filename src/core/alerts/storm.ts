// Storm control. Many alerts of one kind become one notification, and not only within one batch: accounts are polled
// at their own phases, so one event (the 1st of the month resetting eight Copilot accounts) arrives as batches of one
// spread over minutes. Two rules keep that to one toast:
// - low-urgency notices (a reset, a top-up) wait `holdMs` for the others of the same event, then go out together;
// - at most `maxSeparate` notifications are shown in any `rateWindowMs`; more wait until there is room for one and
//   then go out folded into one summary.
// What waits, and when the last ones were shown, is kept in the shared state: a restart or a new leader keeps to it.
import type { AlertNotification, AlertOptions, AlertState, HeldNotification, NamedNotification } from './types';
import { l10n } from '../../shared/l10n';

/** A held notice older than this (the leader was gone meanwhile) is no longer news and is dropped. */
const HELD_MAX_AGE_MS = 6 * 3_600_000;

/**
 * Adds `fresh` to what waits in `state` and returns what is to be shown now; updates `state.held` and `state.shown`.
 * `wanted` drops waiting notices that no longer apply (the meter was removed or snoozed meanwhile).
 */
export function release(
  state: AlertState,
  fresh: readonly NamedNotification[],
  opts: AlertOptions,
  now: number,
  wanted: (n: NamedNotification) => boolean,
): AlertNotification[] {
  const max = Math.max(1, opts.maxSeparate);
  const shown = (state.shown ?? []).filter((t) => t <= now && now - t < opts.rateWindowMs).sort((a, b) => a - b);
  const waiting: HeldNotification[] = [
    ...(state.held ?? []).filter((h) => now - h.heldAt <= HELD_MAX_AGE_MS && opts.kinds[h.kind] && wanted(h)),
    ...fresh.map((n) => ({ ...n, heldAt: now })),
  ];
  const lowSince = Math.min(...waiting.filter(lowUrgency).map((h) => h.heldAt));
  const due = waiting.filter((h) => !lowUrgency(h) || now >= lowSince + opts.holdMs);
  let out: AlertNotification[] = [];
  let held = waiting;
  if (due.length > 0 && shown.length < max) {
    out = fold(due, opts);
    if (out.length > max - shown.length) out = [summary(out)];
    held = waiting.filter((h) => !due.includes(h));
    for (let i = 0; i < out.length; i++) shown.push(now);
  }
  if (held.length) state.held = held;
  else delete state.held;
  if (shown.length) state.shown = shown;
  else delete state.shown;
  return out;
}

/** When `release` will have something to show without a new alert (a hold ends, or the rate allows one more). */
export function nextReleaseAt(state: AlertState, opts: AlertOptions): number | undefined {
  const held = state.held ?? [];
  if (!held.length) return undefined;
  const urgent = held.filter((h) => !lowUrgency(h));
  let at = urgent.length ? Math.min(...urgent.map((h) => h.heldAt)) : Math.min(...held.map((h) => h.heldAt)) + opts.holdMs;
  const shown = state.shown ?? [];
  const max = Math.max(1, opts.maxSeparate);
  if (shown.length >= max) at = Math.max(at, shown[shown.length - max]! + opts.rateWindowMs);
  return at;
}

/** News that keeps a few minutes: a reset or a top-up (info), unlike a warning. */
function lowUrgency(n: AlertNotification): boolean {
  return n.severity === 'info';
}

/** Groups by kind and level, then caps the number of separate notifications. */
function fold(singles: readonly NamedNotification[], opts: AlertOptions): AlertNotification[] {
  const groups = new Map<string, NamedNotification[]>();
  for (const s of singles) {
    const k = `${s.kind}|${s.level ?? ''}|${s.refill ? 'r' : ''}`;
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  let out: AlertNotification[] = [];
  for (const g of groups.values()) {
    if (g.length >= Math.max(2, opts.groupAt)) out.push(grouped(g));
    else out.push(...g.map(strip));
  }
  if (out.length > Math.max(1, opts.maxSeparate)) out = [summary(out)];
  return out;
}

function strip(s: NamedNotification & { heldAt?: number }): AlertNotification {
  const { accountName: _name, heldAt: _at, ...n } = s;
  return n;
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 3).join(l10n.t(', '));
  return names.length > 3 ? l10n.t('{0} and {1} more', shown, names.length - 3) : shown;
}

function grouped(g: NamedNotification[]): AlertNotification {
  const first = g[0]!;
  const accounts = [...new Set(g.map((s) => s.accountName))];
  const who = accounts.length === 1 ? l10n.t('{0}: {1} meters', accounts[0]!, g.length) : l10n.t('{0} accounts', accounts.length);
  let message: string;
  switch (first.kind) {
    case 'threshold':
      message = l10n.t('{0} above {1}%', who, first.level ?? 0);
      break;
    case 'predictive':
      message = l10n.t('{0} on pace to run out before the reset', who);
      break;
    case 'reset':
      message = first.refill ? l10n.t('{0} topped up', who) : l10n.t('{0} reset', who);
      break;
    case 'lowBalance':
      message = l10n.t('{0} with a low balance', who);
      break;
  }
  if (accounts.length > 1) message = l10n.t('{0}: {1}', message, listNames(accounts));
  return {
    kind: first.kind,
    severity: g.some((s) => s.severity === 'warning') ? 'warning' : 'info',
    message,
    targets: g.flatMap((s) => s.targets),
    grouped: true,
    ...(first.level !== undefined ? { level: first.level } : {}),
    ...(first.refill ? { refill: true } : {}),
  };
}

function summary(all: AlertNotification[]): AlertNotification {
  const warnings = all.filter((n) => n.severity === 'warning');
  const parts = all.map((n) => (n.grouped ? n.message : n.message.split(' — ')[0]!));
  const kinds = [...new Set(all.map((n) => n.kind))];
  return {
    kind: kinds.length === 1 ? kinds[0]! : warnings[0]?.kind ?? all[0]!.kind,
    severity: warnings.length ? 'warning' : 'info',
    message: l10n.t('{0} tokstat alerts: {1}', all.length, `${parts.slice(0, 3).join(l10n.t('; '))}${parts.length > 3 ? `${l10n.t('; ')}…` : ''}`),
    targets: all.flatMap((n) => n.targets),
    grouped: true,
  };
}
