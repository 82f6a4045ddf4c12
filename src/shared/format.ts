// Display formatting shared by the status bar, the tree and the dashboard (the webview bundle imports it too,
// so it must stay free of Node and vscode imports). Unknown values render as "unknown", never as 0.
import type { Meter, Snapshot, SnapshotError } from './model';
import { formatFixed, localizeDecimal } from './numberFormat';
import { l10n } from './l10n';

/** The word for an unknown value, untranslated (for comparisons; what is shown is `unknownText()`). */
export const UNKNOWN = 'unknown';

/** "unknown" in the user's language: what an unknown value shows. */
export function unknownText(): string {
  return l10n.t('unknown');
}

const CURRENCIES: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', CNY: '¥', JPY: '¥' };

/** Whether `formatAmount` writes `unit` as a symbol before the number ("$1.20") rather than a word after it. */
export function hasCurrencySymbol(unit: string): boolean {
  return CURRENCIES[unit.toUpperCase()] !== undefined;
}

export function formatAmount(value: number | undefined, unit: string): string {
  if (value === undefined || !Number.isFinite(value)) return unknownText();
  const sym = CURRENCIES[unit.toUpperCase()];
  if (sym) {
    const abs = Math.abs(value);
    const digits = abs !== 0 && abs < 1 ? 4 : 2;
    const s = formatFixed(abs, 2, digits);
    return `${value < 0 ? '-' : ''}${sym}${s}`;
  }
  const rounded = Number.isInteger(value) ? value : Math.round(value * 100) / 100;
  const s = formatFixed(rounded, 0, 2);
  return unit ? `${s} ${unit}` : s;
}

export function formatPercent(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return unknownText();
  if (p > 0 && p < 1) return `${localizeDecimal(p.toFixed(1))}%`;
  return `${Math.round(p)}%`;
}

/** A value in a chart's unit: a percentage as "45%", anything else as `formatAmount` does. */
export function formatInUnit(value: number | undefined, unit: string): string {
  return unit === '%' ? formatPercent(value) : formatAmount(value, unit);
}

/** "12 / 300 requests", "$25.50 / $100.00", "unlimited", or "unknown". */
export function formatUsedOfLimit(m: Meter): string {
  if (m.unlimited) return m.used !== undefined ? l10n.t('{0} (unlimited)', formatAmount(m.used, m.unit)) : l10n.t('unlimited');
  if (m.used !== undefined && m.limit !== undefined) {
    const cur = CURRENCIES[m.unit.toUpperCase()];
    if (cur) return `${formatAmount(m.used, m.unit)} / ${formatAmount(m.limit, m.unit)}`;
    return `${formatAmount(m.used, '')} / ${formatAmount(m.limit, m.unit)}`;
  }
  if (m.remaining !== undefined) return l10n.t('{0} left', formatAmount(m.remaining, m.unit));
  if (m.used !== undefined) return l10n.t('{0} used', formatAmount(m.used, m.unit));
  // Percent-only meters (Claude, Codex windows): the share is known even though the amounts are not.
  if (m.percentUsed !== undefined) return l10n.t('{0} used', formatPercent(m.percentUsed));
  return unknownText();
}

/** The "used / limit" text when it adds something to `formatMeterValue`, else undefined. */
export function meterDetailText(m: Meter, mode: 'used' | 'remaining' = 'used'): string | undefined {
  const value = formatMeterValue(m, mode);
  const detail = formatUsedOfLimit(m);
  // "$3.00 used" says the value again, in whichever language and word order.
  const repeats = detail === value || detail.startsWith(`${value} `) || detail === l10n.t('{0} used', value) || detail === l10n.t('{0} left', value) || detail === l10n.t('{0} (unlimited)', value);
  return repeats ? undefined : detail;
}

/** The short value shown first: a percentage when there is one, else the best available amount. */
export function formatMeterValue(m: Meter, mode: 'used' | 'remaining' = 'used'): string {
  if (m.unlimited) return l10n.t('unlimited');
  if (m.percentUsed !== undefined) {
    return mode === 'used' ? formatPercent(m.percentUsed) : formatPercent(Math.max(0, 100 - m.percentUsed));
  }
  if (mode === 'remaining' && m.remaining !== undefined) return formatAmount(m.remaining, m.unit);
  if (m.kind === 'balance' && m.remaining !== undefined) return formatAmount(m.remaining, m.unit);
  if (m.used !== undefined) return formatAmount(m.used, m.unit);
  if (m.remaining !== undefined) return formatAmount(m.remaining, m.unit);
  return unknownText();
}

const UNITS: Array<[number, (n: number) => string]> = [
  [86_400_000, (n) => l10n.t('{0}d', n)],
  [3_600_000, (n) => l10n.t('{0}h', n)],
  [60_000, (n) => l10n.t('{0}m', n)],
];

/**
 * "3d 4h", "2h 5m", "45m", "<1m": the largest unit and the one next to it, the second left out when it is zero
 * ("24d", not "24d 13m": minutes beside days would claim a precision the hours do not show).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return unknownText();
  const abs = Math.abs(ms);
  if (abs < 60_000) return l10n.t('<1m');
  const first = UNITS.findIndex(([size]) => abs >= size);
  const [size, label] = UNITS[first];
  const parts = [label(Math.floor(abs / size))];
  const next = UNITS[first + 1];
  if (next) {
    const n = Math.floor((abs % size) / next[0]);
    if (n > 0) parts.push(next[1](n));
  }
  return parts.join(' ');
}

export function formatResetIn(resetsAt: number | undefined, now: number): string | undefined {
  if (resetsAt === undefined) return undefined;
  const d = resetsAt - now;
  if (d <= 0) return l10n.t('reset due');
  return l10n.t('resets in {0}', formatDuration(d));
}

export function formatAge(at: number | undefined, now: number): string {
  if (at === undefined) return l10n.t('never');
  const d = now - at;
  if (d < 60_000) return l10n.t('just now');
  return l10n.t('{0} ago', formatDuration(d));
}

// Getters: each read says it in the user's language of the moment.
export const SOURCE_LABEL: Readonly<Record<Meter['source'], string>> = {
  get official() {
    return l10n.t('official API');
  },
  get 'vendor-undocumented'() {
    return l10n.t('undocumented vendor endpoint');
  },
  get headers() {
    return l10n.t('response headers');
  },
  get estimate() {
    return l10n.t('local estimate');
  },
};

export type Severity = 'ok' | 'warning' | 'error' | 'unknown';

export interface Thresholds {
  warning: number;
  error: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { warning: 80, error: 95 };

export function meterSeverity(m: Meter, t: Thresholds = DEFAULT_THRESHOLDS): Severity {
  if (m.unlimited) return 'ok';
  const p = m.percentUsed;
  if (p === undefined) return 'unknown';
  if (p >= t.error) return 'error';
  if (p >= t.warning) return 'warning';
  return 'ok';
}

export const STATUS_LABEL: Readonly<Record<Snapshot['status'], string>> = {
  get ok() {
    return l10n.t('up to date');
  },
  get stale() {
    return l10n.t('stale');
  },
  get error() {
    return l10n.t('error');
  },
  get 'auth-required'() {
    return l10n.t('sign-in required');
  },
};

// ---------------------------------------------------------------- states in words
// An account whose numbers are not fresh says why, leading with the reason (the host and path of the request stay in
// the error's message, shown as the details): "Key rejected by OpenRouter (401)".

/**
 * The reason in a few words. With `provider` it names who said so ("Key rejected by OpenRouter"); with `status` the
 * HTTP status follows in brackets ("Key rejected (401)"). An auth error without a status (no key stored, a sign-in
 * that expired locally) is "Key needed" / "Sign-in needed".
 */
export function errorReason(err: Pick<SnapshotError, 'kind' | 'status'>, authKind: string | undefined, opts: { provider?: string; status?: boolean } = {}): string {
  const p = opts.provider;
  const st = opts.status && err.status !== undefined ? ` (${err.status})` : '';
  return `${reasonWords(err, authKind === 'api-key', p)}${st}`;
}

/** Whole phrases, one per kind, with and without the provider: word order differs between languages. */
function reasonWords(err: Pick<SnapshotError, 'kind' | 'status'>, key: boolean, p: string | undefined): string {
  switch (err.kind) {
    case 'auth':
      if (err.status === undefined) {
        if (key) return p ? l10n.t('Key needed for {0}', p) : l10n.t('Key needed');
        return p ? l10n.t('Sign-in needed for {0}', p) : l10n.t('Sign-in needed');
      }
      if (key) return p ? l10n.t('Key rejected by {0}', p) : l10n.t('Key rejected');
      return p ? l10n.t('Sign-in rejected by {0}', p) : l10n.t('Sign-in rejected');
    case 'network':
      return p ? l10n.t('Could not reach {0}', p) : l10n.t('Unreachable');
    case 'forbidden':
      return p ? l10n.t('Access refused by {0}', p) : l10n.t('Access refused');
    case 'rate-limited':
      return p ? l10n.t('Rate limited by {0}', p) : l10n.t('Rate limited');
    case 'not-found':
      return p ? l10n.t('Not found at {0}', p) : l10n.t('Not found');
    case 'server':
      return p ? l10n.t('Server error at {0}', p) : l10n.t('Server error');
    case 'timeout':
      return p ? l10n.t('No answer from {0}', p) : l10n.t('No answer');
    case 'bad-response':
      return p ? l10n.t('Unexpected answer from {0}', p) : l10n.t('Unexpected answer');
    case 'config':
      return p ? l10n.t('Setup problem for {0}', p) : l10n.t('Setup problem');
    case 'cancelled':
      return p ? l10n.t('Refresh cancelled for {0}', p) : l10n.t('Refresh cancelled');
    case 'proxy':
      return p ? l10n.t('Proxy authentication required for {0}', p) : l10n.t('Proxy authentication required');
    default:
      return p ? l10n.t('Refresh failed for {0}', p) : l10n.t('Refresh failed');
  }
}

/** The headline of an account's problem: "Key rejected by OpenRouter (401)", "Rate limited by OpenRouter (429)". */
export function errorHeadline(err: Pick<SnapshotError, 'kind' | 'status'>, providerName: string, authKind: string | undefined): string {
  return errorReason(err, authKind, { provider: providerName, status: true });
}

/**
 * A moment in the user's locale (`locale`: VS Code's display language): the time alone when it is today, else the date
 * and the time — "14:32" / "2:32 PM", "7 Dec 2026, 14:32" / "Dec 7, 2026, 2:32 PM". An unknown locale falls back to
 * the runtime's default.
 */
export function formatMoment(at: number, now: number, locale: string | undefined): string {
  const sameDay = new Date(at).toDateString() === new Date(now).toDateString();
  const opts: Intl.DateTimeFormatOptions = sameDay ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' };
  try {
    return new Intl.DateTimeFormat(locale, opts).format(at);
  } catch {
    return new Intl.DateTimeFormat(undefined, opts).format(at);
  }
}

/** A wall-clock time for "retrying at …": "14:32", with seconds when it is under two minutes away ("14:32:15"), with the day when not today. */
export function formatClock(at: number, now: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  let s = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (at - now < 120_000) s += `:${pad(d.getSeconds())}`;
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  if (!sameDay) s = l10n.t('{0} {1}', weekday(d.getDay()), s);
  return s;
}

/** The short name of a day of the week (0 = Sunday). */
function weekday(day: number): string {
  switch (day) {
    case 0:
      return l10n.t('Sun');
    case 1:
      return l10n.t('Mon');
    case 2:
      return l10n.t('Tue');
    case 3:
      return l10n.t('Wed');
    case 4:
      return l10n.t('Thu');
    case 5:
      return l10n.t('Fri');
    default:
      return l10n.t('Sat');
  }
}

/**
 * Who asked to wait and until when, for a refresh the server's Retry-After held back: "OpenRouter asked to wait until
 * 14:32 — retrying then." When tokstat's next poll comes later than that (its backoff or poll interval), it says so:
 * "… until 14:32 — retrying at 14:37."
 */
export function waitNotice(waits: ReadonlyArray<{ providerName: string; until: number; retryAt?: number }>, now: number): string | undefined {
  if (waits.length === 0) return undefined;
  // One part per provider, at its latest times; providers in the order they came.
  const byProvider = new Map<string, { until: number; retryAt: number }>();
  for (const w of waits) {
    const prev = byProvider.get(w.providerName);
    const retryAt = Math.max(w.until, w.retryAt ?? w.until);
    byProvider.set(w.providerName, { until: Math.max(prev?.until ?? -Infinity, w.until), retryAt: Math.max(prev?.retryAt ?? -Infinity, retryAt) });
  }
  const parts = [...byProvider].map(([p, t]) => {
    const until = formatClock(t.until, now);
    const retry = formatClock(t.retryAt, now);
    return { text: l10n.t('{0} asked to wait until {1}', p, until), retry: retry === until ? undefined : retry };
  });
  const sep = l10n.t('; ');
  if (parts.every((x) => x.retry === undefined)) return l10n.t('{0} — retrying then.', parts.map((x) => x.text).join(sep));
  return l10n.t('{0}.', parts.map((x) => (x.retry === undefined ? l10n.t('{0} — retrying then', x.text) : l10n.t('{0} — retrying at {1}', x.text, x.retry))).join(sep));
}

/**
 * What the problem means for the numbers and what happens next, as one sentence: "Numbers from 5m ago, frozen until
 * the key is replaced." (rejected credentials: nothing is retried), "Numbers from 5m ago; retrying at 14:32."
 */
export function problemConsequence(
  p: { status: Snapshot['status']; hasNumbers: boolean; lastSuccessAt?: number; authKind: string | undefined; nextPollAt?: number },
  now: number,
): string {
  const age = formatAge(p.lastSuccessAt, now);
  if (p.status === 'auth-required') {
    if (p.hasNumbers) return p.authKind === 'api-key' ? l10n.t('Numbers from {0}, frozen until the key is replaced.', age) : l10n.t('Numbers from {0}, frozen until you sign in again.', age);
    return p.authKind === 'api-key' ? l10n.t('Replace the key to see this account.') : l10n.t('Sign in again to see this account.');
  }
  const next = p.nextPollAt !== undefined ? formatClock(p.nextPollAt, now) : undefined;
  if (p.hasNumbers && next !== undefined) return l10n.t('Numbers from {0}; retrying at {1}.', age, next);
  if (p.hasNumbers) return l10n.t('Numbers from {0}.', age);
  return next !== undefined ? l10n.t('Retrying at {0}.', next) : '';
}

/** The account's status in a word or two; an API-key account whose key was rejected needs a new key, not a sign-in. */
export function statusLabel(status: Snapshot['status'], authKind: string | undefined): string {
  return status === 'auth-required' && authKind === 'api-key' ? l10n.t('new key needed') : STATUS_LABEL[status];
}
