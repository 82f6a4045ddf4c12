// Settings → AlertOptions, validated here so the host's getter stays a one-liner and bad values never reach the engine.
import { DEFAULT_ALERT_OPTIONS, type AlertOptions } from './types';

/** Highest threshold accepted (percent): a meter may report overage well past its limit. */
const MAX_THRESHOLD = 1000;

/**
 * Reads `tokstat.alerts.*` through `get(key)` with keys relative to `tokstat.alerts` (e.g. `thresholds`). A setting
 * that cannot be used as written is reported through `warn` (the host logs it) instead of silently changing behaviour.
 */
export function alertOptionsFromSettings(get: (key: string) => unknown, warn: (message: string) => void = () => undefined): AlertOptions {
  const d = DEFAULT_ALERT_OPTIONS;
  const bool = (k: string, dflt: boolean) => {
    const v = get(k);
    return typeof v === 'boolean' ? v : dflt;
  };
  const num = (k: string, dflt: number, min: number, max: number) => {
    const v = get(k);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : dflt;
  };
  const thresholds = thresholdsFrom(get('thresholds'), warn);
  const lowBalance = num('lowBalance', d.lowBalance, 0, 1e9);
  return {
    ...d,
    enabled: bool('enabled', d.enabled),
    thresholds,
    hysteresis: num('hysteresis', d.hysteresis, 0, 50),
    lowBalance,
    kinds: {
      // An empty list turns threshold alerts off; 0 turns the low-balance alert off.
      threshold: thresholds.length > 0,
      predictive: bool('predictive', d.kinds.predictive),
      reset: bool('reset', d.kinds.reset),
      lowBalance: lowBalance > 0,
    },
  };
}

/**
 * Percent levels, ascending and distinct. Numbers from 1 to 1000 are percents; numbers between 0 and 1 are read as
 * fractions (0.8 → 80 %: a user writing 0.8 never means "notify at 0.8 % used"). Anything else is dropped with a
 * warning, and a list of nothing but bad entries falls back to the defaults: only an empty list turns alerts off.
 */
function thresholdsFrom(raw: unknown, warn: (message: string) => void): number[] {
  const defaults = [...DEFAULT_ALERT_OPTIONS.thresholds];
  if (raw === undefined || raw === null) return defaults;
  if (!Array.isArray(raw)) {
    warn(`tokstat.alerts.thresholds is not a list of numbers; using ${defaults.join(', ')}`);
    return defaults;
  }
  const valid: number[] = [];
  const bad: string[] = [];
  const fractions: string[] = [];
  for (const t of raw) {
    if (typeof t === 'number' && Number.isFinite(t) && t > 0 && t < 1) {
      const pct = Math.round(t * 100 * 1e6) / 1e6;
      valid.push(pct);
      fractions.push(`${t} as ${pct}%`);
    } else if (typeof t === 'number' && Number.isFinite(t) && t >= 1 && t <= MAX_THRESHOLD) {
      valid.push(t);
    } else {
      bad.push(JSON.stringify(t) ?? String(t));
    }
  }
  if (fractions.length) warn(`tokstat.alerts.thresholds: read ${fractions.join(', ')} (fractions); write percents from 1 to ${MAX_THRESHOLD}`);
  if (raw.length > 0 && valid.length === 0) {
    warn(`tokstat.alerts.thresholds has no usable level (${bad.join(', ')}); using ${defaults.join(', ')}. Percents from 1 to ${MAX_THRESHOLD}; an empty list turns threshold alerts off`);
    return defaults;
  }
  if (bad.length) warn(`tokstat.alerts.thresholds: ignored ${bad.join(', ')} (percents from 1 to ${MAX_THRESHOLD})`);
  return [...new Set(valid)].sort((a, b) => a - b);
}
