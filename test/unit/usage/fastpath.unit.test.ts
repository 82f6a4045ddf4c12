// The fast paths keep exactness: the selective JSON reader agrees with JSON.parse on every field the line parsers read,
// the index journal recovers (torn line, stale journal) to the same aggregates as a full snapshot, and the long-lived
// worker's own cursor copy stays in step with the index across scans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FALLBACK, parseSelective } from '../../../src/core/usage/selectiveJson';
import { CLAUDE_STRING_KEYS, CODEX_STRING_KEYS, claudeLine, claudeRelevant, claudeRelevantBytes, codexLine, parseJsonObject, type CodexFileState } from '../../../src/core/usage/parsers';
import type { UsageEvent } from '../../../src/core/usage/events';
import { UsageScanner } from '../../../src/core/usage/scanner';
import { totalOf } from '../../../src/core/usage/query';
import { generateCorpus } from '../../support/corpus';

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
