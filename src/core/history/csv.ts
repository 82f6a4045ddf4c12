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

/**
 * A text cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets (OWASP "CSV
 * injection"): account names are the user's text and meter ids come from vendor responses.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell. Text that a spreadsheet would run as a formula gets a leading `'` (shown as text, not evaluated);
 * numbers are written as they are, so a negative number stays a number.
 */
export function csvField(v: string | number | undefined): string {
  if (v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
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
