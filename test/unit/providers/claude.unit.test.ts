// Claude plan provider: Claude Code's credential files in temporary homes, and the usage endpoint through the real
// UndiciHttpClient against the loopback Claude fake.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProviderError } from '../../../src/core/errors';
import type { Meter } from '../../../src/shared/model';
import { claudePlanName, claudeProvider, resetClaudeRateLimitGate } from '../../../src/core/providers/claude';
import type { ConnectionInfo, CredentialEnv, FetchResult } from '../../../src/core/providers/types';
import { claudeCredentials, claudeGlobalConfig, claudeMcpOnly, claudeProfile, claudeUsage, claudeUsageLimitsOnly, claudeUsageLocked, writeClaudeDir, writeJson } from '../../builders/claude';
import { ClaudeFake } from '../../fakes/claudeFake';
import { testContext } from '../../fakes/providerContext';

/** 2026-09-07 12:00 UTC. */
const NOW = Date.UTC(2026, 8, 7, 12, 0);
const TOKEN = 'sk-ant-oat01-fake-claude-unit-token-0001';
const src = claudeProvider.credentialFile!;
const base = { kind: 'quota', unit: '%', source: 'vendor-undocumented', capturedAt: NOW } as const;

function cred(o: Record<string, unknown> = {}): string {
  return JSON.stringify({ accessToken: TOKEN, expiresAt: NOW + 3600_000, scopes: ['user:inference', 'user:profile'], subscriptionType: 'max', rateLimitTier: 'default_claude_max_20x', ...o });
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
function home(env: Record<string, string> = {}, platform = 'linux'): CredentialEnv {
  const h = path.join(root, `h${n++}`);
  mkdirSync(h, { recursive: true });
  return { home: h, env, platform };
}

before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tokstat-claude-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('claude: definition', () => {
  it('describes itself as the brief says', () => {
    const p = claudeProvider;
    assert.equal(p.id, 'claude');
    assert.equal(p.displayName, 'Claude plan (Claude Code)');
    assert.deepEqual([...p.authKinds], ['credential-file']);
    assert.equal(p.defaultBaseUrl({ settings: {} }), 'https://api.anthropic.com');
    assert.equal(p.defaultPollSeconds, 300);
    assert.equal(p.minPollSeconds, 180);
    assert.deepEqual(p.endpoints, [
      { path: '/api/oauth/usage', official: false },
      { path: '/api/oauth/profile', official: false },
    ]);
    assert.equal(p.accountFields?.[0]?.key, 'configDir');
    assert.equal(src.tool, 'Claude Code');
  });

  it('plan names from subscriptionType / rateLimitTier', () => {
    assert.equal(claudePlanName('max', 'default_claude_max_20x'), 'Max 20x');
    assert.equal(claudePlanName('max', 'default_claude_max_5x'), 'Max 5x');
    assert.equal(claudePlanName('pro', 'default_claude_pro'), 'Pro');
    assert.equal(claudePlanName('team', undefined), 'Team');
    assert.equal(claudePlanName(undefined, undefined), undefined);
  });
});

describe('claude: credential files', () => {
  it('default: ~/.claude/.credentials.json, name from ~/.claude.json', async () => {
    const env = home();
    writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials());
    writeJson(path.join(env.home, '.claude.json'), claudeGlobalConfig('me@example.com'));
    assert.deepEqual(src.candidates(env), [path.join(env.home, '.claude', '.credentials.json')]);
    const r = await src.read(env);
    assert.equal(r.suggestedName, 'me@example.com');
    assert.deepEqual(r.settings, {});
    const c = JSON.parse(r.credential) as Record<string, unknown>;
    assert.equal(c.accessToken, 'sk-ant-oat01-fake-access-token-0000000000');
    assert.equal(c.subscriptionType, 'max');
    assert.equal(c.email, 'me@example.com');
    assert.equal(c.refreshToken, undefined, 'the refresh token is never carried');
  });

  it('name falls back to "Claude (max)" without a readable .claude.json', async () => {
    const env = home();
    writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials());
    writeJson(path.join(env.home, '.claude.json'), '{ broken');
    assert.equal((await src.read(env)).suggestedName, 'Claude (max)');
  });

  it('comma-separated CLAUDE_CONFIG_DIR: the first folder that has the file wins, and becomes configDir', async () => {
    const env = home();
    const a = path.join(env.home, 'empty-dir');
    const b = path.join(env.home, 'work');
    mkdirSync(a, { recursive: true });
    env.env = { CLAUDE_CONFIG_DIR: ` ${a} , ${b}` };
    writeClaudeDir(b, claudeCredentials({ subscriptionType: 'team', accessToken: 'sk-ant-oat01-work-token-000000' }));
    writeJson(path.join(b, '.claude.json'), claudeGlobalConfig('work@example.com'));
    writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials());
    assert.deepEqual(src.candidates(env), [a, b, path.join(env.home, '.claude')].map((d) => path.join(d, '.credentials.json')));
    const r = await src.read(env);
    assert.equal(r.suggestedName, 'work@example.com');
    assert.deepEqual(r.settings, { configDir: b });
    assert.equal((JSON.parse(r.credential) as { accessToken: string }).accessToken, 'sk-ant-oat01-work-token-000000');
  });

  it('the account configDir setting (with ~) is the only place looked at', async () => {
    const env = home({ CLAUDE_CONFIG_DIR: '/nowhere' });
    writeClaudeDir(path.join(env.home, 'alt'), claudeCredentials({ subscriptionType: 'pro' }));
    const account = { settings: { configDir: '~/alt' } };
    assert.deepEqual(src.candidates(env, account), [path.join(env.home, 'alt', '.credentials.json')]);
    assert.equal((await src.read(env, account)).suggestedName, 'Claude (pro)');
  });

  it('missing file → auth "sign in again", naming where it looked', async () => {
    const env = home();
    await expectError(src.read(env), 'auth', /No Claude Code sign-in found \(looked for ~\/\.claude\/\.credentials\.json\)\. Sign in again in Claude Code \(run `claude` and \/login\)/);
  });

  it('missing file on macOS explains the Keychain', async () => {
    await expectError(src.read(home({}, 'darwin')), 'auth', /Keychain/);
  });

  /** A macOS home whose keychain holds `items` (service → password), recording what was asked. */
  function macHome(items: Record<string, string | Error>, env: Record<string, string> = {}) {
    const asked: string[] = [];
    const e: CredentialEnv = {
      ...home(env, 'darwin'),
      keychainPassword: async (service) => {
        asked.push(service);
        const v = items[service];
        if (v instanceof Error) throw v;
        return v;
      },
    };
    return { env: e, asked };
  }

  it('macOS: the Keychain item "Claude Code-credentials" first (a .credentials.json there is a leftover)', async () => {
    const keychain = claudeCredentials({ accessToken: 'sk-ant-oat01-fake-keychain-token-0000000' });
    const { env, asked } = macHome({ 'Claude Code-credentials': JSON.stringify(keychain) });
    writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials({ expiresAt: NOW - 1 })); // stale leftover
    writeJson(path.join(env.home, '.claude.json'), claudeGlobalConfig('mac@example.com'));
    const r = await src.read(env);
    assert.deepEqual(asked, ['Claude Code-credentials']);
    assert.equal(r.suggestedName, 'mac@example.com');
    const c = JSON.parse(r.credential) as Record<string, unknown>;
    assert.equal(c.accessToken, 'sk-ant-oat01-fake-keychain-token-0000000');
    assert.equal(c.refreshToken, undefined, 'the refresh token is never carried');
  });

  it('macOS: no Keychain item → the file; neither → an error naming both places', async () => {
    const { env } = macHome({});
    writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials());
    assert.equal(JSON.parse((await src.read(env)).credential).accessToken, 'sk-ant-oat01-fake-access-token-0000000000');
    const none = macHome({});
    const err = await expectError(src.read(none.env), 'auth', /looked for the Keychain item "Claude Code-credentials", ~\/\.claude\/\.credentials\.json/);
    assert.doesNotMatch(err.message, /reads only for/);
  });

  it('macOS: an unreadable item is a configuration problem; one that is not a sign-in or expired asks to sign in again', async () => {
    await expectError(src.read(macHome({ 'Claude Code-credentials': new Error('no answer in time (was access allowed?)') }).env), 'config', /Could not read the Keychain item.*no answer in time.*Allow VS Code/);
    await expectError(src.read(macHome({ 'Claude Code-credentials': 'not json' }).env), 'auth', /does not hold a Claude sign-in.*Sign in again in Claude Code/);
    await expectError(src.read(macHome({ 'Claude Code-credentials': JSON.stringify({ mcpOAuth: {} }) }).env), 'auth', /the Keychain item "Claude Code-credentials" holds no Claude sign-in \(only MCP server sign-ins\)/);
    await expectError(src.read(macHome({ 'Claude Code-credentials': JSON.stringify(claudeCredentials({ expiresAt: NOW - 1 })) }).env), 'auth', /expired/);
  });

  it('macOS with CLAUDE_CONFIG_DIR or an account folder: the Keychain is not asked (its item name there is unknown)', async () => {
    const { env, asked } = macHome({ 'Claude Code-credentials': JSON.stringify(claudeCredentials()) }, { CLAUDE_CONFIG_DIR: '/nowhere/claude' });
    await expectError(src.read(env), 'auth', /reads only for the default ~\/\.claude folder/);
    const other = macHome({ 'Claude Code-credentials': JSON.stringify(claudeCredentials()) });
    writeClaudeDir(path.join(other.env.home, 'alt'), claudeCredentials());
    await src.read(other.env, { settings: { configDir: path.join(other.env.home, 'alt') } });
    assert.deepEqual([...asked, ...other.asked], []);
  });

  it('mcpOAuth-only file → auth (no usable token)', async () => {
    const env = home();
    writeClaudeDir(path.join(env.home, '.claude'), claudeMcpOnly());
    await expectError(src.read(env), 'auth', /only MCP server sign-ins.*Sign in again in Claude Code/);
  });

  it('expired token → auth without any call', async () => {
    const env = home();
    writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials({ expiresAt: Date.now() - 60_000 }));
    await expectError(src.read(env), 'auth', /expired.*Sign in again in Claude Code \(run `claude` and \/login\)/);
  });

  it('token without user:profile (setup-token) → auth explaining the scope', async () => {
    const env = home();
    writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials({ scopes: ['user:inference'] }));
    await expectError(src.read(env), 'auth', /claude setup-token/);
  });

  it('malformed JSON → auth; a folder in place of the file → config', async () => {
    const env = home();
    writeClaudeDir(path.join(env.home, '.claude'), '{"claudeAiOauth": {');
    await expectError(src.read(env), 'auth', /not valid JSON.*Sign in again in Claude Code/);
    const env2 = home();
    mkdirSync(path.join(env2.home, '.claude', '.credentials.json'), { recursive: true });
    await expectError(src.read(env2), 'config');
  });
});

describe('claude: usage', () => {
  const cf = new ClaudeFake();
  before(async () => {
    await cf.start();
  });
  after(async () => {
    await cf.stop();
  });
  beforeEach(() => {
    cf.clearFaults().clearLog();
    resetClaudeRateLimitGate();
  });

  async function run(secret = cred(), now = NOW): Promise<FetchResult> {
    const t = testContext({ providerId: 'claude', baseUrl: cf.baseUrl, secret, now, authKind: 'credential-file' });
    try {
      return await claudeProvider.fetchSnapshot(t.ctx);
    } finally {
      await t.close();
    }
  }
  async function conn(secret = cred()): Promise<ConnectionInfo> {
    const t = testContext({ providerId: 'claude', baseUrl: cf.baseUrl, secret, now: NOW, authKind: 'credential-file' });
    try {
      return await claudeProvider.testConnection(t.ctx);
    } finally {
      await t.close();
    }
  }

  it('reference payload → exact meters; headers as Claude Code sends them', async () => {
    cf.addToken(TOKEN, { usage: claudeUsage() });
    const r = await run();
    assert.deepEqual(r.meters, [
      { ...base, id: 'five-hour', label: '5-hour session', percentUsed: 51, resetsAt: Date.UTC(2026, 8, 7, 16, 30, 0, 961) },
      { ...base, id: 'seven-day', label: 'Weekly (all models)', percentUsed: 9, resetsAt: Date.UTC(2026, 8, 11, 14, 0, 0, 961) },
      { ...base, id: 'weekly-opus', label: 'Weekly (Opus)', percentUsed: 5, resetsAt: Date.UTC(2026, 8, 11, 14, 0, 0, 283) },
      {
        ...base,
        id: 'extra-usage',
        label: 'Extra usage',
        kind: 'spend',
        unit: 'USD',
        used: 5.2,
        limit: 20,
        remaining: 14.8,
        percentUsed: 26,
        detail: 'pay-as-you-go beyond the plan, this month',
      },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Max 20x');
    const req = cf.requestsTo('/api/oauth/usage')[0]!;
    assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req.headers['anthropic-beta'], 'oauth-2025-04-20');
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    assert.equal(req.headers['user-agent'], 'claude-code/2.1.0');
    assert.equal(req.headers.accept, 'application/json');
  });

  it('minor units: 2050 with decimal_places 2 → 20.50, currency from the payload', async () => {
    cf.addToken(TOKEN, { usage: claudeUsage({ extra_usage: { is_enabled: true, monthly_limit: 10000, used_credits: 2050, utilization: null, currency: 'eur', decimal_places: 2 } }) });
    const m = (await run()).meters.find((x: Meter) => x.id === 'extra-usage')!;
    assert.equal(m.used, 20.5);
    assert.equal(m.limit, 100);
    assert.equal(m.unit, 'EUR');
    assert.equal(m.percentUsed, 20.5);
  });

  it('locked session, flat Sonnet window, disabled extra usage; null windows are omitted, not 0', async () => {
    cf.addToken(TOKEN, { usage: claudeUsageLocked() });
    const r = await run();
    assert.deepEqual(
      r.meters.map((m: Meter) => [m.id, m.label, m.percentUsed, m.detail]),
      [
        ['five-hour', '5-hour session', 100, 'Locked: Session limit reached'],
        ['seven-day', 'Weekly (all models)', 9, undefined],
        ['weekly-sonnet', 'Weekly (Sonnet)', 42.5, undefined],
      ],
    );
  });

  it('newest shape: only limits[] and spend', async () => {
    cf.addToken(TOKEN, { usage: claudeUsageLimitsOnly() });
    const r = await run();
    assert.deepEqual(
      r.meters.map((m: Meter) => [m.id, m.label, m.percentUsed, m.unit, m.used, m.limit]),
      [
        ['five-hour', '5-hour session', 12, '%', undefined, undefined],
        ['seven-day', 'Weekly (all models)', 30, '%', undefined, undefined],
        ['weekly-sonnet', 'Weekly (Sonnet)', 64, '%', undefined, undefined],
        ['extra-usage', 'Extra usage', 24.68, 'EUR', 12.34, 50],
      ],
    );
  });

  it('an expired credential → auth without calling the API', async () => {
    cf.addToken(TOKEN, {});
    await expectError(run(cred({ expiresAt: NOW - 1 })), 'auth', /Sign in again in Claude Code \(run `claude` and \/login\)/);
    assert.equal(cf.requests.length, 0);
  });

  it('401 → auth "sign in again"', async () => {
    await expectError(run(cred({ accessToken: 'sk-ant-oat01-unknown-token-000' })), 'auth', /Sign in again in Claude Code/);
  });

  it('403 scope requirement user:profile → auth explaining setup-token tokens', async () => {
    cf.addToken(TOKEN, { reply: ClaudeFake.scopeError() });
    const e = await expectError(run(cred({ scopes: undefined })), 'auth', /claude setup-token/);
    assert.equal(e.status, 403);
  });

  it('429 blocks this token: an immediate second fetch (even manual) returns the error without calling', async () => {
    cf.addToken(TOKEN, { usage: claudeUsage() });
    cf.fail({ retryAfterSeconds: 600 }, { path: '/api/oauth/usage' });
    const e1 = await expectError(run(), 'rate-limited');
    assert.equal(e1.retryAt, NOW + 600_000);
    const e2 = await expectError(run(), 'rate-limited', /waits/);
    assert.equal(e2.retryAt, NOW + 600_000);
    assert.equal(cf.requestsTo('/api/oauth/usage').length, 1, 'the second fetch did not call');
    // Another sign-in is not blocked.
    cf.addToken('sk-ant-oat01-other-token-0000000', { usage: claudeUsage() });
    assert.equal((await run(cred({ accessToken: 'sk-ant-oat01-other-token-0000000' }))).meters.length, 4);
    // Once the time has passed, the token calls again.
    assert.equal((await run(cred(), NOW + 600_001)).meters.length, 4);
    assert.equal(cf.requestsTo('/api/oauth/usage').length, 3);
  });

  it('429 without Retry-After blocks for the 5-minute default; Retry-After 0 for a minute', async () => {
    cf.addToken(TOKEN, { usage: claudeUsage() });
    cf.fail({ status: 429 }, { path: '/api/oauth/usage' });
    assert.equal((await expectError(run(), 'rate-limited')).retryAt, NOW + 300_000);
    resetClaudeRateLimitGate();
    cf.fail({ status: 429, headers: { 'retry-after': '0' } }, { path: '/api/oauth/usage' });
    assert.equal((await expectError(run(), 'rate-limited')).retryAt, NOW + 60_000);
  });

  it('a bare token as the secret works too', async () => {
    cf.addToken(TOKEN, { usage: claudeUsage() });
    assert.equal((await run(TOKEN)).meters.length, 4);
  });

  it('testConnection: name and identity from the credential email, plan from the tier, the account id from the profile', async () => {
    cf.addToken(TOKEN, { usage: claudeUsage() });
    const info = await conn(cred({ email: 'me@example.com' }));
    assert.deepEqual(info, { accountKey: 'account:00000000-0000-0000-0000-000000000001', plan: 'Max 20x', suggestedName: 'me@example.com', identity: 'me@example.com' });
    assert.equal(cf.requestsTo('/api/oauth/profile').length, 1);
  });

  it('testConnection: the organisation id when the profile has no account id; none when the profile fails', async () => {
    cf.addToken(TOKEN, { usage: claudeUsage(), profile: { account: { email: 'a@example.com' }, organization: { uuid: 'org-1' } } });
    assert.equal((await conn(cred())).accountKey, 'organization:org-1');
    cf.fail({ status: 500 }, { path: '/api/oauth/profile' });
    assert.equal((await conn(cred())).accountKey, undefined);
  });

  it('testConnection without an email asks /api/oauth/profile; its failure only costs the name', async () => {
    cf.addToken(TOKEN, { usage: claudeUsage(), profile: claudeProfile('prof@example.com') });
    assert.equal((await conn(cred())).suggestedName, 'prof@example.com');
    cf.fail({ status: 500 }, { path: '/api/oauth/profile' });
    assert.equal((await conn(cred())).suggestedName, 'Claude (max)');
  });
});
