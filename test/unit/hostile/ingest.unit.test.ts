// Hostile callers of the exported ingest API (`recordOperation`): floods (one caller, many callers), a slow disk
// (writes wait on a promise the test controls), a failing disk (EIO / ENOSPC, some after writing part of a batch),
// and oversized or invalid operations (huge strings, lone surrogates, non-finite numbers, prototype-pollution keys).
// For every input: no throw, no unhandled rejection, the right `{ ok: false, error }` refusal, memory bounded
// (operations queued + in flight ≤ the bound, checked after every call), and once the disk works again every
// accepted operation is read back from disk exactly once. Each test prints how many hostile inputs it tried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiUsageLog, INGEST_STORE_LIMITS, nodeIngestFs, readApiUsage, type IngestFs } from '../../../src/core/usage/ingestStore';
import { createApi, type TokstatApi } from '../../../src/features/api/api';
import type { Logger } from '../../../src/core/log';
import { FakeClock } from '../../fakes/fakeClock';

const NOW = Date.UTC(2026, 5, 15, 12);
const L = INGEST_STORE_LIMITS;

/** A disk whose appends can be held (gate), or fail with EIO/ENOSPC, optionally after writing part of the data. */
class HostileDisk implements IngestFs {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  /** Appends waiting at the gate. */
  waiting = 0;
  failWith: string | undefined;
  /** With failWith: write this fraction of the data (cut mid-line) before failing. */
  partial = 0;
  appends = 0;
  failures = 0;

  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  release(): void {
    this.gate = undefined;
    this.open?.();
  }
  mkdir(dir: string): Promise<void> {
    return nodeIngestFs.mkdir(dir);
  }
  /** The last size lookup, so a test can await it instead of sleeping. */
  lastSize: Promise<number> = Promise.resolve(0);
  size(file: string): Promise<number> {
    return (this.lastSize = nodeIngestFs.size(file));
  }
  async append(file: string, data: string): Promise<void> {
    this.appends++;
    if (this.gate) {
      this.waiting++;
      await this.gate;
      this.waiting--;
    }
    if (this.failWith) {
      this.failures++;
      if (this.partial > 0) {
        let cut = Math.floor(data.length * this.partial);
        if (data[cut - 1] === '\n') cut--;
        await fsp.appendFile(file, data.slice(0, cut));
      }
      throw Object.assign(new Error(`${this.failWith}: simulated`), { code: this.failWith });
    }
    await nodeIngestFs.append(file, data);
  }
}

/** Watches for what must never happen: unhandled rejections and uncaught exceptions during a test. */
function watchProcess(): { problems: unknown[]; stop(): void } {
  const problems: unknown[] = [];
  const onRejection = (e: unknown) => problems.push(e);
  const onException = (e: unknown) => problems.push(e);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    problems,
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

const base = { operation: 'summarize', provider: 'openai', model: 'gpt-5-mini', outputTokens: 1 };

/** Drives one ApiUsageLog through the exported API and keeps the books: what was accepted, refused, and the bound. */
class Harness {
  readonly clock = new FakeClock(NOW);
  readonly disk = new HostileDisk();
  readonly folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-hostile-ingest-'));
  readonly warnings: string[] = [];
  readonly log: ApiUsageLog;
  readonly api: TokstatApi;
  /** inputTokens of every accepted operation (unique per call). */
  readonly accepted = new Set<number>();
  readonly refusals = new Map<string, number>();
  tried = 0;
  throws = 0;
  maxPending = 0;
  maxPendingBytes = 0;
  private n = 0;

  constructor(opts: { maxBatch?: number } = {}) {
    const logger: Logger = { trace() {}, debug() {}, info() {}, warn: (m) => this.warnings.push(m), error: (m) => this.warnings.push(m) };
    this.log = new ApiUsageLog({ folder: this.folder, clock: this.clock, fs: this.disk, log: logger, maxBatch: opts.maxBatch ?? 200 });
    this.api = createApi(this.log);
  }

  /** One call; `op` gets a unique inputTokens so that it can be found on disk. Returns the result. */
  call(op: Record<string, unknown>): { ok: boolean; error?: string } {
    const id = ++this.n;
    this.tried++;
    let r: { ok: boolean; error?: string };
    try {
      r = this.api.recordOperation({ ...base, inputTokens: id, ...op } as never);
    } catch {
      this.throws++;
      return { ok: false, error: 'threw' };
    }
    if (r.ok) this.accepted.add(id);
    else this.refusals.set(r.error!, (this.refusals.get(r.error!) ?? 0) + 1);
    const p = this.log.pending();
    this.maxPending = Math.max(this.maxPending, p.ops);
    this.maxPendingBytes = Math.max(this.maxPendingBytes, p.bytes);
    assert.ok(p.ops <= L.maxPendingOps && p.bytes <= L.maxPendingBytes, `pending ${p.ops} ops / ${p.bytes} bytes over the bound`);
    return r;
  }

  refused(re: RegExp): number {
    let n = 0;
    for (const [e, c] of this.refusals) if (re.test(e)) n += c;
    return n;
  }

  /** Lets the disk work, writes everything pending, and checks every accepted operation is on disk exactly once. */
  async drainAndVerify(): Promise<void> {
    this.disk.failWith = undefined;
    this.disk.release();
    await this.log.flush();
    await this.log.flush();
    assert.deepEqual(this.log.pending(), { ops: 0, bytes: 0 }, 'nothing left pending once the disk works');
    const back = await readApiUsage(this.folder);
    const counts = new Map<number, number>();
    for (const r of back) counts.set(r.inputTokens, (counts.get(r.inputTokens) ?? 0) + 1);
    const missing = [...this.accepted].filter((i) => !counts.has(i));
    const twice = [...counts].filter(([, c]) => c > 1).map(([i]) => i);
    const unasked = [...counts.keys()].filter((i) => !this.accepted.has(i));
    assert.deepEqual(missing, [], 'accepted operations missing from disk');
    assert.deepEqual(twice, [], 'operations read back more than once');
    assert.deepEqual(unasked, [], 'refused operations on disk');
    assert.equal(back.length, this.accepted.size);
    assert.equal(this.throws, 0, 'recordOperation threw');
    await this.log.close();
  }
}

test('hostile flood, one caller at a high rate: its burst then its rate is accepted, the rest refused; another caller is unaffected', async () => {
  const w = watchProcess();
  const h = new Harness();
  for (let i = 0; i < 20_000; i++) h.call({ source: 'evil.flooder' });
  assert.equal(h.accepted.size, L.callerBurst, 'exactly the burst is accepted at once');
  assert.equal(h.refused(/^too many operations from this caller/), 20_000 - L.callerBurst);
  // Anonymous calls share one bucket, separate from the flooder's.
  for (let i = 0; i < 1000; i++) h.call({});
  assert.equal(h.accepted.size, 2 * L.callerBurst);
  // A well-behaved caller is not starved by the flooder.
  assert.equal(h.call({ source: 'good.citizen' }).ok, true);
  // One simulated second later the flooder gets its rate back, not more.
  await h.clock.advanceAsync(1000);
  let again = 0;
  for (let i = 0; i < 1000; i++) if (h.call({ source: 'evil.flooder' }).ok) again++;
  assert.equal(again, L.callerRatePerSec);
  await h.drainAndVerify();
  console.log(`hostile ingest, one caller: ${h.tried} calls, ${h.accepted.size} accepted, ${h.tried - h.accepted.size} refused`);
  w.stop();
  assert.deepEqual(w.problems, []);
});

test('hostile flood, many callers (made-up sources): the total rate holds whatever sources are claimed', async () => {
  const w = watchProcess();
  const h = new Harness();
  // 60 callers, each within its own burst, together over the total burst.
  for (let round = 0; round < 50; round++) for (let s = 0; s < 60; s++) h.call({ source: `busy.ext${s}` });
  assert.equal(h.accepted.size, L.totalBurst, 'all callers together get the total burst, no more');
  assert.equal(h.refused(/^too many operations from all callers/), 60 * 50 - L.totalBurst);
  // Over 10 simulated seconds, 1000 made-up sources: at most the total rate per second comes in, and sources beyond
  // the tracked ones share one overflow budget instead of each getting a fresh burst.
  const before = h.accepted.size;
  for (let sec = 0; sec < 10; sec++) {
    await h.clock.advanceAsync(1000);
    for (let s = 0; s < 500; s++) h.call({ source: `fake.ext${(s * 7 + sec * 500) % 1000}` });
  }
  assert.ok(h.accepted.size - before <= 10 * L.totalRatePerSec, `${h.accepted.size - before} accepted in 10 s`);
  assert.ok(h.refused(/^too many operations from (this caller|all callers)/) > 5000 - 10 * L.totalRatePerSec - 1);
  await h.drainAndVerify();
  console.log(`hostile ingest, many callers: ${h.tried} calls from 1000 sources, ${h.accepted.size} accepted`);
  w.stop();
  assert.deepEqual(w.problems, []);
});

test('hostile slow disk: operations waiting for it (queued + in flight) stay within the bound, the excess is refused, nothing accepted is lost', async () => {
  const w = watchProcess();
  const h = new Harness();
  h.disk.hold();
  // 150 simulated seconds of 5 callers at 30/s each: more than the total rate and, with the disk stuck, more than fit.
  for (let sec = 0; sec < 150; sec++) {
    for (let i = 0; i < 30; i++) for (const s of ['a.one', 'b.two', 'c.three', 'd.four', 'e.five']) h.call({ source: s });
    await h.clock.advanceAsync(1000);
  }
  assert.ok(h.disk.waiting >= 1, 'the disk really was stuck');
  assert.equal(h.maxPending, L.maxPendingOps, 'the bound was reached');
  assert.ok(h.refused(/^too many operations waiting to be written \(10000\)/) > 0, 'and the excess refused');
  // Large operations hit the byte bound before the count bound.
  await h.drainAndVerify();
  const big = new Harness();
  big.disk.hold();
  const fat = { error: '€'.repeat(1000), toolCalls: Array.from({ length: 60 }, (_, i) => ({ name: `tool${i}`.padEnd(128, '€'), error: 'x' })) };
  for (let sec = 0; sec < 60; sec++) {
    for (let i = 0; i < 20; i++) big.call({ source: 'fat.ext', ...fat });
    await big.clock.advanceAsync(1000);
  }
  assert.ok(big.maxPendingBytes > L.maxPendingBytes - 64 * 1024, `byte bound reached (${big.maxPendingBytes})`);
  assert.ok(big.refused(/^too many operations waiting to be written \(\d+ bytes\)/) > 0);
  await big.drainAndVerify();
  console.log(
    `hostile ingest, slow disk: ${h.tried + big.tried} calls, at most ${h.maxPending} ops / ${big.maxPendingBytes} bytes pending (bounds ${L.maxPendingOps} / ${L.maxPendingBytes})`,
  );
  w.stop();
  assert.deepEqual(w.problems, []);
});

test('hostile failing disk (EIO, ENOSPC, partial writes): failed batches are retried with backoff, every accepted operation lands exactly once', async () => {
  const w = watchProcess();
  const h = new Harness({ maxBatch: 50 });
  const codes = ['EIO', 'ENOSPC'];
  /** The disk recovers; the retry timer already scheduled (backoff) writes everything on its own. */
  const recoverByRetry = async () => {
    h.disk.failWith = undefined;
    const at = h.clock.nextTimerAt();
    assert.ok(at !== undefined, 'a retry is scheduled');
    await h.clock.advanceAsync(at - h.clock.now());
    await h.log.flush();
    assert.deepEqual(h.log.pending(), { ops: 0, bytes: 0 }, 'the retry wrote them');
  };
  // Phase 1: every write fails, some after writing whole lines (which the retry writes again).
  for (let round = 0; round < 6; round++) {
    h.disk.failWith = codes[round % 2];
    h.disk.partial = [0, 0.5, 0.9][round % 3]!;
    for (let i = 0; i < 120; i++) h.call({ source: `ext.${i % 3}`, timestamp: NOW - (i % 2) * 40 * 86_400_000 });
    await h.clock.advanceAsync(1000);
    await h.log.flush();
    assert.ok(h.log.pending().ops > 0, 'the failed batches are kept');
  }
  assert.ok(h.disk.failures >= 6);
  assert.ok(h.warnings.some((m) => /cannot append \d+ operations \((EIO|ENOSPC)\); retrying in/.test(m)));
  const delays = h.warnings.map((m) => /retrying in (\d+) s/.exec(m)?.[1]).filter(Boolean).map(Number);
  assert.ok(delays.length >= 2 && delays.every((d, i) => i === 0 || d >= delays[i - 1]!), `backoff grows: ${delays.join(', ')}`);
  await recoverByRetry();
  // Phase 2: a write fails after tearing the first line of its batch: the retry must not glue onto that torn line.
  h.disk.failWith = 'ENOSPC';
  h.disk.partial = 0.001;
  for (let i = 0; i < 40; i++) h.call({ source: 'ext.torn' });
  await h.log.flush();
  assert.equal(h.log.pending().ops, 40);
  await recoverByRetry();
  // Partial writes left torn lines (and whole lines written twice) on disk; the reader returns each operation once.
  const raw = (await fsp.readdir(h.folder)).map((n) => fs.readFileSync(path.join(h.folder, n), 'utf8')).join('');
  const lines = raw.split('\n').filter((l) => l.startsWith('{'));
  assert.ok(lines.length > h.accepted.size, 'the partial writes really left duplicates or torn lines behind');
  await h.drainAndVerify();
  console.log(`hostile ingest, failing disk: ${h.tried} calls, ${h.disk.failures} failed writes, ${lines.length} raw lines for ${h.accepted.size} operations`);
  w.stop();
  assert.deepEqual(w.problems, []);
});

test('hostile operations: oversized, invalid, non-finite, lone surrogates, prototype pollution: refused or stored harmlessly', async () => {
  const w = watchProcess();
  const h = new Harness();
  const huge = 'x'.repeat(20_000_000);
  const nonFinite = [NaN, Infinity, -Infinity];
  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['huge model', { model: huge }, /^model: must be at most 256 characters/],
    ['huge operation', { operation: huge }, /^operation: must be at most 128/],
    ['huge error', { error: huge }, /^error: must be at most 1000/],
    ['huge source', { source: huge }, /^source: must be at most 128/],
    ['source not a string', { source: 42 }, /^source: /],
    ['many tool calls', { toolCalls: Array.from({ length: 100_000 }, () => ({ name: 't' })) }, /^toolCalls: at most 200/],
    ['multi-byte payload too large', { error: '€'.repeat(1000), toolCalls: Array.from({ length: 200 }, (_, i) => ({ name: `t${i}`.padEnd(128, '€') })) }, /^operation: too large \(\d+ bytes, at most 32768\)/],
    ...nonFinite.flatMap((v): Array<[string, Record<string, unknown>, RegExp]> => [
      [`inputTokens ${v}`, { inputTokens: v }, /^inputTokens: /],
      [`outputTokens ${v}`, { outputTokens: v }, /^outputTokens: /],
      [`costUSD ${v}`, { costUSD: v }, /^costUSD: /],
      [`durationMs ${v}`, { durationMs: v }, /^durationMs: /],
      [`timestamp ${v}`, { timestamp: v }, /^timestamp: /],
      [`tool duration ${v}`, { toolCalls: [{ name: 't', durationMs: v }] }, /^toolCalls\[0\]\.durationMs: /],
    ]),
    ['__proto__ as the operation', JSON.parse('{"operation":{"__proto__":{"polluted":1}}}'), /^operation: /],
  ];
  for (const [what, op, re] of refused) {
    const r = h.call(op);
    assert.equal(r.ok, false, what);
    assert.match(r.error!, re, what);
  }
  // Accepted, but harmless: unknown keys (prototype-pollution attempts included) are not copied, lone surrogates
  // round-trip through the JSON line.
  const stored: Array<[string, Record<string, unknown>]> = [
    ['__proto__ key', JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}')],
    ['__proto__ in a tool call', { toolCalls: [JSON.parse('{"name":"t","__proto__":{"polluted":"yes"}}')] }],
    ['prototype key', { prototype: { polluted: 'yes' }, hasOwnProperty: 'no' }],
    ['lone surrogates', { model: 'gpt-\uD800', operation: 'op-\uDFFF', provider: '\uDBFFx', error: 'e\uD83D' }],
    ['null cost', { costUSD: null }],
  ];
  for (const [what, op] of stored) assert.equal(h.call(op).ok, true, what);
  // Not objects at all, or objects that fight back.
  const exotic: unknown[] = [
    undefined,
    null,
    7,
    'op',
    Symbol('s'),
    () => 1,
    [],
    new Proxy({}, { get: () => { throw new Error('trap'); } }),
    Object.defineProperty({}, 'source', { get: () => { throw new Error('getter'); }, enumerable: true }),
    Object.create(null),
  ];
  for (const x of exotic) {
    h.tried++;
    let r: { ok: boolean } | undefined;
    try {
      r = h.api.recordOperation(x as never);
    } catch {
      h.throws++;
    }
    assert.equal(r?.ok, false);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  await h.drainAndVerify();
  const back = await readApiUsage(h.folder);
  for (const r of back) {
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.equal(Object.prototype.hasOwnProperty.call(r, 'polluted'), false);
    assert.equal((r as unknown as Record<string, unknown>).constructor, Object);
  }
  assert.ok(back.some((r) => r.model === 'gpt-\uD800' && r.operation === 'op-\uDFFF' && r.error === 'e\uD83D'), 'lone surrogates round-trip');
  console.log(`hostile ingest, invalid operations: ${h.tried} inputs, ${h.accepted.size} stored harmlessly, ${h.tried - h.accepted.size} refused`);
  w.stop();
  assert.deepEqual(w.problems, []);
});

test('hostile disk use: a month file at its limit refuses further operations of that month, not of others', async () => {
  const w = watchProcess();
  const h = new Harness();
  // A June file already at the limit (sparse: no real disk used), written by another window.
  const june = path.join(h.folder, '2026-06.jsonl');
  const fh = await fsp.open(june, 'w');
  await fh.truncate(L.monthFileBytes - 100);
  await fh.close();
  // Before the size is known the first operation counts the month as empty (bounded by the pending bytes); after, refused.
  assert.equal(h.call({ source: 'disk.filler' }).ok, true);
  assert.equal(await h.disk.lastSize, L.monthFileBytes - 100, 'the log looked the size up');
  await h.clock.runAllMicrotasks();
  let refusedMonth = 0;
  for (let i = 0; i < 100; i++) {
    const r = h.call({ source: 'disk.filler' });
    if (!r.ok && /^storage limit for 2026-06 reached \(67108864 bytes/.test(r.error!)) refusedMonth++;
  }
  assert.ok(refusedMonth >= 99, `${refusedMonth} refused for the month limit`);
  assert.equal(h.call({ source: 'disk.filler', timestamp: Date.UTC(2026, 4, 20) }).ok, true, 'May still has room');
  await h.log.flush();
  assert.ok(fs.statSync(june).size <= L.monthFileBytes + L.maxPendingBytes, 'the overshoot is bounded');
  await h.log.close();
  console.log(`hostile ingest, disk: ${h.tried} calls, ${refusedMonth} refused at the month limit`);
  w.stop();
  assert.deepEqual(w.problems, []);
});
