import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HistoryStore } from '../../../src/core/history/store';
import type { CorruptionReport } from '../../../src/core/history/types';
import { nullLogger } from '../../../src/core/log';
import { makeMeter } from '../../../src/shared/model';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 1);

async function seeded(n: number): Promise<{ dir: string; file: string }> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-history-corrupt-'));
  const s = new HistoryStore({ folder: dir, log: nullLogger, compactEveryMs: 0 });
  for (let i = 0; i < n; i++) {
    const t = T0 + i * MIN;
    await s.record('a1', [makeMeter({ id: 'm', label: 'm', kind: 'quota', unit: 'r', source: 'official', capturedAt: t, used: i, limit: 1000 })], t);
  }
  s.dispose();
  return { dir, file: path.join(dir, 'v2', 'a1', 'raw-20250101.log') };
}

async function reopen(dir: string): Promise<{ s: HistoryStore; used: number[]; reports: CorruptionReport[] }> {
  const s = new HistoryStore({ folder: dir, log: nullLogger, compactEveryMs: 0 });
  const reports: CorruptionReport[] = [];
  s.onDidDetectCorruption((r) => reports.push(r));
  // A reader never modifies files; the writer repairs on its first write.
  const asReader = (await s.query('a1', 'm', 0, Infinity, 1e6)).map((p) => p.used!);
  const t = T0 + 1000 * MIN;
  await s.record('a1', [makeMeter({ id: 'm', label: 'm', kind: 'quota', unit: 'r', source: 'official', capturedAt: t, used: 999, limit: 1000 })], t);
  const used = (await s.query('a1', 'm', 0, Infinity, 1e6)).map((p) => p.used!);
  assert.deepEqual(used.slice(0, -1), asReader, 'reader and repaired views agree');
  assert.equal(used[used.length - 1], 999, 'appends after the repair are readable');
  return { s, used, reports };
}

test('a truncated tail (interrupted append) loses only that sample and is not reported', async () => {
  const { dir, file } = await seeded(100);
  const st = await fsp.stat(file);
  await fsp.truncate(file, st.size - 7);
  const { used, reports } = await reopen(dir);
  assert.deepEqual(used, [...Array.from({ length: 99 }, (_, i) => i), 999]);
  assert.equal(reports.length, 0);
  assert.deepEqual((await fsp.readdir(path.dirname(file))).filter((n) => n.includes('corrupt')), []);
});

test('garbage in the middle: intact lines recovered, original kept, reported once', async () => {
  const { dir, file } = await seeded(100);
  const buf = await fsp.readFile(file);
  const at = Math.floor(buf.length / 2);
  const garbage = Buffer.from('\x89PNG\r\n\x1a\nnot a history line, 4,5,6*deadbeef\n\xff\xfe');
  const damaged = Buffer.concat([buf.subarray(0, at), garbage, buf.subarray(at + 10)]);
  await fsp.writeFile(file, damaged);
  const { s, used, reports } = await reopen(dir);
  assert.ok(used.length - 1 >= 95 && used.length - 1 <= 99, `kept ${used.length - 1} of 100`);
  for (let i = 1; i < used.length; i++) assert.ok(used[i]! > used[i - 1]!, 'no garbled or duplicated points');
  assert.equal(reports.length, 1);
  assert.ok(reports[0]!.badLines >= 1);
  assert.deepEqual(await fsp.readFile(reports[0]!.backup), damaged, 'the damaged original is kept');
  assert.equal(s.corruptionReports().length, 1);
  // A second damaged file in the same session (another account's, read for its first write) is repaired and
  // logged, but not notified again.
  const other = path.join(dir, 'v2', 'a2', 'raw-20250102.log');
  await fsp.mkdir(path.dirname(other), { recursive: true });
  const intact = (await fsp.readFile(file, 'latin1')).split('\n')[0]! + '\n';
  await fsp.writeFile(other, `junk\n${intact}`, 'latin1');
  await s.record('a2', [], T0 + 2000 * MIN);
  assert.equal(s.corruptionReports().length, 2, 'the second repair is recorded');
  assert.equal(await fsp.readFile(other, 'latin1'), intact, 'and done');
  assert.equal(reports.length, 1, 'but the user is told once');
  s.dispose();
});

test('a zero-filled block (power loss on some file systems) drops only the lines it covers', async () => {
  const { dir, file } = await seeded(100);
  const buf = await fsp.readFile(file);
  buf.fill(0, 1000, 1600);
  await fsp.writeFile(file, buf);
  const { used, reports } = await reopen(dir);
  const lineLen = buf.length / 100;
  const lost = 100 + 1 - used.length;
  assert.ok(lost >= 1 && lost <= Math.ceil(600 / lineLen) + 1, `lost ${lost}`);
  for (let i = 1; i < used.length; i++) assert.ok(used[i]! > used[i - 1]!);
  assert.equal(reports.length, 1);
});

test('zeros appended at the end (extended but unwritten file) are repaired too', async () => {
  const { dir, file } = await seeded(10);
  await fsp.appendFile(file, Buffer.alloc(4096));
  const { used } = await reopen(dir);
  assert.deepEqual(used, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 999]);
});
