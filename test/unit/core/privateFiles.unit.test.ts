// Every file tokstat writes is private to the user (src/core/privateFs.ts): each store is driven through its own
// API on a real temp folder and the modes checked with fs.stat — files 0600, folders 0700, and folders and files
// an older version left 0755 / 0644 tightened on the next write. Also: the leftovers of a killed lease hand-over
// are swept, and the price list has one size limit, applied by the HTTP client per request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HistoryStore } from '../../../src/core/history/store';
import { writeThroughTemp } from '../../../src/core/history/export';
import { FileSnapshotStore, type AccountState } from '../../../src/core/state/snapshotStore';
import { FileLease } from '../../../src/core/state/lease';
import { FileAlertStateStore } from '../../../src/core/alerts/stateStore';
import { NotificationRelay } from '../../../src/core/alerts/relay';
import { UsageIndex } from '../../../src/core/usage/usageIndex';
import { PricingService, PRICE_LIST_MAX_BYTES } from '../../../src/core/usage/pricingStore';
import { toApiRecord } from '../../../src/core/usage/ingest';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { DEFAULT_MAX_BODY_BYTES } from '../../../src/core/http';
import { ProviderError } from '../../../src/core/errors';
import { makeMeter } from '../../../src/shared/model';
import { nullLogger } from '../../../src/core/log';
import { forgetCheckedPaths } from '../../../src/core/privateFs';
import { FakeServer } from '../../fakes/fakeServer';

const posix = process.platform !== 'win32';
const T = Date.UTC(2026, 0, 1);

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-private-'));
}

function modeOf(p: string): number {
  return fs.statSync(p).mode & 0o777;
}

/** Every file and folder under `root` (root included) with a mode other than 0600 / 0700. */
function loose(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) out.push(`${path.relative(root, p) || '.'}/ ${(st.mode & 0o777).toString(8)}`);
      for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    } else if ((st.mode & 0o777) !== 0o600) out.push(`${path.relative(root, p)} ${(st.mode & 0o777).toString(8)}`);
  };
  walk(root);
  return out;
}

/** A folder (and files in it) as an older version left them: 0755 / 0644. */
function makeLoose(dir: string, files: string[] = []): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  for (const f of files) {
    fs.writeFileSync(path.join(dir, f), '');
    fs.chmodSync(path.join(dir, f), 0o644);
  }
}

const state = (id: string): AccountState => ({
  version: 1,
  snapshot: { accountId: id, takenAt: T, status: 'ok', meters: [], lastSuccessAt: T },
  schedule: { lastAttemptAt: T, nextDueAt: T + 300_000, failures: 0 },
});

test('private files: history raw log, snapshots, alert state, outbox, lease, usage index, price cache, export — files 0600, folders 0700', { skip: !posix }, async () => {
  forgetCheckedPaths();
  // As VS Code creates it (0755): tokstat's folder, tightened to 0700 by the first lease taken in it.
  const storage = path.join(tmp(), 'globalStorage');
  fs.mkdirSync(storage, { mode: 0o755 });
  // History: a sample, then a damaged file repaired (its backup copy is private too).
  const history = new HistoryStore({ folder: path.join(storage, 'history'), log: nullLogger, compactEveryMs: 0 });
  const meter = makeMeter({ id: 'm', label: 'm', kind: 'quota', unit: 'requests', source: 'official', capturedAt: T, used: 1, limit: 10 });
  await history.record('acct', [meter], T);
  history.dispose();
  // Snapshots (can hold an e-mail in account labels).
  const snaps = new FileSnapshotStore({ folder: path.join(storage, 'snapshots'), log: nullLogger, watch: false, rescanMs: 0 });
  await snaps.write('acct', state('acct'));
  snaps.dispose();
  // Alert state (with its lock) and the outbox.
  const alerts = new FileAlertStateStore({ folder: path.join(storage, 'alerts') });
  await alerts.update((s) => s);
  await new NotificationRelay({ folder: path.join(storage, 'alerts', 'outbox') }).post(
    { kind: 'threshold', severity: 'warning', message: 'x', targets: [{ accountId: 'a', meterId: 'm' }], grouped: false, level: 80 } as never,
    T,
  );
  // The leader lease, held.
  const lease = new FileLease({ dir: path.join(storage, 'leader.lock'), log: nullLogger });
  assert.equal(await lease.tryAcquire(), true);
  // The usage index: snapshot, then a journal line.
  const index = new UsageIndex({ folder: path.join(storage, 'usage') });
  await index.save(true);
  const r = toApiRecord({ operation: 'o', provider: 'p', model: 'm', inputTokens: 1, outputTokens: 1 }, T);
  assert.ok(r.ok);
  index.addRecords([{ record: r.record, key: 'api:1' }]);
  await index.save();
  // The price cache.
  const models = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`model-${i}`, { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, litellm_provider: 'openai', mode: 'chat' }]));
  const pricing = new PricingService({ cacheFile: path.join(storage, 'pricing', 'litellm.json'), fetchText: async () => ({ status: 200, text: JSON.stringify(models) }) });
  assert.equal(await pricing.refreshIfStale(true), 'updated');
  pricing.dispose();
  // An export, into a folder of the user's choosing (left as it is).
  const exports = tmp();
  assert.equal(await writeThroughTemp(path.join(exports, 'history.csv'), async (w) => (await w('a,b\n'), true)), true);
  assert.equal(modeOf(path.join(exports, 'history.csv')), 0o600);

  const written = fs.readdirSync(storage).sort();
  for (const must of ['alerts', 'history', 'leader.lock', 'pricing', 'snapshots', 'usage']) assert.ok(written.includes(must), `${must} written`);
  assert.deepEqual(loose(storage), [], 'every file 0600 and folder 0700');
  await lease.release();
});

test('folders and files an older version wrote 0755 / 0644 are tightened on the next write', { skip: !posix }, async () => {
  forgetCheckedPaths();
  const storage = tmp();
  fs.chmodSync(storage, 0o700);
  const day = `raw-${new Date(T).toISOString().slice(0, 10).replace(/-/g, '')}.log`;
  makeLoose(path.join(storage, 'history'));
  makeLoose(path.join(storage, 'history', 'v2'));
  makeLoose(path.join(storage, 'history', 'v2', 'acct'), [day]);
  makeLoose(path.join(storage, 'snapshots'));
  makeLoose(path.join(storage, 'alerts'), ['alerts.json']);
  const history = new HistoryStore({ folder: path.join(storage, 'history'), log: nullLogger, compactEveryMs: 0 });
  const meter = makeMeter({ id: 'm', label: 'm', kind: 'quota', unit: 'requests', source: 'official', capturedAt: T, used: 1, limit: 10 });
  await history.record('acct', [meter], T);
  history.dispose();
  const snaps = new FileSnapshotStore({ folder: path.join(storage, 'snapshots'), log: nullLogger, watch: false, rescanMs: 0 });
  await snaps.write('acct', state('acct'));
  snaps.dispose();
  await new FileAlertStateStore({ folder: path.join(storage, 'alerts') }).update((s) => s);
  assert.deepEqual(loose(storage), []);
});

test('lease: the leftovers of a window killed mid hand-over (<lock>.released-*, <lock>.stale-*) are swept, recent ones and others left', async () => {
  const dir = tmp();
  const lock = path.join(dir, 'leader.lock');
  const old = (Date.now() - 3_600_000) / 1000;
  for (const n of ['leader.lock.released-aa-1', 'leader.lock.stale-bb-2', 'leader.lock.released-recent-3', 'other.lock.stale-cc-4', 'notes.txt']) {
    const p = path.join(dir, n);
    if (n.endsWith('.txt')) fs.writeFileSync(p, '');
    else {
      fs.mkdirSync(p);
      fs.writeFileSync(path.join(p, 'owner.json'), '{}');
    }
    if (!n.includes('recent')) fs.utimesSync(p, old, old);
  }
  const lease = new FileLease({ dir: lock, log: nullLogger, ttlMs: 30_000 });
  assert.equal(await lease.tryAcquire(), true);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['leader.lock', 'leader.lock.released-recent-3', 'notes.txt', 'other.lock.stale-cc-4']);
  await lease.release();
});

test('price list: one limit (PRICE_LIST_MAX_BYTES) passed to the download; the HTTP client takes a per-request cap over its default', async () => {
  assert.ok(PRICE_LIST_MAX_BYTES > DEFAULT_MAX_BODY_BYTES, 'the price list may be larger than a provider answer');
  let asked: number | undefined;
  const pricing = new PricingService({
    fetchText: async (_url, { maxBytes }) => {
      asked = maxBytes;
      return { status: 500, text: '' };
    },
  });
  await pricing.refreshIfStale(true);
  pricing.dispose();
  assert.equal(asked, PRICE_LIST_MAX_BYTES);
  // A body between the default cap and the price-list cap: refused by default, accepted with the per-request cap.
  const fake = new FakeServer();
  const big = 'x'.repeat(DEFAULT_MAX_BODY_BYTES + 1024);
  fake.route('GET', '/prices.json', () => ({ text: big }));
  await fake.start();
  const http = new UndiciHttpClient(nullLogger);
  try {
    await assert.rejects(http.request({ url: `${fake.url}/prices.json` }), (e) => e instanceof ProviderError && /larger than 4194304 bytes/.test(e.message));
    const ok = await http.request({ url: `${fake.url}/prices.json`, maxBodyBytes: PRICE_LIST_MAX_BYTES });
    assert.equal(ok.text.length, big.length);
    await assert.rejects(http.request({ url: `${fake.url}/prices.json`, maxBodyBytes: 1000 }), /larger than 1000 bytes/);
  } finally {
    await http.close();
    await fake.stop();
  }
});
