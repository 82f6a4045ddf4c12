// OTLP/HTTP export: what reaches a collector (a loopback fake) through the real UndiciHttpClient, decoded with the
// official protobuf field numbers (test/support/otlpDecode.ts): names, attributes, units, temporality, resource.
// Then the collector's faults — down, slow, 413, 429 with Retry-After, 5xx, wrong content type — and the memory bound
// over 10 000 failed exports, on a fake clock.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FakeServer } from '../../fakes/fakeServer';
import { FakeClock } from '../../fakes/fakeClock';
import { decodeMetricsRequest, attrs, type DecodedMetric } from '../../support/otlpDecode';
import { usageRow } from '../../support/exportRows';
import { buildFamilies, type ExportInput } from '../../../src/core/export/metrics';
import { resolveExport } from '../../../src/core/export/config';
import { createTarget, OtlpTarget, ExportFailure } from '../../../src/core/export/targets';
import { ExportRunner } from '../../../src/core/export/runner';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { nullLogger, type Logger } from '../../../src/core/log';
import type { HttpClient } from '../../../src/core/http';
import type { UsageRow } from '../../../src/core/usage/types';
import type { Snapshot } from '../../../src/shared/model';

const NOW = Date.UTC(2026, 10, 2, 10);

const row = (p: Partial<UsageRow>): UsageRow => usageRow(NOW, { cwd: '/home/dev/app', ...p });

function input(): ExportInput {
  const snapshot: Snapshot = {
    accountId: 'a1', takenAt: NOW, status: 'ok',
    meters: [{ id: 'five_hour', label: '5-hour', kind: 'quota', unit: '%', used: 42, limit: 100, remaining: 58, percentUsed: 42, resetsAt: NOW + 3_600_000, source: 'official', capturedAt: NOW }],
  };
  return {
    accounts: [{ id: 'a1', providerId: 'claude', snapshot }],
    usageRows: [
      row({ inputTokens: 100, outputTokens: 50, cacheReadTokens: 1000, cacheWrite1hTokens: 20, costUSD: 0.5 }),
      row({ agent: 'codex', model: 'gpt-5-codex', inputTokens: 10, outputTokens: 30, reasoningTokens: 12, costUSD: 0.25 }),
    ],
    salt: 'tokstat:core',
  };
}

const resolved = (url: string, protocol: 'http/protobuf' | 'http/json' = 'http/protobuf') =>
  resolveExport({ target: 'otlp', endpoint: url, protocol, userId: 'alice@example.com', team: 'core', resourceAttributes: { 'deployment.environment': 'dev' } }, { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20t0ken-123456' }, { instanceId: '9f2c0000-0000-4000-8000-000000000001', version: '1.2.3' });

function metricByName(ms: DecodedMetric[], name: string): DecodedMetric {
  const m = ms.find((x) => x.name === name);
  assert.ok(m, `${name} missing`);
  return m;
}

test('OTLP protobuf: the collector receives the SDK-built request; decoded names, attributes, units, temporality, resource', async () => {
  const fake = new FakeServer();
  fake.route('POST', '/v1/metrics', () => ({ status: 200, text: '', headers: { 'content-type': 'application/x-protobuf' } }));
  await fake.start();
  const http = new UndiciHttpClient(nullLogger);
  try {
    const r = resolved(fake.url);
    assert.equal(r.url, `${fake.url}/v1/metrics`);
    const target = createTarget(r, '1.2.3');
    const families = buildFamilies(input());
    await target.send(http, await target.encode(families), NOW);
    await target.dispose();
    assert.equal(fake.requests.length, 1);
    const req = fake.requests[0]!;
    assert.equal(req.headers['content-type'], 'application/x-protobuf');
    assert.equal(req.headers.authorization, 'Bearer t0ken-123456');
    const doc = decodeMetricsRequest(new Uint8Array(req.raw));
    assert.equal(doc.resourceMetrics.length, 1);
    const rm = doc.resourceMetrics[0]!;
    const res = attrs(rm.resource.attributes);
    assert.equal(res['service.name'], 'tokstat');
    assert.equal(res['service.version'], '1.2.3');
    assert.equal(res['service.instance.id'], '9f2c0000-0000-4000-8000-000000000001');
    assert.equal(res.team, 'core');
    assert.equal(res['deployment.environment'], 'dev');
    assert.match(String(res['user.id']), /^u_[0-9a-f]{16}$/);
    assert.deepEqual(rm.scopeMetrics.map((s) => s.scope), [{ name: 'tokstat', version: '1.2.3' }]);
    const ms = rm.scopeMetrics[0]!.metrics;

    const tokens = metricByName(ms, 'tokstat.tokens');
    assert.equal(tokens.unit, '{token}');
    assert.equal(tokens.sum?.aggregationTemporality, 2, 'cumulative');
    assert.equal(tokens.sum?.isMonotonic, true);
    const points: Array<Record<string, unknown>> = tokens.sum!.dataPoints.map((p) => ({ ...attrs(p.attributes), value: p.asDouble ?? p.asInt }));
    const claudeIn = points.find((p) => p.agent === 'claude-code' && p.type === 'input');
    assert.deepEqual(claudeIn, {
      agent: 'claude-code', provider: 'anthropic', model: 'claude-sonnet-4-5', type: 'input',
      'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.token.type': 'input', value: 100,
    });
    const byType = (agent: string) => Object.fromEntries(points.filter((p) => p.agent === agent).map((p) => [String(p.type), p.value]));
    assert.deepEqual(byType('claude-code'), { input: 100, output: 50, cache_read: 1000, cache_write: 20 });
    // Reasoning is split off output so that the types add up to the total.
    assert.deepEqual(byType('codex'), { input: 10, output: 18, reasoning: 12 });
    assert.equal(points.find((p) => p.agent === 'codex' && p.type === 'reasoning')?.['gen_ai.token.type'], 'output');
    for (const p of tokens.sum!.dataPoints) {
      assert.ok(BigInt(p.timeUnixNano!) >= BigInt(p.startTimeUnixNano!));
    }

    const cost = metricByName(ms, 'tokstat.cost');
    assert.equal(cost.unit, 'USD');
    assert.equal(cost.sum?.aggregationTemporality, 2);
    assert.deepEqual(cost.sum!.dataPoints.map((p) => [attrs(p.attributes).agent, p.asDouble]).sort(), [['claude-code', 0.5], ['codex', 0.25]]);

    const ratio = metricByName(ms, 'tokstat.quota.used_ratio');
    assert.equal(ratio.unit, '1');
    assert.ok(ratio.gauge, 'a gauge, no temporality');
    assert.equal(ratio.gauge.dataPoints[0]!.asDouble, 0.42);
    const ra = attrs(ratio.gauge.dataPoints[0]!.attributes);
    assert.equal(ra.provider, 'claude');
    assert.equal(ra.meter, 'five_hour');
    assert.match(String(ra.account), /^[0-9a-f]{12}$/);
    assert.equal(metricByName(ms, 'tokstat.quota.reset_timestamp').unit, 's');
    assert.equal(metricByName(ms, 'tokstat.quota.reset_timestamp').gauge!.dataPoints[0]!.asDouble, (NOW + 3_600_000) / 1000);
    assert.equal(attrs(metricByName(ms, 'tokstat.quota.remaining').gauge!.dataPoints[0]!.attributes).unit, 'percent');
    // No e-mail anywhere in the body.
    assert.ok(!req.raw.toString('latin1').includes('example.com'));
  } finally {
    await http.close();
    await fake.stop();
  }
});

test('OTLP JSON: the same request as OTLP/JSON, equal to the protobuf one once decoded', async () => {
  const fake = new FakeServer();
  fake.route('POST', '/v1/metrics', () => ({ status: 200, json: {} }));
  await fake.start();
  const http = new UndiciHttpClient(nullLogger);
  try {
    const families = buildFamilies(input());
    const json = createTarget(resolved(fake.url, 'http/json'), '1.2.3');
    await json.send(http, await json.encode(families), NOW);
    const req = fake.requests[0]!;
    assert.equal(req.headers['content-type'], 'application/json');
    const doc = JSON.parse(req.body) as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string; unit?: string; sum?: { aggregationTemporality: number } }> }> }> };
    const names = doc.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((m) => m.name);
    const proto = createTarget(resolved(fake.url), '1.2.3');
    const decoded = decodeMetricsRequest(await proto.encode(families) as Uint8Array);
    assert.deepEqual(decoded.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((m) => m.name), names);
    assert.equal(doc.resourceMetrics[0]!.scopeMetrics[0]!.metrics.find((m) => m.name === 'tokstat.tokens')?.sum?.aggregationTemporality, 2);
    await json.dispose();
    await proto.dispose();
  } finally {
    await http.close();
    await fake.stop();
  }
});

test('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta: counters are sent as deltas', async () => {
  const r = resolveExport({ target: 'otlp', endpoint: 'http://127.0.0.1:4318' }, { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' }, { instanceId: 'i', version: 'v' });
  const t = createTarget(r, 'v');
  const first = buildFamilies(input());
  await t.encode(first);
  const more = input();
  (more.usageRows as UsageRow[]).push(row({ inputTokens: 5 }));
  const decoded = decodeMetricsRequest((await t.encode(buildFamilies(more))) as Uint8Array);
  const tokens = metricByName(decoded.resourceMetrics[0]!.scopeMetrics[0]!.metrics, 'tokstat.tokens');
  assert.equal(tokens.sum?.aggregationTemporality, 1, 'delta');
  const claudeIn = tokens.sum!.dataPoints.find((p) => attrs(p.attributes).agent === 'claude-code' && attrs(p.attributes).type === 'input');
  assert.equal(claudeIn?.asDouble ?? claudeIn?.asInt, 5);
  await t.dispose();
});

test('endpoints: https only except loopback; OTEL_* variables fill what settings leave empty; grpc refused', () => {
  const ids = { instanceId: 'i', version: 'v' };
  assert.throws(() => resolveExport({ target: 'otlp', endpoint: 'http://collector.example:4318' }, {}, ids), /plain http/);
  assert.throws(() => resolveExport({ target: 'pushgateway', endpoint: 'https://u:p@gw.example' }, {}, ids), /credentials/);
  assert.equal(resolveExport({ target: 'otlp', endpoint: 'https://otel.example/otlp' }, {}, ids).url, 'https://otel.example/otlp/v1/metrics');
  assert.equal(resolveExport({ target: 'otlp', endpoint: '' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.example' }, ids).url, 'https://c.example/v1/metrics');
  assert.equal(resolveExport({ target: 'otlp', endpoint: '' }, { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://c.example/custom' }, ids).url, 'https://c.example/custom');
  assert.equal(resolveExport({ target: 'otlp', endpoint: '' }, {}, ids).url, 'http://localhost:4318/v1/metrics');
  assert.equal(resolveExport({ target: 'otlp', endpoint: '' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_METRIC_EXPORT_INTERVAL: '60000' }, ids).protocol, 'http/json');
  assert.equal(resolveExport({ target: 'otlp', endpoint: '' }, { OTEL_METRIC_EXPORT_INTERVAL: '60000' }, ids).intervalMs, 60_000);
  assert.throws(() => resolveExport({ target: 'otlp', endpoint: '' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, ids), /grpc/);
  const r = resolveExport({ target: 'otlp', endpoint: '', resourceAttributes: { owner: 'bob@corp.example', 'service.name': 'evil' } }, { OTEL_RESOURCE_ATTRIBUTES: 'team.tier=gold,repo=/home/bob/repo' }, ids);
  assert.equal(r.resource['service.name'], 'tokstat');
  assert.equal(r.resource['team.tier'], 'gold');
  assert.match(r.resource.owner!, /^h_/);
  assert.match(r.resource.repo!, /^h_/);
});

// ---- Faults, through the real client against a loopback collector ----

function runnerFor(url: string, http: HttpClient, clock: FakeClock, log: Logger = nullLogger, maxQueue?: number): ExportRunner {
  const target = new OtlpTarget({ url: `${url}/v1/metrics`, protocol: 'http/protobuf', headers: {}, resource: { 'service.name': 'tokstat' }, version: 'v' });
  const families = buildFamilies(input());
  return new ExportRunner({ target, http, clock, log, collect: () => families, intervalMs: 60_000, isLeader: () => true, random: () => 0.5, ...(maxQueue ? { maxQueue } : {}) });
}

test('faults: 429 with Retry-After keeps the payload and waits; 503, 413, 415, an HTML 200 and a reset each give one failing state', async () => {
  const fake = new FakeServer();
  fake.route('POST', '/v1/metrics', () => ({ status: 200, text: '' }));
  await fake.start();
  const http = new UndiciHttpClient(nullLogger);
  const clock = new FakeClock(NOW);
  try {
    const cases: Array<{ fault: Parameters<FakeServer['fail']>[0]; retryable: boolean; message: RegExp }> = [
      { fault: { status: 429, retryAfterSeconds: 600 }, retryable: true, message: /rate limiting \(429\)/ },
      { fault: { status: 503 }, retryable: true, message: /answered 503/ },
      { fault: { status: 500 }, retryable: true, message: /answered 500/ },
      { fault: { status: 413 }, retryable: false, message: /larger than the collector accepts/ },
      { fault: { status: 415 }, retryable: false, message: /content type \(415\)/ },
      { fault: { status: 200, html: true }, retryable: false, message: /text\/html, not OTLP/ },
      { fault: { resetConnection: true }, retryable: true, message: /connect|socket|reset|closed/i },
    ];
    for (const c of cases) {
      fake.fail(c.fault);
      const before = fake.requests.length;
      const runner = runnerFor(fake.url, http, clock);
      const states: string[] = [];
      runner.onDidChangeState((s) => states.push(s.status));
      await runner.tick();
      await runner.idle();
      const st = runner.state();
      assert.equal(fake.requests.length, before + 1, 'the request reached the collector');
      assert.equal(st.status, 'failing', JSON.stringify(c.fault));
      assert.match(st.lastError ?? '', c.message);
      assert.equal(st.failingSince, NOW);
      assert.equal(st.queued, c.retryable ? 1 : 0, 'retryable failures keep the payload');
      assert.equal(st.dropped, c.retryable ? 0 : 1);
      assert.deepEqual(states, ['failing']);
      runner.dispose();
    }
    // Retry-After is honoured: nothing is sent before it, the retry after it succeeds and clears the state.
    fake.fail({ status: 429, retryAfterSeconds: 600 });
    const runner = runnerFor(fake.url, http, clock);
    await runner.tick();
    await runner.idle();
    const sent = fake.requests.length;
    clock.advance(599_000);
    await runner.drain();
    assert.equal(fake.requests.length, sent, 'no retry before Retry-After');
    clock.advance(2_000);
    await runner.idle();
    await runner.drain();
    assert.equal(fake.requests.length, sent + 1);
    assert.equal(runner.state().status, 'ok');
    assert.equal(runner.state().failingSince, undefined);
    runner.dispose();
  } finally {
    await http.close();
    await fake.stop();
  }
});

test('faults: collector down (nothing listening) and slow (past the timeout) are retryable failures; the tick returns before the answer', async () => {
  const fake = new FakeServer();
  fake.route('POST', '/v1/metrics', () => ({ status: 200, text: '', delayMs: 200 }));
  await fake.start();
  const down = new FakeServer();
  await down.start();
  const downUrl = down.url;
  await down.stop();
  const clock = new FakeClock(NOW);
  const http = new UndiciHttpClient(nullLogger);
  try {
    const r1 = runnerFor(downUrl, http, clock);
    await r1.tick();
    await r1.idle();
    assert.equal(r1.state().status, 'failing');
    assert.match(r1.state().lastError ?? '', /Could not connect/);
    assert.equal(r1.state().queued, 1);
    r1.dispose();

    // A slow collector: tick() resolves while the request is still in flight (it never waits for the answer).
    const r2 = runnerFor(fake.url, http, clock);
    await r2.tick();
    assert.equal(r2.state().status, 'pending', 'tick returned before the collector answered');
    await r2.idle();
    assert.equal(r2.state().status, 'ok');
    r2.dispose();
    // Slower than the request timeout: a timeout failure, kept for retry.
    const slow: HttpClient = { request: (req) => http.request({ ...req, timeoutMs: 50 }) };
    fake.fail({ delayMs: 1000 });
    const r3 = runnerFor(fake.url, slow, clock);
    await r3.tick();
    await r3.idle();
    assert.equal(r3.state().status, 'failing');
    assert.match(r3.state().lastError ?? '', /No answer within/);
    r3.dispose();
  } finally {
    await http.close();
    await fake.stop();
  }
});

test('memory stays bounded over 10 000 failed exports: the queue keeps the newest, drops are counted, one state change, few log lines', async () => {
  const clock = new FakeClock(NOW);
  let calls = 0;
  const failing: HttpClient = {
    request: async () => {
      calls++;
      return { status: 503, headers: {}, text: '', ms: 1 };
    },
  };
  const warnings: string[] = [];
  const log: Logger = { ...nullLogger, warn: (m: string) => warnings.push(m) };
  const runner = runnerFor('http://127.0.0.1:9', failing, clock, log, 20);
  const states: string[] = [];
  runner.onDidChangeState((s) => states.push(s.status));
  let maxQueued = 0;
  let maxBytes = 0;
  for (let i = 0; i < 10_000; i++) {
    await runner.tick();
    await runner.idle();
    clock.advance(60_000);
    await runner.idle();
    const st = runner.state();
    maxQueued = Math.max(maxQueued, st.queued);
    maxBytes = Math.max(maxBytes, st.queuedBytes);
  }
  const st = runner.state();
  assert.equal(maxQueued, 20);
  assert.ok(maxBytes <= 4 * 1024 * 1024);
  assert.equal(st.queued, 20);
  assert.equal(st.dropped, 10_000 - 20);
  assert.equal(st.status, 'failing');
  assert.equal(st.failingSince, NOW);
  assert.deepEqual(states, ['failing']);
  // Backoff: far fewer attempts than exports (the delay grows to 15 min against a 1-min interval).
  assert.ok(calls < 2_600, `attempts ${calls}`);
  assert.ok(calls > 100, `attempts ${calls}`);
  assert.equal(warnings.length, 1, 'one warning for the run of failures with the same reason');
  runner.dispose();
});

test('a non-leader window does not export', async () => {
  let calls = 0;
  const http: HttpClient = { request: async () => (calls++, { status: 200, headers: {}, text: '', ms: 1 }) };
  const target = createTarget(resolveExport({ target: 'otlp', endpoint: 'http://127.0.0.1:4318' }, {}, { instanceId: 'i', version: 'v' }), 'v');
  const runner = new ExportRunner({ target, http, clock: new FakeClock(NOW), log: nullLogger, collect: () => buildFamilies(input()), intervalMs: 60_000, isLeader: () => false });
  await runner.tick();
  await runner.idle();
  assert.equal(calls, 0);
  assert.equal(runner.state().status, 'standby');
  runner.dispose();
  assert.ok(new ExportFailure('x', true) instanceof Error);
});
