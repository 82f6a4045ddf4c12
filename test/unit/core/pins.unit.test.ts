// The pinned meters' list (tokstat.statusBar.pins): its operations, how a pin finds its meter, and the short texts of
// the combined item.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMeter, type Meter } from '../../../src/shared/model';
import type { AccountEntry } from '../../../src/core/summary';
import { addPin, cleanPins, combinedText, MAX_PINS, movePin, pinKey, removePin, resolvePins, shortMeterLabel } from '../../../src/core/pins';

const meter = (id: string, label: string, p: Partial<Meter> = {}): Meter => makeMeter({ id, label, kind: 'quota', unit: '%', source: 'official', capturedAt: 0, ...p });
const entry = (name: string, meters: Meter[] | undefined): AccountEntry => ({
  account: { id: name, providerId: 'p', name, createdAt: 0, authKind: 'api-key', settings: {} },
  providerName: 'P',
  icon: 'x',
  loading: false,
  intervalMs: 60_000,
  ...(meters ? { snapshot: { accountId: name, takenAt: 1, status: 'ok' as const, meters, lastSuccessAt: 1 } } : {}),
});

test('pins are added at the right end once, removed and moved by one place (names compare without case)', () => {
  let pins = addPin([], 'Claude/five-hour');
  pins = addPin(pins, 'Codex/five-hour');
  pins = addPin(pins, 'claude/FIVE-HOUR');
  assert.deepEqual(pins, ['Claude/five-hour', 'Codex/five-hour']);
  pins = addPin(pins, 'Copilot/premium');
  assert.deepEqual(movePin(pins, 'Copilot/premium', -1), ['Claude/five-hour', 'Copilot/premium', 'Codex/five-hour']);
  assert.deepEqual(movePin(pins, 'Claude/five-hour', -1), pins, 'the leftmost stays');
  assert.deepEqual(movePin(pins, 'Copilot/premium', 1), pins, 'the rightmost stays');
  assert.deepEqual(movePin(pins, 'nobody/x', 1), pins, 'an unknown pin changes nothing');
  assert.deepEqual(removePin(pins, 'codex/five-hour'), ['Claude/five-hour', 'Copilot/premium']);
});

test('the setting is cleaned: strings only, trimmed, no duplicates, bounded', () => {
  assert.deepEqual(cleanPins('work/premium'), []);
  assert.deepEqual(cleanPins([' a/x ', 3, null, '', 'A/X', 'b/y']), ['a/x', 'b/y']);
  assert.equal(cleanPins(Array.from({ length: 40 }, (_, i) => `a/${i}`)).length, MAX_PINS);
  assert.deepEqual(cleanPins(['x'.repeat(600)]), []);
});

test('a pin finds its account and meter (the longest account name wins), or says it matches nothing', () => {
  const es = [entry('work', [meter('premium', 'Premium requests', { percentUsed: 30 })]), entry('work/eu', [meter('premium', 'Premium', { percentUsed: 70 })]), entry('new', undefined)];
  const r = resolvePins(es, ['work/eu/premium', 'WORK/premium', 'gone/premium', 'work/nope', 'new/five-hour']);
  assert.equal(r[0]!.pick?.entry.account.name, 'work/eu');
  assert.equal(r[0]!.pick?.meter?.percentUsed, 70);
  assert.equal(r[1]!.pick?.entry.account.name, 'work');
  assert.equal(r[2]!.pick, undefined, 'no such account');
  assert.equal(r[3]!.pick, undefined, 'no such meter on an account that has data');
  assert.equal(r[4]!.pick?.entry.account.name, 'new', 'an account without data yet keeps its pin');
  assert.equal(r[4]!.pick?.meter, undefined);
  assert.equal(pinKey(' Claude ', 'five-hour'), 'Claude/five-hour');
});

test('short meter names for the combined item', () => {
  assert.equal(shortMeterLabel(meter('five-hour', '5-hour session')), '5h');
  assert.equal(shortMeterLabel(meter('primary', '5-hour limit', { windowMs: 5 * 3_600_000 })), '5h');
  assert.equal(shortMeterLabel(meter('seven-day', 'Weekly (all models)')), 'wk');
  assert.equal(shortMeterLabel(meter('weekly-opus', 'Weekly (Opus)')), 'wk opus');
  assert.equal(shortMeterLabel(meter('premium', 'Premium requests', { period: 'month' })), 'mo');
  assert.equal(shortMeterLabel(meter('balance', 'Balance')), 'Balance');
  assert.equal(shortMeterLabel(meter('x', 'Extraordinarilylongword things')), 'Extraordinarily…');
});

test('the combined text: each pin as "name short value", unknown as unknown, a missing pin named', () => {
  const es = [
    entry('Claude', [meter('five-hour', '5-hour session', { percentUsed: 62 })]),
    entry('Codex', [meter('primary', '5-hour limit', { percentUsed: 41, windowMs: 5 * 3_600_000 })]),
    entry('Copilot', [meter('premium', 'Premium requests', { period: 'month', unit: 'requests', used: 90, limit: 300 })]),
    entry('Gemini', [meter('pro', 'gemini-2.5-pro')]),
  ];
  const r = resolvePins(es, ['Claude/five-hour', 'Codex/primary', 'Copilot/premium', 'Gemini/pro', 'Old/x']);
  assert.equal(combinedText(r, 'used'), 'Claude 5h 62% · Codex 5h 41% · Copilot mo 30% · Gemini gemini-2.5-pro unknown · Old/x: not found');
  assert.equal(combinedText(r.slice(0, 1), 'remaining'), 'Claude 5h 38%');
});
