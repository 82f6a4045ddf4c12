// Display formatting shared by the status bar, the tree and the dashboard (the webview bundle imports it too,
// so it must stay free of Node and vscode imports). Unknown values render as "unknown", never as 0.
import type { Meter, Snapshot, SnapshotError } from './model';
import { formatFixed } from './numberFormat';

export const UNKNOWN = 'unknown';

const CURRENCIES: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', CNY: '¥', JPY: '¥' };

/** Whether `formatAmount` writes `unit` as a symbol before the number ("$1.20") rather than a word after it. */
export function hasCurrencySymbol(unit: string): boolean {
  return CURRENCIES[unit.toUpperCase()] !== undefined;
}

export function formatAmount(value: number | undefined, unit: string): string {
  if (value === undefined || !Number.isFinite(value)) return UNKNOWN;
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
  if (p === undefined || !Number.isFinite(p)) return UNKNOWN;
  if (p > 0 && p < 1) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

/** A value in a chart's unit: a percentage as "45%", anything else as `formatAmount` does. */
export function formatInUnit(value: number | undefined, unit: string): string {
  return unit === '%' ? formatPercent(value) : formatAmount(value, unit);
}

/** "12 / 300 requests", "$25.50 / $100.00", "unlimited", or "unknown". */
export function formatUsedOfLimit(m: Meter): string {
  if (m.unlimited) return m.used !== undefined ? `${formatAmount(m.used, m.unit)} (unlimited)` : 'unlimited';
  if (m.used !== undefined && m.limit !== undefined) {
    const cur = CURRENCIES[m.unit.toUpperCase()];
    if (cur) return `${formatAmount(m.used, m.unit)} / ${formatAmount(m.limit, m.unit)}`;
    return `${formatAmount(m.used, '')} / ${formatAmount(m.limit, m.unit)}`;
  }
  if (m.remaining !== undefined) return `${formatAmount(m.remaining, m.unit)} left`;
  if (m.used !== undefined) return `${formatAmount(m.used, m.unit)} used`;
  // Percent-only meters (Claude, Codex windows): the share is known even though the amounts are not.
  if (m.percentUsed !== undefined) return `${formatPercent(m.percentUsed)} used`;
  return UNKNOWN;
}

/** The "used / limit" text when it adds something to `formatMeterValue`, else undefined. */
export function meterDetailText(m: Meter, mode: 'used' | 'remaining' = 'used'): string | undefined {
  const value = formatMeterValue(m, mode);
  const detail = formatUsedOfLimit(m);
  return detail === value || detail.startsWith(`${value} `) ? undefined : detail;
}

/** The short value shown first: a percentage when there is one, else the best available amount. */
export function formatMeterValue(m: Meter, mode: 'used' | 'remaining' = 'used'): string {
  if (m.unlimited) return 'unlimited';
  if (m.percentUsed !== undefined) {
    return mode === 'used' ? formatPercent(m.percentUsed) : formatPercent(Math.max(0, 100 - m.percentUsed));
  }
  if (mode === 'remaining' && m.remaining !== undefined) return formatAmount(m.remaining, m.unit);
  if (m.kind === 'balance' && m.remaining !== undefined) return formatAmount(m.remaining, m.unit);
  if (m.used !== undefined) return formatAmount(m.used, m.unit);
  if (m.remaining !== undefined) return formatAmount(m.remaining, m.unit);
  return UNKNOWN;
}

const UNITS: Array<[number, string]> = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
];

/** "3d 4h", "2h 5m", "45m", "<1m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return UNKNOWN;
  const abs = Math.abs(ms);
  if (abs < 60_000) return '<1m';
  const parts: string[] = [];
  let rest = abs;
  for (const [size, label] of UNITS) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${label}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export function formatResetIn(resetsAt: number | undefined, now: number): string | undefined {
  if (resetsAt === undefined) return undefined;
  const d = resetsAt - now;
  if (d <= 0) return 'reset due';
  return `resets in ${formatDuration(d)}`;
}

export function formatAge(at: number | undefined, now: number): string {
  if (at === undefined) return 'never';
  const d = now - at;
  if (d < 60_000) return 'just now';
  return `${formatDuration(d)} ago`;
}

export const SOURCE_LABEL: Record<Meter['source'], string> = {
  official: 'official API',
  'vendor-undocumented': 'undocumented vendor endpoint',
  headers: 'response headers',
  estimate: 'local estimate',
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

export const STATUS_LABEL: Record<Snapshot['status'], string> = {
  ok: 'up to date',
  stale: 'stale',
  error: 'error',
  'auth-required': 'sign-in required',
};

// ---------------------------------------------------------------- states in words
// An account whose numbers are not fresh says why, leading with the reason (the host and path of the request stay in
// the error's message, shown as the details): "Key rejected by OpenRouter (401)".

/** What kind of credential an account uses, in one word: an API key, or a sign-in (GitHub, another tool's). */
function credentialWord(authKind: string | undefined): 'Key' | 'Sign-in' {
  return authKind === 'api-key' ? 'Key' : 'Sign-in';
}

const REASON: Record<SnapshotError['kind'], { text: string; by: string }> = {
  auth: { text: 'rejected', by: 'by' },
  forbidden: { text: 'Access refused', by: 'by' },
  'rate-limited': { text: 'Rate limited', by: 'by' },
  'not-found': { text: 'Not found', by: 'at' },
  server: { text: 'Server error', by: 'at' },
  network: { text: 'Could not reach', by: '' },
  timeout: { text: 'No answer', by: 'from' },
  'bad-response': { text: 'Unexpected answer', by: 'from' },
  config: { text: 'Setup problem', by: 'for' },
  cancelled: { text: 'Refresh cancelled', by: 'for' },
  proxy: { text: 'Proxy authentication required', by: 'for' },
};

/**
 * The reason in a few words. With `provider` it names who said so ("Key rejected by OpenRouter"); with `status` the
 * HTTP status follows in brackets ("Key rejected (401)"). An auth error without a status (no key stored, a sign-in
 * that expired locally) is "Key needed" / "Sign-in needed".
 */
export function errorReason(err: Pick<SnapshotError, 'kind' | 'status'>, authKind: string | undefined, opts: { provider?: string; status?: boolean } = {}): string {
  const p = opts.provider;
  const st = opts.status && err.status !== undefined ? ` (${err.status})` : '';
  if (err.kind === 'auth') {
    const word = credentialWord(authKind);
    if (err.status === undefined) return `${word} needed${p ? ` for ${p}` : ''}`;
    return `${word} rejected${p ? ` by ${p}` : ''}${st}`;
  }
  if (err.kind === 'network') return p ? `Could not reach ${p}${st}` : `Unreachable${st}`;
  const r = REASON[err.kind] ?? { text: 'Refresh failed', by: 'for' };
  return `${r.text}${p ? ` ${r.by} ${p}` : ''}${st}`;
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
  if (!sameDay) s = `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()]} ${s}`;
  return s;
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
    return { text: `${p} asked to wait until ${until}`, retry: retry === until ? undefined : retry };
  });
  if (parts.every((x) => x.retry === undefined)) return `${parts.map((x) => x.text).join('; ')} — retrying then.`;
  return `${parts.map((x) => `${x.text} — retrying ${x.retry === undefined ? 'then' : `at ${x.retry}`}`).join('; ')}.`;
}

/**
 * What the problem means for the numbers and what happens next, as one sentence: "Numbers from 5m ago, frozen until
 * the key is replaced." (rejected credentials: nothing is retried), "Numbers from 5m ago; retrying at 14:32."
 */
export function problemConsequence(
  p: { status: Snapshot['status']; hasNumbers: boolean; lastSuccessAt?: number; authKind: string | undefined; nextPollAt?: number },
  now: number,
): string {
  const from = p.hasNumbers ? `Numbers from ${formatAge(p.lastSuccessAt, now)}` : '';
  if (p.status === 'auth-required') {
    const fix = p.authKind === 'api-key' ? 'the key is replaced' : 'you sign in again';
    return p.hasNumbers ? `${from}, frozen until ${fix}.` : p.authKind === 'api-key' ? 'Replace the key to see this account.' : 'Sign in again to see this account.';
  }
  const next = p.nextPollAt !== undefined ? `retrying at ${formatClock(p.nextPollAt, now)}` : '';
  if (from && next) return `${from}; ${next}.`;
  if (from) return `${from}.`;
  return next ? `${next.charAt(0).toUpperCase()}${next.slice(1)}.` : '';
}

/** The account's status in a word or two; an API-key account whose key was rejected needs a new key, not a sign-in. */
export function statusLabel(status: Snapshot['status'], authKind: string | undefined): string {
  return status === 'auth-required' && authKind === 'api-key' ? 'new key needed' : STATUS_LABEL[status];
}
