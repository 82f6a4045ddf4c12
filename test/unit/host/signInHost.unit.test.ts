// Credential-file accounts (Claude Code, Codex, Gemini CLI) read another tool's files on the host where they were
// added (issue #19 §2). In a window on another host the files are not there: the account says which host its sign-in
// lives on (through vscode.l10n.t), not "sign in again", and stays retryable (signing in here too fixes it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as CredentialsModule from '../../../src/host/credentials';
import type * as HostIdentityModule from '../../../src/host/hostIdentity';
import { ProviderError } from '../../../src/core/errors';
import type { Account } from '../../../src/shared/model';
import { withVscodeStub } from '../../support/vscodeStub';

const translated: string[] = [];
const stub = {
  env: { remoteName: 'ssh-remote' },
  l10n: {
    t: (message: string, ...args: unknown[]) => {
      translated.push(message);
      return message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
    },
  },
};
const { credentialResolver, signInLivesElsewhere, SIGN_IN_HOST, SIGN_IN_HOST_LABEL } = withVscodeStub(stub, () => require('../../../src/host/credentials') as typeof CredentialsModule);
const { hostIdentityOf, currentHost } = withVscodeStub(stub, () => require('../../../src/host/hostIdentity') as typeof HostIdentityModule);

const laptop = hostIdentityOf(undefined, 'laptop');
const devbox = hostIdentityOf('ssh-remote', 'devbox');

function account(providerId: string, settings: Account['settings']): Account {
  return { id: `a-${providerId}`, providerId, name: providerId, authKind: 'credential-file', settings } as Account;
}

test('host identity: local and remote windows of one machine differ, and the label reads well', () => {
  assert.deepEqual(laptop, { id: 'local:laptop', label: 'laptop' });
  assert.deepEqual(devbox, { id: 'ssh-remote:devbox', label: 'devbox (ssh-remote)' });
  assert.notEqual(hostIdentityOf('wsl', 'laptop').id, laptop.id);
  // code-server's remote name is its address, whose port changes from run to run: the host stays the same.
  assert.equal(hostIdentityOf('127.0.0.1:8080', 'vm').id, hostIdentityOf('127.0.0.1:41234', 'vm').id);
  assert.equal(currentHost().id, `ssh-remote:${os.hostname()}`, 'from vscode.env.remoteName and the host name');
});

for (const providerId of ['claude', 'codex', 'gemini-cli']) {
  test(`${providerId}: added on the laptop, polled from the devbox → "this sign-in lives on laptop", retryable`, async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-elsewhere-'));
    try {
      const env = () => ({ home, env: {}, platform: 'linux' });
      const resolver = credentialResolver({} as never, {} as never, env, () => devbox);
      const a = account(providerId, { [SIGN_IN_HOST]: laptop.id, [SIGN_IN_HOST_LABEL]: laptop.label });
      translated.length = 0;
      const err = await resolver.resolve(a).then(
        () => assert.fail('no credential files here: must throw'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ProviderError);
      assert.equal(err.kind, 'config', 'an error retried at the normal interval, not auth-required');
      assert.match(err.message, /^This sign-in lives on laptop: .+ keeps it there, and the window that polls runs on devbox \(ssh-remote\)\./);
      assert.doesNotMatch(err.message, /sign in again/i);
      assert.equal(translated.length, 1, 'through vscode.l10n.t');

      // On its own host (or for an account added before hosts were recorded) the tool's own advice stands.
      for (const [here, settings] of [
        [laptop, { [SIGN_IN_HOST]: laptop.id, [SIGN_IN_HOST_LABEL]: laptop.label }],
        [devbox, {}],
      ] as const) {
        const e2 = await credentialResolver({} as never, {} as never, env, () => here)
          .resolve(account(providerId, settings))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.ok(e2 instanceof ProviderError);
        assert.equal(e2.kind, 'auth');
        assert.doesNotMatch(e2.message, /lives on/);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
}

test('signInLivesElsewhere: only credential-file accounts, only another host; the id stands in for a missing label', () => {
  assert.equal(signInLivesElsewhere(account('claude', { [SIGN_IN_HOST]: laptop.id }), devbox), 'local:laptop');
  assert.equal(signInLivesElsewhere(account('claude', { [SIGN_IN_HOST]: devbox.id }), devbox), undefined);
  assert.equal(signInLivesElsewhere({ ...account('openrouter', { [SIGN_IN_HOST]: laptop.id }), authKind: 'api-key' } as Account, devbox), undefined);
});
