// Display formatting shared by the status bar, the tree and the dashboard (the webview bundle imports it too,
// so it must stay free of Node and vscode imports). Unknown values render as "unknown", never as 0.
import type { Meter, Snapshot } from './model';
import { formatFixed } from '../shared/numberFormat';

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
