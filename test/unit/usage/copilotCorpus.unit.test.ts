// Exact accounting of GitHub Copilot CLI session logs (provider-apis.md §8.5) on a generated corpus with known true
// totals (every trap of the section included): cold, cut at arbitrary bytes and completed by appends across a restart,
// and a resumed session appending another shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTree } from '../../support/files';
import { generateCopilotCorpus, type CopilotTotals } from '../../support/copilotCorpus';
import { UsageScanner } from '../../../src/core/usage/scanner';
import { queryUsage, totalOf, type UsageTotals } from '../../../src/core/usage/query';
import type { UsageRow } from '../../../src/core/usage/types';

/** Money and credits to the micro-unit (sums of binary fractions differ in the last bits with the order of adding). */
const micro = (n: number) => Math.round(n * 1e6);

function expected(t: CopilotTotals) {
  return {
    inputTokens: t.inputTokens, outputTokens: t.outputTokens, cacheReadTokens: t.cacheReadTokens, cacheWrite5mTokens: t.cacheWrite5mTokens,
    cacheWrite1hTokens: t.cacheWrite1hTokens, reasoningTokens: t.reasoningTokens, requests: t.requests, costUSD: micro(t.costUSD), unpricedRequests: 0,
  };
}

function got(g: UsageTotals) {
  return {
    inputTokens: g.inputTokens, outputTokens: g.outputTokens, cacheReadTokens: g.cacheReadTokens, cacheWrite5mTokens: g.cacheWrite5mTokens,
    cacheWrite1hTokens: g.cacheWrite1hTokens, reasoningTokens: g.reasoningTokens, requests: g.requests, costUSD: micro(g.costUSD), unpricedRequests: g.unpricedRequests,
  };
}

const credits = (rows: readonly UsageRow[], keep: (r: UsageRow) => boolean = () => true) => micro(rows.filter(keep).reduce((a, r) => a + (r.aiCredits ?? 0), 0));

function assertTruth(rows: readonly UsageRow[], truth: ReturnType<typeof generateCopilotCorpus>['truth']): void {
  const copilot = rows.filter((r) => r.agent === 'copilot-cli');
  assert.equal(copilot.length, rows.length, 'every row is the Copilot CLI’s');
  assert.deepEqual(got(totalOf(rows, { agents: ['copilot-cli'] })), expected(truth.total), 'total');
  assert.equal(credits(rows), micro(truth.total.aiCredits), 'AI credits');
  const days = queryUsage(rows, { groupBy: 'day', agents: ['copilot-cli'] });
  assert.deepEqual(days.map((d) => d.key).sort(), Object.keys(truth.byDay).sort(), 'days');
  for (const d of days) assert.deepEqual(got(d), expected(truth.byDay[d.key]!), d.key);
  const sessions = queryUsage(rows, { groupBy: 'session', agents: ['copilot-cli'] });
  assert.deepEqual(sessions.map((s) => s.key).sort(), Object.keys(truth.bySession).sort(), 'sessions');
  for (const s of sessions) {
    assert.deepEqual(got(s), expected(truth.bySession[s.key]!), s.key);
    assert.equal(credits(rows, (r) => r.sessionId === s.key), micro(truth.bySession[s.key]!.aiCredits), `${s.key} credits`);
  }
  const models = queryUsage(rows, { groupBy: 'model', agents: ['copilot-cli'] });
  assert.deepEqual(models.map((m) => m.key).sort(), Object.keys(truth.byModel).sort(), 'models (routing suffixes stripped)');
  for (const m of models) assert.deepEqual(got(m), expected(truth.byModel[m.key]!), m.key);
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-copilot-corpus-'));
}

test('Copilot CLI corpus: totals, days, sessions and models equal the truth exactly; every trap exercised', async () => {
  const dir = tmp();
  const { home, truth } = generateCopilotCorpus(dir, { seed: 21, sessions: 60 });
  for (const [shape, n] of Object.entries(truth.shapes)) assert.ok(n >= 2, `the corpus holds ${shape} (${n})`);
  const scanner = new UsageScanner({ sources: { copilotHomes: [home], includeDefaults: false }, mode: 'inline', watch: false, chunkBytes: 4096 });
  try {
    const r = await scanner.scan();
    assert.equal(r.filesSeen, truth.files, 'events.jsonl and flat session files, never checkpoints/');
    assert.equal(r.rejectedLines, truth.shapes.rejected, 'the implausible shutdowns were rejected whole');
    assert.equal(r.malformedLines, truth.shapes.malformed, 'the malformed shutdown lines were counted as such');
    assert.ok(r.duplicates >= truth.shapes.creditPairs, `the credit-only pairs counted once (${r.duplicates})`);
    assertTruth(scanner.index.rows(), truth);
    const again = await scanner.scan();
    assert.equal(again.bytesRead, 0, 'a second scan reads nothing');
    assert.equal(again.changed, false);
  } finally {
    await scanner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Copilot CLI corpus cut at arbitrary bytes, completed by appends after a restart: the same totals, nothing twice', async () => {
  const dir = tmp();
  const { home, truth } = generateCopilotCorpus(dir, { seed: 5, sessions: 30 });
  const files = readTree(home);
  const cut = (b: Buffer, i: number) => Math.floor((b.length * (i % 5 + 2)) / 8);
  for (const [i, [p, b]] of files.entries()) fs.writeFileSync(p, b.subarray(0, cut(b, i)));
  const opts = { sources: { copilotHomes: [home], includeDefaults: false }, mode: 'inline' as const, watch: false, storageFolder: path.join(dir, 'store') };
  const s1 = new UsageScanner(opts);
  await s1.scan();
  const partial = totalOf(s1.index.rows(), { agents: ['copilot-cli'] });
  assert.ok(partial.requests < truth.total.requests, 'the cut files were counted only in part');
  await s1.close();
  for (const [i, [p, b]] of files.entries()) fs.appendFileSync(p, b.subarray(cut(b, i)));
  const s2 = new UsageScanner(opts);
  try {
    const r = await s2.scan();
    const total = files.reduce((a, [, b]) => a + b.length, 0);
    assert.ok(r.bytesRead < total * 0.8, `only the appended parts are read (${r.bytesRead} of ${total})`);
    assertTruth(s2.index.rows(), truth);
  } finally {
    await s2.close();
  }
  // And from the persisted index alone.
  const s3 = new UsageScanner(opts);
  try {
    await s3.load();
    assertTruth(s3.index.rows(), truth);
  } finally {
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a resumed Copilot CLI session appends another shutdown: the next scan adds that process, on its own day', async () => {
  const dir = tmp();
  const home = path.join(dir, 'copilot');
  const file = path.join(home, 'session-state', 'f00d', 'events.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const shutdown = (id: string, ts: string, nano: number, input: number) =>
    JSON.stringify({ type: 'session.shutdown', id, timestamp: ts, data: { modelMetrics: { 'claude-sonnet-4.5': { requests: { count: 3, cost: 1 }, totalNanoAiu: nano, usage: { inputTokens: input, outputTokens: 10, cacheReadTokens: 40, cacheWriteTokens: 0 } } } } });
  fs.writeFileSync(file, [
    JSON.stringify({ type: 'session.start', id: 'a', timestamp: '2026-11-20T10:00:00.000Z', data: { sessionId: 'f00d', context: { cwd: '/home/dev/alpha' } } }),
    shutdown('b', '2026-11-20T11:00:00.000Z', 2e9, 100),
  ].join('\n') + '\n');
  const scanner = new UsageScanner({ sources: { copilotHomes: [home], includeDefaults: false }, mode: 'inline', watch: false });
  try {
    await scanner.scan();
    let t = totalOf(scanner.index.rows(), { agents: ['copilot-cli'] });
    assert.deepEqual([t.inputTokens, t.requests, micro(t.costUSD)], [60, 3, micro(0.02)]);
    fs.appendFileSync(file, JSON.stringify({ type: 'session.resume', id: 'c', timestamp: '2026-11-21T09:00:00.000Z', data: {} }) + '\n' + shutdown('d', '2026-11-21T10:00:00.000Z', 5e9, 200) + '\n');
    const r = await scanner.scan();
    assert.ok(r.changed);
    t = totalOf(scanner.index.rows(), { agents: ['copilot-cli'] });
    assert.deepEqual([t.inputTokens, t.requests, micro(t.costUSD)], [60 + 160, 6, micro(0.07)]);
    const rows = scanner.index.rows();
    assert.deepEqual([...new Set(rows.map((x) => x.cwd))], ['/home/dev/alpha'], 'the folder of session.start is kept across reads');
    assert.equal(new Set(rows.map((x) => x.day)).size, 2, 'each process on the day of its shutdown');
  } finally {
    await scanner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
