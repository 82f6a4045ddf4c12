// The fault matrix for the credential-file providers (Claude plan, Codex, Gemini CLI) against their loopback fakes
// through the real UndiciHttpClient — status mapping, Retry-After in both forms, timeouts, resets, broken bodies,
// schema drift, no token in any error message — plus Claude's per-token "blocked until", and the promise that
// tokstat never writes another tool's credential files, even across 401s and 429s.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProviderError } from '../../../src/core/errors';
import type { ErrorKind } from '../../../src/shared/model';
import { claudeProvider, resetClaudeRateLimitGate } from '../../../src/core/providers/claude';
import { codexProvider } from '../../../src/core/providers/codex';
import { discover } from '../../../src/features/discovery/core/discover';
import { geminiCliProvider } from '../../../src/core/providers/geminiCli';
import type { CredentialEnv } from '../../../src/core/providers/types';
import { claudeCredentials, claudeGlobalConfig, claudeUsage, writeClaudeDir, writeJson } from '../../builders/claude';
import { CODEX_ACCOUNT_ID, codexAuthFile, codexUsage } from '../../builders/codex';
import { geminiOauthCreds, geminiQuota, geminiSettings } from '../../builders/gemini';
import { ClaudeFake } from '../../fakes/claudeFake';
import { CodexFake } from '../../fakes/codexFake';
import { GeminiFake } from '../../fakes/geminiFake';
import { testContext } from '../../fakes/providerContext';
import { describeFaultMatrix, expectError, NOW, type Target } from '../../support/faultMatrix';

/** A credential-file target: the secret is an opaque credential, the token inside it must never reach an error. */
type CredentialTarget = Target & { token: string; baseUrl(): string };

const cf = new ClaudeFake();
const cx = new CodexFake();
const gf = new GeminiFake();

const claudeToken = 'sk-ant-oat01-fake-matrix-token-0000000001';
const claude: CredentialTarget = {
  name: 'claude',
  provider: claudeProvider,
  fake: cf,
  token: claudeToken,
  secret: JSON.stringify({ accessToken: claudeToken, expiresAt: NOW + 3600_000, scopes: ['user:profile'], subscriptionType: 'pro' }),
  path: '/api/oauth/usage',
  baseUrl: () => cf.baseUrl,
  serve(payload) {
    cf.addToken(this.token, { usage: payload ?? this.valid() });
  },
  authKind: 'credential-file',
  kinds: { 401: 'auth', 403: 'forbidden' },
  valid: () => claudeUsage(),
  withExtraFields: () => claudeUsage({ iguana_necktie: { utilization: 3, resets_at: null }, tangelo: null, surprise: [1, { a: null }], five_hour: { utilization: 51, resets_at: null, brand_new: true } }),
  missingField: { payload: () => ({ something_else: true }), field: /response\.five_hour/ },
  mistypedField: { payload: () => claudeUsage({ five_hour: { utilization: 'lots', resets_at: null } }), field: /response\.five_hour\.utilization/ },
  numbersAsStrings: {
    payload: () => claudeUsage({ five_hour: { utilization: '51.5', resets_at: null }, extra_usage: { is_enabled: 'true', monthly_limit: '10000', used_credits: '2050', currency: 'USD', decimal_places: '2' } }),
    check(r) {
      assert.equal(r.meters.find((m) => m.id === 'five-hour')?.percentUsed, 51.5);
      const x = r.meters.find((m) => m.id === 'extra-usage');
      assert.equal(x?.used, 20.5);
      assert.equal(x?.limit, 100);
    },
  },
  echo: (t) => ({ type: 'error', error: { type: 'authentication_error', message: `Invalid bearer token ${t} (Authorization: Bearer ${t})` } }),
};

const codexToken = 'codex-fake-matrix-token-0000000001';
const codex: CredentialTarget = {
  name: 'codex',
  provider: codexProvider,
  fake: cx,
  token: codexToken,
  secret: JSON.stringify({ accessToken: codexToken, accountId: CODEX_ACCOUNT_ID }),
  path: '/backend-api/wham/usage',
  baseUrl: () => cx.baseUrl,
  serve(payload) {
    cx.addToken(this.token, { usage: payload ?? this.valid(), accountId: CODEX_ACCOUNT_ID });
  },
  authKind: 'credential-file',
  kinds: { 401: 'auth', 403: 'auth' },
  valid: () => codexUsage(),
  withExtraFields: () => codexUsage({ promo: { id: 'x', ends: 1 }, spend_control: { individual_limit: { limit: 5 } }, rate_limit: { ...(codexUsage().rate_limit as object), surprise: 'yes' } }),
  missingField: {
    payload: () => {
      const u = codexUsage();
      delete u.rate_limit;
      return u;
    },
    field: /response\.rate_limit/,
  },
  mistypedField: {
    payload: () => codexUsage({ rate_limit: { primary_window: { used_percent: 'seven', limit_window_seconds: 18000 } } }),
    field: /response\.rate_limit\.primary_window\.used_percent/,
  },
  numbersAsStrings: {
    payload: () =>
      codexUsage({
        rate_limit: { primary_window: { used_percent: '7', limit_window_seconds: '18000', reset_at: '1771422975' }, secondary_window: null },
        credits: { has_credits: 'true', unlimited: 'false', balance: '12.75' },
      }),
    check(r) {
      const m = r.meters.find((x) => x.id === 'five-hour');
      assert.equal(m?.percentUsed, 7);
      assert.equal(m?.label, '5-hour limit');
      assert.equal(m?.resetsAt, 1771422975_000);
      assert.equal(r.meters.find((x) => x.id === 'credits')?.remaining, 12.75);
    },
  },
  echo: (t) => ({ detail: `Invalid token ${t}`, error: { message: `Bearer ${t} rejected` } }),
};

const geminiToken = 'ya29.fake-matrix-token-0000000001';
const gemini: CredentialTarget = {
  name: 'gemini-cli',
  provider: geminiCliProvider,
  fake: gf,
  token: geminiToken,
  secret: JSON.stringify({ accessToken: geminiToken, expiresAt: NOW + 3600_000, email: 'dev@example.com' }),
  path: '/v1internal:retrieveUserQuota',
  baseUrl: () => gf.baseUrl,
  serve(payload) {
    gf.addToken(this.token, { quota: payload ?? this.valid() });
  },
  authKind: 'credential-file',
  kinds: { 401: 'auth', 403: 'forbidden' },
  valid: () => geminiQuota(),
  withExtraFields: () => geminiQuota({ nextPageToken: '', buckets: [{ modelId: 'gemini-2.5-pro', remainingFraction: 0.5, brandNew: { x: 1 } }] }),
  missingField: { payload: () => ({ buckets: [{ tokenType: 'REQUESTS', remainingFraction: 0.5 }] }), field: /response\.buckets\[0\]\.modelId/ },
  mistypedField: { payload: () => ({ buckets: [{ modelId: 'gemini-2.5-pro', remainingFraction: 'most' }] }), field: /response\.buckets\[0\]\.remainingFraction/ },
  numbersAsStrings: {
    payload: () => ({ buckets: [{ modelId: 'gemini-2.5-pro', remainingFraction: '0.25', remainingAmount: '25' }] }),
    check(r) {
      assert.equal(r.meters[0]?.percentUsed, 75);
      assert.equal(r.meters[0]?.detail, '25 left');
    },
  },
  echo: (t) => ({ error: { code: 401, message: `Token ${t} is invalid (Bearer ${t})`, status: 'UNAUTHENTICATED' } }),
};

before(async () => {
  await Promise.all([cf.start(), cx.start(), gf.start()]);
});
after(async () => {
  await Promise.all([cf.stop(), cx.stop(), gf.stop()]);
});

describeFaultMatrix([claude, codex, gemini], { beforeEach: resetClaudeRateLimitGate, secretNoun: 'token' });

describe('fault matrix: provider-specific', () => {
  beforeEach(() => resetClaudeRateLimitGate());

  it('claude: the per-token block is honoured on an immediate second fetch (HTTP-date form too)', async () => {
    const at = new Date(Date.UTC(2026, 1, 10, 14, 0, 0));
    cf.clearFaults().clearLog();
    claude.serve();
    cf.fail({ retryAfterDate: at }, { path: claude.path });
    assert.equal((await expectError(claude, 'rate-limited')).retryAt, at.getTime());
    const second = await expectError(claude, 'rate-limited');
    assert.equal(second.retryAt, at.getTime());
    assert.equal(cf.requestsTo(claude.path).length, 1);
  });

  it('claude: a 403 scope error is auth, not forbidden', async () => {
    cf.clearFaults();
    cf.addToken(claude.token, { reply: ClaudeFake.scopeError() });
    await expectError(claude, 'auth');
    claude.serve();
  });

  it('codex: Cloudflare challenge → bad-response', async () => {
    cx.clearFaults();
    codex.serve();
    cx.challenge({ path: codex.path });
    assert.match((await expectError(codex, 'bad-response')).message, /Cloudflare/);
  });

  it('gemini-cli: 429 RESOURCE_EXHAUSTED with RetryInfo and no Retry-After → retryAt from retryDelay', async () => {
    gf.clearFaults();
    gemini.serve();
    gf.fail(GeminiFake.resourceExhausted('42s'), { path: gemini.path });
    assert.equal((await expectError(gemini, 'rate-limited')).retryAt, NOW + 42_000);
  });

  it('gemini-cli: a fault on loadCodeAssist stops before retrieveUserQuota', async () => {
    gf.clearFaults().clearLog();
    gemini.serve();
    gf.fail({ status: 401 }, { path: '/v1internal:loadCodeAssist' });
    await expectError(gemini, 'auth');
    assert.equal(gf.requestsTo('/v1internal:retrieveUserQuota').length, 0);
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface FileState {
  mtimeMs: number;
  content: string;
}

function snapshotTree(dir: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, { mtimeMs: statSync(p).mtimeMs, content: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

describe('tokstat never writes the credential files', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'tokstat-nowrite-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const cases: Array<{ target: CredentialTarget; setup(env: CredentialEnv): void; accessToken(env: CredentialEnv): string; serve(token: string): void }> = [
    {
      target: claude,
      setup(env) {
        writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials());
        writeJson(path.join(env.home, '.claude.json'), claudeGlobalConfig());
      },
      accessToken: () => (claudeCredentials().claudeAiOauth as { accessToken: string }).accessToken,
      serve: (token) => cf.addToken(token, { usage: claudeUsage() }),
    },
    {
      target: codex,
      setup(env) {
        writeJson(path.join(env.home, '.codex', 'auth.json'), codexAuthFile());
      },
      accessToken: (env) => (JSON.parse(readFileSync(path.join(env.home, '.codex', 'auth.json'), 'utf8')) as { tokens: { access_token: string } }).tokens.access_token,
      serve: (token) => cx.addToken(token, { usage: codexUsage() }),
    },
    {
      target: gemini,
      setup(env) {
        writeJson(path.join(env.home, '.gemini', 'oauth_creds.json'), geminiOauthCreds());
        writeJson(path.join(env.home, '.gemini', 'settings.json'), geminiSettings());
      },
      accessToken: () => geminiOauthCreds().access_token as string,
      serve: (token) => gf.addToken(token, {}),
    },
  ];

  for (const c of cases) {
    it(`${c.target.name}: read → fetch → 401 → 429 → testConnection → detect leaves every file untouched`, async () => {
      resetClaudeRateLimitGate();
      const env: CredentialEnv = { home: mkdtempSync(path.join(root, `${c.target.name}-`)), env: {}, platform: 'linux' };
      c.setup(env);
      const before = snapshotTree(env.home);
      c.serve(c.accessToken(env));
      c.target.fake.clearFaults();
      const src = c.target.provider.credentialFile!;
      const cycle = async (expect: ErrorKind | 'ok', fn: 'fetchSnapshot' | 'testConnection' = 'fetchSnapshot') => {
        const { credential } = await src.read(env);
        const t = testContext({ providerId: c.target.provider.id, baseUrl: c.target.baseUrl(), secret: credential, authKind: 'credential-file' });
        try {
          await c.target.provider[fn](t.ctx);
          assert.equal(expect, 'ok');
        } catch (err) {
          assert.ok(err instanceof ProviderError, String(err));
          assert.equal(err.kind, expect, err.message);
        } finally {
          await t.close();
        }
      };
      await cycle('ok');
      c.target.fake.fail({ status: 401 }, { persistent: true });
      await cycle('auth');
      await cycle('auth', 'testConnection');
      c.target.fake.clearFaults().fail({ retryAfterSeconds: 120 }, { persistent: true });
      await cycle('rate-limited');
      await cycle('rate-limited');
      c.target.fake.clearFaults();
      await discover(env, { list: () => [] }, new Set());
      const afterState = snapshotTree(env.home);
      assert.deepEqual([...afterState.keys()].sort(), [...before.keys()].sort(), 'no file was created or removed');
      for (const [p, s] of before) assert.deepEqual(afterState.get(p), s, `${p} changed`);
    });
  }
});
