// The notification outbox shared by windows (src/core/alerts/relay.ts), on a real temp folder: each notification is
// claimed exactly once across relays, oldest first; stale, malformed and foreign files are dropped, never shown.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotificationRelay } from '../../../src/core/alerts/relay';
import type { AlertNotification } from '../../../src/core/alerts/types';

const dirs: string[] = [];
function folder(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-relay-'));
  dirs.push(d);
  return path.join(d, 'outbox');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const T = Date.UTC(2026, 0, 1);
const note = (message: string, extra: Partial<AlertNotification> = {}): AlertNotification => ({
  kind: 'threshold',
  severity: 'warning',
  message,
  targets: [{ accountId: 'a', meterId: 'premium' }],
  grouped: false,
  level: 80,
  ...extra,
});

test('a posted notification is claimed once, as posted; the outbox is left empty', async () => {
  const dir = folder();
  const leader = new NotificationRelay({ folder: dir });
  const other = new NotificationRelay({ folder: dir });
  assert.deepEqual(await other.claim(T), [], 'nothing yet (the folder does not even exist)');
  const n = note('Work · Premium requests: 85% used', { refill: false });
  await leader.post(n, T);
  assert.deepEqual(await other.claim(T + 1000), [n]);
  assert.deepEqual(await leader.claim(T + 1000), [], 'claimed by the other window: not shown twice');
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('claimed oldest first; every notification reaches exactly one of several windows claiming at once', async () => {
  const dir = folder();
  const leader = new NotificationRelay({ folder: dir });
  for (let i = 0; i < 40; i++) await leader.post(note(`n${i}`), T + i);
  const windows = [0, 1, 2].map(() => new NotificationRelay({ folder: dir }));
  const got = await Promise.all(windows.map((w) => w.claim(T + 100)));
  const all = got.flat().map((n) => n.message);
  assert.equal(all.length, 40, `claimed ${all.length}`);
  assert.equal(new Set(all).size, 40, 'no notification claimed twice');
  for (const list of got) {
    const idx = list.map((n) => Number(n.message.slice(1)));
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b), 'each window gets its share in posting order');
  }
});

test('too old, malformed, foreign-version and oversized files are dropped unshown; temp files are left to their writer', async () => {
  const dir = folder();
  const relay = new NotificationRelay({ folder: dir, maxAgeMs: 3_600_000 });
  await relay.post(note('old'), T);
  await relay.post(note('fresh'), T + 3_000_000);
  fs.writeFileSync(path.join(dir, '000000000000001-bad.json'), '{"version":1,');
  fs.writeFileSync(path.join(dir, '000000000000002-v2.json'), JSON.stringify({ version: 2, postedAt: T, notification: note('v2') }));
  fs.writeFileSync(path.join(dir, '000000000000003-big.json'), JSON.stringify({ version: 1, postedAt: T + 3_000_000, notification: note('x'.repeat(5000)) }));
  fs.writeFileSync(path.join(dir, '000000000000004-kind.json'), JSON.stringify({ version: 1, postedAt: T + 3_000_000, notification: { ...note('k'), kind: 'spam' } }));
  fs.writeFileSync(path.join(dir, '.tmp-000000000000005-x.json'), JSON.stringify({ version: 1, postedAt: T + 3_000_000, notification: note('half-written') }));
  const got = await relay.claim(T + 3_700_000);
  assert.deepEqual(got.map((n) => n.message), ['fresh']);
  assert.deepEqual(fs.readdirSync(dir), ['.tmp-000000000000005-x.json'], 'a write in progress is not claimed');
});

test('temp and claimed files abandoned by a window that died are swept after a minute', async () => {
  const dir = folder();
  const relay = new NotificationRelay({ folder: dir });
  fs.mkdirSync(dir, { recursive: true });
  const stale = path.join(dir, '.tmp-1-dead.json');
  const fresh = path.join(dir, '.claimed-99-abcd-2.json');
  fs.writeFileSync(stale, '{}');
  fs.writeFileSync(fresh, '{}');
  const old = (Date.now() - 5 * 60_000) / 1000;
  fs.utimesSync(stale, old, old);
  await relay.claim(Date.now());
  assert.deepEqual(fs.readdirSync(dir), ['.claimed-99-abcd-2.json']);
});
