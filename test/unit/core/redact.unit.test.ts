// Redaction, table-driven: every key family named in the provider reference (docs provider-apis.md), in every context
// a key turns up in — a log line, an error message, a URL query, a JSON body, and right after an `_`. The keys are
// obviously fake (zero-filled or containing "test") and are never registered, so only the token shapes can catch them.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { redact } from '../../../src/core/redact';

const z = (n: number) => '0'.repeat(n);

const FAMILIES: ReadonlyArray<{ family: string; key: string }> = [
  { family: 'OpenRouter sk-or-v1-', key: `sk-or-v1-${z(64)}` },
  { family: 'OpenAI admin sk-admin-', key: `sk-admin-test${z(40)}` },
  { family: 'OpenAI project sk-proj-', key: `sk-proj-test_${z(40)}` },
  { family: 'OpenAI service account sk-svcacct-', key: `sk-svcacct-test${z(40)}` },
  { family: 'Anthropic admin sk-ant-admin01-', key: `sk-ant-admin01-test${z(40)}` },
  { family: 'Anthropic API sk-ant-api03-', key: `sk-ant-api03-test${z(40)}` },
  { family: 'Claude Code OAuth sk-ant-oat01-', key: `sk-ant-oat01-test${z(40)}` },
  { family: 'Claude Code refresh sk-ant-ort01-', key: `sk-ant-ort01-test${z(40)}` },
  { family: 'DeepSeek sk- (32 hex)', key: `sk-${z(32)}` },
  { family: 'Moonshot / SiliconFlow sk- (48)', key: `sk-test${z(44)}` },
  { family: 'MiniMax coding plan sk-cp-', key: `sk-cp-test${z(40)}` },
  { family: 'LiteLLM short virtual key', key: 'sk-test' },
  { family: 'LiteLLM master key', key: 'sk-1234' },
  { family: 'xAI xai-', key: `xai-test${z(72)}` },
  { family: 'Hugging Face hf_', key: `hf_test${z(30)}` },
  { family: 'Gemini API key AIza', key: `AIzaTest${z(31)}` },
  { family: 'Google OAuth access ya29.', key: `ya29.test${z(60)}` },
  { family: 'Google OAuth refresh 1//0', key: `1//0test${z(40)}` },
  { family: 'Z.ai id.secret', key: `${z(32)}.test${z(12)}` },
  { family: 'Cursor admin crsr_', key: `crsr_test${z(56)}` },
  { family: 'Cursor user key_', key: `key_test${z(60)}` },
  { family: 'GitHub OAuth gho_', key: `gho_test${z(32)}` },
  { family: 'GitHub user-to-server ghu_', key: `ghu_test${z(32)}` },
  { family: 'GitHub classic PAT ghp_', key: `ghp_test${z(32)}` },
  { family: 'GitHub fine-grained github_pat_', key: `github_pat_test_${z(60)}` },
  { family: 'Copilot proxy token tid=', key: `tid=test;exp=${z(10)};sku=test;proxy-ep=proxy.test:${z(16)}` },
  { family: 'JWT (ChatGPT / Codex / Gemini id_token)', key: `eyJ0ZXN0IjoxfQ.eyJ0ZXN0IjoxfQ.test${z(20)}` },
];

const CONTEXTS: ReadonlyArray<{ context: string; wrap(key: string): string }> = [
  { context: 'log line', wrap: (k) => `[provider] GET api.example.com/v1/x → 401 in 12 ms; key ${k} rejected` },
  { context: 'error message', wrap: (k) => `api.example.com rejected the credentials (HTTP 401): Incorrect API key provided: ${k}.` },
  { context: 'URL query', wrap: (k) => `https://api.example.com/v1/x?alt=json&q=${encodeURI(k)}&page=2` },
  { context: 'JSON body', wrap: (k) => JSON.stringify({ error: { message: 'Invalid request', echo: k, param: null } }) },
  { context: 'right after _', wrap: (k) => `env PROVIDER_API_KEY_${k} was set` },
];

describe('redaction: every key family in every context', () => {
  for (const { family, key } of FAMILIES) {
    for (const { context, wrap } of CONTEXTS) {
      it(`${family} in a ${context}`, () => {
        const text = wrap(key);
        const out = redact(text);
        assert.ok(!out.includes(key), `key survived: ${out}`);
        // No recognisable part of it either (the tail carries the secret).
        assert.ok(!out.includes(key.slice(-8)), `key tail survived: ${out}`);
        assert.match(out, /\[redacted\]/);
      });
    }
  }
});

describe('redaction: named credentials whatever their shape', () => {
  const opaque = 'test-opaque-credential-0000';
  const cases: ReadonlyArray<[string, string]> = [
    ['Gemini ?key=', `https://generativelanguage.googleapis.com/v1/models?key=${opaque}&alt=json`],
    ['query access_token=', `https://h.example/cb?access_token=${opaque}`],
    ['form refresh_token=', `grant_type=refresh_token&refresh_token=${opaque}&client_id=x`],
    ['cookie sessionKey=', `Cookie: sessionKey=${opaque}; other=1`],
    ['cookie WorkosCursorSessionToken=', `Cookie: WorkosCursorSessionToken=user%3A%3A${opaque}`],
    ['JSON "access_token"', `{"access_token": "${opaque}", "expiry_date": 1}`],
    ['JSON "refreshToken"', `{"claudeAiOauth":{"refreshToken":"${opaque}"}}`],
    ['JSON "api_key"', `{"api_key":"${opaque}"}`],
    ['JSON "key"', `{"key":"${opaque}","info":{}}`],
    ['Authorization: Basic', `Authorization: Basic ${Buffer.from(`${opaque}:`).toString('base64')}`],
    ['Authorization: Bearer', `Authorization: Bearer ${opaque}`],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const out = redact(text);
      assert.ok(!out.includes(opaque), out);
      assert.ok(!out.includes(Buffer.from(`${opaque}:`).toString('base64')), out);
      assert.match(out, /\[redacted\]/);
    });
  }
});

describe('redaction leaves ordinary text alone', () => {
  for (const text of [
    'task-1234 finished',
    'disk-usage 45%',
    'meter premium_interactions: 300 of 1500 requests',
    'model claude-sonnet-4-5-20250929 and gpt-4o-mini-2024-07-18',
    'key_name sk-...abcd (masked by the server)',
    '{"key_alias":null,"spend":12.34}',
    'api.example.com answered HTTP 500',
    'https://api.example.com/v1/x?page=2&limit=50',
  ]) {
    it(text, () => assert.equal(redact(text), text));
  }
});
