// The same fault matrix for every HTTP provider, against the loopback fakes through the real UndiciHttpClient:
// status mapping, Retry-After in both forms, timeouts, resets, broken bodies, schema drift, and no secret in any
// error message.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { copilotProvider } from '../../../src/core/providers/copilot';
import { openRouterProvider } from '../../../src/core/providers/openrouter';
import { GitHubFake } from '../../fakes/githubFake';
import { OpenRouterFake } from '../../fakes/openRouterFake';
import { copilotDrifted, copilotPaid } from '../../builders/copilot';
import { orKey } from '../../builders/openrouter';
import { describeFaultMatrix, fetchWith, type Target } from '../../support/faultMatrix';

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

before(async () => {
  await gh.start();
  await or.start();
});
after(async () => {
  await gh.stop();
  await or.stop();
});

describeFaultMatrix([copilot, openrouter]);

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
