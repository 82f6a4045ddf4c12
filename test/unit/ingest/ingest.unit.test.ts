import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INGEST_LIMITS, toApiRecord, parseApiLine } from '../../../src/core/usage/ingest';
import { ApiUsageLog, readApiUsage } from '../../../src/core/usage/ingestStore';
import { createApi } from '../../../src/features/api/api';
import { FakeClock } from '../../fakes/fakeClock';
import { nullLogger } from '../../../src/core/log';

const NOW = Date.UTC(2026, 5, 15, 12);
const good = { operation: 'summarize', provider: 'openai', model: 'gpt-5-mini', inputTokens: 1200, outputTokens: 300 };

test('a minimal good payload becomes an api UsageRecord', () => {
  const r = toApiRecord(good, NOW);
  assert.ok(r.ok);
  assert.deepEqual(r.record, {
    agent: 'api',
    timestamp: NOW,
    sessionId: 'openai:summarize',
    model: 'gpt-5-mini',
    provider: 'openai',
    operation: 'summarize',
    inputTokens: 1200,
    outputTokens: 300,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    webSearchRequests: 0,
  });
});

test('a full good payload keeps cost, duration, tools, error and timestamp', () => {
  const r = toApiRecord(
    { ...good, costUSD: 0.0123, durationMs: 850, error: 'rate limited', timestamp: NOW - 1000, toolCalls: [{ name: 'search', durationMs: 20 }, { name: 'fetch', error: 'ECONNRESET' }], extra: 'ignored' },
    NOW,
  );
  assert.ok(r.ok);
  assert.equal(r.record.costUSD, 0.0123);
  assert.equal(r.record.durationMs, 850);
  assert.equal(r.record.error, 'rate limited');
  assert.equal(r.record.timestamp, NOW - 1000);
  assert.deepEqual(r.record.tools, [{ name: 'search', durationMs: 20 }, { name: 'fetch', error: true }]);
  assert.equal((r.record as unknown as Record<string, unknown>).extra, undefined);
  // costUSD null means "unknown": priced by tokstat like any record.
  const n = toApiRecord({ ...good, costUSD: null }, NOW);
  assert.ok(n.ok && n.record.costUSD === undefined);
});

const bad: Array<[string, unknown, RegExp]> = [
  ['not an object', 'hello', /^operation: expected an object/],
  ['array', [good], /^operation: expected an object/],
  ['missing operation', { ...good, operation: undefined }, /^operation: /],
  ['empty provider', { ...good, provider: '' }, /^provider: must be a non-empty string/],
  ['missing model', { ...good, model: undefined }, /^model: /],
  ['model too long', { ...good, model: 'm'.repeat(INGEST_LIMITS.modelChars + 1) }, /^model: must be at most 256 characters/],
  ['operation too long', { ...good, operation: 'o'.repeat(129) }, /^operation: must be at most 128/],
  ['negative tokens', { ...good, inputTokens: -1 }, /^inputTokens: must be ≥ 0/],
  ['fractional tokens', { ...good, outputTokens: 1.5 }, /^outputTokens: must be an integer/],
  ['NaN tokens', { ...good, inputTokens: NaN }, /^inputTokens: /],
  ['Infinity tokens', { ...good, inputTokens: Infinity }, /^inputTokens: /],
  ['tokens as string', { ...good, inputTokens: '12' }, /^inputTokens: /],
  ['huge tokens', { ...good, inputTokens: 2e9 }, /^inputTokens: must be ≤/],
  ['negative cost', { ...good, costUSD: -0.01 }, /^costUSD: must be ≥ 0/],
  ['negative duration', { ...good, durationMs: -5 }, /^durationMs: must be ≥ 0/],
  ['too many tool calls', { ...good, toolCalls: Array.from({ length: 201 }, () => ({ name: 't' })) }, /^toolCalls: at most 200/],
  ['tool without name', { ...good, toolCalls: [{ durationMs: 1 }] }, /^toolCalls\[0\]\.name: /],
  ['tool error too long', { ...good, toolCalls: [{ name: 't', error: 'e'.repeat(1001) }] }, /^toolCalls\[0\]\.error: must be at most 1000/],
  ['error too long', { ...good, error: 'e'.repeat(1001) }, /^error: must be at most 1000/],
  ['timestamp in seconds (too old)', { ...good, timestamp: Math.floor(NOW / 1000) }, /^timestamp: more than a year in the past/],
  ['timestamp far in the future', { ...good, timestamp: NOW + 2 * 86_400_000 }, /^timestamp: more than a day in the future/],
  ['payload too large', { ...good, error: 'e'.repeat(1000), toolCalls: Array.from({ length: 200 }, (_, i) => ({ name: `t${i}`.padEnd(128, 'x'), durationMs: 1e6 + i })) }, /^operation: too large/],
];
for (const [what, input, re] of bad) {
  test(`rejects: ${what}`, () => {
    const r = toApiRecord(input, NOW);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, re);
  });
}

test('never throws: undefined, null, cyclic objects, throwing getters, proxies, huge strings', () => {
  const cyclic: Record<string, unknown> = { ...good };
  cyclic.self = cyclic;
  const cyclicOk = toApiRecord(cyclic, NOW);
  assert.equal(cyclicOk.ok, true, 'unknown cyclic fields are ignored');
  const getter = Object.defineProperty({ ...good }, 'model', {
    get() {
      throw new Error('boom');
    },
    enumerable: true,
  });
  const proxy = new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
  const huge = { ...good, model: 'x'.repeat(50_000_000) };
  const api = createApi(new ApiUsageLog({ folder: fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-api-')), clock: new FakeClock(NOW) }));
  for (const input of [undefined, null, 0, true, Symbol('s'), () => 1, [], cyclic, getter, proxy, huge, { toolCalls: cyclic }, Object.create(null)]) {
    let r: unknown;
    assert.doesNotThrow(() => {
      r = api.recordOperation(input as never);
    });
    assert.equal(typeof (r as { ok: unknown }).ok, 'boolean');
  }
  const { recordOperation } = api;
  assert.equal(recordOperation(good).ok, true, 'works detached');
});

test('persistence: batched by time and size, appended as month files, read back', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-api-'));
  const clock = new FakeClock(NOW);
  const log = new ApiUsageLog({ folder: dir, clock, batchMs: 1000, maxBatch: 3 });
  const batches: number[] = [];
  log.onDidAppend((b) => batches.push(b.length));
  assert.equal(log.record(good).ok, true);
  assert.equal(log.record({ ...good, timestamp: Date.UTC(2026, 4, 31, 23) }).ok, true);
  assert.equal(fs.readdirSync(dir).length, 0, 'nothing written synchronously');
  await clock.advanceAsync(999);
  assert.equal(batches.length, 0);
  await clock.advanceAsync(1);
  await log.flush();
  assert.deepEqual(batches, [2]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['2026-05.jsonl', '2026-06.jsonl']);
  // Size trigger: the third queued op schedules an immediate write.
  for (let i = 0; i < 3; i++) log.record({ ...good, inputTokens: i });
  await clock.advanceAsync(0);
  await log.flush();
  assert.deepEqual(batches, [2, 3]);
  log.record({ ...good, inputTokens: 99 });
  await log.close();
  assert.equal(log.record(good).ok, false, 'closed');
  // A torn last line (another window mid-append) is skipped.
  fs.appendFileSync(path.join(dir, '2026-06.jsonl'), '{"agent":"api","timest');
  const all = await readApiUsage(dir);
  assert.equal(all.length, 6);
  assert.equal(all.filter((r) => r.inputTokens === 99).length, 1);
  const june = await readApiUsage(dir, { since: Date.UTC(2026, 5, 1) });
  assert.equal(june.length, 5);
  assert.equal(log.stats.written, 6);
  assert.equal(parseApiLine('{"agent":"claude-code"}'), undefined);
});

test('a full queue rejects instead of growing without bound', () => {
  const log = new ApiUsageLog({ folder: fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-api-')), clock: new FakeClock(NOW), maxQueue: 2, maxBatch: 100 });
  assert.equal(log.record(good).ok, true);
  assert.equal(log.record(good).ok, true);
  const r = log.record(good);
  assert.equal(r.ok, false);
  log.dispose();
});

test('a month file over 512 MiB (more than a JS string holds) is read streaming: its records are found, the junk skipped and logged', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-api-'));
  const file = path.join(dir, '2026-06.jsonl');
  const line = (i: number) => JSON.stringify({ ...toApiRecordOk({ ...good, inputTokens: i }), id: `r${i}` }) + '\n';
  fs.writeFileSync(file, line(1) + line(2));
  // 600 MiB of zeros without a newline (sparse: no real disk used), then more records.
  const fd = fs.openSync(file, 'r+');
  fs.ftruncateSync(fd, fs.fstatSync(fd).size + 600 * 1024 * 1024);
  fs.closeSync(fd);
  fs.appendFileSync(file, '\n' + line(3) + line(2) + line(4));
  const warnings: string[] = [];
  const got = await readApiUsage(dir, {}, { ...nullLogger, warn: (m) => warnings.push(m) });
  assert.deepEqual(got.map((r) => r.inputTokens), [1, 2, 3, 4], 'every record, the one written twice (same id) once');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /2026-06\.jsonl: skipped 1 lines longer than 131072 bytes/);
});

test('API usage files are private: folder 0700, month files 0600, loose existing ones tightened', { skip: process.platform === 'win32' }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-api-'));
  const dir = path.join(root, 'usage-api');
  const clock = new FakeClock(NOW);
  const log = new ApiUsageLog({ folder: dir, clock });
  assert.equal(log.record(good).ok, true);
  await log.flush();
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(dir, '2026-06.jsonl')).mode & 0o777, 0o600);
  await log.close();
  // Written 0644 in 0755 by an older version: tightened on the next write.
  const old = path.join(root, 'old');
  fs.mkdirSync(old, { mode: 0o755 });
  fs.chmodSync(old, 0o755);
  fs.writeFileSync(path.join(old, '2026-06.jsonl'), '');
  fs.chmodSync(path.join(old, '2026-06.jsonl'), 0o644);
  const again = new ApiUsageLog({ folder: old, clock });
  assert.equal(again.record(good).ok, true);
  await again.close();
  assert.equal(fs.statSync(old).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(old, '2026-06.jsonl')).mode & 0o777, 0o600);
});

function toApiRecordOk(input: unknown) {
  const r = toApiRecord(input, NOW);
  assert.ok(r.ok);
  return r.record;
}
