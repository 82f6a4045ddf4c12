// The Spend view (the dashboard's section, the Show Spend and Export CSV commands) loads the spend chunk when it
// opens, and forgetting a removed account's days does too; until then the chunk is not required. (Its own file: the
// chunk module, once required, stays in require.cache for the process.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSpend } from '../../../src/features/spend/feature';
import { nullLogger } from '../../../src/core/log';
import type { Snapshot } from '../../../src/shared/model';
import { TestEmitter } from '../../support/emitter';

const NOW = Date.UTC(2026, 2, 10, 12);
const chunkLoaded = () => Object.keys(require.cache).some((k) => k.endsWith(path.join('features', 'spend', 'chunk.js')));

test('opening the Spend view loads the spend chunk and answers as before', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-spend-lazy-'));
  const snapshots = new TestEmitter<[string, Snapshot | undefined]>();
  const { spend, disposable } = createSpend({
    storage: dir,
    log: nullLogger,
    entries: () => [],
    accounts: () => [],
    onDidChangeSnapshot: (l) => snapshots.event(([id, s]) => l(id, s)),
    isLeader: () => true,
    history: async () => [],
    agentRows: () => [{ day: '2026-03-09', agent: 'claude', sessionId: 's1', costUSD: 1.5 }],
    agentLabels: { claude: 'Claude Code' },
    logFiles: () => [],
    credentialEnv: () => ({ home: dir, env: {}, platform: 'linux' }),
    onDidChange: [],
    now: () => NOW,
  });
  try {
    assert.equal(chunkLoaded(), false);
    const view = await spend.view('7d');
    assert.equal(chunkLoaded(), true);
    assert.equal(view.range, '7d');
    assert.ok(view.rows.length > 0, `the agents’ cost is a row: ${JSON.stringify(view.rows)}`);
    assert.match(await spend.csv('7d'), /Claude Code/);
  } finally {
    disposable.dispose();
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
