// `tokstat guard` run as a CI job or a git hook would: the compiled CLI against a temporary storage folder holding
// snapshot files and a usage index written with UsageIndex's own API. Exit 0 headroom, 1 none, 3 cannot tell, 2 bad args.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readDayRows, UsageIndex } from '../../../src/core/usage/usageIndex';
import type { UsageRecord } from '../../../src/core/usage/types';
import type { Meter, Snapshot } from '../../../src/shared/model';

const CLI = path.resolve(__dirname, '../../../src/cli/main.js');
const NOW = Date.UTC(2026, 8, 10, 12);
const MIN = 60_000;

function meter(id: string, o: Partial<Meter>): Meter {
  return { id, label: id, kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW - 5 * MIN, ...o };
}

interface Acc {
  id: string;
  name: string;
  providerId: string;
  meters: Meter[];
  status?: Snapshot['status'];
  takenAt?: number;
}

function storage(accounts: Acc[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-guard-'));
  fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
  for (const a of accounts) {
    const takenAt = a.takenAt ?? NOW - 5 * MIN;
    const snapshot: Snapshot = { accountId: a.id, takenAt, lastSuccessAt: takenAt, status: a.status ?? 'ok', meters: a.meters };
    fs.writeFileSync(path.join(dir, 'snapshots', `${a.id}.json`), JSON.stringify({ version: 1, snapshot, schedule: { failures: 0 } }));
  }
  fs.writeFileSync(path.join(dir, 'accounts.json'), JSON.stringify({ version: 1, accounts: accounts.map((a) => ({ id: a.id, name: a.name, providerId: a.providerId })) }));
  return dir;
}

const copilot: Acc = { id: 'acc1', name: 'Work', providerId: 'copilot', meters: [meter('premium', { used: 120, limit: 300, remaining: 180, percentUsed: 40 }), meter('chat', { unlimited: true })] };
const openrouter: Acc = { id: 'acc2', name: 'keys', providerId: 'openrouter', meters: [meter('credits', { kind: 'credits', unit: 'USD', used: 17, limit: 20, remaining: 3, percentUsed: 85 })] };

function guard(dir: string | undefined, args: string[]): { code: number | null; out: string; err: string } {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-guard-home-'));
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: h, USERPROFILE: h, XDG_CONFIG_HOME: path.join(h, '.config'), TZ: 'UTC', TOKSTAT_NOW: String(NOW) };
  const r = spawnSync(process.execPath, [CLI, 'guard', ...(dir ? ['--storage', dir] : []), ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function oneLine(r: { out: string }): string {
  const lines = r.out.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.out);
  return lines[0]!;
}

test('default rule: headroom while no selected meter is at or over its limit; unlimited meters are not checked', () => {
  const dir = storage([copilot, openrouter]);
  const r = guard(dir, []);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(oneLine(r), /^headroom \(2 checks\); tightest: keys \(openrouter\) credits \[credits\]: \$3\.00 left of \$20\.00 \(15%\)/);
  const full = storage([{ ...openrouter, meters: [meter('credits', { kind: 'credits', unit: 'USD', used: 20, limit: 20, remaining: 0, percentUsed: 100 })] }]);
  const n = guard(full, []);
  assert.equal(n.code, 1);
  assert.equal(oneLine(n), 'no headroom: keys (openrouter) credits [credits]: $0.00 left of $20.00 (0%), at or over its limit');
});

test('--min-remaining: percent, money and units, each with and without headroom', () => {
  const dir = storage([copilot, openrouter]);
  const cases: Array<[string[], number, RegExp]> = [
    [['--min-remaining', '10%'], 0, /^headroom/],
    [['--min-remaining', '20%'], 1, /^no headroom: keys \(openrouter\) credits \[credits\]: \$3\.00 left of \$20\.00 \(15%\), below 20%$/],
    [['--min-remaining', '$2.5'], 0, /^headroom \(1 check\); tightest: keys/],
    [['--min-remaining', '$5'], 1, /^no headroom: keys \(openrouter\) credits \[credits\]: \$3\.00 left of \$20\.00 \(15%\), below \$5\.00$/],
    [['--account', 'work', '--min-remaining', '150'], 0, /^headroom \(1 check\); tightest: Work \(copilot\) premium \[premium\]: 180 requests left of 300 requests \(60%\), ≥ 150 requests$/],
    [['--account', 'work', '--min-remaining', '200'], 1, /below 200 requests$/],
  ];
  for (const [args, code, line] of cases) {
    const r = guard(dir, args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.out}${r.err}`);
    assert.match(oneLine(r), line, args.join(' '));
  }
  // Money threshold on a meter that does not count money: cannot tell, not "no headroom".
  const m = guard(dir, ['--meter', 'premium', '--min-remaining', '$5']);
  assert.equal(m.code, 3);
  assert.match(oneLine(m), /^cannot tell: .*not money/);
  // With only non-money meters selected, `$X` finds nothing to check.
  const none = guard(dir, ['--provider', 'copilot', '--min-remaining', '$5']);
  assert.equal(none.code, 3);
  assert.match(oneLine(none), /no money meter/);
});

test('selection: --account (name or id, any case), --provider, --meter; no match is 3', () => {
  const dir = storage([copilot, openrouter]);
  for (const args of [['--account', 'WORK'], ['--account', 'acc1'], ['--provider', 'Copilot'], ['--meter', 'premium']]) {
    const r = guard(dir, [...args, '--min-remaining', '50%', '--json']);
    assert.equal(r.code, 0, args.join(' ') + r.out);
    const doc = JSON.parse(r.out);
    assert.deepEqual(doc.checks.map((c: { accountId: string; meter: string }) => `${c.accountId}/${c.meter}`), ['acc1/premium'], args.join(' '));
  }
  const r = guard(dir, ['--provider', 'openrouter', '--min-remaining', '50%']);
  assert.equal(r.code, 1);
  for (const [args, why] of [[['--account', 'nobody'], /no stored account matches account "nobody"/], [['--meter', 'nope'], /no meter "nope"/], [['--provider', 'copilot', '--account', 'keys'], /matches account "keys" and provider "copilot"/]] as const) {
    const x = guard(dir, [...args]);
    assert.equal(x.code, 3, args.join(' '));
    assert.match(oneLine(x), why);
  }
});

test('stale or failed snapshots cannot tell (3), unless another meter has no headroom (1)', () => {
  const old: Acc = { ...copilot, takenAt: NOW - 3 * 3_600_000, meters: [meter('premium', { used: 120, limit: 300, remaining: 180, capturedAt: NOW - 3 * 3_600_000 })] };
  const r = guard(storage([old]), []);
  assert.equal(r.code, 3);
  assert.equal(oneLine(r), 'cannot tell: Work (copilot) premium [premium]: figures are 3h old (over --max-age 2h)');
  assert.equal(guard(storage([old]), ['--max-age', '4h']).code, 0);
  const failed = guard(storage([{ ...copilot, status: 'auth-required' }]), []);
  assert.equal(failed.code, 3);
  assert.match(oneLine(failed), /last refresh failed \(auth-required\)/);
  const full: Acc = { ...openrouter, meters: [meter('credits', { kind: 'credits', unit: 'USD', limit: 20, remaining: 0 })] };
  const mixed = guard(storage([old, full]), []);
  assert.equal(mixed.code, 1);
  assert.match(oneLine(mixed), /^no headroom: keys/);
  // Unknown figures (no limit, no remaining: not selected; selected by --meter: cannot tell).
  const unknown = guard(storage([{ ...copilot, meters: [meter('premium', { used: 5 })] }]), ['--meter', 'premium']);
  assert.equal(unknown.code, 3);
  assert.match(oneLine(unknown), /remaining amount unknown/);
});

test('missing storage, snapshots or index: 3 with the reason; bad arguments: 2', () => {
  const none = guard(undefined, ['--json']);
  assert.equal(none.code, 3);
  const doc = JSON.parse(none.out);
  assert.equal(doc.exitCode, 3);
  assert.equal(doc.ok, false);
  assert.match(doc.reason, /no tokstat storage folder found/);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-guard-empty-'));
  const r = guard(empty, []);
  assert.equal(r.code, 3);
  assert.match(oneLine(r), /no snapshots in/);
  const noIndex = guard(storage([copilot]), ['--max-cost-today', '$5']);
  assert.equal(noIndex.code, 3);
  assert.match(oneLine(noIndex), /today's cost: no usage index in .*usage/);
  for (const args of [['--min-remaining', 'lots'], ['--min-remaining', '120%'], ['--max-age', '2 hours'], ['--max-cost-today', '€5'], ['--bogus']]) {
    const b = guard(empty, args);
    assert.equal(b.code, 2, args.join(' '));
    assert.match(b.err, /^tokstat: /);
  }
});

async function withIndex(dir: string, records: Array<{ ts: number; input: number; model?: string }>): Promise<void> {
  // Today is the local day of TOKSTAT_NOW in the CLI's TZ (UTC here); the index buckets by the same UTC day.
  const index = new UsageIndex({
    folder: path.join(dir, 'usage'),
    dayOf: (ts) => new Date(ts).toISOString().slice(0, 10),
    price: (r) => (r.model === 'mystery' ? { unpriced: true } : { costUSD: r.inputTokens / 1000, unpriced: false }),
  });
  const rec = (ts: number, input: number, model = 'gpt-x'): UsageRecord => ({
    agent: 'api', timestamp: ts, sessionId: 's', model, inputTokens: input, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0,
  });
  index.addRecords(records.map((r, i) => ({ record: rec(r.ts, r.input, r.model), key: `k${i}` })));
  await index.save(true);
}

test('--max-cost-today: today (local day) from the usage index; unpriced requests decide only when priced ones do not', async () => {
  const dir = storage([copilot]);
  // $3 today, $50 yesterday (not counted).
  await withIndex(dir, [{ ts: NOW - 3_600_000, input: 1000 }, { ts: NOW - 60_000, input: 2000 }, { ts: NOW - 86_400_000, input: 50_000 }]);
  const under = guard(dir, ['--max-cost-today', '$5']);
  assert.equal(under.code, 0, under.out + under.err);
  assert.equal(oneLine(under), "headroom (1 check); tightest: today's cost (2026-09-10) $3.00, under $5.00");
  const over = guard(dir, ['--max-cost-today', '3']);
  assert.equal(over.code, 1);
  assert.equal(oneLine(over), "no headroom: today's cost (2026-09-10) $3.00, at or over --max-cost-today $3.00");
  // Meters are checked too when asked for.
  const both = JSON.parse(guard(dir, ['--max-cost-today', '$5', '--min-remaining', '10%', '--json']).out);
  assert.deepEqual(both.checks.map((c: { kind: string }) => c.kind), ['meter', 'cost']);

  const unpriced = storage([copilot]);
  await withIndex(unpriced, [{ ts: NOW - 60_000, input: 1000 }, { ts: NOW - 30_000, input: 1, model: 'mystery' }]);
  const u = guard(unpriced, ['--max-cost-today', '$5']);
  assert.equal(u.code, 3);
  assert.equal(oneLine(u), "cannot tell: today's cost (2026-09-10) $1.00 + 1 unpriced request: under $5.00 but the unpriced requests could cost more");
  assert.equal(guard(unpriced, ['--max-cost-today', '$0.5']).code, 1);
});

test('--json: schemaVersion 1, ok, exitCode, reason, checks', () => {
  const dir = storage([copilot, openrouter]);
  const r = guard(dir, ['--json', '--account', 'keys', '--min-remaining', '10%']);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.out), {
    schemaVersion: 1,
    ok: true,
    exitCode: 0,
    reason: 'headroom (1 check); tightest: keys (openrouter) credits [credits]: $3.00 left of $20.00 (15%), ≥ 10%',
    storage: dir,
    checks: [
      {
        kind: 'meter', accountId: 'acc2', account: 'keys', providerId: 'openrouter', meter: 'credits', label: 'credits', unit: 'USD',
        remaining: 3, limit: 20, percentLeft: 15, threshold: { kind: 'percent', value: 10 }, ageMs: 5 * MIN, status: 'ok',
        result: 'headroom', reason: 'keys (openrouter) credits [credits]: $3.00 left of $20.00 (15%), ≥ 10%',
      },
    ],
  });
});

test("readDayRows (guard's fast path) gives the same rows of a day as a full load, journal included; falls back when the layout differs", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-guard-idx-'));
  const folder = path.join(dir, 'usage');
  const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);
  const index = new UsageIndex({ folder, dayOf, price: (r) => ({ costUSD: r.inputTokens / 1000, unpriced: false }) });
  const rec = (ts: number, input: number, session: string, tools?: UsageRecord['tools']): UsageRecord => ({
    agent: 'claude-code', timestamp: ts, sessionId: session, model: 'm', cwd: '/p "quoted" {x}', inputTokens: input, outputTokens: 1, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0, ...(tools ? { tools } : {}),
  });
  index.addRecords([{ record: rec(NOW, 1000, 'a'), key: '1' }, { record: rec(NOW - 86_400_000, 5000, 'a'), key: '2' }]);
  await index.save(true);
  // Journal lines after the snapshot: an update of today's row and a new session today.
  index.addRecords([{ record: rec(NOW + 1, 2000, 'a'), key: '3' }]);
  await index.save();
  index.addRecords([{ record: rec(NOW + 2, 500, 'b "}', [{ name: 'day', durationMs: 5 }]), key: '4' }]);
  await index.save();
  assert.ok(fs.existsSync(path.join(folder, 'usage-index.journal')), 'journal written');
  const byKey = (rows: Array<{ sessionId: string }>) => [...rows].sort((x, y) => (x.sessionId < y.sessionId ? -1 : 1));
  const full = new UsageIndex({ folder, dayOf });
  await full.load();
  for (const day of ['2026-09-10', '2026-09-09', '2026-09-08']) {
    const fast = await readDayRows(folder, day);
    assert.ok('rows' in fast);
    assert.deepEqual(byKey(fast.rows), byKey(full.rows().filter((r) => r.day === day)), day);
  }
  const today = await readDayRows(folder, '2026-09-10');
  assert.ok('rows' in today);
  assert.equal(today.rows.reduce((s, r) => s + r.costUSD, 0), 3.5);
  assert.deepEqual(await readDayRows(path.join(dir, 'none'), '2026-09-10'), { missing: 'none' });
  fs.writeFileSync(path.join(folder, 'usage-index.json'), '{"version":1,"rows":[]}');
  assert.deepEqual(await readDayRows(folder, '2026-09-10'), { missing: 'version' });
});
