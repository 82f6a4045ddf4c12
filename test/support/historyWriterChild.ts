// Child process for the history crash tests: records one poll of 4 meters every tick, as fast as it can, into the
// folder given as argv[2], starting at sample index argv[3]. After each completed record it reports the index on
// stdout ("ok <i>\n") so the parent knows which samples were acknowledged before it SIGKILLs this process.
// argv[4] = "split" writes each poll in two halves, reporting "half" in between (see splitWrites).
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HistoryStore } from '../../src/core/history/store';
import { nullLogger } from '../../src/core/log';
import { makeMeter } from '../../src/core/model';

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

async function main(): Promise<void> {
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
