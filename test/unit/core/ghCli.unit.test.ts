import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ghCliCredentialSource, parseGhHosts } from '../../../src/core/providers/ghCli';
import { ProviderError } from '../../../src/core/errors';
import { discover } from '../../../src/features/discovery/core/discover';

const LEGACY = `github.com:
    user: octo-dev
    oauth_token: gho_fake_gh_cli_token_1
    git_protocol: https
octo.ghe.com:
    user: corp-dev
    oauth_token: gho_fake_ghe_token_2
`;
const MULTI = `github.com:
    git_protocol: ssh
    users:
        octo-dev:
            oauth_token: gho_fake_multi_1
        other:
            oauth_token: gho_fake_multi_2
    user: octo-dev
`;
const KEYRING = `github.com:
    git_protocol: https
    users:
        octo-dev:
    user: octo-dev
`;

function home(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-gh-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

test('parses legacy and multi-account hosts.yml', () => {
  assert.deepEqual(parseGhHosts(LEGACY), [
    { host: 'github.com', user: 'octo-dev', token: 'gho_fake_gh_cli_token_1' },
    { host: 'octo.ghe.com', user: 'corp-dev', token: 'gho_fake_ghe_token_2' },
  ]);
  const multi = parseGhHosts(MULTI);
  assert.equal(multi[0]?.user, 'octo-dev');
  assert.equal(multi[0]?.token, 'gho_fake_multi_1', 'the active user token, not another account');
  assert.equal(parseGhHosts(KEYRING)[0]?.token, undefined);
});

test('reads the token of the wanted host, honours GH_CONFIG_DIR, and never writes', async () => {
  const h = home({ '.config/gh/hosts.yml': LEGACY, 'alt/hosts.yml': MULTI });
  const file = path.join(h, '.config/gh/hosts.yml');
  const before = fs.statSync(file).mtimeMs;
  const env = { home: h, env: {}, platform: 'linux' };
  const r = await ghCliCredentialSource.read(env);
  assert.equal(r.credential, 'gho_fake_gh_cli_token_1');
  assert.equal(r.suggestedName, 'octo-dev');
  const ghe = await ghCliCredentialSource.read(env, { settings: { enterpriseHost: 'octo.ghe.com' } });
  assert.equal(ghe.credential, 'gho_fake_ghe_token_2');
  const alt = await ghCliCredentialSource.read({ ...env, env: { GH_CONFIG_DIR: path.join(h, 'alt') } });
  assert.equal(alt.credential, 'gho_fake_multi_1');
  assert.equal(fs.statSync(file).mtimeMs, before);
  assert.equal(fs.readFileSync(file, 'utf8'), LEGACY);
});

/** A folder holding a stand-in `gh` that answers `auth token --hostname <host>` like gh does with a keyring token. */
function fakeGh(script: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-fake-gh-'));
  fs.writeFileSync(path.join(dir, 'gh'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return dir;
}

test('a keyring-stored gh token comes from `gh auth token --hostname <host>`, run without a shell', { skip: process.platform === 'win32' }, async () => {
  const keyring = home({ '.config/gh/hosts.yml': KEYRING });
  const log = path.join(keyring, 'gh-args');
  // Records its arguments, then prints the token the way gh does (one line).
  const bin = fakeGh(`printf '%s|' "$@" > '${log}'; echo gho_fake_keyring_token_0001`);
  const r = await ghCliCredentialSource.read({ home: keyring, env: { PATH: `${bin}:/usr/bin:/bin` }, platform: 'linux' });
  assert.equal(r.credential, 'gho_fake_keyring_token_0001');
  assert.equal(r.suggestedName, 'octo-dev');
  assert.equal(fs.readFileSync(log, 'utf8'), 'auth|token|--hostname|github.com|');
  // gh without a token for the host (exit 1) is the auth error that says what to do; its output is never echoed.
  const failing = fakeGh(`echo 'no oauth token found for github.com' >&2; echo gho_fake_never_shown_0001; exit 1`);
  await assert.rejects(
    ghCliCredentialSource.read({ home: keyring, env: { PATH: `${failing}:/usr/bin:/bin` }, platform: 'linux' }),
    (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && /gh auth token --hostname github\.com/.test(e.message) && !e.message.includes('gho_fake_never_shown'),
  );
});

test('a keyring-only or missing gh sign-in is an auth error that says what to do', async () => {
  const keyring = home({ '.config/gh/hosts.yml': KEYRING });
  const noGh = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-no-gh-'));
  await assert.rejects(ghCliCredentialSource.read({ home: keyring, env: { PATH: noGh }, platform: 'linux' }), (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && /keyring/.test(e.message));
  const none = home({});
  await assert.rejects(ghCliCredentialSource.read({ home: none, env: {}, platform: 'linux' }), (e: unknown) => e instanceof ProviderError && /gh auth login/.test(e.message));
});

test('discovery offers found sign-ins once and skips tracked ones', async () => {
  const h = home({ '.config/gh/hosts.yml': LEGACY });
  const env = { home: h, env: {}, platform: 'linux' };
  const found = await discover(env, { list: () => [] }, new Set());
  assert.ok(found.some((f) => f.provider.id === 'copilot' && f.suggestedName === 'octo-dev'));
  assert.equal((await discover(env, { list: () => [] }, new Set(['copilot']))).filter((f) => f.provider.id === 'copilot').length, 0, 'already offered');
  const tracked = [{ id: 'a', providerId: 'copilot', name: 'x', createdAt: 0, authKind: 'credential-file', settings: {} }];
  assert.equal((await discover(env, { list: () => tracked }, new Set())).filter((f) => f.provider.id === 'copilot').length, 0, 'already tracked');
});
