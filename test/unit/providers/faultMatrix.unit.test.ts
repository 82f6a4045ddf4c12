// The same fault matrix for every HTTP provider, against the loopback fakes through the real UndiciHttpClient:
// status mapping, Retry-After in both forms, timeouts, resets, broken bodies, schema drift, and no secret in any
// error message.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { copilotProvider } from '../../../src/core/providers/copilot';
import { openRouterProvider } from '../../../src/core/providers/openrouter';
import { ProviderError } from '../../../src/core/errors';
import type { ErrorKind } from '../../../src/shared/model';
import type { FetchResult, ProviderDefinition } from '../../../src/core/providers/types';
import type { FakeServer, Fault } from '../../fakes/fakeServer';
import { GitHubFake } from '../../fakes/githubFake';
import { OpenRouterFake } from '../../fakes/openRouterFake';
import { testContext } from '../../fakes/providerContext';
import { copilotDrifted, copilotPaid } from '../../builders/copilot';
import { orKey } from '../../builders/openrouter';

const NOW = Date.UTC(2026, 1, 10, 13, 41);

interface Target {
  name: string;
  provider: ProviderDefinition;
  fake: FakeServer;
  secret: string;
  path: string;
  baseUrl(): string;
  /** Installs `payload` as what the secret sees (undefined → the default valid payload). */
  serve(payload?: Record<string, unknown>): void;
  valid(): Record<string, unknown>;
  withExtraFields(): Record<string, unknown>;
  missingField: { payload(): Record<string, unknown>; field: RegExp };
  mistypedField: { payload(): Record<string, unknown>; field: RegExp };
  numbersAsStrings: { payload(): Record<string, unknown>; check(r: FetchResult): void };
  /** An error body that echoes the secret the way a careless server might. */
  echo(secret: string): unknown;
}

const gh = new GitHubFake();
const or = new OpenRouterFake();

const copilot: Target = {
  name: 'copilot',
  provider: copilotProvider,
  fake: gh,
  secret: 'gho_fake_matrix_token_1',
  path: '/copilot_internal/user',
  baseUrl: () => gh.url,
  serve(payload) {
    gh.addToken(this.secret, { copilot: payload ?? this.valid() });
  },
  valid: () => copilotPaid(),
  withExtraFields: () => copilotPaid({ surprise: { a: [1, null, 'x'] }, quota_snapshots: { ...(copilotPaid().quota_snapshots as object), brand_new_quota: { whatever: true } } }),
  missingField: { payload: () => ({ login: 'octo-dev', copilot_plan: 'individual_pro' }), field: /quota_snapshots/ },
  mistypedField: { payload: () => copilotPaid({}, { percent_remaining: 'seventy' }), field: /quota_snapshots\.premium_interactions\.percent_remaining/ },
  numbersAsStrings: {
    payload: () => copilotDrifted(),
    check: (r) => {
      assert.equal(r.meters[0]?.limit, 1500);
      assert.equal(r.meters[0]?.percentUsed, 29.72);
    },
  },
  echo: (s) => ({ message: `Bad credentials for token ${s} (Authorization: token ${s})`, documentation_url: 'https://docs.github.com/rest', status: '401' }),
};

const openrouter: Target = {
  name: 'openrouter',
  provider: openRouterProvider,
  fake: or,
  secret: 'sk-or-v1-test-0000000000000000000000000000000000000000000000000000000000000000',
  path: '/api/v1/key',
  baseUrl: () => or.baseUrl,
  serve(payload) {
    or.addKey(this.secret, payload ?? this.valid());
  },
  valid: () => orKey(),
  withExtraFields: () => orKey({ brand_new: { nested: [1, 2] }, rate_limit: { requests: -1, interval: 'forever', note: 7 } }),
  missingField: {
    payload: () => {
      const k = orKey();
      delete k.usage;
      return k;
    },
    field: /data\.usage/,
  },
  mistypedField: { payload: () => orKey({ limit: 'a lot' }), field: /data\.limit/ },
  numbersAsStrings: {
    payload: () => orKey({ limit: '100', limit_remaining: '74.5', usage: '25.5', usage_daily: '1.25', usage_monthly: '25.50' }),
    check: (r) => {
      const m = r.meters.find((x) => x.id === 'key-limit');
      assert.equal(m?.limit, 100);
      assert.equal(m?.remaining, 74.5);
      assert.equal(m?.used, 25.5);
      assert.equal(r.meters.find((x) => x.id === 'usage-today')?.used, 1.25);
    },
  },
  echo: (s) => ({ error: { code: 401, message: `Invalid key ${s}; header was "Bearer ${s}"` } }),
};

async function fetchWith(target: Target, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<FetchResult> {
  const t = testContext({ providerId: target.provider.id, baseUrl: target.baseUrl(), secret: target.secret, now: NOW, ...opts });
  try {
    return await target.provider.fetchSnapshot(t.ctx);
  } finally {
    await t.close();
  }
}

async function expectError(target: Target, kind: ErrorKind, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ProviderError> {
  try {
    await fetchWith(target, opts);
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    assert.equal(err.kind, kind, `kind (message: ${err.message})`);
    assert.ok(!err.message.includes(target.secret), `secret leaked: ${err.message}`);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

before(async () => {
  await gh.start();
  await or.start();
});
after(async () => {
  await gh.stop();
  await or.stop();
});

for (const target of [copilot, openrouter]) {
  describe(`fault matrix: ${target.name}`, () => {
    const failOnce = (fault: Fault) => {
      target.fake.clearFaults().clearLog();
      target.serve();
      target.fake.fail(fault, { path: target.path });
    };

    it('401 → auth', async () => {
      failOnce({ status: 401 });
      const e = await expectError(target, 'auth');
      assert.equal(e.status, 401);
    });

    it('403 → forbidden', async () => {
      failOnce({ status: 403 });
      const e = await expectError(target, 'forbidden');
      assert.equal(e.status, 403);
    });

    it('404 → not-found', async () => {
      failOnce({ status: 404 });
      const e = await expectError(target, 'not-found');
      assert.equal(e.status, 404);
    });

    it('429 with Retry-After seconds → rate-limited, retryAt = now + seconds', async () => {
      failOnce({ retryAfterSeconds: 120 });
      const e = await expectError(target, 'rate-limited');
      assert.equal(e.status, 429);
      assert.equal(e.retryAt, NOW + 120_000);
    });

    it('429 with Retry-After HTTP-date → rate-limited, retryAt = that date', async () => {
      const at = new Date(Date.UTC(2026, 1, 10, 14, 30, 0));
      failOnce({ retryAfterDate: at });
      const e = await expectError(target, 'rate-limited');
      assert.equal(e.retryAt, at.getTime());
    });

    it('500 → server', async () => {
      failOnce({ status: 500 });
      const e = await expectError(target, 'server');
      assert.equal(e.status, 500);
    });

    it('503 with Retry-After → server with retryAt', async () => {
      failOnce({ status: 503, retryAfterSeconds: 30 });
      const e = await expectError(target, 'server');
      assert.equal(e.retryAt, NOW + 30_000);
    });

    it('no answer within the timeout → timeout', async () => {
      failOnce({ delayMs: 1500 });
      const started = Date.now();
      await expectError(target, 'timeout', { timeoutMs: 150 });
      assert.ok(Date.now() - started < 1400, 'the client gave up before the server answered');
    });

    it('connection reset → network', async () => {
      failOnce({ resetConnection: true });
      await expectError(target, 'network');
    });

    it('malformed JSON → bad-response', async () => {
      failOnce({ malformed: true });
      const e = await expectError(target, 'bad-response');
      assert.match(e.message, /malformed JSON/i);
    });

    it('HTML error page with 502 → server, and the message says HTML', async () => {
      failOnce({ html: true });
      const e = await expectError(target, 'server');
      assert.equal(e.status, 502);
      assert.match(e.message, /HTML page/);
    });

    it('HTML page with HTTP 200 (captive portal) → bad-response', async () => {
      failOnce({ html: true, status: 200 });
      const e = await expectError(target, 'bad-response');
      assert.match(e.message, /HTML/);
    });

    it('aborting the context signal → cancelled', async () => {
      failOnce({ delayMs: 1000 });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      await expectError(target, 'cancelled', { signal: ac.signal });
    });

    it('extra unknown fields are tolerated', async () => {
      target.fake.clearFaults();
      target.serve(target.withExtraFields());
      const r = await fetchWith(target);
      assert.ok(r.meters.length > 0);
    });

    it('a missing required field is named in the error', async () => {
      target.fake.clearFaults();
      target.serve(target.missingField.payload());
      const e = await expectError(target, 'bad-response');
      assert.match(e.message, target.missingField.field);
    });

    it('a mistyped field is named in the error', async () => {
      target.fake.clearFaults();
      target.serve(target.mistypedField.payload());
      const e = await expectError(target, 'bad-response');
      assert.match(e.message, target.mistypedField.field);
    });

    it('numbers sent as strings are accepted', async () => {
      target.fake.clearFaults();
      target.serve(target.numbersAsStrings.payload());
      target.numbersAsStrings.check(await fetchWith(target));
    });

    it('one-shot faults clear: the next call succeeds', async () => {
      failOnce({ status: 500 });
      await expectError(target, 'server');
      const r = await fetchWith(target);
      assert.ok(r.meters.length > 0);
    });

    for (const status of [400, 401, 403, 404, 429, 500, 502]) {
      it(`HTTP ${status} with a body echoing the secret: the secret never reaches the error`, async () => {
        target.fake.clearFaults().clearLog();
        target.serve();
        target.fake.fail({ status, body: target.echo(target.secret) }, { path: target.path });
        try {
          await fetchWith(target);
          assert.fail('expected an error');
        } catch (err) {
          assert.ok(err instanceof ProviderError);
          assert.ok(!err.message.includes(target.secret), err.message);
          assert.ok(!JSON.stringify(err.toSnapshotError()).includes(target.secret));
        }
      });
    }
  });
}

describe('fault matrix: openrouter /credits never surfaces for a normal key', () => {
  it('a persistently failing /credits is not even called', async () => {
    or.clearFaults().clearLog();
    or.addKey(openrouter.secret, orKey());
    or.fail({ status: 500 }, { path: '/api/v1/credits', persistent: true });
    const r = await fetchWith(openrouter);
    assert.ok(r.meters.length > 0);
    assert.equal(or.requestsTo('/api/v1/credits').length, 0);
    or.clearFaults();
  });
});
