// Runs the compiled CLI (out/src/cli/main.js) as a user would, against fixture logs in a temporary HOME.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const CLI = path.resolve(__dirname, '../../../src/cli/main.js');

function home(): string {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-cli-'));
  const claude = path.join(h, '.claude', 'projects', '-home-dev-p');
  fs.mkdirSync(claude, { recursive: true });
  const line = (id: string, ts: string, model: string, u: Record<string, unknown>) =>
    JSON.stringify({ type: 'assistant', uuid: `u-${id}`, isSidechain: false, timestamp: ts, sessionId: 'sess-a', requestId: `req_${id}`, cwd: '/home/dev/p', version: '2.1.260', message: { id: `msg_${id}`, type: 'message', role: 'assistant', model, usage: u } });
  fs.writeFileSync(
    path.join(claude, 'sess-a.jsonl'),
    [
      line('1', '2026-09-07T05:44:13.000Z', 'claude-sonnet-4-5-20250929', { input_tokens: 2, cache_creation_input_tokens: 32271, cache_read_input_tokens: 42113, output_tokens: 564, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 32271 } }),
      // The same response repeated (one line per content block) is counted once.
      line('1', '2026-09-07T05:44:13.000Z', 'claude-sonnet-4-5-20250929', { input_tokens: 2, cache_creation_input_tokens: 32271, cache_read_input_tokens: 42113, output_tokens: 564, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 32271 } }),
      line('2', '2026-10-01T10:00:00.000Z', 'claude-mystery-9', { input_tokens: 100, output_tokens: 50 }),
      '{"truncated',
    ].join('\n') + '\n',
  );
  const codex = path.join(h, '.codex', 'sessions', '2026', '09', '08');
  fs.mkdirSync(codex, { recursive: true });
  fs.writeFileSync(
    path.join(codex, 'rollout-2026-09-08T12-00-00-00000000-0000-0000-0000-0000000000bb.jsonl'),
    [
      { timestamp: '2026-09-08T12:00:00.000Z', type: 'session_meta', payload: { id: '00000000-0000-0000-0000-0000000000bb', cwd: '/home/dev/q' } },
      { timestamp: '2026-09-08T12:00:00.000Z', type: 'turn_context', payload: { cwd: '/home/dev/q', model: 'gpt-5-codex' } },
      { timestamp: '2026-09-08T12:00:05.120Z', type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { input_tokens: 12005, cached_input_tokens: 10880, output_tokens: 402, reasoning_output_tokens: 256, total_tokens: 12407 }, last_token_usage: { input_tokens: 12005, cached_input_tokens: 10880, output_tokens: 402, reasoning_output_tokens: 256, total_tokens: 12407 } } } },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n') + '\n',
  );
  return h;
}

function cli(h: string, args: string[], extraEnv: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: h, USERPROFILE: h, TZ: 'UTC', TOKSTAT_PRICES_URL: 'http://127.0.0.1:9/none', ...extraEnv };
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const sonnetCost = (2 * 3 + 564 * 15 + 32271 * 6 + 42113 * 0.3) / 1e6;
const codexCost = (1125 * 1.25 + 10880 * 0.125 + 402 * 10) / 1e6;
const r6 = (n: number) => Math.round(n * 1e6) / 1e6;

test('usage daily --json: exact rows and totals, unpriced model kept as null', () => {
  const h = home();
  const r = cli(h, ['usage', 'daily', '--json', '--offline']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  const base = { cacheWriteTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0, reasoningTokens: 0, unpricedRequests: 0 };
  assert.deepEqual(doc, {
    report: 'daily',
    since: null,
    until: null,
    agents: null,
    prices: { source: 'bundled', bundled: doc.prices.bundled, fetchedAt: null },
    rows: [
      { ...base, key: '2026-09-07', agents: ['claude-code'], requests: 1, inputTokens: 2, outputTokens: 564, cacheWriteTokens: 32271, cacheWrite1hTokens: 32271, cacheReadTokens: 42113, totalTokens: 74950, costUSD: r6(sonnetCost) },
      { ...base, key: '2026-09-08', agents: ['codex'], requests: 1, inputTokens: 1125, outputTokens: 402, cacheReadTokens: 10880, reasoningTokens: 256, totalTokens: 12407, costUSD: r6(codexCost) },
      { ...base, key: '2026-10-01', agents: ['claude-code'], requests: 1, inputTokens: 100, outputTokens: 50, totalTokens: 150, costUSD: null, unpricedRequests: 1 },
    ],
    totals: { ...base, key: 'total', requests: 3, inputTokens: 1227, outputTokens: 1016, cacheWriteTokens: 32271, cacheWrite1hTokens: 32271, cacheReadTokens: 52993, reasoningTokens: 256, totalTokens: 87507, costUSD: r6(sonnetCost + codexCost), unpricedRequests: 1 },
  });
  assert.match(doc.prices.bundled, /^@pydantic\/genai-prices@/);
});

test('usage monthly/model/session with filters', () => {
  const h = home();
  const m = JSON.parse(cli(h, ['usage', 'monthly', '--json', '--offline']).out);
  assert.deepEqual(m.rows.map((x: { key: string; requests: number }) => [x.key, x.requests]), [['2026-09', 2], ['2026-10', 1]]);
  const mo = JSON.parse(cli(h, ['usage', 'model', '--json', '--offline', '--agent', 'codex']).out);
  assert.deepEqual(mo.rows.map((x: { key: string }) => x.key), ['gpt-5-codex']);
  assert.deepEqual(mo.agents, ['codex']);
  const s = JSON.parse(cli(h, ['usage', 'session', '--json', '--offline', '--since', '2026-09-08', '--until', '2026-09-30']).out);
  assert.equal(s.rows.length, 1);
  assert.equal(s.totals.requests, 1);
  assert.equal(s.since, '2026-09-08');
});

test('usage table: aligned columns, totals row, "unpriced"', () => {
  const h = home();
  const r = cli(h, ['usage', '--offline']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.match(lines[0]!, /^Date\s+Agents\s+Requests\s+Input\s+Output\s+Cache write\s+Cache read\s+Total tokens\s+Cost \(USD\)$/);
  assert.match(lines.at(-1)!, /^Total\s+3\s+1,227\s+1,016\s+32,271\s+52,993\s+87,507\s+\$0\.22 \+1 unpriced$/);
  assert.ok(lines.some((l) => /^2026-10-01\s.*\sunpriced$/.test(l)));
  // Right-aligned numbers: every data line has the same length as the header's cost column end.
  const widths = new Set(lines.filter((l) => !l.startsWith('─')).map((l) => l.length));
  assert.ok(widths.size <= 2, [...widths].join(','));
});

test('bad arguments exit 2 with a message', () => {
  const h = home();
  for (const args of [['usage', 'weekly'], ['usage', '--since', '2026/01/01'], ['usage', '--agent', 'cursor'], ['usage', '--bogus'], ['frobnicate']]) {
    const r = cli(h, args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /^tokstat: /);
  }
});

test('quota --json: stored snapshots with their age; clear message without storage', () => {
  const h = home();
  const now = Date.UTC(2026, 8, 10, 12);
  const none = cli(h, ['quota', '--json'], { TOKSTAT_NOW: String(now) });
  assert.equal(none.code, 1);
  assert.match(JSON.parse(none.out).message, /no tokstat storage folder found/);

  const storage = path.join(h, '.config', 'Code', 'User', 'globalStorage', 'tokstat.tokstat');
  fs.mkdirSync(path.join(storage, 'snapshots'), { recursive: true });
  const snapshot = {
    accountId: 'acc1',
    takenAt: now - 5 * 60_000,
    lastSuccessAt: now - 5 * 60_000,
    status: 'ok',
    plan: 'Pro',
    meters: [{ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', used: 120, limit: 300, remaining: 180, percentUsed: 40, resetsAt: now + 86_400_000, source: 'official', capturedAt: now - 5 * 60_000 }],
  };
  fs.writeFileSync(path.join(storage, 'snapshots', 'acc1.json'), JSON.stringify({ version: 1, snapshot, schedule: { failures: 0 } }));
  fs.writeFileSync(path.join(storage, 'snapshots', 'broken.json'), '{not json');
  fs.writeFileSync(path.join(storage, 'accounts.json'), JSON.stringify({ version: 1, accounts: [{ id: 'acc1', name: 'work', providerId: 'copilot' }] }));
  const r = cli(h, ['quota', '--json'], { TOKSTAT_NOW: String(now) });
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { storage, accounts: [{ name: 'work', providerId: 'copilot', ageMs: 300_000, ...snapshot }] });
  const text = cli(h, ['quota', '--storage', storage], { TOKSTAT_NOW: String(now) });
  assert.equal(text.code, 0);
  assert.equal(text.out, 'work (copilot) — up to date, 5m ago, Pro\n  Premium requests: 40% (120 / 300 requests), resets in 1d\n');
});

test('--version, -v and -V print the version and exit 0 (dev from tsc output; the release check runs the bundle)', () => {
  for (const flag of ['--version', '-v', '-V']) {
    const r = spawnSync(process.execPath, [CLI, flag], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${flag}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), 'dev', flag);
  }
});

test('an agent folder variable that names a file, nothing or / says so and exits 1 (never "No usage found")', () => {
  const h = home();
  const file = path.join(h, 'not-a-folder.txt');
  fs.writeFileSync(file, 'x');
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ CLAUDE_CONFIG_DIR: file }, /CLAUDE_CONFIG_DIR points at ".*not-a-folder\.txt", which is a file, not a folder/],
    [{ CLAUDE_CONFIG_DIR: '/' }, /CLAUDE_CONFIG_DIR is "\/", the filesystem root/],
    [{ CLAUDE_CONFIG_DIR: `${path.join(h, '.claude')},${path.join(h, 'missing')}` }, /CLAUDE_CONFIG_DIR points at ".*missing", which does not exist/],
    [{ CODEX_HOME: file }, /CODEX_HOME points at ".*", which is a file, not a folder/],
    [{ CODEX_HOME: '/' }, /CODEX_HOME is "\/", the filesystem root/],
    [{ GEMINI_DATA_DIR: file }, /GEMINI_DATA_DIR points at/],
    [{ OPENCODE_DATA_DIR: path.join(file, 'sub') }, /OPENCODE_DATA_DIR points at ".*", which does not exist/],
  ];
  for (const [env, message] of cases) {
    for (const args of [['usage', 'daily', '--offline'], ['usage', 'daily', '--json', '--offline']]) {
      const r = cli(h, args, env);
      assert.equal(r.code, 1, `${JSON.stringify(env)} ${args.join(' ')}: ${r.out}`);
      assert.match(r.err, message);
      assert.ok(!r.out.includes('No usage found'), r.out);
    }
  }
  // Only the agents being read are checked; a good folder passes.
  assert.equal(cli(h, ['usage', 'daily', '--offline', '--agent', 'codex'], { CLAUDE_CONFIG_DIR: file }).code, 0);
  const ok = cli(h, ['usage', 'daily', '--offline'], { CLAUDE_CONFIG_DIR: path.join(h, '.claude') });
  assert.equal(ok.code, 0, ok.err);
});
