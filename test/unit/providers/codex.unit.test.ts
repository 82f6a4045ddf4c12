// Codex / ChatGPT plan provider: the Codex CLI's auth.json in temporary homes, and `wham/usage` through the real
// UndiciHttpClient against the loopback Codex fake.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProviderError } from '../../../src/core/errors';
import type { Meter } from '../../../src/shared/model';
import { codexPlanName, codexProvider, windowName } from '../../../src/core/providers/codex';
import type { ConnectionInfo, CredentialEnv, FetchResult } from '../../../src/core/providers/types';
import { CODEX_ACCOUNT_ID, codexAccessToken, codexApiKeyAuthFile, codexAuthFile, codexIdToken, codexUsage, codexUsagePro } from '../../builders/codex';
import { writeJson } from '../../builders/claude';
import { CodexFake } from '../../fakes/codexFake';
import { testContext } from '../../fakes/providerContext';

const NOW = Date.UTC(2026, 1, 18, 12, 0);
const TOKEN = 'codex-fake-access-token-unit-0001';
const src = codexProvider.credentialFile!;
const base = { kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: NOW } as const;

function cred(o: Record<string, unknown> = {}): string {
  return JSON.stringify({ accessToken: TOKEN, accountId: CODEX_ACCOUNT_ID, email: 'dev@example.com', plan: 'team', ...o });
}

async function expectError(p: Promise<unknown>, kind: string, re?: RegExp): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, String(err));
    assert.equal(err.kind, kind, err.message);
    if (re) assert.match(err.message, re);
    assert.ok(!err.message.includes(TOKEN), 'token leaked');
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

let root: string;
let n = 0;
function home(env: Record<string, string> = {}): CredentialEnv {
  const h = path.join(root, `h${n++}`);
  mkdirSync(h, { recursive: true });
  return { home: h, env, platform: 'linux' };
}

before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tokstat-codex-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('codex: definition', () => {
  it('describes itself as the brief says', () => {
    const p = codexProvider;
    assert.equal(p.id, 'codex');
    assert.equal(p.displayName, 'Codex (ChatGPT plan)');
    assert.deepEqual([...p.authKinds], ['credential-file']);
    assert.equal(p.defaultBaseUrl({ settings: {} }), 'https://chatgpt.com/backend-api');
    assert.equal(p.defaultPollSeconds, 300);
    assert.equal(p.minPollSeconds, 120);
    assert.deepEqual(p.endpoints, [{ path: '/wham/usage', official: false }]);
  });

  it('plan and window names', () => {
    assert.equal(codexPlanName('plus'), 'Plus');
    assert.equal(codexPlanName('free_workspace'), 'Free workspace');
    assert.equal(codexPlanName('brand_new_plan'), 'Brand new plan');
    assert.equal(codexPlanName(null), undefined);
    assert.equal(windowName(18000), '5-hour');
    assert.equal(windowName(604800), 'weekly');
    assert.equal(windowName(86400), 'daily');
    assert.equal(windowName(undefined), undefined);
  });
});

describe('codex: auth.json', () => {
  it('~/.codex/auth.json: token, account id, email and plan from the id_token', async () => {
    const env = home();
    writeJson(path.join(env.home, '.codex', 'auth.json'), codexAuthFile());
    assert.deepEqual(src.candidates(env), [path.join(env.home, '.codex', 'auth.json')]);
    const r = await src.read(env);
    assert.equal(r.suggestedName, 'dev@example.com');
    const c = JSON.parse(r.credential) as Record<string, unknown>;
    assert.equal(c.accountId, CODEX_ACCOUNT_ID);
    assert.equal(c.email, 'dev@example.com');
    assert.equal(c.plan, 'team');
    assert.equal(c.refresh_token, undefined);
    assert.ok(!r.credential.includes('rt_fake_refresh'), 'the refresh token is never carried');
  });

  it('CODEX_HOME; account id from the id_token claim when tokens.account_id is absent', async () => {
    const env = home();
    env.env = { CODEX_HOME: path.join(env.home, 'cx') };
    writeJson(path.join(env.home, 'cx', 'auth.json'), codexAuthFile({ account_id: undefined, id_token: codexIdToken({ accountId: 'acct-from-jwt', email: 'jwt@example.com' }) }));
    const r = await src.read(env);
    const c = JSON.parse(r.credential) as Record<string, unknown>;
    assert.equal(c.accountId, 'acct-from-jwt');
    assert.equal(r.suggestedName, 'jwt@example.com');
    assert.deepEqual(r.settings, { codexHome: path.join(env.home, 'cx') });
  });

  it('API-key mode → config "no plan limits to read"', async () => {
    const env = home();
    writeJson(path.join(env.home, '.codex', 'auth.json'), codexApiKeyAuthFile());
    await expectError(src.read(env), 'config', /Codex is signed in with an API key: there are no plan limits to read/);
  });

  it('missing → auth "run `codex login`"; malformed → auth; expired access token → auth', async () => {
    await expectError(src.read(home()), 'auth', /Sign in again in Codex CLI \(run `codex login`\)/);
    const env = home();
    writeJson(path.join(env.home, '.codex', 'auth.json'), '{"tokens":');
    await expectError(src.read(env), 'auth', /not valid JSON/);
    const env2 = home();
    writeJson(path.join(env2.home, '.codex', 'auth.json'), codexAuthFile({ access_token: codexAccessToken(-60) }));
    await expectError(src.read(env2), 'auth', /expired.*codex login/);
  });
});

describe('codex: usage', () => {
  const cx = new CodexFake();
  before(async () => {
    await cx.start();
  });
  after(async () => {
    await cx.stop();
  });
  beforeEach(() => {
    cx.clearFaults().clearLog();
  });

  async function run(secret = cred(), baseUrl = cx.baseUrl): Promise<FetchResult> {
    const t = testContext({ providerId: 'codex', baseUrl, secret, now: NOW, authKind: 'credential-file' });
    try {
      return await codexProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }
  async function conn(secret = cred()): Promise<ConnectionInfo> {
    const t = testContext({ providerId: 'codex', baseUrl: cx.baseUrl, secret, now: NOW, authKind: 'credential-file' });
    try {
      return await codexProvider.testConnection(t.ctx);
    } finally {
      await t.close();
    }
  }

  it('captured team payload → exact meters (reset_at epoch seconds); Codex headers', async () => {
    cx.addToken(TOKEN, { usage: codexUsage(), accountId: CODEX_ACCOUNT_ID });
    const r = await run();
    assert.deepEqual(r.meters, [
      // The stated window length (limit_window_seconds) rides along: pace and the gauge marker need it.
      { ...base, id: 'five-hour', label: '5-hour limit', percentUsed: 7, resetsAt: 1771422975_000, windowMs: 18_000_000 },
      { ...base, id: 'weekly', label: 'Weekly limit', percentUsed: 2, resetsAt: 1772010153_000, windowMs: 604_800_000 },
      { ...base, id: 'code-review', label: 'Code review (weekly)', percentUsed: 0, resetsAt: 1772022925_000, windowMs: 604_800_000 },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Team');
    assert.equal(r.identity, 'dev@example.com');
    const req = cx.requestsTo('/backend-api/wham/usage')[0]!;
    assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req.headers['chatgpt-account-id'], CODEX_ACCOUNT_ID);
    assert.equal(req.headers['user-agent'], 'codex_cli_rs/0.50.0');
    assert.equal(req.headers.accept, 'application/json');
  });

  it('Pro at its limit: extra model limit, credits balance sent as a string', async () => {
    cx.addToken(TOKEN, { usage: codexUsagePro() });
    const r = await run();
    assert.deepEqual(
      r.meters.map((m) => [m.id, m.label, m.kind, m.unit, m.percentUsed, m.remaining, m.detail]),
      [
        ['five-hour', '5-hour limit', 'quota', '%', 100, undefined, 'limit reached'],
        ['weekly', 'Weekly limit', 'quota', '%', 61, undefined, undefined],
        ['code-review', 'Code review (weekly)', 'quota', '%', 0, undefined, undefined],
        ['gpt-5-3-codex-spark-primary', 'GPT-5.3-Codex-Spark (5-hour)', 'quota', '%', 25, undefined, undefined],
        ['credits', 'Credits', 'credits', 'credits', undefined, 37.5, '≈ 12–60 local messages · ≈ 4 cloud messages'],
      ],
    );
    assert.equal(r.plan, 'Pro');
  });

  it('credits: number balance; unlimited; has_credits false → no meter', async () => {
    cx.addToken(TOKEN, { usage: codexUsage({ credits: { has_credits: true, unlimited: false, balance: 12 } }) });
    assert.equal((await run()).meters.find((m) => m.id === 'credits')?.remaining, 12);
    cx.addToken(TOKEN, { usage: codexUsage({ credits: { has_credits: true, unlimited: true, balance: null } }) });
    assert.equal((await run()).meters.find((m) => m.id === 'credits')?.unlimited, true);
    cx.addToken(TOKEN, { usage: codexUsage({ credits: { has_credits: false, unlimited: false, balance: '0' } }) });
    assert.equal((await run()).meters.find((m) => m.id === 'credits'), undefined);
  });

  it('reset_after_seconds when reset_at is absent; null windows omitted', async () => {
    cx.addToken(TOKEN, { usage: codexUsage({ rate_limit: { primary_window: { used_percent: 40, limit_window_seconds: 18000, reset_after_seconds: 120 }, secondary_window: null }, code_review_rate_limit: null }) });
    assert.deepEqual((await run()).meters, [{ ...base, id: 'five-hour', label: '5-hour limit', percentUsed: 40, resetsAt: NOW + 120_000, windowMs: 18_000_000 }]);
  });

  it('a base URL without /backend-api uses /api/codex/usage', async () => {
    cx.addToken(TOKEN, {});
    await run(cred(), cx.url);
    assert.equal(cx.requestsTo('/api/codex/usage').length, 1);
  });

  it('401 and 403 → auth "run `codex login`"', async () => {
    await expectError(run(cred({ accessToken: 'unknown-token-0000' })), 'auth', /codex login/);
    cx.addToken(TOKEN, { accountId: 'another-workspace' });
    const e = await expectError(run(), 'auth', /codex login/);
    assert.equal(e.status, 403);
  });

  it('Cloudflare challenge page → bad-response that says so', async () => {
    cx.addToken(TOKEN, {});
    cx.challenge({ path: '/backend-api/wham/usage' });
    const e = await expectError(run(), 'bad-response', /Cloudflare challenge/);
    assert.equal(e.status, 403);
  });

  it('an expired access token (from the credential) → auth without calling', async () => {
    cx.addToken(TOKEN, {});
    await expectError(run(cred({ expiresAt: NOW - 1 })), 'auth', /codex login/);
    assert.equal(cx.requests.length, 0);
  });

  it('testConnection: email name, plan, and the ChatGPT account id (from the sign-in, else the usage answer)', async () => {
    cx.addToken(TOKEN, {});
    const accountKey = `account:${CODEX_ACCOUNT_ID}`;
    assert.deepEqual(await conn(), { suggestedName: 'dev@example.com', identity: 'dev@example.com', accountKey, plan: 'Team' });
    assert.deepEqual(await conn(JSON.stringify({ accessToken: TOKEN })), { suggestedName: 'dev@example.com', identity: 'dev@example.com', accountKey, plan: 'Team' });
  });
});
