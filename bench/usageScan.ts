// Usage scan benchmark: a generated ~50 MB Claude Code + Codex corpus, scanned cold in a worker and in-process, then
// an incremental rescan after appends. Each scan runs in a fresh Node process so peak RSS is the scan's own.
// Prints MB/s, peak RSS and the ratio incremental/cold; checks the totals against the corpus truth.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateCorpus } from '../test/support/corpus';

const CHILD = `
const path = require('path');
const { UsageScanner } = require(process.env.SCANNER);
const { totalOf } = require(process.env.QUERY);
(async () => {
  const sources = JSON.parse(process.env.SOURCES);
  const s = new UsageScanner({ sources, mode: process.env.MODE, watch: false, storageFolder: process.env.STORE, workerPath: process.env.WORKER });
  const t0 = process.hrtime.bigint();
  const r = await s.scan();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await s.close();
  const t = totalOf(s.index.rows());
  process.stdout.write(JSON.stringify({ ms, bytes: r.bytesRead, records: r.records, mode: r.mode, maxRssKB: process.resourceUsage().maxRSS, input: t.inputTokens, output: t.outputTokens, requests: t.requests }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

export interface UsageBenchResult {
  corpusMB: number;
  worker: { mbPerSec: number; ms: number; peakRssMB: number };
  inline: { mbPerSec: number; ms: number; peakRssMB: number };
  incrementalMs: number;
  indexKB: number;
  exact: boolean;
}

export function benchUsageScan(targetMB = 50): UsageBenchResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-usage-bench-'));
  try {
    const { claudeConfigDir, codexHome, truth } = generateCorpus(dir, { seed: 1, targetBytes: targetMB * 1_000_000 });
    const usageDir = path.resolve(__dirname, '..', 'src', 'core', 'usage');
    const sources = { includeDefaults: false, claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome] };
    const run = (mode: string, store: string) => {
      const res = spawnSync(process.execPath, ['-e', CHILD], {
        encoding: 'utf8',
        env: {
          ...process.env,
          SCANNER: path.join(usageDir, 'scanner.js'),
          QUERY: path.join(usageDir, 'query.js'),
          WORKER: path.join(usageDir, 'usageWorker.js'),
          SOURCES: JSON.stringify(sources),
          MODE: mode,
          STORE: store,
        },
      });
      if (res.status !== 0) throw new Error(res.stderr);
      return JSON.parse(res.stdout) as { ms: number; bytes: number; records: number; mode: string; maxRssKB: number; input: number; output: number; requests: number };
    };
    const mb = truth.bytes / 1e6;
    const w = run('worker', path.join(dir, 'store-w'));
    const i = run('inline', path.join(dir, 'store-i'));
    const want = truth.byAgent['claude-code'].inputTokens + truth.byAgent.codex.inputTokens;
    const exact = w.input === want && i.input === want && w.requests === truth.byAgent['claude-code'].requests + truth.byAgent.codex.requests;
    // Incremental: append one line to 20 files, rescan with the persisted index.
    let appended = 0;
    const files: string[] = [];
    (function walk(d: string) {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.jsonl') && files.length < 20) files.push(p);
      }
    })(claudeConfigDir);
    for (const f of files) {
      const line = JSON.stringify({ type: 'user', timestamp: new Date().toISOString(), message: { role: 'user', content: 'more' } }) + '\n';
      appended += line.length;
      // Files may end in a half-written line: complete it first so the appended line stands alone.
      fs.appendFileSync(f, '\n' + line);
    }
    const indexKB = fs.statSync(path.join(dir, 'store-w', 'usage-index.json')).size / 1024;
    const inc = run('worker', path.join(dir, 'store-w'));
    const result: UsageBenchResult = {
      corpusMB: mb,
      worker: { mbPerSec: mb / (w.ms / 1000), ms: w.ms, peakRssMB: w.maxRssKB / 1024 },
      inline: { mbPerSec: mb / (i.ms / 1000), ms: i.ms, peakRssMB: i.maxRssKB / 1024 },
      incrementalMs: inc.ms,
      indexKB,
      exact,
    };
    console.log(`bench usage-scan corpus: ${mb.toFixed(1)} MB, ${truth.files} files, ${w.records} records`);
    console.log(`bench usage-scan worker cold: ${w.ms.toFixed(0)} ms, ${result.worker.mbPerSec.toFixed(0)} MB/s, peak RSS ${result.worker.peakRssMB.toFixed(0)} MB (host + worker)`);
    console.log(`bench usage-scan inline cold: ${i.ms.toFixed(0)} ms, ${result.inline.mbPerSec.toFixed(0)} MB/s, peak RSS ${result.inline.peakRssMB.toFixed(0)} MB`);
    console.log(`bench usage-scan incremental (20 appends, ${appended} bytes, read ${inc.bytes}): ${inc.ms.toFixed(1)} ms (ratio to cold ${(inc.ms / w.ms).toFixed(3)})`);
    console.log(`bench usage-scan persisted index: ${indexKB.toFixed(0)} KB`);
    console.log(`bench usage-scan totals exact vs corpus truth: ${exact ? 'yes' : 'NO'}`);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) benchUsageScan(Number(process.argv[2] ?? 50));
