// CSV for "Export Usage History" (RFC 4180: CRLF line ends, fields with comma, quote, CR or LF are quoted and
// inner quotes doubled). Unknown values are empty cells.

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

/** One CSV line, CRLF included. */
export function csvLine(values: readonly (string | number | undefined)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : ',') + csvField(values[i]);
  return line + '\r\n';
}
