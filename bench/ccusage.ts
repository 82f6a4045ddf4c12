// Side by side: tokstat's local-log reader against ccusage on the same generated corpus (issue "What your coding agents
// burn", Performance). One run measures
//   - cold full scan wall time (tokstat: fresh UsageScanner, fresh storage folder, worker mode, bundled prices;
//     ccusage: `daily --json --offline --by-agent`, both agents in one process) and the ratio (goal ≤ 0.5×),
//   - warm rescan after appending ~1 MB of realistic lines (goal ≤ 50 ms): the scan the file watchers trigger, as in the
//     extension, against ccusage's full rerun; and what a full rescan with nothing changed (the periodic one) costs,
//   - peak RSS of both (tokstat's includes its worker thread: same process; goal ≤ 200 MB),
//   - token totals per agent × day: tokstat vs corpus truth, and tokstat vs ccusage like for like (see `adjustments`),
//   - cost with ccusage's own prices (probed from the ccusage binary, see `probeRates`) within 0.5 %.
//
// ccusage is installed from npm with its native binary (see CCUSAGE_VERSION) into the git-ignored .vscode-test/.
// Standalone: `node out/bench/ccusage.js [--mb 500] [--keep] [--runs 2]` (scripts/bench-ccusage.js wraps it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fork, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { generateCorpus, type CorpusTruth } from '../test/support/corpus';
import { localDay } from '../src/core/usage/usageIndex';
import { PriceBook, parseOverrides, type PriceLayer } from '../src/core/usage/pricing';
import { bundledPrices } from '../src/core/usage/pricingStore';
import type { TokenCounts } from '../src/shared/tokens';

/**
 * ccusage 20.x is the Rust rewrite: the `ccusage` npm package is a small launcher whose optionalDependencies
 * `@ccusage/ccusage-<platform>-<arch>` carry a static binary inside the tarball (nothing is downloaded at install
 * time). 20.0.24 is pinned because it is the newest version whose platform packages are all on the registry: the
 * `ccusage@20.0.26` launcher (latest at the time of writing) names `@ccusage/ccusage-linux-x64@20.0.26`, which was
 * never published, so it installs without a binary and cannot run.
 */
export const CCUSAGE_VERSION = '20.0.24';
/**
 * Fallback for platforms without a native package: the last JavaScript ccusage that runs on Node 20 (19.x needs
 * Node 22), with its separate Codex reader. Only used when the native binary is missing; the output says so.
 */
export const CCUSAGE_JS_VERSION = '18.0.11';

export type Report = (name: string, value: number, unit: string, goal?: number) => void;

export interface CcusageBenchOptions {
  /** Corpus size in MB (default 500). */
  targetMB?: number;
  /** Keep the corpus folder (its path is printed). */
  keep?: boolean;
  seed?: number;
  /** Cold runs of each tool; the best is reported (default 2, 1 above 1 GB). */
  runs?: number;
  /** JSON report path (default `<repo>/bench-results/usage.json`); false: none. */
  jsonOut?: string | false;
  /** Force the JavaScript ccusage (to test the fallback). */
  jsCcusage?: boolean;
  log?: (line: string) => void;
}

/** Like-for-like token kinds: ccusage reports one cache-write figure (5-minute + 1-hour writes). */
interface Tot {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}
type ByAgentDay = Record<string, Tot>;
const KINDS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
const zeroTot = (): Tot => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });
const addTo = (m: ByAgentDay, key: string, t: Partial<Tot>, sign = 1) => {
  const x = (m[key] ??= zeroTot());
  for (const k of [...KINDS, 'cost'] as const) x[k] += sign * (t[k] ?? 0);
};
const sumAgent = (m: ByAgentDay, agent: string): Tot => {
  const s = zeroTot();
  for (const [k, t] of Object.entries(m)) if (k.startsWith(agent + '|')) for (const f of [...KINDS, 'cost'] as const) s[f] += t[f];
  return s;
};

const repoRoot = path.resolve(__dirname, '..', '..');
const usageOut = path.join(repoRoot, 'out', 'src', 'core', 'usage');

// ───────────────────────────── ccusage install ─────────────────────────────

interface Ccusage {
  kind: 'native' | 'js';
  version: string;
  /** argv prefixes; `codex` only for the JS fallback (the native binary reads both agents in one run). */
  claude: string[];
  codex?: string[];
}

function npmInstall(prefix: string, pkgs: string[]): void {
  fs.mkdirSync(prefix, { recursive: true });
  // --ignore-scripts: the binary ships in the tarball; nothing needs to run. A package.json makes --prefix local.
  if (!fs.existsSync(path.join(prefix, 'package.json'))) fs.writeFileSync(path.join(prefix, 'package.json'), '{ "private": true }\n');
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...pkgs], {
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) throw new Error(`npm install ${pkgs.join(' ')} failed: ${(r.stderr || r.stdout || String(r.error)).slice(0, 2000)}`);
}

/** Installs (once) and returns how to run ccusage. Idempotent: an existing install is reused. */
export function ensureCcusage(forceJs = false): Ccusage {
  const base = path.join(repoRoot, '.vscode-test');
  if (!forceJs) {
    const dir = path.join(base, `ccusage-${CCUSAGE_VERSION}`);
    const pkg = `@ccusage/ccusage-${process.platform}-${process.arch}`;
    const bin = path.join(dir, 'node_modules', ...pkg.split('/'), 'bin', process.platform === 'win32' ? 'ccusage.exe' : 'ccusage');
    if (!fs.existsSync(bin)) {
      try {
        npmInstall(dir, [`ccusage@${CCUSAGE_VERSION}`]);
      } catch (e) {
        console.warn(`bench ccusage: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (fs.existsSync(bin)) {
      // npm does not keep the executable bit of optional-dependency binaries everywhere; the launcher fixes it too.
      if (process.platform !== 'win32') fs.chmodSync(bin, 0o755);
      // The binary is run directly (the Node launcher only spawns it): no Node start-up in ccusage's figures.
      return { kind: 'native', version: CCUSAGE_VERSION, claude: [bin] };
    }
    console.warn(`bench ccusage: no native ccusage ${CCUSAGE_VERSION} for ${process.platform}-${process.arch}; falling back to the JavaScript ccusage ${CCUSAGE_JS_VERSION}`);
  }
  const dir = path.join(base, `ccusage-js-${CCUSAGE_JS_VERSION}`);
  const claudeJs = path.join(dir, 'node_modules', 'ccusage', 'dist', 'index.js');
  const codexJs = path.join(dir, 'node_modules', '@ccusage', 'codex', 'dist', 'index.js');
  if (!fs.existsSync(claudeJs) || !fs.existsSync(codexJs)) npmInstall(dir, [`ccusage@${CCUSAGE_JS_VERSION}`, `@ccusage/codex@${CCUSAGE_JS_VERSION}`]);
  return { kind: 'js', version: CCUSAGE_JS_VERSION, claude: [process.execPath, claudeJs], codex: [process.execPath, codexJs] };
}

interface CcRun {
  ms: number;
  peakRssMB?: number;
  /** CPU time (user + system, every thread), where /usr/bin/time reports it. */
  cpuMs?: number;
  byAgentDay: ByAgentDay;
  /** Model names seen (ccusage appends `-fast` to fast-mode requests). */
  models: string[];
}

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** GNU time's report (`-v`) of a child: peak RSS and CPU time (user + system, all threads). */
export function timeReport(stderr: string): { peakRssMB?: number; cpuMs?: number } {
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return { ...(rss ? { peakRssMB: Number(rss[1]) / 1024 } : {}), ...(user && sys ? { cpuMs: (Number(user[1]) + Number(sys[1])) * 1000 } : {}) };
}

/** /usr/bin/time -v where it exists (Linux): peak RSS and CPU time of a child. */
export const gnuTime = process.platform === 'linux' && fs.existsSync('/usr/bin/time');

function runOne(argv: string[], env: NodeJS.ProcessEnv): { ms: number; peakRssMB?: number; cpuMs?: number; json: unknown } {
  // /usr/bin/time -v reports the child's peak RSS; without it (macOS, Windows) only the time is measured.
  const cmd = gnuTime ? '/usr/bin/time' : argv[0]!;
  const args = gnuTime ? ['-v', ...argv] : argv.slice(1);
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.slice(-6).join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
  return { ms, ...(gnuTime ? timeReport(r.stderr ?? '') : {}), json: JSON.parse(r.stdout) };
}

/** ccusage's environment: only the corpus (an empty HOME so no real agent folder is read). */
function ccEnv(home: string, claudeDir: string, codexHome: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    USERPROFILE: home,
    CLAUDE_CONFIG_DIR: claudeDir,
    CODEX_HOME: codexHome,
    NO_COLOR: '1',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
  };
}

interface CcRow {
  date?: string;
  period?: string;
  agent?: string;
  agents?: CcRow[];
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheCreationTokens?: number;
  totalCost?: number;
  costUSD?: number;
  modelBreakdowns?: Array<{ modelName: string }>;
  models?: Record<string, unknown>;
}

function ccDay(r: CcRow): string {
  const d = r.period ?? r.date ?? '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(d)) return d;
  // The JS Codex reader prints "Mar 04, 2026".
  const t = Date.parse(`${d} 12:00`);
  return Number.isFinite(t) ? localDay(t) : d;
}

function ccRowTot(r: CcRow): Tot {
  return {
    input: r.inputTokens ?? 0,
    output: r.outputTokens ?? 0,
    cacheRead: r.cacheReadTokens ?? 0,
    cacheWrite: r.cacheCreationTokens ?? 0,
    cost: r.totalCost ?? r.costUSD ?? 0,
  };
}

export function runCcusage(cc: Ccusage, home: string, claudeDir: string, codexHome: string): CcRun {
  const env = ccEnv(home, claudeDir, codexHome);
  const out: CcRun = { ms: 0, byAgentDay: {}, models: [] };
  const models = new Set<string>();
  const take = (agent: string, r: CcRow) => {
    addTo(out.byAgentDay, `${agent}|${ccDay(r)}`, ccRowTot(r));
    for (const m of r.modelBreakdowns ?? []) models.add(m.modelName);
    for (const m of Object.keys(r.models ?? {})) models.add(m);
  };
  if (cc.kind === 'native') {
    const r = runOne([...cc.claude, 'daily', '--json', '--offline', '--by-agent', '--timezone', timeZone], env);
    out.ms = r.ms;
    if (r.peakRssMB !== undefined) out.peakRssMB = r.peakRssMB;
    if (r.cpuMs !== undefined) out.cpuMs = r.cpuMs;
    for (const row of (r.json as { daily: CcRow[] }).daily) {
      for (const a of row.agents ?? []) take(a.agent === 'claude' ? 'claude-code' : a.agent ?? '?', { ...a, period: row.period ?? row.date ?? '' });
    }
  } else {
    const a = runOne([...cc.claude, 'daily', '--json', '--offline', '--timezone', timeZone], env);
    const b = runOne([...cc.codex!, 'daily', '--json', '--offline', '--timezone', timeZone], env);
    out.ms = a.ms + b.ms;
    if (a.peakRssMB !== undefined && b.peakRssMB !== undefined) out.peakRssMB = Math.max(a.peakRssMB, b.peakRssMB);
    for (const row of (a.json as { daily: CcRow[] }).daily) take('claude-code', row);
    for (const row of (b.json as { daily: CcRow[] }).daily) take('codex', row);
  }
  out.models = [...models].sort();
  return out;
}

// ───────────────────────────── ccusage's prices ─────────────────────────────

export interface ProbedRates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h?: number;
  fastMultiplier?: number;
}

/**
 * ccusage's embedded prices, read back through ccusage itself: a tiny corpus with one request per model × token kind,
 * each on its own day, 100k tokens (below every 200k long-context threshold, like every request of the benchmark
 * corpus, so ccusage's per-kind 200k split and tokstat's whole-request tier never apply), priced by
 * `ccusage daily --offline`. Rates are USD per million tokens, ready for a tokstat override table.
 */
export function probeRates(cc: Ccusage, workDir: string, claudeModels: string[], codexModels: string[]): Record<string, ProbedRates> {
  const N = 100_000;
  const dir = path.join(workDir, 'probe');
  fs.rmSync(dir, { recursive: true, force: true });
  const day0 = Date.UTC(2024, 0, 1, 12);
  let n = 0;
  const plan: Array<{ day: string; agent: string; model: string; kind: string }> = [];
  const claudeLines: string[] = [];
  const claudeKinds: Record<string, Record<string, unknown>> = {
    input: { input_tokens: N, output_tokens: 0 },
    output: { input_tokens: 0, output_tokens: N },
    cacheRead: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: N },
    cacheWrite: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: N, cache_creation: { ephemeral_5m_input_tokens: N, ephemeral_1h_input_tokens: 0 } },
    cacheWrite1h: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: N, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: N } },
    fast: { input_tokens: N, output_tokens: 0, speed: 'fast' },
  };
  for (const model of claudeModels) {
    for (const [kind, usage] of Object.entries(claudeKinds)) {
      const ts = day0 + n++ * 86_400_000;
      plan.push({ day: localDay(ts), agent: 'claude-code', model, kind });
      claudeLines.push(JSON.stringify({
        type: 'assistant', sessionId: 'probe', requestId: `req_probe${n}`, timestamp: new Date(ts).toISOString(),
        message: { id: `msg_probe${n}`, type: 'message', role: 'assistant', model, content: [], usage },
      }));
    }
  }
  const claudeDir = path.join(dir, 'claude');
  fs.mkdirSync(path.join(claudeDir, 'projects', '-probe'), { recursive: true });
  fs.writeFileSync(path.join(claudeDir, 'projects', '-probe', 'probe.jsonl'), claudeLines.join('\n') + '\n');
  const codexHome = path.join(dir, 'codex');
  const codexKinds: Record<string, { input_tokens: number; cached_input_tokens: number; output_tokens: number }> = {
    input: { input_tokens: N, cached_input_tokens: 0, output_tokens: 0 },
    output: { input_tokens: 0, cached_input_tokens: 0, output_tokens: N },
    cacheRead: { input_tokens: N, cached_input_tokens: N, output_tokens: 0 },
  };
  for (const model of codexModels) {
    for (const [kind, u] of Object.entries(codexKinds)) {
      const ts = day0 + n++ * 86_400_000;
      plan.push({ day: localDay(ts), agent: 'codex', model, kind });
      const d = new Date(ts);
      const ymd = [String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), String(d.getUTCDate()).padStart(2, '0')];
      const id = `0199ffff-aaaa-bbbb-cccc-${n.toString(16).padStart(12, '0')}`;
      const usage = { ...u, reasoning_output_tokens: 0, total_tokens: u.input_tokens + u.output_tokens };
      const lines = [
        { timestamp: d.toISOString(), type: 'session_meta', payload: { id, cwd: '/probe' } },
        { timestamp: d.toISOString(), type: 'turn_context', payload: { cwd: '/probe', model } },
        { timestamp: d.toISOString(), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: usage, last_token_usage: usage } } },
      ];
      const f = path.join(codexHome, 'sessions', ...ymd, `rollout-${ymd.join('-')}T12-00-00-${id}.jsonl`);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    }
  }
  const run = runCcusage(cc, path.join(dir, 'home'), claudeDir, codexHome);
  fs.rmSync(dir, { recursive: true, force: true });
  const perM = (cost: number) => Math.round((cost / N) * 1e6 * 1e9) / 1e9;
  const out: Record<string, ProbedRates> = {};
  for (const p of plan) {
    const cost = run.byAgentDay[`${p.agent}|${p.day}`]?.cost;
    if (cost === undefined) continue;
    const r = (out[p.model] ??= { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
    if (p.kind === 'fast') continue;
    (r as unknown as Record<string, number>)[p.kind] = perM(cost);
  }
  for (const p of plan) {
    if (p.kind !== 'fast') continue;
    const cost = run.byAgentDay[`${p.agent}|${p.day}`]?.cost;
    const r = out[p.model];
    if (cost !== undefined && r && r.input > 0) r.fastMultiplier = Math.max(1, Math.round((perM(cost) / r.input) * 1e6) / 1e6);
  }
  for (const r of Object.values(out)) if (r.cacheWrite1h === undefined) r.cacheWrite1h = r.cacheWrite;
  return out;
}

// ───────────────────────────── semantic differences ─────────────────────────────

interface Adjustments {
  /**
   * Added to ccusage's figures to give them tokstat's semantics (provider-apis.md §8.1), where ccusage 20.0.24 differs:
   *  1. Claude responses whose lines carry no `requestId` field: ccusage counts every line (each repeats the input and
   *     cache counts of the response); tokstat counts the response once, its most complete line, by message id within
   *     the session (ccusage #976 asks for this).
   *  2. Claude responses whose `requestId` is empty (`""`): ccusage drops them; tokstat counts them once, like 1 (they
   *     were billed).
   *  3. Streamed Claude responses whose first and most complete lines fall on different local days: ccusage counts
   *     the response on its most complete line's day, tokstat on its first line's (the request's time). Same tokens,
   *     another day.
   *  4. Codex, see findCodexAdjustments.
   */
  ccToTokstat: ByAgentDay;
  /** Responses of each kind. */
  idlessResponses: number;
  idlessExtraLines: number;
  emptyRequestIdResponses: number;
  acrossMidnight: number;
  /** Codex events of a branch copy of a fork's rewritten copied history (see findCodexAdjustments). */
  codexBranchOfRewrittenFork: number;
  /** The same differences as records, for pricing them (sign: +1 tokstat counts it and ccusage does not). */
  records: Array<{ key: string; sign: 1 | -1; model: string; speed?: 'fast'; t: TokenCounts }>;
}

function walk(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.jsonl')) out.push(p);
  }
  return out.sort();
}

interface AdjLine {
  ts: number;
  model: string;
  fast: boolean;
  t: { input: number; output: number; cacheRead: number; cacheWrite: number; w5: number; w1: number };
}

/** An independent pass over the corpus (plain string tests + JSON.parse), agreeing with neither tool's code. */
export function findAdjustments(claudeDir: string, codexHome?: string): Adjustments {
  const a: Adjustments = { ccToTokstat: {}, idlessResponses: 0, idlessExtraLines: 0, emptyRequestIdResponses: 0, acrossMidnight: 0, codexBranchOfRewrittenFork: 0, records: [] };
  if (codexHome) findCodexAdjustments(codexHome, a);
  const groups = new Map<string, { kind: 'absent' | 'empty' | 'normal'; lines: AdjLine[] }>();
  for (const f of walk(path.join(claudeDir, 'projects'))) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (!line.includes('"type":"assistant"') || !line.includes('"usage"')) continue;
      let j: { timestamp?: string; sessionId?: string; requestId?: string; isSidechain?: boolean; message?: { id?: string; model?: string; usage?: Record<string, unknown> } };
      try {
        j = JSON.parse(line);
      } catch {
        continue;
      }
      const u = j.message?.usage as Record<string, number> & { cache_creation?: Record<string, number>; speed?: string } | undefined;
      if (!u || !j.timestamp || !j.message?.id || !j.message.model || j.message.model === '<synthetic>' || j.isSidechain) continue;
      const kind = j.requestId === undefined ? 'absent' : j.requestId === '' ? 'empty' : 'normal';
      const key = kind === 'normal' ? `${j.message.id}|${j.requestId}` : `${j.sessionId}|${j.message.id}`;
      const split = u.cache_creation && (u.cache_creation.ephemeral_5m_input_tokens !== undefined || u.cache_creation.ephemeral_1h_input_tokens !== undefined);
      const w5 = split ? u.cache_creation!.ephemeral_5m_input_tokens ?? 0 : u.cache_creation_input_tokens ?? 0;
      const w1 = split ? u.cache_creation!.ephemeral_1h_input_tokens ?? 0 : 0;
      const l: AdjLine = {
        ts: Date.parse(j.timestamp), model: j.message.model, fast: u.speed === 'fast',
        t: { input: u.input_tokens ?? 0, output: u.output_tokens ?? 0, cacheRead: u.cache_read_input_tokens ?? 0, cacheWrite: w5 + w1, w5, w1 },
      };
      const g = groups.get(key) ?? { kind, lines: [] };
      g.lines.push(l);
      groups.set(key, g);
    }
  }
  const rec = (l: AdjLine, sign: 1 | -1) => {
    const key = `claude-code|${localDay(l.ts)}`;
    a.records.push({ key, sign, model: l.model, ...(l.fast ? { speed: 'fast' as const } : {}), t: { inputTokens: l.t.input, outputTokens: l.t.output, cacheReadTokens: l.t.cacheRead, cacheWrite5mTokens: l.t.w5, cacheWrite1hTokens: l.t.w1 } });
  };
  for (const g of groups.values()) {
    const first = g.lines.reduce((x, y) => (y.ts < x.ts ? y : x));
    // The most complete line: the largest output, on a tie the later one.
    const kept = g.lines.reduce((x, y) => (y.t.output > x.t.output || (y.t.output === x.t.output && y.ts >= x.ts) ? y : x));
    const tk = `claude-code|${localDay(first.ts)}`;
    if (g.kind === 'absent') {
      // ccusage keeps one line per timestamp (the lines of a non-streamed response share theirs, a streamed one's differ).
      const byTs = new Map<number, AdjLine>();
      for (const l of g.lines) {
        const x = byTs.get(l.ts);
        if (!x || l.t.output > x.t.output) byTs.set(l.ts, l);
      }
      a.idlessResponses++;
      a.idlessExtraLines += byTs.size - 1;
      for (const l of byTs.values()) {
        addTo(a.ccToTokstat, `claude-code|${localDay(l.ts)}`, l.t, -1);
        rec(l, -1);
      }
      addTo(a.ccToTokstat, tk, kept.t);
      rec({ ...kept, ts: first.ts }, 1);
    } else if (g.kind === 'empty') {
      a.emptyRequestIdResponses++;
      addTo(a.ccToTokstat, tk, kept.t);
      rec({ ...kept, ts: first.ts }, 1);
    } else if (localDay(first.ts) !== localDay(kept.ts)) {
      a.acrossMidnight++;
      addTo(a.ccToTokstat, `claude-code|${localDay(kept.ts)}`, kept.t, -1);
      addTo(a.ccToTokstat, tk, kept.t);
    }
  }
  return a;
}

/**
 * Codex: a branch copy (no `forked_from_id`) of a fork's history whose copied part had rewritten timestamps. Both tools
 * set the fork's copied events aside; tokstat also remembers them, so the branch's copies of them are the same events
 * again, while ccusage (which dedupes only events it counted, by timestamp, model and tokens) counts them. Independent
 * pass, files in creation (name) order.
 */
function findCodexAdjustments(codexHome: string, a: Adjustments): void {
  interface Ev { key: string; ts: number; model: string; total: string; d: { input: number; cached: number; output: number } }
  const files = walk(codexHome).sort((x, y) => (path.basename(x) < path.basename(y) ? -1 : 1));
  const series = new Map<string, Set<string>>();
  const setAside = new Set<string>();
  const counted = new Set<string>();
  for (const f of files) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    let id = '';
    let forkOf: string | undefined;
    let model = 'gpt-5';
    let prev: Record<string, number> | undefined;
    const evs: Ev[] = [];
    const sub = lines.slice(0, 5).join('\n').includes('thread_spawn');
    let firstTs: number | undefined;
    for (const line of lines) {
      let j: { timestamp?: string; type?: string; payload?: { id?: string; forked_from_id?: string; model?: string; type?: string; info?: { total_token_usage?: Record<string, number>; last_token_usage?: Record<string, number> } | null } };
      try {
        j = JSON.parse(line);
      } catch {
        continue;
      }
      const ts = Date.parse(j.timestamp ?? '');
      if (firstTs === undefined && Number.isFinite(ts)) firstTs = ts;
      if (j.type === 'session_meta') {
        id = j.payload?.id ?? id;
        forkOf = j.payload?.forked_from_id;
      } else if (j.type === 'turn_context' && j.payload?.model) model = j.payload.model;
      else if (j.type === 'event_msg' && j.payload?.type === 'token_count' && j.payload.info?.total_token_usage) {
        const t = j.payload.info.total_token_usage;
        const total = `${t.input_tokens},${t.cached_input_tokens},${t.output_tokens},${t.reasoning_output_tokens}`;
        const last = j.payload.info.last_token_usage;
        const same = prev && `${prev.input_tokens},${prev.cached_input_tokens},${prev.output_tokens},${prev.reasoning_output_tokens}` === total;
        const replay = sub && firstTs !== undefined && ts - firstTs <= 1000;
        const d = last ?? (prev ? { input_tokens: t.input_tokens! - prev.input_tokens!, cached_input_tokens: t.cached_input_tokens! - prev.cached_input_tokens!, output_tokens: t.output_tokens! - prev.output_tokens! } : t);
        prev = t;
        if (same || replay) continue;
        evs.push({ key: `${j.timestamp}|${total}`, ts, model, total, d: { input: d.input_tokens ?? 0, cached: d.cached_input_tokens ?? 0, output: d.output_tokens ?? 0 } });
      }
    }
    const own = series.get(id) ?? new Set<string>();
    series.set(id, own);
    for (const e of evs) {
      const copied = forkOf !== undefined && (series.get(forkOf)?.has(e.total) ?? false);
      own.add(e.total);
      if (copied) {
        if (!counted.has(e.key)) setAside.add(e.key);
        continue;
      }
      if (counted.has(e.key)) continue;
      counted.add(e.key);
      if (setAside.has(e.key)) {
        // ccusage counts it; tokstat knows it as the fork's copy.
        const cached = Math.min(e.d.cached, e.d.input);
        const t = { input: e.d.input - cached, output: e.d.output, cacheRead: cached, cacheWrite: 0 };
        const key = `codex|${localDay(e.ts)}`;
        addTo(a.ccToTokstat, key, t, -1);
        a.records.push({ key, sign: -1, model: e.model, t: { inputTokens: t.input, outputTokens: t.output, cacheReadTokens: t.cacheRead, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 } });
        a.codexBranchOfRewrittenFork++;
      }
    }
  }
}

// ───────────────────────────── appending ~1 MB ─────────────────────────────

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    s ^= s >>> 13;
    return (s >>> 0) / 4294967296;
  };
}

/** Appends realistic turns (bulky tool results, a few billed requests) to 8 Claude sessions and 4 Codex rollouts. */
export function appendRealistic(claudeDir: string, codexHome: string, targetBytes: number, seed: number): { bytes: number; files: number; delta: ByAgentDay } {
  const rand = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const words = 'alpha beta gamma delta import export const function return await async class interface type'.split(' ');
  const text = (n: number) => {
    let s = '';
    while (s.length < n) s += words[Math.floor(rand() * words.length)] + ' ';
    return s;
  };
  const delta: ByAgentDay = {};
  let bytes = 0;
  let files = 0;
  const claudeFiles = walk(path.join(claudeDir, 'projects')).filter((f) => !f.includes(`${path.sep}subagents${path.sep}`)).slice(0, 8);
  const codexFiles = walk(path.join(codexHome, 'sessions')).filter((f) => {
    const head = fs.readFileSync(f, 'utf8').slice(0, 20_000);
    return !head.split('\n')[0]!.includes('"subagent"') && head.includes('"turn_context"');
  }).slice(0, 4);
  let ts = Date.UTC(2026, 2, 1, 9, 0, 0);
  let seq = 0;
  const claudeShare = (targetBytes * 0.7) / claudeFiles.length;
  for (const f of claudeFiles) {
    const sessionId = path.basename(f, '.jsonl');
    const base = { sessionId, cwd: '/home/dev/alpha', version: '2.1.260', userType: 'external', gitBranch: 'main' };
    const lines: string[] = [];
    let size = 0;
    while (size < claudeShare) {
      ts += int(1000, 60_000);
      const id = `${seed}x${++seq}`;
      const u = { input_tokens: int(1, 50), output_tokens: int(10, 4000), cache_read_input_tokens: int(0, 150_000) };
      const w5 = int(0, 20_000);
      const w1 = int(0, 30_000);
      const usage = { ...u, cache_creation_input_tokens: w5 + w1, cache_creation: { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 }, service_tier: 'standard' };
      const tid = `toolu_01bench${id}`;
      const ls = [
        JSON.stringify({ ...base, type: 'user', uuid: `u-a${id}`, timestamp: new Date(ts).toISOString(), message: { role: 'user', content: text(int(50, 400)) } }),
        JSON.stringify({
          ...base, type: 'assistant', uuid: `u-b${id}`, requestId: `req_011Cbench${id}`, timestamp: new Date(ts + 500).toISOString(),
          message: { id: `msg_01bench${id}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'tool_use', id: tid, name: 'Read', input: { file_path: '/home/dev/alpha/x.ts' } }], stop_reason: 'tool_use', usage },
        }),
        JSON.stringify({ ...base, type: 'user', uuid: `u-c${id}`, timestamp: new Date(ts + 900).toISOString(), message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: tid, content: text(int(2_000, 25_000)) }] } }),
      ];
      addTo(delta, `claude-code|${localDay(ts + 500)}`, { input: u.input_tokens, output: u.output_tokens, cacheRead: u.cache_read_input_tokens, cacheWrite: w5 + w1 });
      for (const l of ls) size += Buffer.byteLength(l) + 1;
      lines.push(...ls);
    }
    // A file may end in a half-written line: the leading newline makes the appended lines stand alone.
    const chunk = '\n' + lines.join('\n') + '\n';
    fs.appendFileSync(f, chunk);
    bytes += Buffer.byteLength(chunk);
    files++;
  }
  const codexShare = (targetBytes * 0.3) / Math.max(1, codexFiles.length);
  for (const f of codexFiles) {
    const all = fs.readFileSync(f, 'utf8').split('\n');
    let total = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
    for (let i = all.length - 1; i >= 0; i--) {
      if (!all[i]!.includes('"total_token_usage"')) continue;
      try {
        total = { ...(JSON.parse(all[i]!) as { payload: { info: { total_token_usage: typeof total } } }).payload.info.total_token_usage };
        break;
      } catch {
        /* truncated line: keep looking */
      }
    }
    const lines: string[] = [];
    let size = 0;
    while (size < codexShare) {
      ts += int(5_000, 60_000);
      const callId = `call_bench${++seq}`;
      const input = int(1000, 80_000);
      const last = { input_tokens: input, cached_input_tokens: int(0, input), output_tokens: int(10, 5000), reasoning_output_tokens: 0, total_tokens: 0 };
      last.reasoning_output_tokens = int(0, last.output_tokens);
      last.total_tokens = last.input_tokens + last.output_tokens;
      for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += last[k];
      const ls = [
        JSON.stringify({ timestamp: new Date(ts).toISOString(), type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: text(int(50, 1500)) }] } }),
        JSON.stringify({ timestamp: new Date(ts + 10).toISOString(), type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: '{"command":["bash","-lc","ls"]}', call_id: callId } }),
        JSON.stringify({ timestamp: new Date(ts + 900).toISOString(), type: 'response_item', payload: { type: 'function_call_output', call_id: callId, output: text(int(1000, 12_000)) } }),
        JSON.stringify({ timestamp: new Date(ts + 1000).toISOString(), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { ...total }, last_token_usage: last, model_context_window: 272000 } } }),
      ];
      addTo(delta, `codex|${localDay(ts + 1000)}`, { input: last.input_tokens - last.cached_input_tokens, output: last.output_tokens, cacheRead: last.cached_input_tokens });
      for (const l of ls) size += Buffer.byteLength(l) + 1;
      lines.push(...ls);
    }
    const chunk = '\n' + lines.join('\n') + '\n';
    fs.appendFileSync(f, chunk);
    bytes += Buffer.byteLength(chunk);
    files++;
  }
  return { bytes, files, delta };
}

// ───────────────────────────── tokstat child ─────────────────────────────

interface ChildConfig {
  sources: { includeDefaults: false; claudeConfigDirs: string[]; codexHomes: string[] };
  mode: 'worker' | 'inline';
  store: string;
  /** tokstat.pricing.overrides-shaped table layered over the bundled prices. */
  overrides?: Record<string, ProbedRates>;
  warm: boolean;
}

interface ChildScan {
  /** Process start → totals ready (Node start-up, module loading, scan, index save, query). */
  processMs: number;
  /** scan() alone (job + apply + save); warm: the watcher-triggered scan(s), from their start to the index saved. */
  scanMs: number;
  /** Warm: 'changed' when only the reported files were rescanned, 'full' when the scan walked everything. */
  scope?: string;
  /** Warm: scans the watchers triggered for the append (1 unless the append outlasted the debounce). */
  scans?: number;
  /** Warm: a full scan() with nothing changed (what the periodic rescan costs), before the append. */
  fullRescanMs?: number;
  /** The scan job alone (reading and parsing, in the worker). */
  jobMs: number;
  mode: string;
  bytesRead: number;
  filesRead: number;
  filesSeen: number;
  records: number;
  maxRssKB: number;
  byAgentDay: ByAgentDay;
  /** Separate cache-write kinds, for the comparison with the corpus truth. */
  cacheWrite5m: number;
  cacheWrite1h: number;
  unpriced: number;
  models: string[];
  indexBytes: number;
}

async function childMain(): Promise<void> {
  const cfg = JSON.parse(process.env.TOKSTAT_CCUSAGE_CHILD!) as ChildConfig;
  const send = (m: unknown) => new Promise<void>((res) => process.send!(m, () => res()));
  // Loaded here so the parent never pays for them and the timings include them.
  const { UsageScanner } = require(path.join(usageOut, 'scanner.js')) as typeof import('../src/core/usage/scanner');
  const layers: PriceLayer[] = [{ source: 'bundled', data: bundledPrices }];
  if (cfg.overrides) layers.push({ source: 'override', data: parseOverrides(cfg.overrides).data });
  const book = new PriceBook(layers);
  // TOKSTAT_BENCH_DEBUG=1: the scanner's log on stderr.
  const say = (m: string) => process.stderr.write(`tokstat child: ${m}\n`);
  const log = process.env.TOKSTAT_BENCH_DEBUG ? { trace: say, debug: say, info: say, warn: say, error: say } : undefined;
  const s = new UsageScanner({
    sources: cfg.sources, mode: cfg.mode, watch: false, rescanMs: 0, storageFolder: cfg.store, price: book.priceFn,
    workerPath: path.join(usageOut, 'usageWorker.js'), ...(log ? { log } : {}),
  });
  type Result = Awaited<ReturnType<typeof s.scan>>;
  const collect = (scanMs: number, r: Result): ChildScan => {
    const byAgentDay: ByAgentDay = {};
    let cw5 = 0;
    let cw1 = 0;
    let unpriced = 0;
    for (const row of s.index.rows()) {
      addTo(byAgentDay, `${row.agent}|${row.day}`, {
        input: row.inputTokens, output: row.outputTokens, cacheRead: row.cacheReadTokens, cacheWrite: row.cacheWrite5mTokens + row.cacheWrite1hTokens, cost: row.costUSD,
      });
      cw5 += row.cacheWrite5mTokens;
      cw1 += row.cacheWrite1hTokens;
      unpriced += row.unpricedRequests;
    }
    let indexBytes = 0;
    try {
      indexBytes = fs.statSync(path.join(cfg.store, 'usage-index.json')).size;
    } catch {
      /* not saved */
    }
    return {
      processMs: performance.now(), scanMs, jobMs: r.durationMs, mode: r.mode, bytesRead: r.bytesRead, filesRead: r.filesRead, filesSeen: r.filesSeen, records: r.records,
      maxRssKB: process.resourceUsage().maxRSS, byAgentDay, cacheWrite5m: cw5, cacheWrite1h: cw1, unpriced,
      models: s.query({ groupBy: 'model' }).map((g) => `${g.agents.join(',')}:${g.key}`), indexBytes,
    };
  };
  const t0 = performance.now();
  const coldResult = await s.scan();
  const cold = collect(performance.now() - t0, coldResult);
  await send({ type: 'cold', scan: cold });
  if (cfg.warm) {
    // As in the extension: the folders are watched, and a full scan that started after the watchers did makes
    // watcher-triggered scans trustworthy. That full scan, with nothing changed, is what the periodic rescan costs.
    s.startWatching();
    const t1 = performance.now();
    await s.scan();
    const fullRescanMs = performance.now() - t1;
    const triggered: Result[] = [];
    const sub = s.onDidChange((r) => triggered.push(r));
    // Only now the parent appends, then says go; the watchers report the files and the debounced scan reads them.
    const go = new Promise<void>((res) => process.once('message', () => res()));
    await send({ type: 'ready' });
    await go;
    const deadline = performance.now() + 15_000;
    while (!triggered.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await s.whenIdle();
    sub.dispose();
    let warm: ChildScan;
    if (triggered.length) {
      const last = triggered[triggered.length - 1]!;
      const sum = (f: (r: Result) => number) => triggered.reduce((a, r) => a + f(r), 0);
      warm = collect(sum((r) => r.wallMs), { ...last, durationMs: sum((r) => r.durationMs), bytesRead: sum((r) => r.bytesRead), filesRead: sum((r) => r.filesRead) });
      warm.scope = triggered.some((r) => r.scope === 'full') ? 'full' : 'changed';
    } else {
      // No watcher event (a platform without recursive fs.watch): an explicit scan, as the periodic rescan would do.
      const t2 = performance.now();
      const r = await s.scan();
      warm = collect(performance.now() - t2, r);
      warm.scope = 'full (no watcher event)';
    }
    warm.scans = triggered.length;
    warm.fullRescanMs = fullRescanMs;
    await send({ type: 'warm', scan: warm });
  }
  await s.close();
  await send({ type: 'done', maxRssKB: process.resourceUsage().maxRSS });
  process.exit(0);
}

interface TokstatRun {
  cold: ChildScan;
  warm?: ChildScan;
  /** Spawn → cold totals ready, measured by the parent. */
  wallMs: number;
  maxRssKB: number;
}

async function runTokstat(cfg: ChildConfig, beforeWarm?: () => void): Promise<TokstatRun> {
  const t0 = performance.now();
  const child = fork(__filename, [], { env: { ...process.env, TOKSTAT_CCUSAGE_CHILD: JSON.stringify(cfg) }, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const out: Partial<TokstatRun> = {};
    child.on('message', (m: { type: string; scan?: ChildScan; maxRssKB?: number }) => {
      if (m.type === 'cold') {
        out.wallMs = performance.now() - t0;
        out.cold = m.scan!;
      } else if (m.type === 'ready') {
        // The child watches and has settled: append now, so that no other scan sees the new bytes first.
        beforeWarm?.();
        child.send('go');
      } else if (m.type === 'warm') out.warm = m.scan!;
      else if (m.type === 'done') out.maxRssKB = m.maxRssKB!;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && out.cold ? resolve(out as TokstatRun) : reject(new Error(`tokstat child exited ${code}`))));
  });
}

// ───────────────────────────── comparison ─────────────────────────────

function diffTokens(a: ByAgentDay, b: ByAgentDay): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[key] ?? zeroTot();
    const y = b[key] ?? zeroTot();
    for (const k of KINDS) if (Math.round(x[k]) !== Math.round(y[k])) out.push(`${key} ${k}: ${x[k]} vs ${y[k]}`);
  }
  return out;
}

function truthByAgentDay(truth: CorpusTruth): ByAgentDay {
  const m: ByAgentDay = {};
  for (const [key, t] of Object.entries(truth.byAgentDay)) {
    addTo(m, key, { input: t.inputTokens, output: t.outputTokens, cacheRead: t.cacheReadTokens, cacheWrite: t.cacheWrite5mTokens + t.cacheWrite1hTokens });
  }
  return m;
}

const merged = (...ms: Array<[ByAgentDay, 1 | -1]>): ByAgentDay => {
  const out: ByAgentDay = {};
  for (const [m, sign] of ms) for (const [k, t] of Object.entries(m)) addTo(out, k, t, sign);
  return out;
};

export interface CcusageBenchResult {
  machine: { cpus: number; cpuModel: string; loadAvg: number[]; node: string; platform: string };
  corpus: { mb: number; files: number; seed: number; generateMs: number };
  ccusage: { kind: 'native' | 'js'; version: string; command: string };
  cold: { tokstatMs: number; tokstatScanMs: number; tokstatJobMs: number; ccusageMs: number; ratio: number; tokstatRuns: number[]; ccusageRuns: number[]; tokstatMBps: number; tokstatInlineMs?: number };
  warm: {
    appendedBytes: number; files: number; tokstatMs: number; tokstatJobMs: number; bytesRead: number; ccusageRerunMs: number; indexKB: number;
    scope: string; scans: number; tokstatFullRescanMs: number;
  };
  memory: { tokstatPeakMB: number; ccusagePeakMB?: number };
  tokens: {
    tokstatVsTruthMismatches: string[];
    tokstatVsCcusageMismatches: string[];
    ccusageRawDiff: Record<string, Tot>;
    adjustments: { idlessResponses: number; idlessExtraLines: number; emptyRequestIdResponses: number; acrossMidnight: number; codexBranchOfRewrittenFork: number };
    warmTokstatVsTruthMismatches: string[];
    warmTokstatVsCcusageMismatches: string[];
    totals: Record<string, { tokstat: Tot; ccusage: Tot; truth: Tot }>;
  };
  cost: {
    rates: Record<string, ProbedRates>;
    tokstatCcusageRatesUSD: number;
    ccusageUSD: number;
    adjustmentUSD: number;
    diffPct: number;
    tokstatBundledUSD: number;
    unpricedRequests: number;
  };
  goalsMissed: number;
  figures: number;
}

// ───────────────────────────── the benchmark ─────────────────────────────

export async function benchCcusage(report: Report, opts: CcusageBenchOptions = {}): Promise<CcusageBenchResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const targetMB = opts.targetMB ?? 500;
  const seed = opts.seed ?? 7;
  const runs = Math.max(1, opts.runs ?? (targetMB > 1000 ? 1 : 2));
  let figures = 0;
  let missed = 0;
  const rep: Report = (name, value, unit, goal) => {
    figures++;
    if (goal !== undefined && !(value <= goal)) missed++;
    report(name, value, unit, goal);
  };

  const cc = ensureCcusage(opts.jsCcusage);
  log(`bench usage: ccusage ${cc.version} (${cc.kind === 'native' ? 'native binary from npm' : 'JavaScript on Node — NO native binary for this platform'})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-ccusage-bench-'));
  try {
    const g0 = performance.now();
    // No empty requestIds: ccusage 20.0.24 counts only some of those responses, by no rule found (docs/bench-usage.md);
    // tokstat's rule for them (count once per message id) is tested on the dense corpus of the unit tests.
    const { claudeConfigDir, codexHome, truth } = generateCorpus(path.join(dir, 'corpus'), { seed, targetBytes: targetMB * 1_000_000, emptyRequestIds: false });
    const generateMs = performance.now() - g0;
    const mb = truth.bytes / 1e6;
    log(`bench usage: corpus ${mb.toFixed(0)} MB, ${truth.files} files, generated in ${(generateMs / 1000).toFixed(1)} s${opts.keep ? ` at ${dir}` : ''}`);
    const sources = { includeDefaults: false as const, claudeConfigDirs: [claudeConfigDir], codexHomes: [codexHome] };
    const ccHome = path.join(dir, 'ccusage-home');
    fs.mkdirSync(ccHome);
    const adj = findAdjustments(claudeConfigDir, codexHome);

    // Cold runs, alternating so that neither tool always runs on a warmer machine. Both read from the page cache
    // (the corpus was just written); "cold" means no index, cache or state on either side.
    const tkRuns: TokstatRun[] = [];
    const ccRuns: CcRun[] = [];
    for (let i = 0; i < runs; i++) {
      ccRuns.push(runCcusage(cc, ccHome, claudeConfigDir, codexHome));
      if (i < runs - 1) tkRuns.push(await runTokstat({ sources, mode: 'worker', store: path.join(dir, `store-cold${i}`), warm: false }));
    }
    // The last tokstat run continues with the warm rescan after the append.
    let appended: ReturnType<typeof appendRealistic> | undefined;
    const last = await runTokstat({ sources, mode: 'worker', store: path.join(dir, 'store'), warm: true }, () => {
      appended = appendRealistic(claudeConfigDir, codexHome, 1_000_000, seed + 1);
    });
    tkRuns.push(last);
    const ccRerun = runCcusage(cc, ccHome, claudeConfigDir, codexHome);
    const tkBest = tkRuns.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const ccBest = ccRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
    const ccRun = ccRuns[0]!;

    // ── cost with ccusage's prices: probe them, then one more tokstat scan (inline, memory only) priced with them.
    const claudeModels = [...new Set(ccRun.models.filter((m) => m.startsWith('claude')).map((m) => m.replace(/-fast$/, '')))];
    const codexModels = [...new Set(tkBest.cold.models.filter((m) => m.startsWith('codex:')).map((m) => m.slice(6)))];
    const rates = probeRates(cc, dir, claudeModels, codexModels);
    const priced = await runTokstat({ sources, mode: 'inline', store: path.join(dir, 'store-priced'), overrides: rates, warm: false });
    const book = new PriceBook([{ source: 'override', data: parseOverrides(rates).data }]);

    // ── report
    const tkMs = tkBest.wallMs;
    const ccMs = ccBest.ms;
    if (tkRuns.some((r) => r.cold.mode !== 'worker')) log('bench usage: WARNING tokstat did not scan in its worker thread');
    log(`bench usage: tokstat cold runs ${tkRuns.map((r) => r.wallMs.toFixed(0)).join(', ')} ms; ccusage ${ccRuns.map((r) => r.ms.toFixed(0)).join(', ')} ms (best of ${runs} reported)`);
    rep('usage cold scan tokstat (spawn → totals, worker)', tkMs, 'ms');
    rep('usage cold scan tokstat scan() only', tkBest.cold.scanMs, 'ms');
    rep('usage cold scan tokstat throughput', mb / (tkBest.cold.scanMs / 1000), 'MB/s');
    rep('usage cold scan ccusage (spawn → exit)', ccMs, 'ms');
    rep('usage cold scan ratio tokstat/ccusage', tkMs / ccMs, '×', 0.5);
    rep('usage cold scan tokstat inline mode (priced run)', priced.wallMs, 'ms');
    const warm = last.warm!;
    log(`bench usage: warm rescan triggered by the file watchers: ${warm.scans} scan(s), scope ${warm.scope}`);
    rep('usage warm rescan tokstat after 1 MB append (watcher-triggered)', warm.scanMs, 'ms', 50);
    rep('usage warm rescan tokstat scan job only', warm.jobMs, 'ms');
    rep('usage full rescan tokstat, nothing changed (periodic rescan)', warm.fullRescanMs ?? 0, 'ms');
    rep('usage rerun ccusage after 1 MB append (full)', ccRerun.ms, 'ms');
    const tkPeak = Math.max(...tkRuns.map((r) => r.maxRssKB)) / 1024;
    rep('usage peak RSS tokstat (process + worker)', tkPeak, 'MB', 200);
    const ccPeak = ccRuns.map((r) => r.peakRssMB).filter((x): x is number => x !== undefined);
    if (ccPeak.length) rep('usage peak RSS ccusage', Math.max(...ccPeak), 'MB');

    // Tokens: tokstat vs truth; tokstat vs ccusage like for like (truth-side semantics on both, see Adjustments).
    const truthMap = truthByAgentDay(truth);
    const tkMap = tkBest.cold.byAgentDay;
    const vsTruth = diffTokens(tkMap, truthMap);
    const t = truth.byAgent['claude-code'];
    if (tkBest.cold.cacheWrite5m !== t.cacheWrite5mTokens + truth.byAgent.codex.cacheWrite5mTokens || tkBest.cold.cacheWrite1h !== t.cacheWrite1hTokens) {
      vsTruth.push(`cache write 5m/1h split: ${tkBest.cold.cacheWrite5m}/${tkBest.cold.cacheWrite1h} vs ${t.cacheWrite5mTokens}/${t.cacheWrite1hTokens}`);
    }
    const ccLike = merged([ccRun.byAgentDay, 1], [adj.ccToTokstat, 1]);
    const vsCc = diffTokens(tkMap, ccLike);
    const rawDiff: Record<string, Tot> = {};
    for (const ag of ['claude-code', 'codex']) {
      const a = sumAgent(ccRun.byAgentDay, ag);
      const b = sumAgent(tkMap, ag);
      rawDiff[ag] = { input: a.input - b.input, output: a.output - b.output, cacheRead: a.cacheRead - b.cacheRead, cacheWrite: a.cacheWrite - b.cacheWrite, cost: 0 };
    }
    const truth2 = merged([truthMap, 1], [appended?.delta ?? {}, 1]);
    const warmVsTruth = diffTokens(warm.byAgentDay, truth2);
    const warmVsCc = diffTokens(warm.byAgentDay, merged([ccRerun.byAgentDay, 1], [adj.ccToTokstat, 1]));
    log(`bench usage: ccusage − tokstat raw token difference: ${JSON.stringify(rawDiff)}`);
    log(
      `bench usage: semantic differences (ccusage ${cc.version} vs tokstat, provider-apis.md §8.1), added to ccusage's figures before comparing: ` +
        `${adj.idlessResponses} Claude responses without a requestId field (ccusage counts each of their lines, ${adj.idlessExtraLines} more lines; tokstat counts the most complete line once per message id and session), ` +
        `${adj.emptyRequestIdResponses} with an empty requestId (ccusage drops them; tokstat counts them once, they were billed), ` +
        `${adj.acrossMidnight} streamed responses whose first and most complete lines fall on different days (ccusage counts them on the most complete line's day, tokstat on the first line's); ` +
        `Codex: ${adj.codexBranchOfRewrittenFork} events of branch copies (no forked_from_id) of a fork's copied history with rewritten timestamps (ccusage counts them: it dedupes only against events it counted, and it set the fork's copies aside; tokstat knows them as that copy). ` +
        `Otherwise both count forks' copied history and branch copies once and take the subagent replay as the baseline`,
    );
    for (const [label, list] of [['tokstat vs truth', vsTruth], ['tokstat vs ccusage (like for like)', vsCc], ['after append: tokstat vs truth', warmVsTruth], ['after append: tokstat vs ccusage', warmVsCc]] as const) {
      if (list.length) log(`bench usage: ${label} mismatches (first 5): ${list.slice(0, 5).join('; ')}`);
    }
    rep('usage token mismatches tokstat vs corpus truth (agent×day×kind)', vsTruth.length + warmVsTruth.length, 'count', 0);
    // The like-for-like adjustments describe ccusage 20.x; the JavaScript 18.x differs more (it counts sidechain
    // replays and reports Codex input including cached tokens), so with the fallback these are figures, not goals.
    const native = cc.kind === 'native';
    if (!native) log('bench usage: JavaScript ccusage: token and cost comparisons are informational (its semantics differ from 20.x, see docs/bench-usage.md)');
    rep('usage token mismatches tokstat vs ccusage, like for like (agent×day×kind)', vsCc.length + warmVsCc.length, 'count', native ? 0 : undefined);

    // Cost: tokstat priced with ccusage's probed rates vs ccusage's own total, with the adjustment records priced alike.
    // What tokstat counts and ccusage does not (sign +1), or the reverse: tokstat − adjUSD has ccusage's semantics.
    let adjUSD = 0;
    for (const r of adj.records) adjUSD += r.sign * (book.price({ model: r.model, ...(r.speed ? { speed: r.speed } : {}), ...r.t }).costUSD ?? 0);
    const tkUSD = Object.values(priced.cold.byAgentDay).reduce((s, x) => s + x.cost, 0);
    // The priced scan runs after the append, so it is compared with ccusage's rerun on the same files.
    const ccUSD = Object.values(ccRerun.byAgentDay).reduce((s, x) => s + x.cost, 0);
    const bundledUSD = Object.values(warm.byAgentDay).reduce((s, x) => s + x.cost, 0);
    const diffPct = (Math.abs(tkUSD - adjUSD - ccUSD) / ccUSD) * 100;
    log(`bench usage: cost with ccusage's prices (corpus after the append): tokstat $${tkUSD.toFixed(2)} (${adjUSD > 0 ? '−' : '+'} $${Math.abs(adjUSD).toFixed(2)} for the semantic differences) vs ccusage $${ccUSD.toFixed(2)}; tokstat with its bundled table $${bundledUSD.toFixed(2)}`);
    rep('usage cost difference vs ccusage, same prices', diffPct, '%', native ? 0.5 : undefined);
    if (priced.cold.unpriced) log(`bench usage: ${priced.cold.unpriced} requests unpriced in the ccusage-rates run`);

    const totals: Record<string, { tokstat: Tot; ccusage: Tot; truth: Tot }> = {};
    for (const ag of ['claude-code', 'codex']) totals[ag] = { tokstat: sumAgent(tkMap, ag), ccusage: sumAgent(ccRun.byAgentDay, ag), truth: sumAgent(truthMap, ag) };
    const cpus = os.cpus();
    const result: CcusageBenchResult = {
      machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? '', loadAvg: os.loadavg(), node: process.version, platform: `${process.platform}-${process.arch}` },
      corpus: { mb, files: truth.files, seed, generateMs },
      ccusage: { kind: cc.kind, version: cc.version, command: cc.kind === 'native' ? 'ccusage daily --json --offline --by-agent' : 'ccusage daily --json --offline + ccusage-codex daily --json --offline' },
      cold: {
        tokstatMs: tkMs, tokstatScanMs: tkBest.cold.scanMs, tokstatJobMs: tkBest.cold.jobMs, ccusageMs: ccMs, ratio: tkMs / ccMs,
        tokstatRuns: tkRuns.map((r) => r.wallMs), ccusageRuns: ccRuns.map((r) => r.ms), tokstatMBps: mb / (tkBest.cold.scanMs / 1000), tokstatInlineMs: priced.wallMs,
      },
      warm: {
        appendedBytes: appended?.bytes ?? 0, files: appended?.files ?? 0, tokstatMs: warm.scanMs, tokstatJobMs: warm.jobMs, bytesRead: warm.bytesRead,
        ccusageRerunMs: ccRerun.ms, indexKB: warm.indexBytes / 1024, scope: warm.scope ?? '', scans: warm.scans ?? 0, tokstatFullRescanMs: warm.fullRescanMs ?? 0,
      },
      memory: { tokstatPeakMB: tkPeak, ...(ccPeak.length ? { ccusagePeakMB: Math.max(...ccPeak) } : {}) },
      tokens: {
        tokstatVsTruthMismatches: vsTruth, tokstatVsCcusageMismatches: vsCc, ccusageRawDiff: rawDiff,
        adjustments: { idlessResponses: adj.idlessResponses, idlessExtraLines: adj.idlessExtraLines, emptyRequestIdResponses: adj.emptyRequestIdResponses, acrossMidnight: adj.acrossMidnight, codexBranchOfRewrittenFork: adj.codexBranchOfRewrittenFork },
        warmTokstatVsTruthMismatches: warmVsTruth, warmTokstatVsCcusageMismatches: warmVsCc, totals,
      },
      cost: { rates, tokstatCcusageRatesUSD: tkUSD, ccusageUSD: ccUSD, adjustmentUSD: adjUSD, diffPct, tokstatBundledUSD: bundledUSD, unpricedRequests: priced.cold.unpriced },
      goalsMissed: missed,
      figures,
    };
    log(`bench usage: warm rescan read ${warm.bytesRead} bytes of ${appended?.bytes ?? 0} appended to ${appended?.files ?? 0} files; index ${(warm.indexBytes / 1024).toFixed(0)} KB; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    if (opts.jsonOut !== false) {
      const file = opts.jsonOut ?? path.join(repoRoot, 'bench-results', 'usage.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
      log(`bench usage: report written to ${path.relative(process.cwd(), file) || file}`);
    }
    return result;
  } finally {
    if (opts.keep) log(`bench usage: corpus kept at ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ───────────────────────────── entry points ─────────────────────────────

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const results: Array<{ value: number; goal?: number }> = [];
  const report: Report = (name, value, unit, goal) => {
    const pass = goal === undefined || value <= goal;
    results.push({ value, ...(goal !== undefined ? { goal } : {}) });
    const g = goal !== undefined ? ` (goal ≤ ${goal} ${unit}, ratio ${goal ? (value / goal).toFixed(2) : value === 0 ? '0' : '∞'}${pass ? '' : ' — MISSED'})` : '';
    console.log(`bench ${name}: ${value.toFixed(unit === 'count' ? 0 : 2)} ${unit}${g}`);
  };
  const mb = Number(arg('--mb') ?? arg('--target-mb') ?? 500);
  const runs = arg('--runs');
  const r = await benchCcusage(report, { targetMB: mb, keep: process.argv.includes('--keep'), jsCcusage: process.argv.includes('--js-ccusage'), ...(runs ? { runs: Number(runs) } : {}) });
  console.log(`bench-usage: ${r.figures} figures, ${r.goalsMissed} goals missed`);
}

if (process.env.TOKSTAT_CCUSAGE_CHILD) {
  childMain().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
