// The fault matrix for the OpenAI (admin), Anthropic (admin), LiteLLM proxy and OpenAI-compatible providers, against
// their loopback fakes through the real UndiciHttpClient: status mapping, Retry-After in both forms, timeouts, resets,
// broken bodies, schema drift, numbers as strings, and no secret in any error message.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { openAIProvider } from '../../../src/core/providers/openai';
import { anthropicProvider } from '../../../src/core/providers/anthropic';
import { liteLLMProvider } from '../../../src/core/providers/litellm';
import { customOpenAIProvider } from '../../../src/core/providers/customOpenAI';
import { OpenAIFake } from '../../fakes/openAIFake';
import { AnthropicFake } from '../../fakes/anthropicFake';
import { LiteLLMFake } from '../../fakes/liteLLMFake';
import { oaCostDays, oaCostResult, oaModel, oaUsageDays, oaUsageResult } from '../../builders/openai';
import { anCostResult, anDays, anUsageResult } from '../../builders/anthropic';
import { llKeyInfo } from '../../builders/litellm';
import { describeFaultMatrix, expectError, fetchWith, NOW, type Target } from '../../support/faultMatrix';

const FEB1 = Date.UTC(2026, 1, 1);

type Json = Record<string, unknown>;

const oa = new OpenAIFake();
const an = new AnthropicFake();
const ll = new LiteLLMFake();
const cu = new OpenAIFake();

// --- OpenAI admin ---------------------------------------------------------------------------------------------
const oaSpec = (usageResult: Json = oaUsageResult(), costValue: number | string = 0.5): Json => ({
  usage: oaUsageDays(FEB1 / 1000, NOW, () => [usageResult]),
  costs: oaCostDays(FEB1 / 1000, NOW, () => [oaCostResult(costValue)]),
});

const openai: Target = {
  name: 'openai',
  provider: openAIProvider,
  fake: oa,
  secret: 'sk-admin-matrix-00000000000000000000000000000000',
  path: '/v1/organization/usage/completions',
  baseUrl: () => oa.baseUrl,
  serve(payload) {
    oa.addAdminKey(this.secret, (payload ?? this.valid()) as { usage: Json[]; costs: Json[] });
  },
  valid: () => oaSpec(),
  withExtraFields: () => oaSpec(oaUsageResult({ brand_new: { x: [1, null] }, api_source: 'responses' }), 0.5),
  missingField: {
    payload: () => {
      const r = oaUsageResult();
      delete r.input_tokens;
      return oaSpec(r);
    },
    field: /data\[0\]\.results\[0\]\.input_tokens/,
  },
  mistypedField: { payload: () => oaSpec(oaUsageResult({ output_tokens: 'lots' })), field: /data\[0\]\.results\[0\]\.output_tokens/ },
  numbersAsStrings: {
    payload: () => oaSpec(oaUsageResult({ input_tokens: '1000', output_tokens: '500', input_cached_tokens: '800', num_model_requests: '5' }), '0.5'),
    check: (r) => {
      assert.equal(r.meters.find((m) => m.id === 'tokens-month')?.used, 15000);
      assert.equal(r.meters.find((m) => m.id === 'requests-today')?.used, 5);
      assert.equal(r.meters.find((m) => m.id === 'spend-month')?.used, 5);
    },
  },
  echo: (s) => ({ error: { message: `Incorrect API key provided: ${s}. Authorization: Bearer ${s}`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
};

// --- Anthropic admin ------------------------------------------------------------------------------------------
const anSpec = (usageResult: Json = anUsageResult(), cents: string | number = '1234.5'): Json => ({
  usage: anDays(FEB1, NOW, () => [usageResult]),
  costs: anDays(FEB1, NOW, () => [anCostResult(cents)]),
});

const anthropic: Target = {
  name: 'anthropic',
  provider: anthropicProvider,
  fake: an,
  secret: 'sk-ant-admin01-matrix-000000000000000000000000000000',
  path: '/v1/organizations/usage_report/messages',
  baseUrl: () => an.url,
  serve(payload) {
    an.addAdminKey(this.secret, (payload ?? this.valid()) as { usage: Json[]; costs: Json[] });
  },
  valid: () => anSpec(),
  withExtraFields: () => anSpec(anUsageResult({ speed: 'standard', server_tool_use: { web_search_requests: 3, web_fetch_requests: 1 }, cache_creation: { ephemeral_5m_input_tokens: 3000, ephemeral_1h_input_tokens: 0, ephemeral_24h_input_tokens: 7 } })),
  missingField: {
    payload: () => {
      const r = anUsageResult();
      delete r.output_tokens;
      return anSpec(r);
    },
    field: /data\[0\]\.results\[0\]\.output_tokens/,
  },
  mistypedField: { payload: () => anSpec(anUsageResult({ cache_creation: { ephemeral_5m_input_tokens: 'some' } })), field: /data\[0\]\.results\[0\]\.cache_creation\.ephemeral_5m_input_tokens/ },
  numbersAsStrings: {
    payload: () => anSpec(anUsageResult({ uncached_input_tokens: '12000', cache_read_input_tokens: '90000', output_tokens: '4100', cache_creation: { ephemeral_5m_input_tokens: '3000', ephemeral_1h_input_tokens: '0' } }), 1234.5),
    check: (r) => {
      assert.equal(r.meters.find((m) => m.id === 'tokens-month')?.used, 1_091_000);
      // 10 days × 1234.5 cents = $123.45 whether the amount came as a string or a number.
      assert.equal(r.meters.find((m) => m.id === 'spend-month')?.used, 123.45);
    },
  },
  echo: (s) => ({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${s}` }, request_id: 'req_x' }),
  http200Envelope: { type: 'error', error: { type: 'api_error', message: 'Internal server error' }, request_id: 'req_y' },
};

// --- LiteLLM --------------------------------------------------------------------------------------------------
const litellm: Target = {
  name: 'litellm',
  provider: liteLLMProvider,
  fake: ll,
  secret: 'sk-litellm-matrix-000000000000000000000000',
  path: '/key/info',
  baseUrl: () => ll.url,
  settings: () => ({ baseUrl: ll.url }),
  serve(payload) {
    ll.addKey(this.secret, { keyInfo: payload ?? this.valid() });
  },
  valid: () => llKeyInfo({ user_id: null, team_id: null }),
  withExtraFields: () => llKeyInfo({ user_id: null, team_id: null, brand_new: { nested: [1, 2] }, litellm_budget_table: { soft_budget: 10 } }),
  missingField: {
    payload: () => {
      const k = llKeyInfo({ user_id: null, team_id: null });
      delete k.spend;
      return k;
    },
    field: /info\.spend/,
  },
  mistypedField: { payload: () => llKeyInfo({ user_id: null, team_id: null, max_budget: 'fifty' }), field: /info\.max_budget/ },
  numbersAsStrings: {
    payload: () => llKeyInfo({ user_id: null, team_id: null, spend: '12.34', max_budget: '50' }),
    check: (r) => {
      const m = r.meters.find((x) => x.id === 'key-budget');
      assert.equal(m?.used, 12.34);
      assert.equal(m?.limit, 50);
      assert.equal(m?.percentUsed, 24.68);
    },
  },
  echo: (s) => ({ error: { message: `Authentication Error, Invalid proxy server token passed. Received API Key = ${s}`, type: 'auth_error', param: 'None', code: '401' } }),
};

// --- OpenAI-compatible ----------------------------------------------------------------------------------------
const custom: Target = {
  name: 'custom-openai',
  provider: customOpenAIProvider,
  fake: cu,
  secret: 'sk-custom-matrix-00000000000000000000000',
  path: '/v1/models',
  baseUrl: () => cu.baseUrl,
  settings: () => ({ baseUrl: cu.baseUrl, rateLimitProbe: 'on' }),
  serve(payload) {
    const p = payload ?? this.valid();
    cu.addInferenceKey(this.secret, { models: ['m1', 'm2'], modelsReply: { json: p } });
  },
  valid: () => ({ object: 'list', data: [oaModel('m1'), oaModel('m2')] }),
  withExtraFields: () => ({ object: 'list', brand_new: true, data: [oaModel('m1', { permission: [{ x: 1 }], context_length: 8192 }), oaModel('m2')] }),
  missingField: { payload: () => ({ object: 'list' }), field: /response\.data/ },
  mistypedField: { payload: () => ({ object: 'list', data: [{ id: 42 }] }), field: /data\[0\]\.id/ },
  numbersAsStrings: {
    payload: () => ({ object: 'list', data: [oaModel('m1', { created: '1715367049' }), oaModel('m2', { created: '1715367050' })] }),
    check: (r) => {
      assert.equal(r.meters[0]?.used, 2);
      // The probe's header numbers are strings by nature.
      assert.equal(r.meters.find((m) => m.id === 'requests-limit')?.limit, 10000);
    },
  },
  echo: (s) => ({ error: { message: `Incorrect API key provided: ${s}`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
};

before(async () => {
  await Promise.all([oa.start(), an.start(), ll.start(), cu.start()]);
});
after(async () => {
  await Promise.all([oa.stop(), an.stop(), ll.stop(), cu.stop()]);
});

describeFaultMatrix([openai, anthropic, litellm, custom], { validCase: 'meters' });

describe('fault matrix: second requests', () => {
  it('openai: a fault on the costs endpoint fails the fetch with the right kind', async () => {
    oa.clearFaults();
    openai.serve();
    oa.fail({ retryAfterSeconds: 60 }, { path: '/v1/organization/costs' });
    const e = await expectError(openai, 'rate-limited');
    assert.equal(e.retryAt, NOW + 60_000);
  });

  it('openai: a fault on page 2 of the usage fails the fetch (no silently partial totals)', async () => {
    oa.clearFaults().clearLog();
    openai.serve();
    oa.pageSize = 3;
    // A delay-only fault answers normally, so the 500 lands on the second page.
    oa.fail({ delayMs: 1 }, { path: openai.path });
    oa.fail({ status: 500 }, { path: openai.path });
    try {
      await expectError(openai, 'server');
      assert.equal(oa.requestsTo(openai.path).length, 2);
      assert.ok(String(oa.requestsTo(openai.path)[1]!.query.page).startsWith('page_'));
    } finally {
      oa.pageSize = undefined;
    }
  });

  it('anthropic: a 429 on the cost report is rate-limited with retryAt', async () => {
    an.clearFaults();
    anthropic.serve();
    an.fail({ retryAfterSeconds: 45 }, { path: '/v1/organizations/cost_report' });
    const e = await expectError(anthropic, 'rate-limited');
    assert.equal(e.retryAt, NOW + 45_000);
  });

  it('custom-openai: a probe that times out costs only the rate-limit meters', async () => {
    cu.clearFaults();
    custom.serve();
    // The probe never answers (until the fake stops); only the probe has the short timeout, so a loaded machine that
    // answers /v1/models slowly cannot change the outcome.
    cu.fail({ delayMs: 600_000 }, { path: '/v1/chat/completions' });
    const r = await fetchWith(custom, { timeoutMs: 200, timeoutOnly: (url) => new URL(url).pathname.endsWith('/chat/completions') });
    assert.deepEqual(r.meters.map((m) => m.id), ['health']);
    assert.match(r.meters[0]?.detail ?? '', /probe failed/);
    assert.ok(!(r.meters[0]?.detail ?? '').includes(custom.secret));
  });
});
