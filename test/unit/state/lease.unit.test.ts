import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLease } from '../../../src/core/state/lease';
import { AlwaysLeader } from '../../fakes/alwaysLeader';
import { nullLogger } from '../../../src/core/log';
import { FakeClock } from '../../fakes/fakeClock';

async function lockPath(): Promise<string> {
  return path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-lease-')), 'state', 'leader.lock');
}

test('only one of two leases holds; release lets the other take over at once', async () => {
  const dir = await lockPath();
  const clock = new FakeClock();
  const a = new FileLease({ dir, log: nullLogger, clock, ttlMs: 30_000 });
  const b = new FileLease({ dir, log: nullLogger, clock, ttlMs: 30_000 });
  assert.equal(await a.tryAcquire(), true);
  assert.equal(await a.tryAcquire(), true, 'idempotent for the holder');
  assert.equal(await b.tryAcquire(), false);
  assert.equal(a.isHeld(), true);
  assert.equal(b.isHeld(), false);
  clock.advance(20_000);
  assert.equal(await a.renew(), true);
  clock.advance(20_000);
  assert.equal(await b.tryAcquire(), false, 'renewed heartbeat is not stale');
  await a.release();
  assert.equal(a.isHeld(), false);
  assert.equal(await b.tryAcquire(), true);
  assert.equal(await a.renew(), false);
  const owner = JSON.parse(await fsp.readFile(path.join(dir, 'owner.json'), 'utf8'));
  assert.equal(owner.expiresAt, clock.now() + 30_000);
  assert.ok(!JSON.stringify(owner).includes(os.homedir()), 'no paths or secrets in the owner file');
  await b.release();
  await b.release();
});

test('a stale lease (holder crashed) is taken over; the old holder learns it lost on renew', async () => {
  const dir = await lockPath();
  const clock = new FakeClock();
  const crashed = new FileLease({ dir, log: nullLogger, clock, ttlMs: 30_000 });
  const b = new FileLease({ dir, log: nullLogger, clock, ttlMs: 30_000 });
  assert.equal(await crashed.tryAcquire(), true);
  clock.advance(29_999);
  assert.equal(await b.tryAcquire(), false);
  clock.advance(2);
  assert.equal(await b.tryAcquire(), true);
  assert.equal(await crashed.renew(), false);
  assert.equal(crashed.isHeld(), false);
  const siblings = await fsp.readdir(path.dirname(dir));
  assert.deepEqual(siblings, ['leader.lock'], 'the stale directory was cleaned up');
});

test('a holder whose process is gone (same host) is replaced at once; a live or remote one is not', async () => {
  const dir = await lockPath();
  const clock = new FakeClock();
  const alive = new Set([101, 202]);
  const opts = { dir, log: nullLogger, clock, ttlMs: 30_000, isProcessAlive: (pid: number) => alive.has(pid) };
  const old = new FileLease({ ...opts, pid: 101, hostname: 'box' });
  const next = new FileLease({ ...opts, pid: 202, hostname: 'box' });
  const remote = new FileLease({ ...opts, pid: 303, hostname: 'other-box' });
  assert.equal(await old.tryAcquire(), true);
  const owner = JSON.parse(await fsp.readFile(path.join(dir, 'owner.json'), 'utf8'));
  assert.equal(owner.pid, 101);
  assert.equal(owner.host, 'box');
  assert.equal(await next.tryAcquire(), false, 'holder still running');
  alive.delete(101); // the window was reloaded: its extension host exited without releasing
  assert.equal(await remote.tryAcquire(), false, 'another host cannot judge our pids');
  assert.equal(await next.tryAcquire(), true, 'taken over well within the TTL');
  assert.equal(await old.renew(), false);
  // The real probe: this process is alive, a pid far above pid_max is not.
  const { processAlive } = await import('../../../src/core/state/lease');
  assert.equal(processAlive(process.pid), true);
  assert.equal(processAlive(2 ** 30), false);
});

test('concurrent stealers of a stale lease: exactly one wins', async () => {
  for (let round = 0; round < 15; round++) {
    const dir = await lockPath();
    const clock = new FakeClock();
    const crashed = new FileLease({ dir, log: nullLogger, clock, ttlMs: 1_000 });
    assert.equal(await crashed.tryAcquire(), true);
    clock.advance(5_000);
    const stealers = Array.from({ length: 5 }, () => new FileLease({ dir, log: nullLogger, clock, ttlMs: 1_000 }));
    const won = await Promise.all(stealers.map((s) => s.tryAcquire()));
    assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won.join(',')}`);
    // The winner's lease is intact: everyone else still sees it as held.
    const winner = stealers[won.indexOf(true)]!;
    assert.equal(await winner.renew(), true);
    for (const s of stealers) if (s !== winner) assert.equal(await s.tryAcquire(), false);
  }
});

test('a lock directory without owner file: fresh counts as held, old (by mtime) is stale', async () => {
  const dir = await lockPath();
  await fsp.mkdir(dir, { recursive: true });
  const clock = new FakeClock(Date.now());
  const l = new FileLease({ dir, log: nullLogger, clock, ttlMs: 30_000 });
  assert.equal(await l.tryAcquire(), false);
  const old = new Date(Date.now() - 120_000);
  await fsp.utimes(dir, old, old);
  assert.equal(await l.tryAcquire(), true);
});

test('a corrupt owner file falls back to the directory mtime', async () => {
  const dir = await lockPath();
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(path.join(dir, 'owner.json'), '{"tok');
  const l = new FileLease({ dir, log: nullLogger, ttlMs: 30_000 });
  assert.equal(await l.tryAcquire(), false);
  const old = new Date(Date.now() - 120_000);
  await fsp.utimes(dir, old, old);
  assert.equal(await l.tryAcquire(), true);
  await l.release();
});

test('AlwaysLeader', async () => {
  const l = new AlwaysLeader();
  assert.equal(l.isHeld(), false);
  assert.equal(await l.tryAcquire(), true);
  assert.equal(await l.renew(), true);
  await l.release();
  assert.equal(l.isHeld(), false);
});
