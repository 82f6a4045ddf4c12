/**
 * Parses a Retry-After header value: delta-seconds ("120", "1.5") or an HTTP-date
 * ("Wed, 21 Oct 2026 07:28:00 GMT"). Returns the epoch ms to wait until, or undefined when absent/invalid.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return now + Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(now, t);
}
