// The usage index's dedup state read lazily (lazyCollections.ts, the snapshot's layout in ledgerState.ts): the lazy
// sets and maps behave as Set and Map, insertion order included; a scan that meets only new keys parses none of the
// dedup sections; a key that may be there parses its section, and the counts are those of the index read whole; a
// damaged layout is read whole; snapshots without a layout are still read, and the laid-out text is still one JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LazyKeyMap, LazyKeySet, filterOf, keyHash32, parseFilter, type LazySection } from '../../../src/core/usage/lazyCollections';
import { UsageIndex, readDayRows } from '../../../src/core/usage/usageIndex';
import { UsageScanner, type UsageScannerOptions } from '../../../src/core/usage/scanner';
import { LAZY_FIELDS, checksum, type SnapshotLayout } from '../../../src/core/usage/ledgerState';
import { readDayRowsFast } from '../../../src/core/usage/ledgerFile';
import { generateCorpus } from '../../support/corpus';
import { rng } from '../../support/rng';


function section<T>(keys: string[], value: T): { section: LazySection<T>; loads: () => number } {
  let loads = 0;
  return {
    section: { filter: parseFilter(filterOf(keys))!, count: keys.length, load: () => (loads++, value) },
    loads: () => loads,
  };
}

test('filters: sorted 32-bit hashes round-trip through base64; a malformed one is refused', () => {
  const keys = ['a', 'toolu_01x', '1tlp8p:s4tck', ''];
  const f = parseFilter(filterOf(keys))!;
  assert.deepEqual([...f], keys.map(keyHash32).sort((x, y) => x - y));
  assert.equal(parseFilter('abc'), undefined, 'not whole words');
  assert.equal(parseFilter(Buffer.from(new Uint32Array([5, 3]).buffer).toString('base64')), undefined, 'not sorted');
  assert.equal(parseFilter(42), undefined);
});

test('LazyKeyMap behaves as a Map under random operations (results, size, order), parsing only when a key may be there', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const key = () => `k${Math.floor(r() * 60)}`;
    const base: Array<[string, number]> = [];
    for (let i = 0; i < 30; i++) {
      const k = key();
      if (!base.some(([x]) => x === k)) base.push([k, i]);
    }
    const ref = new Map(base);
    const s = section(base.map(([k]) => k), base);
    const lazy = new LazyKeyMap<number>(s.section);
    for (let step = 0; step < 80; step++) {
      const k = key();
      const op = r();
      if (op < 0.3) {
        const v = Math.floor(r() * 1000);
        ref.set(k, v);
        lazy.set(k, v);
      } else if (op < 0.5) {
        ref.delete(k);
        lazy.delete(k);
      } else if (op < 0.75) assert.equal(lazy.get(k), ref.get(k), `seed ${seed} step ${step}: get ${k}`);
      else if (op < 0.97) assert.equal(lazy.has(k), ref.has(k), `seed ${seed} step ${step}: has ${k}`);
      else assert.equal(lazy.sizeExceeds(ref.size - 1), true);
    }
    assert.deepEqual([...lazy], [...ref], `seed ${seed}: same entries in the same order`);
    assert.equal(lazy.size, ref.size);
    assert.ok(s.loads() <= 1, 'parsed at most once');
  }
});

test('LazyKeySet behaves as a Set; new keys never parse the section', () => {
  const base = Array.from({ length: 500 }, (_, i) => `h${i}`);
  const s = section(base, base);
  const lazy = new LazyKeySet(s.section);
  for (let i = 0; i < 2000; i++) {
    const k = `new${i}`;
    if (keyHash32(k) === keyHash32(`h${i % 500}`)) continue;
    assert.equal(lazy.has(k), false);
    lazy.add(k);
    assert.equal(lazy.has(k), true);
  }
  assert.equal(s.loads(), 0, 'keys whose hash is not in the filter: answered without the section');
  assert.equal(lazy.loaded, false);
  assert.equal(lazy.has('h7'), true);
  assert.equal(s.loads(), 1);
  assert.deepEqual([...lazy], [...base, ...Array.from({ length: 2000 }, (_, i) => `new${i}`)]);
});

test('LazyKeyMap.sizeExceeds answers from the counts while they cannot exceed, then exactly', () => {
  const base: Array<[string, number]> = [['a', 1], ['b', 2]];
  const s = section(['a', 'b'], base);
  const m = new LazyKeyMap<number>(s.section);
  m.set('c', 3);
  assert.equal(m.sizeExceeds(3), false);
  assert.equal(s.loads(), 0);
  m.delete('a');
  m.set('d', 4);
  // 2 in the section + 2 added (one deleted): at most 4, which may exceed 3, so it is counted: a, deleted → 3.
  assert.equal(m.sizeExceeds(3), false);
  assert.equal(s.loads(), 1);
  assert.deepEqual([...m.keys()], ['b', 'c', 'd']);
});

/** The index persisted in `folder`, loaded. */
async function loadIndex(folder: string): Promise<UsageIndex> {
  const x = new UsageIndex({ folder });
  await x.load();
  return x;
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-lazy-'));
}

function claudeLine(o: { msg: string; req: string; out: number; ts?: string; session?: string; sidechain?: boolean; tool?: string; input?: number }): string {
  return (
    JSON.stringify({
      type: 'assistant', sessionId: o.session ?? 'live', cwd: '/w/app', version: '2.1.0', isSidechain: o.sidechain ?? false, requestId: o.req,
      timestamp: o.ts ?? '2026-07-11T10:00:00.000Z',
      message: {
        id: o.msg, model: 'claude-sonnet-4-5', role: 'assistant',
        content: o.tool ? [{ type: 'tool_use', id: o.tool, name: 'Read', input: {} }] : [{ type: 'text', text: 'x' }],
        usage: { input_tokens: o.input ?? 10, output_tokens: o.out },
      },
    }) + '\n'
  );
}

function toolResult(id: string, ts = '2026-07-11T10:00:05.000Z'): string {
  return JSON.stringify({ type: 'user', sessionId: 'live', cwd: '/w/app', timestamp: ts, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'ok' }] } }) + '\n';
}

/** A corpus scanned into a store and closed (a laid-out snapshot); a copy of the store with the same snapshot written as one line (read whole). */
async function twoStores() {
  const dir = tmp();
  const { claudeConfigDir, codexHome } = generateCorpus(path.join(dir, 'corpus'), { seed: 5, targetBytes: 400_000, dense: true });
  const live = path.join(claudeConfigDir, 'projects', '-w-app', 'live.jsonl');
  fs.mkdirSync(path.dirname(live), { recursive: true });
  // A streamed response half-written, and a tool call still waiting for its result, when the first scan runs.
  fs.writeFileSync(live, claudeLine({ msg: 'm-stream', req: 'r-stream', out: 5 }) + claudeLine({ msg: 'm-tool', req: 'r-tool', out: 3, tool: 'toolu_wait' }));
  const opts = (store: string): UsageScannerOptions => ({
    sources: { includeDefaults: false, claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome] }, mode: 'inline', watch: false, storageFolder: store,
  });
  const lazyStore = path.join(dir, 'lazy');
  const s = new UsageScanner(opts(lazyStore));
  await s.scan();
  await s.close();
  const wholeStore = path.join(dir, 'whole');
  fs.mkdirSync(wholeStore);
  const text = fs.readFileSync(path.join(lazyStore, 'usage-index.json'), 'utf8');
  const v = JSON.parse(text) as Record<string, unknown>;
  delete v.layout;
  fs.writeFileSync(path.join(wholeStore, 'usage-index.json'), JSON.stringify(v));
  return { dir, live, lazyStore, wholeStore, opts, text };
}

test('a laid-out snapshot is still one JSON object, and a one-line snapshot (no layout) is still read', async () => {
  const { dir, lazyStore, wholeStore, text } = await twoStores();
  try {
    assert.equal(text.split('\n').length, 2, 'the header line, then the body');
    const v = JSON.parse(text) as Record<string, unknown>;
    for (const f of [...LAZY_FIELDS, 'cursors', 'rows', 'hours', 'planWindows']) assert.ok(f in v, f);
    const lazy = await loadIndex(lazyStore);
    const whole = await loadIndex(wholeStore);
    assert.equal(lazy.rebuildReason, undefined);
    assert.equal(whole.rebuildReason, undefined);
    assert.deepEqual(lazy.parsedDedup(), [], 'laid out: no dedup section parsed on load');
    assert.deepEqual(whole.parsedDedup(), [...LAZY_FIELDS], 'one line: read whole');
    assert.deepEqual(lazy.rows(), whole.rows());
    assert.deepEqual(lazy.hours(), whole.hours());
    assert.deepEqual(lazy.cursors(), whole.cursors());
    // The day reader of `tokstat guard` reads the laid-out rows too.
    const day = lazy.rows()[0]!.day;
    const fast = await readDayRows(lazyStore, day);
    assert.ok('rows' in fast);
    assert.notEqual(await readDayRowsFast(lazyStore, day), 'fallback', 'the rows are read from where the layout says, not by a full load');
    assert.deepEqual(
      fast.rows.sort((a, b) => a.sessionId.localeCompare(b.sessionId) || a.model.localeCompare(b.model) || a.cwd.localeCompare(b.cwd)),
      lazy.rows().filter((r) => r.day === day).sort((a, b) => a.sessionId.localeCompare(b.sessionId) || a.model.localeCompare(b.model) || a.cwd.localeCompare(b.cwd)),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a scan of new responses parses no dedup section; a line that may repeat one parses that section only; counts equal the index read whole', async () => {
  const { dir, live, lazyStore, wholeStore, opts } = await twoStores();
  try {
    const run = async (store: string) => {
      const s = new UsageScanner(opts(store));
      await s.load();
      const r = await s.scan();
      const parsed = s.index.parsedDedup();
      const out = { rows: s.index.rows(), hours: s.index.hours(), parsed, records: r };
      s.dispose();
      return out;
    };
    // 1. Only new responses and tool calls: nothing of the dedup state is parsed.
    fs.appendFileSync(live, claudeLine({ msg: 'm-new1', req: 'r-new1', out: 7 }) + claudeLine({ msg: 'm-new2', req: 'r-new2', out: 9, tool: 'toolu_new' }));
    const a1 = await run(lazyStore);
    const b1 = await run(wholeStore);
    assert.deepEqual(a1.parsed, []);
    assert.deepEqual(a1.rows, b1.rows);
    assert.deepEqual(a1.hours, b1.hours);
    // 2. The streamed response's more complete line, and the waiting tool's result: the sections that may hold them.
    fs.appendFileSync(live, claudeLine({ msg: 'm-stream', req: 'r-stream', out: 50 }) + toolResult('toolu_wait'));
    const a2 = await run(lazyStore);
    const b2 = await run(wholeStore);
    assert.deepEqual(a2.parsed, ['pendingTools', 'claudeResp']);
    assert.deepEqual(a2.rows, b2.rows);
    assert.deepEqual(a2.hours, b2.hours);
    const liveRow = a2.rows.find((r) => r.sessionId === 'live')!;
    assert.equal(liveRow.outputTokens, 50 + 3 + 7 + 9, 'the streamed response counted once, at its most complete line');
    assert.equal(liveRow.tools.Read?.timedCount, 1, 'the tool call from the first scan got its duration');
    // 3. Both indexes saved (journal lines) and loaded again: the same state, and a compaction writes the same snapshot.
    const finals = [];
    for (const store of [lazyStore, wholeStore]) {
      const s = new UsageScanner(opts(store));
      await s.load();
      await s.scan();
      await s.close();
      const v = JSON.parse(fs.readFileSync(path.join(store, 'usage-index.json'), 'utf8')) as Record<string, unknown>;
      for (const k of ['savedAt', 'journal', 'layout']) delete v[k];
      finals.push(v);
    }
    assert.deepEqual(finals[0], finals[1], 'the same snapshot, dedup state and order included');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a one-line snapshot (an older version’s) is replaced by a laid-out one at the next save, not continued by a journal line', async () => {
  const { dir, wholeStore } = await twoStores();
  try {
    const file = path.join(wholeStore, 'usage-index.json');
    const x = await loadIndex(wholeStore);
    assert.equal(fs.readFileSync(file, 'utf8').includes('\n'), false);
    x.addRecords([{ record: { agent: 'claude-code', model: 'claude-sonnet-4-5', sessionId: 'api', timestamp: Date.UTC(2026, 6, 11), inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0 }, key: 'k1' }]);
    await x.save();
    assert.equal(fs.existsSync(path.join(wholeStore, 'usage-index.journal')), false, 'no journal line');
    const y = await loadIndex(wholeStore);
    assert.deepEqual(y.parsedDedup(), [], 'laid out now');
    assert.deepEqual(y.rows(), x.rows());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a snapshot checksummed with SHA-256 (written where Node has no crc32) is read lazily; an unknown algorithm is read whole', async () => {
  const { dir, lazyStore } = await twoStores();
  try {
    const file = path.join(lazyStore, 'usage-index.json');
    const buf = fs.readFileSync(file);
    const nl = buf.indexOf(10);
    const head = JSON.parse(buf.toString('utf8', 0, nl) + '}') as { layout: SnapshotLayout };
    const sum = checksum('sha256')!;
    for (const f of LAZY_FIELDS) sum.update(buf.subarray(nl + 1 + head.layout.at[f][0], nl + 1 + head.layout.at[f][1]));
    const withHead = (layout: SnapshotLayout) => {
      const text = JSON.stringify({ ...head, layout });
      return Buffer.concat([Buffer.from(text.slice(0, -1) + '\n'), buf.subarray(nl + 1)]);
    };
    fs.writeFileSync(file, withHead({ ...head.layout, sum: { alg: 'sha256', value: sum.digest() } }));
    const x = await loadIndex(lazyStore);
    assert.equal(x.rebuildReason, undefined);
    assert.deepEqual(x.parsedDedup(), [], 'verified with SHA-256: lazy');
    fs.writeFileSync(file, withHead({ ...head.layout, sum: { alg: 'md5' as never, value: 'x' } }));
    const y = await loadIndex(lazyStore);
    assert.deepEqual(y.parsedDedup(), [...LAZY_FIELDS], 'cannot verify: read whole');
    assert.deepEqual(y.rows(), x.rows());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged layout is read whole (checksum, length), a file cut short starts over', async () => {
  const { dir, lazyStore } = await twoStores();
  try {
    const file = path.join(lazyStore, 'usage-index.json');
    const good = fs.readFileSync(file);
    const load = () => loadIndex(lazyStore);
    const ref = await load();
    const rows = ref.rows();
    // A digit of a key in a dedup section changed (still valid JSON): the checksum differs, the file is read whole.
    const text = good.toString('utf8');
    const seenAt = text.indexOf('"seen":["') + 9;
    const flipped = Buffer.from(text.slice(0, seenAt) + (text[seenAt] === 'a' ? 'b' : 'a') + text.slice(seenAt + 1));
    fs.writeFileSync(file, flipped);
    const x = await load();
    assert.equal(x.rebuildReason, undefined);
    assert.deepEqual(x.parsedDedup(), [...LAZY_FIELDS], 'read whole');
    assert.deepEqual(x.rows(), rows);
    // Bytes added at the end (a layout that no longer fits): read whole.
    fs.writeFileSync(file, Buffer.concat([good.subarray(0, good.length - 1), Buffer.from(' }')]));
    const y = await load();
    assert.deepEqual(y.parsedDedup(), [...LAZY_FIELDS]);
    assert.deepEqual(y.rows(), rows);
    // Cut short: not JSON at all, a fresh start (as any corrupt index).
    fs.writeFileSync(file, good.subarray(0, good.length - 100));
    const z = await load();
    assert.equal(z.rebuildReason, 'corrupt');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
