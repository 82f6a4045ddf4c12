// The reader folds the lines of a response streamed in one Claude file into one event (claude.ts foldStreamed): the
// ledger then counts the same tokens and cost as from the lines one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCorpus } from '../../support/corpus';
import { UsageScanner } from '../../../src/core/usage/scanner';
import { UsageIndex } from '../../../src/core/usage/usageIndex';
import { discoverFiles, emptyJobStats, runScanJob } from '../../../src/core/usage/scanJob';
import { resolveSources } from '../../../src/core/usage/sources';
import { claudeLine } from '../../../src/core/usage/parsers/claude';
import type { UsageEvent } from '../../../src/core/usage/events';
import type { PriceFn, UsageRow } from '../../../src/core/usage/types';

// Prices with fractions that do not add up exactly in binary, so a take-back and re-add would show in the sums.
const price: PriceFn = (r) => ({ costUSD: r.inputTokens * 3.1e-6 + r.outputTokens * 1.7e-5 + r.cacheReadTokens * 3e-7, unpriced: false });

const TOKENS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens', 'webSearchRequests', 'requests'] as const;

function sameRows(a: UsageRow[], b: UsageRow[]): void {
  const key = (r: UsageRow) => `${r.day}|${r.agent}|${r.model}|${r.cwd}|${r.sessionId}`;
  const live = (rows: UsageRow[]) => new Map(rows.filter((r) => TOKENS.some((f) => r[f] !== 0)).map((r) => [key(r), r]));
  const x = live(a);
  const y = live(b);
  assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
  for (const [k, r] of x) {
    const s = y.get(k)!;
    for (const f of TOKENS) assert.equal(r[f], s[f], `${k} ${f}`);
    assert.ok(Math.abs(r.costUSD - s.costUSD) <= 1e-9 * Math.max(1, Math.abs(s.costUSD)), `${k} cost ${r.costUSD} vs ${s.costUSD}`);
  }
}

const claudeLineOf = (o: { ts: string; out: number; model?: string; sidechain?: boolean; input?: number; msg?: string; req?: string }) =>
  JSON.stringify({
    type: 'assistant', sessionId: 's1', cwd: '/w', timestamp: o.ts, requestId: o.req ?? 'req_1', isSidechain: o.sidechain ?? false,
    message: { id: o.msg ?? 'msg_1', role: 'assistant', model: o.model ?? 'claude-sonnet-4-5', usage: { input_tokens: o.input ?? 10, output_tokens: o.out, cache_read_input_tokens: 0 } },
  }) + '\n';

function claudeDir(root: string): { file: string; sources: ReturnType<typeof resolveSources> } {
  const projects = path.join(root, 'claude', 'projects', 'p');
  fs.mkdirSync(projects, { recursive: true });
  return { file: path.join(projects, 's1.jsonl'), sources: resolveSources({ agents: ['claude-code'] }, { CLAUDE_CONFIG_DIR: path.join(root, 'claude') }, root) };
}

test('stream fold: a response\'s lines become one event with the first line\'s time and the most complete counts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-fold-'));
  try {
    const { file, sources } = claudeDir(dir);
    fs.writeFileSync(
      file,
      claudeLineOf({ ts: '2026-07-01T23:59:59Z', out: 10 }) +
        claudeLineOf({ ts: '2026-07-02T00:00:01Z', out: 50 }) +
        claudeLineOf({ ts: '2026-07-02T00:00:02Z', out: 50 }) + // the same again: a duplicate
        claudeLineOf({ ts: '2026-07-02T00:00:03Z', out: 50, input: 11 }) + // same output, other counts: replaces
        claudeLineOf({ ts: '2026-07-02T00:00:04Z', out: 40 }) + // less complete: a duplicate
        claudeLineOf({ ts: '2026-07-02T00:00:05Z', out: 60, model: 'claude-opus-4-1' }) + // another cell: not folded
        claudeLineOf({ ts: '2026-07-02T00:00:06Z', out: 70, sidechain: true }) + // a sidechain line: not folded
        claudeLineOf({ ts: '2026-07-02T00:00:07Z', out: 5, msg: 'msg_2' }),
    );
    const out = await runScanJob({ sources, cursors: {} });
    const recs = out.events.filter((e): e is Extract<UsageEvent, { kind: 'record' }> => e.kind === 'record');
    assert.deepEqual(
      recs.map((e) => [new Date(e.record.timestamp).toISOString(), e.record.outputTokens, e.record.inputTokens, e.record.model, e.claude?.sidechain]),
      [
        ['2026-07-01T23:59:59.000Z', 50, 11, 'claude-sonnet-4-5', false],
        ['2026-07-02T00:00:05.000Z', 60, 10, 'claude-opus-4-1', false],
        ['2026-07-02T00:00:06.000Z', 70, 10, 'claude-sonnet-4-5', true],
        ['2026-07-02T00:00:07.000Z', 5, 10, 'claude-sonnet-4-5', false],
      ],
    );
    assert.equal(out.stats.foldedReplaced, 2);
    assert.equal(out.stats.foldedDuplicates, 2);
    // The scan's statistics count folded lines as the ledger would: 3 records (msg_1's sidechain line is a replay of
    // its parent, dropped), 2 duplicates, 3 replaced (2 folded, the other model's line in the ledger).
    const s = new UsageScanner({ sources: { includeDefaults: false, claudeConfigDirs: [path.join(dir, 'claude')] }, mode: 'inline', watch: false, price });
    const r = await s.scan();
    assert.deepEqual([r.records, r.duplicates, r.replaced, r.sidechainsDropped], [2, 2, 3, 1]);
    await s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('stream fold: lines appended after a scan fold together and replace what that scan counted, on its day', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-fold-'));
  try {
    const { file } = claudeDir(dir);
    const lines = [
      claudeLineOf({ ts: '2026-07-01T23:59:59Z', out: 10 }),
      claudeLineOf({ ts: '2026-07-02T00:00:01Z', out: 30 }),
      claudeLineOf({ ts: '2026-07-02T00:00:02Z', out: 20 }),
      claudeLineOf({ ts: '2026-07-02T00:00:03Z', out: 45 }),
      claudeLineOf({ ts: '2026-07-02T00:00:04Z', out: 55, model: 'claude-opus-4-1' }),
    ];
    fs.writeFileSync(file, lines[0]!);
    const s = new UsageScanner({ sources: { includeDefaults: false, claudeConfigDirs: [path.join(dir, 'claude')] }, mode: 'inline', watch: false, price });
    await s.scan();
    fs.appendFileSync(file, lines.slice(1).join(''));
    const r = await s.scan();
    assert.equal(r.records, 0);
    // Line by line: the ledger, fed every line with nothing folded.
    const idx = new UsageIndex({ price });
    const events: UsageEvent[] = [];
    for (const l of lines) claudeLine(l.trimEnd(), { fileSessionId: 's1' }, events);
    assert.equal(events.length, 5);
    idx.apply({ events, cursors: {}, missing: [], planWindows: [], warnings: [], stats: emptyJobStats() });
    sameRows(s.index.rows(), idx.rows());
    // Everything on the first line's day; the opus line's cell holds the difference from what sonnet counted.
    const rows = s.index.rows().filter((x) => x.requests !== 0 || x.outputTokens !== 0);
    assert.deepEqual(rows.map((x) => [x.day, x.model, x.requests, x.outputTokens]).sort(), [['2026-07-01', 'claude-opus-4-1', 0, 10], ['2026-07-01', 'claude-sonnet-4-5', 1, 45]].sort());
    await s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('stream fold: on a dense corpus (resumed-session copies, sidechains, cut responses) the ledger counts what it counts line by line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-fold-'));
  try {
    const { claudeConfigDir, truth } = generateCorpus(path.join(dir, 'c'), { seed: 21, targetBytes: 1_500_000, dense: true, claudeShare: 1 });
    const sources = resolveSources({ agents: ['claude-code'] }, { CLAUDE_CONFIG_DIR: claudeConfigDir }, dir);
    const s = new UsageScanner({ sources: { includeDefaults: false, claudeConfigDirs: [claudeConfigDir] }, mode: 'inline', watch: false, price });
    const r = await s.scan();
    // Line by line, in the scan's file order.
    const idx = new UsageIndex({ price });
    const events: UsageEvent[] = [];
    for (const f of await discoverFiles(sources)) {
      const text = fs.readFileSync(f.path, 'utf8');
      const end = text.lastIndexOf('\n');
      for (const l of text.slice(0, end + 1).split('\n')) if (l) claudeLine(l, { fileSessionId: path.basename(f.path, '.jsonl') }, events);
    }
    const stats = idx.apply({ events, cursors: {}, missing: [], planWindows: [], warnings: [], stats: emptyJobStats() });
    assert.ok(stats.replaced > 100, `the corpus streams responses (${stats.replaced} replaced line by line)`);
    sameRows(s.index.rows(), idx.rows());
    assert.equal(r.records, stats.records);
    assert.equal(r.duplicates + r.replaced + r.sidechainsDropped, stats.duplicates + stats.replaced + stats.sidechainsDropped);
    assert.ok(r.replaced > 100);
    const outTotal = s.index.rows().reduce((a, x) => a + x.outputTokens, 0);
    assert.equal(outTotal, truth.byAgent['claude-code'].outputTokens);
    await s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
