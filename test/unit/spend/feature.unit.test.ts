// Where the Spend view's money comes from, end to end on plain Node: OpenAI's and Anthropic's cost reports give days
// (through the loopback fakes and the real HTTP client) that the scheduler's snapshot keeps and the day store
// persists past their month; money meters are read from their stored history; the agents' rows add their cost.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openAIProvider } from '../../../src/core/providers/openai';
import { anthropicProvider } from '../../../src/core/providers/anthropic';
import { successSnapshot } from '../../../src/core/scheduler/snapshots';
import { SpendDayStore } from '../../../src/features/spend/core/store';
import { SpendFeature } from '../../../src/features/spend/core/feature';
import { localDay } from '../../../src/features/spend/core/spend';
import { makeMeter, type Snapshot } from '../../../src/shared/model';
import type { AccountEntry } from '../../../src/core/summary';
import type { HistoryPoint } from '../../../src/core/history/types';
import { nullLogger } from '../../../src/core/log';
import { OpenAIFake } from '../../fakes/openAIFake';
import { AnthropicFake } from '../../fakes/anthropicFake';
import { testContext } from '../../fakes/providerContext';
import { oaCostDays, oaCostResult, oaUsageDays } from '../../builders/openai';
import { anCostResult, anDays, anUsageResult } from '../../builders/anthropic';
import { TestEmitter } from '../../support/emitter';

/** Tuesday 2026-02-10 13:41 UTC. */
const NOW = Date.UTC(2026, 1, 10, 13, 41);
const FEB1 = Date.UTC(2026, 1, 1);

describe('vendor daily costs', () => {
  const oa = new OpenAIFake();
  const an = new AnthropicFake();
  before(async () => {
    await oa.start();
    await an.start();
  });
  after(async () => {
    await oa.stop();
    await an.stop();
  });

  it('OpenAI: every cost bucket becomes its UTC day, and the days add up to the month\'s spend meter', async () => {
    oa.addAdminKey('sk-admin-days', {
      usage: oaUsageDays(FEB1 / 1000, NOW),
      costs: oaCostDays(FEB1 / 1000, NOW, (i) => [oaCostResult(0.5 * (i + 1)), oaCostResult('1.25')]),
      org: 'acme',
    });
    const t = testContext({ providerId: 'openai', baseUrl: oa.baseUrl, secret: 'sk-admin-days', now: NOW });
    try {
      const r = await openAIProvider.fetchSnapshot(t.ctx);
      assert.equal(r.dailySpend?.length, 10);
      assert.deepEqual(r.dailySpend?.[0], { day: '2026-02-01', amount: 1.75, currency: 'USD' });
      assert.deepEqual(r.dailySpend?.[9], { day: '2026-02-10', amount: 6.25, currency: 'USD' });
      const sum = r.dailySpend!.reduce((s, d) => s + d.amount, 0);
      assert.equal(Math.round(sum * 100) / 100, r.meters.find((m) => m.id === 'spend-month')?.used);
      assert.ok(oa.requestsTo('/v1/organization/costs').length > 0, 'the costs endpoint was asked');
      const snap = successSnapshot('oa', r, NOW);
      assert.equal(snap.dailySpend?.length, 10, 'the snapshot keeps the days');
    } finally {
      await t.close();
    }
  });

  it('Anthropic: cents per day become money per day', async () => {
    an.addAdminKey('sk-ant-admin01-days', { usage: anDays(FEB1, NOW, () => [anUsageResult()]), costs: anDays(FEB1, NOW, () => [anCostResult('1834.5561'), anCostResult(250)]) });
    const t = testContext({ providerId: 'anthropic', baseUrl: an.url, secret: 'sk-ant-admin01-days', now: NOW });
    try {
      const r = await anthropicProvider.fetchSnapshot(t.ctx);
      assert.equal(r.dailySpend?.length, 10);
      assert.deepEqual(r.dailySpend?.[3], { day: '2026-02-04', amount: 20.845561, currency: 'USD' });
    } finally {
      await t.close();
    }
  });

  it('a snapshot drops malformed days instead of failing', () => {
    const snap = successSnapshot('x', { meters: [], dailySpend: [{ day: '2026-02-01', amount: 1, currency: 'USD' }, { day: 'Feb 2', amount: 1, currency: 'USD' }, { day: '2026-02-03', amount: Number.NaN, currency: 'USD' }, { day: '2026-02-04', amount: 2, currency: 'usd' }] }, NOW);
    assert.deepEqual(snap.dailySpend, [{ day: '2026-02-01', amount: 1, currency: 'USD' }]);
  });
});

describe('SpendFeature', () => {
  let dir: string;
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-spend-'));
  });
  after(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  const entry = (id: string, providerName: string, snapshot: Snapshot): AccountEntry => ({
    account: { id, providerId: id, name: `${id} account`, createdAt: 0, authKind: 'api-key', settings: {} },
    providerName,
    icon: 'x',
    loading: false,
    intervalMs: 3_600_000,
    snapshot,
  });

  it('stores vendor days past their month, reads money meters from history, adds the agents, and sums this month', async () => {
    const now = new Date(2026, 2, 3, 12).getTime(); // 3 March, local time
    const snapshots = new TestEmitter<[string, Snapshot | undefined]>();
    const store = new SpendDayStore({ folder: path.join(dir, 'spend'), log: nullLogger });
    const usd = (t: number, used: number) => makeMeter({ id: 'usage-month', label: 'Spent this month', kind: 'spend', unit: 'USD', source: 'official', capturedAt: t, used, period: 'month' });
    const openai: Snapshot = { accountId: 'oa', takenAt: now, status: 'ok', meters: [], dailySpend: [{ day: '2026-03-01', amount: 2, currency: 'USD' }, { day: '2026-03-02', amount: 3, currency: 'USD' }] };
    const openrouter: Snapshot = { accountId: 'or', takenAt: now, status: 'ok', meters: [usd(now, 9)] };
    const history: Record<string, HistoryPoint[]> = {
      'or/usage-month': [
        { t: new Date(2026, 1, 27, 10).getTime(), used: 20 },
        { t: new Date(2026, 1, 28, 10).getTime(), used: 26 },
        { t: new Date(2026, 2, 1, 10).getTime(), used: 4 },
      ],
    };
    const asked: string[] = [];
    let leader = true;
    const feature = new SpendFeature({
      log: nullLogger,
      entries: () => [entry('oa', 'OpenAI', openai), entry('or', 'OpenRouter', openrouter)],
      onDidChangeSnapshot: (l) => snapshots.event((args) => l(...args)),
      isLeader: () => leader,
      store,
      history: async (id, meterId) => {
        asked.push(`${id}/${meterId}`);
        return history[`${id}/${meterId}`] ?? [];
      },
      agentRows: () => [{ day: localDay(now), agent: 'claude-code', sessionId: 's', costUSD: 1.5 }],
      agentLabels: { 'claude-code': 'Claude Code' },
      now: () => now,
    });
    try {
      // February's buckets came with an earlier poll and were stored by the leader.
      snapshots.fire(['oa', { ...openai, dailySpend: [{ day: '2026-02-27', amount: 7, currency: 'USD' }] }]);
      await feature.whenStored();
      assert.match(await fsp.readFile(path.join(dir, 'spend', 'days.json'), 'utf8'), /2026-02-27/);
      const st = await fsp.stat(path.join(dir, 'spend', 'days.json'));
      if (process.platform !== 'win32') assert.equal(st.mode & 0o077, 0, 'the file is private');
      leader = false;
      snapshots.fire(['oa', { ...openai, dailySpend: [{ day: '2026-02-26', amount: 99, currency: 'USD' }] }]);

      const v = await feature.view('7d');
      assert.deepEqual(v.buckets, ['2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03']);
      const row = (id: string) => v.rows.find((r) => r.id === id)!.values;
      assert.deepEqual(row('oa'), [null, null, 7, 0, 2, 3, null], 'stored February days and this snapshot\'s March days; a follower stores nothing');
      assert.deepEqual(row('or'), [null, null, 20, 6, 4, 0, 5], 'a monthly meter: its first reading, increases, the March reset, today\'s current reading');
      assert.deepEqual(row('agent:claude-code'), [null, null, null, null, null, null, 1.5]);
      assert.ok(asked.includes('or/usage-month'), 'the history was asked for the money meter');

      await feature.refreshSummary();
      assert.deepEqual(feature.monthToDate(), [{ currency: 'USD', amount: 15.5, sources: 3 }], 'March: 2 + 3 (OpenAI) + 4 + 5 (OpenRouter) + 1.5 (agents)');

      // A new window reads the stored days back.
      const again = new SpendDayStore({ folder: path.join(dir, 'spend'), log: nullLogger });
      await again.load();
      assert.deepEqual(again.get('oa'), [{ day: '2026-02-27', amount: 7, currency: 'USD' }]);
      await again.forget('oa');
      const reread = new SpendDayStore({ folder: path.join(dir, 'spend'), log: nullLogger });
      await reread.load();
      assert.deepEqual(reread.get('oa'), []);
    } finally {
      feature.dispose();
    }
  });

  it('a damaged or huge day file is ignored, never a crash', async () => {
    const folder = path.join(dir, 'damaged');
    await fsp.mkdir(folder, { recursive: true });
    await fsp.writeFile(path.join(folder, 'days.json'), '{"accounts": {"a": [{"day": "2026-01-01", "amount": "x"}], "../b": []');
    const warned: string[] = [];
    const s = new SpendDayStore({ folder, log: { ...nullLogger, warn: (m: string) => void warned.push(m) } });
    await s.load();
    assert.deepEqual(s.get('a'), []);
    assert.equal(warned.length, 1);
    await fsp.writeFile(path.join(folder, 'days.json'), JSON.stringify({ accounts: { a: [{ day: '2026-01-01', amount: 1, currency: 'USD' }, { day: '2026-01-02', amount: -1, currency: 'USD' }], '../b': [{ day: '2026-01-01', amount: 1, currency: 'USD' }] } }));
    const t = new SpendDayStore({ folder, log: nullLogger });
    await t.load();
    assert.deepEqual(t.get('a'), [{ day: '2026-01-01', amount: 1, currency: 'USD' }]);
    assert.deepEqual(t.get('../b'), []);
  });
});
