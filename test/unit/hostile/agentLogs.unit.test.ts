// Hostile agent logs (issue #16 item 5): giant lines without a newline, binary junk, absurd / negative / non-finite
// numbers, lone surrogates in model ids, over-long ids, deep nesting and truncated JSON, for Claude Code, Codex and
// Gemini logs. For each input: the scan never throws and leaves no unhandled rejection, the good lines around the bad
// ones are counted exactly, what was counted before is kept, and the bad lines are counted as rejected (implausible
// values), oversize (longer than the line cap) or malformed. Memory stays bounded: the line cap is lowered for the test
// (64 KiB) instead of writing 300 MB, and the giant lines are a few times that cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageScanner, type ScanResult } from '../../../src/core/usage/scanner';
import { totalOf } from '../../../src/core/usage/query';
import { LOG_LIMITS } from '../../../src/core/usage/parsers';
import { MAX_LINE_BYTES } from '../../../src/core/usage/scanJob';

const CAP = 64 * 1024;
const T0 = Date.UTC(2026, 6, 11, 10);
let seq = 0;

function claude(usage: Record<string, unknown>, over: { model?: unknown; costUSD?: unknown; msg?: string } = {}): string {
  seq++;
  return JSON.stringify({
    type: 'assistant', sessionId: 's1', cwd: '/w/app', version: '2.1.0', requestId: `req_${seq}`, timestamp: new Date(T0 + seq * 1000).toISOString(),
    ...(over.costUSD !== undefined ? { costUSD: over.costUSD } : {}),
    message: { id: over.msg ?? `msg_${seq}`, model: over.model ?? 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: 'x' }], usage },
  });
}
const good = (input: number, output: number) => claude({ input_tokens: input, output_tokens: output });

const codexMeta = JSON.stringify({ timestamp: new Date(T0).toISOString(), type: 'session_meta', payload: { id: 'cx-1', cwd: '/w' } });
const codexCtx = JSON.stringify({ timestamp: new Date(T0).toISOString(), type: 'turn_context', payload: { cwd: '/w', model: 'gpt-5' } });
function codexTc(total: Record<string, unknown>, last?: Record<string, unknown>): string {
  seq++;
  return JSON.stringify({ timestamp: new Date(T0 + seq * 1000).toISOString(), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: total, ...(last ? { last_token_usage: last } : {}) } } });
}
const cu = (input: unknown, output: unknown) => ({ input_tokens: input, cached_input_tokens: 0, output_tokens: output, reasoning_output_tokens: 0 });

interface Case {
  name: string;
  agent: 'claude' | 'codex' | 'gemini';
  /** The file's content: good lines around the hostile ones. */
  body: Buffer | string;
  /** Tokens the good lines hold. */
  input: number;
  output: number;
  requests: number;
  rejected?: number;
  oversize?: number;
  malformed?: number;
}

const junk = (n: number, seed: number) => {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = (x >>> 16) & 0xff;
  }
  return b;
};
const noNewline = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\n/g, ' '), 'latin1');
const lines = (...ls: Array<string | Buffer>) => Buffer.concat(ls.map((l) => Buffer.concat([typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')])));

const cases: Case[] = [
  { name: 'giant line (4× the cap) without newline between good lines', agent: 'claude', body: lines(good(1, 2), '{"a":"' + 'x'.repeat(4 * CAP) + '"', good(3, 4)), input: 4, output: 6, requests: 2, oversize: 1 },
  { name: 'giant usage line (2× the cap) that is valid JSON', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 1000, output_tokens: 1000, pad: 'y'.repeat(2 * CAP) }), good(3, 4)), input: 4, output: 6, requests: 2, oversize: 1 },
  { name: 'binary junk lines', agent: 'claude', body: lines(good(1, 2), noNewline(junk(5000, 1)), noNewline(junk(300, 2)), good(3, 4)), input: 4, output: 6, requests: 2 },
  { name: 'NUL bytes and invalid UTF-8 inside a usage line', agent: 'claude', body: lines(good(1, 2), Buffer.concat([Buffer.from(good(100, 100).slice(0, 50)), Buffer.from([0, 0xff, 0xfe, 0xc3]), Buffer.from(good(100, 100).slice(50))]), good(3, 4)), input: 4, output: 6, requests: 2, malformed: 1 },
  { name: '1e300 input tokens', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 1e300, output_tokens: 5 }), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 1 },
  { name: '1e400 output tokens (Infinity once parsed)', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 1, output_tokens: 1 }).replace('"output_tokens":1', '"output_tokens":1e400'), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 1 },
  { name: 'negative cache reads', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 1, output_tokens: 1, cache_read_input_tokens: -500 }), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 1 },
  { name: 'just above the per-request bound', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: LOG_LIMITS.tokens + 1, output_tokens: 1 }), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 1 },
  { name: 'absurd 1-hour cache writes in the split', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 1, output_tokens: 1, cache_creation: { ephemeral_5m_input_tokens: 1, ephemeral_1h_input_tokens: 1e200 } }), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 1 },
  { name: 'absurd web searches', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 1, output_tokens: 1, server_tool_use: { web_search_requests: 1e300 } }), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 1 },
  { name: 'absurd and negative logged cost', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 1, output_tokens: 1 }, { costUSD: 1e300 }), claude({ input_tokens: 1, output_tokens: 1 }, { costUSD: -3 }), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 2 },
  { name: 'token counts as strings and objects (not numbers: absent)', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: '1e300', output_tokens: { n: 1 } }), good(3, 4)), input: 4, output: 6, requests: 3 },
  { name: 'a later streamed line of a counted response with absurd output', agent: 'claude', body: lines(claude({ input_tokens: 1, output_tokens: 2 }, { msg: 'mS' }).replace(/"requestId":"[^"]+"/, '"requestId":"rS"'), claude({ input_tokens: 1, output_tokens: 1e300 }, { msg: 'mS' }).replace(/"requestId":"[^"]+"/, '"requestId":"rS"'), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 1 },
  { name: 'lone surrogates in the model id', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 10, output_tokens: 20 }, { model: 'claude-\ud800x\udc00-\udbff' }), good(3, 4)), input: 14, output: 26, requests: 3 },
  { name: 'over-long model id', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 10, output_tokens: 20 }, { model: 'm'.repeat(LOG_LIMITS.idChars + 1) }), good(3, 4)), input: 4, output: 6, requests: 2, rejected: 1 },
  { name: 'model id of another type', agent: 'claude', body: lines(good(1, 2), claude({ input_tokens: 10, output_tokens: 20 }, { model: { evil: true } }), good(3, 4)), input: 4, output: 6, requests: 2 },
  { name: 'deeply nested JSON', agent: 'claude', body: lines(good(1, 2), '{"usage":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}', '{"usage":' + '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000) + '}', good(3, 4)), input: 4, output: 6, requests: 2 },
  { name: 'truncated JSON lines', agent: 'claude', body: lines(good(1, 2), good(50, 50).slice(0, 80), '{"type":"assistant","message":{"usage":{"input_tokens":12', '{"usage"', good(3, 4)), input: 4, output: 6, requests: 2, malformed: 2 /* the first cut line has no usage yet: never parsed */ },
  { name: 'codex: 1e300 cumulative totals between good events', agent: 'codex', body: lines(codexMeta, codexCtx, codexTc(cu(100, 10)), codexTc(cu(1e300, 1e300)), codexTc(cu(150, 15))), input: 150, output: 15, requests: 2, rejected: 1 },
  { name: 'codex: negative last usage', agent: 'codex', body: lines(codexMeta, codexCtx, codexTc(cu(100, 10), cu(100, 10)), codexTc(cu(90, 5), cu(-10, -5)), codexTc(cu(150, 15), cu(60, 10))), input: 160, output: 20, requests: 2, rejected: 1 },
  { name: 'codex: a jump of the totals beyond the per-request bound', agent: 'codex', body: lines(codexMeta, codexCtx, codexTc(cu(100, 10)), codexTc(cu(100 + 2 * LOG_LIMITS.tokens, 10)), codexTc(cu(150, 15))), input: 150, output: 15, requests: 2, rejected: 1 },
  { name: 'codex: Infinity in last usage, binary junk, truncated line', agent: 'codex', body: lines(codexMeta, codexCtx, codexTc(cu(100, 10), cu(100, 10)), codexTc(cu(200, 20), cu(1, 1)).replace('"input_tokens":1,', '"input_tokens":1e999,'), noNewline(junk(2000, 3)), codexTc(cu(300, 30), cu(200, 20)).slice(0, 60), codexTc(cu(400, 40), cu(300, 30))), input: 400, output: 40, requests: 2, rejected: 1 },
  { name: 'codex: giant line without newline', agent: 'codex', body: lines(codexMeta, codexCtx, codexTc(cu(100, 10), cu(100, 10)), 'z'.repeat(3 * CAP), codexTc(cu(150, 15), cu(50, 5))), input: 150, output: 15, requests: 2, oversize: 1 },
  { name: 'codex: lone surrogate model and over-long session id', agent: 'codex', body: lines(codexMeta.replace('"cx-1"', JSON.stringify('s'.repeat(LOG_LIMITS.idChars + 10))), codexCtx.replace('"gpt-5"', '"gpt-\\ud800"'), codexTc(cu(100, 10), cu(100, 10))), input: 100, output: 10, requests: 1, rejected: 1 },
  { name: 'gemini: absurd and negative tokens among good messages', agent: 'gemini', body: lines(JSON.stringify({ sessionId: 'g1' }), JSON.stringify({ id: 'a', type: 'gemini', timestamp: new Date(T0).toISOString(), model: 'gemini-2.5-pro', tokens: { input: 10, output: 2 } }), JSON.stringify({ id: 'b', type: 'gemini', timestamp: new Date(T0).toISOString(), model: 'gemini-2.5-pro', tokens: { input: 1e300, output: 2 } }), JSON.stringify({ id: 'c', type: 'gemini', timestamp: new Date(T0).toISOString(), model: 'gemini-2.5-pro', tokens: { input: 5, output: -2 } }), JSON.stringify({ id: 'd', type: 'gemini', timestamp: new Date(T0).toISOString(), model: 'gemini-2.5-pro', tokens: { input: 3, output: 4 } })), input: 13, output: 6, requests: 2, rejected: 2 },
];

function fileFor(dir: string, agent: Case['agent']): string {
  if (agent === 'claude') return path.join(dir, 'claude', 'projects', '-w-app', 's1.jsonl');
  if (agent === 'codex') return path.join(dir, 'codex', 'sessions', '2026', '07', '11', 'rollout-2026-07-11T10-00-00-cx-1.jsonl');
  return path.join(dir, 'gemini', 'tmp', 'proj', 'chats', 'g1.jsonl');
}

function scanner(dir: string): UsageScanner {
  return new UsageScanner({
    sources: { includeDefaults: false, claudeConfigDirs: [path.join(dir, 'claude')], codexHomes: [path.join(dir, 'codex')], geminiDirs: [path.join(dir, 'gemini', 'tmp')] },
    mode: 'inline', watch: false, storageFolder: path.join(dir, 'store'), maxLineBytes: CAP, chunkBytes: 4096,
  });
}

function totals(s: UsageScanner) {
  const t = totalOf(s.index.rows());
  return { input: t.inputTokens, output: t.outputTokens, requests: t.requests };
}

function finite(s: UsageScanner): boolean {
  return s.index.rows().every((r) => [r.inputTokens, r.outputTokens, r.cacheReadTokens, r.cacheWrite5mTokens, r.cacheWrite1hTokens, r.webSearchRequests, r.costUSD, r.loggedCostUSD].every((x) => Number.isFinite(x) && x >= 0 && x <= 1e12));
}

test('hostile agent logs: no crash, good lines counted, nothing counted lost, bad lines counted', async () => {
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  let tried = 0;
  try {
    for (const c of cases) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-hostile-'));
      try {
        const file = fileFor(dir, c.agent);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, c.body);
        const s = scanner(dir);
        let r: ScanResult;
        try {
          r = await s.scan();
        } catch (e) {
          assert.fail(`${c.name}: the scan threw ${String(e)}`);
        }
        tried++;
        assert.deepEqual(totals(s), { input: c.input, output: c.output, requests: c.requests }, c.name);
        assert.equal(r.rejectedLines, c.rejected ?? 0, `${c.name}: rejected lines`);
        assert.equal(r.oversizeLines, c.oversize ?? 0, `${c.name}: oversize lines`);
        if (c.malformed !== undefined) assert.equal(r.malformedLines, c.malformed, `${c.name}: malformed lines`);
        assert.ok(finite(s), `${c.name}: every aggregate is finite and plausible`);
        // Persisted and reloaded: the same (lone surrogates and all survive the index's JSON).
        await s.close();
        const s2 = scanner(dir);
        await s2.load();
        assert.deepEqual(totals(s2), { input: c.input, output: c.output, requests: c.requests }, `${c.name}: after a reload`);
        // The same hostile bytes appended again after what was counted: nothing counted is lost, a good line after
        // them is counted, and the hostile bytes are read once (the cursor moved past them).
        const more = c.agent === 'claude' ? good(1000, 1000) : c.agent === 'codex' ? codexTc(cu(1e6, 1e5), cu(1000, 1000)) : JSON.stringify({ id: 'z', type: 'gemini', timestamp: new Date(T0).toISOString(), model: 'gemini-2.5-pro', tokens: { input: 1000, output: 1000 } });
        fs.appendFileSync(file, Buffer.concat([typeof c.body === 'string' ? Buffer.from(c.body) : c.body, Buffer.from(more + '\n')]));
        const r2 = await s2.scan();
        tried++;
        const t2 = totals(s2);
        assert.ok(t2.input >= c.input + 1000 && t2.output >= c.output + 1000, `${c.name}: the good line after the appended hostile bytes counts (${JSON.stringify(t2)})`);
        assert.ok(r2.bytesRead <= Buffer.byteLength(c.body) + Buffer.byteLength(more) + 1 + 16 * 1024, `${c.name}: only the appended bytes are read (${r2.bytesRead})`);
        assert.ok(finite(s2), `${c.name}: still finite`);
        await s2.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    // Let any stray rejection surface before checking.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(rejections, [], 'no unhandled rejection');
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  console.log(`hostile agent logs: ${cases.length} hostile inputs, ${tried} scans, all passed`);
  assert.equal(tried, cases.length * 2);
});

test('hostile agent logs: a giant line still being written (no newline yet) is skipped once, not re-read on every append', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-hostile-'));
  const file = fileFor(dir, 'claude');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, good(1, 2) + '\n' + 'g'.repeat(3 * CAP));
  const s = scanner(dir);
  const r1 = await s.scan();
  assert.equal(r1.oversizeLines, 1);
  const c1 = Object.values(s.index.cursors())[0]!;
  assert.equal(c1.offset, c1.size, 'the cursor moved past what was read of the giant line');
  assert.equal(c1.skipping, true);
  // The giant line grows, still without a newline: only the appended bytes are read, and skipped.
  fs.appendFileSync(file, 'g'.repeat(2 * CAP));
  const r2 = await s.scan();
  assert.equal(r2.bytesRead, 2 * CAP);
  assert.equal(r2.oversizeLines, 0, 'counted once');
  // Its newline comes, then good lines: counted. A restart in between keeps the skipping state.
  await s.close();
  const g = good(3, 4);
  fs.appendFileSync(file, 'g'.repeat(100) + '\n' + g + '\n');
  const s2 = scanner(dir);
  const r3 = await s2.scan();
  assert.equal(r3.bytesRead, 100 + 1 + Buffer.byteLength(g) + 1);
  assert.deepEqual(totals(s2), { input: 4, output: 6, requests: 2 });
  assert.equal(Object.values(s2.index.cursors())[0]!.skipping, undefined);
  await s2.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('hostile agent logs: a whole-file Gemini chat larger than 4 line caps is skipped, not read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-hostile-'));
  const file = path.join(dir, 'gemini', 'tmp', 'proj', 'chats', 'big.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const msg = { id: 'a', type: 'gemini', timestamp: new Date(T0).toISOString(), model: 'gemini-2.5-pro', tokens: { input: 10, output: 2 } };
  fs.writeFileSync(file, JSON.stringify({ sessionId: 'g', messages: [msg], pad: 'p'.repeat(4 * CAP) }));
  const s = scanner(dir);
  const r = await s.scan();
  assert.equal(r.oversizeLines, 1);
  assert.ok(r.bytesRead < CAP, `not read (${r.bytesRead} bytes)`);
  assert.equal(totalOf(s.index.rows()).requests, 0);
  // Rewritten small: read.
  fs.writeFileSync(file, JSON.stringify({ sessionId: 'g', messages: [msg] }));
  await s.scan();
  assert.equal(totalOf(s.index.rows()).requests, 1);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the line cap is 16 MiB by default', () => {
  assert.equal(MAX_LINE_BYTES, 16 * 1024 * 1024);
});
