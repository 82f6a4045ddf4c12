import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNTS_KEY, AccountRepository, INDEX_KEY, secretKey } from '../../../src/core/accountRepository';
import { nullLogger } from '../../../src/core/log';
import type { Account } from '../../../src/shared/model';
import { MemoryKeyValueStore, SharedSecretBackend } from '../../fakes/memoryStores';

const acct = (id: string, name: string, providerId = 'openrouter'): Account => ({ id, providerId, name, createdAt: 1, authKind: 'api-key', settings: {} });
/**
 * Resolves once `cond()` holds: at once, or at the first event after which it does. The other window's change is
 * awaited as an event, never by sleeping (a sleep lost the race on a loaded machine).
 */
function until(event: (listener: () => void) => { dispose(): void }, cond: () => boolean | Promise<boolean>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sub: { dispose(): void } | undefined;
    const check = () =>
      Promise.resolve(cond()).then((ok) => {
        if (!ok) return;
        sub?.dispose();
        resolve();
      }, reject);
    sub = event(() => void check());
    void check();
  });
}

test('add, rename, remove round-trip metadata and secrets', async () => {
  const kv = new MemoryKeyValueStore();
  const secrets = new SharedSecretBackend();
  const repo = new AccountRepository(kv, secrets.view(), nullLogger);
  await repo.load();
  await repo.add(acct('a1', 'work'), 'sk-or-v1-fake-1');
  assert.equal(await repo.getSecret('a1'), 'sk-or-v1-fake-1');
  assert.deepEqual(kv.get<Account[]>(ACCOUNTS_KEY)?.map((a) => a.name), ['work']);
  assert.ok(!JSON.stringify(kv.data.get(ACCOUNTS_KEY)).includes('sk-or-v1-fake-1'), 'no secret in globalState');
  await repo.update('a1', { name: 'job' });
  assert.equal(repo.get('a1')?.name, 'job');
  assert.equal(await repo.getSecret('a1'), 'sk-or-v1-fake-1', 'rename keeps the secret');
  await repo.remove('a1');
  assert.equal(repo.list().length, 0);
  assert.equal(secrets.data.get(secretKey('a1')), undefined);
  assert.deepEqual(kv.get(ACCOUNTS_KEY), []);
  repo.dispose();
});

test('recovers metadata lost before globalState flushed', async () => {
  const secrets = new SharedSecretBackend();
  const first = new AccountRepository(new MemoryKeyValueStore(), secrets.view(), nullLogger);
  await first.load();
  await first.add(acct('a1', 'work'), 'sk-or-v1-fake-1');
  first.dispose();
  // A new window/session whose globalState never received the write:
  const kv = new MemoryKeyValueStore();
  const repo = new AccountRepository(kv, secrets.view(), nullLogger);
  await repo.load();
  assert.deepEqual(repo.list().map((a) => a.name), ['work']);
  assert.deepEqual(kv.get<Account[]>(ACCOUNTS_KEY)?.map((a) => a.id), ['a1'], 'metadata written back');
  repo.dispose();
});

test('keeps metadata whose secret store was reset (shown as needing sign-in), and drops half-removed accounts', async () => {
  const kv = new MemoryKeyValueStore();
  await kv.update(ACCOUNTS_KEY, [acct('a1', 'work'), acct('a2', 'home')]);
  const secrets = new SharedSecretBackend();
  const repo = new AccountRepository(kv, secrets.view(), nullLogger);
  await repo.load();
  assert.deepEqual(repo.list().map((a) => a.id).sort(), ['a1', 'a2']);
  assert.equal(await repo.getSecret('a1'), undefined);
  assert.ok(secrets.data.get(INDEX_KEY), 'index rebuilt');
  // Removal cut short: the index no longer lists a2, globalState still does.
  secrets.data.set(INDEX_KEY, JSON.stringify(['a1']));
  const again = new AccountRepository(kv, secrets.view(), nullLogger);
  await again.load();
  assert.deepEqual(again.list().map((a) => a.id), ['a1']);
  repo.dispose();
  again.dispose();
});

test('a change in one window is seen by the other, including a new key', { timeout: 10_000 }, async () => {
  const secrets = new SharedSecretBackend();
  const w1 = new AccountRepository(new MemoryKeyValueStore(), secrets.view(), nullLogger);
  const w2 = new AccountRepository(new MemoryKeyValueStore(), secrets.view(), nullLogger);
  await w1.load();
  await w2.load();
  const changedCreds: string[] = [];
  w2.onDidChangeCredentials((id) => changedCreds.push(id));
  let w1Creds = 0;
  w1.onDidChangeCredentials(() => w1Creds++);
  await w1.add(acct('a1', 'work'), 'sk-or-v1-fake-1');
  await until((l) => w2.onDidChange(l), () => w2.list().some((a) => a.name === 'work'));
  assert.deepEqual(w2.list().map((a) => a.name), ['work']);
  const credsBefore = changedCreds.length;
  await w1.setSecret('a1', 'sk-or-v1-fake-2');
  await until((l) => w2.onDidChangeCredentials(l), () => changedCreds.slice(credsBefore).includes('a1'));
  assert.equal(await w2.getSecret('a1'), 'sk-or-v1-fake-2');
  assert.equal(w1Creds, 0, 'own writes are not reported as foreign credential changes');
  await w1.remove('a1');
  await until((l) => w2.onDidChange(l), () => w2.list().length === 0);
  assert.equal(w2.list().length, 0);
  w1.dispose();
  w2.dispose();
});
