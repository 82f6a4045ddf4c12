// "Export Usage History" files (src/core/history/export.ts): the columns name the account, provider, meter label
// and unit (a cell a spreadsheet would run as a formula is neutralised), the JSON is one valid document, the writer
// yields between chunks and stops on cancel, and the target file is only ever replaced whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXPORT_COLUMNS, writeHistoryExport, writeThroughTemp, type ExportAccount, type HistoryExportOptions } from '../../../src/core/history/export';
import type { ExportRow } from '../../../src/core/history/types';

const T0 = Date.UTC(2026, 0, 1);

const account = (id: string, name: string, meters: Array<[string, string, string]> = []): ExportAccount => ({
  id,
  name,
  providerId: 'custom-openai',
  meters: new Map(meters.map(([m, label, unit]) => [m, { label, unit }])),
});

function row(accountId: string, meterId: string, t: number, extra: Partial<ExportRow> = {}): ExportRow {
  return { accountId, meterId, t, capturedAt: t, resolution: 'raw', ...extra };
}

async function* chunksOf(...chunks: ExportRow[][]): AsyncGenerator<ExportRow[]> {
  for (const c of chunks) yield c;
}

async function run(o: Partial<HistoryExportOptions> & Pick<HistoryExportOptions, 'format' | 'accounts' | 'chunks'>): Promise<{ text: string; count: number | undefined }> {
  let text = '';
  const count = await writeHistoryExport({
    to: T0 + 86_400_000,
    exportedAt: T0 + 86_400_000,
    write: async (s) => {
      text += s;
    },
    isCancelled: () => false,
    ...o,
  });
  return { text, count };
}

const DATA: Record<string, ExportRow[][]> = {
  a1: [[row('a1', 'credits', T0, { used: 12.5, limit: 100, remaining: 87.5, percentUsed: 12.5, source: 'official' })], [row('a1', 'model:=evil', T0 + 1000, { remaining: -3, source: 'headers', resolution: '15m' })]],
  a2: [[row('a2', 'premium', T0, { percentUsed: 40, resetsAt: T0 + 3_600_000, capturedAt: T0 - 5000 })]],
};
const ACCOUNTS = [account('a1', '=HYPERLINK("http://evil","x")', [['credits', 'Credits', 'USD']]), account('a2', 'Work', [['premium', 'Premium requests', 'requests']])];

test('CSV: one header line with account, id, provider, meter label and unit; unknown values are empty, never 0', async () => {
  const { text, count } = await run({ format: 'csv', accounts: ACCOUNTS, chunks: (id) => chunksOf(...DATA[id]!) });
  assert.equal(count, 3);
  assert.deepEqual(text.split('\r\n'), [
    'account,accountId,provider,meter,meterLabel,unit,time,used,limit,remaining,percentUsed,resetsAt,resolution,source,capturedAt',
    `"'=HYPERLINK(""http://evil"",""x"")",a1,custom-openai,credits,Credits,USD,2026-01-01T00:00:00.000Z,12.5,100,87.5,12.5,,raw,official,2026-01-01T00:00:00.000Z`,
    // A meter the account no longer shows: no label or unit is invented.
    `"'=HYPERLINK(""http://evil"",""x"")",a1,custom-openai,model:=evil,,,2026-01-01T00:00:01.000Z,,,-3,,,15m,headers,2026-01-01T00:00:01.000Z`,
    'Work,a2,custom-openai,premium,Premium requests,requests,2026-01-01T00:00:00.000Z,,,,40,2026-01-01T01:00:00.000Z,raw,,2025-12-31T23:59:55.000Z',
    '',
  ]);
});

test('JSON: one valid document with metadata and rows carrying the CSV columns (unknown = null)', async () => {
  const { text, count } = await run({ format: 'json', accounts: ACCOUNTS, from: T0 - 1000, chunks: (id) => chunksOf(...DATA[id]!) });
  assert.equal(count, 3);
  const doc = JSON.parse(text) as { rows: Array<Record<string, unknown>> } & Record<string, unknown>;
  assert.equal(doc.format, 'tokstat-usage-history');
  assert.equal(doc.version, 1);
  assert.equal(doc.exportedAt, '2026-01-02T00:00:00.000Z');
  assert.equal(doc.from, '2025-12-31T23:59:59.000Z');
  assert.equal(doc.to, '2026-01-02T00:00:00.000Z');
  assert.deepEqual(doc.accounts, [
    { account: '=HYPERLINK("http://evil","x")', accountId: 'a1', provider: 'custom-openai' },
    { account: 'Work', accountId: 'a2', provider: 'custom-openai' },
  ]);
  assert.equal(doc.rows.length, 3);
  for (const r of doc.rows) assert.deepEqual(Object.keys(r), [...EXPORT_COLUMNS]);
  assert.deepEqual(doc.rows[0], {
    account: '=HYPERLINK("http://evil","x")', accountId: 'a1', provider: 'custom-openai', meter: 'credits', meterLabel: 'Credits', unit: 'USD',
    time: '2026-01-01T00:00:00.000Z', used: 12.5, limit: 100, remaining: 87.5, percentUsed: 12.5, resetsAt: null, resolution: 'raw', source: 'official',
    capturedAt: '2026-01-01T00:00:00.000Z',
  });
  assert.equal(doc.rows[1]!.remaining, -3);
  assert.equal(doc.rows[1]!.meterLabel, null);
  assert.equal(doc.rows[1]!.unit, null);
  // One row per line: line-oriented tools can read it too.
  assert.equal(text.split('\n').filter((l) => l.startsWith('{"account"')).length, 3);
  // No rows, and "everything": still a valid document.
  const empty = JSON.parse((await run({ format: 'json', accounts: [account('a3', 'Empty')], chunks: () => chunksOf() })).text) as { rows: unknown[]; from: unknown };
  assert.deepEqual(empty.rows, []);
  assert.equal(empty.from, null);
});

test('the writer yields to the event loop between chunks, reports each account, and stops when cancelled', async () => {
  let immediateRan = false;
  const seenBetween: boolean[] = [];
  async function* slow(id: string): AsyncGenerator<ExportRow[]> {
    for (let i = 0; i < 3; i++) {
      seenBetween.push(immediateRan);
      yield [row(id, 'm', T0 + i)];
    }
  }
  setImmediate(() => (immediateRan = true));
  const started: string[] = [];
  const { count } = await run({ format: 'csv', accounts: ACCOUNTS, chunks: slow, onAccount: (i, a) => started.push(`${i}:${a.id}`) });
  assert.equal(count, 6);
  assert.deepEqual(seenBetween.slice(0, 2), [false, true], 'a task queued on the event loop ran before the second chunk');
  assert.deepEqual(started, ['0:a1', '1:a2']);

  let written = 0;
  let cancel = false;
  const cancelled = await run({
    format: 'json',
    accounts: ACCOUNTS,
    chunks: slow,
    write: async () => {
      if (++written === 2) cancel = true; // the header, then the first chunk
    },
    isCancelled: () => cancel,
  });
  assert.equal(cancelled.count, undefined);
  assert.equal(written, 2, 'nothing is written after the cancellation');
});

test('writeThroughTemp: the target is replaced only when complete; cancelled or failed leaves it as it was and no temporary file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-export-'));
  try {
    const file = path.join(dir, 'out.csv');
    fs.writeFileSync(file, 'previous export');
    const seenTemp: string[] = [];
    const cancelled = await writeThroughTemp(file, async (write) => {
      await write('partial ');
      await write('data');
      seenTemp.push(...fs.readdirSync(dir).filter((n) => n !== 'out.csv'));
      return false;
    });
    assert.equal(cancelled, false);
    assert.equal(seenTemp.length, 1);
    assert.match(seenTemp[0]!, /^\.out\.csv\.[0-9a-f]+\.tmp$/, 'a temporary file next to the target');
    assert.equal(fs.readFileSync(file, 'utf8'), 'previous export');
    assert.deepEqual(fs.readdirSync(dir), ['out.csv']);

    await assert.rejects(
      writeThroughTemp(file, async (write) => {
        await write('partial');
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'previous export');
    assert.deepEqual(fs.readdirSync(dir), ['out.csv']);

    const ok = await writeThroughTemp(file, async (write) => {
      await write('a,b\r\n');
      await write('é,1\r\n');
      return true;
    });
    assert.equal(ok, true);
    assert.equal(fs.readFileSync(file, 'utf8'), 'a,b\r\né,1\r\n');
    assert.deepEqual(fs.readdirSync(dir), ['out.csv']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
