// The first read of the agents' logs says how far it has come, so the tree, the dashboard and the view's progress
// bar can show "reading 1,240 of 3,012 log files" while the figures fill in; later scans say nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageScanner, type FirstScanProgress } from '../../../src/core/usage/scanner';
import { buildUsageView } from '../../../src/core/usage/view';
import { totalOf } from '../../../src/core/usage/query';

function claudeLogs(files: number): { dir: string; cfg: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-progress-'));
  const cfg = path.join(dir, 'claude');
  for (let i = 0; i < files; i++) {
    const file = path.join(cfg, 'projects', '-w-app', `s${i}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ type: 'assistant', sessionId: `s${i}`, cwd: '/w/app', requestId: `req_${i}`, timestamp: '2026-07-11T10:00:00.000Z', message: { id: `msg_${i}`, model: 'claude-sonnet-4-5', usage: { input_tokens: 10, output_tokens: 1 } } }) + '\n');
  }
  return { dir, cfg };
}

for (const mode of ['inline', 'worker'] as const) {
  test(`the first full scan reports from 0 to all files, with the figures read so far in the index (${mode}); later scans report nothing`, async () => {
    const { dir, cfg } = claudeLogs(30);
    const s = new UsageScanner({
      sources: { includeDefaults: false, claudeConfigDirs: [cfg] },
      mode,
      ...(mode === 'worker' ? { workerPath: path.join(__dirname, '..', '..', '..', 'src', 'core', 'usage', 'usageWorker.js') } : {}),
      watch: false,
      storageFolder: path.join(dir, 'store'),
    });
    const seen: Array<FirstScanProgress & { tokens: number }> = [];
    s.onDidProgress((p) => seen.push({ ...p, tokens: totalOf(s.index.rows()).inputTokens }));
    await s.scan();
    assert.ok(seen.length >= 2, `at least the start and the end: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen[0], { done: 0, total: 30, rebuild: false, tokens: 0 }, 'the start: nothing read yet');
    assert.deepEqual(seen.at(-1), { done: 30, total: 30, rebuild: false, tokens: 300 }, 'the end');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.done >= seen[i - 1]!.done, 'never goes back');
    const before = seen.length;
    await s.scan();
    assert.equal(seen.length, before, 'a later scan is not a first read');
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('the view carries the scan while it runs, and is visible even before any agent folder or usage is known', () => {
  const v = buildUsageView({ rows: [], now: Date.UTC(2026, 6, 11), scan: { done: 1240, total: 3012, rebuild: false } });
  assert.deepEqual(v.scan, { done: 1240, total: 3012, rebuild: false });
  assert.equal(v.visible, true);
  assert.equal(buildUsageView({ rows: [], now: Date.UTC(2026, 6, 11) }).scan, undefined);
});
