// Child process for the history crash tests: records one poll of 4 meters every tick, as fast as it can, into the
// folder given as argv[2], starting at sample index argv[3]. After each completed record it reports the index on
// stdout ("ok <i>\n") so the parent knows which samples were acknowledged before it SIGKILLs this process.
// argv[4] = "split" writes each poll in two halves, reporting "half" in between (see splitWrites).
//
// Checkpoint modes (`compact`, `migrate`, `lease`; argv[3] = the base folder, history in `<base>/history`): every
// file-system change the store or its lease makes under the base folder (mkdir, open for writing, write, writeFile,
// appendFile, rename, rm, copyFile, truncate) first sends `{ cp: n, op, file }` over IPC and waits for `'go'`, so
// the parent can SIGKILL this process right before any chosen step, deterministically, without sleeping.
//   compact <base> <now> <retention JSON>  runs one compaction at `now`, then sends { done: true }
//   migrate <base>                         starts the store (migrating a v1 layout), then sends { done: true }
//   lease <base>                           a window with a FileLease on `<base>/history.lock`; on { cmd: 'tick' }
//                                          renews or takes the lease and, as the writer, records the sample after
//                                          the last stored one ({ ok: i }) or answers { follower: true };
//                                          on { cmd: 'release' } releases the lease ({ released: true })
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HistoryStore } from '../../src/core/history/store';
import type { RetentionOptions } from '../../src/core/history/types';
import type { Clock, TimerHandle } from '../../src/core/clock';
import { FileLease } from '../../src/core/state/lease';
import { nullLogger } from '../../src/core/log';
import { makeMeter } from '../../src/shared/model';

const T0 = Date.UTC(2025, 0, 1);

export function sampleMeters(i: number) {
  const t = T0 + i * 60_000;
  return {
    t,
    meters: ['a', 'b', 'c', 'd'].map((id, k) =>
      makeMeter({ id, label: id, kind: 'quota', unit: 'requests', source: 'official', capturedAt: t, used: i * (k + 1), limit: 1_000_000 }),
    ),
  };
}

/**
 * `split` mode: every write() reaches the disk in two halves, with "half" reported on stdout and a pause in between,
 * so the parent can kill this process in the middle of a write and leave a torn line — what a single small write()
 * does on power loss, or on a file system that completes it partially. Without it, SIGKILL cannot interrupt a
 * write() that is already in the kernel.
 */
async function splitWrites(): Promise<void> {
  const probe = await fsp.open(path.join(os.tmpdir(), `tokstat-probe-${process.pid}`), 'w');
  type Write = (buf: Buffer, off: number, len: number) => Promise<{ bytesWritten: number; buffer: Buffer }>;
  const proto = Object.getPrototypeOf(probe) as { write: Write };
  await probe.close();
  await fsp.rm(path.join(os.tmpdir(), `tokstat-probe-${process.pid}`), { force: true });
  const real = proto.write;
  proto.write = async function (this: unknown, buf: Buffer, off = 0, len = buf.length - off) {
    // A random cut inside a line (a cut right after a newline would leave whole lines: a partial poll, not a torn one).
    let half = 1 + Math.floor(Math.random() * Math.max(1, len - 1));
    if (buf[off + half - 1] === 0x0a) half = half > 1 ? half - 1 : half + 1;
    const a = await real.call(this, buf, off, half);
    process.stdout.write('half\n');
    await new Promise((r) => setTimeout(r, 50));
    const b = await real.call(this, buf, off + half, len - half);
    return { bytesWritten: a.bytesWritten + b.bytesWritten, buffer: buf };
  };
}

/** Waits for the parent's 'go' before each file-system change under `base`. */
function checkpoints(base: string): void {
  let n = 0;
  let waiting: (() => void) | undefined;
  process.on('message', (m) => {
    if (m === 'go' && waiting) {
      const w = waiting;
      waiting = undefined;
      w();
    }
  });
  const gate = (op: string, file: unknown): Promise<void> => {
    if (typeof file !== 'string' || !path.resolve(file).startsWith(base)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      waiting = resolve;
      process.send!({ cp: ++n, op, file: path.relative(base, file) });
    });
  };
  const mod = require('node:fs/promises') as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const op of ['mkdir', 'writeFile', 'appendFile', 'rename', 'rm', 'rmdir', 'copyFile', 'truncate']) {
    const real = mod[op]!;
    mod[op] = async (...a: unknown[]) => {
      await gate(op, a[0]);
      return real(...a);
    };
  }
  const realOpen = mod.open!;
  mod.open = async (...a: unknown[]) => {
    const writing = typeof a[1] === 'string' && a[1] !== 'r';
    if (writing) await gate('open', a[0]);
    const fh = (await realOpen(...a)) as { write: (...w: unknown[]) => Promise<unknown> };
    if (writing) {
      const realWrite = fh.write.bind(fh);
      fh.write = async (...w: unknown[]) => {
        await gate('write', a[0]);
        return realWrite(...w);
      };
    }
    return fh;
  };
}

/** A clock whose timers never fire: the parent drives everything. */
const manualClock: Clock = { now: () => Date.now(), setTimeout: () => ({ __timer: true }) as TimerHandle, clearTimeout: () => undefined };

async function checkpointMode(mode: string): Promise<void> {
  const base = path.resolve(process.argv[3]!);
  checkpoints(base);
  const folder = path.join(base, 'history');
  if (mode === 'compact') {
    const now = Number(process.argv[4]);
    const retention = JSON.parse(process.argv[5]!) as RetentionOptions;
    const store = new HistoryStore({ folder, log: nullLogger, compactEveryMs: 0, retention, clock: { ...manualClock, now: () => now } });
    await store.compact();
    process.send!({ done: true });
    return;
  }
  if (mode === 'migrate') {
    const store = new HistoryStore({ folder, log: nullLogger, compactEveryMs: 0, clock: manualClock });
    await store.start();
    process.send!({ done: true });
    return;
  }
  const lease = new FileLease({ dir: path.join(base, 'history.lock'), log: nullLogger });
  const store = new HistoryStore({ folder, log: nullLogger, compactEveryMs: 0, clock: manualClock, lease });
  await store.start();
  let queue = Promise.resolve();
  process.on('message', (m: unknown) => {
    const cmd = (m as { cmd?: string } | null)?.cmd;
    if (!cmd) return;
    queue = queue.then(async () => {
      if (cmd === 'release') {
        await lease.release();
        process.send!({ released: true });
        return;
      }
      await (lease.isHeld() ? lease.renew() : lease.tryAcquire());
      if (!store.isWriter()) {
        process.send!({ follower: true });
        return;
      }
      const pts = await store.query('acct1', 'a', 0, Infinity, 1e9);
      const next = pts.length ? (pts[pts.length - 1]!.t - T0) / 60_000 + 1 : 0;
      const { t, meters } = sampleMeters(next);
      await store.record('acct1', meters, t);
      process.send!({ ok: next });
    });
  });
  process.send!({ ready: true });
}

async function main(): Promise<void> {
  if (['compact', 'migrate', 'lease'].includes(process.argv[2]!)) return checkpointMode(process.argv[2]!);
  const folder = process.argv[2]!;
  let i = Number(process.argv[3] ?? 0);
  if (process.argv[4] === 'split') await splitWrites();
  const store = new HistoryStore({ folder, log: nullLogger, compactEveryMs: 0 });
  await store.start();
  for (;;) {
    const { t, meters } = sampleMeters(i);
    await store.record('acct1', meters, t);
    process.stdout.write(`ok ${i}\n`);
    i++;
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(String(e));
    process.exit(1);
  });
}
