// The fast paths keep exactness: the selective JSON reader agrees with JSON.parse on every field the line parsers read,
// the index journal recovers (torn line, stale journal) to the same aggregates as a full snapshot, and the long-lived
// worker's own cursor copy stays in step with the index across scans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ByteSchema, FALLBACK, parseSelective, parseSelectiveBytes } from '../../../src/core/usage/selectiveJson';
import {
  CLAUDE_READ_KEYS, CLAUDE_STRING_KEYS, CODEX_READ_KEYS, CODEX_STRING_KEYS, LineOutcome, claudeLine, claudeObject, claudeRelevant, claudeRelevantBytes,
  claudeRelevantLineBytes, codexLine, codexLineBytes, codexObject, parseJsonObject, type ClaudeFileState, type CodexFileState,
} from '../../../src/core/usage/parsers';
import type { UsageEvent } from '../../../src/core/usage/events';
import { UsageScanner } from '../../../src/core/usage/scanner';
import { totalOf } from '../../../src/core/usage/query';
import { generateCorpus } from '../../support/corpus';
import { packEvents, unpackEvents } from '../../../src/core/usage/eventCodec';
import { runScanJob } from '../../../src/core/usage/scanJob';
import { resolveSources } from '../../../src/core/usage/sources';
import { hashKey } from '../../../src/core/usage/hashKey';

/** JSON.parse with every string not under a kept key replaced by null (what parseSelective promises). */
function reference(line: string, keep: ReadonlySet<string>): unknown {
  const strip = (v: unknown, keepStr: boolean): unknown => {
    if (typeof v === 'string') return keepStr ? v : null;
    if (Array.isArray(v)) return v.map((x) => strip(x, false));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x, keep.has(k))]));
    return v;
  };
  const o = parseJsonObject(line);
  return o ? strip(o, false) : undefined;
}

const KEEP = new Set(['id', 'type', 'name']);

test('selective JSON: same values as JSON.parse for kept fields, null for skipped strings, same rejections', () => {
  const good = [
    '{"id":"a","type":"x","content":"big \\" \\\\ text","n":-1.5e3,"b":[true,false,null,"s",{"name":"n\\u0041"}],"o":{}}',
    '  {"id":"dup","id":"last","a":[],"e":{"type":"t\\"q"}}  ',
    '{"k\\u0069nd":"x","id":"\\\\","x":0,"y":[1,2,[3]]}',
    '{"type":"é ✓ 😀","content":"\\ud83d\\ude00"}',
    '{}',
  ];
  for (const l of good) assert.deepEqual(parseSelective(l, KEEP), reference(l, KEEP), l);
  const bad = ['{"id":"a"', '{"id":"a",}', '{"id":01}', '{"id":"a"} x', '{"id":"a" "b":1}', '{"a":tru}', '{"a":-}', '{"a":1.}', '{"id":"a\u0001"}', '{"id":"\\x"}', '{"a":"unterminated}', '{"a":"x"}{"b":"y"}'];
  for (const l of bad) {
    assert.equal(parseJsonObject(l), undefined, `JSON.parse rejects ${l}`);
    assert.equal(parseSelective(l, KEEP), undefined, l);
  }
  // Odd constructs go to JSON.parse.
  assert.equal(parseSelective('{"__proto__":{"x":1}}', KEEP), FALLBACK);
  assert.equal(parseSelective('[1]', KEEP), FALLBACK);
});

test('claude/codex line parsers: selective reading gives the events JSON.parse gives, on the whole generated corpus', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-fast-'));
  const { claudeConfigDir, codexHome } = generateCorpus(dir, { seed: 5, targetBytes: 700_000 });
  const files: string[] = [];
  (function walk(d: string) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.jsonl')) files.push(p);
    }
  })(dir);
  let lines = 0;
  for (const f of files) {
    const codex = f.startsWith(codexHome);
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (!line) continue;
      lines++;
      const keep = codex ? CODEX_STRING_KEYS : CLAUDE_STRING_KEYS;
      const sel = parseSelective(line, keep);
      assert.deepEqual(sel === FALLBACK ? reference(line, keep) : sel, reference(line, keep));
      if (!codex) {
        const buf = Buffer.from(line);
        assert.equal(claudeRelevantBytes(buf, 0, buf.length), claudeRelevant(line));
        assert.equal(claudeRelevant(line), line.includes('"usage"') || line.includes('"tool_use"') || line.includes('"tool_result"'));
      }
    }
  }
  assert.ok(lines > 100 && files.some((f) => f.startsWith(claudeConfigDir)));
  // Event-level: a line parsed twice (once through the fast reader, once forced through JSON.parse) gives equal events.
  const a: UsageEvent[] = [];
  const st = (): CodexFileState => ({ fileKey: 'f', home: 'h', sessionId: 's' });
  const sa = st();
  codexLine('{"timestamp":"2026-01-01T00:00:00Z","type":"response_item","payload":{"type":"function_call_output","call_id":"c1","output":"' + 'x'.repeat(5000) + '"}}', 0, sa, a);
  assert.deepEqual(a, [{ kind: 'toolResult', id: 'cx|c1', timestamp: Date.parse('2026-01-01T00:00:00Z') }]);
  const b: UsageEvent[] = [];
  claudeLine('{"type":"user","timestamp":"2026-01-01T00:00:00Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"' + 'y\\"'.repeat(3000) + '","is_error":true}]},"toolUseResult":{"stdout":"z"}}', { fileSessionId: 's' }, b);
  assert.deepEqual(b, [{ kind: 'toolResult', id: 't1', timestamp: Date.parse('2026-01-01T00:00:00Z'), error: true }]);
  fs.rmSync(dir, { recursive: true, force: true });
});

function claudeRecord(input: number, n: number): string {
  return JSON.stringify({
    type: 'assistant', sessionId: 'j', cwd: '/w', version: '2.1.0', requestId: `req_${n}`, timestamp: '2026-07-11T10:00:00.000Z',
    message: { id: `msg_${n}`, model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${n}`, name: 'Read', input: {} }], usage: { input_tokens: input, output_tokens: 1 } },
  }) + '\n';
}

test('index journal: rescans append to a journal, a reload replays it, close compacts; torn and stale journals are safe', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-journal-'));
  const cfg = path.join(dir, 'claude');
  const file = path.join(cfg, 'projects', '-w', 'j.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const store = path.join(dir, 'store');
  const opts = { sources: { includeDefaults: false, claudeConfigDirs: [cfg] }, mode: 'inline' as const, watch: false, storageFolder: store };
  const journal = path.join(store, 'usage-index.journal');
  fs.writeFileSync(file, claudeRecord(1, 1));
  const s1 = new UsageScanner(opts);
  await s1.scan(); // first save: a snapshot
  assert.ok(!fs.existsSync(journal));
  fs.appendFileSync(file, claudeRecord(2, 2));
  await s1.scan();
  fs.appendFileSync(file, claudeRecord(4, 3));
  await s1.scan();
  assert.equal(fs.readFileSync(journal, 'utf8').trim().split('\n').length, 3, 'header + one line per rescan');
  const full = totalOf(s1.index.rows());
  assert.equal(full.inputTokens, 7);
  s1.dispose(); // no compaction: as if the window was killed

  // Reload = snapshot + journal, and reading continues where the journal's cursors say.
  const s2 = new UsageScanner(opts);
  await s2.load();
  assert.deepEqual(totalOf(s2.index.rows()), full);
  const again = await s2.scan();
  assert.equal(again.bytesRead, 0);
  s2.dispose();

  // A torn last line (crash mid-append) is dropped with its cursors: the bytes it covered are read again, exactly once.
  const text = fs.readFileSync(journal, 'utf8');
  const lines = text.trimEnd().split('\n');
  fs.writeFileSync(journal, lines.slice(0, -1).join('\n') + '\n' + lines.at(-1)!.slice(0, 30));
  const s3 = new UsageScanner(opts);
  await s3.load();
  assert.equal(totalOf(s3.index.rows()).inputTokens, 3);
  const r3 = await s3.scan();
  assert.equal(r3.records, 1);
  assert.deepEqual(totalOf(s3.index.rows()), full);
  await s3.close();
  assert.deepEqual(fs.readdirSync(store), ['usage-index.json'], 'close compacts into one snapshot');

  // A journal that does not continue this snapshot (crash between snapshot and journal removal) is ignored.
  fs.writeFileSync(journal, JSON.stringify({ token: 'other' }) + '\n' + JSON.stringify({ rows: [{ ...s3.index.rows()[0], inputTokens: 1e9 }] }) + '\n');
  const s4 = new UsageScanner(opts);
  await s4.load();
  assert.deepEqual(totalOf(s4.index.rows()), full);
  await s4.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('long-lived worker: its cursor copy follows the index across scans, appends and a reload', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-wk-'));
  const cfg = path.join(dir, 'claude');
  const file = path.join(cfg, 'projects', '-w', 'w.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const workerPath = path.resolve(__dirname, '../../../src/core/usage/usageWorker.js');
  const opts = { sources: { includeDefaults: false, claudeConfigDirs: [cfg] }, mode: 'worker' as const, watch: false, workerPath, storageFolder: path.join(dir, 'store') };
  let body = '';
  for (let i = 1; i <= 50; i++) body += claudeRecord(i, i);
  fs.writeFileSync(file, body);
  const s = new UsageScanner(opts);
  const r1 = await s.scan();
  assert.equal(r1.mode, 'worker');
  assert.equal(r1.records, 50);
  fs.appendFileSync(file, claudeRecord(1000, 51));
  const r2 = await s.scan();
  assert.equal(r2.mode, 'worker');
  assert.equal(r2.bytesRead, Buffer.byteLength(claudeRecord(1000, 51)));
  assert.equal(totalOf(s.index.rows()).inputTokens, 1275 + 1000);
  // A big scan retires the worker; the fresh one gets the cursors and goes on from them.
  const cfg2 = path.join(dir, 'claude2');
  const file2 = path.join(cfg2, 'projects', '-w', 'w2.jsonl');
  fs.mkdirSync(path.dirname(file2), { recursive: true });
  fs.writeFileSync(file2, body);
  const big = new UsageScanner({ ...opts, sources: { includeDefaults: false, claudeConfigDirs: [cfg2] }, storageFolder: undefined, retireWorkerAfterBytes: 1 });
  assert.equal((await big.scan()).records, 50);
  fs.appendFileSync(file2, claudeRecord(1, 52));
  const rb = await big.scan();
  assert.equal(rb.mode, 'worker');
  assert.equal(rb.bytesRead, Buffer.byteLength(claudeRecord(1, 52)));
  assert.equal(totalOf(big.index.rows()).inputTokens, 1275 + 1);
  await big.close();
  // The host's cursors replaced (as a reload does): the worker is sent them again instead of using its stale copy.
  await s.index.load();
  const r3 = await s.scan();
  assert.equal(r3.bytesRead, 0);
  const t = totalOf(s.index.rows());
  assert.equal(t.requests, 51);
  assert.equal(Object.values(t.tools).reduce((a, x) => a + x.count, 0), 51);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('split cold scan: two workers build exactly the index one worker builds (dense corpus: forks, streams, sidechains); later scans go on from it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-split-'));
  const { claudeConfigDir, codexHome } = generateCorpus(path.join(dir, 'c'), { seed: 9, targetBytes: 1_500_000, dense: true });
  const workerPath = path.resolve(__dirname, '../../../src/core/usage/usageWorker.js');
  const sources = { includeDefaults: false, claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome] };
  const price = () => ({ costUSD: 0.001, unpriced: false });
  const one = new UsageScanner({ sources, mode: 'worker', watch: false, workerPath, price });
  const two = new UsageScanner({ sources, mode: 'worker', watch: false, workerPath, price, coldScanWorkers: 2, storageFolder: path.join(dir, 'store') });
  const r1 = await one.scan();
  const r2 = await two.scan();
  assert.equal(r1.workers, 1);
  assert.equal(r2.workers, 2, 'the cold scan was split');
  assert.ok(r2.filesRead > 48, 'more files than one stripe');
  const same = () => {
    assert.deepEqual(two.index.rows(), one.index.rows());
    assert.deepEqual(two.index.hours(), one.index.hours());
    assert.deepEqual(two.index.cursors(), one.index.cursors());
    assert.deepEqual(two.index.planWindows(), one.index.planWindows());
  };
  for (const k of ['filesSeen', 'filesRead', 'bytesRead', 'linesParsed', 'records', 'duplicates', 'replaced', 'sidechainsDropped', 'tools'] as const) assert.equal(r2[k], r1[k], k);
  same();
  // Not cold any more: one worker, reading only what was appended.
  const file = Object.values(one.index.cursors()).find((c) => c.kind === 'claude')!.path;
  fs.appendFileSync(file, claudeRecord(7, 9001));
  const [a1, a2] = [await one.scan(), await two.scan()];
  assert.equal(a2.workers, 1);
  assert.equal(a2.bytesRead, Buffer.byteLength(claudeRecord(7, 9001)));
  assert.equal(a1.bytesRead, a2.bytesRead);
  same();
  // The saved index reloads to the same figures.
  const again = new UsageScanner({ sources, mode: 'inline', watch: false, price, storageFolder: path.join(dir, 'store') });
  await again.load();
  assert.equal((await again.scan()).bytesRead, 0);
  assert.deepEqual(again.index.rows(), one.index.rows());
  await Promise.all([one.close(), two.close(), again.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** JSON.parse keeping only `read` keys (at any depth) and, of their string values, those of `keep` keys. */
function referenceRead(line: string, read: ReadonlySet<string>, keep: ReadonlySet<string>): unknown {
  const strip = (v: unknown, keepStr: boolean): unknown => {
    if (typeof v === 'string') return keepStr ? v : null;
    if (Array.isArray(v)) return v.map((x) => strip(x, false));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => read.has(k)).map(([k, x]) => [k, strip(x, keep.has(k))]));
    return v;
  };
  const o = parseJsonObject(line);
  return o ? strip(o, false) : undefined;
}

const bytesOf = (line: string) => {
  // Surrounded by other bytes: the reader must stay inside [s, e).
  const b = Buffer.from('{"x":"' + line + '\n' + line);
  const s = 6;
  return { b, s, e: s + Buffer.byteLength(line) };
};

test('byte reader: same values as JSON.parse for read keys, drops the others, same rejections', () => {
  const READ = new Set(['id', 'type', 'name', 'n', 'b', 'o', 'a', 'e', 'kind', 'x', 'y', 'content', 'big', 'neg']);
  const schema = new ByteSchema(READ, KEEP);
  const good = [
    '{"id":"a","type":"x","content":"big \\" \\\\ text","n":-1.5e3,"b":[true,false,null,"s",{"name":"n\\u0041"}],"o":{},"skip":{"deep":[1,{"id":"no"}]}}',
    '  {"id":"dup","id":"last","a":[],"e":{"type":"t\\"q"}}  ',
    '{"k\\u0069nd":"x","id":"\\\\","x":0,"y":[1,2,[3]]}',
    '{"type":"é ✓ 😀","content":"\\ud83d\\ude00","name":"caf\u00e9"}',
    '{"n":12345678901234567890,"big":1e400,"neg":-0,"x":0.1,"y":[-12,3.25e-2,1E2,1e+2]}',
    '{"__proto__":{"x":1},"id":"p"}',
    '{"\\u005f_proto__":1,"ty\\u0070e":"t","id\\"":"z"}',
    '{"skip":"\\u0000 not checked in skipped strings","id":"ok"}',
    '{}',
    '\t{"a" : [ 1 , { "id" : "s p" } ] }\r',
  ];
  for (const l of good) {
    const { b, s, e } = bytesOf(l);
    const r = parseSelectiveBytes(b, s, e, schema);
    const ref = referenceRead(l, READ, KEEP);
    // A `__proto__` key is not read, so it must not show up (nor change the prototype).
    assert.deepEqual(r, ref, l);
    if (r && r !== FALLBACK) assert.equal(Object.getPrototypeOf(r), Object.prototype);
  }
  assert.ok(Object.is((parseSelectiveBytes(Buffer.from('{"neg":-0}'), 0, 10, schema) as { neg: number }).neg, -0));
  const bad = [
    '{"id":"a"', '{"id":"a",}', '{"id":01}', '{"id":"a"} x', '{"id":"a" "b":1}', '{"a":tru}', '{"a":-}', '{"a":1.}', '{"id":"a\u0001"}', '{"id":"\\x"}',
    '{"a":"unterminated}', '{"a":"x"}{"b":"y"}', '{"skip":{"a":1,}}', '{"skip":[1,]}', '{"skip":[1 2]}', '{"skip":01}', '{"skip":1e}', '{"skip":nul}',
    '{"sk\u0001ip":1}', '{"sk\\qip":1}', '{"id":"a"', '{"n":-}', '{"n":.5}', '{"n":1.e3}', '{"o":{"id":"a"}', '{"skip":"a\\"}', '{', '{"', '{"id"', '{"id":',
  ];
  for (const l of bad) {
    assert.equal(parseJsonObject(l), undefined, `JSON.parse rejects ${l}`);
    const { b, s, e } = bytesOf(l);
    assert.equal(parseSelectiveBytes(b, s, e, schema), undefined, l);
  }
  // Not an object, or odd leading bytes: the caller decodes the line and uses JSON.parse.
  for (const l of ['[1]', '\ufeff{"id":"a"}', '', '   ']) {
    const { b, s, e } = bytesOf(l);
    assert.equal(parseSelectiveBytes(b, s, e, schema), FALLBACK, JSON.stringify(l));
  }
  // Invalid UTF-8 inside a kept string decodes as it does within the whole line.
  const raw = Buffer.concat([Buffer.from('{"id":"a'), Buffer.from([0xe2, 0x82]), Buffer.from('","type":"'), Buffer.from([0xff]), Buffer.from('b"}')]);
  assert.deepEqual(parseSelectiveBytes(raw, 0, raw.length, schema), referenceRead(raw.toString('utf8'), READ, KEEP));
  assert.throws(() => new ByteSchema(['a"b'], new Set()));
  assert.throws(() => new ByteSchema(['a'], new Set(['b'])));
});

/** Every complete line of every file of a small generated corpus. */
function corpusLines(seed: number, bytes: number): { claude: string[]; codex: string[]; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-bytes-'));
  const { codexHome } = generateCorpus(dir, { seed, targetBytes: bytes });
  const out = { claude: [] as string[], codex: [] as string[], dir };
  (function walk(d: string) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.jsonl')) (p.startsWith(codexHome) ? out.codex : out.claude).push(...fs.readFileSync(p, 'utf8').split('\n').filter(Boolean));
    }
  })(dir);
  return out;
}

test('byte reader: the line parsers give the events JSON.parse gives, on a corpus and on damaged copies of its lines', () => {
  const { claude, codex, dir } = corpusLines(11, 900_000);
  assert.ok(claude.length > 100 && codex.length > 100);
  const claudeSchema = new ByteSchema(CLAUDE_READ_KEYS, CLAUDE_STRING_KEYS);
  const codexSchema = new ByteSchema(CODEX_READ_KEYS, CODEX_STRING_KEYS);
  let seed = 1;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  // Damage: truncation, a flipped structural byte, a stray byte, a byte cut out, a non-ASCII byte in a value.
  const damaged = (l: string): string[] => {
    const at = Math.floor(rand() * l.length);
    const out = [l.slice(0, at), l.slice(0, at) + l.slice(at + 1), l.slice(0, at) + '"' + l.slice(at), l.slice(0, at) + ',' + l.slice(at)];
    const q = l.indexOf('":"', Math.floor(rand() * l.length));
    if (q > 0) {
      for (const ins of ['é\\u00e9\\n', '\\"', '\\z', '\u0001', '\t', '\\u12x', '\\uD83D', '\\\\']) out.push(l.slice(0, q + 3) + ins + l.slice(q + 3));
    }
    // Inside a long (skipped) string, past the first word boundaries.
    const big = l.indexOf('":"', l.length >> 1);
    if (big > 0) out.push(l.slice(0, big + 40) + '\u001f' + l.slice(big + 40), l.slice(0, big + 41) + '\\x' + l.slice(big + 41));
    return out;
  };
  const claudeEvents = (b: Buffer, s: number, e: number) => {
    const st: ClaudeFileState = { fileSessionId: 'f' };
    const ev: UsageEvent[] = [];
    const r = claudeRelevantBytes(b, s, e) ? claudeRelevantLineBytes(b, s, e, st, ev) : LineOutcome.Ignored;
    return { r, ev };
  };
  const claudeRef = (line: string) => {
    const st: ClaudeFileState = { fileSessionId: 'f' };
    const ev: UsageEvent[] = [];
    if (!claudeRelevant(line)) return { r: LineOutcome.Ignored, ev };
    const o = parseJsonObject(line);
    return { r: o ? claudeObject(o, st, ev) : LineOutcome.Malformed, ev };
  };
  const codexState = (): CodexFileState => ({ fileKey: 'k', home: 'h', sessionId: 's', model: 'm', prev: { input: 1, cached: 0, output: 1, reasoning: 0 } });
  let n = 0;
  let events = 0;
  for (const line of claude) {
    for (const l of [line, ...damaged(line)]) {
      const { b, s, e } = bytesOf(l);
      const got = claudeEvents(b, s, e);
      assert.deepEqual(got, claudeRef(l), l.slice(0, 300));
      const sel = parseSelectiveBytes(b, s, e, claudeSchema);
      if (sel !== FALLBACK) assert.deepEqual(sel, referenceRead(l, CLAUDE_READ_KEYS, CLAUDE_STRING_KEYS));
      events += got.ev.length;
      n++;
    }
  }
  for (const line of codex) {
    for (const l of [line, ...damaged(line)]) {
      const { b, s, e } = bytesOf(l);
      const st1 = codexState();
      const ev1: UsageEvent[] = [];
      const r1 = codexLineBytes(b, s, e, 7, st1, ev1);
      const st2 = codexState();
      const ev2: UsageEvent[] = [];
      const o = parseJsonObject(l);
      const r2 = o ? codexObject(o, 7, st2, ev2) : l.trim() ? LineOutcome.Malformed : LineOutcome.Ignored;
      assert.deepEqual({ r: r1, ev: ev1, st: st1 }, { r: r2, ev: ev2, st: st2 }, l.slice(0, 300));
      // And the string path agrees too.
      const st3 = codexState();
      const ev3: UsageEvent[] = [];
      assert.equal(codexLine(l, 7, st3, ev3), r2);
      assert.deepEqual(ev3, ev2);
      const sel = parseSelectiveBytes(b, s, e, codexSchema);
      if (sel !== FALLBACK) assert.deepEqual(sel, referenceRead(l, CODEX_READ_KEYS, CODEX_STRING_KEYS));
      events += ev1.length;
      n++;
    }
  }
  assert.ok(n > 1000 && events > 500, `${n} lines, ${events} events`);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('event codec: the worker\'s packed batches unpack to the very events, on a dense corpus and on shapes it does not pack', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-codec-'));
  try {
    const { claudeConfigDir, codexHome } = generateCorpus(path.join(dir, 'c'), { seed: 13, targetBytes: 1_200_000, dense: true });
    const sources = resolveSources({ agents: ['claude-code', 'codex'] }, { CLAUDE_CONFIG_DIR: claudeConfigDir, CODEX_HOME: codexHome }, dir);
    const batches: UsageEvent[][] = [];
    const out = await runScanJob({ sources, cursors: {}, batchEvents: 64, onBatch: (b) => void batches.push(b.events) });
    batches.push(out.events);
    const kinds = new Set<string>();
    let n = 0;
    for (const events of batches) {
      const packed = structuredClone(packEvents(events));
      // Every shape the log readers write is packed.
      assert.equal(packed.rest.length, 0);
      assert.deepEqual(unpackEvents(packed), events);
      for (const e of events) kinds.add(e.kind === 'record' ? `record${e.claude ? (e.claude.sidechain ? '-sidechain' : '-claude') : ''}${e.codex ? (e.codex.forkOf ? '-fork' : '-codex') : ''}${e.record.isFallbackModel ? '-fallback' : ''}` : e.kind);
      n += events.length;
    }
    assert.ok(n > 1000, `${n} events`);
    for (const k of ['record-claude', 'record-sidechain', 'record-codex', 'record-fork', 'tool', 'toolResult']) assert.ok(kinds.has(k), `corpus has ${k}: ${[...kinds].join(', ')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const rec = { agent: 'claude-code' as const, timestamp: 1.5, sessionId: 's', model: 'm', inputTokens: -0, outputTokens: 2, cacheReadTokens: 3, cacheWrite5mTokens: 4, cacheWrite1hTokens: 5, reasoningTokens: 6, webSearchRequests: 7 };
  const packedShapes: UsageEvent[] = [
    { kind: 'record', record: { ...rec } },
    { kind: 'record', record: { ...rec, cwd: '', speed: 'fast', costUSD: 0.25, isFallbackModel: true }, key: 'k', claude: { messageId: 'm1', sidechain: true } },
    { kind: 'record', record: { ...rec, cwd: '/w' }, key: 'k2', codex: { series: 's', total: '1,2,3,4', forkOf: 'p' } },
    { kind: 'tool', id: 't', name: 'Read', timestamp: 3, cell: { agent: 'codex', model: 'm', cwd: '', sessionId: 's' } },
    { kind: 'toolResult', id: 't', timestamp: 4, error: true },
    { kind: 'toolResult', id: 't', timestamp: 4 },
  ];
  const unpacked: UsageEvent[] = [
    { kind: 'record', record: { ...rec }, key: 'r', replace: { priority: 2 } },
    { kind: 'record', record: { ...rec, requests: 3, aiCredits: 1, tools: [{ name: 'x' }] } },
    { kind: 'record', record: { ...rec, cwd: undefined } },
    { kind: 'record', record: { ...rec, extra: 1 } as never },
    { kind: 'record', record: { ...rec }, claude: { messageId: 'm', sidechain: false, more: 1 } as never },
    { kind: 'record', record: { ...rec }, codex: { series: 's', total: 't', forkOf: undefined } },
    { kind: 'tool', id: 't', name: 'n', timestamp: 1, cell: { agent: 'codex', model: 'm', cwd: '', sessionId: 's', x: 1 } as never },
    { kind: 'toolResult', id: 't', timestamp: 4, error: false } as never,
    { kind: 'other' } as never,
  ];
  const mixed = [...packedShapes, ...unpacked, ...packedShapes];
  const packed = structuredClone(packEvents(mixed));
  assert.equal(packed.rest.length, unpacked.length);
  const back = unpackEvents(packed);
  assert.deepEqual(back, mixed);
  assert.ok(Object.is((back[0] as { record: { inputTokens: number } }).record.inputTokens, -0));
  assert.ok('cwd' in (back[packedShapes.length + 2] as { record: object }).record, 'an own undefined field travels as it is');
});

test('hashKey: the persisted form, `base36(h2):base36(h1)`, as toString(36) writes it', () => {
  const reference = (s: string): string => {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return [(h2 >>> 0).toString(36), (h1 >>> 0).toString(36)].join(':');
  };
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const samples = ['', 'a', 'cc|msg_01|req_01', 'é ✓ 😀', '\u0000'];
  for (let i = 0; i < 20_000; i++) samples.push(Array.from({ length: Math.floor(rand() * 60) }, () => String.fromCharCode(Math.floor(rand() * (rand() < 0.9 ? 128 : 65536)))).join(''));
  for (const s of samples) assert.equal(hashKey(s), reference(s), JSON.stringify(s));
  // A known value, so that a change of the hash itself (which would orphan every persisted key) is seen too.
  assert.equal(hashKey('cc|msg_01|req_01'), '1lzo9hu:p1wta7');
});
