// Headroom advice (src/core/headroom.ts) at a fixed clock, with paces computed by the real pace engine from histories.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { accountsForKind, adviseHeadroom, headroomOverview, type HeadroomAccount } from '../../../src/core/headroom';
import { windowHint, type PacePoint } from '../../../src/core/forecast/pace';
import { computePace } from '../../../src/core/forecast/paceSummary';
import { answerQuestion, classifyQuestion, headroomText, kindOfQuestion } from '../../../src/core/agentAnswers';
import type { Meter, Snapshot } from '../../../src/shared/model';

const NOW = Date.UTC(2026, 8, 10, 12);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function meter(id: string, o: Partial<Meter>): Meter {
  return { id, label: id, kind: 'quota', unit: '%', source: 'official', capturedAt: NOW - 5 * MIN, ...o };
}

function account(accountId: string, name: string, providerId: string, meters: Meter[], o: Partial<Snapshot> = {}, history?: Record<string, PacePoint[]>): HeadroomAccount {
  const snapshot: Snapshot = { accountId, takenAt: NOW - 5 * MIN, lastSuccessAt: NOW - 5 * MIN, status: 'ok', meters, ...o };
  const pace = history ? Object.fromEntries(meters.filter((m) => history[m.id]).map((m) => [m.id, computePace(history[m.id]!, m, NOW, windowHint(providerId, m))])) : undefined;
  return { accountId, name, providerId, snapshot, ...(pace ? { pace } : {}) };
}

/** A straight line of percent used, one point every 20 minutes from `from` to now. */
function line(from: number, startPct: number, perHour: number, resetsAt: number): PacePoint[] {
  const out: PacePoint[] = [];
  for (let t = from; t <= NOW - 5 * MIN; t += 20 * MIN) out.push({ t, percentUsed: startPct + ((t - from) / HOUR) * perHour, resetsAt });
  return out;
}

// A Claude plan at 30% of its 5-hour window, 2 h in, used at about 15 points an hour: about 78% by the reset in 3 h.
const planSlow = () => {
  const reset = NOW + 3 * HOUR;
  return account('a1', 'Max plan', 'claude', [meter('five-hour', { label: '5-hour limit', percentUsed: 30, resetsAt: reset })], {}, { 'five-hour': line(NOW - 2 * HOUR, 0, 15, reset) });
};
// The same plan burning 40 points an hour: it runs out in 1.75 h, before its reset in 3 h.
const planFast = () => {
  const reset = NOW + 3 * HOUR;
  return account('a1', 'Max plan', 'claude', [meter('five-hour', { label: '5-hour limit', percentUsed: 30, resetsAt: reset })], {}, { 'five-hour': line(NOW - 45 * MIN, 0, 40, reset) });
};
// The Anthropic API: $40 of a $50 monthly budget spent; no history (no pace yet): 20% left now.
const api = () => account('a2', 'Work API', 'anthropic', [meter('spend-month', { label: 'Spent this month', kind: 'spend', unit: 'USD', used: 40, limit: 50, remaining: 10, percentUsed: 80, resetsAt: NOW + 10 * DAY })]);
// OpenRouter credits: a $5 balance spent at $1 a day: lasts 5 days of a week (room 5/7).
const openrouter = () => {
  const m = meter('credits', { label: 'Credits', kind: 'balance', unit: 'USD', remaining: 5 });
  const pts: PacePoint[] = [];
  for (let d = 7; d >= 0; d--) pts.push({ t: NOW - d * DAY - 5 * MIN, remaining: 5 + d });
  return account('a3', 'Router', 'openrouter', [m], {}, { credits: pts });
};

test('ranked by the room left at the reset at the current pace: a balance lasting 5 of 7 days, the plan\'s 22% by its reset, the API\'s 20% now', () => {
  const advice = adviseHeadroom([planSlow(), api(), openrouter()], 'claude', NOW);
  assert.deepEqual(advice.candidates.map((c) => [c.name, c.verdict, c.room]), [
    ['Router', 'room', 0.714],
    ['Max plan', 'room', 0.217],
    ['Work API', 'room', 0.2],
  ]);
  assert.equal(advice.best?.name, 'Router');
  assert.equal(
    advice.reason,
    '"Router" (openrouter) has the most room for Claude models: "Credits" $5.00 left, lasts about 4d 23h at this pace. Next: "Max plan" (claude): "5-hour limit" 30% used, about 22% left at the reset at this pace, resets in 3h.',
  );
  assert.doesNotMatch(advice.reason, /\n/);
});

test('a plan that runs out before its reset at this pace has no room, whatever is left now', () => {
  const advice = adviseHeadroom([planFast(), api()], 'claude', NOW);
  const plan = advice.candidates.find((c) => c.name === 'Max plan')!;
  assert.equal(plan.verdict, 'none');
  assert.equal(plan.room, 0);
  assert.equal(plan.runOutAt !== undefined && plan.runOutAt < NOW + 3 * HOUR, true);
  assert.match(plan.reason, /^"5-hour limit" 30% used, runs out in 1h \d+m at this pace, before its reset \(resets in 3h\)$/);
  assert.equal(advice.best?.name, 'Work API');
  assert.equal(advice.best?.verdict, 'room');
});

test('ties go to the allowance that resets (a plan is lost if unused) over a pay-as-you-go balance', () => {
  const plan = account('p', 'Plan', 'codex', [meter('weekly', { percentUsed: 0, resetsAt: NOW + DAY })]);
  const credits = account('c', 'Credits', 'copilot', [meter('credits', { kind: 'credits', unit: 'credits', remaining: 100 })]);
  const advice = adviseHeadroom([credits, plan], 'codex', NOW);
  assert.deepEqual(advice.candidates.map((c) => c.name), ['Plan', 'Credits']);
});

test('failed, stale and unfetched accounts cannot tell and come last; none that can tell: "Cannot tell"', () => {
  const failed = account('f', 'Broken', 'anthropic', [], { status: 'error' });
  const stale = account('s', 'Old', 'openrouter', [meter('credits', { kind: 'balance', unit: 'USD', remaining: 3 })], { takenAt: NOW - 3 * HOUR, lastSuccessAt: NOW - 3 * HOUR });
  const none: HeadroomAccount = { accountId: 'n', name: 'New', providerId: 'claude' };
  const advice = adviseHeadroom([failed, stale, none, api()], 'claude', NOW);
  assert.deepEqual(advice.candidates.map((c) => [c.name, c.verdict]), [['Work API', 'room'], ['Broken', 'unknown'], ['Old', 'unknown'], ['New', 'unknown']]);
  assert.equal(advice.candidates[1]!.reason, 'the last refresh failed (error)');
  assert.equal(advice.candidates[2]!.reason, 'figures are 3h old');
  assert.equal(advice.candidates[3]!.reason, 'not fetched yet');
  const blind = adviseHeadroom([failed, none], 'claude', NOW);
  assert.equal(blind.best, undefined);
  assert.equal(blind.reason, 'Cannot tell which account has room for Claude models: "Broken" (anthropic): the last refresh failed (error).');
});

test('at the limit everywhere: "No account has room"; an unlimited meter is full room; kinds select providers', () => {
  const full = account('x', 'Full', 'copilot', [meter('premium', { unit: 'requests', used: 300, limit: 300, percentUsed: 100, resetsAt: NOW + 5 * DAY })]);
  assert.equal(adviseHeadroom([full], 'codex', NOW).reason, 'No account has room for coding-agent work (Codex, Copilot): "Full" (copilot): "premium" at its limit (100% used, resets in 5d).');
  const unlimited = account('u', 'Biz', 'copilot', [meter('chat', { unlimited: true })]);
  assert.equal(adviseHeadroom([unlimited], 'codex', NOW).best?.room, 1);
  assert.match(adviseHeadroom([unlimited], 'codex', NOW).reason, /It is the only account for this work\.$/);
  const all = [planSlow(), api(), openrouter(), full];
  assert.deepEqual(accountsForKind(all, 'codex').map((a) => a.name), ['Router', 'Full']);
  assert.equal(accountsForKind(all, 'any').length, 4);
  assert.equal(adviseHeadroom([], 'claude', NOW).reason, 'No account in tokstat can do Claude models.');
});

test('the overview lists the kinds where at least two accounts can tell', () => {
  const kinds = headroomOverview([planSlow(), api(), account('cx', 'Codex', 'codex', [meter('weekly', { percentUsed: 10, resetsAt: NOW + DAY })])], NOW);
  assert.deepEqual(kinds.map((k) => k.kind), ['claude']);
});

test('chat questions: classified, and answered with the MCP tools\' texts', () => {
  assert.equal(classifyQuestion('how much is left?'), 'left');
  assert.equal(classifyQuestion('What did today cost?'), 'cost');
  assert.equal(classifyQuestion('which account should I use for Claude?'), 'which');
  assert.equal(kindOfQuestion('which account should I use for Claude?'), 'claude');
  assert.equal(kindOfQuestion('which account for copilot work'), 'codex');
  const data = { now: NOW, accounts: [{ ...planSlow(), providerName: 'Claude' }, { ...api(), providerName: 'Anthropic API' }] };
  const which = answerQuestion('which account should I use for Claude?', data);
  assert.equal(which.text, headroomText(adviseHeadroom(data.accounts, 'claude', NOW)));
  assert.match(which.text, /^"Max plan" \(claude\) has the most room for Claude models/);
  const left = answerQuestion('how much is left', data);
  assert.match(left.text, /^AI accounts \(tokstat\):\n/);
  assert.match(left.text, /"5-hour limit": 30% used/);
  assert.equal(answerQuestion('what did today cost', data).text, 'No local usage data: turn on tokstat.localUsage.enabled in VS Code (tokstat reads the coding agents\' logs).');
  assert.equal(answerQuestion('anything', data, 'which').question, 'which');
});
