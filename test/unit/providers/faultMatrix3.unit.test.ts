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
import { discover } from '../../../src/core/discovery';
import { geminiCliProvider } from '../../../src/core/providers/geminiCli';
import type { CredentialEnv, FetchResult, ProviderDefinition } from '../../../src/core/providers/types';
import { claudeCredentials, claudeGlobalConfig, claudeUsage, writeClaudeDir, writeJson } from '../../builders/claude';
import { CODEX_ACCOUNT_ID, codexAuthFile, codexUsage } from '../../builders/codex';
import { geminiOauthCreds, geminiQuota, geminiSettings } from '../../builders/gemini';
import { ClaudeFake } from '../../fakes/claudeFake';
import { CodexFake } from '../../fakes/codexFake';
import type { FakeServer, Fault } from '../../fakes/fakeServer';
import { GeminiFake } from '../../fakes/geminiFake';
import { testContext } from '../../fakes/providerContext';

const NOW = Date.UTC(2026, 1, 10, 13, 41);

interface Target {
  name: string;
  provider: ProviderDefinition;
  fake: FakeServer;
  /** The access token inside the credential: must never reach an error. */
  token: string;
  /** The opaque credential (ctx.secret). */
  secret: string;
  /** Where faults are injected (for Gemini the second call, so both calls are exercised). */
  path: string;
  baseUrl(): string;
  serve(payload?: Record<string, unknown>): void;
  kinds: { 401: ErrorKind; 403: ErrorKind };
  withExtraFields(): Record<string, unknown>;
  missingField: { payload(): Record<string, unknown>; field: RegExp };
  mistypedField: { payload(): Record<string, unknown>; field: RegExp };
  numbersAsStrings: { payload(): Record<string, unknown>; check(r: FetchResult): void };
  echo(token: string): unknown;
}

const cf = new ClaudeFake();
const cx = new CodexFake();
const gf = new GeminiFake();

const claudeToken = 'sk-ant-oat01-fake-matrix-token-0000000001';
const claude: Target = {
  name: 'claude',
  provider: claudeProvider,
  fake: cf,
  token: claudeToken,
  secret: JSON.stringify({ accessToken: claudeToken, expiresAt: NOW + 3600_000, scopes: ['user:profile'], subscriptionType: 'pro' }),
  path: '/api/oauth/usage',
  baseUrl: () => cf.baseUrl,
  serve(payload) {
    cf.addToken(this.token, { usage: payload ?? claudeUsage() });
  },
  kinds: { 401: 'auth', 403: 'forbidden' },
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
const codex: Target = {
  name: 'codex',
  provider: codexProvider,
  fake: cx,
  token: codexToken,
  secret: JSON.stringify({ accessToken: codexToken, accountId: CODEX_ACCOUNT_ID }),
  path: '/backend-api/wham/usage',
  baseUrl: () => cx.baseUrl,
  serve(payload) {
    cx.addToken(this.token, { usage: payload ?? codexUsage(), accountId: CODEX_ACCOUNT_ID });
  },
  kinds: { 401: 'auth', 403: 'auth' },
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
const gemini: Target = {
  name: 'gemini-cli',
  provider: geminiCliProvider,
  fake: gf,
  token: geminiToken,
  secret: JSON.stringify({ accessToken: geminiToken, expiresAt: NOW + 3600_000, email: 'dev@example.com' }),
  path: '/v1internal:retrieveUserQuota',
  baseUrl: () => gf.baseUrl,
  serve(payload) {
    gf.addToken(this.token, { quota: payload ?? geminiQuota() });
  },
  kinds: { 401: 'auth', 403: 'forbidden' },
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

async function fetchWith(target: Target, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<FetchResult> {
  const t = testContext({ providerId: target.provider.id, baseUrl: target.baseUrl(), secret: target.secret, now: NOW, authKind: 'credential-file', ...opts });
  try {
    return await target.provider.fetchSnapshot(t.ctx);
  } finally {
    await t.close();
  }
}

function assertNoSecret(target: Target, err: ProviderError): void {
  for (const s of [target.token, target.secret]) {
    assert.ok(!err.message.includes(s), `secret leaked: ${err.message}`);
    assert.ok(!JSON.stringify(err.toSnapshotError()).includes(s));
  }
}

async function expectError(target: Target, kind: ErrorKind, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ProviderError> {
  try {
    await fetchWith(target, opts);
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    assert.equal(err.kind, kind, `kind (message: ${err.message})`);
    assertNoSecret(target, err);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

before(async () => {
  await Promise.all([cf.start(), cx.start(), gf.start()]);
});
after(async () => {
  await Promise.all([cf.stop(), cx.stop(), gf.stop()]);
});

for (const target of [claude, codex, gemini]) {
  describe(`fault matrix: ${target.name}`, () => {
    beforeEach(() => resetClaudeRateLimitGate());
    const failOnce = (fault: Fault) => {
      target.fake.clearFaults().clearLog();
      target.serve();
      target.fake.fail(fault, { path: target.path });
    };

    it(`401 → ${target.kinds[401]}`, async () => {
      failOnce({ status: 401 });
      assert.equal((await expectError(target, target.kinds[401])).status, 401);
    });

    it(`403 → ${target.kinds[403]}`, async () => {
      failOnce({ status: 403 });
      assert.equal((await expectError(target, target.kinds[403])).status, 403);
    });

    it('404 → not-found', async () => {
      failOnce({ status: 404 });
      assert.equal((await expectError(target, 'not-found')).status, 404);
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
      assert.equal((await expectError(target, 'rate-limited')).retryAt, at.getTime());
    });

    it('500 → server', async () => {
      failOnce({ status: 500 });
      assert.equal((await expectError(target, 'server')).status, 500);
    });

    it('503 with Retry-After → server with retryAt', async () => {
      failOnce({ status: 503, retryAfterSeconds: 30 });
      assert.equal((await expectError(target, 'server')).retryAt, NOW + 30_000);
    });

    it('no answer within the timeout → timeout', async () => {
      failOnce({ delayMs: 1500 });
      const started = Date.now();
      await expectError(target, 'timeout', { timeoutMs: 150 });
      assert.ok(Date.now() - started < 1400);
    });

    it('connection reset → network', async () => {
      failOnce({ resetConnection: true });
      await expectError(target, 'network');
    });

    it('malformed JSON → bad-response', async () => {
      failOnce({ malformed: true });
      assert.match((await expectError(target, 'bad-response')).message, /malformed JSON/i);
    });

    it('HTML error page with 502 → server, and the message says HTML', async () => {
      failOnce({ html: true });
      const e = await expectError(target, 'server');
      assert.equal(e.status, 502);
      assert.match(e.message, /HTML page/);
    });

    it('HTML page with HTTP 200 (captive portal) → bad-response', async () => {
      failOnce({ html: true, status: 200 });
      assert.match((await expectError(target, 'bad-response')).message, /HTML/);
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
      assert.ok((await fetchWith(target)).meters.length > 0);
    });

    it('a missing required field is named in the error', async () => {
      target.fake.clearFaults();
      target.serve(target.missingField.payload());
      assert.match((await expectError(target, 'bad-response')).message, target.missingField.field);
    });

    it('a mistyped field is named in the error', async () => {
      target.fake.clearFaults();
      target.serve(target.mistypedField.payload());
      assert.match((await expectError(target, 'bad-response')).message, target.mistypedField.field);
    });

    it('numbers sent as strings are accepted', async () => {
      target.fake.clearFaults();
      target.serve(target.numbersAsStrings.payload());
      target.numbersAsStrings.check(await fetchWith(target));
    });

    it('one-shot faults clear: the next call succeeds', async () => {
      failOnce({ status: 500 });
      await expectError(target, 'server');
      assert.ok((await fetchWith(target)).meters.length > 0);
    });

    for (const status of [400, 401, 403, 404, 429, 500, 502]) {
      it(`HTTP ${status} with a body echoing the token: the token never reaches the error`, async () => {
        target.fake.clearFaults().clearLog();
        target.serve();
        target.fake.fail({ status, body: target.echo(target.token) }, { path: target.path });
        try {
          await fetchWith(target);
          assert.fail('expected an error');
        } catch (err) {
          assert.ok(err instanceof ProviderError, String(err));
          assertNoSecret(target, err);
        }
      });
    }
  });
}

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

  const cases: Array<{ target: Target; setup(env: CredentialEnv): void; accessToken(env: CredentialEnv): string; serve(token: string): void }> = [
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
