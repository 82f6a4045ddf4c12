import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatToolAnswer, type ToolAccount } from '../../../src/core/lmToolAnswer';
import { makeMeter, type Snapshot } from '../../../src/core/model';

const NOW = Date.UTC(2026, 8, 10, 12);
const snap = (over: Partial<Snapshot>): Snapshot => ({ accountId: 'a', takenAt: NOW - 120_000, lastSuccessAt: NOW - 120_000, status: 'ok', meters: [], ...over });

const work: ToolAccount = {
  name: 'work',
  providerName: 'GitHub Copilot',
  snapshot: snap({
    plan: 'Pro',
    identity: 'octocat@example.com',
    meters: [
      makeMeter({ id: 'chat', label: 'Chat', kind: 'quota', unit: 'messages', source: 'official', capturedAt: NOW, unlimited: true }),
      makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW, used: 240, limit: 300, resetsAt: NOW + 3 * 86_400_000 }),
    ],
  }),
  pace: { premium: { status: 'ok', text: 'At this pace you run out Sat 09:00, 1 day before reset' } },
};
const router: ToolAccount = {
  name: 'router',
  providerName: 'OpenRouter',
  snapshot: snap({
    status: 'error',
    error: { kind: 'server', message: 'OpenRouter answered 503' },
    meters: [makeMeter({ id: 'credits', label: 'Credits', kind: 'balance', unit: 'USD', source: 'official', capturedAt: NOW, remaining: 74.5 })],
  }),
};
const local = {
  today: { costUSD: 1.234, requests: 12, unpricedRequests: 2, totalTokens: 1_234_567 },
  month: { costUSD: 0, requests: 3, unpricedRequests: 3, totalTokens: 900 },
};

test('answer: accounts with main meters, resets, pace, and local totals', () => {
  assert.equal(
    formatToolAnswer({ now: NOW, accounts: [work, router, { name: 'new', providerName: 'Claude' }], local }),
    [
      'AI accounts (tokstat):',
      '- work (GitHub Copilot, Pro): up to date, as of 2m ago',
      '  Premium requests: 80% used (240 / 300 requests); resets in 3d; At this pace you run out Sat 09:00, 1 day before reset',
      '  Chat: unlimited',
      '- router (OpenRouter): error, as of 2m ago',
      '  problem: OpenRouter answered 503',
      '  Credits: $74.50 left',
      '- new (Claude): not fetched yet',
      'Local coding agents (from their logs, API-equivalent cost):',
      '- today: $1.23 + 2 unpriced requests, 1.2M tokens in 12 requests',
      '- this month: cost unknown (no prices for these models), 900 tokens in 3 requests',
    ].join('\n'),
  );
});

test('answer: never contains the account identity', () => {
  assert.ok(!formatToolAnswer({ now: NOW, accounts: [work] }).includes('octocat'));
});

test('answer: one account by name (case-insensitive), or the list when unknown', () => {
  const one = formatToolAnswer({ now: NOW, accounts: [work, router], local, accountName: 'WORK' });
  assert.ok(one.includes('work (GitHub Copilot'));
  assert.ok(!one.includes('router'));
  assert.ok(!one.includes('Local coding agents'));
  assert.equal(formatToolAnswer({ now: NOW, accounts: [work, router], accountName: 'home' }), 'tokstat has no account named "home". Accounts: work, router.');
});

test('answer: no accounts, limited meters', () => {
  assert.equal(formatToolAnswer({ now: NOW, accounts: [] }), 'No AI accounts are configured in tokstat.');
  const many = formatToolAnswer({ now: NOW, accounts: [work], maxMeters: 1 });
  assert.match(many, /\(1 more meters in the tokstat dashboard\)/);
});
