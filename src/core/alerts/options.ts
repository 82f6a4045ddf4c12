// Settings → AlertOptions, validated here so the host's getter stays a one-liner and bad values never reach the engine.
import { DEFAULT_ALERT_OPTIONS, type AlertOptions } from './types';

/** Reads `tokstat.alerts.*` through `get(key)` with keys relative to `tokstat.alerts` (e.g. `thresholds`). */
export function alertOptionsFromSettings(get: (key: string) => unknown): AlertOptions {
  const d = DEFAULT_ALERT_OPTIONS;
  const bool = (k: string, dflt: boolean) => {
    const v = get(k);
    return typeof v === 'boolean' ? v : dflt;
  };
  const num = (k: string, dflt: number, min: number, max: number) => {
    const v = get(k);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : dflt;
  };
  const raw = get('thresholds');
  const thresholds = Array.isArray(raw)
    ? [...new Set(raw.filter((t): t is number => typeof t === 'number' && Number.isFinite(t) && t > 0 && t <= 1000))].sort((a, b) => a - b)
    : [...d.thresholds];
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
