// The usage-only read (ScanJobInput.tools false, what the CLI does): the same records as a full read, from fewer
// parsed lines; line ends, cut lines, oversize lines and appends handled as in a full read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTree } from '../../support/files';
import { generateCorpus } from '../../support/corpus';
import { UsageScanner, type UsageScannerOptions } from '../../../src/core/usage/scanner';
import { totalOf } from '../../../src/core/usage/query';
import type { UsageRow } from '../../../src/core/usage/types';
import { codexUsageless, parseJsonObject } from '../../../src/core/usage/parsers';
import { runScanJob } from '../../../src/core/usage/scanJob';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-usage-only-'));
}

/**
 * The rows without their tool figures (a usage-only read has none), in one order: a full read creates a row at its
 * first tool call too, so its rows come in another order, and a row that holds only tool calls is not one of these.
 */
const recordsOf = (rows: UsageRow[]) =>
  rows
    .filter((r) => r.requests > 0)
    .map((r) => ({ ...r, tools: {} }))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

async function read(opts: UsageScannerOptions) {
  const s = new UsageScanner({ mode: 'inline', watch: false, ...opts });
  try {
    const r = await s.scan();
    return { r, rows: s.index.rows() };
  } finally {
    await s.close();
  }
}

for (const [name, options, chunkBytes] of [
  ['the corpus with damaged lines', { seed: 7, targetBytes: 1_500_000 }, 64 * 1024],
  ['the dense corpus (every streamed-response and fork shape), lines across 4 KB reads', { seed: 24, targetBytes: 800_000, dense: true, claudeShare: 0.5 }, 4096],
] as const) {
  test(`usage only, ${name}: the same records as a full read, from fewer parsed lines`, async () => {
    const dir = tmp();
    try {
      const { claudeConfigDir, codexHome, truth } = generateCorpus(dir, options);
      const sources = { claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome], includeDefaults: false };
      const full = await read({ sources, chunkBytes });
      const only = await read({ sources, chunkBytes, tools: false });
      assert.deepEqual(recordsOf(only.rows), recordsOf(full.rows));
      for (const agent of ['claude-code', 'codex'] as const) {
        const t = totalOf(only.rows, { agents: [agent] });
        assert.equal(t.outputTokens, truth.byAgent[agent].outputTokens, agent);
        assert.equal(t.requests, truth.byAgent[agent].requests, agent);
        assert.deepEqual(t.tools, {}, `${agent}: no tool figures`);
        assert.ok(Object.keys(totalOf(full.rows, { agents: [agent] }).tools).length > 0, `${agent}: the full read has tool figures`);
      }
      assert.equal(only.r.tools, 0);
      assert.equal(only.r.bytesRead, full.r.bytesRead, 'every byte is still read');
      assert.ok(only.r.linesParsed < full.r.linesParsed * 0.8, `fewer lines parsed (${only.r.linesParsed} of ${full.r.linesParsed})`);
      assert.equal(only.r.duplicates, full.r.duplicates);
      assert.equal(only.r.replaced, full.r.replaced);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('usage only: a persisted index and appended halves give the records of one cold read', async () => {
  const dir = tmp();
  try {
    const { claudeConfigDir, codexHome, truth } = generateCorpus(dir, { seed: 11, targetBytes: 600_000 });
    const files = readTree(dir);
    const sources = { claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome], includeDefaults: false };
    const cold = await read({ sources, tools: false });
    // Cut every file at an arbitrary byte (inside a line), read, append the rest, read again from the saved index.
    for (const [p, b] of files) fs.writeFileSync(p, b.subarray(0, Math.floor(b.length / 2)));
    const store = path.join(dir, 'store');
    await read({ sources, tools: false, storageFolder: store });
    for (const [p, b] of files) fs.appendFileSync(p, b.subarray(Math.floor(b.length / 2)));
    const warm = await read({ sources, tools: false, storageFolder: store });
    const total = files.reduce((a, [, b]) => a + b.length, 0);
    assert.ok(warm.r.bytesRead < total * 0.75, `only the appended halves are read (${warm.r.bytesRead} of ${total})`);
    assert.deepEqual(recordsOf(warm.rows), recordsOf(cold.rows));
    for (const agent of ['claude-code', 'codex'] as const) assert.equal(totalOf(warm.rows, { agents: [agent] }).outputTokens, truth.byAgent[agent].outputTokens, agent);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const claudeLine = (i: number, extra = '') =>
  JSON.stringify({
    type: 'assistant', sessionId: 's1', cwd: '/w', version: '2.1.0', requestId: `req_${i}`, timestamp: new Date(Date.UTC(2026, 0, 5, 10, i)).toISOString(),
    message: { id: `msg_${i}`, role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: `answer ${i}${extra}` }], usage: { input_tokens: 10 + i, output_tokens: 100 * (i + 1) } },
  });
const userLine = (text: string) => JSON.stringify({ type: 'user', sessionId: 's1', timestamp: '2026-01-05T10:00:00.000Z', message: { role: 'user', content: text } });

test('usage only: the last line without its newline is counted when whole and left for later when cut; an oversize line is skipped', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'claude', 'projects', '-w', 's1.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const oversize = userLine('x'.repeat(3000)); // over the 1 KB line cap below, and no "usage" in it
    fs.writeFileSync(file, [claudeLine(0), oversize, userLine('hello'), userLine('usage'), claudeLine(1, ' with "usage" quoted in the text')].join('\n') + '\n' + claudeLine(2));
    const sources = { claudeConfigDirs: [path.join(dir, 'claude')], includeDefaults: false };
    const store = path.join(dir, 'store');
    const opts = { sources, storageFolder: store, tools: false, chunkBytes: 256, maxLineBytes: 1024 } as const;
    const first = await read(opts);
    assert.equal(first.r.oversizeLines, 1);
    // 100 + 200 + 300: the whole last line counts without its newline.
    assert.equal(totalOf(first.rows).outputTokens, 600);
    assert.equal(totalOf(first.rows).requests, 3);
    // A cut line at the end is not consumed: once finished, it counts.
    const cut = claudeLine(3);
    fs.appendFileSync(file, '\n' + cut.slice(0, 40));
    const second = await read(opts);
    assert.equal(totalOf(second.rows).requests, 3);
    fs.appendFileSync(file, cut.slice(40) + '\n');
    const third = await read(opts);
    assert.equal(totalOf(third.rows).requests, 4);
    assert.equal(totalOf(third.rows).outputTokens, 1000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('codexUsageless: only the line heads Codex writes for response items and other event messages', () => {
  const ts = '"2026-01-05T10:00:00.000Z"';
  const yes = [
    `{"timestamp":${ts},"type":"response_item","payload":{"type":"function_call_output","call_id":"c1","output":"usage 5"}}`,
    `{"timestamp":${ts},"type":"response_item","payload":{"type":"message","role":"assistant","content":[]}}`,
    `{"timestamp":${ts},"type":"event_msg","payload":{"type":"agent_message","message":"token_count"}}`,
  ];
  const no = [
    `{"timestamp":${ts},"type":"event_msg","payload":{"type":"token_count","info":null}}`,
    `{"timestamp":${ts},"type":"session_meta","payload":{"id":"s"}}`,
    `{"timestamp":${ts},"type":"turn_context","payload":{"model":"gpt-5"}}`,
    `{"timestamp": ${ts},"type":"response_item","payload":{"type":"message"}}`,
    `{"type":"response_item","timestamp":${ts},"payload":{"type":"message"}}`,
    `{"timestamp":"2026-01-05T10:00:00\\u002e000Z","type":"response_item","payload":{}}`,
    `{"timestamp":${ts},"type":"event_msg","payload":{"info":{},"type":"token_count"}}`,
    `{"timestamp":${ts},"type":"response_item"`,
    `{"type":"thread.started","thread_id":"t"}`,
  ];
  for (const l of yes) assert.equal(codexUsageless(Buffer.from(l), 0, l.length), true, l);
  for (const l of no) assert.equal(codexUsageless(Buffer.from(l), 0, l.length), false, l);
  // Within a larger buffer: only [s, e) is looked at.
  const l = yes[0]!;
  const b = Buffer.from(`xx${l}yy`);
  assert.equal(codexUsageless(b, 2, 2 + l.length), true);
  assert.equal(codexUsageless(b, 2, 20), false);
});

test('a last line without its newline is consumed exactly when it is one whole JSON object (as JSON.parse says)', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'claude', 'projects', '-w', 's1.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const sources = { claude: [path.join(dir, 'claude')], codex: [], gemini: [], opencode: [] };
    const head = claudeLine(0) + '\n';
    const cases: Array<[string, boolean]> = [
      [claudeLine(1), true],
      [`  ${claudeLine(1)} \t`, true],
      [claudeLine(1).slice(0, -1), false],
      [claudeLine(1).slice(0, 60), false],
      ['{"__proto__":{"usage":1},"a":"usage"}', true],
      ['["usage"]', false],
      ['{"usage": 1} x', false],
      ['{"usage":"\\x"}', false],
      ['\ufeff{"usage":1}', false],
    ];
    for (const [last, whole] of cases) {
      fs.writeFileSync(file, head + last);
      for (const tools of [true, false]) {
        const out = await runScanJob({ sources, cursors: {}, tools });
        const c = Object.values(out.cursors)[0]!;
        assert.equal(c.offset, whole ? Buffer.byteLength(head + last) : Buffer.byteLength(head), `${JSON.stringify(last)} (tools ${tools})`);
        assert.equal(whole, parseJsonObject(last) !== undefined, 'the expectation is what JSON.parse says');
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
