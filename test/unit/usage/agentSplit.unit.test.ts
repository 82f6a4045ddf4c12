// A cold scan split by agent (coldSplitAgents, the CLI's): the Claude logs in the worker, the others in the host
// thread at the same time. Same index as one worker's, and later scans go on from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCorpus } from '../../support/corpus';
import { UsageScanner } from '../../../src/core/usage/scanner';
import type { Logger } from '../../../src/core/log';
import type { UsageSourceOptions } from '../../../src/core/usage/sources';

const byJson = <T>(xs: T[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

function recordingLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const put = (m: string) => void lines.push(m);
  const log: Logger = { trace: put, debug: put, info: put, warn: put, error: put };
  return { log, lines };
}

test('agent-split cold scan: the index one worker builds (dense corpus), and later scans read only what was appended', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-agent-split-'));
  try {
    const { claudeConfigDir, codexHome, truth } = generateCorpus(path.join(dir, 'c'), { seed: 9, targetBytes: 1_500_000, dense: true });
    const workerPath = path.resolve(__dirname, '../../../src/core/usage/usageWorker.js');
    const sources = { includeDefaults: false, claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome] };
    const price = () => ({ costUSD: 0.001, unpriced: false });
    const base = { sources, mode: 'worker', watch: false, workerPath, price, tools: false, chunkBytes: 16 * 1024 } as const;
    const { log, lines } = recordingLog();
    const one = new UsageScanner(base);
    const split = new UsageScanner({ ...base, coldSplitAgents: true, log, storageFolder: path.join(dir, 'store') });
    const r1 = await one.scan();
    const r2 = await split.scan();
    assert.ok(lines.some((l) => l.includes('cold scan split by agent')), 'the cold scan was split');
    assert.equal(r2.mode, 'worker');
    const same = () => {
      assert.deepEqual(byJson(split.index.rows()), byJson(one.index.rows()));
      assert.deepEqual(byJson(split.index.hours()), byJson(one.index.hours()));
      assert.deepEqual(split.index.cursors(), one.index.cursors());
      assert.deepEqual(split.index.planWindows(), one.index.planWindows());
    };
    for (const k of ['filesSeen', 'filesRead', 'bytesRead', 'linesParsed', 'records', 'duplicates', 'replaced', 'sidechainsDropped'] as const) assert.equal(r2[k], r1[k], k);
    same();
    const out = split.index.rows().filter((r) => r.agent === 'codex').reduce((a, r) => a + r.outputTokens, 0);
    assert.equal(out, truth.byAgent.codex.outputTokens);
    // Not cold any more: no split; the worker is sent the cursors of every file (its own copy had only Claude's).
    const appended = ['claude', 'codex'].map((kind) => {
      const c = Object.values(one.index.cursors()).find((x) => x.kind === kind)!;
      const line = fs.readFileSync(c.path, 'utf8').split('\n').find((l) => l.includes('"usage"') || l.includes('token_count'))!;
      fs.appendFileSync(c.path, line + '\n');
      return Buffer.byteLength(line) + 1;
    });
    lines.length = 0;
    const [a1, a2] = [await one.scan(), await split.scan()];
    assert.ok(!lines.some((l) => l.includes('cold scan split by agent')), 'a warm scan is not split');
    assert.equal(a2.bytesRead, appended[0]! + appended[1]!);
    assert.equal(a1.bytesRead, a2.bytesRead);
    same();
    // The saved index reloads to the same figures.
    const again = new UsageScanner({ ...base, mode: 'inline', storageFolder: path.join(dir, 'store') });
    await again.load();
    assert.equal((await again.scan()).bytesRead, 0);
    assert.deepEqual(byJson(again.index.rows()), byJson(one.index.rows()));
    await Promise.all([one.close(), split.close(), again.close()]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('agent-split cold scan: not with tool figures, nor with one agent only', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-agent-split-'));
  try {
    const { claudeConfigDir, codexHome } = generateCorpus(path.join(dir, 'c'), { seed: 3, targetBytes: 200_000 });
    const workerPath = path.resolve(__dirname, '../../../src/core/usage/usageWorker.js');
    const cases: Array<[UsageSourceOptions, boolean]> = [
      [{ includeDefaults: false, claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome] }, true],
      [{ includeDefaults: false, claudeConfigDirs: [claudeConfigDir] }, false],
    ];
    for (const [sources, tools] of cases) {
      const { log, lines } = recordingLog();
      const s = new UsageScanner({ sources, mode: 'worker', watch: false, workerPath, coldSplitAgents: true, tools, log });
      const r = await s.scan();
      assert.ok(r.records > 0);
      assert.ok(!lines.some((l) => l.includes('cold scan split by agent')), JSON.stringify({ tools, agents: Object.keys(sources) }));
      await s.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
