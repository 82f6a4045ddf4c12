// `tokstat usage` (the production CLI bundle, dist/cli.js) side by side with ccusage's native binary on the same
// generated corpus (issue #22 §1), each spawned as a user would, wall time from spawn to exit, in the same run:
//   - cold: no CLI cache (`--no-cache`, and a first run into an empty cache folder, which also writes the index),
//     ratio against ccusage's run (goal ≤ 1.5×);
//   - repeat: after ~100 KB were appended to a few logs, the run that continues from the persisted index, ratio
//     against ccusage's rerun on the same files (goal ≤ 0.2×); its totals must equal a --no-cache run's, and it must
//     read only the appended bytes (`--verbose` says how many it read).
// Both tools read from the page cache (the corpus was just written). Runs alternate; the median is reported. CPU time
// (user + system, all threads; GNU time) is reported beside wall time: on a shared machine wall time follows the CPU
// each tool is given. `--baseline <checkout>` also runs another build (its dist/cli.js, e.g. a worktree of main) in the
// same rounds on the same corpus and appends, so a change is measured against what it replaces under the same load.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { generateCorpus } from '../test/support/corpus';
import { appendRealistic, ensureCcusage, gnuTime, runCcusage, timeReport, type Report } from './ccusage';

/** Every log under `dirs`: its size, and the bytes after its last newline (a line cut short, which an append completes). */
function logSizes(dirs: string[]): Map<string, { size: number; tail: number }> {
  const out = new Map<string, { size: number; tail: number }>();
  const buf = Buffer.alloc(1 << 20);
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.jsonl')) {
        const fd = fs.openSync(p, 'r');
        try {
          const size = fs.fstatSync(fd).size;
          const len = Math.min(size, buf.length);
          fs.readSync(fd, buf, 0, len, size - len);
          out.set(p, { size, tail: len - 1 - buf.subarray(0, len).lastIndexOf(10) });
        } finally {
          fs.closeSync(fd);
        }
      }
    }
  };
  for (const d of dirs) if (fs.existsSync(d)) walk(d);
  return out;
}

/** What a repeat run has to read after an append: the new bytes, and the cut lines they complete (read again whole). */
function newBytes(before: Map<string, { size: number; tail: number }>, after: Map<string, { size: number; tail: number }>): number {
  let n = 0;
  for (const [p, a] of after) {
    const b = before.get(p);
    if (!b) n += a.size;
    else if (a.size > b.size) n += a.size - b.size + b.tail;
  }
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface CliUsageBenchOptions {
  root: string;
  /** Another checkout whose dist/cli.js runs beside this one (same corpus, same rounds): before / after figures. */
  baselineRoot?: string;
  targetMB?: number;
  runs?: number;
  log?: (line: string) => void;
}

export async function benchCliUsage(report: Report, opts: CliUsageBenchOptions): Promise<{ coldRatio: number; repeatRatio: number }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const runs = Math.max(1, opts.runs ?? 3);
  const cc = ensureCcusage();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-cli-bench-'));
  try {
    const { claudeConfigDir, codexHome, truth } = generateCorpus(path.join(dir, 'corpus'), { seed: 11, targetBytes: (opts.targetMB ?? 500) * 1_000_000, emptyRequestIds: false });
    log(`bench cli: corpus ${(truth.bytes / 1e6).toFixed(0)} MB, ${truth.files} files; ccusage ${cc.version} (${cc.kind})`);
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    const mainCli = path.join(opts.root, 'dist', 'cli.js');
    const baseCli = opts.baselineRoot ? path.join(opts.baselineRoot, 'dist', 'cli.js') : undefined;
    if (baseCli && !fs.existsSync(baseCli)) throw new Error(`no ${baseCli}: build the baseline first (node esbuild.js --production there)`);
    let cacheN = 0;
    const tokstat = (cache: string | undefined, cli = mainCli): { ms: number; cpuMs?: number; bytesRead: number; dedupParsed?: number; totals: { totalTokens: number; costUSD: number | null } } => {
      const env = {
        PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, CLAUDE_CONFIG_DIR: claudeConfigDir, CODEX_HOME: codexHome, NO_COLOR: '1',
        XDG_CACHE_HOME: cache ?? path.join(dir, `unused-${cacheN++}`), GEMINI_DATA_DIR: path.join(dir, 'none'), OPENCODE_DATA_DIR: path.join(dir, 'none'),
        ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
      };
      fs.mkdirSync(env.GEMINI_DATA_DIR, { recursive: true });
      const args = [cli, 'usage', 'daily', '--json', '--offline', '--agent', 'claude-code,codex', ...(cache ? ['--verbose'] : ['--no-cache'])];
      const t0 = performance.now();
      const r = gnuTime
        ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
        : spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`tokstat usage exited ${r.status}: ${r.stderr}`);
      const read = /read (\d+) bytes/.exec(r.stderr ?? '');
      const dedup = /dedup state: (\d+) of 8 parts parsed/.exec(r.stderr ?? '');
      return {
        ms, ...(gnuTime ? { cpuMs: timeReport(r.stderr ?? '').cpuMs } : {}), bytesRead: read ? Number(read[1]) : Number.NaN,
        ...(dedup ? { dedupParsed: Number(dedup[1]) } : {}),
        totals: (JSON.parse(r.stdout) as { totals: { totalTokens: number; costUSD: number | null } }).totals,
      };
    };
    // The least any repeat run must do, as its own process: start Node, list the log folders, stat every log, read
    // the appended bytes (here: as many bytes from one log). A peer measured in the same rounds: what no index or
    // parser can go below on this machine.
    const floorScript = `const fs=require('fs'),p=require('path');let n=0,big='';const walk=(d)=>{let es;try{es=fs.readdirSync(d,{withFileTypes:true})}catch{return}for(const e of es){const f=p.join(d,e.name);if(e.isDirectory())walk(f);else if(e.name.endsWith('.jsonl')){const st=fs.statSync(f);n+=st.size;if(!big)big=f}}};for(const d of process.argv.slice(1))walk(d);const b=Buffer.alloc(100000);const fd=fs.openSync(big,'r');fs.readSync(fd,b,0,b.length,0);fs.closeSync(fd);process.stdout.write(JSON.stringify({bytes:n}))`;
    // The least any cold run must do, as its own process: start Node, list the logs, read every byte and find every
    // line end (no parsing at all). What a Node reader pays before it looks inside a line.
    const coldFloorScript = `const fs=require('fs'),p=require('path');let n=0,lines=0;const walk=(d)=>{let es;try{es=fs.readdirSync(d,{withFileTypes:true})}catch{return}for(const e of es){const f=p.join(d,e.name);if(e.isDirectory())walk(f);else if(e.name.endsWith('.jsonl')){const b=fs.readFileSync(f);n+=b.length;for(let i=b.indexOf(10);i>=0;i=b.indexOf(10,i+1))lines++}}};for(const d of process.argv.slice(1))walk(d);process.stdout.write(JSON.stringify({bytes:n,lines}))`;
    const floor = (script = floorScript): { ms: number; cpuMs?: number } => {
      const args = ['-e', script, claudeConfigDir, codexHome];
      const t0 = performance.now();
      const r = gnuTime ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`the floor script exited ${r.status}: ${r.stderr}`);
      return { ms, ...(gnuTime ? { cpuMs: timeReport(r.stderr ?? '').cpuMs } : {}) };
    };
    const ccHome = path.join(dir, 'cc-home');
    fs.mkdirSync(ccHome);
    const ccCold: number[] = [];
    const tkNoCache: number[] = [];
    const ccCpu: number[] = [];
    const tkCpu: number[] = [];
    const tkFirst: number[] = [];
    const coldFloorMs: number[] = [];
    const coldFloorCpu: number[] = [];
    const base = { noCache: [] as number[], cpu: [] as number[], repeat: [] as number[], repeatCpu: [] as number[] };
    let baseMismatch = 0;
    for (let i = 0; i < runs; i++) {
      const c = runCcusage(cc, ccHome, claudeConfigDir, codexHome);
      ccCold.push(c.ms);
      const t = tokstat(undefined);
      tkNoCache.push(t.ms);
      if (c.cpuMs !== undefined && t.cpuMs !== undefined) {
        ccCpu.push(c.cpuMs);
        tkCpu.push(t.cpuMs);
      }
      if (baseCli) {
        const b = tokstat(undefined, baseCli);
        base.noCache.push(b.ms);
        if (b.cpuMs !== undefined) base.cpu.push(b.cpuMs);
        if (b.totals.totalTokens !== t.totals.totalTokens || Math.abs((b.totals.costUSD ?? 0) - (t.totals.costUSD ?? 0)) > 1e-6) baseMismatch++;
      }
      const cf = floor(coldFloorScript);
      coldFloorMs.push(cf.ms);
      if (cf.cpuMs !== undefined) coldFloorCpu.push(cf.cpuMs);
      if (i < runs - 1) tkFirst.push(tokstat(path.join(dir, `cache-cold-${i}`)).ms);
    }
    // The last first run leaves its index for the repeat runs.
    const cache = path.join(dir, 'cache');
    tkFirst.push(tokstat(cache).ms);
    const baseCache = path.join(dir, 'cache-baseline');
    if (baseCli) tokstat(baseCache, baseCli);
    const ccRepeat: number[] = [];
    const ccRepeatCpu: number[] = [];
    const tkRepeat: number[] = [];
    const tkRepeatCpu: number[] = [];
    let mismatch = 0;
    let appendedBytes = 0;
    let repeatBytes = 0;
    let dedupParsedMost = 0;
    const floorMs: number[] = [];
    const floorCpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const before = logSizes([claudeConfigDir, codexHome]);
      appendRealistic(claudeConfigDir, codexHome, 100_000, 100 + i);
      appendedBytes += newBytes(before, logSizes([claudeConfigDir, codexHome]));
      const c = runCcusage(cc, ccHome, claudeConfigDir, codexHome);
      ccRepeat.push(c.ms);
      if (c.cpuMs !== undefined) ccRepeatCpu.push(c.cpuMs);
      const warm = tokstat(cache);
      tkRepeat.push(warm.ms);
      if (warm.cpuMs !== undefined) tkRepeatCpu.push(warm.cpuMs);
      repeatBytes += warm.bytesRead;
      dedupParsedMost = Math.max(dedupParsedMost, warm.dedupParsed ?? 8);
      const f = floor();
      floorMs.push(f.ms);
      if (f.cpuMs !== undefined) floorCpu.push(f.cpuMs);
      if (baseCli) {
        const b = tokstat(baseCache, baseCli);
        base.repeat.push(b.ms);
        if (b.cpuMs !== undefined) base.repeatCpu.push(b.cpuMs);
        if (b.totals.totalTokens !== warm.totals.totalTokens || Math.abs((b.totals.costUSD ?? 0) - (warm.totals.costUSD ?? 0)) > 1e-6) baseMismatch++;
      }
      const full = tokstat(undefined).totals;
      if (full.totalTokens !== warm.totals.totalTokens || Math.abs((full.costUSD ?? 0) - (warm.totals.costUSD ?? 0)) > 1e-6) mismatch++;
    }
    const node = median(Array.from({ length: runs }, () => {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      return performance.now() - t0;
    }));
    log(`bench cli: ccusage ${ccCold.map((x) => x.toFixed(0)).join(', ')} ms; tokstat --no-cache ${tkNoCache.map((x) => x.toFixed(0)).join(', ')} ms; first run (writes the index) ${tkFirst.map((x) => x.toFixed(0)).join(', ')} ms; repeat ${tkRepeat.map((x) => x.toFixed(0)).join(', ')} ms vs ccusage ${ccRepeat.map((x) => x.toFixed(0)).join(', ')} ms; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    /** A floor peer's figures: its time, its ratio to ccusage, and tokstat's ratio to it (wall and CPU time). */
    const reportFloor = (run: 'cold' | 'repeat', what: string, t: Record<'floor' | 'floorCpu' | 'tokstat' | 'tokstatCpu' | 'ccusage' | 'ccusageCpu', number[]>): void => {
      report(`cli usage ${run} floor (Node start-up, ${what}), spawn to exit (median)`, median(t.floor), 'ms');
      report(`cli usage ${run} floor ratio floor/ccusage`, median(t.floor) / median(t.ccusage), '×');
      report(`cli usage ${run} over the floor, tokstat/floor`, median(t.tokstat) / median(t.floor), '×');
      if (!t.floorCpu.length || !t.ccusageCpu.length || !t.tokstatCpu.length) return;
      report(`cli usage ${run} floor CPU time (median)`, median(t.floorCpu), 'ms');
      report(`cli usage ${run} floor CPU-time ratio floor/ccusage`, median(t.floorCpu) / median(t.ccusageCpu), '×');
      report(`cli usage ${run} CPU time over the floor, tokstat/floor`, median(t.tokstatCpu) / median(t.floorCpu), '×');
    };
    const coldRatio = median(tkNoCache) / median(ccCold);
    const repeatRatio = median(tkRepeat) / median(ccRepeat);
    report('cli usage cold (--no-cache), spawn to exit (median)', median(tkNoCache), 'ms');
    report('cli usage first run into an empty cache (writes the index), median', median(tkFirst), 'ms');
    report('cli usage ccusage cold, spawn to exit (median)', median(ccCold), 'ms');
    report('cli usage cold ratio tokstat/ccusage', coldRatio, '×', 1.5);
    report('cli usage first-run ratio tokstat/ccusage', median(tkFirst) / median(ccCold), '×');
    if (tkCpu.length) {
      // On a busy machine wall times follow the CPU each tool gets; the CPU time each needed says what it costs.
      report('cli usage cold CPU time (user + system), tokstat --no-cache (median)', median(tkCpu), 'ms');
      report('cli usage cold CPU time, ccusage (median)', median(ccCpu), 'ms');
      report('cli usage cold CPU-time ratio tokstat/ccusage', median(tkCpu) / median(ccCpu), '×');
    }
    // The cold floor: Node's start-up and reading every byte of every log, which any cold run needs.
    reportFloor('cold', 'read every log, find every line end', { floor: coldFloorMs, floorCpu: coldFloorCpu, tokstat: tkNoCache, tokstatCpu: tkCpu, ccusage: ccCold, ccusageCpu: ccCpu });
    report('cli usage repeat after a 100 KB append, spawn to exit (median)', median(tkRepeat), 'ms');
    report('cli usage ccusage rerun after the append (median)', median(ccRepeat), 'ms');
    report('cli usage repeat ratio tokstat/ccusage', repeatRatio, '×', 0.2);
    if (tkRepeatCpu.length && ccRepeatCpu.length) {
      report('cli usage repeat CPU time, tokstat (median)', median(tkRepeatCpu), 'ms');
      report('cli usage repeat CPU time, ccusage rerun (median)', median(ccRepeatCpu), 'ms');
      report('cli usage repeat CPU-time ratio tokstat/ccusage', median(tkRepeatCpu) / median(ccRepeatCpu), '×');
    }
    // The repeat floor: Node's start-up and a stat of every log, which any run that must see appends needs.
    reportFloor('repeat', 'listing and stat of every log, reading the new bytes', { floor: floorMs, floorCpu, tokstat: tkRepeat, tokstatCpu: tkRepeatCpu, ccusage: ccRepeat, ccusageCpu: ccRepeatCpu });
    // New responses only were appended: no run needs the dedup state (the keys of what was counted before).
    report('cli usage repeat runs: dedup parts parsed (most in one run, of 8)', dedupParsedMost, 'count', 0);
    if (baseCli) {
      log(`bench cli: baseline ${opts.baselineRoot}: --no-cache ${base.noCache.map((x) => x.toFixed(0)).join(', ')} ms; repeat ${base.repeat.map((x) => x.toFixed(0)).join(', ')} ms`);
      report('cli usage baseline: cold ratio (--no-cache) baseline/ccusage', median(base.noCache) / median(ccCold), '×');
      if (base.cpu.length && ccCpu.length) report('cli usage baseline: cold CPU-time ratio baseline/ccusage', median(base.cpu) / median(ccCpu), '×');
      report('cli usage baseline: repeat ratio baseline/ccusage', median(base.repeat) / median(ccRepeat), '×');
      if (base.repeatCpu.length && ccRepeatCpu.length) report('cli usage baseline: repeat CPU-time ratio baseline/ccusage', median(base.repeatCpu) / median(ccRepeatCpu), '×');
      if (base.cpu.length && tkCpu.length) report('cli usage this build / baseline, cold CPU time', median(tkCpu) / median(base.cpu), '×');
      report('cli usage runs whose totals differ from the baseline build', baseMismatch, 'count', 0);
    }
    report('cli usage repeat runs whose totals differ from a --no-cache run', mismatch, 'count', 0);
    log(`bench cli: the repeat runs read ${repeatBytes} bytes in all; ${appendedBytes} bytes were appended before them (with the cut lines they completed)`);
    report('cli usage repeat runs: bytes read other than the new ones', Math.abs(repeatBytes - appendedBytes), 'bytes', 0);
    report('cli usage: Node start-up alone (node -e 0, median), for reference', node, 'ms');
    return { coldRatio, repeatRatio };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--mb');
  const b = process.argv.indexOf('--baseline');
  const r = process.argv.indexOf('--runs');
  let figures = 0;
  let missed = 0;
  const report: Report = (name, value, unit, goal) => {
    figures++;
    if (goal !== undefined && !(value <= goal)) missed++;
    console.log(`bench ${name}: ${value.toFixed(2)} ${unit}${goal !== undefined ? ` (goal ≤ ${goal}${value <= goal ? '' : ' — MISSED'})` : ''}`);
  };
  benchCliUsage(report, {
    root: path.resolve(__dirname, '..', '..'),
    ...(i > 0 ? { targetMB: Number(process.argv[i + 1]) } : {}),
    ...(b > 0 ? { baselineRoot: path.resolve(process.argv[b + 1]!) } : {}),
    ...(r > 0 ? { runs: Number(process.argv[r + 1]) } : {}),
  }).then(() => console.log(`bench-cli: ${figures} figures, ${missed} goals missed; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores`), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
