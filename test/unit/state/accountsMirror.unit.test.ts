// The account list the extension mirrors for the CLI (src/core/state/accountsMirror.ts), read back by the CLI's own
// reader (src/cli/snapshots.ts): names and providers, never settings or secrets; private; rewritten on change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AccountsMirror } from '../../../src/core/state/accountsMirror';
import { readStoredAccounts } from '../../../src/cli/snapshots';
import { Emitter } from '../../../src/core/events';
import type { Account } from '../../../src/shared/model';

const account = (id: string, name: string, providerId: string): Account => ({
  id, name, providerId, createdAt: 1, authKind: 'api-key', settings: { enterpriseHost: 'ghe.example.com', githubLogin: 'someone@example.com' },
});

test('accounts mirror: the CLI names the stored snapshots; only id, name and provider, 0600; rewritten on change', async () => {
  const storage = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-mirror-'));
  try {
    fs.mkdirSync(path.join(storage, 'snapshots'));
    const snapshot = { accountId: 'acc1', takenAt: 1, status: 'ok', meters: [] };
    fs.writeFileSync(path.join(storage, 'snapshots', 'acc1.json'), JSON.stringify({ version: 1, snapshot, schedule: { failures: 0 } }));
    let accounts = [account('acc1', 'Work', 'copilot')];
    const changed = new Emitter<void>();
    const warnings: string[] = [];
    const mirror = new AccountsMirror({ storage, list: () => accounts, onDidChange: changed.event, log: { warn: (m) => warnings.push(m) } });

    const before = await readStoredAccounts(storage);
    assert.ok('entries' in before);
    assert.equal(before.entries[0]?.name, undefined, 'without the mirror the CLI only has the id');

    await mirror.write();
    const read = await readStoredAccounts(storage);
    assert.ok('entries' in read);
    assert.deepEqual(read.entries.map((e) => [e.accountId, e.name, e.providerId]), [['acc1', 'Work', 'copilot']]);
    const file = path.join(storage, 'accounts.json');
    const text = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /ghe\.example|someone@|settings|authKind/);
    if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    accounts = [account('acc1', 'Work (renamed)', 'copilot')];
    changed.fire();
    await mirror.write(); // queued behind the write the change started
    const again = await readStoredAccounts(storage);
    assert.ok('entries' in again);
    assert.equal(again.entries[0]?.name, 'Work (renamed)');
    assert.deepEqual(fs.readdirSync(storage).sort(), ['accounts.json', 'snapshots'], 'no temporary file left behind');
    assert.deepEqual(warnings, []);

    mirror.dispose();
    accounts = [account('acc1', 'After dispose', 'copilot')];
    changed.fire();
    await mirror.write();
    assert.match(fs.readFileSync(file, 'utf8'), /After dispose/, 'an explicit write still writes');
  } finally {
    await fsp.rm(storage, { recursive: true, force: true });
  }
});

test('accounts mirror: a folder it cannot write is a warning, never a rejection', async () => {
  const storage = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-mirror-'));
  try {
    const blocked = path.join(storage, 'file');
    fs.writeFileSync(blocked, 'not a folder');
    const warnings: string[] = [];
    const mirror = new AccountsMirror({ storage: blocked, list: () => [account('a', 'A', 'openrouter')], onDidChange: () => ({ dispose: () => undefined }), log: { warn: (m) => warnings.push(m) } });
    await mirror.write();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not write accounts\.json/);
    mirror.dispose();
  } finally {
    await fsp.rm(storage, { recursive: true, force: true });
  }
});
