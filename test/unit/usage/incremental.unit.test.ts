// Incremental and live reading: only appended bytes are read, half-written lines are finished later, truncation and
// replacement re-read safely, deleted transcripts keep their history, worker and in-process scans agree, the watcher
// moves the numbers while an agent writes.
import { eventually } from '../../support/eventually';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageScanner, type ScanResult, type UsageScannerOptions } from '../../../src/core/usage/scanner';
import { nullLogger } from '../../../src/core/log';
import { totalOf, fiveHourBlocks, queryUsage, matchWorkspace } from '../../../src/core/usage/query';
import { generateCorpus } from '../../support/corpus';
import { USAGE_INDEX_VERSION, type HourRow } from '../../../src/core/usage/usageIndex';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-inc-'));
}

let n = 0;
function claudeLine(input: number, opts: { msg?: string; req?: string; ts?: string; sidechain?: boolean } = {}): string {
  n++;
  return JSON.stringify({
    type: 'assistant', sessionId: 'live', cwd: '/w/app', version: '2.1.0', isSidechain: opts.sidechain ?? false,
    requestId: opts.req ?? `req_${n}`, timestamp: opts.ts ?? '2026-07-11T10:00:00.000Z',
    message: { id: opts.msg ?? `msg_${n}`, model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: 'x' }], usage: { input_tokens: input, output_tokens: 1 } },
  }) + '\n';
}

function setup(extra: Partial<UsageScannerOptions> = {}) {
  const dir = tmp();
  const cfg = path.join(dir, 'claude');
  const file = path.join(cfg, 'projects', '-w-app', 'live.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const opts: UsageScannerOptions = { sources: { includeDefaults: false, claudeConfigDirs: [cfg] }, mode: 'inline', watch: false, storageFolder: path.join(dir, 'store'), ...extra };
  return { dir, file, opts };
}

test('appends: only the appended bytes are read', async () => {
  const { dir, file, opts } = setup();
  fs.writeFileSync(file, claudeLine(10) + claudeLine(20));
  const s = new UsageScanner(opts);
  await s.scan();
  const add = claudeLine(5);
  fs.appendFileSync(file, add);
  const r = await s.scan();
  assert.equal(r.bytesRead, Buffer.byteLength(add));
  assert.equal(r.filesRead, 1);
  assert.equal(totalOf(s.index.rows()).inputTokens, 35);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a half-written last line is read once it is complete (also across a restart)', async () => {
  const { dir, file, opts } = setup();
  const line = claudeLine(7);
  fs.writeFileSync(file, claudeLine(1) + line.slice(0, 40));
  const s1 = new UsageScanner(opts);
  await s1.scan();
  assert.equal(totalOf(s1.index.rows()).inputTokens, 1);
  await s1.close();
  fs.appendFileSync(file, line.slice(40));
  const s2 = new UsageScanner(opts);
  const r = await s2.scan();
  assert.equal(r.bytesRead, Buffer.byteLength(line));
  assert.equal(totalOf(s2.index.rows()).inputTokens, 8);
  // A complete last line without its newline yet is taken, and the newline that follows is harmless.
  const l3 = claudeLine(100);
  fs.appendFileSync(file, l3.trimEnd());
  await s2.scan();
  fs.appendFileSync(file, '\n' + claudeLine(1000));
  await s2.scan();
  assert.equal(totalOf(s2.index.rows()).inputTokens, 1108);
  await s2.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('truncation and replacement re-read the file without counting anything twice', async () => {
  const { dir, file, opts } = setup();
  const a = claudeLine(1);
  const b = claudeLine(2);
  fs.writeFileSync(file, a + b);
  const s = new UsageScanner(opts);
  await s.scan();
  // Truncated (size < offset): re-read from 0; the known lines are duplicates, the new one counts.
  fs.writeFileSync(file, claudeLine(4));
  let r = await s.scan();
  assert.equal(r.bytesRead, fs.statSync(file).size);
  assert.equal(totalOf(s.index.rows()).inputTokens, 7);
  // Replaced by a new file (new inode) with old and new lines.
  const tmpFile = file + '.new';
  fs.writeFileSync(tmpFile, a + b + claudeLine(8) + claudeLine(16));
  fs.renameSync(tmpFile, file);
  r = await s.scan();
  assert.equal(r.duplicates, 2);
  assert.equal(totalOf(s.index.rows()).inputTokens, 31);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('deleted transcripts keep their history, also after a restart', async () => {
  const { dir, file, opts } = setup();
  fs.writeFileSync(file, claudeLine(10) + claudeLine(20));
  const s1 = new UsageScanner(opts);
  await s1.scan();
  fs.rmSync(file);
  const r = await s1.scan();
  assert.equal(r.missingFiles, 1);
  assert.equal(totalOf(s1.index.rows()).inputTokens, 30);
  await s1.close();
  const s2 = new UsageScanner(opts);
  await s2.load();
  assert.equal(totalOf(s2.index.rows()).inputTokens, 30);
  assert.equal((await s2.scan()).missingFiles, 0, 'reported once');
  // The index file is versioned JSON written atomically (no temp files left behind).
  const files = fs.readdirSync(path.join(dir, 'store'));
  assert.deepEqual(files, ['usage-index.json']);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'store', 'usage-index.json'), 'utf8')).version, USAGE_INDEX_VERSION);
  await s2.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a corrupt index file is ignored (fresh start), not fatal', async () => {
  const { dir, file, opts } = setup();
  fs.mkdirSync(path.join(dir, 'store'));
  fs.writeFileSync(path.join(dir, 'store', 'usage-index.json'), '{"version":1,"rows":[');
  fs.writeFileSync(file, claudeLine(3));
  const s = new UsageScanner(opts);
  await s.scan();
  assert.equal(totalOf(s.index.rows()).inputTokens, 3);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('worker and in-process scans give identical aggregates and cursors', async () => {
  const dir = tmp();
  const { claudeConfigDir, codexHome } = generateCorpus(dir, { seed: 3, targetBytes: 800_000 });
  const sources = { includeDefaults: false, claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome] };
  const worker = new UsageScanner({ sources, mode: 'worker', watch: false, workerPath: path.resolve(__dirname, '../../../src/core/usage/usageWorker.js') });
  const inline = new UsageScanner({ sources, mode: 'inline', watch: false, inlineSliceMs: 1 });
  const [rw, ri] = await Promise.all([worker.scan(), inline.scan()]);
  assert.equal(rw.mode, 'worker');
  assert.equal(ri.mode, 'inline');
  const norm = (s: UsageScanner) => JSON.stringify(s.index.rows().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  assert.equal(norm(worker), norm(inline));
  assert.deepEqual(worker.index.cursors(), inline.index.cursors());
  assert.deepEqual(worker.planWindows(), inline.planWindows());
  assert.equal(rw.records, ri.records);
  await worker.close();
  await inline.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a missing worker entry falls back to the in-process scan', async () => {
  const { dir, file, opts } = setup({ mode: 'worker', workerPath: '/nonexistent/usageWorker.js' });
  fs.writeFileSync(file, claudeLine(3));
  const s = new UsageScanner(opts);
  const r = await s.scan();
  assert.equal(r.mode, 'inline');
  assert.equal(totalOf(s.index.rows()).inputTokens, 3);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('live: the watcher picks up appends (debounced) and fires onDidChange', async () => {
  const { dir, file, opts } = setup({ watch: true, debounceMs: 20, rescanMs: 0 });
  fs.writeFileSync(file, claudeLine(1));
  const s = new UsageScanner(opts);
  await s.start();
  const changed = new Promise<number>((resolve) => {
    const d = s.onDidChange(() => {
      const t = totalOf(s.index.rows()).inputTokens;
      if (t < 7) return; // the watcher may split the two appends over two scans
      d.dispose();
      resolve(t);
    });
  });
  fs.appendFileSync(file, claudeLine(2));
  fs.appendFileSync(file, claudeLine(4));
  // A ref'd timer keeps the test process alive (the watcher and the debounce timer are unref'd by design).
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((_, rej) => (timer = setTimeout(() => rej(new Error('no change seen')), 30_000)));
  try {
    assert.equal(await Promise.race([changed, timeout]), 7);
  } finally {
    clearTimeout(timer);
  }
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The next scan that changed something, or a rejection after 30 s (a ceiling only a real failure reaches). */
function nextChange(s: UsageScanner): Promise<ScanResult> {
  let timer: NodeJS.Timeout | undefined;
  return new Promise<ScanResult>((resolve, reject) => {
    const d = s.onDidChange((r) => {
      d.dispose();
      clearTimeout(timer);
      resolve(r);
    });
    timer = setTimeout(() => {
      d.dispose();
      reject(new Error('no change seen'));
    }, 30_000);
  });
}


for (const mode of ['inline', 'worker'] as const) {
  test(`live (${mode}): watcher-triggered scans read only the reported files; new transcripts, deletions and folders mean a full scan`, async () => {
    const scans: string[] = [];
    const log = { ...nullLogger, debug: (m: string) => void (/scan \(\w+, (\w+)\): (\d+)\/(\d+) files/.exec(m) && scans.push(/scan \(\w+, (\w+)\): (\d+)\/(\d+) files/.exec(m)!.slice(1).join(' '))) };
    const workerPath = path.resolve(__dirname, '../../../src/core/usage/usageWorker.js');
    const { dir, file, opts } = setup({ watch: true, debounceMs: 20, rescanMs: 0, mode, workerPath, log });
    const project = path.dirname(file);
    const other = path.join(project, 'other.jsonl');
    fs.writeFileSync(file, claudeLine(1));
    fs.writeFileSync(other, claudeLine(2));
    const s = new UsageScanner(opts);
    const r0 = await s.start();
    assert.equal(r0.mode, mode);
    assert.equal(r0.scope, 'full');
    try {
      // An append: only that file is looked at, only the appended bytes are read.
      const add = claudeLine(4);
      let next = nextChange(s);
      fs.appendFileSync(file, add);
      let r = await next;
      assert.equal(r.scope, 'changed');
      assert.equal(r.filesSeen, 1);
      assert.equal(r.bytesRead, Buffer.byteLength(add));
      assert.equal(totalOf(s.index.rows()).inputTokens, 7);
      // A file that is not a transcript: nothing is read, and no full scan either.
      scans.length = 0;
      fs.writeFileSync(path.join(project, 'notes.txt'), 'x');
      await eventually('the watcher-triggered scan of notes.txt', () => scans.length > 0);
      await s.whenIdle();
      assert.deepEqual(scans, ['changed 0 0']);
      // A new transcript: a full scan finds it.
      next = nextChange(s);
      fs.writeFileSync(path.join(project, 'new.jsonl'), claudeLine(8));
      r = await next;
      assert.equal(r.scope, 'full');
      assert.equal(totalOf(s.index.rows()).inputTokens, 15);
      // A deleted transcript: the targeted pass finds it gone and the scan continues as a full one (history stays).
      next = nextChange(s);
      fs.rmSync(other);
      r = await next;
      assert.equal(r.scope, 'full');
      assert.equal(r.missingFiles, 1);
      assert.equal(totalOf(s.index.rows()).inputTokens, 15);
      // A new folder with a transcript in it.
      next = nextChange(s);
      fs.mkdirSync(path.join(path.dirname(project), '-w-two'));
      fs.writeFileSync(path.join(path.dirname(project), '-w-two', 'two.jsonl'), claudeLine(16));
      r = await next;
      assert.equal(r.scope, 'full');
      await eventually('two.jsonl counted', () => totalOf(s.index.rows()).inputTokens === 31);
      await s.whenIdle();
      assert.equal(totalOf(s.index.rows()).inputTokens, 31);
      // And appends are targeted again afterwards.
      next = nextChange(s);
      fs.appendFileSync(file, claudeLine(32));
      r = await next;
      assert.equal(r.scope, 'changed');
      assert.equal(totalOf(s.index.rows()).inputTokens, 63);
      // An explicit scan() is always a full one.
      assert.equal((await s.scan()).scope, 'full');
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('watcher-triggered scans save later: a process killed before that save loses nothing and counts nothing twice', async () => {
  const { dir, file, opts } = setup({ watch: true, debounceMs: 20, rescanMs: 0, saveDelayMs: 60_000 });
  fs.writeFileSync(file, claudeLine(1));
  const s1 = new UsageScanner(opts);
  await s1.start();
  const next = nextChange(s1);
  fs.appendFileSync(file, claudeLine(2) + claudeLine(4));
  assert.equal((await next).scope, 'changed');
  assert.equal(totalOf(s1.index.rows()).inputTokens, 7);
  // What is on disk now is what a killed process leaves behind: the index before the append.
  const s2 = new UsageScanner({ ...opts, watch: false, canPersist: () => false });
  await s2.load();
  assert.equal(totalOf(s2.index.rows()).inputTokens, 1);
  const r2 = await s2.scan();
  assert.equal(r2.records, 2);
  assert.equal(totalOf(s2.index.rows()).inputTokens, 7);
  s2.dispose();
  // Closing does the deferred save; the next start has the append and reads nothing again.
  await s1.close();
  const s3 = new UsageScanner({ ...opts, watch: false });
  await s3.load();
  assert.equal(totalOf(s3.index.rows()).inputTokens, 7);
  assert.equal((await s3.scan()).bytesRead, 0);
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('without watchers, or with targeted scans off, every scan is a full one', async () => {
  const { dir, file, opts } = setup({ watch: true, debounceMs: 20, rescanMs: 0, targetedScans: false });
  fs.writeFileSync(file, claudeLine(1));
  const s = new UsageScanner(opts);
  await s.start();
  const next = nextChange(s);
  fs.appendFileSync(file, claudeLine(2));
  assert.equal((await next).scope, 'full');
  await s.close();
  const s2 = new UsageScanner({ ...opts, watch: false, targetedScans: true });
  await s2.start();
  fs.appendFileSync(file, claudeLine(4));
  s2.schedule();
  await eventually('the scheduled scan read the append', () => totalOf(s2.index.rows()).inputTokens === 7);
  await s2.whenIdle();
  assert.equal(totalOf(s2.index.rows()).inputTokens, 7);
  await s2.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('price callback: costs aggregate per row; unpriced requests are counted', async () => {
  const { dir, file, opts } = setup({ price: (r) => (r.inputTokens >= 10 ? { costUSD: r.inputTokens / 100, unpriced: false } : { unpriced: true }) });
  fs.writeFileSync(file, claudeLine(10) + claudeLine(20) + claudeLine(1));
  const s = new UsageScanner(opts);
  await s.scan();
  const t = totalOf(s.index.rows());
  assert.ok(Math.abs(t.costUSD - 0.3) < 1e-12);
  assert.equal(t.unpricedRequests, 1);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('queries: workspace prefixes, grouping, 5-hour blocks', () => {
  assert.equal(matchWorkspace('/w/app/src', ['/w/app', '/w']), '/w/app');
  assert.equal(matchWorkspace('/w/apple', ['/w/app']), undefined);
  assert.equal(matchWorkspace('', ['/w']), undefined);
  const H = 3_600_000;
  const t0 = Date.UTC(2026, 6, 11, 9, 30);
  const hr = (ts: number, last = ts, requests = 1): HourRow => ({
    hour: Math.floor(ts / H) * H, agent: 'claude-code', model: 'm', inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0, reasoningTokens: 0, requests, costUSD: 0.5, loggedCostUSD: 0, unpricedRequests: 0, firstTs: ts, lastTs: last,
  });
  // 09:30 → block 09:00–14:00; 13:59 inside; 14:10 after the end → new block 14:00; 20:00 (gap > 5 h after 14:10) → new block.
  const blocks = fiveHourBlocks([hr(t0), hr(t0 + 4 * H + 29 * 60_000), hr(t0 + 4 * H + 40 * 60_000), hr(t0 + 10 * H + 30 * 60_000)], { now: t0 + 11 * H });
  assert.deepEqual(blocks.map((b) => [new Date(b.start).toISOString().slice(11, 16), b.requests, b.active]), [['09:00', 2, false], ['14:00', 1, false], ['20:00', 1, true]]);
  assert.equal(blocks[0]!.costUSD, 1);
  const rows = queryUsage([], { groupBy: 'day' });
  assert.deepEqual(rows, []);
});
