// Issue #24, one rule per test: Claude responses streamed over several lines (most complete line, first line's day,
// tools from every line, completed across scans), responses without a requestId, Codex forks and branch copies counted
// once, the subagent replay's baseline, and the index format bump that rebuilds older indexes once without losing the
// history the logs no longer cover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageScanner, type UsageScannerOptions } from '../../../src/core/usage/scanner';
import { totalOf, queryUsage } from '../../../src/core/usage/query';
import { USAGE_INDEX_VERSION, localDay } from '../../../src/core/usage/usageIndex';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-i24-'));
}

interface ClaudeOpts {
  msg: string;
  /** undefined: no requestId field; '' an empty one. */
  req?: string;
  ts: number;
  out: number;
  session?: string;
  tool?: string;
  input?: number;
}

function claude(o: ClaudeOpts): string {
  return JSON.stringify({
    type: 'assistant', sessionId: o.session ?? 's1', cwd: '/w/app', version: '2.1.0', isSidechain: false,
    ...(o.req !== undefined ? { requestId: o.req } : {}), timestamp: new Date(o.ts).toISOString(),
    message: {
      id: o.msg, model: 'claude-sonnet-4-5', role: 'assistant',
      content: o.tool ? [{ type: 'tool_use', id: o.tool, name: 'Read', input: {} }] : [{ type: 'text', text: 'x' }],
      usage: { input_tokens: o.input ?? 10, cache_read_input_tokens: 1000, output_tokens: o.out },
    },
  }) + '\n';
}

function claudeSetup(extra: Partial<UsageScannerOptions> = {}) {
  const dir = tmp();
  const cfg = path.join(dir, 'claude');
  const file = path.join(cfg, 'projects', '-w-app', 's1.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const opts: UsageScannerOptions = { sources: { includeDefaults: false, claudeConfigDirs: [cfg] }, mode: 'inline', watch: false, storageFolder: path.join(dir, 'store'), ...extra };
  return { dir, cfg, file, opts };
}

/** Local 23:59:58 of 2026-07-11: a response starting then ends on the next local day. */
const BEFORE_MIDNIGHT = new Date(2026, 6, 11, 23, 59, 58).getTime();

test('claude: a streamed response counts its most complete line once, on its first line\'s day, tools from every line', async () => {
  const { dir, file, opts } = claudeSetup();
  const t = BEFORE_MIDNIGHT;
  fs.writeFileSync(
    file,
    claude({ msg: 'm1', req: 'r1', ts: t, out: 3 }) +
      claude({ msg: 'm1', req: 'r1', ts: t + 2000, out: 150, tool: 'toolu_a' }) +
      claude({ msg: 'm1', req: 'r1', ts: t + 4000, out: 420, tool: 'toolu_b' }) +
      // A later line with a smaller count (out of order, or a copy) changes nothing.
      claude({ msg: 'm1', req: 'r1', ts: t + 5000, out: 150 }),
  );
  const s = new UsageScanner(opts);
  const r = await s.scan();
  const tot = totalOf(s.index.rows());
  assert.equal(tot.requests, 1);
  assert.equal(tot.outputTokens, 420, 'the final count, not the first line\'s 3');
  assert.equal(tot.inputTokens, 10);
  assert.equal(tot.cacheReadTokens, 1000);
  assert.deepEqual(Object.keys(tot.tools).map((k) => [k, tot.tools[k]!.count]), [['Read', 2]]);
  assert.equal(r.replaced, 2);
  // One day: the first line's (the last line is on the next local day).
  assert.notEqual(localDay(t), localDay(t + 4000));
  const days = queryUsage(s.index.rows(), { groupBy: 'day' }).filter((g) => g.requests > 0 || g.outputTokens > 0);
  assert.deepEqual(days.map((g) => [g.key, g.outputTokens, g.requests]), [[localDay(t), 420, 1]]);
  assert.equal(s.index.hours().reduce((a, h) => a + h.outputTokens, 0), 420);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('claude: a response half-written when a scan runs is completed by the next one (also after a restart), once', async () => {
  const { dir, file, opts } = claudeSetup();
  const t = BEFORE_MIDNIGHT;
  fs.writeFileSync(file, claude({ msg: 'm1', req: 'r1', ts: t, out: 2 }) + claude({ msg: 'm0', req: 'r0', ts: t - 60_000, out: 7 }));
  const s1 = new UsageScanner(opts);
  await s1.scan();
  assert.equal(totalOf(s1.index.rows()).outputTokens, 9);
  await s1.close();
  fs.appendFileSync(file, claude({ msg: 'm1', req: 'r1', ts: t + 3000, out: 300, tool: 'toolu_x' }));
  const s2 = new UsageScanner(opts);
  const r = await s2.scan();
  assert.equal(r.replaced, 1);
  const tot = totalOf(s2.index.rows());
  assert.equal(tot.requests, 2);
  assert.equal(tot.outputTokens, 307);
  assert.equal(tot.inputTokens, 20, 'input is not counted twice');
  assert.equal(tot.tools.Read?.count, 1);
  assert.deepEqual(queryUsage(s2.index.rows(), { groupBy: 'day' }).filter((g) => g.requests > 0).map((g) => [g.key, g.outputTokens]), [[localDay(t), 307]]);
  // Even more lines in a third scan, in the same process this time.
  fs.appendFileSync(file, claude({ msg: 'm1', req: 'r1', ts: t + 6000, out: 500 }) + claude({ msg: 'm1', req: 'r1', ts: t + 7000, out: 500 }));
  await s2.scan();
  assert.equal(totalOf(s2.index.rows()).outputTokens, 507);
  assert.equal(totalOf(s2.index.rows()).requests, 2);
  await s2.close();
  const s3 = new UsageScanner(opts);
  await s3.load();
  assert.equal(totalOf(s3.index.rows()).outputTokens, 507);
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('claude: lines with a message id but no (or an empty) requestId count, once per message id in the session', async () => {
  const { dir, cfg, file, opts } = claudeSetup();
  const t = Date.UTC(2026, 6, 11, 10);
  fs.writeFileSync(
    file,
    claude({ msg: 'mA', ts: t, out: 4 }) +
      claude({ msg: 'mA', ts: t + 1000, out: 40 }) +
      claude({ msg: 'mB', req: '', ts: t + 2000, out: 5 }) +
      claude({ msg: 'mB', req: '', ts: t + 3000, out: 50 }),
  );
  // The same message id in another session is another response.
  const other = path.join(cfg, 'projects', '-w-app', 's2.jsonl');
  fs.writeFileSync(other, claude({ msg: 'mA', ts: t, out: 60, session: 's2' }));
  const s = new UsageScanner(opts);
  await s.scan();
  const tot = totalOf(s.index.rows());
  assert.equal(tot.requests, 3);
  assert.equal(tot.outputTokens, 40 + 50 + 60);
  assert.equal(tot.inputTokens, 30);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// ── Codex ──

const u = (input: number, cached: number, output: number, reasoning = 0) => ({ input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: reasoning, total_tokens: input + output });
type U = ReturnType<typeof u>;
const tc = (ts: number, total: U, last?: U) =>
  JSON.stringify({ timestamp: new Date(ts).toISOString(), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: total, ...(last ? { last_token_usage: last } : {}) } } });
const meta = (ts: number, id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ timestamp: new Date(ts).toISOString(), type: 'session_meta', payload: { id, cwd: '/w', ...extra } });
const ctx = (ts: number, model = 'gpt-5') => JSON.stringify({ timestamp: new Date(ts).toISOString(), type: 'turn_context', payload: { cwd: '/w', model } });

function codexSetup() {
  const dir = tmp();
  const home = path.join(dir, 'codex');
  const write = (rel: string, lines: string[]) => {
    const f = path.join(home, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, lines.join('\n') + '\n');
    return f;
  };
  const opts: UsageScannerOptions = { sources: { includeDefaults: false, codexHomes: [home] }, mode: 'inline', watch: false };
  return { dir, home, write, opts };
}

const P0 = Date.UTC(2026, 4, 12, 8, 0, 0);
const parentLines = (id = 'parent-1') => [meta(P0, id), ctx(P0), tc(P0 + 60_000, u(1000, 100, 200, 20), u(1000, 100, 200, 20)), tc(P0 + 120_000, u(3000, 300, 500, 40), u(2000, 200, 300, 20))];
const PARENT = { input: 3000 - 300, cached: 300, output: 500 };

function codexTotals(s: UsageScanner) {
  const t = totalOf(s.index.rows(), { agents: ['codex'] });
  return { input: t.inputTokens, cached: t.cacheReadTokens, output: t.outputTokens, requests: t.requests };
}

test('codex: a fork (forked_from_id) with rewritten timestamps counts its copied history once, its own usage from the copied baseline', async () => {
  const { dir, write, opts } = codexSetup();
  // The parent in archived_sessions, the fork in sessions: read in creation (name) order all the same.
  write('archived_sessions/rollout-2026-05-12T08-00-00-parent-1.jsonl', parentLines());
  const F = Date.UTC(2026, 4, 13, 9, 0, 0);
  write('sessions/2026/05/13/rollout-2026-05-13T09-00-00-fork-1.jsonl', [
    meta(F, 'fork-1', { forked_from_id: 'parent-1' }), ctx(F),
    // The copy, stamped with the fork's time.
    tc(F, u(1000, 100, 200, 20), u(1000, 100, 200, 20)), tc(F, u(3000, 300, 500, 40), u(2000, 200, 300, 20)),
    // Its own first event carries totals only: 500 input, 100 output beyond the copied baseline.
    tc(F + 300_000, u(3500, 300, 600, 40)),
  ]);
  const s = new UsageScanner(opts);
  await s.scan();
  assert.deepEqual(codexTotals(s), { input: PARENT.input + 500, cached: PARENT.cached, output: PARENT.output + 100, requests: 3 });
  const days = queryUsage(s.index.rows(), { groupBy: 'day', agents: ['codex'] });
  assert.deepEqual(days.map((g) => [g.key, g.requests]), [[localDay(P0), 2], [localDay(F + 300_000), 1]]);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('codex: a fork of a fork, and a branch copy without forked_from_id (original timestamps), count each event once', async () => {
  const { dir, write, opts } = codexSetup();
  write('sessions/2026/05/12/rollout-2026-05-12T08-00-00-parent-1.jsonl', parentLines());
  const F = Date.UTC(2026, 4, 13, 9, 0, 0);
  const forkCopy = [tc(F, u(1000, 100, 200, 20), u(1000, 100, 200, 20)), tc(F, u(3000, 300, 500, 40), u(2000, 200, 300, 20))];
  const forkOwn = tc(F + 300_000, u(3500, 300, 600, 40), u(500, 0, 100, 0));
  write('sessions/2026/05/13/rollout-2026-05-13T09-00-00-fork-1.jsonl', [meta(F, 'fork-1', { forked_from_id: 'parent-1' }), ctx(F), ...forkCopy, forkOwn]);
  const G = Date.UTC(2026, 4, 14, 9, 0, 0);
  // Fork of the fork: its copy holds the parent's events (as the fork rewrote them) and the fork's own one.
  write('sessions/2026/05/14/rollout-2026-05-14T09-00-00-fork-2.jsonl', [
    meta(G, 'fork-2', { forked_from_id: 'fork-1' }), ctx(G), ...forkCopy.map((l) => l.replace(/"timestamp":"[^"]+"/, `"timestamp":"${new Date(G).toISOString()}"`)),
    forkOwn.replace(/"timestamp":"[^"]+"/, `"timestamp":"${new Date(G).toISOString()}"`), tc(G + 60_000, u(3600, 300, 610, 40), u(100, 0, 10, 0)),
  ]);
  // A branch copy of the parent without forked_from_id, original timestamps, then its own usage.
  const B = Date.UTC(2026, 4, 15, 9, 0, 0);
  write('sessions/2026/05/15/rollout-2026-05-15T09-00-00-branch-1.jsonl', [meta(B, 'branch-1'), ...parentLines().slice(1), tc(B + 60_000, u(3200, 300, 520, 40))]);
  // A branch copy of the fork (its history as the fork wrote it, rewritten timestamps included), then its own usage.
  const C = Date.UTC(2026, 4, 16, 9, 0, 0);
  write('sessions/2026/05/16/rollout-2026-05-16T09-00-00-branch-2.jsonl', [meta(C, 'branch-2'), ctx(F), ...forkCopy, forkOwn, tc(C + 60_000, u(3507, 300, 601, 40))]);
  const s = new UsageScanner(opts);
  await s.scan();
  assert.deepEqual(codexTotals(s), { input: PARENT.input + 500 + 100 + 200 + 7, cached: PARENT.cached, output: PARENT.output + 100 + 10 + 20 + 1, requests: 6 });
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('codex: a subagent\'s replayed parent totals are the baseline of its first own event with totals only', async () => {
  const { dir, write, opts } = codexSetup();
  const S = Date.UTC(2026, 4, 14, 8, 0, 0);
  write('sessions/2026/05/14/rollout-2026-05-14T08-00-00-sub-1.jsonl', [
    meta(S, 'sub-1', { source: { subagent: { thread_spawn: { parent_thread_id: 'parent-1' } } } }), ctx(S),
    // The replay of the parent, within the first second: not counted.
    tc(S + 300, u(1000, 100, 200, 20), u(1000, 100, 200, 20)), tc(S + 300, u(3000, 300, 500, 40), u(2000, 200, 300, 20)),
    tc(S + 10_000, u(3400, 350, 550, 40)),
    tc(S + 20_000, u(3600, 350, 650, 40), u(200, 0, 100, 0)),
  ]);
  const s = new UsageScanner(opts);
  await s.scan();
  assert.deepEqual(codexTotals(s), { input: 350 + 200, cached: 50, output: 150, requests: 2 });
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// ── the index format ──

test('an index of the previous format is rebuilt once from the logs; days the logs no longer cover keep their rows', async () => {
  const { dir, file, opts } = claudeSetup();
  const store = path.join(dir, 'store');
  fs.mkdirSync(store, { recursive: true });
  const t = Date.UTC(2026, 6, 11, 10);
  fs.writeFileSync(file, claude({ msg: 'm1', req: 'r1', ts: t, out: 3 }) + claude({ msg: 'm1', req: 'r1', ts: t + 1000, out: 300 }));
  // What version 1 stored: the first line's 3 output tokens on the log's day, and a day whose transcript is gone.
  const row = (day: string, out: number, session: string) => ({
    day, agent: 'claude-code', model: 'claude-sonnet-4-5', cwd: '/w/app', sessionId: session, inputTokens: 10, outputTokens: out, cacheReadTokens: 1000,
    cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0, requests: 1, fastRequests: 0, loggedCostUSD: 0, loggedCostRequests: 0,
    costUSD: 0, unpricedRequests: 1, fallbackModelRequests: 0, tools: {}, firstTs: t, lastTs: t,
  });
  const v1 = {
    version: 1, savedAt: 0, cursors: {}, seen: [], claudeParents: [], sidechains: {}, replaceable: {}, toolsSeen: [], pendingTools: [],
    rows: [row(localDay(t), 3, 's1'), row('2026-01-05', 77, 'old-session'), { ...row('2026-01-05', 5, 'api-op'), agent: 'api' }],
    hours: [], planWindows: [], journal: 'tok1',
  };
  fs.writeFileSync(path.join(store, 'usage-index.json'), JSON.stringify(v1));
  // Its journal (the same token) adds to the old day: it is read too.
  fs.writeFileSync(path.join(store, 'usage-index.journal'), JSON.stringify({ token: 'tok1' }) + '\n' + JSON.stringify({ rows: [row('2026-01-05', 80, 'old-session')] }) + '\n');
  const s1 = new UsageScanner(opts);
  await s1.load();
  assert.equal(s1.index.rebuildReason, 'version');
  assert.equal(s1.index.rows().length, 0, 'the rebuild starts empty (the first scan shows its progress as on a first start)');
  assert.ok(fs.existsSync(path.join(store, 'usage-index.legacy.json')), 'the older rows are kept aside until the first full scan');
  // A restart before the first scan: still there.
  s1.dispose();
  const s2 = new UsageScanner(opts);
  await s2.scan();
  const rows = s2.index.rows();
  const byDay = Object.fromEntries(queryUsage(rows, { groupBy: 'day' }).map((g) => [g.key, g.outputTokens]));
  assert.deepEqual(byDay, { '2026-01-05': 80, [localDay(t)]: 300 }, 'the log\'s day rebuilt (300, not 3); the old day kept; API rows come from their own log');
  assert.equal(JSON.parse(fs.readFileSync(path.join(store, 'usage-index.json'), 'utf8')).version, USAGE_INDEX_VERSION);
  assert.ok(!fs.existsSync(path.join(store, 'usage-index.legacy.json')), 'merged and saved: the kept rows\' file is gone');
  assert.ok(!fs.existsSync(path.join(store, 'usage-index.journal')) || !fs.readFileSync(path.join(store, 'usage-index.journal'), 'utf8').includes('tok1'));
  await s2.close();
  // Once: the next start loads the new index as is.
  const s3 = new UsageScanner(opts);
  await s3.load();
  assert.equal(s3.index.rebuildReason, undefined);
  assert.deepEqual(Object.fromEntries(queryUsage(s3.index.rows(), { groupBy: 'day' }).map((g) => [g.key, g.outputTokens])), byDay);
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
