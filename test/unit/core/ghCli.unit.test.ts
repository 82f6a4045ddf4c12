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

test('a keyring-only or missing gh sign-in is an auth error that says what to do', async () => {
  const keyring = home({ '.config/gh/hosts.yml': KEYRING });
  await assert.rejects(ghCliCredentialSource.read({ home: keyring, env: {}, platform: 'linux' }), (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && /keyring/.test(e.message));
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
