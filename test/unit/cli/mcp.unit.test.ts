// `tokstat mcp` as an agent runs it: the CLI bundle built with the shipping esbuild options (build/cli.js, so the
// lazily loaded dist/mcp.js chunk is exercised), spawned by the MCP SDK's own Client over a real stdio transport,
// against a storage folder written with the extension's own stores (snapshot files, the history store for the pace,
// the usage index). Checks the tools, the resources, read-only behaviour and that no secret-looking field leaves.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { FakeClock } from '../../fakes/fakeClock';
import { HistoryStore } from '../../../src/core/history/store';
import { nullLogger } from '../../../src/core/log';
import { UsageIndex } from '../../../src/core/usage/usageIndex';
import type { UsageRecord } from '../../../src/core/usage/types';
import type { Meter, Snapshot } from '../../../src/shared/model';
import { ANTHROPIC_API_KEY } from '../../fakes/secrets';

const ROOT = path.resolve(__dirname, '../../../..');
const NOW = Date.UTC(2026, 8, 10, 12);
const MIN = 60_000;
const HOUR = 60 * MIN;
const SECRET = ANTHROPIC_API_KEY;

let bundle: string;
let storage: string;
let home: string;

function meter(id: string, o: Partial<Meter>): Meter {
  return { id, label: id, kind: 'quota', unit: '%', source: 'official', capturedAt: NOW - 5 * MIN, ...o };
}

const accounts: Array<{ id: string; name: string; providerId: string; meters: Meter[]; identity?: string; status?: Snapshot['status']; error?: Snapshot['error'] }> = [
  // The Claude plan: 5-hour window at 60% after 3 of its 5 hours; its history (below) gives a steep pace.
  { id: 'acc-claude', name: 'Max plan', providerId: 'claude', identity: 'me@example.com', meters: [meter('five-hour', { label: '5-hour limit', percentUsed: 60, resetsAt: NOW + 2 * HOUR })] },
  // The Anthropic API: a monthly budget with most of it left.
  { id: 'acc-api', name: 'Work API', providerId: 'anthropic', meters: [meter('spend-month', { label: 'Spent this month', kind: 'spend', unit: 'USD', used: 10, limit: 50, remaining: 40, percentUsed: 20, resetsAt: NOW + 10 * 24 * HOUR })] },
  // A Copilot account whose last refresh failed, with a token-like string in its server message.
  { id: 'acc-copilot', name: 'Copilot', providerId: 'copilot', status: 'error', error: { kind: 'server', message: `upstream said ${SECRET}` }, meters: [] },
];

before(async () => {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const { cliBuildOptions } = require(path.join(ROOT, 'build', 'cli.js')) as { cliBuildOptions: (o: { root: string; outdir: string }) => import('esbuild').BuildOptions };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-mcp-bundle-'));
  await esbuild.build(cliBuildOptions({ root: ROOT, outdir: out }));
  bundle = path.join(out, 'cli.js');
  assert.ok(fs.existsSync(path.join(out, 'mcp.js')), 'the mcp chunk is built next to cli.js');

  storage = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-mcp-'));
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-mcp-home-'));
  fs.mkdirSync(path.join(storage, 'snapshots'));
  for (const a of accounts) {
    const snapshot: Snapshot = {
      accountId: a.id, takenAt: NOW - 5 * MIN, lastSuccessAt: NOW - 5 * MIN, status: a.status ?? 'ok', meters: a.meters,
      ...(a.identity ? { identity: a.identity } : {}), ...(a.error ? { error: a.error } : {}),
    };
    fs.writeFileSync(path.join(storage, 'snapshots', `${a.id}.json`), JSON.stringify({ version: 1, snapshot, schedule: { failures: 0 } }));
  }
  fs.writeFileSync(path.join(storage, 'accounts.json'), JSON.stringify({ version: 1, accounts: accounts.map((a) => ({ id: a.id, name: a.name, providerId: a.providerId })) }));

  // History of the 5-hour window: 0% at its start, 20% an hour later, … 60% now: 20 points an hour, so at this pace it
  // runs out in 2 h — exactly at the reset; the history store is the extension's own.
  const history = new HistoryStore({ folder: path.join(storage, 'history'), log: nullLogger, compactEveryMs: 0, clock: new FakeClock(NOW) });
  for (let h = 0; h <= 3; h++) {
    const t = NOW - 3 * HOUR + h * HOUR - 5 * MIN;
    await history.record('acc-claude', [meter('five-hour', { percentUsed: Math.min(60, h * 20), resetsAt: NOW + 2 * HOUR, capturedAt: t })], t);
  }
  await history.flush();
  history.dispose();

  // The usage index as the extension writes it: two agents today, one yesterday.
  const rec = (ts: number, agent: UsageRecord['agent'], model: string, input: number, cwd: string): UsageRecord => ({
    agent, timestamp: ts, sessionId: `s-${agent}`, model, cwd, inputTokens: input, outputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0,
  });
  const index = new UsageIndex({ folder: path.join(storage, 'usage'), price: (r) => ({ costUSD: r.inputTokens / 1000, unpriced: false }), dayOf: (t) => new Date(t).toISOString().slice(0, 10) });
  await index.load();
  index.addRecords([
    { record: rec(NOW - HOUR, 'claude-code', 'claude-sonnet-4-5', 2000, '/home/dev/secret-client/app'), key: 'a' },
    { record: rec(NOW - 2 * HOUR, 'codex', 'gpt-5', 1000, '/home/dev/other'), key: 'b' },
    { record: rec(NOW - 30 * HOUR, 'claude-code', 'claude-sonnet-4-5', 5000, '/home/dev/secret-client/app'), key: 'c' },
  ]);
  await index.save(true);
});

after(() => {
  for (const d of [storage, home, bundle && path.dirname(bundle)]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

async function connect(): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bundle, 'mcp', '--storage', storage],
    env: { PATH: process.env.PATH ?? '', HOME: home, TZ: 'UTC', TOKSTAT_NOW: String(NOW) },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'tokstat-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => err };
}

type Structured = Record<string, unknown>;
const textOf = (r: object): string => (((r as { content?: unknown }).content as Array<{ type: string; text?: string }>) ?? []).map((c) => c.text ?? '').join('\n');

test('tokstat mcp: the SDK client lists the three read-only tools and the resources', async () => {
  const { client, stderr } = await connect();
  try {
    assert.equal(client.getServerVersion()?.name, 'tokstat');
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['headroom', 'quota_status', 'usage_summary']);
    for (const t of tools) assert.equal(t.annotations?.readOnlyHint, true, t.name);
    const { resources } = await client.listResources();
    assert.deepEqual(resources.map((r) => r.uri).sort(), ['tokstat://headroom', 'tokstat://quota', 'tokstat://usage/month', 'tokstat://usage/today']);
    assert.match(stderr(), /tokstat mcp .*serving/);
  } finally {
    await client.close();
  }
});

test('quota_status: every account with meters, reset, pace, staleness and source; no identity, no secret', async () => {
  const { client } = await connect();
  try {
    const r = await client.callTool({ name: 'quota_status', arguments: {} });
    assert.notEqual(r.isError, true, textOf(r));
    const doc = r.structuredContent as Structured & { accounts: Array<Record<string, unknown> & { meters: Array<Record<string, unknown>> }> };
    assert.deepEqual(doc.accounts.map((a) => a.name).sort(), ['Copilot', 'Max plan', 'Work API']);
    const claude = doc.accounts.find((a) => a.name === 'Max plan')!;
    assert.equal(claude.providerId, 'claude');
    assert.equal(claude.stale, false);
    assert.equal(claude.ageMs, 5 * MIN);
    const five = claude.meters[0]!;
    assert.equal(five.percentUsed, 60);
    assert.equal(five.resetsAt, new Date(NOW + 2 * HOUR).toISOString());
    assert.equal(five.source, 'official');
    // The pace comes from the stored history: 20 points an hour with 40 left and 2 h to go runs out at the reset.
    const pace = five.pace as { status: string; projectedPercentAtReset: number; runOutAt: string };
    assert.equal(pace.status, 'ok');
    assert.ok(pace.projectedPercentAtReset > 100 && pace.projectedPercentAtReset < 105, JSON.stringify(pace));
    assert.equal(doc.accounts.find((a) => a.name === 'Copilot')!.status, 'error');
    const all = JSON.stringify(r);
    assert.doesNotMatch(all, /me@example\.com|identity/);
    assert.doesNotMatch(all, /sk-ant-api03-A{10}/);
    // One account by name; the text is the language-model tool's.
    const one = await client.callTool({ name: 'quota_status', arguments: { account: 'work api' } });
    assert.deepEqual((one.structuredContent as { accounts: Array<{ name: string }> }).accounts.map((a) => a.name), ['Work API']);
    assert.match(textOf(one), /^AI accounts \(tokstat\):/);
    assert.match(textOf(one), /"Spent this month": 20% used \(\$10\.00 \/ \$50\.00\)/);
  } finally {
    await client.close();
  }
});

test('usage_summary: tokens and cost by agent, model and project (folder name only) over a range', async () => {
  const { client } = await connect();
  try {
    const today = await client.callTool({ name: 'usage_summary', arguments: {} });
    const doc = today.structuredContent as { groups: Array<{ key: string; costUSD: number; requests: number }>; totals: { costUSD: number; requests: number; totalTokens: number } };
    assert.deepEqual(doc.groups.map((g) => [g.key, g.costUSD]), [['claude-code', 2], ['codex', 1]]);
    assert.equal(doc.totals.requests, 2);
    assert.equal(doc.totals.totalTokens, 3200);
    assert.match(textOf(today), /today \(2026-09-10\).*\$3\.00, 3\.2k tokens in 2 requests/);
    const week = await client.callTool({ name: 'usage_summary', arguments: { range: '7d', groupBy: 'project' } });
    const wdoc = week.structuredContent as { groups: Array<{ key: string; costUSD: number }> };
    assert.deepEqual(wdoc.groups.map((g) => [g.key, g.costUSD]), [['app', 7], ['other', 1]]);
    assert.doesNotMatch(JSON.stringify(week), /\/home\/dev/);
    const days = await client.callTool({ name: 'usage_summary', arguments: { since: '2026-09-09', until: '2026-09-09', groupBy: 'model' } });
    assert.deepEqual((days.structuredContent as { groups: Array<{ key: string }> }).groups.map((g) => g.key), ['claude-sonnet-4-5']);
    const bad = await client.callTool({ name: 'usage_summary', arguments: { since: 'yesterday' } });
    assert.equal(bad.isError, true);
  } finally {
    await client.close();
  }
});

test('headroom: the account with the most room for Claude work, with a one-line reason; resources carry the same data', async () => {
  const { client } = await connect();
  try {
    const r = await client.callTool({ name: 'headroom', arguments: { kind: 'claude' } });
    const doc = r.structuredContent as { best: { name: string }; candidates: Array<{ name: string; verdict: string }>; reason: string };
    assert.equal(doc.best.name, 'Work API');
    assert.deepEqual(doc.candidates.map((c) => [c.name, c.verdict]), [['Work API', 'room'], ['Max plan', 'none']]);
    assert.doesNotMatch(doc.reason, /\n/);
    assert.equal(
      doc.reason,
      '"Work API" (anthropic) has the most room for Claude models: "Spent this month" 20% used, resets in 10d (no pace yet). ' +
        'Next: "Max plan" (claude): "5-hour limit" 60% used, runs out in 1h 55m at this pace, before its reset (resets in 2h).',
    );
    assert.match(textOf(r), /never switches accounts/);
    const res = await client.readResource({ uri: 'tokstat://headroom' });
    const kinds = JSON.parse((res.contents[0] as { text: string }).text) as { kinds: Array<{ kind: string; best?: { name: string } }> };
    assert.equal(kinds.kinds.find((k) => k.kind === 'claude')?.best?.name, 'Work API');
    const quota = await client.readResource({ uri: 'tokstat://quota' });
    assert.equal((JSON.parse((quota.contents[0] as { text: string }).text) as { accounts: unknown[] }).accounts.length, 3);
  } finally {
    await client.close();
  }
  // Read-only: nothing written into the storage folder (no lease, no compaction, no index save).
  assert.deepEqual(fs.readdirSync(storage).sort(), ['accounts.json', 'history', 'snapshots', 'usage']);
});

test('tokstat mcp without a storage folder: the tools say why instead of failing the connection', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-mcp-empty-'));
  const transport = new StdioClientTransport({ command: process.execPath, args: [bundle, 'mcp', '--storage', empty], env: { PATH: process.env.PATH ?? '', HOME: home }, stderr: 'pipe' });
  const client = new Client({ name: 'tokstat-test', version: '1.0.0' });
  await client.connect(transport);
  const r = await client.callTool({ name: 'quota_status', arguments: {} });
  assert.equal(r.isError, true);
  assert.match(textOf(r), /no snapshots in/);
  const pid = transport.pid;
  assert.ok(pid);
  await client.close();
  // Closing the client ends the server process.
  assert.throws(() => process.kill(pid, 0));
  fs.rmSync(empty, { recursive: true, force: true });
});
