// `tokstat guard` on 20 stored accounts (goal ≤ 100 ms, issue #22 §2): the production CLI bundle (dist/cli.js) spawned
// as a git hook or CI step would, wall time from spawn to exit (Node's own start-up included), median of the runs;
// once with the meters only, once with --max-cost-today over a usage index holding a year of rows.
// `tokstat statusline` likewise (goal ≤ 100 ms, §3). Also the in-process time of the guard itself (src/cli/guard.ts, compiled), without Node's start-up.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { UsageIndex } from '../src/core/usage/usageIndex';
import type { UsageRecord } from '../src/core/usage/types';
import { guard } from '../src/cli/guard';
import type { Snapshot } from '../src/shared/model';

export type Report = (name: string, value: number, unit: string, goal?: number) => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function fixture(now: number, days: number): Promise<{ dir: string; rows: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-bench-guard-'));
  fs.mkdirSync(path.join(dir, 'snapshots'));
  const accounts = Array.from({ length: 20 }, (_, i) => ({ id: `acct${String(i).padStart(4, '0')}`, name: `account ${i}`, providerId: i % 2 ? 'openrouter' : 'copilot' }));
  for (const [i, a] of accounts.entries()) {
    const t = now - 10 * 60_000;
    const snapshot: Snapshot = {
      accountId: a.id, takenAt: t, lastSuccessAt: t, status: 'ok',
      meters: i % 2
        ? [{ id: 'credits', label: 'Credits', kind: 'credits', unit: 'USD', used: 5 + i, limit: 50, remaining: 45 - i, percentUsed: (5 + i) * 2, source: 'official', capturedAt: t }]
        : [
            { id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', used: 100 + i, limit: 300, remaining: 200 - i, percentUsed: ((100 + i) / 300) * 100, source: 'official', capturedAt: t },
            { id: 'chat', label: 'Chat', kind: 'quota', unit: 'messages', unlimited: true, source: 'official', capturedAt: t },
          ],
    };
    fs.writeFileSync(path.join(dir, 'snapshots', `${a.id}.json`), JSON.stringify({ version: 1, snapshot, schedule: { failures: 0 } }));
  }
  fs.writeFileSync(path.join(dir, 'accounts.json'), JSON.stringify({ version: 1, accounts }));
  // A year of usage: 3 agents × 3 models × 4 sessions a day.
  const index = new UsageIndex({ folder: path.join(dir, 'usage'), price: (r) => ({ costUSD: r.inputTokens / 1e6, unpriced: false }) });
  const items: Array<{ record: UsageRecord; key: string }> = [];
  for (let d = 0; d < days; d++) {
    for (const agent of ['claude-code', 'codex', 'gemini-cli'] as const) {
      for (const model of ['m-a', 'm-b', 'm-c']) {
        for (let s = 0; s < 4; s++) {
          const ts = now - d * 86_400_000 - s * 60_000;
          items.push({ key: `${d}:${agent}:${model}:${s}`, record: { agent, timestamp: ts, sessionId: `s${d}-${s}`, model, cwd: `/home/dev/p${s}`, inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0 } });
        }
      }
    }
  }
  index.addRecords(items);
  await index.save(true);
  return { dir, rows: index.rows().length };
}

export async function benchGuard(report: Report, opts: { root: string; runs?: number; days?: number }): Promise<void> {
  const runs = opts.runs ?? 15;
  const now = Date.now();
  const { dir, rows } = await fixture(now, opts.days ?? 365);
  const cli = path.join(opts.root, 'dist', 'cli.js');
  try {
    const time = (args: string[]): number => {
      const walls: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [cli, 'guard', '--storage', dir, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', TOKSTAT_NOW: String(now) } });
        walls.push(performance.now() - t0);
        if (r.status !== 0) throw new Error(`guard ${args.join(' ')}: exit ${r.status}: ${r.stdout}${r.stderr}`);
      }
      return median(walls);
    };
    const node = median(Array.from({ length: runs }, () => {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      return performance.now() - t0;
    }));
    report('guard, 20 accounts: dist/cli.js spawn to exit (median, Node start-up included)', time(['--min-remaining', '10%']), 'ms', 100);
    report(`guard, 20 accounts + --max-cost-today over ${rows} index rows: spawn to exit (median)`, time(['--min-remaining', '10%', '--max-cost-today', '$1000']), 'ms', 100);
    report('guard: Node start-up alone (node -e 0, median), for reference', node, 'ms');
    // `tokstat statusline` as Claude Code runs it: its JSON on stdin, the same storage (snapshots, a year of index).
    const input = JSON.stringify({
      session_id: 's0-0', model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet 4.5' }, cost: { total_cost_usd: 0.42 },
      rate_limits: { five_hour: { used_percentage: 41, resets_at: Math.round(now / 1000) + 7200 }, seven_day: { used_percentage: 63, resets_at: Math.round(now / 1000) + 86_400 } },
    });
    const status: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [cli, 'statusline', '--storage', dir, '--no-refresh'], { input, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, TOKSTAT_NOW: String(now) } });
      status.push(performance.now() - t0);
      if (r.status !== 0 || !/today/.test(r.stdout)) throw new Error(`statusline: exit ${r.status}: ${r.stdout}${r.stderr}`);
    }
    report(`statusline (stdin JSON, 20 accounts, ${rows} index rows): dist/cli.js spawn to exit (median)`, median(status), 'ms', 100);
    const inproc: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const o = await guard({ storage: dir, minRemaining: '10%', maxCostToday: '$1000' }, {}, os.homedir(), now);
      inproc.push(performance.now() - t0);
      if (o.exitCode !== 0) throw new Error(`guard in process: ${o.reason}`);
    }
    report('guard in process (20 accounts + cost), median', median(inproc), 'ms');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
