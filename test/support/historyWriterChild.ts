// Child process for the history crash tests: records one poll of 4 meters every tick, as fast as it can, into the
// folder given as argv[2], starting at sample index argv[3]. After each completed record it reports the index on
// stdout ("ok <i>\n") so the parent knows which samples were acknowledged before it SIGKILLs this process.
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

async function main(): Promise<void> {
  const folder = process.argv[2]!;
  let i = Number(process.argv[3] ?? 0);
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
