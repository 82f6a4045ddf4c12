// The CLI's persisted usage index (src/cli/usageCache.ts): a repeat run continues from the index and equals a cold
// read, after appends, a file cut mid-response, a truncated or replaced log, new prices; concurrent runs, with an
// extension-style writer on the same index.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { generateCorpus } from '../../support/corpus';
import { readUsage, usageCacheFolder, type UsageReadOptions } from '../../../src/cli/usageCache';
import { resolveSources } from '../../../src/core/usage/sources';
import { FileLease } from '../../../src/core/state/lease';
import { nullLogger } from '../../../src/core/log';
import { cliCacheDir } from '../../../src/cli/cache';
import { UsageIndex } from '../../../src/core/usage/usageIndex';
import type { PriceFn, UsageRow } from '../../../src/core/usage/types';
import { UsageScanner } from '../../../src/core/usage/scanner';
import { PricingService } from '../../../src/core/usage/pricingStore';

const CLI = path.resolve(__dirname, '../../../src/cli/main.js');
const price: PriceFn = (r) => ({ costUSD: (r.inputTokens * 3 + r.outputTokens * 15 + r.cacheReadTokens * 0.3) / 1e6, unpriced: false });

function setup(targetBytes = 400_000): { dir: string; opts: UsageReadOptions; cuts: Array<{ file: string; offset: number }> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-cli-cache-'));
  const c = generateCorpus(path.join(dir, 'corpus'), { seed: 5, targetBytes });
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  const env = { CLAUDE_CONFIG_DIR: c.claudeConfigDir, CODEX_HOME: c.codexHome };
  return { dir, cuts: c.cuts, opts: { env, home, agents: ['claude-code', 'codex'], price, pricesFingerprint: 'p1', version: 'test', cacheDir: path.join(dir, 'cache') } };
}

/** Rows in a stable order, costs rounded (sums in another order differ in the last bits). */
function canon(rows: readonly UsageRow[]): string[] {
  return rows.map((r) => JSON.stringify({ ...r, costUSD: Math.round(r.costUSD * 1e9), loggedCostUSD: Math.round(r.loggedCostUSD * 1e9) })).sort();
}

async function cold(opts: UsageReadOptions): Promise<string[]> {
  const { cacheDir: _c, ...rest } = opts;
  const r = await readUsage(rest);
  assert.equal(r.cache, 'off');
  return canon(r.rows);
}

function claudeLine(id: string, ts: string, input: number, output: number): string {
  return JSON.stringify({ type: 'assistant', uuid: `u-${id}`, isSidechain: false, timestamp: ts, sessionId: 'sess-new', requestId: `req_${id}`, cwd: '/home/dev/n', message: { id: `msg_${id}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: input, output_tokens: output } } }) + '\n';
}

test('a repeat run reads only what was appended and equals a cold read', async () => {
  const { dir, opts } = setup();
  try {
    const first = await readUsage(opts);
    assert.equal(first.cache, 'cold');
    assert.equal(first.saved, true);
    assert.ok(first.scan.bytesRead > 300_000);
    assert.deepEqual(canon(first.rows), await cold(opts));
    const again = await readUsage(opts);
    assert.equal(again.cache, 'warm');
    assert.equal(again.scan.bytesRead, 0, 'nothing changed: nothing read');
    assert.deepEqual(canon(again.rows), canon(first.rows));
    const file = path.join(opts.env.CLAUDE_CONFIG_DIR!, 'projects', '-home-dev-n', 'sess-new.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const added = claudeLine('n1', '2026-03-01T10:00:00.000Z', 100, 20) + claudeLine('n2', '2026-03-01T10:05:00.000Z', 200, 40);
    fs.writeFileSync(file, added);
    const after = await readUsage(opts);
    assert.equal(after.cache, 'warm');
    assert.equal(after.scan.bytesRead, Buffer.byteLength(added), 'only the new file is read');
    assert.deepEqual(canon(after.rows), await cold(opts));
    const more = claudeLine('n3', '2026-03-01T11:00:00.000Z', 7, 3);
    fs.appendFileSync(file, more);
    const appended = await readUsage(opts);
    assert.equal(appended.scan.bytesRead, Buffer.byteLength(more), 'only the appended line is read');
    const rows = canon(appended.rows);
    assert.deepEqual(rows, await cold(opts));
    assert.equal(appended.rows.filter((r) => r.sessionId === 'sess-new').reduce((s, r) => s + r.requests, 0), 3);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a log cut in the middle of a streamed response, completed later, counts as a cold read does', async () => {
  const { dir, opts, cuts } = setup();
  try {
    assert.ok(cuts.length > 0);
    const saved = cuts.slice(0, 5).map((c) => ({ ...c, text: fs.readFileSync(c.file) }));
    for (const c of saved) fs.truncateSync(c.file, c.offset);
    await readUsage(opts);
    for (const c of saved) fs.writeFileSync(c.file, c.text);
    const r = await readUsage(opts);
    assert.equal(r.cache, 'warm');
    assert.deepEqual(canon(r.rows), await cold(opts));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated or rotated log: the index keeps what it counted and reads the new file from its start', async () => {
  const { dir, opts } = setup();
  try {
    const file = path.join(opts.env.CLAUDE_CONFIG_DIR!, 'projects', '-home-dev-r', 'sess-r.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, claudeLine('r1', '2026-03-02T10:00:00.000Z', 1000, 100) + claudeLine('r2', '2026-03-02T10:01:00.000Z', 1000, 100));
    const before = await readUsage(opts);
    const sum = (rows: UsageRow[]) => rows.filter((r) => r.sessionId === 'sess-new').reduce((s, r) => s + r.inputTokens, 0);
    const inputOf = (rows: UsageRow[]) => rows.reduce((s, r) => s + r.inputTokens, 0);
    assert.equal(sum(before.rows), 2000);
    // Truncated and rewritten shorter (an editor's save, a log rotated in place): the new content is read from 0.
    fs.writeFileSync(file, claudeLine('r3', '2026-03-02T11:00:00.000Z', 5, 1));
    const truncated = await readUsage(opts);
    assert.equal(truncated.scan.bytesRead, fs.statSync(file).size);
    // History is kept (aggregates are never rebuilt from the files): the two earlier responses stay counted.
    assert.equal(sum(truncated.rows), 2005);
    // Rotated: the file moved aside (same inode, same cursor) and a new one at its path.
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, claudeLine('r4', '2026-03-02T12:00:00.000Z', 9, 1));
    const rotated = await readUsage(opts);
    assert.equal(sum(rotated.rows), 2014);
    // The whole index still equals the counts of everything ever read: a cold read of today's files plus the lost lines.
    assert.equal(inputOf(rotated.rows), inputOf(before.rows) + 5 + 9);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('new prices or a new CLI version rebuild the index; --no-cache neither reads nor writes it', async () => {
  const { dir, opts } = setup(150_000);
  try {
    const folder = usageCacheFolder(opts.cacheDir!, resolveSources({ agents: opts.agents }, opts.env, opts.home));
    await readUsage(opts);
    assert.equal((await readUsage(opts)).cache, 'warm');
    const dearer: PriceFn = (r) => ({ costUSD: price(r).costUSD! * 2, unpriced: false });
    const repriced = await readUsage({ ...opts, price: dearer, pricesFingerprint: 'p2' });
    assert.equal(repriced.cache, 'cold', 'stored costs were computed with the old prices');
    assert.deepEqual(canon(repriced.rows), await cold({ ...opts, price: dearer }));
    assert.equal((await readUsage({ ...opts, version: 'next', pricesFingerprint: 'p2', price: dearer })).cache, 'cold');
    const before = fs.statSync(path.join(folder, 'usage-index.json')).mtimeMs;
    const off = await readUsage({ ...opts, cacheDir: undefined });
    assert.equal(off.cache, 'off');
    assert.equal(fs.statSync(path.join(folder, 'usage-index.json')).mtimeMs, before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('while another run holds the writer lease, a run reads the index, catches up in memory and saves nothing', async () => {
  const { dir, opts } = setup(150_000);
  try {
    await readUsage(opts);
    const folder = usageCacheFolder(opts.cacheDir!, resolveSources({ agents: opts.agents }, opts.env, opts.home));
    const other = new FileLease({ dir: path.join(folder, 'writer.lock'), log: nullLogger });
    assert.equal(await other.tryAcquire(), true);
    const file = path.join(opts.env.CLAUDE_CONFIG_DIR!, 'projects', '-home-dev-n', 'sess-new.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, claudeLine('l1', '2026-03-03T10:00:00.000Z', 11, 2));
    const index = path.join(folder, 'usage-index.json');
    const mtime = fs.statSync(index).mtimeMs;
    const busy = await readUsage(opts);
    assert.equal(busy.cache, 'warm');
    assert.equal(busy.saved, false);
    assert.equal(busy.scan.bytesRead, fs.statSync(file).size);
    assert.deepEqual(canon(busy.rows), await cold(opts));
    assert.equal(fs.statSync(index).mtimeMs, mtime);
    assert.equal(fs.existsSync(path.join(folder, 'usage-index.journal')), false, 'no journal line written either');
    await other.release();
    const next = await readUsage(opts);
    assert.equal(next.saved, true);
    assert.equal(next.scan.bytesRead, fs.statSync(file).size, 'what the busy run read was not saved: read again');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt or torn index is read as none: rebuilt from the logs, same figures', async () => {
  const { dir, opts } = setup(150_000);
  try {
    const first = canon((await readUsage(opts)).rows);
    const folder = usageCacheFolder(opts.cacheDir!, resolveSources({ agents: opts.agents }, opts.env, opts.home));
    const file = path.join(folder, 'usage-index.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 1000));
    const r = await readUsage(opts);
    assert.equal(r.cache, 'cold');
    assert.equal(r.saved, true);
    assert.deepEqual(canon(r.rows), first);
    assert.equal((await readUsage(opts)).cache, 'warm', 'the rebuilt index is used again');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

test('two CLI processes at once on the same cache, with appends between runs: every run equals a cold read', async () => {
  const { dir, opts } = setup(600_000);
  try {
    const env = { HOME: opts.home, USERPROFILE: opts.home, XDG_CACHE_HOME: opts.cacheDir!, CLAUDE_CONFIG_DIR: opts.env.CLAUDE_CONFIG_DIR!, CODEX_HOME: opts.env.CODEX_HOME! };
    const args = ['usage', 'daily', '--json', '--offline', '--agent', 'claude-code,codex'];
    const totals = (out: string) => JSON.stringify((JSON.parse(out) as { rows: unknown }).rows);
    const file = path.join(opts.env.CLAUDE_CONFIG_DIR!, 'projects', '-home-dev-n', 'sess-new.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (let round = 0; round < 3; round++) {
      fs.appendFileSync(file, claudeLine(`c${round}`, `2026-03-04T1${round}:00:00.000Z`, 100 + round, 10));
      const [a, b] = await Promise.all([runCli(args, env), runCli(args, env)]);
      const ref = await runCli([...args, '--no-cache'], env);
      assert.equal(a.code, 0, a.err);
      assert.equal(b.code, 0, b.err);
      assert.equal(totals(a.out), totals(ref.out), `round ${round}: first process`);
      assert.equal(totals(b.out), totals(ref.out), `round ${round}: second process`);
    }
    // The index left behind is whole (loads without a rebuild) and has read the appended log to its end.
    const folder = usageCacheFolder(cliCacheDir(env, opts.home), resolveSources({ agents: opts.agents }, opts.env, opts.home));
    const index = new UsageIndex({ folder });
    await index.load();
    assert.equal(index.rebuildReason, undefined);
    const cursor = Object.values(index.cursors()).find((c) => c.path === file);
    assert.equal(cursor?.offset, fs.statSync(file).size);
    assert.equal(fs.existsSync(path.join(folder, 'writer.lock')), false, 'the lease was released');
    const leftovers = fs.readdirSync(folder).filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('two CLI processes and an extension-style writer on the same cache at once: nothing torn, every total exact', async () => {
  const { dir, opts } = setup(300_000);
  try {
    const env = { HOME: opts.home, USERPROFILE: opts.home, XDG_CACHE_HOME: opts.cacheDir!, CLAUDE_CONFIG_DIR: opts.env.CLAUDE_CONFIG_DIR!, CODEX_HOME: opts.env.CODEX_HOME! };
    const args = ['usage', 'daily', '--json', '--offline', '--agent', 'claude-code,codex'];
    type Row = { key: string; requests: number; inputTokens: number; outputTokens: number };
    const rowsOf = (r: { code: number | null; out: string; err: string }): Row[] => {
      assert.equal(r.code, 0, r.err);
      return (JSON.parse(r.out) as { rows: Row[] }).rows;
    };
    // The writer appends one request a time to a log of its own day (input 1, output 1), as an agent does, and indexes
    // it the way an extension window does: the same index files, the same writer lease, the same prices as the CLI.
    const DAY = '2027-01-05';
    const file = path.join(opts.env.CLAUDE_CONFIG_DIR!, 'projects', '-home-dev-w', 'sess-new.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let appended = 0;
    const append = () => fs.appendFileSync(file, claudeLine(`w${++appended}`, `${DAY}T10:00:00.000Z`, 1, 1));
    append();
    rowsOf(await runCli(args, env)); // creates the index (cache.json, usage-index.json)
    const folder = usageCacheFolder(cliCacheDir(env, opts.home), resolveSources({ agents: opts.agents }, opts.env, opts.home));
    const prices = new PricingService({ offline: true, cacheFile: path.join(dir, 'no-prices.json') });
    await prices.init();
    const lease = new FileLease({ dir: path.join(folder, 'writer.lock'), log: nullLogger });
    const writer = new UsageScanner({ env: opts.env, home: opts.home, sources: { agents: opts.agents }, storageFolder: folder, price: prices.book.priceFn, mode: 'inline', watch: false, rescanMs: 0, saveDelayMs: 0, canPersist: () => lease.isHeld() });
    await writer.load();
    /**
     * Every output must be a cold read of the logs at some moment: the corpus's days exactly as the final cold read
     * has them, and of the writer's day a whole number of the writer's requests, no more than were appended.
     */
    const exact = (rows: Row[], ref: Row[], label: string) => {
      assert.deepEqual(rows.filter((r) => r.key !== DAY), ref.filter((r) => r.key !== DAY), label);
      const d = rows.find((r) => r.key === DAY);
      assert.ok(d, label);
      assert.ok(d.requests >= 1 && d.requests <= appended && d.inputTokens === d.requests && d.outputTokens === d.requests, `${label}: ${JSON.stringify(d)} of ${appended}`);
    };
    /** Two CLI runs at once while the writer appends, indexes and (holding the lease or taking it) saves until both exit. */
    const race = async (takeLease: () => Promise<unknown>) => {
      const running = [runCli(args, env), runCli(args, env)];
      let live = running.length;
      for (const p of running) void p.then(() => live--);
      let rounds = 0;
      while (live > 0 || rounds < 2) {
        await takeLease();
        append();
        await writer.scan();
        rounds++;
      }
      return { outs: await Promise.all(running), rounds };
    };
    // 1. The writer holds the lease throughout: both CLI runs read what it saves while it saves, and save nothing.
    assert.equal(await lease.tryAcquire(), true);
    const held = await race(async () => undefined);
    await lease.release();
    // 2. The lease is free: the CLI runs and the writer take it in turn (whoever comes first), and the others read.
    const free = await race(async () => lease.isHeld() || (await lease.tryAcquire()));
    // The writer closes as a window does, holding the lease: its index, which has read every append, is saved whole.
    assert.equal(lease.isHeld() || (await lease.tryAcquire()), true);
    await writer.close();
    await lease.release();
    const ref = rowsOf(await runCli([...args, '--no-cache'], env));
    assert.equal(ref.find((r) => r.key === DAY)?.requests, appended);
    for (const [i, o] of [...held.outs, ...free.outs].entries()) exact(rowsOf(o), ref, `run ${i}`);
    assert.ok(held.rounds >= 2 && free.rounds >= 2);
    // Afterwards: the index loads whole, a cached run equals the cold read, no temporary file or lease is left.
    const index = new UsageIndex({ folder });
    await index.load();
    assert.equal(index.rebuildReason, undefined);
    const last = await runCli([...args, '--verbose'], env);
    assert.deepEqual(rowsOf(last), ref);
    assert.match(last.err, /^tokstat: usage index warm; read 0 bytes from 0 of \d+ files in-process in \d+ ms; dedup state: 0 of 8 parts parsed\n$/);
    assert.equal(fs.existsSync(path.join(folder, 'writer.lock')), false);
    assert.deepEqual(fs.readdirSync(folder).filter((n) => n.endsWith('.tmp')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
