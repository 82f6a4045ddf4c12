// Line encoding of the history logs (format v2). Every line is `<payload>*<crc32 hex>\n`, so a reader can tell a
// complete, intact line from a torn tail, a zero-filled block or garbage, line by line, without trusting neighbours.
//
//   P,<meter>,<t>,<used>,<limit>,<remaining>,<pct>,<resetsAt>,<src>,<t-capturedAt>      one raw sample
//   B,<period>,<count>;<meter>,<t>,…;<meter>,<t>,…                                       one folded period (atomic)
//
// <meter> is encodeURIComponent(meterId); times are base-36 epoch ms; numbers use JS's shortest round-trip form;
// empty fields are absent values; <src> is one letter (o official, u vendor-undocumented, h headers, e estimate).
import type { MeterSource } from '../../shared/model';
import type { HistoryPoint } from './types';

export const FORMAT_VERSION = 2;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE) of the UTF-16 string's char codes below 256, else of the code modulo 256 — payloads are ASCII. */
export function crc32(s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) c = CRC_TABLE[(c ^ s.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SRC_TO_CODE: Record<MeterSource, string> = { official: 'o', 'vendor-undocumented': 'u', headers: 'h', estimate: 'e' };
const CODE_TO_SRC: Record<string, MeterSource> = { o: 'official', u: 'vendor-undocumented', h: 'headers', e: 'estimate' };

const n2s = (n: number | undefined): string => (n === undefined ? '' : String(n));
const t2s = (n: number | undefined): string => (n === undefined ? '' : Math.round(n).toString(36));

function s2n(s: string | undefined): number | undefined | null {
  if (s === undefined) return null;
  if (s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function s2t(s: string | undefined): number | undefined | null {
  if (s === undefined) return null;
  if (s === '') return undefined;
  if (!/^-?[0-9a-z]{1,12}$/.test(s)) return null;
  const n = parseInt(s, 36);
  return Number.isFinite(n) ? n : null;
}

/** `<meter>,<t>,…` fields of one point (no kind prefix, no checksum). */
export function encodeFields(meterId: string, p: HistoryPoint): string {
  const cap = p.capturedAt === undefined || p.capturedAt === p.t ? '' : t2s(p.t - p.capturedAt);
  return [
    encodeURIComponent(meterId),
    t2s(p.t),
    n2s(p.used),
    n2s(p.limit),
    n2s(p.remaining),
    n2s(p.percentUsed),
    t2s(p.resetsAt),
    p.source ? SRC_TO_CODE[p.source] ?? '' : '',
    cap,
  ].join(',');
}

export interface DecodedPoint {
  meterId: string;
  point: HistoryPoint;
}

export function decodeFields(s: string): DecodedPoint | undefined {
  const f = s.split(',');
  if (f.length !== 9) return undefined;
  let meterId: string;
  try {
    meterId = decodeURIComponent(f[0]!);
  } catch {
    return undefined;
  }
  if (!meterId) return undefined;
  const t = s2t(f[1]);
  if (t === null || t === undefined) return undefined;
  const p: HistoryPoint = { t };
  const used = s2n(f[2]);
  const limit = s2n(f[3]);
  const remaining = s2n(f[4]);
  const pct = s2n(f[5]);
  const resetsAt = s2t(f[6]);
  const cap = s2t(f[8]);
  if (used === null || limit === null || remaining === null || pct === null || resetsAt === null || cap === null) return undefined;
  if (used !== undefined) p.used = used;
  if (limit !== undefined) p.limit = limit;
  if (remaining !== undefined) p.remaining = remaining;
  if (pct !== undefined) p.percentUsed = pct;
  if (resetsAt !== undefined) p.resetsAt = resetsAt;
  if (f[7]) {
    const src = CODE_TO_SRC[f[7]];
    if (!src) return undefined;
    p.source = src;
  }
  if (cap !== undefined) p.capturedAt = t - cap;
  return { meterId, point: p };
}

export function sealLine(payload: string): string {
  return `${payload}*${crc32(payload).toString(16).padStart(8, '0')}\n`;
}

/** The payload of an intact line, or undefined when the checksum or shape is wrong. Leading NULs are ignored. */
export function unsealLine(line: string): string | undefined {
  let s = line;
  if (s.charCodeAt(0) === 0) s = s.replace(/^\0+/, '');
  const star = s.lastIndexOf('*');
  if (star < 0 || s.length - star !== 9) return undefined;
  const payload = s.slice(0, star);
  const crc = parseInt(s.slice(star + 1), 16);
  if (!/^[0-9a-f]{8}$/.test(s.slice(star + 1)) || crc !== crc32(payload)) return undefined;
  return payload;
}

export function pointLine(meterId: string, p: HistoryPoint): string {
  return sealLine(`P,${encodeFields(meterId, p)}`);
}

/** One folded period (a UTC day of 15-minute buckets, or a UTC month of daily buckets) as a single atomic line. */
export function blockLine(period: string, points: DecodedPoint[]): string {
  return sealLine(`B,${period},${points.length};${points.map((d) => encodeFields(d.meterId, d.point)).join(';')}`);
}

export type DecodedLine = { kind: 'P'; point: DecodedPoint } | { kind: 'B'; period: string; points: DecodedPoint[] };

export function decodePayload(payload: string): DecodedLine | undefined {
  if (payload.startsWith('P,')) {
    const d = decodeFields(payload.slice(2));
    return d ? { kind: 'P', point: d } : undefined;
  }
  if (payload.startsWith('B,')) {
    const parts = payload.split(';');
    const head = parts[0]!.split(',');
    if (head.length !== 3 || !/^[0-9]{6,8}$/.test(head[1]!)) return undefined;
    const count = Number(head[2]);
    if (!Number.isInteger(count) || count !== parts.length - 1) return undefined;
    const points: DecodedPoint[] = [];
    for (let i = 1; i < parts.length; i++) {
      const d = decodeFields(parts[i]!);
      if (!d) return undefined;
      points.push(d);
    }
    return { kind: 'B', period: head[1]!, points };
  }
  return undefined;
}

export interface ParsedFile {
  lines: DecodedLine[];
  goodLines: number;
  badLines: number;
  /** Byte length of the complete lines (a torn tail after it is excluded). */
  completeBytes: number;
  /** A last line without its newline: an interrupted append (or one in progress in the writer). */
  tornTail: boolean;
  /** Intact raw lines, to rewrite a repaired file. */
  good: string[];
}

export function parseFile(buf: Buffer): ParsedFile {
  const lastNl = buf.lastIndexOf(0x0a);
  const completeBytes = lastNl + 1;
  const text = buf.toString('latin1', 0, completeBytes);
  const out: ParsedFile = { lines: [], goodLines: 0, badLines: 0, completeBytes, tornTail: completeBytes < buf.length, good: [] };
  if (!text) return out;
  const rows = text.split('\n');
  rows.pop();
  for (const row of rows) {
    const payload = unsealLine(row);
    const decoded = payload === undefined ? undefined : decodePayload(payload);
    if (!decoded) {
      // Blank lines from a zero-filled block stripped of NULs count as damage too, except plain empty lines.
      if (row.length > 0) out.badLines++;
      continue;
    }
    out.goodLines++;
    out.lines.push(decoded);
    out.good.push(sealLine(payload!));
  }
  return out;
}

/** UTC day key `YYYYMMDD` and month key `YYYYMM` of an epoch ms. */
export function dayKey(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function monthKey(t: number): string {
  return dayKey(t).slice(0, 6);
}

export function dayStart(key: string): number {
  return Date.UTC(Number(key.slice(0, 4)), Number(key.slice(4, 6)) - 1, Number(key.slice(6, 8)));
}

export function monthStart(key: string): number {
  return Date.UTC(Number(key.slice(0, 4)), Number(key.slice(4, 6)) - 1, 1);
}

export function nextMonthStart(key: string): number {
  return Date.UTC(Number(key.slice(0, 4)), Number(key.slice(4, 6)), 1);
}
