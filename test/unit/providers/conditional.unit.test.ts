// Conditional requests (issue #20 §5) through the real fetcher, scheduler and HTTP client against a loopback fake that
// supports ETags: the validator reaches the server, its 304 keeps the previous snapshot with a new capture time, a
// changed answer comes through in full, another key never gets the first key's answer, and a server without
// validators is never sent a conditional header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { OpenRouterFake } from '../../fakes/openRouterFake';
import { InMemorySnapshotStore } from '../../fakes/memoryStores';
import { orKey } from '../../builders/openrouter';
import { ConditionalCache } from '../../../src/core/conditional';
import { createFetcher } from '../../../src/core/fetcher';
import { PollScheduler } from '../../../src/core/scheduler/scheduler';
import { AlwaysLeader } from '../../fakes/alwaysLeader';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { nullLogger } from '../../../src/core/log';
import type { Account } from '../../../src/shared/model';

const KEY = 'sk-or-v1-test-cond-0001';
const MIN = 60_000;

async function harness(etags: boolean) {
  const fake = new OpenRouterFake();
  fake.etags = etags;
  fake.addKey(KEY, orKey());
  await fake.start();
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12));
  const http = new UndiciHttpClient(nullLogger, clock);
  const conditional = new ConditionalCache();
  let secret = KEY;
  const account: Account = { id: 'or1', providerId: 'openrouter', name: 'OR', createdAt: 0, authKind: 'api-key', settings: {} };
  const fetch = createFetcher({
    getAccount: () => account,
    credentials: { resolve: async () => secret },
    endpoints: () => ({ openrouter: fake.baseUrl }),
    http,
    clock,
    log: nullLogger,
    requestTimeoutMs: () => 10_000,
    conditional,
  });
  const s = new PollScheduler({ clock, log: nullLogger, random: () => 0.5, fetch, intervalMs: () => 5 * MIN, store: new InMemorySnapshotStore(), lease: new AlwaysLeader() });
  const settle = async () => {
    await s.whenIdle();
    await flushMicrotasks();
    await s.whenIdle();
  };
  return {
    fake, clock, conditional, s, settle,
    setSecret: (v: string) => void (secret = v),
    keyRequests: () => fake.requestsTo('/api/v1/key'),
    close: async () => {
      s.dispose();
      await http.close();
      await fake.stop();
    },
  };
}

test('ETag: If-None-Match reaches the server, its 304 keeps the snapshot with a new capture time; a change comes in full', async () => {
  const h = await harness(true);
  try {
    h.s.setAccounts(['or1']);
    await h.settle();
    const first = h.s.getSnapshot('or1')!;
    assert.equal(first.status, 'ok');
    const [r1] = h.keyRequests();
    assert.equal(r1!.headers['if-none-match'], undefined, 'nothing to validate yet');

    await h.clock.advanceAsync(5 * MIN, h.settle);
    const r2 = h.keyRequests()[1]!;
    assert.match(String(r2.headers['if-none-match']), /^W\/"[0-9a-f]+"$/, 'the ETag of the first answer reached the fake server');
    assert.equal(h.conditional.stats.notModified, 1, 'the server answered 304');
    assert.ok(h.conditional.stats.bytesSaved > 100);
    const second = h.s.getSnapshot('or1')!;
    assert.equal(second.status, 'ok');
    assert.equal(second.takenAt, first.takenAt + 5 * MIN, 'a new capture time');
    assert.deepEqual(
      second.meters.map(({ capturedAt: _c, ...m }) => m),
      first.meters.map(({ capturedAt: _c, ...m }) => m),
      'the same meters',
    );
    assert.ok(second.meters.every((m) => m.capturedAt === second.takenAt));

    // The usage changed: the ETag no longer matches and the new numbers come through.
    h.fake.addKey(KEY, orKey({ usage: 42.5 }));
    await h.clock.advanceAsync(5 * MIN, h.settle);
    assert.equal(h.conditional.stats.notModified, 1, 'a changed answer is sent in full');
    assert.equal(h.s.getSnapshot('or1')!.meters.find((m) => m.id === 'usage-total')?.used, 42.5);

    // Another key on the same account: its first request is not conditional (never the other key's answer).
    h.setSecret('sk-or-v1-test-cond-0002');
    h.fake.addKey('sk-or-v1-test-cond-0002', orKey({ usage: 1 }));
    await h.clock.advanceAsync(5 * MIN, h.settle);
    const last = h.keyRequests().at(-1)!;
    assert.equal(last.headers['if-none-match'], undefined);
    assert.equal(h.s.getSnapshot('or1')!.meters.find((m) => m.id === 'usage-total')?.used, 1);
  } finally {
    await h.close();
  }
});

test('a server without validators never gets a conditional header', async () => {
  const h = await harness(false);
  try {
    h.s.setAccounts(['or1']);
    await h.settle();
    await h.clock.advanceAsync(15 * MIN, h.settle);
    assert.equal(h.keyRequests().length, 4);
    assert.ok(h.keyRequests().every((r) => r.headers['if-none-match'] === undefined && r.headers['if-modified-since'] === undefined));
    assert.equal(h.conditional.stats.conditional, 0);
  } finally {
    await h.close();
  }
});
