import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMeter, type Meter, type Snapshot } from '../../../src/shared/model';
import { displayStatus, pickStatusMeter, type AccountEntry } from '../../../src/core/summary';
import { formatMeterValue, formatUsedOfLimit, formatAmount, meterSeverity } from '../../../src/shared/format';

const meter = (id: string, p: Partial<Meter>): Meter => makeMeter({ id, label: id, kind: 'quota', unit: 'requests', source: 'official', capturedAt: 0, ...p });
const entry = (name: string, meters: Meter[], extra: Partial<Snapshot> = {}): AccountEntry => ({
  account: { id: name, providerId: 'p', name, createdAt: 0, authKind: 'api-key', settings: {} },
  providerName: 'P',
  icon: 'x',
  loading: false,
  intervalMs: 60_000,
  snapshot: { accountId: name, takenAt: 1000, status: 'ok', meters, lastSuccessAt: 1000, ...extra },
});

test('makeMeter derives but never invents', () => {
  const m = meter('a', { limit: 300, remaining: 75 });
  assert.equal(m.used, 225);
  assert.equal(m.percentUsed, 75);
  const u = meter('b', { used: 5 });
  assert.equal(u.limit, undefined);
  assert.equal(u.percentUsed, undefined);
  assert.equal(u.remaining, undefined);
  const unl = meter('c', { unlimited: true, limit: 0, percentUsed: 0 });
  assert.equal(unl.percentUsed, undefined);
  assert.equal(unl.limit, undefined);
});

test('unknown is shown as unknown, never 0', () => {
  const m = meter('x', {});
  assert.equal(formatMeterValue(m), 'unknown');
  assert.equal(formatUsedOfLimit(m), 'unknown');
  assert.equal(formatAmount(undefined, 'USD'), 'unknown');
  assert.equal(meterSeverity(m), 'unknown');
  assert.equal(formatMeterValue(meter('u', { unlimited: true })), 'unlimited');
});

test('status bar picks the meter closest to its limit across accounts', () => {
  const es = [entry('a', [meter('m1', { used: 10, limit: 100 })]), entry('b', [meter('m2', { used: 90, limit: 100 }), meter('m3', { unlimited: true })])];
  const p = pickStatusMeter(es, '');
  assert.equal(p?.entry.account.name, 'b');
  assert.equal(p?.meter?.id, 'm2');
});

test('pinned account or meter wins; a missed pin falls back and says so', () => {
  const es = [entry('a', [meter('m1', { used: 10, limit: 100 }), meter('m9', { used: 1, limit: 100 })]), entry('b', [meter('m2', { used: 90, limit: 100 })])];
  assert.equal(pickStatusMeter(es, 'A')?.meter?.id, 'm1');
  assert.equal(pickStatusMeter(es, 'a/m9')?.meter?.id, 'm9');
  const miss = pickStatusMeter(es, 'nobody');
  assert.equal(miss?.meter?.id, 'm2');
  assert.equal(miss?.pinMissed, true);
});

test('an ok snapshot much older than its interval displays as stale', () => {
  const e = entry('a', []);
  assert.equal(displayStatus(e, 1000 + 60_000), 'ok');
  assert.equal(displayStatus(e, 1000 + 10 * 60_000), 'stale');
  assert.equal(displayStatus({ intervalMs: 1 }, 0), 'pending');
});
