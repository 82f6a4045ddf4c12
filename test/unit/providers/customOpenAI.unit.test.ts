// OpenAI-compatible endpoint provider against the loopback OpenAI fake (inference routes) through the real UndiciHttpClient.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { configuredModels, customOpenAIProvider, parseGoDuration, rateLimitMeters } from '../../../src/core/providers/customOpenAI';
import { ProviderError } from '../../../src/core/errors';
import type { Meter } from '../../../src/shared/model';
import { FakeServer } from '../../fakes/fakeServer';
import { OpenAIFake } from '../../fakes/openAIFake';
import { testContext } from '../../fakes/providerContext';
import { azureRateLimitHeaders, oaChatCompletion, oaRateLimitHeaders } from '../../builders/openai';

const NOW = Date.UTC(2026, 1, 10, 13, 41);
const KEY = 'sk-proj-custom-test-0000000000000000000001';
const CHAT = '/v1/chat/completions';

describe('parseGoDuration', () => {
  const cases: Array<[string, number | undefined]> = [
    ['6m0s', 360_000],
    ['20ms', 20],
    ['1s', 1000],
    ['2m59.56s', 179_560],
    ['7.66s', 7660],
    ['1h2m', 3_720_000],
    ['1h0m0s', 3_600_000],
    ['0', 0],
    ['0s', 0],
    ['500us', 0.5],
    ['500µs', 0.5],
    ['1500ns', 0.0015],
    ['.5s', 500],
    ['-1.5s', -1500],
    ['  3s ', 3000],
    ['2', 2000],
    ['0.25', 250],
    ['', undefined],
    ['abc', undefined],
    ['5 m', undefined],
    ['5x', undefined],
    ['1h2', undefined],
    ['m5', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`"${input}" → ${String(expected)}`, () => {
      const got = parseGoDuration(input);
      if (expected === undefined) assert.equal(got, undefined);
      else assert.ok(got !== undefined && Math.abs(got - expected) < 1e-9, `got ${got}`);
    });
  }
  it('undefined → undefined', () => assert.equal(parseGoDuration(undefined), undefined));
});

describe('custom-openai provider', () => {
  const oa = new OpenAIFake();

  before(async () => {
    await oa.start();
  });
  after(async () => {
    await oa.stop();
  });
  beforeEach(() => {
    oa.clearLog().clearFaults();
  });

  async function run(settings: Record<string, string> = {}, baseUrl = oa.baseUrl) {
    const t = testContext({ providerId: 'custom-openai', baseUrl, secret: KEY, now: NOW, settings: { baseUrl, ...settings } });
    try {
      return await customOpenAIProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }

  it('describes itself as documented in the brief', () => {
    const p = customOpenAIProvider;
    assert.equal(p.id, 'custom-openai');
    assert.equal(p.displayName, 'OpenAI-compatible endpoint');
    assert.deepEqual([...p.authKinds], ['api-key']);
    assert.equal(p.defaultPollSeconds, 600);
    assert.equal(p.minPollSeconds, 120);
    assert.deepEqual(p.accountFields?.map((f) => [f.key, f.kind, f.required]), [['baseUrl', 'url', true], ['models', 'text', false], ['rateLimitProbe', 'choice', false]]);
    assert.equal(p.accountFields?.[0]?.beforeKey, true);
    const probe = p.accountFields?.[2];
    assert.equal(probe?.defaultValue, 'off');
    assert.deepEqual(probe?.choices?.map((c) => c.value), ['off', 'on']);
    assert.match(probe?.prompt ?? '', /max_tokens 1/);
    assert.match(probe?.prompt ?? '', /quota/);
    assert.equal(p.defaultBaseUrl({ settings: { baseUrl: 'https://llm.example.com/v1/' } }), 'https://llm.example.com/v1');
    assert.throws(() => p.defaultBaseUrl({ settings: {} }), (e: unknown) => e instanceof ProviderError && e.kind === 'config');
  });

  it('configuredModels: trims, drops empties and duplicates', () => {
    assert.deepEqual(configuredModels({ settings: { models: ' a, b ,,a , c ' } }), ['a', 'b', 'c']);
    assert.deepEqual(configuredModels({ settings: {} }), []);
  });

  it('probe off: one health meter counting listed models, no chat request', async () => {
    oa.addInferenceKey(KEY, { models: ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'] });
    const r = await run();
    assert.deepEqual(r.meters, [
      { id: 'health', label: 'Models available', kind: 'quota', unit: 'models', source: 'official', capturedAt: NOW, used: 3, detail: '3 models listed by the endpoint' },
    ] satisfies Meter[]);
    assert.equal(oa.requestsTo(CHAT).length, 0);
    assert.equal(oa.requestsTo('/v1/models')[0]?.headers.authorization, `Bearer ${KEY}`);
  });

  it('configured models: counts those found and lists the missing ones', async () => {
    oa.addInferenceKey(KEY, { models: ['gpt-4o-mini', 'gpt-4o'] });
    const r = await run({ models: 'gpt-4o, llama-3.1-70b, gpt-4o-mini' });
    assert.equal(r.meters[0]?.used, 2);
    assert.equal(r.meters[0]?.limit, undefined);
    assert.equal(r.meters[0]?.percentUsed, undefined);
    assert.equal(r.meters[0]?.detail, '2 of 3 configured models available · missing: llama-3.1-70b');
  });

  it('probe on: one max_tokens 1 request to the first configured model found; OpenAI headers → rate-limit meters', async () => {
    oa.addInferenceKey(KEY, { models: ['gpt-4o-mini', 'gpt-4o'], rateLimitHeaders: oaRateLimitHeaders() });
    const r = await run({ models: 'missing-model, gpt-4o', rateLimitProbe: 'on' });
    const chats = oa.requestsTo(CHAT);
    assert.equal(chats.length, 1);
    const body = JSON.parse(chats[0]!.body) as { model: string; max_tokens: number; messages: unknown[] };
    assert.equal(body.model, 'gpt-4o');
    assert.equal(body.max_tokens, 1);
    assert.equal(body.messages.length, 1);
    const detail = 'from the response headers of a 1-token probe to gpt-4o';
    assert.deepEqual(r.meters.slice(1), [
      { id: 'requests-limit', label: 'Request rate limit', kind: 'rate-limit', unit: 'requests', source: 'headers', capturedAt: NOW, limit: 10000, remaining: 9999, used: 1, percentUsed: 0.01, resetsAt: NOW + 6, detail },
      { id: 'tokens-limit', label: 'Token rate limit', kind: 'rate-limit', unit: 'tokens', source: 'headers', capturedAt: NOW, limit: 30_000_000, remaining: 29_999_990, used: 10, percentUsed: 0, resetsAt: NOW + 179_560, detail },
    ] satisfies Meter[]);
  });

  it('probe on without configured models: uses the first listed model', async () => {
    oa.addInferenceKey(KEY, { models: ['llama-3.1-8b', 'llama-3.1-70b'] });
    await run({ rateLimitProbe: 'on' });
    assert.equal((JSON.parse(oa.requestsTo(CHAT)[0]!.body) as { model: string }).model, 'llama-3.1-8b');
  });

  it('Azure-style headers (remaining only) → meters with remaining only, no invented limit', async () => {
    oa.addInferenceKey(KEY, { models: ['gpt-4o'], rateLimitHeaders: azureRateLimitHeaders() });
    const r = await run({ rateLimitProbe: 'on' });
    const [req, tok] = r.meters.slice(1);
    assert.equal(req?.remaining, 119);
    assert.equal(req?.limit, undefined);
    assert.equal(req?.used, undefined);
    assert.equal(req?.percentUsed, undefined);
    assert.equal(req?.resetsAt, undefined);
    assert.match(req?.detail ?? '', /only what remains/);
    assert.equal(tok?.remaining, 119_000);
  });

  it('no rate-limit headers: only the health meter, with a note', async () => {
    oa.addInferenceKey(KEY, { models: ['m1'], rateLimitHeaders: {} });
    const r = await run({ rateLimitProbe: 'on' });
    assert.deepEqual(r.meters.map((m) => m.id), ['health']);
    assert.match(r.meters[0]?.detail ?? '', /no x-ratelimit-\* headers/);
  });

  it('a 429 on the probe still yields meters (remaining 0, reset) and says so', async () => {
    oa.addInferenceKey(KEY, { models: ['m1'] });
    oa.fail({ status: 429, headers: oaRateLimitHeaders({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1m30s' }) }, { path: CHAT });
    const r = await run({ rateLimitProbe: 'on' });
    const m = r.meters.find((x) => x.id === 'requests-limit');
    assert.equal(m?.remaining, 0);
    assert.equal(m?.percentUsed, 100);
    assert.equal(m?.resetsAt, NOW + 90_000);
    assert.match(m?.detail ?? '', /rate limited right now/);
  });

  it('a failing probe does not fail the snapshot: health meter with the failure noted', async () => {
    oa.addInferenceKey(KEY, { models: ['m1'] });
    oa.fail({ status: 500 }, { path: CHAT });
    const r = await run({ rateLimitProbe: 'on' });
    assert.deepEqual(r.meters.map((m) => m.id), ['health']);
    assert.match(r.meters[0]?.detail ?? '', /rate-limit probe failed: .*HTTP 500/);
  });

  it('a model that rejects max_tokens is retried once with max_completion_tokens', async () => {
    const srv = new FakeServer();
    srv.route('GET', '/v1/models', () => ({ json: { object: 'list', data: [{ id: 'o3-mini', object: 'model' }] } }));
    srv.route('POST', '/v1/chat/completions', (req) => {
      const b = JSON.parse(req.body) as Record<string, unknown>;
      if ('max_tokens' in b) {
        return { status: 400, json: { error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' } } };
      }
      return { headers: oaRateLimitHeaders(), json: oaChatCompletion('o3-mini') };
    });
    await srv.start();
    try {
      const r = await run({ rateLimitProbe: 'on' }, `${srv.url}/v1`);
      assert.deepEqual(r.meters.map((m) => m.id), ['health', 'requests-limit', 'tokens-limit']);
      const posts = srv.requestsTo('/v1/chat/completions');
      assert.equal(posts.length, 2);
      assert.equal((JSON.parse(posts[1]!.body) as Record<string, unknown>).max_completion_tokens, 1);
    } finally {
      await srv.stop();
    }
  });

  it('rateLimitMeters: a negative or junk reset leaves resetsAt unknown', () => {
    const m = rateLimitMeters({ 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '59', 'x-ratelimit-reset-requests': 'soon' }, NOW, 'm');
    assert.equal(m.length, 1);
    assert.equal(m[0]?.resetsAt, undefined);
    assert.equal(m[0]?.used, 1);
  });

  it('testConnection: lists models and suggests the host as the name', async () => {
    oa.addInferenceKey(KEY, { models: ['m1'] });
    const t = testContext({ providerId: 'custom-openai', baseUrl: oa.baseUrl, secret: KEY, now: NOW });
    try {
      const info = await customOpenAIProvider.testConnection(t.ctx);
      assert.equal(info.suggestedName, new URL(oa.url).host);
      assert.equal(oa.requestsTo(CHAT).length, 0);
    } finally {
      await t.close();
    }
  });

  it('an unknown key → auth', async () => {
    const t = testContext({ providerId: 'custom-openai', baseUrl: oa.baseUrl, secret: 'sk-nobody-00000000000000', now: NOW });
    try {
      await assert.rejects(customOpenAIProvider.fetchSnapshot(t.ctx), (e: unknown) => e instanceof ProviderError && e.kind === 'auth');
    } finally {
      await t.close();
    }
  });
});
