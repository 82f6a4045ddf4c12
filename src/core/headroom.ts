// Headroom advice: of the user's accounts that can do the same kind of work (Claude models through the Claude plan,
// the Anthropic API or OpenRouter; coding-agent work through Codex or Copilot), which has the most room before its
// reset at the current pace (src/core/forecast/pace.ts), with a one-line reason. Advice only: nothing switches.
// Pure (no clock, no I/O): callers pass `now`. Used by the dashboard, the MCP `headroom` tool and the chat participant.
import type { Meter, Snapshot } from '../shared/model';
import type { PaceSummary } from '../shared/pace';
import { formatAmount, formatPercent, formatResetIn, formatDuration } from '../shared/format';
import { quoteData } from './quotaText';
import { l10n } from '../shared/l10n';

/** Kinds of work several providers can do. `any`: every account. */
export const WORK_KINDS = {
  claude: { label: 'Claude models', providers: ['claude', 'anthropic', 'openrouter'] },
  codex: { label: 'coding-agent work (Codex, Copilot)', providers: ['codex', 'copilot', 'openai', 'openrouter'] },
  any: { label: 'any work', providers: undefined },
} as const satisfies Record<string, { label: string; providers: readonly string[] | undefined }>;

export type WorkKind = keyof typeof WORK_KINDS;
export const WORK_KIND_IDS = Object.keys(WORK_KINDS) as WorkKind[];

export interface HeadroomAccount {
  accountId: string;
  name: string;
  providerId: string;
  snapshot?: Snapshot;
  /** Pace per meter id, when the forecast engine has one. */
  pace?: Readonly<Record<string, PaceSummary | undefined>>;
}

export type HeadroomVerdict = 'room' | 'tight' | 'none' | 'unknown';

export interface HeadroomCandidate {
  accountId: string;
  name: string;
  providerId: string;
  verdict: HeadroomVerdict;
  /**
   * Share (0–1) of the binding allowance expected to be left at its reset at the current pace (now, when there is no
   * pace yet); for a balance, how much of a week it lasts at this pace. Undefined: cannot tell.
   */
  room?: number;
  /** The meter that limits the account most (its tightest). */
  meterId?: string;
  meterLabel?: string;
  resetsAt?: number;
  runOutAt?: number;
  /** One line: the binding meter and its figures, or why it cannot tell. */
  reason: string;
}

export interface HeadroomAdvice {
  kind: WorkKind;
  label: string;
  /** The account with the most room, when some account can tell. */
  best?: HeadroomCandidate;
  /** Every account of the kind: those that can tell first, most room first. */
  candidates: HeadroomCandidate[];
  /** One line for people and agents. */
  reason: string;
}

export interface HeadroomOptions {
  /** Figures older than this cannot tell (default 2 h, as `tokstat guard`). */
  maxAgeMs?: number;
}

/** The kind's name in the user's language (`WORK_KINDS[kind].label` is the English one). */
export function workKindLabel(kind: WorkKind): string {
  switch (kind) {
    case 'claude':
      return l10n.t('Claude models');
    case 'codex':
      return l10n.t('coding-agent work (Codex, Copilot)');
    case 'any':
      return l10n.t('any work');
  }
}

const WEEK = 7 * 86_400_000;
/** Under this share left at the reset an account is tight. */
const TIGHT = 0.2;
const MAX_NAME = 60;

const fin = (n: number | undefined): number | undefined => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);
const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

export function accountsForKind<T extends Pick<HeadroomAccount, 'providerId'>>(accounts: readonly T[], kind: WorkKind): T[] {
  const providers: readonly string[] | undefined = WORK_KINDS[kind].providers;
  return providers ? accounts.filter((a) => providers.includes(a.providerId)) : [...accounts];
}

interface MeterRoom {
  room: number;
  text: string;
  meter: Meter;
  runOutAt?: number;
  /** The allowance resets (use it or lose it), rather than a balance or a budget without a reset. */
  resets: boolean;
}

function percentLeft(m: Meter): number | undefined {
  const p = fin(m.percentUsed);
  if (p !== undefined) return 100 - p;
  const l = fin(m.limit);
  const r = fin(m.remaining) ?? (l !== undefined && fin(m.used) !== undefined ? l - m.used! : undefined);
  return l !== undefined && l > 0 && r !== undefined ? (r / l) * 100 : undefined;
}

/** The room one meter leaves, or undefined when it does not limit anything (spend without a budget, a plain count). */
function meterRoom(m: Meter, pace: PaceSummary | undefined, now: number): MeterRoom | undefined {
  const label = quoteData(m.label, 40);
  const resets = m.resetsAt !== undefined;
  if (m.unlimited) return { room: 1, text: l10n.t('{0} unlimited', label), meter: m, resets };
  const left = percentLeft(m);
  const remaining = fin(m.remaining);
  if (left === undefined) {
    // A balance (credits, prepaid money): room is how long it lasts at this pace, a week or more counting as full.
    if (remaining === undefined) return undefined;
    const amount = formatAmount(remaining, m.unit);
    if (remaining <= 0) return { room: 0, text: l10n.t('{0} used up ({1} left)', label, amount), meter: m, resets };
    const runOut = pace?.status === 'ok' ? fin(pace.runOutAt) : undefined;
    if (runOut === undefined) return { room: 1, text: pace?.status === 'ok' ? l10n.t('{0} {1} left, no spending lately', label, amount) : l10n.t('{0} {1} left', label, amount), meter: m, resets };
    return { room: clamp01((runOut - now) / WEEK), text: l10n.t('{0} {1} left, lasts about {2} at this pace', label, amount, formatDuration(runOut - now)), meter: m, runOutAt: runOut, resets };
  }
  const used = formatPercent(Math.max(0, 100 - left));
  const reset = formatResetIn(m.resetsAt, now);
  if (left <= 0) return { room: 0, text: reset ? l10n.t('{0} at its limit ({1} used, {2})', label, used, reset) : l10n.t('{0} at its limit ({1} used)', label, used), meter: m, resets };
  if (m.resetsAt !== undefined && m.resetsAt <= now) return { room: 1, text: l10n.t('{0} window has reset', label), meter: m, resets };
  if (pace?.status === 'ok' && pace.overLimit) return { room: 0, text: reset ? l10n.t('{0} over its limit, {1}', label, reset) : l10n.t('{0} over its limit', label), meter: m, resets };
  if (pace?.status === 'ok' && pace.runsOutBeforeReset && pace.runOutAt !== undefined) {
    return { room: 0, text: reset
        ? l10n.t('{0} {1} used, runs out in {2} at this pace, before its reset ({3})', label, used, formatDuration(pace.runOutAt - now), reset)
        : l10n.t('{0} {1} used, runs out in {2} at this pace, before its reset', label, used, formatDuration(pace.runOutAt - now)), meter: m, runOutAt: pace.runOutAt, resets };
  }
  const projected = pace?.status === 'ok' ? fin(pace.projectedPercentAtReset) : undefined;
  if (projected !== undefined) {
    const room = clamp01(1 - projected / 100);
    return { room, text: reset
        ? l10n.t('{0} {1} used, about {2} left at the reset at this pace, {3}', label, used, formatPercent(room * 100), reset)
        : l10n.t('{0} {1} used, about {2} left at the reset at this pace', label, used, formatPercent(room * 100)), meter: m, resets };
  }
  return { room: clamp01(left / 100), text: reset ? l10n.t('{0} {1} used, {2} (no pace yet)', label, used, reset) : l10n.t('{0} {1} used (no pace yet)', label, used), meter: m, resets };
}

function candidate(a: HeadroomAccount, now: number, maxAgeMs: number): HeadroomCandidate & { resets: boolean } {
  const who = { accountId: a.accountId, name: a.name, providerId: a.providerId };
  const unknown = (why: string) => ({ ...who, verdict: 'unknown' as const, reason: why, resets: false });
  const s = a.snapshot;
  if (!s) return unknown(l10n.t('not fetched yet'));
  if (s.status === 'error' || s.status === 'auth-required') return unknown(l10n.t('the last refresh failed ({0})', s.status));
  const age = now - (s.lastSuccessAt ?? s.takenAt);
  if (age > maxAgeMs) return unknown(l10n.t('figures are {0} old', formatDuration(age)));
  let bind: MeterRoom | undefined;
  for (const m of s.meters) {
    if (m.problem && m.capturedAt < now - maxAgeMs) continue;
    const r = meterRoom(m, a.pace?.[m.id], now);
    if (r && (!bind || r.room < bind.room)) bind = r;
  }
  if (!bind) {
    const paid = s.meters.some((m) => m.kind === 'spend');
    return paid ? { ...who, verdict: 'room', room: 1, reason: l10n.t('no limit reported: pay as you go'), resets: false } : unknown(l10n.t('no meter with a limit or a balance'));
  }
  const verdict: HeadroomVerdict = bind.room <= 0 ? 'none' : bind.room < TIGHT ? 'tight' : 'room';
  return {
    ...who,
    verdict,
    room: Math.round(bind.room * 1000) / 1000,
    meterId: bind.meter.id,
    meterLabel: bind.meter.label,
    ...(bind.meter.resetsAt !== undefined ? { resetsAt: bind.meter.resetsAt } : {}),
    ...(bind.runOutAt !== undefined ? { runOutAt: bind.runOutAt } : {}),
    reason: bind.text,
    resets: bind.resets,
  };
}

const title = (c: HeadroomCandidate): string => `${quoteData(c.name, MAX_NAME)} (${c.providerId})`;

/**
 * Ranks the accounts that can do `kind` by the room left at their reset at the current pace. Ties (within a
 * percentage point) go to an allowance that resets (a plan's quota is lost if unused) over a balance or a pay-as-you-go
 * key, then by name.
 */
export function adviseHeadroom(accounts: readonly HeadroomAccount[], kind: WorkKind, now: number, opts: HeadroomOptions = {}): HeadroomAdvice {
  const maxAgeMs = opts.maxAgeMs ?? 2 * 3_600_000;
  const label = workKindLabel(kind);
  const all = accountsForKind(accounts, kind).map((a) => candidate(a, now, maxAgeMs));
  const known = all.filter((c) => c.room !== undefined);
  known.sort((x, y) => {
    const d = y.room! - x.room!;
    if (Math.abs(d) > 0.01) return d;
    if (x.resets !== y.resets) return x.resets ? -1 : 1;
    return x.name.localeCompare(y.name);
  });
  const candidates = [...known, ...all.filter((c) => c.room === undefined)].map(({ resets: _r, ...c }) => c);
  const best = candidates[0]?.room !== undefined ? candidates[0] : undefined;
  let reason: string;
  if (candidates.length === 0) reason = l10n.t('No account in tokstat can do {0}.', label);
  else if (!best) reason = l10n.t('Cannot tell which account has room for {0}: {1}: {2}.', label, title(candidates[0]!), candidates[0]!.reason);
  else if (best.verdict === 'none') reason = l10n.t('No account has room for {0}: {1}: {2}.', label, title(best), best.reason);
  else {
    const next = candidates[1];
    reason = next
      ? l10n.t('{0} has the most room for {1}: {2}. Next: {3}: {4}.', title(best), label, best.reason, title(next), next.reason)
      : l10n.t('{0} has the most room for {1}: {2}. It is the only account for this work.', title(best), label, best.reason);
  }
  return { kind, label, ...(best ? { best } : {}), candidates, reason };
}

/** The kinds worth advising on: those where at least two accounts can tell (the dashboard's line). */
export function headroomOverview(accounts: readonly HeadroomAccount[], now: number, opts: HeadroomOptions = {}): HeadroomAdvice[] {
  return WORK_KIND_IDS.filter((k) => k !== 'any')
    .map((k) => adviseHeadroom(accounts, k, now, opts))
    .filter((a) => a.candidates.filter((c) => c.room !== undefined).length >= 2);
}
