import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeServer } from '../../fakes/fakeServer';
import { FakeClock } from '../../fakes/fakeClock';
import { PricingService, PRICES_TTL_MS } from '../../../src/core/usage/pricingStore';

/** A LiteLLM-shaped list: 25 rows so it passes the "not suspiciously small" check, one with a distinctive price. */
function liteList(sonnetInput = 9e-6): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    sample_spec: { input_cost_per_token: 0, output_cost_per_token: 0 },
    'claude-sonnet-4-5-20250929': {
      mode: 'chat',
      input_cost_per_token: sonnetInput,
      output_cost_per_token: 1.5e-5,
      cache_read_input_token_cost: 3e-7,
      provider_specific_entry: { fast: 2 },
    },
  };
  for (let i = 0; i < 24; i++) doc[`filler-${i}`] = { mode: 'chat', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 };
  return doc;
}

const fake = new FakeServer();
let dir: string;
let body: unknown = liteList();
let status = 200;
before(async () => {
  fake.route('GET', '/prices.json', () => (typeof body === 'string' ? { status, text: body } : { status, json: body }));
  await fake.start();
});
after(() => fake.stop());
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-prices-'));
  body = liteList();
  status = 200;
  fake.clearLog();
});

const T = { inputTokens: 1e6, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
const MODEL = 'claude-sonnet-4-5-20250929';

function service(clock = new FakeClock(), extra: Partial<ConstructorParameters<typeof PricingService>[0]> = {}): PricingService {
  return new PricingService({ cacheFile: path.join(dir, 'pricing', 'litellm.json'), url: `${fake.url}/prices.json`, clock, ...extra });
}

test('success: the refreshed list replaces the bundled prices and is cached on disk', async () => {
  const s = service();
  assert.equal(s.book.lookup(MODEL)?.source, 'bundled');
  let changes = 0;
  s.onDidChange(() => changes++);
  assert.equal(await s.refreshIfStale(), 'updated');
  assert.equal(changes, 1);
  const m = s.book.lookup(MODEL);
  assert.equal(m?.source, 'litellm');
  assert.equal(m?.rates.input, 9);
  assert.equal(s.book.price({ ...T, model: MODEL, speed: 'fast' }).costUSD, 18);
  // Models only in the bundled table stay priced.
  assert.equal(s.book.lookup('gemini-2.5-pro')?.source, 'bundled');
  assert.ok(fs.existsSync(path.join(dir, 'pricing', 'litellm.json')));
  assert.equal(s.status().source, 'litellm');
  s.dispose();
});

test('TTL: a fresh disk cache is used without fetching; after 24 h it is refreshed', async () => {
  const clock = new FakeClock();
  const a = service(clock);
  await a.refreshIfStale();
  a.dispose();
  fake.clearLog();
  body = liteList(4e-6);
  const b = service(clock);
  await b.init();
  assert.equal(b.book.lookup(MODEL)?.rates.input, 9);
  assert.equal(await b.refreshIfStale(), 'fresh');
  assert.equal(fake.requests.length, 0);
  clock.advance(PRICES_TTL_MS);
  assert.equal(await b.refreshIfStale(), 'updated');
  assert.equal(b.book.lookup(MODEL)?.rates.input, 4);
  b.dispose();
});

test('HTTP 500 keeps the bundled prices and backs off', async () => {
  status = 500;
  body = { error: 'boom' };
  const clock = new FakeClock();
  const s = service(clock);
  assert.equal(await s.refreshIfStale(), 'failed');
  assert.equal(s.book.lookup(MODEL)?.source, 'bundled');
  assert.equal(s.status().lastError, 'HTTP 500');
  assert.equal(await s.refreshIfStale(), 'backoff');
  assert.equal(fake.requests.length, 1);
  s.dispose();
});

test('malformed JSON, a non-object and a near-empty list all keep the previous prices', async () => {
  const clock = new FakeClock();
  const s = service(clock);
  await s.refreshIfStale();
  for (const bad of ['{"claude-sonnet-4-5-20250929": {"input_cost', '[1,2,3]', JSON.stringify({ x: { mode: 'chat', input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 } })]) {
    body = bad;
    assert.equal(await s.refreshIfStale(true), 'failed', bad.slice(0, 20));
    assert.equal(s.book.lookup(MODEL)?.rates.input, 9);
  }
  // The disk cache was not overwritten either.
  const s2 = service(clock);
  await s2.init();
  assert.equal(s2.book.lookup(MODEL)?.rates.input, 9);
  s.dispose();
  s2.dispose();
});

test('offline setting: never fetches, still uses the disk cache', async () => {
  const clock = new FakeClock();
  const a = service(clock);
  await a.refreshIfStale();
  a.dispose();
  fake.clearLog();
  const s = service(clock, { offline: true });
  await s.init();
  clock.advance(10 * PRICES_TTL_MS);
  assert.equal(await s.refreshIfStale(true), 'offline');
  s.startAutoRefresh(1000);
  clock.advance(5000);
  await new Promise((r) => setImmediate(r));
  assert.equal(fake.requests.length, 0);
  assert.equal(s.book.lookup(MODEL)?.source, 'litellm');
  s.dispose();
  assert.equal(clock.pendingTimers(), 0);
});

test('a non-loopback http URL is refused without a request', async () => {
  const s = service(new FakeClock(), { url: 'http://example.com/prices.json' });
  assert.equal(await s.refreshIfStale(), 'failed');
  assert.match(s.status().lastError ?? '', /https/);
  s.dispose();
});

test('overrides win and can be changed at run time', async () => {
  const s = service(new FakeClock(), { overrides: { 'claude-sonnet-4-5': { input: 1, output: 1 } } });
  await s.refreshIfStale();
  assert.equal(s.book.lookup(MODEL)?.source, 'override');
  s.setOverrides({});
  assert.equal(s.book.lookup(MODEL)?.source, 'litellm');
  s.setOverrides({ bad: { input: 'x' } });
  assert.equal(s.status().overrideErrors.length, 1);
  s.dispose();
});
