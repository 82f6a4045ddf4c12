// The shared host ↔ webview schemas (src/shared/protocolSchemas.ts) in plain Node: what the host builds passes
// unchanged, and malformed messages are refused (the whole message, one account, one pace entry, the usage section or
// a chart series, as the webview relies on). The same parse functions run in the webview bundle; the Chromium side is
// in test/webview/render.webview.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMeter } from '../../../src/shared/model';
import type { ChartSeries, DashboardState } from '../../../src/shared/protocol';
import { parseClockMessage, parseFocusMessage, parseHistoryMessage, parseHostMessage, parseSpendMessage, usageViewSchema, webviewToHostSchema } from '../../../src/shared/protocolSchemas';
import { buildSpendView } from '../../../src/features/spend/core/spend';
import { buildUsageView } from '../../../src/core/usage/view';
import type { UsageRow } from '../../../src/core/usage/types';

const NOW = Date.UTC(2026, 2, 15, 14, 30);
const utcDay = (ts: number) => new Date(ts).toISOString().slice(0, 10);

function state(): DashboardState {
  const meter = makeMeter({ id: 'premium', label: 'Premium', kind: 'quota', unit: 'requests', source: 'official', used: 10, limit: 300, resetsAt: NOW + 86_400_000, capturedAt: NOW });
  const row: UsageRow = {
    day: '2026-03-15', agent: 'claude-code', model: 'claude-sonnet-4-5', cwd: '/w/app', sessionId: 's1', inputTokens: 1000, outputTokens: 500,
    cacheReadTokens: 20, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0, requests: 2, fastRequests: 0,
    loggedCostUSD: 0, loggedCostRequests: 0, costUSD: 1.5, unpricedRequests: 0, fallbackModelRequests: 0, tools: {}, firstTs: NOW - 3_600_000, lastTs: NOW,
  };
  return {
    now: NOW,
    thresholds: { warning: 80, error: 95 },
    accounts: [
      {
        id: 'gh', name: 'Copilot', providerId: 'copilot', providerName: 'GitHub Copilot', icon: 'copilot', authKind: 'github-session', loading: false,
        nextPollAt: NOW + 60_000, mainMeterId: 'premium',
        snapshot: { accountId: 'gh', takenAt: NOW, lastSuccessAt: NOW, status: 'ok', plan: 'Business', meters: [meter] },
        pace: { premium: { status: 'ok', text: 'On pace', burnPerHour: 0.5, basis: 'units', samples: 4 } },
      },
    ],
    usage: buildUsageView({ rows: [row], now: NOW, dayOf: utcDay, workspaceFolders: ['/w/app'] }),
  };
}

function series(): ChartSeries {
  return {
    accountId: 'gh', meterId: 'premium', label: 'Premium', unit: 'requests', range: '7d', from: NOW - 7 * 86_400_000, to: NOW,
    points: [[NOW - 3_600_000, 5], [NOW, 10, 300]], currentReading: true, limit: 300, resets: [], gaps: [[NOW - 7_200_000, NOW - 3_600_000]],
    forecast: [[NOW, 10], [NOW + 86_400_000, 30]], forecastEnd: 'reset', summary: 'Premium over the last 7 days',
  };
}

describe('shared host ↔ webview schemas', () => {
  test('what the host builds passes unchanged (state with usage, clock, history)', () => {
    const s = state();
    assert.ok(usageViewSchema.safeParse(s.usage).success, 'buildUsageView output fits the schema');
    assert.deepEqual(parseHostMessage(JSON.parse(JSON.stringify({ type: 'state', state: s }))), { state: s, dropped: 0 });
    assert.equal(parseClockMessage({ type: 'clock', now: NOW }), NOW);
    assert.deepEqual(parseHistoryMessage({ type: 'history', requestId: 3, series: series() }), { requestId: 3, series: series() });
  });

  test('a malformed message is refused whole; a malformed account, pace entry or usage view only costs itself', () => {
    for (const bad of [undefined, 'state', [], { type: 'state' }, { type: 'state', state: { ...state(), now: Infinity } }, { type: 'state', state: { ...state(), thresholds: { warning: '80', error: 95 } } }, { type: 'state', state: { ...state(), accounts: 'nope' } }]) {
      assert.equal(parseHostMessage(bad), undefined, JSON.stringify(bad));
    }
    const s = state();
    const good = s.accounts[0]!;
    const badMeter = { ...good, id: 'bad', snapshot: { ...good.snapshot!, meters: [{ ...good.snapshot!.meters[0]!, used: '10' }] } };
    const noId = { ...good, id: '' };
    const badPace = { ...good, id: 'pace', pace: { premium: { status: 'ok', text: 42 } } };
    const parsed = parseHostMessage({ type: 'state', state: { ...s, accounts: [good, badMeter, noId, badPace], usage: { ...s.usage!, daily: { models: ['a'], days: [{ day: 'x', costByModel: [], tokensByModel: [], tokens: 0, requests: 0, unpricedRequests: 0 }] } } } });
    assert.ok(parsed);
    assert.equal(parsed.dropped, 2);
    assert.deepEqual(parsed.state.accounts.map((a) => a.id), ['gh', 'pace']);
    assert.equal(parsed.state.accounts[1]!.pace, undefined, 'the bad pace entry is dropped, the card kept');
    assert.equal(parsed.state.usage, undefined, 'a daily row without one figure per model costs the usage section');
  });

  test('a malformed series settles its request as null; a malformed clock or history frame is no message', () => {
    const reversed = { ...series(), from: NOW, to: NOW - 1 };
    const longPoint = { ...series(), points: [[NOW, 1, 2, 3]] };
    const badGap = { ...series(), gaps: [[NOW, 1, 2]] };
    const badRange = { ...series(), range: '2d' };
    for (const s of [reversed, longPoint, badGap, badRange, 'x']) assert.deepEqual(parseHistoryMessage({ type: 'history', requestId: 1, series: s }), { requestId: 1, series: null });
    assert.equal(parseHistoryMessage({ type: 'history', requestId: 'one', series: series() }), undefined);
    assert.equal(parseClockMessage({ type: 'clock', now: '1' }), undefined);
    assert.equal(parseClockMessage({ type: 'clock', now: NaN }), undefined);
  });

  test('webview → host: the host refuses what is not a known message', () => {
    assert.ok(webviewToHostSchema.safeParse({ type: 'requestHistory', requestId: 1, accountId: 'a', meterId: 'm', range: '30d', width: 400 }).success);
    assert.equal(webviewToHostSchema.safeParse({ type: 'requestHistory', requestId: 1, accountId: 'a', meterId: 'm', range: '2d', width: 400 }).success, false);
    assert.equal(webviewToHostSchema.safeParse({ type: 'eval', code: '1' }).success, false);
  });
});

describe('the Spend view and pins', () => {
  const view = buildSpendView(
    [{ id: 'oa', label: 'OpenAI', provider: 'OpenAI', kind: 'vendor', currency: 'USD', days: { '2026-03-14': 2.5 }, from: '2026-03-10', to: '2026-03-15' }],
    '7d',
    NOW,
    '2026-03-15',
  );

  test('a built view passes unchanged; unknown days stay null; a malformed one becomes null, not dropped', () => {
    assert.deepEqual(parseSpendMessage({ type: 'spend', requestId: 4, view }), { requestId: 4, view });
    assert.equal(view.totals[0], null, 'before the source was seen: unknown');
    for (const bad of [{ ...view, totals: view.totals.slice(1) }, { ...view, range: '1y' }, { ...view, rows: [{ ...view.rows[0], kind: 'guess' }] }, { ...view, total: Number.NaN }]) {
      assert.deepEqual(parseSpendMessage({ type: 'spend', requestId: 5, view: bad }), { requestId: 5, view: null });
    }
    assert.equal(parseSpendMessage({ type: 'spend', requestId: 'x', view }), undefined);
    assert.equal(parseSpendMessage({ type: 'history', requestId: 1, series: null }), undefined);
  });

  test('focus, pins in the state, and the webview’s requestSpend / exportSpend / pin messages', () => {
    assert.equal(parseFocusMessage({ type: 'focus', section: 'spend' }), 'spend');
    assert.equal(parseFocusMessage({ type: 'focus', section: 'cards' }), undefined);
    const s = { ...state(), pinned: ['gh\u0000premium'] };
    assert.deepEqual(parseHostMessage({ type: 'state', state: s })?.state.pinned, ['gh\u0000premium']);
    const bad = parseHostMessage({ type: 'state', state: { ...s, pinned: [1] } });
    assert.equal(bad?.state.pinned, undefined, 'a malformed pin list is dropped');
    assert.equal(bad?.state.accounts.length, 1, 'the cards stay');
    assert.equal(webviewToHostSchema.safeParse({ type: 'requestSpend', requestId: 1, range: '12m' }).success, true);
    assert.equal(webviewToHostSchema.safeParse({ type: 'requestSpend', requestId: -1, range: '12m' }).success, false);
    assert.equal(webviewToHostSchema.safeParse({ type: 'exportSpend', range: '90d' }).success, false);
    assert.equal(webviewToHostSchema.safeParse({ type: 'pin', accountId: 'gh', meterId: 'premium', pinned: false }).success, true);
    assert.equal(webviewToHostSchema.safeParse({ type: 'pin', accountId: '', meterId: 'premium', pinned: false }).success, false);
  });
});
