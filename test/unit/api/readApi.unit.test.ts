// The read side of the extension's API (src/features/api/api.ts): getSnapshots, getUsage and onDidChange over a fake model,
// at a fixed clock. Above all: nothing secret-looking leaves through it, whatever the snapshots carry.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createApi, API_VERSION, type ApiSources } from '../../../src/features/api/api';
import { Emitter } from '../../../src/core/events';
import type { AnswerAccount } from '../../../src/core/agentAnswers';
import type { UsageRow } from '../../../src/core/usage/types';
import type { Meter } from '../../../src/shared/model';
import { GITHUB_PAT, OPENROUTER_KEY } from '../../fakes/secrets';

const NOW = Date.UTC(2026, 8, 10, 12);
const MIN = 60_000;
const TOKEN = GITHUB_PAT;

const meter = (o: Partial<Meter>): Meter => ({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW - MIN, used: 30, limit: 300, remaining: 270, percentUsed: 10, resetsAt: NOW + 86_400_000, ...o });

function row(day: string, agent: UsageRow['agent'], costUSD: number, cwd: string): UsageRow {
  return {
    day, agent, model: 'm', cwd, sessionId: 's', inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0,
    webSearchRequests: 0, requests: 1, fastRequests: 0, loggedCostUSD: 0, loggedCostRequests: 0, costUSD, unpricedRequests: 0, fallbackModelRequests: 0, tools: {},
    firstTs: NOW, lastTs: NOW,
  };
}

function sources(accounts: AnswerAccount[], rows: UsageRow[] | undefined): ApiSources & { changed: Emitter<void> } {
  const changed = new Emitter<void>();
  return { accounts: () => accounts, usageRows: () => rows, onDidChange: changed.event, now: () => NOW, changed };
}

const recorder = { record: () => ({ ok: true as const }) };

const copilot: AnswerAccount = {
  accountId: 'a1', name: 'Work', providerId: 'copilot', providerName: 'GitHub Copilot',
  snapshot: { accountId: 'a1', takenAt: NOW - MIN, lastSuccessAt: NOW - MIN, status: 'ok', identity: 'octo@example.com', plan: `business ${TOKEN}`, meters: [meter({})] },
  pace: { premium: { status: 'ok', text: 'On pace', projectedPercentAtReset: 40 } },
};
const broken: AnswerAccount = {
  accountId: 'a2', name: 'Router', providerId: 'openrouter', providerName: 'OpenRouter',
  snapshot: { accountId: 'a2', takenAt: NOW - 3 * 3_600_000, status: 'error', error: { kind: 'auth', message: `key ${OPENROUTER_KEY} rejected` }, meters: [] },
};

test('apiVersion 2; recordOperation kept; getSnapshots: plain copies with meters, reset, pace and staleness', () => {
  const api = createApi(recorder, sources([copilot, broken], undefined));
  assert.equal(api.apiVersion, API_VERSION);
  assert.equal(api.apiVersion, 2);
  assert.deepEqual(api.recordOperation({} as never), { ok: true });
  const snaps = api.getSnapshots();
  assert.deepEqual(snaps.map((s) => [s.name, s.providerId, s.status, s.stale]), [['Work', 'copilot', 'ok', false], ['Router', 'openrouter', 'error', true]]);
  const m = snaps[0]!.meters[0]!;
  assert.deepEqual([m.used, m.limit, m.remaining, m.percentUsed, m.resetsAt, m.source], [30, 300, 270, 10, new Date(NOW + 86_400_000).toISOString(), 'official']);
  assert.equal(m.pace?.projectedPercentAtReset, 40);
  // A copy: changing it changes nothing for the next caller.
  snaps[0]!.meters.length = 0;
  assert.equal(api.getSnapshots()[0]!.meters.length, 1);
  assert.ok(Object.isFrozen(api));
});

test('no credential, e-mail or path leaves through the read API', async () => {
  const api = createApi(recorder, sources([copilot, broken], [row('2026-09-10', 'claude-code', 1.5, '/home/dev/client-x/app')]));
  const out = JSON.stringify({ snaps: api.getSnapshots(), usage: await api.getUsage('today', 'project') });
  // Every field name (a usage group's `key` is its agent/model/project name, not a credential).
  const keys = new Set<string>();
  JSON.parse(out, (k, v: unknown) => {
    keys.add(k);
    return v;
  });
  const forbidden = [...keys].filter((k) => /^(secret|apikey|token|accesstoken|refreshtoken|password|credentials?|authorization|identity|email|cwd|path|settings)$/i.test(k));
  assert.deepEqual(forbidden, []);
  assert.doesNotMatch(out, /ghp_[A-Za-z0-9]{20}|sk-or-v1-[0-9a-z]{10}|octo@example\.com|\/home\/dev/);
  // The project is there, by its folder's name only.
  assert.match(out, /"key":"app"/);
});

test('getUsage: by agent today by default, named ranges, explicit days, unavailable when tracking is off', async () => {
  const rows = [row('2026-09-10', 'claude-code', 1.5, '/w/a'), row('2026-09-10', 'codex', 0.5, '/w/b'), row('2026-09-01', 'codex', 2, '/w/b')];
  const api = createApi(recorder, sources([], rows));
  const today = await api.getUsage();
  assert.deepEqual(today.groups.map((g) => [g.key, g.costUSD]), [['claude-code', 1.5], ['codex', 0.5]]);
  assert.equal(today.totals.costUSD, 2);
  assert.equal((await api.getUsage('month')).totals.costUSD, 4);
  assert.equal((await api.getUsage({ since: '2026-09-01', until: '2026-09-01' })).totals.costUSD, 2);
  await assert.rejects(api.getUsage('fortnight' as never), /unknown range/);
  await assert.rejects(api.getUsage({ since: 'last week' }), /not a day/);
  const off = await createApi(recorder, sources([], undefined)).getUsage();
  assert.equal(off.available, false);
});

test('onDidChange fires on the model\'s change, takes thisArgs and a disposables array, and stops when disposed', () => {
  const s = sources([copilot], undefined);
  const subscriptions: Array<{ dispose(): void }> = [];
  const api = createApi(recorder, s, subscriptions);
  const seen: Array<unknown> = [];
  const owner = { name: 'owner' };
  const bag: Array<{ dispose(): void }> = [];
  const d = api.onDidChange(function (this: unknown) {
    seen.push(this);
  }, owner, bag);
  s.changed.fire();
  assert.deepEqual(seen, [owner]);
  assert.equal(bag.length, 1);
  d.dispose();
  s.changed.fire();
  assert.equal(seen.length, 1);
  // The extension's subscriptions end the forwarding.
  api.onDidChange(() => void (seen as unknown[]).push('late'));
  for (const x of subscriptions) x.dispose();
  s.changed.fire();
  assert.equal(seen.length, 1);
});
