// The Spend feature loads from its own chunk (dist/spend.js) on first need, not with the extension: creating it loads
// nothing; a snapshot with no vendor days (or seen by a window that does not poll) loads nothing; the first snapshot
// with vendor days in the polling window loads it and its days are stored; the Spend view loads it. Under tsc the
// chunk is the source module `features/spend/chunk`, so whether it was required is whether it is in require.cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSpend } from '../../../src/features/spend/feature';
import { SpendDayStore } from '../../../src/features/spend/core/store';
import { nullLogger } from '../../../src/core/log';
import type { Snapshot } from '../../../src/shared/model';
import { TestEmitter } from '../../support/emitter';

const NOW = Date.UTC(2026, 2, 10, 12);
const chunkLoaded = () => Object.keys(require.cache).some((k) => k.endsWith(path.join('features', 'spend', 'chunk.js')));

async function open(leader: () => boolean) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-spend-lazy-'));
  const snapshots = new TestEmitter<[string, Snapshot | undefined]>();
  const { spend, disposable } = createSpend({
    storage: dir,
    log: nullLogger,
    entries: () => [],
    accounts: () => [],
    onDidChangeSnapshot: (l) => snapshots.event(([id, s]) => l(id, s)),
    isLeader: leader,
    history: async () => [],
    agentRows: () => [],
    agentLabels: {},
    logFiles: () => [],
    credentialEnv: () => ({ home: dir, env: {}, platform: 'linux' }),
    onDidChange: [],
    now: () => NOW,
  });
  return { dir, spend, snapshots, close: async () => { disposable.dispose(); await fsp.rm(dir, { recursive: true, force: true }); } };
}

const snap = (dailySpend?: Snapshot['dailySpend']): Snapshot => ({ accountId: 'oa', takenAt: NOW, status: 'ok', meters: [], ...(dailySpend ? { dailySpend } : {}) });

test('the spend chunk loads with the first snapshot whose vendor days this window stores, and those days are stored', async () => {
  let leader = false;
  const s = await open(() => leader);
  try {
    assert.equal(chunkLoaded(), false, 'creating the feature loads nothing');
    assert.deepEqual(s.spend.monthToDate(), [], 'no summary yet, as before the first one');
    s.snapshots.fire(['oa', snap()]);
    s.snapshots.fire(['oa', snap([{ day: '2026-03-01', amount: 2, currency: 'USD' }])]);
    assert.equal(s.spend.loaded, false, 'no vendor days, or a window that does not poll: nothing to store');
    assert.equal(chunkLoaded(), false);
    leader = true;
    s.snapshots.fire(['oa', snap([{ day: '2026-03-02', amount: 3, currency: 'USD' }])]);
    assert.equal(s.spend.loaded, true);
    assert.equal(chunkLoaded(), true, 'the chunk was required');
    await s.spend.whenStored();
    const reread = new SpendDayStore({ folder: path.join(s.dir, 'spend'), log: nullLogger });
    await reread.load();
    assert.deepEqual(reread.get('oa'), [{ day: '2026-03-02', amount: 3, currency: 'USD' }], 'the snapshot that loaded it was not lost');
  } finally {
    await s.close();
  }
});
