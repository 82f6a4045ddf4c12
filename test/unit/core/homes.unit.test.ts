// Several homes per agent (issue #20 §1): which Claude Code / Codex CLI / Gemini CLI folders Add Account offers, what an account
// remembers, when a sign-in is already tracked, and which account a local session's cost belongs to. Real folders
// in a temporary home (no network).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { accountHome, credentialKey, findDuplicate, findHomes, homeKind, homeSettings, sessionOwner, type HomeKind } from '../../../src/core/homes';
import { geminiCredentialSource } from '../../../src/core/providers/geminiCli';
import type { CredentialEnv } from '../../../src/core/providers/types';
import { cachedSessionOwner } from '../../../src/features/spend/feature';
import type { Account } from '../../../src/shared/model';
import { fakeJwt } from '../../builders/codex';
import { geminiOauthCreds, geminiSettings } from '../../builders/gemini';

const claude = homeKind('claude') as HomeKind;
const codex = homeKind('codex') as HomeKind;
let home: string;

function env(vars: Record<string, string> = {}): CredentialEnv {
  return { home, env: vars, platform: 'linux' };
}
function dir(rel: string, credential?: string): string {
  const d = path.join(home, rel);
  fs.mkdirSync(d, { recursive: true });
  if (credential) fs.writeFileSync(path.join(d, credential), '{}');
  return d;
}
function account(id: string, providerId: string, settings: Account['settings'] = {}): Account {
  return { id, providerId, name: id, createdAt: 0, authKind: 'credential-file', settings };
}

describe('homes', () => {
  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-homes-'));
    dir('.claude', '.credentials.json');
    dir('.claude-work', '.credentials.json');
    dir('.claude-empty');
    fs.writeFileSync(path.join(home, '.claude.json'), '{}'); // a file, not a home
    dir('work/claude-env', '.credentials.json');
    dir('.codex', 'auth.json');
    dir('.codex2', 'auth.json');
    dir('.codex-old');
    dir('elsewhere/codex', 'auth.json');
    fs.symlinkSync(path.join(home, '.claude-work'), path.join(home, 'link-to-work'));
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('Claude: the default, each CLAUDE_CONFIG_DIR entry, ~/.claude* folders and the setting, each once, signed-in first', async () => {
    const found = await findHomes(claude, env({ CLAUDE_CONFIG_DIR: `${path.join(home, 'work/claude-env')}, ~/missing` }), ['~/link-to-work', '~/.claude-empty']);
    assert.deepEqual(
      found.map((h) => [h.shown, h.origin, h.signedIn]),
      [
        ['~/.claude', 'default', true],
        ['~/work/claude-env', 'environment', true],
        ['~/.claude-work', 'found', true],
        ['~/.claude-empty', 'found', false],
      ],
    );
  });

  it('Codex: ~/.codex, CODEX_HOME, every ~/.codex* folder and tokstat.localUsage.codexHomes', async () => {
    const found = await findHomes(codex, env(), ['~/elsewhere/codex']);
    assert.deepEqual(
      found.map((h) => [h.shown, h.signedIn]),
      [
        ['~/.codex', true],
        ['~/.codex2', true],
        ['~/elsewhere/codex', true],
        ['~/.codex-old', false],
      ],
    );
  });

  it('an account remembers its home; the provider setting only where the tool would not find it by itself', () => {
    assert.deepEqual(homeSettings(claude, path.join(home, '.claude'), env()), { home: path.join(home, '.claude') });
    const work = path.join(home, '.claude-work');
    assert.deepEqual(homeSettings(claude, work, env()), { home: work, configDir: work });
    // With CLAUDE_CONFIG_DIR set, Claude's default folder is no longer what the provider reads without a setting.
    assert.deepEqual(homeSettings(claude, path.join(home, '.claude'), env({ CLAUDE_CONFIG_DIR: work })), { home: path.join(home, '.claude'), configDir: path.join(home, '.claude') });
    assert.equal(accountHome(claude, account('a', 'claude', { home: '~/.claude-work' }), env()), work);
    assert.equal(accountHome(codex, account('b', 'codex', { codexHome: '~/.codex2' }), env()), path.join(home, '.codex2'));
    // Accounts added before homes were remembered: the tool's own choice.
    assert.equal(accountHome(claude, account('c', 'claude'), env()), path.join(home, '.claude'));
    assert.equal(accountHome(claude, account('c', 'claude'), env({ CLAUDE_CONFIG_DIR: `${work},~/.claude` })), work);
  });

  it('the same sign-in is found by the vendor id, by the same folder (links resolved) or by an old account’s default', async () => {
    const key = credentialKey('claude', 'account:u-1', '/x/.credentials.json');
    assert.equal(key, 'claude:account:u-1');
    assert.equal(credentialKey('claude', undefined, '/x/.credentials.json'), 'claude:file:/x/.credentials.json');
    const accounts = [
      account('personal', 'claude'), // added before homes: ~/.claude
      account('work', 'claude', { home: path.join(home, '.claude-work'), configDir: path.join(home, '.claude-work'), credentialKey: key }),
      account('codex', 'codex', { home: path.join(home, '.codex2'), credentialKey: 'codex:account:u-1' }),
    ];
    assert.equal((await findDuplicate(accounts, claude, { home: path.join(home, '.claude') }, env()))?.id, 'personal');
    assert.equal((await findDuplicate(accounts, claude, { home: path.join(home, 'link-to-work') }, env()))?.id, 'work');
    assert.equal((await findDuplicate(accounts, claude, { key }, env()))?.id, 'work');
    assert.equal(await findDuplicate(accounts, claude, { home: path.join(home, 'work/claude-env'), key: 'claude:account:u-2' }, env()), undefined);
    // Another provider's account with the same id is not a duplicate.
    assert.equal(await findDuplicate(accounts, claude, { key: 'codex:account:u-1' }, env()), undefined);
  });

  it('a session belongs to the account whose home its log is under; nested or unknown homes attribute nothing', () => {
    const work = path.join(home, '.claude-work');
    const owner = sessionOwner(
      [
        path.join(home, '.claude/projects/-src-app/11111111-aaaa-bbbb-cccc-000000000001.jsonl'),
        path.join(work, 'projects/-src-app/22222222-aaaa-bbbb-cccc-000000000002.jsonl'),
        path.join(home, '.codex2/sessions/2026/12/01/rollout-2026-12-01T10-00-00-33333333-aaaa-bbbb-cccc-000000000003.jsonl'),
        path.join(home, 'other/projects/x/44444444-aaaa-bbbb-cccc-000000000004.jsonl'),
        path.join(home, '.claude/nested/projects/x/55555555-aaaa-bbbb-cccc-000000000005.jsonl'),
      ],
      [
        { agent: 'claude-code', dir: path.join(home, '.claude'), id: 'p', label: 'personal' },
        { agent: 'claude-code', dir: path.join(home, '.claude/nested'), id: 'n', label: 'nested' },
        { agent: 'claude-code', dir: work, id: 'w', label: 'work' },
        { agent: 'codex', dir: path.join(home, '.codex2'), id: 'c', label: 'codex two' },
      ],
    );
    assert.deepEqual(owner('claude-code', '11111111-aaaa-bbbb-cccc-000000000001'), { id: 'p', label: 'personal' });
    assert.deepEqual(owner('claude-code', '22222222-aaaa-bbbb-cccc-000000000002'), { id: 'w', label: 'work' });
    assert.deepEqual(owner('codex', '33333333-aaaa-bbbb-cccc-000000000003'), { id: 'c', label: 'codex two' });
    assert.equal(owner('claude-code', '33333333-aaaa-bbbb-cccc-000000000003'), undefined);
    assert.equal(owner('claude-code', '44444444-aaaa-bbbb-cccc-000000000004'), undefined);
    assert.equal(owner('claude-code', '55555555-aaaa-bbbb-cccc-000000000005'), undefined);
  });
});

describe('spend attribution wiring', () => {
  it('attributes by each account’s home, reuses the attribution for 30 s, then sees a new account', () => {
    const h = '/h';
    let now = 0;
    let accounts: Account[] = [account('a', 'claude', { home: `${h}/.claude-work` })];
    let reads = 0;
    const owner = cachedSessionOwner({
      accounts: () => accounts,
      logFiles: () => {
        reads++;
        return [`${h}/.claude-work/projects/p/s-1.jsonl`, `${h}/.codex/sessions/2026/12/01/rollout-2026-12-01T10-00-00-66666666-aaaa-bbbb-cccc-000000000006.jsonl`];
      },
      credentialEnv: () => ({ home: h, env: {}, platform: 'linux' }),
      now: () => now,
    });
    assert.deepEqual(owner('claude-code', 's-1'), { id: 'a', label: 'a' });
    assert.equal(owner('codex', '66666666-aaaa-bbbb-cccc-000000000006'), undefined);
    accounts = [...accounts, account('c', 'codex')]; // its home: ~/.codex (the default)
    now = 29_999;
    assert.equal(owner('codex', '66666666-aaaa-bbbb-cccc-000000000006'), undefined, 'still the cached attribution');
    assert.equal(reads, 1);
    now = 30_000;
    assert.deepEqual(owner('codex', '66666666-aaaa-bbbb-cccc-000000000006'), { id: 'c', label: 'c' });
    assert.equal(reads, 2);
  });
});

describe('Gemini CLI homes', () => {
  const gemini = homeKind('gemini-cli') as HomeKind;
  const creds = (email: string) => JSON.stringify(geminiOauthCreds({ id_token: fakeJwt({ iss: 'https://accounts.google.com', email }) }));
  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-gemini-homes-'));
    fs.writeFileSync(path.join(dir('.gemini'), 'oauth_creds.json'), creds('me@example.com'));
    fs.writeFileSync(path.join(dir('.gemini-work'), 'oauth_creds.json'), creds('work@example.com'));
    dir('.gemini-work/tmp/abc/chats');
    fs.writeFileSync(path.join(dir('cli-home/.gemini'), 'oauth_creds.json'), creds('env@example.com'));
    dir('logs-only/.gemini/tmp');
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('offers ~/.gemini, GEMINI_CLI_HOME/.gemini, ~/.gemini* and the folder holding each tokstat.localUsage.geminiDirs entry', async () => {
    const found = await findHomes(gemini, env({ GEMINI_CLI_HOME: '~/cli-home' }), ['~/logs-only/.gemini/tmp', '~/.gemini-work/tmp']);
    assert.deepEqual(
      found.map((h) => [h.shown, h.origin, h.signedIn]),
      [
        ['~/.gemini', 'default', true],
        ['~/cli-home/.gemini', 'environment', true],
        ['~/.gemini-work', 'found', true],
        ['~/logs-only/.gemini', 'setting', false],
      ],
    );
  });

  it('the account’s folder reaches the credential read (and the settings beside it), and GEMINI_CLI_HOME is the tool’s own choice', async () => {
    const work = path.join(home, '.gemini-work');
    const settings = homeSettings(gemini, work, env());
    assert.deepEqual(settings, { home: work, geminiHome: work });
    assert.deepEqual(homeSettings(gemini, path.join(home, '.gemini'), env()), { home: path.join(home, '.gemini') });
    assert.equal(accountHome(gemini, account('g', 'gemini-cli'), env({ GEMINI_CLI_HOME: '~/cli-home' })), path.join(home, 'cli-home/.gemini'));
    assert.deepEqual(geminiCredentialSource.candidates(env(), { settings }), [path.join(work, 'oauth_creds.json')]);
    assert.equal((await geminiCredentialSource.read(env(), { settings })).suggestedName, 'work@example.com');
    assert.equal((await geminiCredentialSource.read(env(), { settings: {} })).suggestedName, 'me@example.com');
    assert.equal((await geminiCredentialSource.read(env({ GEMINI_CLI_HOME: path.join(home, 'cli-home') }), { settings: {} })).suggestedName, 'env@example.com');
    fs.writeFileSync(path.join(work, 'settings.json'), JSON.stringify(geminiSettings('gemini-api-key')));
    try {
      await assert.rejects(geminiCredentialSource.read(env(), { settings }), /uses an API key/);
      assert.equal((await geminiCredentialSource.read(env(), { settings: {} })).suggestedName, 'me@example.com', 'the other folder’s settings are not read');
    } finally {
      fs.rmSync(path.join(work, 'settings.json'));
    }
  });

  it('the same Google account is one sign-in whatever its folder; a chat log is attributed by the home it is under', async () => {
    const key = credentialKey('gemini-cli', 'email:work@example.com', path.join(home, '.gemini-work/oauth_creds.json'));
    const accounts = [account('work', 'gemini-cli', { home: path.join(home, '.gemini-work'), geminiHome: path.join(home, '.gemini-work'), credentialKey: key }), account('me', 'gemini-cli')];
    assert.equal((await findDuplicate(accounts, gemini, { key }, env()))?.id, 'work');
    assert.equal((await findDuplicate(accounts, gemini, { home: path.join(home, '.gemini') }, env()))?.id, 'me');
    assert.equal(await findDuplicate(accounts, gemini, { home: path.join(home, 'cli-home/.gemini'), key: 'gemini-cli:email:env@example.com' }, env()), undefined);
    const owner = sessionOwner(
      [path.join(home, '.gemini-work/tmp/abc/chats/session-2026-12-01T10-00-3b44bc68.json'), path.join(home, '.gemini/tmp/def/chats/session-2026-12-01T11-00-77aa00ff.json')],
      accounts.map((a) => ({ agent: 'gemini-cli', dir: accountHome(gemini, a, env()), id: a.id, label: a.name })),
    );
    assert.deepEqual(owner('gemini-cli', '3b44bc68-1111-2222-3333-444444444444'), { id: 'work', label: 'work' });
    assert.deepEqual(owner('gemini-cli', '77AA00FF-1111-2222-3333-444444444444'), { id: 'me', label: 'me' });
    assert.equal(owner('gemini-cli', '12345678-1111-2222-3333-444444444444'), undefined);
    assert.equal(owner('claude-code', '3b44bc68-1111-2222-3333-444444444444'), undefined);
  });
});
