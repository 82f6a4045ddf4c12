import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { candidateIds, codexTokens, costOf, parseLiteLLM, parseOverrides, PriceBook, pricingRulesMarkdown, PRICING_RULES, type ModelRates } from '../../../src/core/usage/pricing';
import { bundledPrices } from '../../../src/core/usage/pricingStore';
import type { UsageRecord } from '../../../src/core/usage/types';

const SONNET: ModelRates = {
  input: 3,
  output: 15,
  cacheRead: 0.3,
  cacheWrite: 3.75,
  cacheWrite1h: 6,
  tiers: [{ above: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5, cacheWrite1h: 12 }],
};
const GPT5: ModelRates = { input: 1.25, output: 10, cacheRead: 0.125 };

const book = new PriceBook([
  { source: 'bundled', data: { models: { 'claude-sonnet-4-5': SONNET, 'gpt-5': GPT5, 'claude-opus-4-6': { input: 5, output: 25, fastMultiplier: 6 } }, aliases: { 'gpt-5-codex': 'gpt-5' } } },
]);

function rec(p: Partial<UsageRecord>): UsageRecord {
  return {
    agent: 'claude-code',
    timestamp: 0,
    sessionId: 's',
    model: 'claude-sonnet-4-5',
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    webSearchRequests: 0,
    ...p,
  };
}

const close = (a: number | undefined, b: number): void => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} ≈ ${b}`);

test('lookup: exact id', () => {
  const m = book.lookup('claude-sonnet-4-5');
  assert.equal(m?.key, 'claude-sonnet-4-5');
  assert.equal(m?.rule, 'exact');
  assert.equal(m?.source, 'bundled');
});

test('lookup: an alias of the table is an exact hit', () => {
  const m = book.lookup('gpt-5-codex');
  assert.equal(m?.rule, 'exact');
  assert.equal(m?.rates, GPT5);
});

const cases: Array<[string, string]> = [
  ['Claude-Sonnet-4-5', 'lowercase'],
  ['claude-sonnet-4-5@20250929', 'at-suffix'],
  ['anthropic/claude-sonnet-4-5', 'provider-prefix'],
  ['openrouter/anthropic/claude-sonnet-4-5', 'provider-prefix'],
  ['claude-sonnet-4-5-20250929', 'date-suffix'],
  ['claude-sonnet-4-5-2025-09-29', 'date-suffix'],
  ['claude-sonnet-4.5', 'dotted-version'],
  ['openrouter/anthropic/claude-sonnet-4.5', 'dotted-version'],
];
for (const [id, rule] of cases) {
  test(`lookup: normalisation ${rule} (${id})`, () => {
    const m = book.lookup(id);
    assert.equal(m?.key, 'claude-sonnet-4-5');
    assert.equal(m?.rule, rule);
  });
}

test('every rule has a README line', () => {
  const md = pricingRulesMarkdown();
  for (const r of PRICING_RULES) assert.ok(md.includes(r.example), r.id);
  assert.match(md, /unpriced/);
});

test('candidate spellings are cumulative and de-duplicated', () => {
  assert.deepEqual(
    candidateIds('OpenRouter/Anthropic/Claude-Sonnet-4.5').map((c) => c.id),
    ['OpenRouter/Anthropic/Claude-Sonnet-4.5', 'openrouter/anthropic/claude-sonnet-4.5', 'claude-sonnet-4.5', 'claude-sonnet-4-5'],
  );
});

test('unknown model → unpriced, never $0, and no fuzzy match', () => {
  for (const id of ['claude-sonnet-4-6', 'claude-sonnet-4', 'claude-sonnet', 'gpt-5.1', 'sonnet', '', 'claude-sonnet-4-5-latest-preview']) {
    assert.equal(book.lookup(id), undefined, id);
    const p = book.priceFn(rec({ model: id, inputTokens: 1000 }));
    assert.equal(p.unpriced, true);
    assert.equal(p.costUSD, undefined);
  }
});

test('tiers: below and at 200k total input use base rates', () => {
  // 150k uncached + 50k cache read = 200k total: not above the threshold.
  const c = costOf({ inputTokens: 150_000, outputTokens: 1000, cacheReadTokens: 50_000, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 }, SONNET);
  close(c.costUSD, (150_000 * 3 + 1000 * 15 + 50_000 * 0.3) / 1e6);
  assert.equal(c.tierAbove, undefined);
});

test('tiers: above 200k total input, the whole request uses tier rates', () => {
  const c = costOf({ inputTokens: 10_000, outputTokens: 2000, cacheReadTokens: 180_000, cacheWrite5mTokens: 5_000, cacheWrite1hTokens: 5_001 }, SONNET);
  close(c.costUSD, (10_000 * 6 + 2000 * 22.5 + 180_000 * 0.6 + 5_000 * 7.5 + 5_001 * 12) / 1e6);
  assert.equal(c.tierAbove, 200_000);
});

test('tiers: a tier missing a field keeps the base rate for it', () => {
  const r: ModelRates = { input: 1, output: 2, cacheRead: 0.1, tiers: [{ above: 10, input: 5 }] };
  const c = costOf({ inputTokens: 100, outputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 }, r);
  close(c.costUSD, (100 * 5 + 100 * 2) / 1e6);
});

test('cache writes: 1-hour and 5-minute rates differ', () => {
  const t = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0 };
  close(costOf({ ...t, cacheWrite5mTokens: 100_000, cacheWrite1hTokens: 0 }, SONNET).costUSD, 0.375);
  close(costOf({ ...t, cacheWrite5mTokens: 0, cacheWrite1hTokens: 100_000 }, SONNET).costUSD, 0.6);
});

test('missing cache rates default to input × 1.25 / × 2 / × 0.1', () => {
  const r: ModelRates = { input: 2, output: 8 };
  const t = { inputTokens: 0, outputTokens: 0 };
  close(costOf({ ...t, cacheReadTokens: 1e6, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 }, r).costUSD, 0.2);
  close(costOf({ ...t, cacheReadTokens: 0, cacheWrite5mTokens: 1e6, cacheWrite1hTokens: 0 }, r).costUSD, 2.5);
  close(costOf({ ...t, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 1e6 }, r).costUSD, 4);
});

test('Codex: input includes cached → (input − cached)×in + cached×cache_read + output×out', () => {
  // provider-apis.md §8.2 example turn: input 12005 (10880 cached), output 402.
  const t = codexTokens({ input: 12_005, cached: 10_880, output: 402 });
  assert.deepEqual(t, { inputTokens: 1125, outputTokens: 402, cacheReadTokens: 10_880, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 });
  const p = book.price({ ...t, model: 'gpt-5-codex' });
  close(p.costUSD, (1125 * 1.25 + 10_880 * 0.125 + 402 * 10) / 1e6);
  // Cached above input is clamped (ccusage does the same).
  assert.equal(codexTokens({ input: 10, cached: 50, output: 0 }).cacheReadTokens, 10);
});

test('fast mode: multiplier applied when known, flagged when not', () => {
  const t = { inputTokens: 1e6, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
  close(book.price({ ...t, model: 'claude-opus-4-6', speed: 'fast' }).costUSD, 30);
  close(book.price({ ...t, model: 'claude-opus-4-6' }).costUSD, 5);
  const s = book.price({ ...t, inputTokens: 100_000, model: 'claude-sonnet-4-5', speed: 'fast' });
  close(s.costUSD, 0.3);
  assert.equal(s.fastMultiplierMissing, true);
});

test('overrides win over every table, with the same spellings', () => {
  const o = parseOverrides({ 'claude-sonnet-4-5': { input: 1, output: 2 }, 'My-Model': { input: 10, output: 20, cacheRead: 1 } });
  assert.deepEqual(o.errors, []);
  const b = new PriceBook([
    { source: 'bundled', data: { models: { 'claude-sonnet-4-5': SONNET } } },
    { source: 'litellm', data: { models: { 'claude-sonnet-4-5-20250929': SONNET } } },
    { source: 'override', data: o.data },
  ]);
  // The override is found through the date rule even though LiteLLM has the dated id exactly.
  const m = b.lookup('claude-sonnet-4-5-20250929');
  assert.equal(m?.source, 'override');
  close(b.price({ model: 'claude-sonnet-4-5-20250929', inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 }).costUSD, 3);
  assert.equal(b.lookup('my-model')?.source, 'override');
});

test('overrides: bad rows are reported, good ones kept', () => {
  const o = parseOverrides({ a: { input: 1 }, b: { input: -1, output: 1 }, c: 'x', d: { input: 1, output: 1 } });
  assert.equal(o.errors.length, 3);
  assert.deepEqual(Object.keys(o.data.models), ['d']);
  assert.equal(parseOverrides([]).errors.length, 1);
  assert.deepEqual(parseOverrides(undefined).errors, []);
});

test('LiteLLM: exact hit beats a normalised hit in the bundled table', () => {
  const b = new PriceBook([
    { source: 'bundled', data: { models: { 'claude-sonnet-4-5': SONNET } } },
    { source: 'litellm', data: { models: { 'claude-sonnet-4-5-20250929': { input: 9, output: 9 } } } },
  ]);
  assert.equal(b.lookup('claude-sonnet-4-5-20250929')?.source, 'litellm');
  assert.equal(b.lookup('claude-sonnet-4-5')?.source, 'bundled');
});

test('parseLiteLLM: per-token → per-million, tiers, 1h cache, fast; skips sample_spec, non-chat and unpriced rows', () => {
  const p = parseLiteLLM({
    sample_spec: { input_cost_per_token: 0, output_cost_per_token: 0, mode: 'chat' },
    'claude-sonnet-4-5': {
      litellm_provider: 'anthropic',
      mode: 'chat',
      input_cost_per_token: 3e-6,
      output_cost_per_token: 1.5e-5,
      input_cost_per_token_above_200k_tokens: 6e-6,
      output_cost_per_token_above_200k_tokens: 2.25e-5,
      cache_read_input_token_cost: 3e-7,
      cache_creation_input_token_cost: 3.75e-6,
      cache_creation_input_token_cost_above_1hr: 6e-6,
      provider_specific_entry: { fast: 6 },
    },
    'text-embedding-3-small': { mode: 'embedding', input_cost_per_token: 2e-8, output_cost_per_token: 0 },
    'no-output': { mode: 'chat', input_cost_per_token: 1e-6 },
    'bad-type': { mode: 'chat', input_cost_per_token: '1e-6', output_cost_per_token: 1e-6 },
    'gpt-5-codex': { mode: 'responses', input_cost_per_token: 1.25e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-7 },
  });
  assert.equal(p.rows, 2);
  assert.equal(p.skipped, 2);
  assert.deepEqual(p.data.models['claude-sonnet-4-5'], {
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    cacheWrite1h: 6,
    tiers: [{ above: 200_000, input: 6, output: 22.5 }],
    fastMultiplier: 6,
  });
  assert.deepEqual(p.data.models['gpt-5-codex'], { input: 1.25, output: 10, cacheRead: 0.125 });
  assert.throws(() => parseLiteLLM([]));
  assert.throws(() => parseLiteLLM(null));
});

test('bundled table: covers the models local agents log, with cache and tier data', () => {
  const b = new PriceBook([{ source: 'bundled', data: bundledPrices }]);
  for (const id of ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001', 'gpt-5-codex', 'gpt-5', 'gemini-2.5-pro', 'gemini-2.5-flash']) {
    assert.ok(b.lookup(id), id);
  }
  const s = b.lookup('claude-sonnet-4-5')!.rates;
  assert.ok(s.cacheWrite1h !== undefined && s.cacheWrite !== undefined && s.cacheRead !== undefined);
  assert.equal(s.tiers?.[0]?.above, 200_000);
  assert.ok(JSON.stringify(bundledPrices).length < 60_000, 'bundled table stays small');
});
