// src/host/keychain.ts against a stand-in for macOS's /usr/bin/security (a shell script in a temp folder): the
// password on success, undefined for "no such item" (exit 44), an error that carries nothing of the keychain otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readKeychainPassword } from '../../../src/host/keychain';

const SECRET = 'FAKE-keychain-password-{"claudeAiOauth":{}}';
let dir = '';
let bin = '';

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-keychain-'));
  bin = path.join(dir, 'security');
  // Behaves by service name; records its arguments so the test can check the exact call.
  fs.writeFileSync(
    bin,
    `#!/bin/sh
printf '%s\\n' "$@" > "${dir}/args"
case "$3" in
  present) printf '%s\\n' '${SECRET}' ;;
  missing) echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2; exit 44 ;;
  denied) echo "security: ${SECRET} denied" >&2; exit 51 ;;
  slow) sleep 5 ;;
esac
`,
    { mode: 0o755 },
  );
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the password of an existing item, without the trailing newline; asked exactly as `security find-generic-password -s <service> -w`', async () => {
  assert.equal(await readKeychainPassword('present', { bin }), SECRET);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'args'), 'utf8').trim().split('\n'), ['find-generic-password', '-s', 'present', '-w']);
});

test('no such item (exit 44) → undefined', async () => {
  assert.equal(await readKeychainPassword('missing', { bin }), undefined);
});

test('any other failure rejects with the exit code only: nothing security printed reaches the message', async () => {
  await assert.rejects(readKeychainPassword('denied', { bin }), (e: Error) => e.message === 'security exited with 51' && !e.message.includes('FAKE'));
  await assert.rejects(readKeychainPassword('slow', { bin, timeoutMs: 200 }), /no answer in time/);
  await assert.rejects(readKeychainPassword('present', { bin: path.join(dir, 'absent') }), /security could not run \(ENOENT\)/);
});
