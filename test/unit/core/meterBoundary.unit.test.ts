// The model boundary (acceptMeters, used by the scheduler's success path): a meter with an unusable id is skipped and
// logged once while its siblings are shown and stored; a non-finite or absurd number is refused per meter as a schema
// problem and the meter keeps its last good reading (METER_BOUNDS in src/shared/model.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { PollScheduler } from '../../../src/core/scheduler/scheduler';
import { InMemorySnapshotStore } from '../../fakes/memoryStores';
import { AlwaysLeader } from '../../fakes/alwaysLeader';
import { HistoryStore } from '../../../src/core/history/store';
import { acceptMeters, makeMeter, METER_BOUNDS, type Meter, type MeterInput } from '../../../src/shared/model';
import { nullLogger, type Logger } from '../../../src/core/log';
import type { FetchResult } from '../../../src/core/providers/types';

const INTERVAL = 5 * 60_000;

function memLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (lvl: string) => (m: string) => void lines.push(`${lvl} ${m}`);
  return { lines, trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

function balance(id: string, capturedAt: number, remaining: number, label = id): Meter {
  return makeMeter({ id, label, kind: 'balance', unit: 'USD', source: 'official', capturedAt, remaining });
}

function quota(capturedAt: number, over: Partial<MeterInput> = {}): Meter {
  return makeMeter({ id: 'q', label: 'Requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt, used: 10, limit: 100, ...over });
}

/** A scheduler whose provider answers whatever `next` says, with a fake clock. */
function harness() {
  const clock = new FakeClock();
  const log = memLog();
  let next: (now: number) => FetchResult = () => ({ meters: [] });
  const s = new PollScheduler({
    clock,
    log,
    random: () => 0.5,
    fetch: async () => next(clock.now()),
    intervalMs: () => INTERVAL,
    store: new InMemorySnapshotStore(),
    lease: new AlwaysLeader(),
  });
  const settle = async (): Promise<void> => {
    await s.whenIdle();
    await flushMicrotasks();
    await s.whenIdle();
  };
  return {
    clock,
    log,
    s,
    serve: (f: (now: number) => FetchResult) => {
      next = f;
    },
    poll: async () => {
      await s.refresh('a');
      await settle();
      return s.getSnapshot('a')!;
    },
    start: async () => {
      s.setAccounts(['a']);
      await settle();
      return s.getSnapshot('a')!;
    },
  };
}

const LONE = '\uD800'; // a lone high surrogate: encodeURIComponent throws on it

test('a meter with a lone surrogate in its id is skipped and logged once; its siblings are shown and stored in history', async () => {
  const h = harness();
  h.serve((now) => ({ meters: [balance(`balance-${LONE}CNY`, now, 5), balance('balance-USD', now, 12.5, `US ${LONE}dollars`)] }));
  const snap = await h.start();
  assert.equal(snap.status, 'ok');
  assert.deepEqual(snap.meters.map((m) => m.id), ['balance-USD']);
  // The label is cleaned (a replacement character), so every consumer can encode it.
  assert.equal(snap.meters[0]!.label, 'US \uFFFDdollars');
  assert.doesNotThrow(() => encodeURIComponent(JSON.stringify(snap)));
  await h.clock.advanceAsync(60_000);
  await h.poll();
  await h.clock.advanceAsync(60_000);
  await h.poll();
  const skippedLines = h.log.lines.filter((l) => l.includes('skipped'));
  assert.equal(skippedLines.length, 1, h.log.lines.join('\n'));
  assert.match(skippedLines[0]!, /not valid Unicode/);
  assert.ok(!skippedLines[0]!.includes(LONE), 'the lone surrogate is escaped in the log');

  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-boundary-'));
  const history = new HistoryStore({ folder: dir, log: nullLogger, compactEveryMs: 0 });
  await history.start();
  assert.equal(await history.record('a', snap.meters, snap.takenAt), 1);
  assert.equal((await history.query('a', 'balance-USD', 0, Infinity, 10)).length, 1);
  history.dispose();
  h.s.dispose();
});

test('history: a meter whose id cannot be encoded costs only its own sample, never the poll', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-boundary-'));
  const history = new HistoryStore({ folder: dir, log: nullLogger, compactEveryMs: 0 });
  await history.start();
  const t = Date.UTC(2026, 1, 10);
  // Straight to the store, past the model boundary: the last line of defence.
  assert.equal(await history.record('a', [balance(`x${LONE}`, t, 1), balance('ok', t, 2)], t), 1);
  assert.deepEqual((await history.query('a', 'ok', 0, Infinity, 10)).map((p) => p.remaining), [2]);
  history.dispose();
});

const HOSTILE: ReadonlyArray<[string, Partial<MeterInput>]> = [
  ['limit "1e999" (Infinity)', { limit: Number('1e999') }],
  ['limit -Infinity', { limit: -Infinity }],
  ['used NaN', { used: NaN }],
  ['limit 1e308', { limit: 1e308 }],
  ['limit -1 (a sentinel)', { limit: -1 }],
  ['used -1', { used: -1 }],
  [`limit above ${METER_BOUNDS.amount}`, { limit: METER_BOUNDS.amount * 10 }],
  ['a derived limit that overflows', { used: undefined, limit: undefined, remaining: 9e11, percentUsed: undefined }],
  ['percentUsed 1e6', { used: undefined, percentUsed: 1e6 }],
  ['resetsAt 1e308', { resetsAt: 1e308 }],
  ['windowMs Infinity', { windowMs: Infinity }],
];

for (const [name, bad] of HOSTILE) {
  test(`${name}: refused as a schema problem, the meter keeps its last good reading`, async () => {
    const h = harness();
    h.serve((now) => ({ meters: [quota(now), balance('bal', now, 3)] }));
    const first = await h.start();
    const good = first.meters.find((m) => m.id === 'q')!;
    assert.equal(good.limit, 100);

    await h.clock.advanceAsync(60_000);
    const over = name === 'a derived limit that overflows' ? { ...bad, used: 9e11 } : bad;
    h.serve((now) => ({ meters: [quota(now, over), balance('bal', now, 2)] }));
    const snap = await h.poll();
    assert.equal(snap.status, 'ok');
    const q = snap.meters.find((m) => m.id === 'q')!;
    assert.equal(q.problem?.kind, 'bad-response');
    assert.equal(q.used, 10);
    assert.equal(q.limit, 100);
    assert.equal(q.remaining, 90);
    assert.equal(q.capturedAt, good.capturedAt, 'the reading is the last good one, with its time');
    // The sibling is fresh.
    assert.equal(snap.meters.find((m) => m.id === 'bal')?.remaining, 2);
    assert.equal(snap.meters.find((m) => m.id === 'bal')?.problem, undefined);
    // Every number in the snapshot is finite and survives JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
    assert.equal(h.log.lines.filter((l) => l.includes('keeps its last good reading')).length, 1);

    // Good numbers again: the problem is gone.
    await h.clock.advanceAsync(60_000);
    h.serve((now) => ({ meters: [quota(now, { used: 20 }), balance('bal', now, 2)] }));
    const healed = (await h.poll()).meters.find((m) => m.id === 'q')!;
    assert.equal(healed.problem, undefined);
    assert.equal(healed.used, 20);
    h.s.dispose();
  });
}

test('without a previous reading a refused meter shows no numbers (unknown, never 0); history skips it', async () => {
  const t = Date.UTC(2026, 1, 10);
  const r = acceptMeters([quota(t, { limit: Infinity, used: 1e308 })], undefined);
  assert.equal(r.rejected.length, 1);
  const m = r.meters[0]!;
  assert.equal(m.problem?.kind, 'bad-response');
  assert.equal(m.used, undefined);
  assert.equal(m.limit, undefined);
  assert.equal(m.remaining, undefined);
  assert.equal(m.percentUsed, undefined);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-boundary-'));
  const history = new HistoryStore({ folder: dir, log: nullLogger, compactEveryMs: 0 });
  await history.start();
  // A meter carried with its last good reading is not a new sample either.
  assert.equal(await history.record('a', [{ ...quota(t), problem: { kind: 'bad-response', message: 'x' } }], t), 0);
  history.dispose();
});

test('ids: empty, too long, control characters and duplicates are skipped; ordinary ids pass', () => {
  const t = Date.UTC(2026, 1, 10);
  const r = acceptMeters([balance('', t, 1), balance('x'.repeat(201), t, 1), balance('a\nb', t, 1), balance('dup', t, 1), balance('dup', t, 2), balance('model/gemini-2.5-pro:free', t, 3), balance('余额-CNY', t, 4)], undefined);
  assert.deepEqual(r.meters.map((m) => m.id), ['dup', 'model/gemini-2.5-pro:free', '余额-CNY']);
  assert.equal(r.meters[0]!.remaining, 1);
  assert.equal(r.skipped.length, 4);
});
