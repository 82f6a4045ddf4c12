// ExportFeature (the extension's team export, #23) on a fake clock: only the leader window exports, a failing
// Pushgateway is retried with a growing delay and one "failing since" state, memory stays bounded over 10 000 failed
// exports driven by the feature's own timer, "Stop Exporting" / turning export off deletes this machine's Pushgateway
// group (closing the window does not), and the collector token from SecretStorage reaches the server but no log.
// Time only moves when the test says so; every wait is on the feature's own promises (whenIdle), never a sleep.
import { afterEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeServer } from '../../fakes/fakeServer';
import { FakeClock } from '../../fakes/fakeClock';
import { SharedSecretBackend } from '../../fakes/memoryStores';
import { EXPORT_COLLECTOR_TOKEN } from '../../fakes/secrets';
import { decodeMetricsRequest } from '../../support/otlpDecode';
import { ExportFeature, type ExportFeatureDeps } from '../../../src/features/export/feature';
import type { ExportSettings } from '../../../src/core/export/config';
import type { ExportInput } from '../../../src/core/export/metrics';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { nullLogger, type Logger } from '../../../src/core/log';
import type { HttpClient } from '../../../src/core/http';
import type { Snapshot } from '../../../src/shared/model';

const T0 = Date.UTC(2026, 10, 2, 10);
const MIN = 60_000;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function source(): Pick<ExportInput, 'accounts' | 'usageRows'> {
  const snapshot: Snapshot = {
    accountId: 'a1', takenAt: T0, status: 'ok',
    meters: [{ id: 'five_hour', label: '5-hour', kind: 'quota', unit: '%', used: 42, limit: 100, remaining: 58, percentUsed: 42, resetsAt: T0 + 3_600_000, source: 'official', capturedAt: T0 }],
  };
  return { accounts: [{ id: 'a1', providerId: 'claude', snapshot }], usageRows: [] };
}

async function storageDir(): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-export-feature-'));
  cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A Pushgateway stand-in: PUT answers `putStatus()` (200 by default), DELETE 202; records the fake-clock time of each PUT. */
async function pushgateway(clock: FakeClock, putStatus: () => number = () => 200) {
  const fake = new FakeServer();
  const putTimes: number[] = [];
  fake.route('PUT', /^\/metrics\/job\/tokstat\//, () => {
    putTimes.push(clock.now());
    const status = putStatus();
    return { status, text: status === 200 ? '' : 'unavailable' };
  });
  fake.route('DELETE', /^\/metrics\/job\/tokstat\//, () => ({ status: 202, text: '' }));
  await fake.start();
  cleanups.push(() => fake.stop());
  return { fake, putTimes };
}

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (m: string) => void lines.push(m);
  return { lines, trace: rec, debug: rec, info: rec, warn: rec, error: rec };
}

interface Made {
  feature: ExportFeature;
  settings: ExportSettings & { enabled: boolean };
  sourceCalls: () => number;
}

function makeFeature(deps: Partial<ExportFeatureDeps> & Pick<ExportFeatureDeps, 'storage' | 'clock'>, settings: ExportSettings & { enabled: boolean }): Made {
  let calls = 0;
  const s = { ...settings };
  const feature = new ExportFeature({
    log: nullLogger,
    http: new UndiciHttpClient(nullLogger),
    secrets: new SharedSecretBackend().view(),
    env: {},
    version: '1.2.3',
    isLeader: () => true,
    settings: () => s,
    source: () => (calls++, source()),
    ...deps,
  });
  cleanups.push(() => feature.dispose());
  return { feature, settings: s, sourceCalls: () => calls };
}

const pushSettings = (url: string): ExportSettings & { enabled: boolean } => ({ enabled: true, target: 'pushgateway', endpoint: url, intervalSeconds: 60, team: 'core', userId: 'dev-1' });

test('only the leader window exports: two windows of one machine push one group, and the new leader takes over', async () => {
  const clock = new FakeClock(T0);
  const { fake, putTimes } = await pushgateway(clock);
  const storage = await storageDir();
  let leader: 'A' | 'B' = 'A';
  const a = makeFeature({ storage, clock, isLeader: () => leader === 'A' }, pushSettings(fake.url));
  const b = makeFeature({ storage, clock, isLeader: () => leader === 'B' }, pushSettings(fake.url));
  const settle = async () => {
    await a.feature.whenIdle();
    await b.feature.whenIdle();
  };
  await a.feature.apply();
  await b.feature.apply();
  await clock.advanceAsync(3 * MIN, settle); // ticks at 0, 1, 2, 3 min
  assert.equal(putTimes.length, 4, 'one push per interval, from the leader only');
  assert.deepEqual(putTimes, [T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
  assert.equal(a.feature.state()?.status, 'ok');
  assert.equal(b.feature.state()?.status, 'standby');

  leader = 'B';
  await clock.advanceAsync(2 * MIN, settle);
  assert.equal(putTimes.length, 6, 'the new leader pushes; the old one stands by');
  assert.equal(a.feature.state()?.status, 'standby');
  assert.equal(b.feature.state()?.status, 'ok');
  const paths = new Set(fake.requestsTo(/^\/metrics\//, 'PUT').map((r) => r.path));
  assert.equal(paths.size, 1, 'both windows of the machine push the same group (one series per user and machine)');
  const body = fake.requestsTo(/^\/metrics\//, 'PUT')[0]!.body;
  assert.match(body, /^tokstat_quota_used_ratio\{.*\} 0\.42$/m);
});

test('a failing Pushgateway: retries with a growing delay, one "failing since" state and one warning, then recovers', async () => {
  const clock = new FakeClock(T0);
  let healthy = false;
  const { fake, putTimes } = await pushgateway(clock, () => (healthy ? 200 : 503));
  const log = recordingLog();
  const { feature } = makeFeature({ storage: await storageDir(), clock, log }, pushSettings(fake.url));
  const states: string[] = [];
  feature.onDidChange(() => states.push(feature.state()?.status ?? 'off'));
  await feature.apply();
  await clock.advanceAsync(30 * MIN, () => feature.whenIdle());
  assert.equal(putTimes[0], T0);
  assert.ok(putTimes.length >= 4 && putTimes.length < 12, `attempts in 30 min at a 1-min interval: ${putTimes.length}`);
  for (let i = 1; i < putTimes.length; i++) {
    // Equal jitter keeps at least half of the exponential delay (30 s, doubling, capped at 15 min).
    const least = Math.min(15_000 * 2 ** (i - 1), 7.5 * MIN);
    assert.ok(putTimes[i]! - putTimes[i - 1]! >= least, `gap ${i}: ${putTimes[i]! - putTimes[i - 1]!} ms < ${least} ms`);
  }
  const st = feature.state()!;
  assert.equal(st.status, 'failing');
  assert.equal(st.failingSince, T0, 'failing since the first failure, not the latest');
  assert.match(st.lastError ?? '', /503/);
  assert.equal(log.lines.filter((l) => /export failed/.test(l)).length, 1, 'one warning for the run of failures');

  healthy = true;
  await clock.advanceAsync(16 * MIN, () => feature.whenIdle());
  const ok = feature.state()!;
  assert.equal(ok.status, 'ok');
  assert.equal(ok.failingSince, undefined);
  assert.deepEqual(states, ['pending', 'failing', 'ok'], 'one visible change per state, not one per failed attempt');
});

test('memory stays bounded over 10 000 failed exports driven by the feature\'s own timer: newest kept, oldest dropped and counted', async () => {
  const clock = new FakeClock(T0);
  let attempts = 0;
  let up = false;
  const delivered: Uint8Array[] = [];
  const failing: HttpClient = {
    request: async (req) => {
      attempts++;
      if (!up) return { status: 503, headers: {}, text: 'down', ms: 1 };
      delivered.push(req.body as Uint8Array);
      return { status: 200, headers: {}, text: '', ms: 1 };
    },
  };
  const { feature, sourceCalls } = makeFeature(
    { storage: await storageDir(), clock, http: failing },
    { enabled: true, target: 'otlp', endpoint: 'http://127.0.0.1:4318', protocol: 'http/protobuf', intervalSeconds: 15 },
  );
  await feature.apply();
  let maxQueued = 0;
  let maxBytes = 0;
  await clock.advanceAsync((10_000 - 1) * 15_000, async () => {
    await feature.whenIdle();
    const st = feature.state()!;
    maxQueued = Math.max(maxQueued, st.queued);
    maxBytes = Math.max(maxBytes, st.queuedBytes);
  });
  await feature.whenIdle();
  assert.equal(sourceCalls(), 10_000, '10 000 exports were collected');
  const st = feature.state()!;
  assert.equal(maxQueued, 20, 'never more than 20 payloads queued');
  assert.ok(maxBytes <= 4 * 1024 * 1024, `queued bytes ${maxBytes}`);
  assert.equal(st.queued, 20);
  assert.equal(st.dropped, 10_000 - 20, 'every export but the newest 20 was dropped and counted');
  assert.equal(st.status, 'failing');
  assert.equal(st.failingSince, T0);
  assert.ok(attempts > 100 && attempts < 2_000, `send attempts with backoff: ${attempts}`);

  // The collector comes back (the next try is up to 15 min away, and the ticks go on dropping meanwhile): what was
  // kept goes first, oldest of it first, and it is the newest 20 exports. Each payload carries the drop count seen at
  // its collection, so it says which tick it came from: with D drops in all, the last 20 ticks saw D-20 … D-1.
  up = true;
  await clock.advanceAsync(16 * MIN, () => feature.whenIdle());
  assert.equal(feature.state()?.status, 'ok');
  assert.ok(delivered.length >= 20);
  const droppedAt = (body: Uint8Array) => {
    const m = decodeMetricsRequest(body).resourceMetrics[0]!.scopeMetrics.flatMap((x) => x.metrics).find((x) => x.name === 'tokstat.export.dropped');
    const p = m?.sum?.dataPoints[0];
    return Number(p?.asInt ?? p?.asDouble);
  };
  const total = feature.state()!.dropped;
  assert.ok(total >= 10_000 - 20, `drops ${total}`);
  assert.deepEqual(delivered.slice(0, 20).map(droppedAt), Array.from({ length: 20 }, (_, i) => total - 20 + i));
});

test('Stop Exporting deletes this machine\'s Pushgateway group; turning export off does too; closing the window does not', async () => {
  const clock = new FakeClock(T0);
  const { fake } = await pushgateway(clock);
  const storage = await storageDir();

  const first = makeFeature({ storage, clock }, pushSettings(fake.url));
  await first.feature.apply();
  await clock.advanceAsync(0, () => first.feature.whenIdle());
  const put = fake.requestsTo(/^\/metrics\//, 'PUT');
  assert.equal(put.length, 1);
  await first.feature.stop();
  const deleted = fake.requestsTo(/^\/metrics\//, 'DELETE');
  assert.equal(deleted.length, 1, 'the DELETE reached the Pushgateway');
  assert.equal(deleted[0]!.path, put[0]!.path, 'the group that was pushed is the one deleted');
  assert.equal(first.feature.state(), undefined);
  await clock.advanceAsync(10 * MIN, () => first.feature.whenIdle());
  assert.equal(fake.requestsTo(/^\/metrics\//, 'PUT').length, 1, 'no push after stop');

  fake.clearLog();
  const second = makeFeature({ storage, clock }, pushSettings(fake.url));
  await second.feature.apply();
  await clock.advanceAsync(0, () => second.feature.whenIdle());
  second.settings.enabled = false;
  await second.feature.apply();
  assert.equal(fake.requestsTo(/^\/metrics\//, 'DELETE').length, 1, 'turning the setting off deleted the group');

  fake.clearLog();
  const third = makeFeature({ storage, clock }, pushSettings(fake.url));
  await third.feature.apply();
  await clock.advanceAsync(0, () => third.feature.whenIdle());
  assert.equal(fake.requestsTo(/^\/metrics\//, 'PUT').length, 1);
  third.feature.dispose();
  await clock.advanceAsync(10 * MIN);
  assert.equal(fake.requestsTo(/^\/metrics\//, 'DELETE').length, 0, 'closing a window keeps the group for the next leader');
  assert.equal(fake.requestsTo(/^\/metrics\//, 'PUT').length, 1, 'and stops pushing from this window');
});

test('Stop Exporting from a window that stands by deletes the group the leader pushed, and says so when it cannot', async () => {
  const clock = new FakeClock(T0);
  const { fake } = await pushgateway(clock);
  const storage = await storageDir();
  const leader = makeFeature({ storage, clock, isLeader: () => true }, pushSettings(fake.url));
  const standby = makeFeature({ storage, clock, isLeader: () => false }, pushSettings(fake.url));
  await leader.feature.apply();
  await standby.feature.apply();
  await clock.advanceAsync(0, async () => {
    await leader.feature.whenIdle();
    await standby.feature.whenIdle();
  });
  const put = fake.requestsTo(/^\/metrics\//, 'PUT');
  assert.equal(put.length, 1);
  assert.equal(standby.feature.state()?.status, 'standby');
  await standby.feature.stop();
  const deleted = fake.requestsTo(/^\/metrics\//, 'DELETE');
  assert.equal(deleted.length, 1, 'the standing-by window deleted the group');
  assert.equal(deleted[0]!.path, put[0]!.path);

  fake.route('DELETE', /^\/metrics\/job\/tokstat\//, () => ({ status: 500, text: 'boom' }));
  const again = makeFeature({ storage, clock, isLeader: () => false }, pushSettings(fake.url));
  await again.feature.apply();
  await assert.rejects(again.feature.stop(), /500/, 'a failed DELETE reaches the command, which warns the user');
});

test('headers from SecretStorage: the collector token reaches the server, restarts the export, and is in no log or preview', async () => {
  const clock = new FakeClock(T0);
  const { fake } = await pushgateway(clock);
  const log = recordingLog();
  const { feature } = makeFeature({ storage: await storageDir(), clock, log }, pushSettings(fake.url));
  await feature.apply();
  await clock.advanceAsync(0, () => feature.whenIdle());
  assert.equal(fake.requestsTo(/^\/metrics\//, 'PUT')[0]!.headers.authorization, undefined);

  await feature.setHeaders(`Authorization=Bearer%20${EXPORT_COLLECTOR_TOKEN}`);
  await clock.advanceAsync(0, () => feature.whenIdle());
  const puts = fake.requestsTo(/^\/metrics\//, 'PUT');
  assert.equal(puts.length, 2, 'the new headers restarted the export at once');
  assert.equal(puts[1]!.headers.authorization, `Bearer ${EXPORT_COLLECTOR_TOKEN}`);

  const preview = await feature.preview();
  assert.ok(!JSON.stringify(preview).includes(EXPORT_COLLECTOR_TOKEN), 'the preview masks the token');
  assert.ok(preview.headers.authorization ?? preview.headers.Authorization, 'the preview names the header');
  for (const line of log.lines) assert.ok(!line.includes(EXPORT_COLLECTOR_TOKEN), `token in the log: ${line}`);
});
