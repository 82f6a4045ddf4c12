// Team export against real engines: Debian's Prometheus 2.42 and Pushgateway 1.5.1 on loopback ports. Three simulated
// developer machines (own HOME with agent logs, own tokstat storage with quota snapshots, own user id) run the
// compiled CLI, `tokstat export --once --pushgateway URL`; Prometheus scrapes the gateway; PromQL over its HTTP API
// must give the exact team totals the three machines hold. Then "stop exporting" deletes one machine's group.
// Needs the binaries: under CI=true their absence fails this test (scripts/setup-system.sh installs them).
//
// OTLP end to end: Prometheus 2.42 (Debian bookworm's package, the one installed here) has NO OTLP receiver.
// `--enable-feature=otlp-write-receiver` first shipped in Prometheus 2.47; 2.42 logs "Unknown option for
// --enable-feature" and answers 404 on /api/v1/otlp/v1/metrics (checked by hand, 2026-12-07). So the OTLP check is the
// decoded-protobuf/JSON test (otlp.unit.test.ts: the SDK-built request as the collector receives it, decoded with the
// official OTLP definitions). The last test below fails the day the installed Prometheus gains the receiver, so the
// end-to-end OTLP check gets written then rather than forgotten.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { enginesPresent, IS_CI, PROMETHEUS, PromStack } from '../../support/promEngines';
import { spawnSync } from 'node:child_process';
import type { Snapshot } from '../../../src/shared/model';
import { resolveExport } from '../../../src/core/export/config';
import { PushgatewayTarget } from '../../../src/core/export/targets';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { nullLogger } from '../../../src/core/log';
import { ANTHROPIC_API_KEY } from '../../fakes/secrets';

const CLI = path.resolve(__dirname, '../../../src/cli/main.js');
const ROOT = path.resolve(__dirname, '../../../..');
const HOSTILE_NAME = `alice@example.com ${ANTHROPIC_API_KEY} /home/alice/secret-project`;
const HOSTILE_CWD = '/home/alice/secret-project';

function machine(root: string, i: number): { home: string; storage: string } {
  const home = path.join(root, `m${i}`, 'home');
  const storage = path.join(root, `m${i}`, 'storage');
  const claude = path.join(home, '.claude', 'projects', '-home-alice-secret-project');
  fs.mkdirSync(claude, { recursive: true });
  const line = (id: string, model: string, u: Record<string, number>) =>
    JSON.stringify({ type: 'assistant', uuid: `u-${i}-${id}`, timestamp: '2026-11-02T10:00:00.000Z', sessionId: `s${i}`, requestId: `req_${i}_${id}`, cwd: HOSTILE_CWD, message: { id: `msg_${i}_${id}`, type: 'message', role: 'assistant', model, usage: u } });
  const lines = [line('1', 'claude-sonnet-4-5-20250929', { input_tokens: 100 * i, output_tokens: 1000 * i, cache_read_input_tokens: 10_000 * i })];
  // A model name no label may carry (an e-mail): counted, under a hash.
  if (i === 3) lines.push(line('2', 'alice@example.com', { input_tokens: 7, output_tokens: 0 }));
  fs.writeFileSync(path.join(claude, 's.jsonl'), lines.join('\n') + '\n');

  fs.mkdirSync(path.join(storage, 'snapshots'), { recursive: true });
  const takenAt = Date.UTC(2026, 10, 2, 10);
  const snap = (id: string, meters: Snapshot['meters']): Snapshot => ({ accountId: id, takenAt, lastSuccessAt: takenAt, status: 'ok', meters, identity: HOSTILE_NAME });
  const copilot = snap(`cop${i}`, [
    { id: 'premium_interactions', label: 'Premium requests', kind: 'quota', unit: 'requests', used: 10 * i, limit: 300, remaining: 300 - 10 * i, percentUsed: (10 * i * 100) / 300, resetsAt: Date.UTC(2026, 11, 1), source: 'official', capturedAt: takenAt },
  ]);
  const openai = snap(`oai${i}`, [{ id: 'month_spend', label: 'Spend', kind: 'spend', unit: 'USD', used: 1.5 * i, period: 'month', source: 'official', capturedAt: takenAt }]);
  for (const s of [copilot, openai]) fs.writeFileSync(path.join(storage, 'snapshots', `${s.accountId}.json`), JSON.stringify({ version: 1, snapshot: s, schedule: { failures: 0 } }));
  fs.writeFileSync(path.join(storage, 'accounts.json'), JSON.stringify({ version: 1, accounts: [{ id: `cop${i}`, name: HOSTILE_NAME, providerId: 'copilot' }, { id: `oai${i}`, name: HOSTILE_NAME, providerId: 'openai' }] }));
  return { home, storage };
}

function runCli(m: { home: string; storage: string }, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--storage', m.storage, '--offline'], {
      env: { PATH: process.env.PATH ?? '', HOME: m.home, USERPROFILE: m.home, TZ: 'UTC', TOKSTAT_PRICES_URL: 'http://127.0.0.1:9/none' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

test('three machines push to a real Pushgateway; Prometheus answers the exact team totals; stop exporting deletes one group', { timeout: 120_000 }, async (t) => {
  if (!enginesPresent(t)) return;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-engines-'));
  const stack = new PromStack(path.join(root, 'engines'));
  try {
    await stack.start();
    const users = ['alice', 'bob@corp.example', 'carol'];
    const machines = [1, 2, 3].map((i) => machine(root, i));
    const results = await Promise.all(machines.map((m, k) => runCli(m, ['export', '--once', '--pushgateway', stack.gateway.url, '--user', users[k]!, '--team', 'core'])));
    for (const r of results) assert.equal(r.code, 0, r.err);

    // Every machine's group has been scraped once its drop counter (pushed with everything else) is in.
    await stack.waitFor('tokstat_export_dropped_total{job="tokstat"}', 3);

    const one = async (q: string) => {
      const r = await stack.query(q);
      assert.equal(r.length, 1, `${q}: ${JSON.stringify(r)}`);
      return r[0]!.value;
    };
    // Tokens: (100 + 1000 + 10 000) × (1 + 2 + 3), plus machine 3's 7 tokens of the e-mail-named model.
    assert.equal(await one('sum(tokstat_tokens_total)'), 11_100 * 6 + 7);
    const byType = Object.fromEntries((await stack.query('sum by (type) (tokstat_tokens_total)')).map((r) => [r.metric.type, r.value]));
    assert.deepEqual(byType, { input: 607, output: 6000, cache_read: 60_000 });
    // Cost at the bundled list price of claude-sonnet-4-5 ($3 in, $15 out, $0.30 cache read per million); the
    // unpriced model adds no cost series (unknown is not zero).
    const cost = await one('sum(tokstat_cost_usd_total)');
    assert.ok(Math.abs(cost - (6 * (100 * 3 + 1000 * 15 + 10_000 * 0.3)) / 1e6) < 1e-9, String(cost));
    assert.equal(await one('count(tokstat_cost_usd_total)'), 3);
    // Quotas per account and meter, API spend per provider.
    assert.equal(await one('sum(tokstat_quota_used{provider="copilot",meter="premium_interactions"})'), 60);
    assert.equal(await one('count(count by (account) (tokstat_quota_used_ratio{provider="copilot"}))'), 3);
    assert.equal(await one('max(tokstat_quota_used_ratio{provider="copilot"})'), 0.1);
    assert.equal(await one('min(tokstat_quota_reset_timestamp_seconds)'), Date.UTC(2026, 11, 1) / 1000);
    const spend = await stack.query('sum by (provider) (tokstat_api_spend{period="month"})');
    assert.deepEqual(spend.map((r) => [r.metric.provider, r.value]), [['openai', 9]]);
    // One series set per user and machine, all in team "core".
    assert.equal(await one('count(count by (user_id, instance) (tokstat_tokens_total{team="core"}))'), 3);

    // The documented queries (docs/team-export.md) and every panel of the Grafana dashboard run on this Prometheus.
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'team-export.md'), 'utf8');
    const documented = [...doc.matchAll(/```promql\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l.trim()));
    const dash = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'grafana', 'tokstat-team.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const panels = dash.panels.flatMap((p) => p.targets.map((x) => x.expr.replaceAll('$team', '.*').replaceAll('$__rate_interval', '1m')));
    assert.ok(documented.length >= 10 && panels.length >= 10);
    for (const q of [...documented, ...panels]) await stack.query(q);
    assert.ok(Math.abs((await one('sum({__name__=~"tokstat_cost_(usd|USD)_total"})')) - cost) < 1e-12);
    assert.equal(await one('count(time() - push_time_seconds{job="tokstat"} < 900)'), 3);
    assert.deepEqual(await stack.query('max by (provider, account, meter) (tokstat_quota_used_ratio) > 0.8'), []);

    // What left the machines: no account name, e-mail, key, path or project name anywhere on the gateway.
    const exposed = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    assert.match(exposed, /tokstat_tokens_total/);
    for (const bad of ['example.com', 'corp.example', 'sk-ant', '/home/', 'secret-project', 'alice', 'bob', 'carol']) {
      assert.ok(!exposed.includes(bad), `"${bad}" reached the Pushgateway`);
    }

    // "Stop exporting" on machine 1: its group is deleted (DELETE on the same grouping key the CLI pushed to).
    const id1 = fs.readFileSync(path.join(machines[0]!.storage, 'export', 'instance-id'), 'utf8').trim();
    const r1 = resolveExport({ target: 'pushgateway', endpoint: stack.gateway.url, userId: 'alice', team: 'core' }, {}, { instanceId: id1, version: 'dev' });
    const http = new UndiciHttpClient(nullLogger);
    try {
      await new PushgatewayTarget({ baseUrl: r1.url, grouping: r1.grouping, headers: {} }).remove(http, Date.now());
    } finally {
      await http.close();
    }
    const groups = (await (await fetch(`${stack.gateway.url}/api/v1/metrics`)).json()) as { data: Array<{ labels: Record<string, string> }> };
    const instances = groups.data.map((g) => g.labels.instance).sort();
    assert.equal(instances.length, 2);
    assert.ok(!instances.includes(id1));
  } finally {
    await stack.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the installed Prometheus has no OTLP receiver (it came in 2.47): the decoded-protobuf tests are the OTLP check', (t) => {
  if (!enginesPresent(t)) return;
  const help = spawnSync(PROMETHEUS, ['--help'], { encoding: 'utf8' });
  const text = `${help.stdout}${help.stderr}`;
  const version = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
  assert.match(text, /--enable-feature=/, 'prometheus --help lists its feature flags');
  assert.ok(
    !/otlp-write-receiver|web\.enable-otlp-receiver/.test(text),
    `this Prometheus (${`${version.stdout}${version.stderr}`.split('\n')[0]}) has an OTLP receiver: add an end-to-end OTLP test against /api/v1/otlp/v1/metrics`,
  );
});

test("the Prometheus scrape jobs in docs/team-export.md are valid for the installed Prometheus (promtool check config)", (t) => {
  if (!enginesPresent(t)) return;
  const promtool = path.join(path.dirname(PROMETHEUS), 'promtool');
  if (!fs.existsSync(promtool)) {
    if (IS_CI) assert.fail(`${promtool} missing (the prometheus package ships it)`);
    t.skip(`${promtool} missing`);
    return;
  }
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'team-export.md'), 'utf8');
  const jobs = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((y) => y.startsWith('scrape_configs:'));
  assert.equal(jobs.length, 2, 'the Collector scrape job and the Pushgateway scrape job');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-promtool-'));
  try {
    for (const [i, y] of jobs.entries()) {
      const file = path.join(dir, `scrape${i}.yml`);
      fs.writeFileSync(file, y);
      const r = spawnSync(promtool, ['check', 'config', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${y}\n${r.stdout}${r.stderr}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
