// States in words (issue #18 §5): an account whose numbers are not fresh says why, leading with the reason; the host
// and path of the failed request close the error's message (its details); Refresh All during a Retry-After window
// says who asked to wait and until when.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorHeadline, errorReason, formatClock, waitNotice } from '../../../src/shared/format';
import { errorForStatus } from '../../../src/core/providers/json';
import type { HttpResponse } from '../../../src/core/http';

const res = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, text: JSON.stringify(body), ms: 1 });
const WHERE = '127.0.0.1:33265/api/v1/key';
const NOW = new Date(2026, 0, 5, 14, 20, 0).getTime();

test('an HTTP error message leads with the reason and ends with the host and path', () => {
  const cases: Array<[number, Record<string, string>, string]> = [
    [401, {}, 'Credentials rejected (HTTP 401): User not found. — '],
    [429, { 'retry-after': '30' }, 'Rate limited (HTTP 429): User not found. — '],
    [403, {}, 'Access refused (HTTP 403): User not found. — '],
    [404, {}, 'Not found (HTTP 404): User not found. — '],
    [502, {}, 'Server error (HTTP 502): User not found. — '],
    [418, {}, 'Unexpected answer (HTTP 418): User not found. — '],
  ];
  for (const [status, headers, lead] of cases) {
    const e = errorForStatus(res(status, { error: { code: status, message: 'User not found.' } }, headers), WHERE, NOW);
    assert.equal(e.message, `${lead}${WHERE}`);
    assert.equal(e.status, status);
  }
});

test('the headline names the reason, who said it and the status; api keys are "Key", other sign-ins "Sign-in"', () => {
  assert.equal(errorHeadline({ kind: 'auth', status: 401 }, 'OpenRouter', 'api-key'), 'Key rejected by OpenRouter (401)');
  assert.equal(errorHeadline({ kind: 'auth', status: 401 }, 'GitHub Copilot', 'github-device'), 'Sign-in rejected by GitHub Copilot (401)');
  assert.equal(errorHeadline({ kind: 'auth' }, 'OpenRouter', 'api-key'), 'Key needed for OpenRouter', 'no status: nothing was rejected, a key is missing');
  assert.equal(errorHeadline({ kind: 'rate-limited', status: 429 }, 'OpenRouter', 'api-key'), 'Rate limited by OpenRouter (429)');
  assert.equal(errorHeadline({ kind: 'forbidden', status: 403 }, 'OpenRouter', 'api-key'), 'Access refused by OpenRouter (403)');
  assert.equal(errorHeadline({ kind: 'server', status: 502 }, 'OpenRouter', 'api-key'), 'Server error at OpenRouter (502)');
  assert.equal(errorHeadline({ kind: 'network' }, 'OpenRouter', 'api-key'), 'Could not reach OpenRouter');
  assert.equal(errorHeadline({ kind: 'timeout' }, 'OpenRouter', 'api-key'), 'No answer from OpenRouter');
  assert.equal(errorHeadline({ kind: 'bad-response', status: 200 }, 'OpenRouter', 'api-key'), 'Unexpected answer from OpenRouter (200)');
});

test('the short reason (under its provider in the tree, in the status bar) leaves the provider out', () => {
  assert.equal(errorReason({ kind: 'auth', status: 401 }, 'api-key', { status: true }), 'Key rejected (401)');
  assert.equal(errorReason({ kind: 'auth', status: 401 }, 'api-key'), 'Key rejected');
  assert.equal(errorReason({ kind: 'rate-limited', status: 429 }, 'api-key', { status: true }), 'Rate limited (429)');
  assert.equal(errorReason({ kind: 'network' }, 'api-key'), 'Unreachable');
});

test('a wall-clock time: minutes, seconds when under two minutes away, the weekday when not today', () => {
  assert.equal(formatClock(new Date(2026, 0, 5, 14, 32, 40).getTime(), NOW), '14:32');
  assert.equal(formatClock(new Date(2026, 0, 5, 14, 21, 15).getTime(), NOW), '14:21:15');
  assert.equal(formatClock(new Date(2026, 0, 6, 9, 5, 0).getTime(), NOW), 'Tue 09:05');
});

test('Refresh All during a Retry-After window: who asked to wait, until when, and that it retries then', () => {
  const at = new Date(2026, 0, 5, 14, 32, 0).getTime();
  assert.equal(waitNotice([], NOW), undefined);
  assert.equal(waitNotice([{ providerName: 'OpenRouter', until: at }], NOW), 'OpenRouter asked to wait until 14:32 — retrying then.');
  const later = new Date(2026, 0, 5, 14, 40, 0).getTime();
  assert.equal(
    waitNotice([{ providerName: 'OpenRouter', until: at }, { providerName: 'GitHub Copilot', until: later }, { providerName: 'OpenRouter', until: later }], NOW),
    'OpenRouter asked to wait until 14:40; GitHub Copilot asked to wait until 14:40 — retrying then.',
  );
  // The next poll comes later than the window (backoff or poll interval): it says when, not "then".
  const poll = new Date(2026, 0, 5, 14, 37, 0).getTime();
  assert.equal(waitNotice([{ providerName: 'OpenRouter', until: at, retryAt: poll }], NOW), 'OpenRouter asked to wait until 14:32 — retrying at 14:37.');
  assert.equal(waitNotice([{ providerName: 'OpenRouter', until: at, retryAt: at }], NOW), 'OpenRouter asked to wait until 14:32 — retrying then.');
});
