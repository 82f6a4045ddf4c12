import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinUrl, resolveBaseUrl, validateBaseUrl } from '../../../src/core/endpoints';
import { maskKey, redact, registerSecret } from '../../../src/core/redact';
import { validateAccountName, uniqueName } from '../../../src/core/accounts';
import { parseRetryAfter } from '../../../src/core/retryAfter';

test('https anywhere, http only on loopback', () => {
  assert.equal(validateBaseUrl('https://openrouter.ai/api/v1/'), 'https://openrouter.ai/api/v1');
  assert.equal(validateBaseUrl('http://127.0.0.1:8080/api'), 'http://127.0.0.1:8080/api');
  assert.equal(validateBaseUrl('http://localhost:1'), 'http://localhost:1');
  assert.equal(validateBaseUrl('http://[::1]:9/x'), 'http://[::1]:9/x');
  assert.throws(() => validateBaseUrl('http://example.com'), /only loopback/);
  assert.throws(() => validateBaseUrl('http://10.0.0.1'), /only loopback/);
  assert.throws(() => validateBaseUrl('ftp://x'), /https/);
  assert.throws(() => validateBaseUrl('https://u:p@x.com'), /credentials/);
  assert.throws(() => validateBaseUrl('not a url'), /not a valid URL/);
});

test('an empty fragment or query is refused (it would cut every joined path off)', () => {
  for (const raw of ['https://host/v1#', 'https://host/v1?', 'https://host/v1?#', 'https://host/v1#x', 'https://host/v1?a=1']) {
    assert.throws(() => validateBaseUrl(raw), /query or fragment/, raw);
  }
  assert.equal(validateBaseUrl('https://host/v1%23x'), 'https://host/v1%23x');
});

test('plain http only for literal loopback names and addresses, not any *.localhost name', () => {
  for (const raw of ['http://evil.localhost:8080', 'http://a.b.localhost', 'http://localhost.evil.com', 'http://127.0.0.1.nip.io']) {
    assert.throws(() => validateBaseUrl(raw), /only loopback/, raw);
  }
  for (const raw of ['http://localhost:1', 'http://LOCALHOST:2', 'http://127.0.0.1:3', 'http://127.9.8.7:4', 'http://[::1]:5']) {
    assert.doesNotThrow(() => validateBaseUrl(raw), raw);
  }
});

test('overrides replace the default per provider and are validated', () => {
  assert.equal(resolveBaseUrl('openrouter', 'https://openrouter.ai/api/v1', { openrouter: 'http://127.0.0.1:5/api/v1' }), 'http://127.0.0.1:5/api/v1');
  assert.equal(resolveBaseUrl('copilot', 'https://api.github.com', { openrouter: 'http://127.0.0.1:5' }), 'https://api.github.com');
  assert.throws(() => resolveBaseUrl('copilot', 'https://api.github.com', { copilot: 'http://evil.example' }), /tokstat.endpoints\["copilot"\]/);
  assert.equal(joinUrl('http://a/b/', '/c'), 'http://a/b/c');
});

test('redaction removes registered secrets and token shapes', () => {
  registerSecret('my-very-secret-value');
  assert.equal(redact('x my-very-secret-value y'), 'x [redacted] y');
  assert.ok(!redact('Authorization: Bearer abcdefghijklmnop').includes('abcdefghijklmnop'));
  assert.ok(!redact(`gho_${'FakeToken0'.repeat(4)}`).includes('FakeToken0'));
  assert.ok(!redact('key sk-or-v1-0123456789abcdef').includes('0123456789abcdef'));
  assert.equal(maskKey('sk-or-v1-abcdef123456'), 'sk-or-v1-ab…');
});

test('account names: required, unique case-insensitively, no slash', () => {
  const existing = [{ id: '1', providerId: 'p', name: 'Work', createdAt: 0, authKind: 'api-key', settings: {} }];
  assert.match(validateAccountName('  ', existing) ?? '', /Enter a name/);
  assert.match(validateAccountName('work', existing) ?? '', /already exists/);
  assert.equal(validateAccountName('work', existing, '1'), undefined);
  assert.match(validateAccountName('a/b', existing) ?? '', /"\/"/);
  assert.equal(uniqueName('Work', existing), 'Work (2)');
});

test('Retry-After as seconds and as HTTP-date', () => {
  assert.equal(parseRetryAfter('120', 1000), 121_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', 0), Date.parse('2026-10-21T07:28:00Z'));
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
});
