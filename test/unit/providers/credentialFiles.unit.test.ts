// Shared read-only reading of other tools' sign-in files, and discovery across Claude Code, Codex CLI, Gemini CLI
// and the GitHub CLI (src/features/discovery/core/discover.ts) — all against temporary home folders.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discover } from '../../../src/features/discovery/core/discover';
import { ProviderError } from '../../../src/core/errors';
import {
  decodeJwtPayload,
  displayPath,
  expandHome,
  parseCredential,
  readJsonFile,
  readTextFile,
  tokenKey,
} from '../../../src/core/providers/credentialFiles';
import type { CredentialEnv } from '../../../src/core/providers/types';
import { ghHostsCandidates, parseGhHosts as parseAllGhHosts } from '../../../src/core/providers/ghCli';

/** The github.com entry as detection sees it. */
function parseGhHosts(text: string): { found: boolean; user?: string; tokenInFile: boolean } {
  const e = parseAllGhHosts(text).find((h) => h.host === 'github.com');
  if (!e) return { found: false, tokenInFile: false };
  return { found: true, ...(e.user ? { user: e.user } : {}), tokenInFile: e.token !== undefined };
}
import { claudeCredentials, claudeGlobalConfig, claudeMcpOnly, writeClaudeDir, writeJson } from '../../builders/claude';
import { codexApiKeyAuthFile, codexAuthFile, fakeJwt } from '../../builders/codex';
import { geminiOauthCreds, geminiSettings } from '../../builders/gemini';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let root: string;
let n = 0;
function newHome(env: Record<string, string> = {}): CredentialEnv {
  const home = path.join(root, `home${n++}`);
  mkdirSync(home, { recursive: true });
  return { home, env, platform: 'linux' };
}
const opts = (env: CredentialEnv) => ({ tool: 'Test Tool', signInHint: 'run `test login`', env });

async function rejects(p: Promise<unknown>, kind: string, re?: RegExp): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, String(err));
    assert.equal(err.kind, kind, err.message);
    if (re) assert.match(err.message, re);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tokstat-credfiles-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('credential files: reading', () => {
  it('a missing file is undefined (not an error)', async () => {
    const env = newHome();
    assert.equal(await readTextFile(path.join(env.home, 'nope.json'), opts(env)), undefined);
    assert.equal(await readJsonFile(path.join(env.home, 'no-dir', 'nope.json'), opts(env)), undefined);
  });

  it('parses JSON (with a BOM)', async () => {
    const env = newHome();
    const f = path.join(env.home, 'a.json');
    writeFileSync(f, '\uFEFF{"a":1}');
    assert.deepEqual(await readJsonFile(f, opts(env)), { a: 1 });
  });

  it('malformed JSON → auth "sign in again in <tool>", without echoing the content', async () => {
    const env = newHome();
    const f = path.join(env.home, 'bad.json');
    writeFileSync(f, '{"accessToken": "sk-secret-in-broken-file');
    const e = await rejects(readJsonFile(f, opts(env)), 'auth', /Sign in again in Test Tool \(run `test login`\)/);
    assert.match(e.message, /~\/bad\.json is not valid JSON/);
    assert.ok(!e.message.includes('sk-secret'));
  });

  it('a folder where the file should be → config', async () => {
    const env = newHome();
    const f = path.join(env.home, 'dir.json');
    mkdirSync(f);
    await rejects(readJsonFile(f, opts(env)), 'config', /folder|not a regular file/);
  });

  it('an unreadable file (chmod 000) → config "permission denied"', { skip: isRoot ? 'running as root: root can read a chmod-000 file, so this case cannot be provoked (the folder-in-place case covers config errors)' : false }, async () => {
    const env = newHome();
    const f = path.join(env.home, 'locked.json');
    writeFileSync(f, '{}');
    chmodSync(f, 0o000);
    try {
      await rejects(readJsonFile(f, opts(env)), 'config', /permission denied/);
    } finally {
      chmodSync(f, 0o600);
    }
  });

  it('a file over the size cap → config', async () => {
    const env = newHome();
    const f = path.join(env.home, 'big.json');
    writeFileSync(f, `{"x":"${'a'.repeat(2048)}"}`);
    await rejects(readJsonFile(f, { ...opts(env), maxBytes: 1024 }), 'config', /larger than/);
  });

  it('expandHome and displayPath use the injected home', () => {
    const env: CredentialEnv = { home: '/home/dev', env: {}, platform: 'linux' };
    assert.equal(expandHome('~/.claude', env), '/home/dev/.claude');
    assert.equal(expandHome('~', env), '/home/dev');
    assert.equal(displayPath('/home/dev/.codex/auth.json', env), '~/.codex/auth.json');
    assert.equal(displayPath('/etc/x', env), '/etc/x');
  });

  it('decodeJwtPayload reads claims without verifying; garbage → undefined', () => {
    assert.deepEqual(decodeJwtPayload(fakeJwt({ email: 'a@b.c', n: 1 })), { email: 'a@b.c', n: 1 });
    assert.equal(decodeJwtPayload('not-a-jwt'), undefined);
    assert.equal(decodeJwtPayload('a.!!!.c'), undefined);
    assert.equal(decodeJwtPayload(undefined), undefined);
  });

  it('tokenKey never contains the token and differs per token', () => {
    const k = tokenKey('sk-ant-oat01-secret');
    assert.ok(!k.includes('secret'));
    assert.notEqual(k, tokenKey('sk-ant-oat01-other'));
    assert.equal(k, tokenKey('sk-ant-oat01-secret'));
  });

  it('parseCredential: JSON credential, bare token, broken JSON → auth', () => {
    assert.deepEqual(parseCredential('{"accessToken":"x"}', 'T', 'h'), { accessToken: 'x' });
    assert.deepEqual(parseCredential('bare-token', 'T', 'h'), { accessToken: 'bare-token' });
    assert.throws(() => parseCredential('{broken', 'T', 'h'), (e: unknown) => e instanceof ProviderError && e.kind === 'auth');
    assert.throws(() => parseCredential('  ', 'T', 'h'), (e: unknown) => e instanceof ProviderError && e.kind === 'auth');
  });
});

describe('GitHub CLI hosts.yml', () => {
  it('token in the file, with user', () => {
    const text = 'github.com:\n    oauth_token: gho_fake000000000000\n    user: octo-dev\n    git_protocol: https\n';
    assert.deepEqual(parseGhHosts(text), { found: true, user: 'octo-dev', tokenInFile: true });
  });

  it('multi-account layout with the token in the keyring', () => {
    const text = 'github.com:\n    users:\n        octo-dev:\n    git_protocol: https\n    user: octo-dev\nghe.example.com:\n    oauth_token: gho_other\n    user: someone\n';
    assert.deepEqual(parseGhHosts(text), { found: true, user: 'octo-dev', tokenInFile: false });
  });

  it('multi-account layout with tokens under users:', () => {
    const text = 'github.com:\n  users:\n    octo-dev:\n      oauth_token: gho_x\n  user: octo-dev\n';
    assert.deepEqual(parseGhHosts(text), { found: true, user: 'octo-dev', tokenInFile: true });
  });

  it('no github.com block', () => {
    assert.deepEqual(parseGhHosts('# empty\n'), { found: false, tokenInFile: false });
  });

  it('candidates honour GH_CONFIG_DIR, XDG_CONFIG_HOME, AppData', () => {
    assert.deepEqual(ghHostsCandidates({ home: '/h', env: { GH_CONFIG_DIR: '/cfg/gh' }, platform: 'linux' }), ['/cfg/gh/hosts.yml']);
    assert.deepEqual(ghHostsCandidates({ home: '/h', env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux' }), ['/x/gh/hosts.yml', '/h/.config/gh/hosts.yml']);
    assert.equal(ghHostsCandidates({ home: '/h', env: { AppData: '/ad' }, platform: 'win32' })[0], path.join('/ad', 'GitHub CLI', 'hosts.yml'));
  });
});

/** What the "found sign-ins" offer (src/features/discovery/core/discover.ts) lists for a machine with no tokstat account yet. */
async function found(env: CredentialEnv): Promise<Record<string, { tool: string; suggestedName?: string }>> {
  const out = await discover(env, { list: () => [] }, new Set());
  return Object.fromEntries(out.map((d) => [d.provider.id, { tool: d.tool, ...(d.suggestedName ? { suggestedName: d.suggestedName } : {}) }]));
}

describe('discovery of sign-ins on this machine', () => {
  it('an empty home finds nothing', async () => {
    assert.deepEqual(await found(newHome()), {});
  });

  it('finds Claude Code, Codex CLI, Gemini CLI and the GitHub CLI, never returning a token', async () => {
    const env = newHome();
    writeClaudeDir(path.join(env.home, '.claude'), claudeCredentials());
    writeJson(path.join(env.home, '.claude.json'), claudeGlobalConfig('claude@example.com'));
    writeJson(path.join(env.home, '.codex', 'auth.json'), codexAuthFile());
    writeJson(path.join(env.home, '.gemini', 'oauth_creds.json'), geminiOauthCreds());
    writeJson(path.join(env.home, '.gemini', 'settings.json'), geminiSettings());
    mkdirSync(path.join(env.home, '.config', 'gh'), { recursive: true });
    writeFileSync(path.join(env.home, '.config', 'gh', 'hosts.yml'), 'github.com:\n    user: octo-dev\n    oauth_token: gho_fakefakefake000\n');
    const by = await found(env);
    assert.deepEqual(Object.keys(by).sort(), ['claude', 'codex', 'copilot', 'gemini-cli']);
    assert.deepEqual(by.claude, { tool: 'Claude Code', suggestedName: 'claude@example.com' });
    assert.equal(by.codex?.suggestedName, 'dev@example.com');
    assert.equal(by['gemini-cli']?.suggestedName, 'dev@example.com');
    assert.equal(by.copilot?.suggestedName, 'octo-dev');
    const text = JSON.stringify(by);
    for (const secret of ['sk-ant-oat01', 'gho_fakefake', 'ya29.', 'rt_fake']) assert.ok(!text.includes(secret), `${secret} leaked`);
  });

  it('offers only sign-ins tokstat can use: not an API-key Codex file, not a GitHub CLI token kept in the keyring', async () => {
    const env = newHome();
    const a = path.join(env.home, 'claude-work');
    const b = path.join(env.home, 'claude-personal');
    env.env = { CLAUDE_CONFIG_DIR: `${a},${b}`, GH_CONFIG_DIR: path.join(env.home, 'ghcfg') };
    writeClaudeDir(a, claudeCredentials({ subscriptionType: 'team' }));
    writeClaudeDir(b, claudeMcpOnly());
    writeJson(path.join(env.home, '.codex', 'auth.json'), codexApiKeyAuthFile());
    mkdirSync(path.join(env.home, 'ghcfg'), { recursive: true });
    writeFileSync(path.join(env.home, 'ghcfg', 'hosts.yml'), 'github.com:\n    git_protocol: ssh\n    users:\n        octo-dev:\n    user: octo-dev\n');
    assert.deepEqual(Object.keys(await found(env)), ['claude']);
  });
});
