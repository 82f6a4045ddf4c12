// Kills a writer child process (SIGKILL) at random moments, many times, and checks after each kill that the store
// reopens readable, lost at most the sample in flight, and holds no duplicated or garbled points. Half the writers
// write in two halves (test/support/historyWriterChild.ts), so that kills also tear lines in the middle of a write.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HistoryStore } from '../../../src/core/history/store';
import { nullLogger } from '../../../src/core/log';
import type { HistoryPoint } from '../../../src/core/history/types';
import { sampleMeters } from '../../support/historyWriterChild';

const CHILD = path.join(__dirname, '..', '..', 'support', 'historyWriterChild.js');
const T0 = Date.UTC(2025, 0, 1);
const ITERATIONS = 30;

/**
 * Starts a writer and SIGKILLs it `delayMs` after its first acknowledged sample; a `split` writer (two halves per
 * write) is killed instead at its `atHalf`-th half-written poll, in the middle of a write.
 */
function runAndKill(folder: string, start: number, delayMs: number, split: boolean, atHalf = 1): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [folder, String(start), ...(split ? ['split'] : [])], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let acked = start - 1;
    let buf = '';
    let armed = false;
    let halves = 0;
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith('ok ')) acked = Number(l.slice(3));
        if (split && l === 'half' && ++halves === atHalf) child.kill('SIGKILL');
      }
      if (!armed && !split) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited without being killed: ${err}`));
      else resolve(acked);
    });
  });
}

/** Raw files whose last line has no newline: what a kill in the middle of a write leaves. */
async function tornFiles(folder: string): Promise<number> {
  const dir = path.join(folder, 'v2', 'acct1');
  let torn = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const buf = await fsp.readFile(path.join(dir, name));
    if (buf.length > 0 && buf[buf.length - 1] !== 0x0a) torn++;
  }
  return torn;
}

test(`SIGKILL of a writer at random points, ${ITERATIONS} times: readable, ≤ 1 sample lost, no duplicates`, async () => {
  const folder = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-history-crash-'));
  let next = 0;
  let killsMidRun = 0;
  let killsMidWrite = 0;
  /** Per meter, the samples lost to kills (each the sample in flight at its kill). */
  const lost = ['a', 'b', 'c', 'd'].map(() => new Set<number>());
  const started = Date.now();
  for (let it = 0; it < ITERATIONS; it++) {
    // Every other child writes in two halves and is killed between them, at a random poll.
    const acked = await runAndKill(folder, next, Math.floor(Math.random() * 25), it % 2 === 1, 1 + Math.floor(Math.random() * 8));
    killsMidWrite += await tornFiles(folder);
    // Reopen as a writer (repairs a torn tail, as the next window would) and read every series.
    const s = new HistoryStore({ folder, log: nullLogger, compactEveryMs: 0 });
    let reports = 0;
    s.onDidDetectCorruption(() => reports++);
    const series = await Promise.all(['a', 'b', 'c', 'd'].map((m) => s.query('acct1', m, 0, Infinity, 1e9)));
    await s.record('acct1', [], T0); // triggers the writer's load/repair path without adding a point
    assert.equal(reports, 0, 'a kill is not corruption');
    const idx = series.map((pts) => pts.map((p) => (p.t - T0) / 60_000));
    // Values intact, nothing duplicated or out of order.
    series.forEach((pts, k) => pts.forEach((p) => assert.equal(p.used, ((p.t - T0) / 60_000) * (k + 1))));
    for (const arr of idx) for (let i = 1; i < arr.length; i++) assert.ok(arr[i]! > arr[i - 1]!, `sample ${arr[i]} after ${arr[i - 1]}`);
    // A poll is one write(): a kill leaves all of it or none, except a torn write, which can keep the first meters'
    // lines of the poll in flight and lose the rest. Either way a meter loses at most that one in-flight sample.
    const n = Math.max(...idx.map((arr) => arr.length ? arr[arr.length - 1]! + 1 : 0));
    assert.ok(n - 1 >= acked, `acknowledged sample ${acked} lost (have ${n})`);
    assert.ok(n - 1 <= acked + 1, `at most the in-flight sample beyond the last ack (have ${n}, acked ${acked})`);
    idx.forEach((arr, k) => {
      const missing = new Set(Array.from({ length: n }, (_, i) => i).filter((i) => !arr.includes(i)));
      for (const i of missing) {
        if (lost[k]!.has(i)) continue;
        assert.ok(i >= next, `meter ${k}: sample ${i} of an earlier run disappeared`);
        assert.ok(i === n - 1 && i > acked, `meter ${k}: sample ${i} lost though acknowledged (acked ${acked})`);
        lost[k]!.add(i);
      }
      assert.equal(arr.length, n - [...lost[k]!].filter((i) => i < n).length, `meter ${k}: nothing else missing`);
    });
    if (n - 1 === acked + 1) killsMidRun++;
    next = n;
    assert.equal(await tornFiles(folder), 0, 'the writer truncated the torn line');
    s.dispose();
  }
  assert.ok(next > ITERATIONS, `the children wrote ${next} samples`);
  // The torn-write case must actually have happened, or this test proves nothing about it.
  assert.ok(killsMidWrite >= ITERATIONS / 4, `only ${killsMidWrite} kills landed in the middle of a write`);
  // Figures for the log of the test run (not assertions).
  console.log(
    `crash test: ${ITERATIONS} kills, ${next} samples, ${killsMidWrite} kills in the middle of a write, ${killsMidRun} after an unacknowledged write, ${Date.now() - started} ms`,
  );
});

// ------------------------------------------------------------------ kills at every step of compaction, migration
// and a lease hand-over. The child (historyWriterChild.ts, checkpoint modes) stops before each file-system change
// and waits for the parent, which SIGKILLs it at the k-th such step, for k = 1, 2, … until the child completes:
// every step is a kill point, deterministically, with no sleep.

const METERS = ['a', 'b', 'c', 'd'];
const base = () => fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-history-kill-'));

interface Run {
  /** Killed before its `killAt`-th file-system change (false: it completed first). */
  killed: boolean;
  /** The step it was killed at (op and file), for messages. */
  at?: string;
  messages: unknown[];
}

/**
 * Forks the child with `args`; answers 'go' to each checkpoint but the `killAt`-th, where it SIGKILLs it (Infinity:
 * never). `drive` sends commands and resolves when the scenario is over (default: the child reports done).
 */
/** Children still running: killed after the tests whatever happened, so a failed assertion cannot hang the run. */
const live = new Set<ChildProcess>();
after(() => {
  for (const c of live) c.kill('SIGKILL');
});

type Next = (pred: (m: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;

function runChild(args: string[], killAt: number | ((cp: number) => boolean), drive?: (child: ChildProcess, next: Next, steps: () => number) => Promise<void>): Promise<Run> {
  const kill = typeof killAt === 'number' ? (cp: number) => cp === killAt : killAt;
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    live.add(child);
    child.on('exit', () => live.delete(child));
    const run: Run = { killed: false, messages: [] };
    let steps = 0;
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const waiters: Array<{ pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }> = [];
    const next = (pred: (m: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((res, rej) => {
        if (run.killed) return rej(new Error('killed'));
        waiters.push({ pred, resolve: res });
      });
    child.on('message', (m: Record<string, unknown>) => {
      run.messages.push(m);
      if (typeof m.cp === 'number') {
        steps = m.cp;
        if (kill(m.cp)) {
          run.killed = true;
          run.at = `${String(m.op)} ${String(m.file)}`;
          child.kill('SIGKILL');
        } else child.send('go');
        return;
      }
      const i = waiters.findIndex((w) => w.pred(m));
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
    });
    child.on('error', reject);
    let finished = false;
    child.on('exit', (_code, signal) => {
      if (!run.killed && !finished) reject(new Error(`child exited (${signal ?? _code}) without being killed: ${err}`));
      else resolve(run);
    });
    const scenario = drive ? drive(child, next, () => steps) : next((m) => m.done === true).then(() => undefined);
    scenario.then(
      () => {
        finished = true;
        if (!run.killed) child.kill('SIGKILL');
      },
      (e: Error) => {
        if (run.killed) return; // the kill interrupted the scenario: expected
        finished = true;
        child.kill('SIGKILL');
        reject(e);
      },
    );
  });
}

async function readAll(folder: string, opts: Partial<ConstructorParameters<typeof HistoryStore>[0]> = {}, accounts = ['acct1']) {
  const s = new HistoryStore({ folder, log: nullLogger, compactEveryMs: 0, ...opts });
  let reports = 0;
  s.onDidDetectCorruption(() => reports++);
  const out: Record<string, HistoryPoint[]> = {};
  for (const a of accounts) for (const m of METERS) out[`${a}/${m}`] = await s.query(a, m, 0, Infinity, 1e9);
  return { store: s, series: out, reports: () => reports };
}

function assertConsistent(series: Record<string, HistoryPoint[]>, what: string): void {
  for (const [k, pts] of Object.entries(series)) {
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i]!.t > pts[i - 1]!.t, `${what}: ${k} has a duplicated or out-of-order point at ${pts[i]!.t}`);
  }
}

test('SIGKILL at every step of a compaction: no point lost or duplicated, and finishing the compaction gives what an uninterrupted one gives', async () => {
  const pristine = await base();
  const folder = path.join(pristine, 'history');
  // Four days of polls every 10 minutes (29 Jan – 1 Feb 2025), compacted on 10 Feb: the raw days fold into
  // 15-minute buckets, and January's buckets into daily ones.
  const w = new HistoryStore({ folder, log: nullLogger, compactEveryMs: 0 });
  for (let j = 0; j < 4 * 144; j++) {
    const { t, meters } = sampleMeters(28 * 1440 + j * 10);
    await w.record('acct1', meters, t);
  }
  w.dispose();
  const now = Date.UTC(2025, 1, 10);
  const retention = { rawDays: 2, fifteenMinuteDays: 1, dailyDays: 0 };
  const clock = { now: () => now, setTimeout: () => ({ __timer: true }) as never, clearTimeout: () => undefined };
  const before = (await readAll(folder)).series;
  // The reference: the same compaction, uninterrupted.
  const ref = await base();
  await fsp.cp(pristine, ref, { recursive: true });
  const r = new HistoryStore({ folder: path.join(ref, 'history'), log: nullLogger, compactEveryMs: 0, retention, clock });
  await r.compact();
  const after = (await readAll(path.join(ref, 'history'))).series;
  assert.notDeepEqual(after, before, 'the compaction changes the files (or this test proves nothing)');
  const known = new Map(Object.keys(before).map((k) => [k, new Map([...before[k]!, ...after[k]!].map((p) => [p.t, JSON.stringify(p)]))]));
  let kills = 0;
  for (let k = 1; ; k++) {
    const dir = await base();
    await fsp.cp(pristine, dir, { recursive: true });
    const run = await runChild(['compact', dir, String(now), JSON.stringify(retention)], k);
    if (!run.killed) break;
    kills++;
    const { store, series, reports } = await readAll(path.join(dir, 'history'), { retention, clock });
    assertConsistent(series, `killed before ${run.at}`);
    // Every point read is one of the original samples or one of the folded buckets, as they were.
    for (const [key, pts] of Object.entries(series)) for (const p of pts) assert.equal(known.get(key)!.get(p.t), JSON.stringify(p), `killed before ${run.at}: ${key} point ${p.t} altered`);
    // Whatever was folded or not, the next compaction completes it exactly.
    await store.compact();
    assert.deepEqual((await readAll(path.join(dir, 'history'))).series, after, `killed before ${run.at}: resumed compaction differs`);
    assert.equal(reports(), 0, 'a kill is not corruption');
    store.dispose();
  }
  assert.ok(kills >= 6, `only ${kills} kill points`);
  console.log(`crash test, compaction: killed at each of ${kills} steps`);
});

test('SIGKILL at every step of the v1 → v2 migration: resumed on the next start with every sample once', async () => {
  const pristine = await base();
  const folder = path.join(pristine, 'history');
  await fsp.mkdir(folder, { recursive: true });
  // Two accounts in the v1 layout, two days of hourly samples of four meters each.
  for (const acct of ['acct1', 'acct2']) {
    const rows: string[] = [];
    for (let i = 0; i < 48; i++) {
      const { t, meters } = sampleMeters(i * 60);
      for (const m of meters) rows.push(JSON.stringify({ meter: m.id, t, used: m.used, limit: m.limit, source: 'official' }));
    }
    await fsp.writeFile(path.join(folder, `${acct}.jsonl`), rows.join('\n') + '\n');
  }
  const ref = await base();
  await fsp.cp(pristine, ref, { recursive: true });
  const r = new HistoryStore({ folder: path.join(ref, 'history'), log: nullLogger, compactEveryMs: 0 });
  await r.start();
  const expected = (await readAll(path.join(ref, 'history'), {}, ['acct1', 'acct2'])).series;
  r.dispose();
  assert.equal(expected['acct2/d']!.length, 48);
  let kills = 0;
  for (let k = 1; ; k++) {
    const dir = await base();
    await fsp.cp(pristine, dir, { recursive: true });
    const run = await runChild(['migrate', dir], k);
    if (!run.killed) break;
    kills++;
    // The next window starts: the migration resumes.
    const s = new HistoryStore({ folder: path.join(dir, 'history'), log: nullLogger, compactEveryMs: 0 });
    await s.start();
    const got = await readAll(path.join(dir, 'history'), {}, ['acct1', 'acct2']);
    assertConsistent(got.series, `killed before ${run.at}`);
    assert.deepEqual(got.series, expected, `killed before ${run.at}: after resuming, the migrated history differs`);
    got.store.dispose();
    s.dispose();
  }
  assert.ok(kills >= 8, `only ${kills} kill points`);
  console.log(`crash test, migration: killed at each of ${kills} steps`);
});

test('SIGKILL of the writer at every step of a lease hand-over between two writers: the other takes over, no acknowledged sample lost, none twice', async () => {
  let kills = 0;
  for (let k = 1; ; k++) {
    const dir = await base();
    const acked = new Set<number>();
    const tick = async (child: ChildProcess, next: Next) => {
      child.send({ cmd: 'tick' });
      const m = await next((x) => x.ok !== undefined || x.follower === true);
      if (typeof m.ok === 'number') acked.add(m.ok);
      return m;
    };
    // B: the other window, a follower until A is gone or has released; never killed at a step.
    let stopB!: () => void;
    const bStop = new Promise<void>((r) => (stopB = r));
    let bReady!: (b: { child: ChildProcess; next: Next }) => void;
    const bStarted = new Promise<{ child: ChildProcess; next: Next }>((r) => (bReady = r));
    let bRun: Promise<Run> | undefined;
    // Started once A holds the lease, so that A is the first writer.
    const startB = (): void => {
      bRun = runChild(['lease', dir], () => false, async (child, next) => {
        await next((m) => m.ready === true);
        bReady({ child, next });
        await bStop;
      });
    };
    // A: takes the lease first and writes three samples while B follows; then renews, writes one more and releases,
    // and is SIGKILLed before the k-th file-system change of that last part (renew, append, release).
    let armedAt = Infinity;
    const aRun = runChild(
      ['lease', dir],
      (cp) => cp === armedAt + k,
      async (child, next, steps) => {
        await next((m) => m.ready === true);
        for (let i = 0; i < 3; i++) assert.equal(typeof (await tick(child, next)).ok, 'number', 'A writes');
        startB();
        const b = await bStarted;
        assert.equal((await tick(b.child, b.next)).follower, true, 'B follows while A holds the lease');
        armedAt = steps();
        await tick(child, next);
        child.send({ cmd: 'release' });
        await next((m) => m.released === true);
      },
    );
    const a = await aRun.catch((e: unknown) => {
      stopB();
      throw e;
    });
    // B takes over on its next tick (A's process is gone, or A released) and writes on.
    const b = await bStarted;
    const first = await tick(b.child, b.next);
    assert.equal(typeof first.ok, 'number', `B takes over after A was killed before ${a.at ?? 'nothing (it released)'}`);
    for (let i = 0; i < 2; i++) assert.equal(typeof (await tick(b.child, b.next)).ok, 'number');
    stopB();
    await bRun;
    const { store, series, reports } = await readAll(path.join(dir, 'history'));
    assertConsistent(series, `A killed before ${a.at}`);
    const idx = (pts: HistoryPoint[]) => pts.map((p) => (p.t - T0) / 60_000);
    const max = Math.max(...acked);
    for (const m of METERS) {
      // Contiguous from 0: the new writer continued after the last stored sample, none missing, none twice.
      assert.deepEqual(idx(series[`acct1/${m}`]!), Array.from({ length: max + 1 }, (_, i) => i), `A killed before ${a.at}: meter ${m}`);
    }
    for (const i of acked) assert.ok(idx(series['acct1/a']!).includes(i), `acknowledged sample ${i} lost`);
    assert.equal(reports(), 0);
    store.dispose();
    if (!a.killed) break;
    kills++;
  }
  assert.ok(kills >= 5, `only ${kills} kill points`);
  console.log(`crash test, lease hand-over: writer killed at each of ${kills} steps, the other window took over each time`);
});
