// CSV for "Export Usage History" (RFC 4180: CRLF line ends, fields with comma, quote, CR or LF are quoted and
// inner quotes doubled). Times are ISO 8601 UTC so spreadsheets sort them; unknown values are empty cells.
import type { ExportRow } from './types';

export const CSV_COLUMNS = [
  'accountId',
  'meterId',
  'time',
  'used',
  'limit',
  'remaining',
  'percentUsed',
  'resetsAt',
  'source',
  'capturedAt',
  'resolution',
] as const;

export function csvField(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

export function toCsv(rows: readonly ExportRow[], names?: { account?: (accountId: string) => string }): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        names?.account ? names.account(r.accountId) : r.accountId,
        r.meterId,
        iso(r.t),
        r.used,
        r.limit,
        r.remaining,
        r.percentUsed,
        iso(r.resetsAt),
        r.source,
        iso(r.capturedAt),
        r.resolution,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
