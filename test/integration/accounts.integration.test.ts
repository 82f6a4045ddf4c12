// Accounts round-trip through the real stores of the extension host: metadata in globalState, the credential
// only in SecretStorage, rename keeps the credential, remove deletes both.
import * as assert from 'node:assert/strict';
import { OPENROUTER_KEY, OPENROUTER_KEY_2 } from '../fakes/secrets';
import { requireHooks, type TokstatTestingHooks } from './hooks';

type Hooks = Pick<TokstatTestingHooks, 'ready' | 'addAccount' | 'removeAccount' | 'accounts' | 'readSecret' | 'storedState'>;

describe('accounts and secrets', function () {
  let t: Hooks;

  before(async function () {
    t = await requireHooks(this, 'ready', 'addAccount', 'removeAccount', 'accounts', 'readSecret', 'storedState');
    await t.ready;
  });

  afterEach(async () => {
    for (const a of t.accounts().filter((x) => x.name.startsWith('it-accounts'))) await t.removeAccount(a.id);
  });

  it('keeps the metadata in the accounts store and the key only in SecretStorage', async () => {
    const id = await t.addAccount({ providerId: 'openrouter', name: 'it-accounts one', authKind: 'api-key', secret: OPENROUTER_KEY });
    const a = t.accounts().find((x) => x.id === id);
    assert.ok(a, 'accounts() lists the new account');
    assert.equal(a.name, 'it-accounts one');
    assert.equal(a.providerId, 'openrouter');
    assert.equal(await t.readSecret(id), OPENROUTER_KEY);
    assert.ok(!JSON.stringify(t.accounts()).includes(OPENROUTER_KEY), 'the key is not in the account metadata');
    assert.ok(!JSON.stringify((await t.storedState(id)) ?? null).includes(OPENROUTER_KEY), 'the key is not in the snapshot file');
  });

  it('keeps the key out of globalState', async function () {
    const h = await requireHooks(this, 'globalStateDump');
    await t.addAccount({ providerId: 'openrouter', name: 'it-accounts gs', authKind: 'api-key', secret: OPENROUTER_KEY });
    const dump = JSON.stringify(h.globalStateDump());
    assert.ok(dump.includes('it-accounts gs'), 'globalState holds the metadata');
    assert.ok(!dump.includes(OPENROUTER_KEY), 'globalState does not hold the key');
  });

  it('keeps two accounts of one provider apart', async () => {
    const a = await t.addAccount({ providerId: 'openrouter', name: 'it-accounts a', authKind: 'api-key', secret: OPENROUTER_KEY });
    const b = await t.addAccount({ providerId: 'openrouter', name: 'it-accounts b', authKind: 'api-key', secret: OPENROUTER_KEY_2 });
    assert.notEqual(a, b);
    assert.equal(await t.readSecret(a), OPENROUTER_KEY);
    assert.equal(await t.readSecret(b), OPENROUTER_KEY_2);
  });

  it('rename keeps the credential', async function () {
    const h = await requireHooks(this, 'renameAccount');
    const id = await t.addAccount({ providerId: 'openrouter', name: 'it-accounts before', authKind: 'api-key', secret: OPENROUTER_KEY });
    await h.renameAccount(id, 'it-accounts after');
    assert.equal(t.accounts().find((x) => x.id === id)?.name, 'it-accounts after');
    assert.equal(await t.readSecret(id), OPENROUTER_KEY);
  });

  it('remove deletes the metadata and the credential', async () => {
    const id = await t.addAccount({ providerId: 'openrouter', name: 'it-accounts gone', authKind: 'api-key', secret: OPENROUTER_KEY });
    await t.removeAccount(id);
    assert.ok(!t.accounts().some((x) => x.id === id), 'accounts() no longer lists it');
    assert.equal(await t.readSecret(id), undefined);
  });
});
