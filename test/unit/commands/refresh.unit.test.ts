// Refresh All / Refresh Account during the server's Retry-After window (issue #18 §5): nothing is fetched, and the
// person is told who asked to wait and until when, instead of a click that seems to do nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as RefreshModule from '../../../src/commands/refresh';
import type { CommandDeps, HeldBack } from '../../../src/commands/deps';
import { formatClock } from '../../../src/shared/format';
import { withVscodeStub } from '../../support/vscodeStub';

const handlers = new Map<string, (...args: unknown[]) => Promise<void>>();
const shown: Array<[string, string]> = [];
const fakeVscode = {
  env: { remoteName: undefined },
  commands: {
    registerCommand: (id: string, fn: (...args: unknown[]) => Promise<void>) => {
      handlers.set(id, fn);
      return { dispose() {} };
    },
    executeCommand: async () => undefined,
  },
  window: {
    showInformationMessage: async (m: string) => void shown.push(['info', m]),
    showWarningMessage: async (m: string) => void shown.push(['warning', m]),
  },
};

const { registerRefreshAccount, registerRefreshAll } = withVscodeStub(fakeVscode, () => {
  return require('../../../src/commands/refresh') as typeof RefreshModule;
});

function deps(held: HeldBack[], nextPollAt?: number): CommandDeps {
  const account = { id: 'or1', providerId: 'openrouter', name: 'hidden-or', createdAt: 0, authKind: 'api-key', settings: {} };
  return {
    repo: { list: () => [account], get: (id: string) => (id === account.id ? account : undefined) },
    model: { entry: (id: string) => (id === account.id ? { account, providerName: 'OpenRouter', nextPollAt } : undefined), entries: () => [] },
    poll: {
      refresh: async () => held[0],
      refreshAll: async () => held,
      forget: async () => undefined,
    },
  } as unknown as CommandDeps;
}

test('Refresh All held back by Retry-After: an information message names the provider and the time', async () => {
  const until = Date.now() + 10 * 60_000;
  registerRefreshAll(deps([{ accountId: 'or1', until }]));
  shown.length = 0;
  await handlers.get('tokstat.refreshAll')!();
  assert.deepEqual(shown, [['info', `OpenRouter asked to wait until ${formatClock(until, Date.now())} — retrying then.`]]);
});

test('Refresh All held back, next poll later than the window: it says when it really retries', async () => {
  const until = Date.now() + 10 * 60_000;
  const next = until + 5 * 60_000;
  registerRefreshAll(deps([{ accountId: 'or1', until }], next));
  shown.length = 0;
  await handlers.get('tokstat.refreshAll')!();
  assert.deepEqual(shown, [['info', `OpenRouter asked to wait until ${formatClock(until, Date.now())} — retrying at ${formatClock(next, Date.now())}.`]]);
});

test('Refresh All that fetched everything says nothing', async () => {
  registerRefreshAll(deps([]));
  shown.length = 0;
  await handlers.get('tokstat.refreshAll')!();
  assert.deepEqual(shown, []);
});

test('Refresh Account held back: the same message, not a warning', async () => {
  const until = Date.now() + 10 * 60_000;
  registerRefreshAccount(deps([{ accountId: 'or1', until }]));
  shown.length = 0;
  await handlers.get('tokstat.refreshAccount')!('or1');
  assert.deepEqual(shown, [['info', `OpenRouter asked to wait until ${formatClock(until, Date.now())} — retrying then.`]]);
});

test('Refresh Account of a sign-in that lives on another host, whose window polls it: it says so instead of seeming to do nothing', async () => {
  const account = {
    id: 'cl1',
    providerId: 'claude',
    name: 'work-claude',
    createdAt: 0,
    authKind: 'credential-file',
    settings: { signInHost: 'ssh-remote:devbox', signInHostLabel: 'devbox (ssh-remote)' },
  };
  let asked = 0;
  const d = {
    repo: { list: () => [account], get: (id: string) => (id === account.id ? account : undefined) },
    model: { entry: () => undefined, entries: () => [] },
    poll: {
      refresh: async (id: string) => (asked++, { accountId: id, elsewhere: true as const }),
      refreshAll: async () => [],
      forget: async () => undefined,
    },
  } as unknown as CommandDeps;
  registerRefreshAccount(d);
  shown.length = 0;
  await handlers.get('tokstat.refreshAccount')!('cl1');
  assert.equal(asked, 1, 'the scheduler was asked');
  assert.deepEqual(shown, [['info', '"work-claude" is refreshed by the window on devbox (ssh-remote), where its sign-in lives.']]);
});
