// "Export Usage History" files. Both formats carry the same fields per sample (EXPORT_COLUMNS):
//   CSV   one header line, then one line per sample.
//   JSON  one document: {"format":"tokstat-usage-history","version":1,"exportedAt","from","to","accounts":[…],
//         "rows":[…]} — `rows` holds one object per sample with the CSV's fields (unknown = null), one per line,
//         so `jq '.rows[]'` or `pandas.json_normalize(doc["rows"])` read it.
// The file is produced account by account in chunks, yielding to the event loop between them, into a temporary
// file next to the target that takes the target's name only when complete.
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { csvLine } from './csv';
import type { ExportRow } from './types';
import { openPrivate } from '../privateFs';

export const EXPORT_COLUMNS = [
  'account',
  'accountId',
  'provider',
  'meter',
  'meterLabel',
  'unit',
  'time',
  'used',
  'limit',
  'remaining',
  'percentUsed',
  'resetsAt',
  'resolution',
  'source',
  'capturedAt',
] as const;

export type ExportFormat = 'csv' | 'json';

/**
 * What an export says about an account besides its samples. Never a credential: the id is random, and nothing of
 * the account's settings (base URLs, keys) is exported.
 */
export interface ExportAccount {
  id: string;
  name: string;
  providerId: string;
  /** Label and unit of each meter the account's current snapshot shows; a meter not shown there gets none. */
  meters: ReadonlyMap<string, { label: string; unit: string }>;
}

type Value = string | number | undefined;

const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

/** The first six columns: the same for every sample of one meter of one account. */
function seriesValues(a: ExportAccount, meterId: string): Value[] {
  const m = a.meters.get(meterId);
  return [a.name, a.id, a.providerId, meterId, m?.label, m?.unit];
}

const SAMPLE_COLUMNS = EXPORT_COLUMNS.slice(6);

/** The other columns, a sample's own. Times are ISO 8601 UTC (spreadsheets sort them). */
function sampleValues(r: ExportRow): Value[] {
  return [iso(r.t), r.used, r.limit, r.remaining, r.percentUsed, iso(r.resetsAt), r.resolution, r.source, iso(r.capturedAt)];
}

export interface HistoryExportOptions {
  format: ExportFormat;
  accounts: readonly ExportAccount[];
  /** The range exported, epoch ms (`from` undefined: everything). */
  from?: number;
  to: number;
  exportedAt: number;
  /** An account's samples within the range, in chunks (HistoryStore.exportChunks). */
  chunks(accountId: string): AsyncIterable<readonly ExportRow[]>;
  write(text: string): Promise<void>;
  /** Checked between chunks. */
  isCancelled(): boolean;
  /** Called as each account starts. */
  onAccount?(index: number, account: ExportAccount): void;
}

/** Writes the whole document through `write`. Resolves the number of samples written, or undefined when cancelled. */
export async function writeHistoryExport(o: HistoryExportOptions): Promise<number | undefined> {
  const json = o.format === 'json';
  let count = 0;
  await o.write(json ? jsonStart(o) : csvLine(EXPORT_COLUMNS));
  for (let i = 0; i < o.accounts.length; i++) {
    if (o.isCancelled()) return undefined;
    const account = o.accounts[i]!;
    o.onAccount?.(i, account);
    // The columns shared by a meter's samples are formatted once per meter, not once per sample.
    const prefixes = new Map<string, string>();
    const prefix = (meterId: string): string => {
      let p = prefixes.get(meterId);
      if (p === undefined) prefixes.set(meterId, (p = json ? jsonPrefix(seriesValues(account, meterId)) : csvLine(seriesValues(account, meterId)).slice(0, -2)));
      return p;
    };
    for await (const rows of o.chunks(account.id)) {
      let text = '';
      for (const r of rows) {
        text += json ? `${count === 0 ? '\n' : ',\n'}${jsonRow(prefix(r.meterId), sampleValues(r))}` : `${prefix(r.meterId)},${csvLine(sampleValues(r))}`;
        count++;
      }
      await o.write(text);
      // Let the extension host breathe between chunks (and see a cancellation).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (o.isCancelled()) return undefined;
    }
  }
  if (json) await o.write('\n]}\n');
  return count;
}

function jsonStart(o: HistoryExportOptions): string {
  const head = {
    format: 'tokstat-usage-history',
    version: 1,
    exportedAt: iso(o.exportedAt),
    from: iso(o.from) ?? null,
    to: iso(o.to),
    accounts: o.accounts.map((a) => ({ account: a.name, accountId: a.id, provider: a.providerId })),
  };
  // The document stays open after `"rows":[`; rows and the closing brackets follow.
  return `${JSON.stringify(head).slice(0, -1)},"rows":[`;
}

/** `{"account":…,"unit":…` — a row object without its sample fields and closing brace. */
function jsonPrefix(values: readonly Value[]): string {
  const o: Record<string, Value | null> = {};
  for (let i = 0; i < values.length; i++) o[EXPORT_COLUMNS[i]!] = values[i] ?? null;
  return JSON.stringify(o).slice(0, -1);
}

function jsonRow(prefix: string, values: readonly Value[]): string {
  let s = prefix;
  for (let i = 0; i < values.length; i++) s += `,"${SAMPLE_COLUMNS[i]}":${values[i] === undefined ? 'null' : JSON.stringify(values[i])}`;
  return `${s}}`;
}

/**
 * Writes `file` with what `produce` writes, through a temporary file next to it that takes its name only when
 * `produce` resolves true: a cancelled (false) or failed export leaves no partial file, and an existing `file` as
 * it was. Resolves whether `file` was written.
 */
export async function writeThroughTemp(file: string, produce: (write: (text: string) => Promise<void>) => Promise<boolean>): Promise<boolean> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  // 0600: an export holds the same data as the history (the folder is the user's choice and left as it is).
  const fh = await openPrivate(tmp, 'wx');
  let renamed = false;
  try {
    let complete: boolean;
    try {
      // Successive writeFile calls on one handle continue where the previous one ended.
      complete = await produce((text) => fh.writeFile(text, 'utf8'));
    } finally {
      await fh.close();
    }
    if (complete) {
      await fsp.rename(tmp, file);
      renamed = true;
    }
  } finally {
    if (!renamed) await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
  return renamed;
}
