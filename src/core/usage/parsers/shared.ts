// What every agent's log parser shares: plausibility bounds (LOG_LIMITS) and the mark they set, bounded readers of
// tokens, ids, costs and times, line decoding and the outcome of a line.

import { FALLBACK, parseSelective } from '../selectiveJson';

export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Plausibility bounds of what one log line may carry (nothing in a log is trusted). A line with a value outside them
 * is rejected whole (LineOutcome.Rejected, counted in the scan's statistics): a damaged or hostile `1e300` would
 * otherwise become $1e294 in every total. The per-request bound is the API path's (INGEST_LIMITS.tokens); Codex's
 * cumulative counters add up a whole session, hence their larger bound.
 */
export const LOG_LIMITS = {
  /** Tokens of one kind in one request. */
  tokens: 1e9,
  /** Codex `total_token_usage` (a session's running sum). */
  cumulativeTokens: 1e12,
  /** An agent-logged cost of one request (USD). */
  costUSD: 1e5,
  /** Web searches in one request. */
  webSearches: 1e6,
  /** Model ids, session ids, message / request / tool ids (characters). */
  idChars: 512,
  /** A working directory (characters); a longer one is dropped (the workspace becomes unknown). */
  cwdChars: 4096,
} as const;

/** Set by `tok`/`idOf` when the value being read is implausible; the line parsers reject the line when it is set. */
let implausible = false;

/** Starts reading one line (or message): no implausible value seen yet. */
export function beginLine(): void {
  implausible = false;
}

/** Whether a value read since beginLine() was implausible (the line is then rejected whole); clears the mark. */
export function endLine(): boolean {
  const bad = implausible;
  implausible = false;
  return bad;
}

/**
 * A token count: a missing or non-numeric value counts as 0 (absent); a negative, non-finite or implausibly large
 * number marks the line implausible (and counts 0 here).
 */
export function tok(v: unknown, max: number = LOG_LIMITS.tokens): number {
  if (typeof v !== 'number') return 0;
  if (!(v >= 0 && v <= max)) {
    implausible = true;
    return 0;
  }
  return v;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** A string from a log made safe to keep: lone surrogates become U+FFFD (they would not survive UTF-8). */
export function wellFormed(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return s.replace(LONE_SURROGATE, '\uFFFD');
  }
  return s;
}

/** An id-like string (model, session, message, request): non-empty, bounded (longer marks the line implausible). */
export function idOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return undefined;
  if (v.length > LOG_LIMITS.idChars) {
    implausible = true;
    return undefined;
  }
  return wellFormed(v);
}

export function cwdOf(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= LOG_LIMITS.cwdChars ? wellFormed(v) : undefined;
}

/** An agent-logged cost: undefined when absent; out of [0, LOG_LIMITS.costUSD] marks the line implausible. */
export function costOf(v: unknown): number | undefined {
  if (typeof v !== 'number') return undefined;
  if (!(v >= 0 && v <= LOG_LIMITS.costUSD)) {
    implausible = true;
    return undefined;
  }
  return v;
}

export function parseTs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
  if (typeof v !== 'string') return undefined;
  const t = isoUtc(v);
  if (t >= 0) return t;
  const p = Date.parse(v);
  return Number.isFinite(p) ? p : undefined;
}

/** The value of the decimal digits s[i, i + n), or -1 when one is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * What Date.parse says of the shape every agent writes, `YYYY-MM-DDTHH:MM:SS.sssZ` or `YYYY-MM-DDTHH:MM:SSZ` (fields
 * in the ranges below), without its general parser (every line read has a timestamp; Date.parse was ~2 % of a cold
 * read's CPU). -1 for anything else, which Date.parse then reads (unit-tested against it).
 */
function isoUtc(s: string): number {
  const n = s.length;
  if ((n !== 24 && n !== 20) || s.charCodeAt(n - 1) !== 90 /* Z */) return -1;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return -1;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  let ms = 0;
  if (n === 24) {
    if (s.charCodeAt(19) !== 46) return -1;
    ms = digits(s, 20, 3);
  }
  // Years below 1000 go to Date.parse (Date.UTC reads 0–99 as 1900–1999); so do hour 24 and leap seconds.
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0) return -1;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

export function parseJsonObject(line: string): Json | undefined {
  // Every log line is one JSON object; a cheap first-character test avoids exceptions on blank or foreign lines.
  const c = line.charCodeAt(0);
  if (c !== 123 /* { */) {
    const t = line.trimStart();
    if (t.charCodeAt(0) !== 123) return undefined;
  }
  try {
    const v = JSON.parse(line) as unknown;
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `parseJsonObject` that materialises only the string values of `keep` keys (see selectiveJson.ts for why the line
 * parsers below cannot tell the difference).
 */
export function parseObjectKeeping(line: string, keep: ReadonlySet<string>): Json | undefined {
  const r = parseSelective(line, keep);
  return r === FALLBACK ? parseJsonObject(line) : r;
}

/** Outcome of feeding one line, for the reader's statistics. */
export const enum LineOutcome {
  Ignored = 0,
  Parsed = 1,
  Malformed = 2,
  /** Well-formed, but with an implausible value (see LOG_LIMITS): nothing of it is counted. */
  Rejected = 3,
}
