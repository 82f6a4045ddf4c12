// Gemini CLI provider: the CLI's files in temporary homes, and the Code Assist endpoints through the real
// UndiciHttpClient against the loopback Gemini fake.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProviderError } from '../../../src/core/errors';
import type { Meter } from '../../../src/shared/model';
import { geminiCliProvider, modelLabel } from '../../../src/core/providers/geminiCli';
import type { ConnectionInfo, CredentialEnv, FetchResult } from '../../../src/core/providers/types';
import { writeJson } from '../../builders/claude';
import { GEMINI_PROJECT, geminiLoad, geminiLoadIneligible, geminiOauthCreds, geminiSettings } from '../../builders/gemini';
import { GeminiFake } from '../../fakes/geminiFake';
import { testContext } from '../../fakes/providerContext';

const NOW = Date.UTC(2026, 8, 7, 12, 0);
const TOKEN = 'ya29.fake-gemini-unit-token-0001';
const src = geminiCliProvider.credentialFile!;
const base = { kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: NOW } as const;

function cred(o: Record<string, unknown> = {}): string {
  return JSON.stringify({ accessToken: TOKEN, expiresAt: NOW + 3600_000, email: 'dev@example.com', ...o });
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
  root = mkdtempSync(path.join(os.tmpdir(), 'tokstat-gemini-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('gemini-cli: definition', () => {
  it('describes itself as the brief says', () => {
    const p = geminiCliProvider;
    assert.equal(p.id, 'gemini-cli');
    assert.equal(p.displayName, 'Gemini CLI (Google sign-in)');
    assert.deepEqual([...p.authKinds], ['credential-file']);
    assert.equal(p.defaultBaseUrl({ settings: {} }), 'https://cloudcode-pa.googleapis.com');
    assert.equal(p.defaultPollSeconds, 600);
    assert.equal(p.minPollSeconds, 120);
    assert.deepEqual(p.endpoints, [
      { path: '/v1internal:loadCodeAssist', official: false },
      { path: '/v1internal:retrieveUserQuota', official: false },
    ]);
    assert.equal(modelLabel('gemini-2.5-flash-lite'), 'Gemini 2.5 Flash Lite');
  });
});

describe('gemini-cli: files', () => {
  it('~/.gemini/oauth_creds.json with Google sign-in: name from the id_token', async () => {
    const env = home({ GOOGLE_CLOUD_PROJECT: 'ws-project' });
    writeJson(path.join(env.home, '.gemini', 'oauth_creds.json'), geminiOauthCreds());
    writeJson(path.join(env.home, '.gemini', 'settings.json'), geminiSettings('oauth-personal'));
    const r = await src.read(env);
    assert.equal(r.suggestedName, 'dev@example.com');
    const c = JSON.parse(r.credential) as Record<string, unknown>;
    assert.equal(c.accessToken, 'ya29.fake-google-access-token-000000000000');
    assert.equal(c.project, 'ws-project');
    assert.ok(!r.credential.includes('refresh'), 'the refresh token is never carried');
  });

  it('GEMINI_CLI_HOME; name from google_accounts.json without an id_token', async () => {
    const env = home();
    env.env = { GEMINI_CLI_HOME: path.join(env.home, 'alt') };
    writeJson(path.join(env.home, 'alt', '.gemini', 'oauth_creds.json'), geminiOauthCreds({ id_token: undefined }));
    writeJson(path.join(env.home, 'alt', '.gemini', 'google_accounts.json'), { active: 'acct@example.com', old: [] });
    assert.equal((await src.read(env)).suggestedName, 'acct@example.com');
  });

  for (const [type, legacy] of [['gemini-api-key', false], ['vertex-ai', true]] as const) {
    it(`auth type ${type} (${legacy ? 'selectedAuthType' : 'security.auth.selectedType'}) → config`, async () => {
      const env = home();
      writeJson(path.join(env.home, '.gemini', 'oauth_creds.json'), geminiOauthCreds());
      writeJson(path.join(env.home, '.gemini', 'settings.json'), geminiSettings(type, legacy));
      await expectError(src.read(env), 'config', /Gemini CLI uses an API key: AI Studio keys have no usage endpoint/);
    });
  }

  it('expired access token → auth "sign in again in Gemini CLI (run `gemini`)"', async () => {
    const env = home();
    writeJson(path.join(env.home, '.gemini', 'oauth_creds.json'), geminiOauthCreds({ expiry_date: Date.now() - 1000 }));
    await expectError(src.read(env), 'auth', /Sign in again in Gemini CLI \(run `gemini`\)/);
  });

  it('missing → auth; malformed → auth; a folder → config', async () => {
    await expectError(src.read(home()), 'auth', /No Gemini CLI Google sign-in found/);
    const env = home();
    writeJson(path.join(env.home, '.gemini', 'oauth_creds.json'), 'not json');
    await expectError(src.read(env), 'auth', /not valid JSON/);
    const env2 = home();
    mkdirSync(path.join(env2.home, '.gemini', 'oauth_creds.json'), { recursive: true });
    await expectError(src.read(env2), 'config');
  });
});

describe('gemini-cli: Code Assist', () => {
  const gf = new GeminiFake();
  before(async () => {
    await gf.start();
  });
  after(async () => {
    await gf.stop();
  });
  beforeEach(() => {
    gf.clearFaults().clearLog();
  });

  async function run(secret = cred()): Promise<FetchResult> {
    const t = testContext({ providerId: 'gemini-cli', baseUrl: gf.baseUrl, secret, now: NOW, authKind: 'credential-file' });
    try {
      return await geminiCliProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }
  async function conn(secret = cred()): Promise<ConnectionInfo> {
    const t = testContext({ providerId: 'gemini-cli', baseUrl: gf.baseUrl, secret, now: NOW, authKind: 'credential-file' });
    try {
      return await geminiCliProvider.testConnection(t.ctx);
    } finally {
      await t.close();
    }
  }

  it('lowest remaining fraction per model → percent used; bucket without a fraction skipped; exact requests', async () => {
    gf.addToken(TOKEN, {});
    const r = await run();
    assert.deepEqual(r.meters, [
      { ...base, id: 'model:gemini-2.5-pro', label: 'Gemini 2.5 Pro', percentUsed: 75, resetsAt: Date.UTC(2026, 8, 7, 18), detail: 'requests · 25 left', windowMs: 86_400_000 },
      { ...base, id: 'model:gemini-2.5-flash', label: 'Gemini 2.5 Flash', percentUsed: 0, resetsAt: Date.UTC(2026, 8, 8), detail: 'requests', windowMs: 86_400_000 },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Gemini Code Assist Standard');
    assert.equal(r.identity, 'dev@example.com');
    const load = gf.requestsTo('/v1internal:loadCodeAssist', 'POST')[0]!;
    assert.deepEqual(JSON.parse(load.body), { metadata: { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } });
    assert.equal(load.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(load.headers['content-type'], 'application/json');
    const quota = gf.requestsTo('/v1internal:retrieveUserQuota', 'POST')[0]!;
    assert.deepEqual(JSON.parse(quota.body), { project: GEMINI_PROJECT });
  });

  it('fractions sent as strings; remainingAmount "0" without a fraction → 100 % used', async () => {
    gf.addToken(TOKEN, {
      quota: { buckets: [{ modelId: 'gemini-2.5-pro', tokenType: 'REQUESTS', remainingFraction: '0.4' }, { modelId: 'gemini-3-pro', remainingAmount: '0' }] },
    });
    assert.deepEqual(
      (await run()).meters.map((m) => [m.id, m.percentUsed]),
      [
        ['model:gemini-2.5-pro', 60],
        ['model:gemini-3-pro', 100],
      ],
    );
  });

  it('no buckets (Google omits empty lists) → no meters, not an error', async () => {
    gf.addToken(TOKEN, { quota: {} });
    assert.deepEqual((await run()).meters, []);
  });

  it('project as an object; free tier plan name from the tier id', async () => {
    gf.addToken(TOKEN, { load: geminiLoad({ currentTier: { id: 'free-tier' }, cloudaicompanionProject: { id: GEMINI_PROJECT, name: 'x' } }) });
    const r = await run();
    assert.equal(r.plan, 'Free');
    assert.deepEqual(JSON.parse(gf.requestsTo('/v1internal:retrieveUserQuota')[0]!.body), { project: GEMINI_PROJECT });
  });

  it('no project from Code Assist: GOOGLE_CLOUD_PROJECT from the credential, else config', async () => {
    gf.addToken(TOKEN, { load: geminiLoad({ cloudaicompanionProject: undefined }) });
    assert.equal((await run(cred({ project: GEMINI_PROJECT }))).meters.length, 2);
    await expectError(run(), 'config', /GOOGLE_CLOUD_PROJECT/);
  });

  it('ineligible tier UNSUPPORTED_CLIENT (HTTP 200) → forbidden with the explanation', async () => {
    gf.addToken(TOKEN, { load: geminiLoadIneligible() });
    await expectError(run(), 'forbidden', /2026-06-18.*Standard \/ Enterprise.*This client is no longer supported/);
    assert.equal(gf.requestsTo('/v1internal:retrieveUserQuota').length, 0);
  });

  it('403 with ErrorInfo UNSUPPORTED_CLIENT → forbidden with the explanation', async () => {
    gf.addToken(TOKEN, { loadReply: GeminiFake.unsupportedClient() });
    const e = await expectError(run(), 'forbidden', /UNSUPPORTED_CLIENT/);
    assert.equal(e.status, 403);
  });

  it('429 RESOURCE_EXHAUSTED with RetryInfo "29.7s" → retryAt', async () => {
    gf.addToken(TOKEN, {});
    gf.fail(GeminiFake.resourceExhausted('29.7s'), { path: '/v1internal:retrieveUserQuota' });
    const e = await expectError(run(), 'rate-limited', /Quota exceeded/);
    assert.equal(e.retryAt, NOW + 29_700);
  });

  it('401 → auth "sign in again in Gemini CLI"; expired credential → auth without calling', async () => {
    await expectError(run(cred({ accessToken: 'ya29.unknown-000000' })), 'auth', /Sign in again in Gemini CLI \(run `gemini`\)/);
    gf.clearLog();
    await expectError(run(cred({ expiresAt: NOW - 1 })), 'auth', /Sign in again in Gemini CLI/);
    assert.equal(gf.requests.length, 0);
  });

  it('testConnection: email (also the key Add Account refuses a second copy of the sign-in by), plan and the project', async () => {
    gf.addToken(TOKEN, {});
    assert.deepEqual(await conn(), { suggestedName: 'dev@example.com', identity: 'dev@example.com', accountKey: 'email:dev@example.com', plan: 'Gemini Code Assist Standard', settings: { project: GEMINI_PROJECT } });
  });
});
