// `tokstat statusline` as Claude Code runs it (the compiled CLI, its JSON on stdin) and its parts in process: the
// line from stdin, the extension's snapshots and the freshest persisted usage index; malformed and oversized stdin.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { UsageIndex } from '../../../src/core/usage/usageIndex';
import type { UsageRecord } from '../../../src/core/usage/types';
import type { Meter, Snapshot } from '../../../src/shared/model';
import { ANSI_LINE, MAX_STDIN, parseStatusInput, readBoundedStdin, renderStatusline, statusline, type StatusDoc } from '../../../src/cli/statusline';
import { cliCacheDir } from '../../../src/cli/cache';
import { ALL_LOG_AGENTS, usageCacheFolder } from '../../../src/cli/usageCache';
import { resolveSources } from '../../../src/core/usage/sources';

const CLI = path.resolve(__dirname, '../../../src/cli/main.js');
const NOW = Date.UTC(2026, 8, 10, 12);
const MIN = 60_000;
const HOUR = 3_600_000;

function meter(id: string, o: Partial<Meter>): Meter {
  return { id, label: id, kind: 'quota', unit: '%', source: 'official', capturedAt: NOW - 5 * MIN, ...o };
}

/** A storage folder as the extension writes it: a Claude account's snapshot, and optionally a usage index. */
function storage(meters: Meter[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-status-'));
  fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
  const snapshot: Snapshot = { accountId: 'c1', takenAt: NOW - 5 * MIN, lastSuccessAt: NOW - 5 * MIN, status: 'ok', meters };
  fs.writeFileSync(path.join(dir, 'snapshots', 'c1.json'), JSON.stringify({ version: 1, snapshot, schedule: { failures: 0 } }));
  fs.writeFileSync(path.join(dir, 'accounts.json'), JSON.stringify({ version: 1, accounts: [{ id: 'c1', name: 'Max plan', providerId: 'claude' }] }));
  return dir;
}

const rec = (ts: number, input: number, sessionId: string): UsageRecord => ({
  agent: 'claude-code', timestamp: ts, sessionId, model: 'm', cwd: '/p', inputTokens: input, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0,
});

/** A persisted index at `folder`: $1 per 1000 input tokens, with rows today and yesterday. */
async function writeIndex(folder: string, records: UsageRecord[], unpricedModel?: string): Promise<void> {
  const index = new UsageIndex({ folder, price: (r) => (r.model === unpricedModel ? { unpriced: true } : { costUSD: r.inputTokens / 1000, unpriced: false }) });
  index.addRecords(records.map((record, i) => ({ record, key: `k${i}` })));
  await index.save(true);
}

function home(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-status-home-'));
}

function run(stdin: string | Buffer, args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const h = env.HOME ?? home();
  const r = spawnSync(process.execPath, [CLI, 'statusline', '--no-refresh', ...args], {
    input: stdin,
    env: { PATH: process.env.PATH ?? '', HOME: h, USERPROFILE: h, XDG_CONFIG_HOME: path.join(h, '.config'), TZ: 'UTC', TOKSTAT_NOW: String(NOW), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const claudeInput = (o: Record<string, unknown> = {}) =>
  JSON.stringify({
    session_id: 'sess-1', transcript_path: '/nowhere/sess-1.jsonl', cwd: '/p', model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet 4.5' },
    cost: { total_cost_usd: 0.0563, total_duration_ms: 164055 },
    rate_limits: { five_hour: { used_percentage: 41, resets_at: (NOW + 2 * HOUR + 13 * MIN) / 1000 }, seven_day: { used_percentage: 63, resets_at: (NOW + 50 * HOUR) / 1000 } },
    ...o,
  });

test("Claude Code's JSON: session cost, today's cost from the extension's index, the tightest window with its reset", async () => {
  const dir = storage([]);
  await writeIndex(path.join(dir, 'usage'), [rec(NOW - HOUR, 2500, 'sess-1'), rec(NOW - MIN, 1000, 'other'), rec(NOW - 30 * HOUR, 9000, 'old')]);
  const r = run(claudeInput(), ['--storage', dir, '--no-color']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '$0.06 session · $3.50 today · 7d 63% (resets in 2d 2h)\n');
  const j = JSON.parse(run(claudeInput(), ['--storage', dir, '--json']).out);
  assert.deepEqual(
    { session: j.session, today: { ...j.today, ageMs: typeof j.today.ageMs }, window: j.window, line: j.line },
    {
      session: { costUSD: 0.0563, source: 'claude-code' },
      today: { day: '2026-09-10', costUSD: 3.5, unpricedRequests: 0, source: 'extension-index', ageMs: 'number' },
      window: { label: '7d', usedPercent: 63, resetsAt: NOW + 50 * HOUR, source: 'claude-code' },
      line: '$0.06 session · $3.50 today · 7d 63% (resets in 2d 2h)',
    },
  );
});

test('warning colour near the limit (yellow from 80 %, red from 95 %), none with NO_COLOR or --no-color', () => {
  const dir = storage([]);
  const at = (p: number) => claudeInput({ rate_limits: { five_hour: { used_percentage: p, resets_at: (NOW + HOUR) / 1000 } } });
  assert.equal(run(at(50), ['--storage', dir]).out, '$0.06 session · \x1b[2mtoday ?\x1b[22m · 5h 50% (resets in 1h)\n');
  assert.equal(run(at(85), ['--storage', dir]).out, '$0.06 session · \x1b[2mtoday ?\x1b[22m · \x1b[33m5h 85% (resets in 1h)\x1b[39m\n');
  assert.equal(run(at(97), ['--storage', dir]).out, '$0.06 session · \x1b[2mtoday ?\x1b[22m · \x1b[31m5h 97% (resets in 1h)\x1b[39m\n');
  assert.equal(run(at(97), ['--storage', dir], { NO_COLOR: '1' }).out, '$0.06 session · today ? · 5h 97% (resets in 1h)\n');
  assert.equal(run(at(97), ['--storage', dir, '--no-color']).out, '$0.06 session · today ? · 5h 97% (resets in 1h)\n');
  assert.equal(run(at(97), ['--storage', dir], { FORCE_COLOR: '0' }).out, '$0.06 session · today ? · 5h 97% (resets in 1h)\n');
});

test("without rate_limits on stdin: the tightest of the Claude meters the extension stored; past, stale and other providers' windows are skipped", async () => {
  const dir = storage([
    meter('five-hour', { label: '5-hour session', percentUsed: 88, resetsAt: NOW + 90 * MIN }),
    meter('seven-day', { label: 'Weekly (all models)', percentUsed: 30, resetsAt: NOW + 3 * 24 * HOUR }),
    meter('weekly-opus', { label: 'Weekly (Opus)', percentUsed: 99, resetsAt: NOW - MIN }),
    meter('weekly-sonnet', { label: 'Weekly (Sonnet)', percentUsed: 97, resetsAt: NOW + HOUR, capturedAt: NOW - 7 * HOUR }),
  ]);
  const r = run(JSON.stringify({ session_id: 'x' }), ['--storage', dir, '--no-color']);
  assert.equal(r.out, '$? session · today ? · 5h 88% (resets in 1h 30m)\n');
  // Claude Code's own windows win over stored ones (fresher, this very account).
  assert.equal(run(claudeInput(), ['--storage', dir, '--no-color']).out, '$0.06 session · today ? · 7d 63% (resets in 2d 2h)\n');
});

test("today's cost from the freshest index: the CLI's own when newer than the extension's; its age when old; + for unpriced", async () => {
  const dir = storage([]);
  const h = home();
  const env = { HOME: h, XDG_CACHE_HOME: path.join(h, 'cache') };
  await writeIndex(path.join(dir, 'usage'), [rec(NOW - HOUR, 1000, 'a')]);
  const cliFolder = usageCacheFolder(cliCacheDir(env, h), resolveSources({ agents: [...ALL_LOG_AGENTS] }, env, h));
  await writeIndex(cliFolder, [rec(NOW - HOUR, 1000, 'a'), rec(NOW - MIN, 4000, 'sess-1'), rec(NOW - MIN, 10, 'u')], 'm-unpriced');
  const old = (NOW - 3 * HOUR) / 1000;
  fs.utimesSync(path.join(dir, 'usage', 'usage-index.json'), old, old);
  fs.utimesSync(path.join(cliFolder, 'usage-index.json'), (NOW - 20 * MIN) / 1000, (NOW - 20 * MIN) / 1000);
  const j = JSON.parse(run(JSON.stringify({ session_id: 'sess-1' }), ['--storage', dir, '--json'], env).out);
  assert.equal(j.today.source, 'cli-index');
  assert.equal(j.today.costUSD, 5.01);
  assert.equal(j.today.ageMs, 20 * MIN);
  // No cost from Claude Code: this session's share of today from the index.
  assert.deepEqual(j.session, { costUSD: 4, source: 'index' });
  assert.equal(j.line, '$4.00 session · $5.01 today (20m old)');
  // Unpriced requests today: the figure is a lower bound.
  await writeIndex(cliFolder, [rec(NOW - MIN, 4000, 'sess-1'), { ...rec(NOW - MIN, 10, 'u'), model: 'm-unpriced' }], 'm-unpriced');
  assert.equal(run(JSON.stringify({}), ['--storage', dir, '--no-color'], env).out, '$? session · $4.00+ today\n');
});

test('malformed, hostile and huge stdin: still one line, exit 0; bad fields are dropped one by one', () => {
  const dir = storage([]);
  for (const input of ['', 'not json', '[1,2]', 'null', '{"cost":{"total_cost_usd":"1e9"},"rate_limits":{"five_hour":{"used_percentage":"x"}}}', '{"__proto__":{"polluted":1},"cost":{"total_cost_usd":-5}}']) {
    const r = run(input, ['--storage', dir, '--no-color']);
    assert.equal(r.code, 0, `${input}: ${r.err}`);
    assert.equal(r.out, '$? session · today ?\n', input);
  }
  const huge = Buffer.alloc(MAX_STDIN * 4, 0x20);
  huge.write(claudeInput(), 0);
  const big = run(huge, ['--storage', dir, '--json']);
  assert.equal(big.code, 0, big.err);
  const j = JSON.parse(big.out);
  assert.equal(j.session.costUSD, null, 'an oversized input is ignored whole');
  assert.match(j.problems[0], /over 262144 bytes/);
  // One bad field does not cost the good ones.
  const mixed = parseStatusInput(JSON.stringify({ session_id: 42, cost: { total_cost_usd: 1.5 }, rate_limits: { five_hour: { used_percentage: 'x', resets_at: 1 }, seven_day: { used_percentage: 10 } } }), false);
  assert.deepEqual(JSON.parse(JSON.stringify(mixed.input)), { cost: { total_cost_usd: 1.5 }, rate_limits: { five_hour: { resets_at: 1 }, seven_day: { used_percentage: 10 } } });
});

test('stdin is read up to its cap, and not waited for beyond the deadline (a pipe that never closes)', async () => {
  const big = new PassThrough();
  const p = readBoundedStdin(big, 10, 60_000);
  big.write('0123456');
  big.write('789abcdef');
  assert.deepEqual(await p, { text: '0123456789', truncated: true });
  // A complete object ends the read at once, the pipe still open (deadline an hour away).
  const open = new PassThrough();
  const q = readBoundedStdin(open, 1000, 3_600_000);
  open.write('{"a":');
  open.write('1}\n');
  assert.deepEqual(await q, { text: '{"a":1}\n', truncated: false });
  // Half an object and a silent writer: the deadline ends the read with what came.
  const silent = new PassThrough();
  const r = readBoundedStdin(silent, 1000, 0);
  silent.write('{"a":');
  assert.deepEqual(await r, { text: '{"a":', truncated: false });
  const tty = Object.assign(new PassThrough(), { isTTY: true });
  assert.deepEqual(await readBoundedStdin(tty), { text: '', truncated: false });
});

test('the background refresh: started when no index is fresh, at most once per 2 minutes, not while a run writes', async () => {
  const h = home();
  const env = { XDG_CACHE_HOME: path.join(h, 'cache') };
  const started: string[] = [];
  const o = { env, home: h, now: NOW, storage: path.join(h, 'none'), input: {}, refresh: (d: string) => started.push(d) };
  await statusline(o);
  assert.deepEqual(started, [cliCacheDir(env, h)]);
  await statusline({ ...o, now: NOW + MIN });
  assert.equal(started.length, 1, 'within 2 minutes of the last one');
  const folder = usageCacheFolder(cliCacheDir(env, h), resolveSources({ agents: [...ALL_LOG_AGENTS] }, env, h));
  fs.mkdirSync(path.join(folder, 'writer.lock'), { recursive: true });
  await statusline({ ...o, now: NOW + 3 * MIN });
  assert.equal(started.length, 1, 'a run is writing the index');
  fs.rmSync(path.join(folder, 'writer.lock'), { recursive: true });
  await writeIndex(folder, [rec(NOW, 1000, 'a')]);
  fs.utimesSync(path.join(folder, 'usage-index.json'), NOW / 1000, NOW / 1000);
  await statusline({ ...o, now: NOW + 4 * MIN });
  assert.equal(started.length, 2, 'the index is 4 minutes old');
  fs.utimesSync(path.join(folder, 'usage-index.json'), (NOW + 9 * MIN) / 1000, (NOW + 9 * MIN) / 1000);
  await statusline({ ...o, now: NOW + 10 * MIN });
  assert.equal(started.length, 2, 'the index is fresh');
});

test('the rendering: money by size, unknowns say so, ANSI only for the window', () => {
  const doc = (over: Partial<StatusDoc>): StatusDoc => ({
    session: { costUSD: 12.345, source: 'claude-code' },
    today: { day: '2026-09-10', costUSD: 1234.5, unpricedRequests: 0, source: 'cli-index', ageMs: 0 },
    window: { label: '5h', usedPercent: 80, resetsAt: NOW + 45 * MIN, source: 'claude-code' },
    problems: [],
    ...over,
  });
  assert.equal(renderStatusline(doc({}), NOW), '$12.3 session · $1235 today · 5h 80% (resets in 45m)');
  assert.equal(renderStatusline(doc({}), NOW, ANSI_LINE), '$12.3 session · $1235 today · \x1b[33m5h 80% (resets in 45m)\x1b[39m');
  assert.equal(renderStatusline(doc({ window: { label: '7d', usedPercent: 10, resetsAt: null, source: 'snapshot' } }), NOW), '$12.3 session · $1235 today · 7d 10%');
});

test('without --no-refresh the line starts a detached `tokstat usage` that writes the index the next line reads', async () => {
  const h = home();
  const logs = path.join(h, '.claude', 'projects', '-p');
  fs.mkdirSync(logs, { recursive: true });
  const ts = new Date(NOW - HOUR).toISOString();
  fs.writeFileSync(
    path.join(logs, 'sess-1.jsonl'),
    JSON.stringify({ type: 'assistant', timestamp: ts, sessionId: 'sess-1', requestId: 'req_1', cwd: '/p', message: { id: 'msg_1', model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 100_000, output_tokens: 0 } } }) + '\n',
  );
  const env = { HOME: h, XDG_CACHE_HOME: path.join(h, 'cache'), NO_COLOR: '1', TOKSTAT_PRICES_URL: 'http://127.0.0.1:9/none' };
  const r = spawnSync(process.execPath, [CLI, 'statusline', '--storage', path.join(h, 'none')], {
    input: '{}', env: { PATH: process.env.PATH ?? '', USERPROFILE: h, TZ: 'UTC', TOKSTAT_NOW: String(NOW), ...env }, encoding: 'utf8', timeout: 30_000,
  });
  assert.equal(r.stdout, '$? session · today ?\n', r.stderr);
  // The refresh runs on after the line was printed: wait for the index it saves (and for its lease to go).
  const folder = usageCacheFolder(cliCacheDir(env, h), resolveSources({ agents: [...ALL_LOG_AGENTS] }, env, h));
  const deadline = Date.now() + 60_000;
  while (!(fs.existsSync(path.join(folder, 'usage-index.json')) && !fs.existsSync(path.join(folder, 'writer.lock'))) && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(fs.existsSync(path.join(folder, 'usage-index.json')), 'the background run saved the index');
  const next = run('{}', ['--storage', path.join(h, 'none'), '--no-color'], env);
  assert.equal(next.out, '$? session · $0.30 today\n', '100k Sonnet input tokens at $3 per million');
});
