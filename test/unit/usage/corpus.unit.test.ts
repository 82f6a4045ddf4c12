// Exact accounting on a generated corpus with known true totals (every §8 trap included), cold and incremental.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTree } from '../../support/files';
import { generateCorpus, type TrueTotals } from '../../support/corpus';
import { UsageScanner } from '../../../src/core/usage/scanner';
import { queryUsage, totalOf } from '../../../src/core/usage/query';
import type { UsageTotals } from '../../../src/core/usage/query';

function tokens(t: UsageTotals | TrueTotals) {
  return {
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    cacheReadTokens: t.cacheReadTokens,
    cacheWrite5mTokens: t.cacheWrite5mTokens,
    cacheWrite1hTokens: t.cacheWrite1hTokens,
    reasoningTokens: t.reasoningTokens,
    webSearchRequests: t.webSearchRequests,
    requests: t.requests,
  };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-corpus-'));
}

test('generated corpus: totals per agent and per day equal the true totals exactly', async () => {
  const dir = tmp();
  const { claudeConfigDir, codexHome, truth } = generateCorpus(dir, { seed: 7, targetBytes: 1_500_000 });
  const scanner = new UsageScanner({
    sources: { claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome], includeDefaults: false },
    mode: 'inline',
    watch: false,
    chunkBytes: 64 * 1024,
  });
  try {
    const r = await scanner.scan();
    assert.equal(r.filesSeen, truth.files);
    assert.ok(r.duplicates > 0 && r.sidechainsDropped > 0, 'the corpus exercises dedup');
    assert.ok(r.malformedLines > 0, 'the corpus has malformed lines');
    for (const agent of ['claude-code', 'codex'] as const) {
      const got = totalOf(scanner.index.rows(), { agents: [agent] });
      assert.deepEqual(tokens(got), tokens(truth.byAgent[agent]), agent);
      const toolCount = Object.values(got.tools).reduce((a, t) => a + t.count, 0);
      assert.equal(toolCount, truth.byAgent[agent].toolCalls, `${agent} tool calls`);
      if (agent === 'claude-code') {
        assert.equal(Object.values(got.tools).reduce((a, t) => a + t.errors, 0), truth.byAgent[agent].toolErrors);
        assert.equal(Object.values(got.tools).reduce((a, t) => a + t.timedCount, 0), truth.byAgent[agent].toolCalls);
      }
    }
    const days = queryUsage(scanner.index.rows(), { groupBy: 'day', agents: ['claude-code'] });
    for (const g of days) assert.deepEqual(tokens(g), tokens(truth.byAgentDay[`claude-code|${g.key}`]!), g.key);
    const fallback = scanner.index.rows().filter((x) => x.agent === 'codex').reduce((a, x) => a + x.fallbackModelRequests, 0);
    assert.equal(fallback, truth.codexFallbackRequests);
    // A second scan reads nothing and changes nothing.
    const again = await scanner.scan();
    assert.equal(again.bytesRead, 0);
    assert.equal(again.changed, false);
  } finally {
    await scanner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('generated corpus: persisted index + appended halves give the same totals as one cold scan', async () => {
  const dir = tmp();
  const { claudeConfigDir, codexHome, truth } = generateCorpus(dir, { seed: 11, targetBytes: 600_000 });
  // Cut every file in half (at an arbitrary byte), scan, restore the rest, scan again with a reloaded index.
  const files = readTree(dir);
  for (const [p, b] of files) fs.writeFileSync(p, b.subarray(0, Math.floor(b.length / 2)));
  const store = path.join(dir, 'store');
  const opts = { sources: { claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome], includeDefaults: false }, mode: 'inline' as const, watch: false, storageFolder: store };
  const s1 = new UsageScanner(opts);
  await s1.scan();
  await s1.close();
  for (const [p, b] of files) fs.appendFileSync(p, b.subarray(Math.floor(b.length / 2)));
  const s2 = new UsageScanner(opts);
  const r = await s2.scan();
  const total = files.reduce((a, [, b]) => a + b.length, 0);
  assert.ok(r.bytesRead < total * 0.75, `only the appended halves are read (${r.bytesRead} of ${total})`);
  for (const agent of ['claude-code', 'codex'] as const) {
    assert.deepEqual(tokens(totalOf(s2.index.rows(), { agents: [agent] })), tokens(truth.byAgent[agent]), agent);
  }
  await s2.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// ── issue #24: every shape of streamed Claude responses, ID-less responses, Codex forks and subagent baselines ──

const DENSE = { seed: 24, targetBytes: 800_000, dense: true, claudeShare: 0.5 };

function assertTruth(rows: ReturnType<UsageScanner['index']['rows']>, truth: ReturnType<typeof generateCorpus>['truth']): void {
  for (const agent of ['claude-code', 'codex'] as const) {
    const got = totalOf(rows, { agents: [agent] });
    assert.deepEqual(tokens(got), tokens(truth.byAgent[agent]), agent);
    assert.equal(Object.values(got.tools).reduce((a, t) => a + t.count, 0), truth.byAgent[agent].toolCalls, `${agent} tool calls`);
    const days = queryUsage(rows, { groupBy: 'day', agents: [agent] });
    assert.equal(days.length, Object.keys(truth.byAgentDay).filter((k) => k.startsWith(`${agent}|`)).length, `${agent} days`);
    for (const g of days) assert.deepEqual(tokens(g), tokens(truth.byAgentDay[`${agent}|${g.key}`]!), `${agent} ${g.key}`);
  }
}

test('dense corpus (issue #24 shapes): totals per agent and per day equal the truth, every shape exercised', async () => {
  const dir = tmp();
  const { claudeConfigDir, codexHome, truth } = generateCorpus(dir, DENSE);
  for (const [shape, n] of Object.entries(truth.shapes)) assert.ok(n >= 2, `the corpus holds ${shape} (${n})`);
  const scanner = new UsageScanner({ sources: { claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome], includeDefaults: false }, mode: 'inline', watch: false, chunkBytes: 4096 });
  try {
    const r = await scanner.scan();
    assert.ok(r.replaced > 0, 'later, more complete lines replaced earlier ones');
    assertTruth(scanner.index.rows(), truth);
  } finally {
    await scanner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('dense corpus cut inside streamed responses at a scan boundary: the next scan completes them, nothing twice', async () => {
  const dir = tmp();
  const { claudeConfigDir, codexHome, truth, cuts } = generateCorpus(dir, DENSE);
  assert.ok(cuts.length >= 5);
  const full = cuts.map((c) => [c.file, fs.readFileSync(c.file)] as const);
  for (const [i, [p, b]] of full.entries()) fs.writeFileSync(p, b.subarray(0, cuts[i]!.offset));
  const store = path.join(dir, 'store');
  const opts = { sources: { claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome], includeDefaults: false }, mode: 'inline' as const, watch: false, storageFolder: store };
  const s1 = new UsageScanner(opts);
  await s1.scan();
  const partial = totalOf(s1.index.rows(), { agents: ['claude-code'] });
  assert.ok(partial.outputTokens < truth.byAgent['claude-code'].outputTokens, 'the cut responses were counted with their partial output');
  await s1.close();
  for (const [i, [p, b]] of full.entries()) fs.appendFileSync(p, b.subarray(cuts[i]!.offset));
  // A restart between the scans: what was counted per response comes back from the persisted index.
  const s2 = new UsageScanner(opts);
  const r = await s2.scan();
  assert.ok(r.replaced >= cuts.length, `each cut response was completed by replacement (${r.replaced})`);
  assertTruth(s2.index.rows(), truth);
  // And once more after a reload of snapshot + journal.
  await s2.close();
  const s3 = new UsageScanner(opts);
  await s3.load();
  assertTruth(s3.index.rows(), truth);
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
