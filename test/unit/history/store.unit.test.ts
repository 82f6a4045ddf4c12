import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HistoryStore, type HistoryStoreOptions } from '../../../src/core/history/store';
import { downsampleMinMax, foldSeries } from '../../../src/core/history/downsample';
import { RETENTION_LIMITS, retentionFromSetting, type HistoryPoint } from '../../../src/core/history/types';
import { FileLease } from '../../../src/core/state/lease';
import { nullLogger } from '../../../src/core/log';
import { makeMeter, type Meter } from '../../../src/shared/model';
import { FakeClock } from '../../fakes/fakeClock';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 1);

async function tmp(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-history-'));
}

function open(folder: string, extra: Partial<HistoryStoreOptions> = {}): HistoryStore {
  return new HistoryStore({ folder, log: nullLogger, compactEveryMs: 0, ...extra });
}

function quota(id: string, used: number, t: number, extra: Partial<Parameters<typeof makeMeter>[0]> = {}): Meter {
  return makeMeter({ id, label: id, kind: 'quota', unit: 'requests', source: 'official', capturedAt: t, used, limit: 300, ...extra });
}

test('records changes and a sparse heartbeat; unknown values stay absent', async () => {
  const dir = await tmp();
  const s = open(dir);
  await s.start();
  assert.equal(await s.record('a1', [quota('premium', 1, T0), makeMeter({ id: 'bal', label: 'b', kind: 'balance', unit: 'USD', source: 'vendor-undocumented', capturedAt: T0 - 5000, remaining: 12.5 })], T0), 2);
  // Unchanged for 59 minutes: nothing written.
  for (let m = 1; m < 60; m++) assert.equal(await s.record('a1', [quota('premium', 1, T0 + m * MIN)], T0 + m * MIN), 0);
  // One hour after the last point: a heartbeat.
  assert.equal(await s.record('a1', [quota('premium', 1, T0 + HOUR)], T0 + HOUR), 1);
  assert.equal(await s.record('a1', [quota('premium', 2, T0 + HOUR + MIN)], T0 + HOUR + MIN), 1);
  // A meter without any number is not stored.
  assert.equal(await s.record('a1', [makeMeter({ id: 'x', label: 'x', kind: 'quota', unit: 'r', source: 'official', capturedAt: T0, unlimited: true })], T0 + 2 * HOUR), 0);
  const pts = await s.query('a1', 'premium', 0, Infinity, 1000);
  assert.deepEqual(pts.map((p) => [p.t - T0, p.used]), [[0, 1], [HOUR, 1], [HOUR + MIN, 2]]);
  assert.deepEqual(pts[0], { t: T0, used: 1, limit: 300, remaining: 299, percentUsed: 0.33, source: 'official' });
  const bal = await s.query('a1', 'bal', 0, Infinity, 1000);
  assert.deepEqual(bal, [{ t: T0, remaining: 12.5, source: 'vendor-undocumented', capturedAt: T0 - 5000 }]);
  assert.equal('used' in bal[0]!, false, 'unknown is absent, never 0');

  // A fresh store (a restart) continues the change detection from disk.
  const s2 = open(dir);
  assert.equal(await s2.record('a1', [quota('premium', 2, T0 + HOUR + 2 * MIN)], T0 + HOUR + 2 * MIN), 0);
  assert.deepEqual((await s2.listSeries()).map((x) => [x.accountId, x.meterId, x.points]), [
    ['a1', 'bal', 1],
    ['a1', 'premium', 3],
  ]);
  s.dispose();
  s2.dispose();
});

test('query filters the range and downsamples to about maxPoints keeping extremes', async () => {
  const dir = await tmp();
  const s = open(dir);
  // A saw-tooth: climbs to 290 and resets every 500 samples.
  for (let i = 0; i < 3000; i++) await s.record('a1', [quota('m', (i % 500) * 0.58, T0 + i * MIN)], T0 + i * MIN);
  const all = await s.query('a1', 'm', T0, T0 + 3000 * MIN, 100_000);
  assert.equal(all.length, 3000);
  const ds = await s.query('a1', 'm', T0, T0 + 3000 * MIN, 200);
  assert.ok(ds.length <= 200 && ds.length >= 100, `got ${ds.length}`);
  const max = Math.max(...all.map((p) => p.used!));
  assert.equal(Math.max(...ds.map((p) => p.used!)), max, 'the peak survives');
  assert.equal(Math.min(...ds.map((p) => p.used!)), 0, 'the reset survives');
  for (let i = 1; i < ds.length; i++) assert.ok(ds[i]!.t > ds[i - 1]!.t);
  assert.equal(ds[ds.length - 1]!.t, all[all.length - 1]!.t, 'ends on the latest value');
  const mid = await s.query('a1', 'm', T0 + 100 * MIN, T0 + 199 * MIN, 1000);
  assert.equal(mid.length, 100);
  assert.equal(mid[0]!.t, T0 + 100 * MIN);
  assert.deepEqual(await s.query('a1', 'nope', 0, Infinity, 10), []);
  assert.deepEqual(await s.query('nobody', 'm', 0, Infinity, 10), []);
  s.dispose();
});

test('foldSeries keeps one point per monotonic bucket and the excursions of a reset', () => {
  const pts: HistoryPoint[] = [0, 1, 2, 3, 4, 5].map((i) => ({ t: i * MIN, used: i }));
  assert.deepEqual(foldSeries(pts, 15 * MIN, 0).map((p) => p.used), [5]);
  assert.deepEqual(foldSeries(pts, 15 * MIN).map((p) => p.used), [0, 5], 'without a previous value the start is kept');
  const reset: HistoryPoint[] = [10, 20, 0, 5].map((u, i) => ({ t: i * MIN, used: u }));
  assert.deepEqual(foldSeries(reset, 15 * MIN, 10).map((p) => p.used), [20, 0, 5]);
  const flat = downsampleMinMax(pts, 100);
  assert.equal(flat, pts);
});

test('retention: raw → 15-minute → daily, queries stay continuous and never duplicate', async () => {
  const dir = await tmp();
  const clock = new FakeClock(T0);
  const s = open(dir, { clock });
  // 200 days, a sample every 10 minutes, used climbing within a 30-day window then resetting.
  const step = 10 * MIN;
  let n = 0;
  for (let t = T0; t < T0 + 200 * DAY; t += step) {
    const used = Math.floor(((t - T0) % (30 * DAY)) / HOUR);
    n += await s.record('a1', [quota('m', used, t)], t);
  }
  clock.advance(200 * DAY);
  const before = await s.query('a1', 'm', 0, Infinity, 1e9);
  assert.equal(before.length, n);
  await s.compact();
  const files = (await fsp.readdir(path.join(dir, 'v2', 'a1'))).sort();
  assert.ok(files.includes('day.log'), files.join());
  assert.ok(files.filter((f) => f.startsWith('raw-')).length <= 8, files.join());
  assert.ok(files.filter((f) => f.startsWith('q15-')).length <= 5, files.join());
  const after = await s.query('a1', 'm', 0, Infinity, 1e9);
  assert.ok(after.length < before.length * 0.7, `${after.length} vs ${before.length}`);
  for (let i = 1; i < after.length; i++) assert.ok(after[i]!.t > after[i - 1]!.t, 'ascending, no duplicates');
  // The peaks before each reset survive the folds.
  const peaks = (pts: HistoryPoint[]) => pts.filter((p, i) => pts[i + 1] && pts[i + 1]!.used! < p.used!).map((p) => p.used);
  assert.deepEqual(peaks(after), peaks(before));
  // Recent raw data is untouched.
  const recent = (pts: HistoryPoint[]) => pts.filter((p) => p.t >= clock.now() - 6 * DAY);
  assert.deepEqual(recent(after), recent(before));
  // Idempotent.
  await s.compact();
  assert.deepEqual(await s.query('a1', 'm', 0, Infinity, 1e9), after);
  const rows = await collect(s.exportChunks('a1'));
  assert.deepEqual(new Set(rows.map((r) => r.resolution)), new Set(['raw', '15m', '1d']));

  // A crash between appending a fold and deleting its source: the coarser copy wins, nothing is doubled.
  const s2 = open(dir, { clock });
  clock.advance(40 * DAY);
  for (let t = T0 + 200 * DAY; t < T0 + 240 * DAY; t += HOUR) await s2.record('a1', [quota('m', (t / HOUR) % 97, t)], t);
  const acct = path.join(dir, 'v2', 'a1');
  const raws = (await fsp.readdir(acct)).filter((f) => f.startsWith('raw-')).sort();
  const keep = path.join(dir, 'keep.log');
  await fsp.copyFile(path.join(acct, raws[0]!), keep);
  const mid = await s2.query('a1', 'm', 0, Infinity, 1e9);
  await s2.compact();
  await fsp.copyFile(keep, path.join(acct, raws[0]!)); // as if the delete never happened
  const resumed = await open(dir, { clock }).query('a1', 'm', 0, Infinity, 1e9);
  for (let i = 1; i < resumed.length; i++) assert.ok(resumed[i]!.t > resumed[i - 1]!.t);
  assert.ok(resumed.length < mid.length);
  s.dispose();
  s2.dispose();
});

test('daily retention drops whole months past dailyDays', async () => {
  const dir = await tmp();
  const clock = new FakeClock(T0);
  const s = open(dir, { clock, retention: { rawDays: 2, fifteenMinuteDays: 10, dailyDays: 60 } });
  for (let t = T0; t < T0 + 150 * DAY; t += 3 * HOUR) await s.record('a1', [quota('m', t / HOUR, t)], t);
  clock.advance(150 * DAY);
  await s.compact();
  const pts = await s.query('a1', 'm', 0, Infinity, 1e9);
  assert.ok(pts[0]!.t >= T0 + 60 * DAY, new Date(pts[0]!.t).toISOString());
  assert.ok(pts[pts.length - 1]!.t >= T0 + 149 * DAY);
  s.dispose();
});

test('retentionFromSetting validates and orders the tiers', async () => {
  assert.deepEqual(retentionFromSetting(undefined), { rawDays: 7, fifteenMinuteDays: 90, dailyDays: 0 });
  assert.deepEqual(retentionFromSetting({ rawDays: 30, fifteenMinuteDays: 10, dailyDays: 5 }), { rawDays: 30, fifteenMinuteDays: 30, dailyDays: 30 });
  assert.deepEqual(retentionFromSetting({ rawDays: 'x', fifteenMinuteDays: '90', dailyDays: 400 }), { rawDays: 7, fifteenMinuteDays: 90, dailyDays: 400 });
  // Out of range: clamped, never the default (asking for more history must not give less).
  assert.deepEqual(retentionFromSetting({ rawDays: 400, fifteenMinuteDays: 4000, dailyDays: 1e9 }), { rawDays: 366, fifteenMinuteDays: 3660, dailyDays: 36600 });
  assert.deepEqual(retentionFromSetting({ rawDays: 0.5, fifteenMinuteDays: -1, dailyDays: -5 }), { rawDays: 1, fifteenMinuteDays: 1, dailyDays: 0 });
  // The settings schema states the same bounds.
  const pkgFile = path.join(__dirname, '..', '..', '..', '..', 'package.json'); // from out/test/unit/history
  const schema = (JSON.parse(await fsp.readFile(pkgFile, 'utf8')) as { contributes: { configuration: { properties: Record<string, { properties: Record<string, { minimum: number; maximum: number }> }> } } })
    .contributes.configuration.properties['tokstat.history.retention']!.properties;
  for (const [k, lim] of Object.entries(RETENTION_LIMITS)) assert.deepEqual([schema[k]!.minimum, schema[k]!.maximum], [lim.min, lim.max], k);
});

test('a retention change applies while running: a longer raw tier is not folded, a shorter one soon is', async () => {
  const dir = await tmp();
  const clock = new FakeClock(T0);
  const s = open(dir, { clock, compactEveryMs: 3_600_000 });
  await s.start();
  for (let t = T0; t < T0 + 20 * DAY; t += HOUR) await s.record('a1', [quota('m', t / HOUR, t)], t);
  const raws = async () => (await fsp.readdir(path.join(dir, 'v2', 'a1'))).filter((f) => f.startsWith('raw-')).length;
  assert.equal(await raws(), 20);
  // The user asks for 30 days of raw samples before the first compaction: nothing is folded.
  s.setRetention(retentionFromSetting({ rawDays: 30 }));
  clock.advance(20 * DAY - 1);
  await s.compact();
  assert.equal(await raws(), 20, 'every raw day the user asked to keep is still raw');
  // Then 3 days: the compaction re-armed by the change folds within a minute, without waiting for its hourly tick.
  s.setRetention(retentionFromSetting({ rawDays: 3 }));
  await clock.advanceAsync(30_000);
  await s.whenIdle();
  assert.ok((await raws()) <= 4, `raw files left: ${await raws()}`);
  assert.equal((await s.query('a1', 'm', 0, Infinity, 1e9)).at(-1)!.used, (T0 + 20 * DAY - HOUR) / HOUR, 'the latest sample is kept');
  s.dispose();
});

test('clock going backwards: times are clamped, series stay ordered', async () => {
  const dir = await tmp();
  const s = open(dir);
  await s.record('a1', [quota('m', 1, T0 + 10 * MIN)], T0 + 10 * MIN);
  await s.record('a1', [quota('m', 2, T0 + 11 * MIN)], T0 + 11 * MIN);
  await s.record('a1', [quota('m', 3, T0 + 2 * MIN)], T0 + 2 * MIN); // the clock jumped back 9 minutes
  await s.record('a1', [quota('m', 4, T0 + 3 * MIN)], T0 + 3 * MIN);
  await s.record('a1', [quota('m', 5, T0 + 20 * MIN)], T0 + 20 * MIN);
  const pts = await s.query('a1', 'm', 0, Infinity, 100);
  assert.deepEqual(pts.map((p) => p.used), [1, 2, 3, 4, 5], 'the sequence is kept');
  for (let i = 1; i < pts.length; i++) assert.ok(pts[i]!.t >= pts[i - 1]!.t);
  assert.equal(pts[2]!.t, T0 + 11 * MIN);
  assert.equal(pts[2]!.capturedAt, T0 + 2 * MIN, 'the original capture time is kept');

  // Out-of-order lines already on disk (older versions, a foreign writer) are sorted on read.
  const acct = path.join(dir, 'v2', 'a1');
  const file = path.join(acct, (await fsp.readdir(acct))[0]!);
  const lines = (await fsp.readFile(file, 'latin1')).split('\n').filter(Boolean);
  await fsp.writeFile(path.join(dir, 'x'), '');
  await fsp.writeFile(file, [...lines].reverse().map((l) => l + '\n').join(''), 'latin1');
  const sorted = await open(dir).query('a1', 'm', 0, Infinity, 100);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.t >= sorted[i - 1]!.t);
  assert.equal(sorted.length, 5);
  s.dispose();
});

test('a clock that ran ahead once does not pin later samples to its time', async () => {
  const dir = await tmp();
  const s = open(dir);
  await s.record('a1', [quota('m', 0, T0)], T0);
  // One poll while the clock was a year ahead, then the clock is right again for a week of hourly changes.
  await s.record('a1', [quota('m', 1, T0 + 365 * DAY)], T0 + 365 * DAY);
  for (let h = 1; h <= 7 * 24; h++) await s.record('a1', [quota('m', 1 + h, T0 + h * HOUR)], T0 + h * HOUR);
  const week = await s.query('a1', 'm', T0 + 1, T0 + 7 * DAY, 1e6);
  assert.equal(week.length, 7 * 24, 'every hour of the week is stored at its own time');
  assert.deepEqual([week[0]!.t, week[week.length - 1]!.t], [T0 + HOUR, T0 + 7 * DAY]);
  for (let i = 1; i < week.length; i++) assert.ok(week[i]!.t > week[i - 1]!.t);
  // Unchanged values still get their heartbeat, though a (wrong) later point exists.
  assert.equal(await s.record('a1', [quota('m', 169, T0 + 7 * DAY + 2 * HOUR)], T0 + 7 * DAY + 2 * HOUR), 1);
  s.dispose();
});

test('a rate limit whose reset moves with the clock is written on change and heartbeat only', async () => {
  const dir = await tmp();
  const s = open(dir);
  // "x-ratelimit-reset-requests: 20s" on every idle poll: the reset time is always 20 s after the poll.
  const header = (t: number, remaining = 500) =>
    makeMeter({ id: 'rpm', label: 'Requests per minute', kind: 'rate-limit', unit: 'requests', source: 'headers', capturedAt: t, limit: 500, remaining, resetsAt: t + 20_000 });
  let written = 0;
  for (let i = 0; i < 24 * 60; i++) written += await s.record('a1', [header(T0 + i * MIN)], T0 + i * MIN);
  assert.equal(written, 24, 'one point, then one heartbeat an hour');
  assert.equal(await s.record('a1', [header(T0 + DAY, 499)], T0 + DAY), 1, 'a changed value is written');
  // A fixed window that rolls over with nothing used moves its reset by the window's length: that is written.
  const fiveHour = (t: number, resetsAt: number) =>
    makeMeter({ id: '5h', label: '5-hour', kind: 'quota', unit: '%', source: 'official', capturedAt: t, percentUsed: 0, resetsAt });
  assert.equal(await s.record('a1', [fiveHour(T0 + DAY, T0 + DAY + 5 * HOUR)], T0 + DAY), 1);
  assert.equal(await s.record('a1', [fiveHour(T0 + DAY + MIN, T0 + DAY + 5 * HOUR + 30_000)], T0 + DAY + MIN), 0, 'a re-estimated reset is the same');
  assert.equal(await s.record('a1', [fiveHour(T0 + DAY + 5 * HOUR + MIN, T0 + DAY + 10 * HOUR)], T0 + DAY + 5 * HOUR + MIN), 1, 'the next window');
  s.dispose();
});

test('a failed or short write (disk full) stores nothing of that poll and never breaks the next line', async (t) => {
  const dir = await tmp();
  const s = open(dir);
  await s.record('a1', [quota('m', 1, T0)], T0);
  const file = path.join(dir, 'v2', 'a1', (await fsp.readdir(path.join(dir, 'v2', 'a1')))[0]!);
  const sizeBefore = (await fsp.stat(file)).size;
  // The FileHandle the store writes with: a full disk writes what fits, then refuses.
  const probe = await fsp.open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { write: (...a: unknown[]) => Promise<{ bytesWritten: number }>; truncate: (n: number) => Promise<void> };
  await probe.close();
  const realWrite = proto.write;
  const realTruncate = proto.truncate;
  t.after(() => {
    proto.write = realWrite;
    proto.truncate = realTruncate;
  });
  proto.write = async function (this: unknown, buf: unknown) {
    const b = buf as Buffer;
    return realWrite.call(this, b, 0, Math.floor(b.length / 2));
  };
  await assert.rejects(s.record('a1', [quota('m', 2, T0 + MIN)], T0 + MIN), /short write/);
  assert.equal((await fsp.stat(file)).size, sizeBefore, 'the partial line was taken back');
  proto.write = async () => {
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  };
  await assert.rejects(s.record('a1', [quota('m', 3, T0 + 2 * MIN)], T0 + 2 * MIN), /ENOSPC/);
  // Worst case: the partial line cannot be taken back either; the next write repairs the file first.
  proto.write = async function (this: unknown, buf: unknown) {
    const b = buf as Buffer;
    return realWrite.call(this, b, 0, 7);
  };
  proto.truncate = async () => {
    throw new Error('EIO');
  };
  await assert.rejects(s.record('a1', [quota('m', 4, T0 + 3 * MIN)], T0 + 3 * MIN));
  assert.equal((await fsp.stat(file)).size, sizeBefore + 7);
  proto.write = realWrite;
  proto.truncate = realTruncate;
  assert.equal(await s.record('a1', [quota('m', 5, T0 + 4 * MIN)], T0 + 4 * MIN), 1, 'space again: the next poll is stored');
  const pts = await open(dir).query('a1', 'm', 0, Infinity, 100);
  assert.deepEqual(pts.map((p) => p.used), [1, 5], 'the failed polls are missing, nothing else');
  assert.deepEqual(s.corruptionReports(), [], 'a write that failed is not reported as damage');
  const reopened = open(dir);
  await reopened.record('a1', [quota('m', 6, T0 + 5 * MIN)], T0 + 5 * MIN);
  assert.deepEqual(reopened.corruptionReports(), []);
  s.dispose();
  reopened.dispose();
});

test('migrates the v1 layout (one JSON-lines file per account) to v2', async () => {
  const dir = await tmp();
  await fsp.copyFile(path.join(__dirname, '..', '..', '..', '..', 'test', 'unit', 'history', 'fixtures', 'v1-account.jsonl'), path.join(dir, 'acc-1.jsonl'));
  const s = open(dir);
  await s.start();
  const pts = await s.query('acc-1', 'premium', 0, Infinity, 100);
  assert.deepEqual(pts.map((p) => p.used), [10, 12, 40]);
  assert.deepEqual(pts[0], { t: 1735689600000, used: 10, limit: 300, remaining: 290, percentUsed: 3.33, resetsAt: 1738368000000, source: 'official' });
  assert.deepEqual(await s.query('acc-1', 'credits', 0, Infinity, 100), [{ t: 1735689600000, remaining: 42.5, source: 'vendor-undocumented' }]);
  const names = await fsp.readdir(dir);
  assert.ok(names.includes('acc-1.jsonl.migrated') && !names.includes('acc-1.jsonl'));
  // New samples continue after the migrated ones; a second start does not migrate again.
  assert.equal(await s.record('acc-1', [quota('premium', 41, 1735779600000 + MIN)], 1735779600000 + MIN), 1);
  const again = open(dir);
  await again.start();
  assert.equal((await again.query('acc-1', 'premium', 0, Infinity, 100)).length, 4);

  // A crash after the v2 folder was renamed into place but before the v1 file was retired: no duplicates.
  const dir2 = await tmp();
  await fsp.copyFile(path.join(dir, 'acc-1.jsonl.migrated'), path.join(dir2, 'acc-1.jsonl'));
  const a = open(dir2);
  await a.start();
  await fsp.copyFile(path.join(dir, 'acc-1.jsonl.migrated'), path.join(dir2, 'acc-1.jsonl'));
  const b = open(dir2);
  await b.start();
  assert.equal((await b.query('acc-1', 'premium', 0, Infinity, 100)).length, 3);
  for (const x of [s, again, a, b]) x.dispose();
});

test('deleteAccount and exportChunks', async () => {
  const dir = await tmp();
  const s = open(dir);
  await s.record('a1', [quota('m', 1, T0), quota('n,"q"', 2, T0)], T0);
  await s.record('a2', [quota('m', 3, T0 + MIN)], T0 + MIN);
  const rows = await collect(s.exportChunks('a1'));
  assert.deepEqual(rows.map((r) => [r.accountId, r.meterId, r.used, r.capturedAt, r.resolution]), [
    ['a1', 'm', 1, T0, 'raw'],
    ['a1', 'n,"q"', 2, T0, 'raw'],
  ]);
  assert.equal((await collect(s.exportChunks('a1', { from: T0 + 1 }))).length, 0);
  assert.equal((await collect(s.exportChunks('a2', { from: T0 + 1 }))).length, 1);
  // The same rows one account at a time, in chunks, within a range.
  const chunks: unknown[][] = [];
  for await (const c of s.exportChunks('a1', {}, 1)) chunks.push(c.map((r) => r.meterId));
  assert.deepEqual(chunks, [['m'], ['n,"q"']]);
  assert.equal((await collect(s.exportChunks('a1', { to: T0 - 1 }))).length, 0);
  assert.equal((await collect(s.exportChunks('a2', { from: T0 + MIN, to: T0 + MIN }))).length, 1);
  assert.equal((await collect(s.exportChunks('../a1'))).length, 0);
  await s.deleteAccount('a1');
  await s.deleteAccount('a1');
  assert.deepEqual((await s.listSeries()).map((x) => x.accountId), ['a2']);
  assert.deepEqual(await s.query('a1', 'm', 0, Infinity, 10), []);
  await assert.rejects(s.record('../evil', [], T0));
  s.dispose();
});

test('compaction sweeps the history of accounts that no longer exist, leftovers of deletes and old repair copies', async () => {
  const dir = await tmp();
  let known: string[] | undefined;
  const s = open(dir, { knownAccounts: () => known });
  for (const id of ['kept', 'gone', 'fresh']) await s.record(id, [quota('m', 1, Date.now())], Date.now());
  const v2 = path.join(dir, 'v2');
  const age = async (id: string, days: number) => {
    const when = new Date(Date.now() - days * DAY);
    for (const f of await fsp.readdir(path.join(v2, id))) await fsp.utimes(path.join(v2, id, f), when, when);
  };
  await age('kept', 30);
  await age('gone', 8);
  await age('fresh', 2); // removed in another window two days ago: maybe still polled there, kept for now
  await fsp.mkdir(path.join(v2, '.deleted-old-1a2b3c4d', 'x'), { recursive: true });
  await fsp.writeFile(path.join(v2, 'kept', `raw-20200101.log.corrupt-${Date.now() - 31 * DAY}`), 'old copy');
  await fsp.writeFile(path.join(v2, 'kept', `raw-20200102.log.corrupt-${Date.now() - 2 * DAY}`), 'recent copy');
  // While the accounts are unknown, nothing is swept.
  await s.compact();
  assert.deepEqual((await fsp.readdir(v2)).filter((n) => !n.startsWith('.')).sort(), ['fresh', 'gone', 'kept']);
  known = ['kept'];
  await s.compact();
  assert.deepEqual((await fsp.readdir(v2)).sort(), ['fresh', 'kept']);
  assert.deepEqual((await fsp.readdir(path.join(v2, 'kept'))).filter((n) => n.includes('.corrupt-')).length, 1, 'only the recent copy is left');
  assert.equal((await s.query('kept', 'm', 0, Infinity, 10)).length, 1);
  s.dispose();
});

test('a poll that lands after its account was deleted does not bring the history back', async () => {
  const dir = await tmp();
  const s = open(dir);
  await s.record('a1', [quota('m', 1, T0)], T0);
  const deleting = s.deleteAccount('a1');
  assert.equal(await s.record('a1', [quota('m', 2, T0 + MIN)], T0 + MIN), 0);
  await deleting;
  assert.equal(await s.record('a1', [quota('m', 3, T0 + 2 * MIN)], T0 + 2 * MIN), 0);
  assert.deepEqual(await fsp.readdir(path.join(dir, 'v2')), []);
  s.dispose();
});

test('one writer across windows (FileLease); a reader sees the writer’s data', async () => {
  const dir = await tmp();
  const clock = new FakeClock(T0);
  const lease = (label: string) => new FileLease({ dir: path.join(dir, 'history.lock'), log: nullLogger, clock, ttlMs: 30_000, ownerLabel: label });
  const a = open(path.join(dir, 'history'), { lease: lease('a'), clock });
  const b = open(path.join(dir, 'history'), { lease: lease('b'), clock });
  await a.start();
  await b.start();
  assert.equal(a.isWriter(), true);
  assert.equal(b.isWriter(), false);
  assert.equal(await b.record('x', [quota('m', 1, T0)], T0), 0, 'the reader does not write');
  assert.equal(await a.record('x', [quota('m', 1, T0)], T0), 1);
  assert.deepEqual((await b.query('x', 'm', 0, Infinity, 10)).map((p) => p.used), [1]);
  await a.record('x', [quota('m', 2, T0 + MIN)], T0 + MIN);
  assert.deepEqual((await b.query('x', 'm', 0, Infinity, 10)).map((p) => p.used), [1, 2], 'reader re-reads on query');
  // The writer goes away: the reader takes over on its next lease tick and continues without duplicates.
  a.dispose();
  await a.whenIdle();
  clock.advance(10_000);
  await b.whenIdle();
  assert.equal(b.isWriter(), true);
  assert.equal(await b.record('x', [quota('m', 2, T0 + 2 * MIN)], T0 + 2 * MIN), 0, 'change detection continues from disk');
  assert.equal(await b.record('x', [quota('m', 3, T0 + 3 * MIN)], T0 + 3 * MIN), 1);
  assert.deepEqual((await b.query('x', 'm', 0, Infinity, 10)).map((p) => p.used), [1, 2, 3]);
  b.dispose();
  await b.flush();
});

test('isWriter callback gates writes', async () => {
  const dir = await tmp();
  let writer = false;
  const s = open(dir, { isWriter: () => writer });
  assert.equal(await s.record('a', [quota('m', 1, T0)], T0), 0);
  writer = true;
  assert.equal(await s.record('a', [quota('m', 1, T0)], T0), 1);
  s.dispose();
});

async function collect<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const c of it) out.push(...c);
  return out;
}
