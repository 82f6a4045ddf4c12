import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pollIntervalMs, UNKNOWN_PROVIDER_POLL_SECONDS } from '../../../src/core/scheduler/pollInterval';
import { PROVIDERS } from '../../../src/core/providers/registry';

test('with no setting, every provider is polled at its default interval', () => {
  for (const p of PROVIDERS) assert.equal(pollIntervalMs(p.id, undefined), p.defaultPollSeconds * 1000, p.id);
});

test('a setting above the floor is used as is, in seconds', () => {
  assert.equal(pollIntervalMs('copilot', 900), 900_000);
  assert.equal(pollIntervalMs('openrouter', 61.5), 61_500);
});

test('a setting below a provider floor is raised to the floor', () => {
  for (const p of PROVIDERS) assert.equal(pollIntervalMs(p.id, 1), p.minPollSeconds * 1000, p.id);
  assert.equal(pollIntervalMs('claude', 60), 180_000, 'Claude is never polled faster than every 3 minutes');
});

test('a setting that is not a positive finite number counts as unset', () => {
  const copilot = PROVIDERS.find((p) => p.id === 'copilot')!;
  for (const v of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.equal(pollIntervalMs('copilot', v), copilot.defaultPollSeconds * 1000, String(v));
  }
});

test('an unknown provider gets the fallback default and floor', () => {
  assert.equal(pollIntervalMs('no-such-provider', undefined), UNKNOWN_PROVIDER_POLL_SECONDS.default * 1000);
  assert.equal(pollIntervalMs('no-such-provider', 5), UNKNOWN_PROVIDER_POLL_SECONDS.min * 1000);
  assert.equal(pollIntervalMs('no-such-provider', 7200), 7_200_000);
});
