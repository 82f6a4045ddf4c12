// Readers on fixture logs of every format (provider-apis.md §8), including the traps: duplicate content-block lines,
// sidechain replays, cumulative-only Codex counters, cached-in-input, Gemini thoughts/tool, opencode DB + legacy JSON
// with duplicate ids, malformed middle lines and half-written last lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageScanner, type UsageScannerOptions } from '../../../src/core/usage/scanner';
import { totalOf, queryUsage } from '../../../src/core/usage/query';
import { resolveSources } from '../../../src/core/usage/sources';
import { loadSqlJs } from '../../../src/core/usage/sqlite';
import { UsageIndex } from '../../../src/core/usage/usageIndex';
import { emptyJobStats } from '../../../src/core/usage/scanJob';
import type { UsageEvent } from '../../../src/core/usage/events';
import type { UsageRecord } from '../../../src/core/usage/types';
import type { TokenCountsWithReasoning } from '../../../src/shared/tokens';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/agents');

function copyFixtures(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-agents-'));
  fs.cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

function tok(t: TokenCountsWithReasoning & { requests: number }) {
  const { inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens, reasoningTokens, requests } = t;
  return { inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens, reasoningTokens, requests };
}

async function scanOnce(dir: string, extra: Partial<UsageScannerOptions> = {}) {
  const s = new UsageScanner({
    sources: { includeDefaults: false, claudeConfigDirs: [path.join(dir, 'claude')], codexHomes: [path.join(dir, 'codex')], geminiDirs: [path.join(dir, 'gemini', 'tmp')], opencodeDirs: [path.join(dir, 'opencode')] },
    mode: 'inline',
    watch: false,
    ...extra,
  });
  const r = await s.scan();
  return { s, r };
}

test('claude: one count per message id + request id, sidechain replay dropped, progress shape, skips', async () => {
  const dir = copyFixtures();
  const { s, r } = await scanOnce(dir, { sources: { includeDefaults: false, claudeConfigDirs: [path.join(dir, 'claude')] } });
  const t = totalOf(s.index.rows(), { agents: ['claude-code'] });
  // msg_A (split 40/60), msg_B (no split → 5m, fast, 2 web searches, costUSD), msg_D (empty requestId: billed, counted
  // once by message id), msg_P (progress shape), msg_S (subagent's own work).
  assert.deepEqual(tok(t), { inputTokens: 1018, outputTokens: 1075, cacheReadTokens: 1003, cacheWrite5mTokens: 240, cacheWrite1hTokens: 60, reasoningTokens: 0, requests: 5 });
  assert.equal(t.webSearchRequests, 2);
  assert.equal(t.loggedCostUSD, 0.5);
  assert.deepEqual(t.tools, { Bash: { count: 1, durationMs: 5000, timedCount: 1, errors: 1 }, Read: { count: 1, durationMs: 2000, timedCount: 1, errors: 0 } });
  assert.equal(r.malformedLines, 1, 'the malformed middle line (the half-written last line is not consumed)');
  assert.equal(r.sidechainsDropped, 1);
  const rows = s.index.rows();
  assert.ok(rows.every((x) => x.sessionId === 's1' && x.cwd === '/home/dev/app'));
  assert.equal(rows.reduce((a, x) => a + x.fastRequests, 0), 1);
  assert.deepEqual(queryUsage(rows, { groupBy: 'model' }).map((g) => [g.key, g.requests]), [['claude-sonnet-4-5-20250929', 4], ['claude-haiku-4-5-20251001', 1]]);
  // The half-written line stays unread: the cursor stops at the last newline.
  const c = Object.values(s.index.cursors()).find((x) => x.path.endsWith('s1.jsonl'))!;
  assert.ok(c.offset < c.size);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('claude: a sidechain replay read before its parent is taken back when the parent arrives', () => {
  const idx = new UsageIndex({ price: (r) => ({ costUSD: r.inputTokens, unpriced: false }) });
  const rec = (over: Partial<UsageRecord>): UsageRecord => ({
    agent: 'claude-code', timestamp: Date.UTC(2026, 6, 11, 10), sessionId: 's', model: 'm', inputTokens: 100, outputTokens: 1,
    cacheReadTokens: 5000, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0, ...over,
  });
  const ev = (req: string, sidechain: boolean, r: UsageRecord): UsageEvent => ({ kind: 'record', record: r, key: `cc|msg_1|${req}`, claude: { messageId: 'msg_1', sidechain } });
  const out = (events: UsageEvent[]) => ({ events, cursors: {}, missing: [], planWindows: [], warnings: [], stats: emptyJobStats() });
  idx.apply(out([ev('req_side', true, rec({ sessionId: 'sub' }))]));
  assert.equal(totalOf(idx.rows()).requests, 1);
  const a = idx.apply(out([ev('req_parent', false, rec({})), ev('req_side2', true, rec({}))]));
  const t = totalOf(idx.rows());
  assert.equal(t.requests, 1);
  assert.equal(t.cacheReadTokens, 5000);
  assert.equal(t.costUSD, 100);
  assert.equal(a.sidechainsDropped, 2);
  assert.deepEqual(queryUsage(idx.rows(), { groupBy: 'session' }).filter((g) => g.requests > 0).map((g) => g.key), ['s']);
});

test('codex: last/cumulative deltas, repeated events, cached-in-input, fallback model, subagent replay, archive, headless, plan windows', async () => {
  const dir = copyFixtures();
  const { s } = await scanOnce(dir, { sources: { includeDefaults: false, codexHomes: [path.join(dir, 'codex')] } });
  const t = totalOf(s.index.rows(), { agents: ['codex'] });
  assert.deepEqual(tok(t), { inputTokens: 840, outputTokens: 225, cacheReadTokens: 1110, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 60, requests: 5 });
  const byModel = Object.fromEntries(queryUsage(s.index.rows(), { groupBy: 'model' }).map((g) => [g.key, g.requests]));
  assert.deepEqual(byModel, { 'gpt-5-codex': 3, 'gpt-5': 2 });
  assert.equal(s.index.rows().reduce((a, x) => a + x.fallbackModelRequests, 0), 2);
  assert.deepEqual(t.tools, { shell: { count: 1, durationMs: 3000, timedCount: 1, errors: 0 } });
  const [pw] = s.planWindows();
  assert.equal(pw!.home, path.join(dir, 'codex'));
  const primary = pw!.windows.find((w) => w.name === 'primary')!;
  assert.equal(primary.usedPercent, 9);
  assert.equal(primary.resetsAt, Date.parse('2026-07-11T12:00:07.000Z') + 3_600_000, 'resets_in_seconds of older CLIs');
  const bySession = queryUsage(s.index.rows(), { groupBy: 'session' }).map((g) => g.key).sort();
  assert.deepEqual(bySession, ['sess-cx-1', 'sess-cx-2', 'sess-cx-3', 'th-exec-1']);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('codex: a rollout moved to archived_sessions is not counted again', async () => {
  const dir = copyFixtures();
  fs.rmSync(path.join(dir, 'codex', 'archived_sessions'), { recursive: true });
  const { s } = await scanOnce(dir, { sources: { includeDefaults: false, codexHomes: [path.join(dir, 'codex')] } });
  const before = totalOf(s.index.rows());
  const from = path.join(dir, 'codex', 'sessions', '2026', '07', '11', 'rollout-2026-07-11T12-00-00-0199aaaa-0000-0000-0000-000000000001.jsonl');
  fs.mkdirSync(path.join(dir, 'codex', 'archived_sessions'));
  fs.renameSync(from, path.join(dir, 'codex', 'archived_sessions', path.basename(from)));
  const r = await s.scan();
  assert.equal(r.records, 0);
  assert.deepEqual(tok(totalOf(s.index.rows())), tok(before));
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('gemini: cached inside an inclusive input, thoughts as output, tool as input, JSONL ids replaced; only chats/ files', async () => {
  const dir = copyFixtures();
  const { s } = await scanOnce(dir, { sources: { includeDefaults: false, geminiDirs: [path.join(dir, 'gemini')] } });
  const t = totalOf(s.index.rows(), { agents: ['gemini-cli'] });
  assert.deepEqual(tok(t), { inputTokens: 3928, outputTokens: 954, cacheReadTokens: 11576, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 919, requests: 3 });
  assert.deepEqual(queryUsage(s.index.rows(), { groupBy: 'session' }).map((g) => g.key).sort(), ['g-1', 'g-2']);
  // Gemini rewrites the .json session in place: a grown message replaces its earlier count.
  const f = path.join(dir, 'gemini', 'tmp', 'abc123', 'chats', 'session-2026-05-17T11-07-g1.json');
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  doc.messages[2].tokens = { input: 200, output: 10, cached: 50, thoughts: 0, tool: 0, total: 260 };
  fs.writeFileSync(f, JSON.stringify(doc) + ' ');
  const r = await s.scan();
  assert.equal(r.replaced, 1);
  assert.equal(totalOf(s.index.rows()).inputTokens, 3928 + 100);
  // A session file caught half-written is skipped and read once complete.
  const g3 = path.join(dir, 'gemini', 'tmp', 'abc123', 'chats', 'session-3.json');
  const full = JSON.stringify({ sessionId: 'g-3', messages: [{ id: 'm9', timestamp: '2026-05-19T08:00:00.000Z', type: 'gemini', model: 'gemini-2.5-pro', tokens: { input: 5, output: 5, cached: 0, thoughts: 0, tool: 0, total: 10 } }] });
  fs.writeFileSync(g3, full.slice(0, 50));
  assert.equal((await s.scan()).malformedLines, 1);
  fs.writeFileSync(g3, full);
  await s.scan();
  assert.equal(totalOf(s.index.rows()).requests, 4);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function makeOpencodeDb(file: string, rows: Array<[string, string, unknown]>, wal = false): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER, data TEXT NOT NULL)');
  for (const [id, session, data] of rows) db.run('INSERT INTO message (id, session_id, time_created, data) VALUES (?, ?, 0, ?)', [id, session, typeof data === 'string' ? data : JSON.stringify(data)]);
  const bytes = db.export();
  db.close();
  if (wal) {
    bytes[18] = 2;
    bytes[19] = 2;
  }
  fs.writeFileSync(file, bytes);
}

test('opencode: DB rows (sql.js) win over legacy JSON with the same id; reasoning billed as output; WAL-mode header', async () => {
  const dir = copyFixtures();
  const oc = path.join(dir, 'opencode');
  await makeOpencodeDb(path.join(oc, 'opencode.db'), [
    ['msg_01', 'ses_01', { id: 'msg_01', sessionID: 'ses_01', role: 'assistant', providerID: 'anthropic', modelID: 'claude-sonnet-4-20250514', time: { created: 1767312000000, completed: 1767312004100 }, tokens: { input: 100, output: 50, reasoning: 0, cache: { read: 10, write: 20 } }, cost: 0.02 }],
    ['msg_02', 'ses_01', { id: 'msg_02', sessionID: 'ses_01', role: 'user', time: { created: 1767312000000 } }],
    ['msg_03', 'ses_01', { id: 'msg_03', sessionID: 'ses_01', role: 'assistant', modelID: 'gpt-5', time: { created: 1767312100000 }, tokens: { input: 7, output: 3, reasoning: 2, cache: { read: 0, write: 0 } }, cost: 0 }],
    ['msg_04', 'ses_01', '{not json'],
  ], true);
  const { s, r } = await scanOnce(dir, { sources: { includeDefaults: false, opencodeDirs: [oc] } });
  const t = totalOf(s.index.rows(), { agents: ['opencode'] });
  assert.deepEqual(tok(t), { inputTokens: 108, outputTokens: 56, cacheReadTokens: 10, cacheWrite5mTokens: 20, cacheWrite1hTokens: 0, reasoningTokens: 2, requests: 3 });
  assert.equal(t.loggedCostUSD, 0.02, 'cost 0 (subscription) is left for the pricing engine');
  assert.equal(r.malformedLines, 1);
  assert.deepEqual(queryUsage(s.index.rows(), { groupBy: 'workspace', workspaceFolders: ['/home/dev'] }).map((g) => [g.key, g.requests]), [['/home/dev', 1]]);
  // A rescan without changes reads nothing; a changed DB is re-read and unchanged rows are not recounted.
  assert.equal((await s.scan()).bytesRead, 0);
  fs.appendFileSync(path.join(oc, 'opencode.db'), Buffer.alloc(0));
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(path.join(oc, 'opencode.db'), later, later);
  const r2 = await s.scan();
  assert.ok(r2.bytesRead > 0);
  assert.equal(r2.records, 0);
  assert.equal(totalOf(s.index.rows()).requests, 3);
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('sources: settings folders, CLAUDE_CONFIG_DIR list, CODEX_HOME, GEMINI_DATA_DIR list, OPENCODE_DATA_DIR, COPILOT_HOME, defaults', () => {
  const home = '/h';
  const d = resolveSources({}, {}, home);
  assert.deepEqual(d, {
    claude: ['/h/.config/claude', '/h/.claude'],
    codex: ['/h/.codex'],
    gemini: ['/h/.gemini/tmp'],
    opencode: ['/h/.local/share/opencode'],
    copilot: ['/h/.copilot'],
  });
  const e = resolveSources(
    { claudeConfigDirs: ['~/work-claude'], agents: ['claude-code', 'codex', 'gemini-cli'] },
    { CLAUDE_CONFIG_DIR: '/a, /b', CODEX_HOME: '/cx', GEMINI_DATA_DIR: '/g1,/g2', OPENCODE_DATA_DIR: '/oc' },
    home,
  );
  assert.deepEqual(e, { claude: ['/h/work-claude', '/a', '/b'], codex: ['/cx'], gemini: ['/g1', '/g2'], opencode: [], copilot: [] });
  // COPILOT_HOME replaces the whole root; the settings' homes come first.
  assert.deepEqual(resolveSources({ copilotHomes: ['~/cp-work'] }, { COPILOT_HOME: '/cp' }, home).copilot, ['/h/cp-work', '/cp']);
  assert.deepEqual(resolveSources({ codexHomes: ['/x'], includeDefaults: false }, { CODEX_HOME: '/cx' }, home).codex, ['/x']);
});

test('index: records from elsewhere (API) join the aggregates, idempotent by key, with their tool calls', () => {
  const idx = new UsageIndex();
  const record: UsageRecord = {
    agent: 'api', timestamp: Date.UTC(2026, 6, 11, 10), sessionId: 'ext.one', model: 'gpt-5', inputTokens: 10, outputTokens: 5, cacheReadTokens: 0,
    cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0, tools: [{ name: 'search', durationMs: 300, error: true }, { name: 'search' }],
  };
  idx.addRecords([{ record, key: 'api|1' }]);
  const again = idx.addRecords([{ record, key: 'api|1' }]);
  assert.equal(again.duplicates, 1);
  const t = totalOf(idx.rows(), { agents: ['api'] });
  assert.equal(t.requests, 1);
  assert.deepEqual(t.tools, { search: { count: 2, durationMs: 300, timedCount: 1, errors: 1 } });
});
