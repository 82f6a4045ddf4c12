import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, decideRetry, DEFAULT_BACKOFF, exponentialDelay, type BackoffOptions } from '../../../src/core/scheduler/backoff';
import { parseRetryAfter } from '../../../src/core/retryAfter';

const MIN = 60_000;
const opts: BackoffOptions = { baseMs: 1_000, factor: 2, maxMs: 60_000 };

test('exponential delay grows by the factor and stops at the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => exponentialDelay(n, opts)),
    [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000],
  );
  assert.equal(exponentialDelay(0, opts), 1_000, 'failure counts below 1 count as the first');
  assert.equal(exponentialDelay(100_000, opts), 60_000, 'a huge count is capped, not Infinity/NaN');
});

test('full jitter stays in [0, d) and equal jitter in [d/2, d)', () => {
  for (const n of [1, 3, 6, 20]) {
    const d = exponentialDelay(n, opts);
    for (const r of [0, 0.25, 0.5, 0.999999, 1, -1, Number.NaN]) {
      const full = backoffDelay(n, { ...opts, jitter: 'full' }, () => r);
      assert.ok(full >= 0 && full < d, `full ${full} in [0, ${d}) for r=${r}`);
      const eq = backoffDelay(n, { ...opts, jitter: 'equal' }, () => r);
      assert.ok(eq >= d / 2 && eq < d, `equal ${eq} in [${d / 2}, ${d}) for r=${r}`);
    }
  }
  assert.equal(backoffDelay(3, { ...opts, jitter: 'none' }, () => 0.3), 4_000);
  assert.equal(backoffDelay(3, opts, () => 0), 2_000, 'equal jitter is the default');
});

test('jitter spreads retries (no two draws of different randoms collide)', () => {
  const values = new Set([0.1, 0.2, 0.3, 0.4].map((r) => backoffDelay(5, { ...opts, jitter: 'full' }, () => r)));
  assert.equal(values.size, 4);
});

test('rate-limited with Retry-After seconds: not before retryAt', () => {
  const now = Date.UTC(2026, 0, 1);
  const retryAt = parseRetryAfter('3600', now)!;
  const d = decideRetry({ kind: 'rate-limited', retryAt }, { now, intervalMs: 5 * MIN, previousFailures: 0, random: () => 0.5 });
  assert.equal(d.retryAt, retryAt);
  assert.equal(d.nextDueAt, retryAt);
  assert.equal(d.severity, 'error');
  assert.equal(d.failures, 1);
});

test('rate-limited with an HTTP-date Retry-After: not before that date', () => {
  const now = Date.UTC(2026, 0, 1);
  const date = new Date(now + 2 * 3600_000).toUTCString();
  const retryAt = parseRetryAfter(date, now)!;
  assert.equal(retryAt, now + 2 * 3600_000);
  const d = decideRetry({ kind: 'rate-limited', retryAt }, { now, intervalMs: 5 * MIN, previousFailures: 3 });
  assert.equal(d.nextDueAt, retryAt);
});

test('rate-limited with a short Retry-After still waits the normal interval', () => {
  const now = 1_000_000;
  const d = decideRetry({ kind: 'rate-limited', retryAt: now + 5_000 }, { now, intervalMs: 5 * MIN, previousFailures: 0, random: () => 0 });
  assert.equal(d.nextDueAt, now + 5 * MIN);
  assert.equal(d.retryAt, now + 5_000);
});

test('rate-limited without Retry-After backs off', () => {
  const now = 0;
  const d = decideRetry({ kind: 'rate-limited' }, { now, intervalMs: MIN, previousFailures: 4, random: () => 0.999 });
  assert.equal(d.retryAt, undefined);
  // 5th failure: 16 min un-jittered, equal jitter -> [8, 16) min.
  assert.ok(d.nextDueAt! >= 8 * MIN && d.nextDueAt! < 16 * MIN);
});

test('auth and forbidden: auth-required, no automatic retry', () => {
  for (const kind of ['auth', 'forbidden'] as const) {
    const d = decideRetry({ kind }, { now: 10, intervalMs: MIN, previousFailures: 0 });
    assert.equal(d.severity, 'auth-required');
    assert.equal(d.nextDueAt, undefined);
    assert.equal(d.authBlocked, true);
  }
});

test('transient errors back off to 30 min but never more often than the interval', () => {
  for (const kind of ['server', 'network', 'timeout', 'bad-response'] as const) {
    const dues: number[] = [];
    for (let f = 0; f < 12; f++) {
      const d = decideRetry({ kind }, { now: 0, intervalMs: 5 * MIN, previousFailures: f, random: () => 0.999999 });
      dues.push(d.nextDueAt!);
      assert.equal(d.severity, 'error');
    }
    assert.ok(dues.every((x) => x >= 5 * MIN), `${kind}: never below the interval`);
    assert.ok(dues.every((x) => x <= DEFAULT_BACKOFF.maxMs), `${kind}: capped at 30 min`);
    assert.ok(dues[11]! > 29 * MIN, `${kind}: reaches the cap`);
    for (let i = 1; i < dues.length; i++) assert.ok(dues[i]! >= dues[i - 1]!, `${kind}: non-decreasing with r fixed`);
  }
  // An hourly endpoint keeps its hour even though the backoff cap is 30 min.
  const hourly = decideRetry({ kind: 'server' }, { now: 0, intervalMs: 60 * MIN, previousFailures: 10 });
  assert.equal(hourly.nextDueAt, 60 * MIN);
});

test('not-found, config and proxy (407 from the proxy: a setting to fix, not a flaky network): error at the normal interval', () => {
  for (const kind of ['not-found', 'config', 'proxy'] as const) {
    const d = decideRetry({ kind }, { now: 100, intervalMs: 5 * MIN, previousFailures: 7 });
    assert.equal(d.nextDueAt, 100 + 5 * MIN);
    assert.equal(d.severity, 'error');
    assert.equal(d.failures, 8);
  }
});
