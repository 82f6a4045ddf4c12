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
    schemaVersion: 1,
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
  assert.deepEqual(JSON.parse(r.out), { schemaVersion: 1, storage, accounts: [{ name: 'work', providerId: 'copilot', ageMs: 300_000, ...snapshot }] });
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

test('help: the command list, the options of each command, and `help <command>`', () => {
  const h = home();
  const top = cli(h, ['--help']);
  assert.equal(top.code, 0);
  assert.match(top.out, /^Commands:$/m);
  for (const c of ['usage', 'blocks', 'quota']) assert.match(top.out, new RegExp(`^  ${c}\\s+\\S`, 'm'), c);
  const u = cli(h, ['usage', '--help']);
  assert.equal(u.code, 0);
  assert.match(u.out, /^Usage: tokstat usage \[daily\|monthly\|session\|model\] \[options\]$/m);
  assert.match(u.out, /-s, --since DATE\s+from this day \(YYYY-MM-DD or YYYYMMDD\)/);
  assert.match(u.out, /-b, --breakdown/);
  assert.equal(cli(h, ['help', 'blocks']).out, cli(h, ['blocks', '-h']).out);
  assert.match(cli(h, ['help', 'blocks']).out, /--active/);
  assert.equal(cli(h, []).code, 2, 'no command: the help, exit 2');
});

test('short flags and YYYYMMDD dates mean the same as the long forms', () => {
  const h = home();
  const long = JSON.parse(cli(h, ['usage', 'session', '--json', '--offline', '--since', '2026-09-08', '--until', '2026-09-30', '--agent', 'codex']).out);
  const short = JSON.parse(cli(h, ['usage', 'session', '-j', '-O', '-s', '20260908', '-u', '20260930', '-a', 'codex']).out);
  assert.deepEqual(short, long);
  assert.equal(short.since, '2026-09-08');
  for (const bad of ['20260231', '2026-13-01', '26-09-08']) {
    const r = cli(h, ['usage', '-O', '--since', bad]);
    assert.equal(r.code, 2, bad);
    assert.match(r.err, /--since must be a date YYYY-MM-DD or YYYYMMDD/);
  }
});

test('colour: on with FORCE_COLOR or --color, off with NO_COLOR or --no-color, off when not a terminal; JSON never', () => {
  const h = home();
  const esc = /\x1b\[/;
  assert.ok(!esc.test(cli(h, ['usage', '-O']).out), 'not a terminal: plain');
  assert.ok(esc.test(cli(h, ['usage', '-O'], { FORCE_COLOR: '1' }).out), 'FORCE_COLOR=1');
  assert.ok(!esc.test(cli(h, ['usage', '-O'], { FORCE_COLOR: '0' }).out), 'FORCE_COLOR=0');
  assert.ok(esc.test(cli(h, ['usage', '-O', '--color']).out), '--color');
  assert.ok(esc.test(cli(h, ['usage', '-O', '--color'], { NO_COLOR: '1' }).out), '--color wins over NO_COLOR');
  assert.ok(!esc.test(cli(h, ['usage', '-O'], { NO_COLOR: '1', FORCE_COLOR: '1' }).out), 'NO_COLOR wins over FORCE_COLOR');
  assert.ok(!esc.test(cli(h, ['usage', '-O', '--no-color'], { FORCE_COLOR: '1' }).out), '--no-color');
  assert.ok(!esc.test(cli(h, ['usage', '-O', '-j'], { FORCE_COLOR: '1' }).out), 'JSON is never coloured');
  // Coloured or not, the columns line up the same.
  const strip = (t: string) => t.replace(/\x1b\[\d+m/g, '');
  assert.equal(strip(cli(h, ['usage', '-O'], { FORCE_COLOR: '1' }).out), cli(h, ['usage', '-O']).out);
});

test('--compact keeps the key, tokens in and out, total and cost', () => {
  const h = home();
  const r = cli(h, ['usage', '-O', '--compact']);
  const lines = r.out.trimEnd().split('\n');
  assert.match(lines[0]!, /^Date\s+Input\s+Output\s+Total tokens\s+Cost \(USD\)$/);
  assert.match(lines.at(-1)!, /^Total\s+1,227\s+1,016\s+87,507\s+\$0\.22 \+1 unpriced$/);
  assert.ok(Math.max(...lines.map((l) => l.length)) < 80, 'fits an 80-column terminal');
});

test('--breakdown: a line per model under each row, and per model in JSON', () => {
  const h = home();
  const doc = JSON.parse(cli(h, ['usage', 'monthly', '-j', '-O', '-b']).out);
  assert.deepEqual(doc.rows.map((r: { key: string; models: Array<{ key: string; requests: number }> }) => [r.key, r.models.map((m) => [m.key, m.requests])]), [
    ['2026-09', [['claude-sonnet-4-5-20250929', 1], ['gpt-5-codex', 1]].sort()],
    ['2026-10', [['claude-mystery-9', 1]]],
  ]);
  const text = cli(h, ['usage', 'daily', '-O', '-b']).out;
  assert.match(text, /^2026-09-07 .*\n\s+└ claude-sonnet-4-5-20250929\s/m);
});

test('blocks: Claude Code 5-hour blocks, the running one with its projection; --active; JSON', () => {
  const h = home();
  const at = (iso: string) => String(Date.parse(iso));
  const all = JSON.parse(cli(h, ['blocks', '-j', '-O'], { TOKSTAT_NOW: at('2026-10-01T11:00:00Z') }).out);
  assert.equal(all.schemaVersion, 1);
  assert.deepEqual(all.blocks.map((b: { start: string; end: string; active: boolean; requests: number }) => [b.start, b.end, b.active, b.requests]), [
    ['2026-09-07T05:00:00.000Z', '2026-09-07T10:00:00.000Z', false, 1],
    ['2026-10-01T10:00:00.000Z', '2026-10-01T15:00:00.000Z', true, 1],
  ]);
  const running = all.blocks[1];
  assert.deepEqual(running.projection, { totalTokens: 750, costUSD: 0, remainingMinutes: 240 }, '150 tokens in the first hour of five: 750 at this pace');
  assert.equal(all.blocks[0].projection, null);
  const active = JSON.parse(cli(h, ['blocks', '--active', '-j', '-O'], { TOKSTAT_NOW: at('2026-10-01T11:00:00Z') }).out);
  assert.equal(active.blocks.length, 1);
  const none = cli(h, ['blocks', '--active', '-O'], { TOKSTAT_NOW: at('2026-12-01T00:00:00Z') });
  assert.equal(none.out.trim(), 'No Claude Code block is running now.');
  const table = cli(h, ['blocks', '-O'], { TOKSTAT_NOW: at('2026-10-01T11:00:00Z') }).out;
  assert.match(table, /^2026-10-01 10:00\s+active, 240m left\s+claude-mystery-9\s/m);
  assert.match(table, /projected at this pace\s+~750/);
  const withModels = JSON.parse(cli(h, ['blocks', '-j', '-O', '-b'], { TOKSTAT_NOW: at('2026-10-01T11:00:00Z') }).out);
  assert.deepEqual(withModels.blocks.map((b: { byModel: Array<{ key: string; requests: number; totalTokens: number }> }) => b.byModel.map((m) => [m.key, m.requests, m.totalTokens])), [
    [['claude-sonnet-4-5-20250929', 1, 74950]],
    [['claude-mystery-9', 1, 150]],
  ]);
});

test('a price list that cannot be downloaded is one quiet line, then not tried again for an hour', () => {
  const h = home();
  const first = cli(h, ['usage', '-j']);
  assert.equal(first.code, 0);
  assert.deepEqual(first.err.trim().split('\n'), ['tokstat: prices from the bundled list (the LiteLLM price list could not be downloaded; next try in an hour)']);
  assert.equal(JSON.parse(first.out).prices.source, 'bundled');
  assert.ok(fs.existsSync(path.join(h, '.cache', 'tokstat', 'prices-failed-at')), 'the failure is remembered in the CLI cache');
  const second = cli(h, ['usage', '-j']);
  assert.equal(second.code, 0);
  assert.equal(second.err, '', 'within the hour: no download tried, nothing said');
  const later = cli(h, ['usage', '-j'], { TOKSTAT_NOW: String(Date.now() + 2 * 3_600_000) });
  assert.match(later.err, /could not be downloaded/, 'after the hour it tries again');
});
