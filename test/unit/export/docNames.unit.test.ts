// The team dashboard (docs/grafana/tokstat-team.json) and the PromQL queries (docs/team-export.md) use only names
// tokstat's exporter emits: every tokstat_* metric name, every `__name__=~` pattern, and every label they group or
// filter by. The names come from what the exporter actually renders for a machine that has every kind of figure, not
// from a hand-kept list, so renaming a metric or a label without the docs fails here (the engine test, which runs the
// same queries on a real Prometheus, only proves they parse: a misspelt name there is an empty answer, not an error).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildFamilies, FAMILY_SPECS } from '../../../src/core/export/metrics';
import { renderPromText } from '../../../src/core/export/promText';
import { resolveExport } from '../../../src/core/export/config';
import { usageRow } from '../../support/exportRows';
import type { Meter, Snapshot } from '../../../src/shared/model';

const ROOT = path.resolve(__dirname, '../../../..');
const NOW = Date.UTC(2026, 10, 2, 10);

/** Names that are not tokstat's but that the docs rightly use: the Pushgateway's own and Claude Code's own. */
const FOREIGN = new Set(['push_time_seconds', 'claude_code_cost_usage_USD_total']);
/** Labels Prometheus or the Pushgateway add, and the grouping key of a machine (config.ts). */
const ADDED_LABELS = new Set(['job', 'instance', '__name__']);

function emitted(): { names: Set<string>; labels: Set<string> } {
  const meter = (m: Partial<Meter> & Pick<Meter, 'id' | 'kind' | 'unit'>): Meter => ({ label: m.id, source: 'official', capturedAt: NOW, ...m }) as Meter;
  const snapshot: Snapshot = {
    accountId: 'a1', takenAt: NOW, status: 'ok',
    meters: [
      meter({ id: 'five_hour', kind: 'quota', unit: '%', used: 42, limit: 100, remaining: 58, percentUsed: 42, resetsAt: NOW + 3_600_000 }),
      meter({ id: 'month_spend', kind: 'spend', unit: 'USD', used: 12.5, period: 'month' }),
      meter({ id: 'credits', kind: 'balance', unit: 'USD', remaining: 40 }),
    ],
  };
  const row = usageRow(NOW, { cwd: '/home/dev/app', inputTokens: 100, outputTokens: 50, cacheReadTokens: 1000, cacheWrite1hTokens: 20, reasoningTokens: 5, costUSD: 0.5 });
  const families = buildFamilies({ accounts: [{ id: 'a1', providerId: 'openai', snapshot }], usageRows: [row], salt: 'core', includeProjects: true, dropped: 0 });
  const text = renderPromText(families);
  const names = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const labels = new Set([...text.matchAll(/[{,]([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((m) => m[1]!));
  // The machine's labels: the Pushgateway grouping key, which the Collector path gives as resource attributes.
  const r = resolveExport({ target: 'pushgateway', endpoint: 'http://127.0.0.1:9091', userId: 'alice', team: 'core' }, {}, { instanceId: 'i', version: 'v' });
  for (const k of Object.keys(r.grouping)) labels.add(k);
  return { names, labels };
}

function docQueries(): Array<{ where: string; expr: string }> {
  const md = fs.readFileSync(path.join(ROOT, 'docs', 'team-export.md'), 'utf8');
  const fromMd = [...md.matchAll(/```promql\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l.trim()).map((expr) => ({ where: 'docs/team-export.md', expr })));
  // Inline PromQL in the prose, e.g. `sum(increase(…[1d]))`.
  const inline = [...md.matchAll(/`([^`\n]*\btokstat_[^`\n]*)`/g)].map((m) => ({ where: 'docs/team-export.md (prose)', expr: m[1]! }));
  const dash = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'grafana', 'tokstat-team.json'), 'utf8')) as unknown;
  const fromDash: Array<{ where: string; expr: string }> = [];
  const walk = (v: unknown, at: string) => {
    if (typeof v === 'string') {
      if (/tokstat_|__name__/.test(v)) fromDash.push({ where: `tokstat-team.json ${at}`, expr: v });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  walk(dash, '');
  return [...fromMd, ...inline, ...fromDash];
}

test('every metric name in the Grafana dashboard and the PromQL doc is one the exporter emits', () => {
  const { names } = emitted();
  assert.deepEqual([...names].sort(), FAMILY_SPECS.map((f) => f.prom).sort(), 'the sample machine emits every family');
  const queries = docQueries();
  assert.ok(queries.filter((q) => q.where.startsWith('docs/team-export.md')).length >= 10, 'the doc has its queries');
  assert.ok(queries.filter((q) => q.where.startsWith('tokstat-team.json')).length >= 10, 'the dashboard has its queries');
  // The Collector spells the cost counter with its unit (tokstat.cost, unit USD → tokstat_cost_USD_total).
  const viaCollector = new Set([...names].map((n) => (n === 'tokstat_cost_usd_total' ? 'tokstat_cost_USD_total' : n)));
  const used = new Set<string>();
  for (const { where, expr } of queries) {
    let rest = expr;
    for (const m of expr.matchAll(/__name__\s*=~\s*"([^"]+)"/g)) {
      const re = new RegExp(`^(?:${m[1]!})$`);
      const hits = [...names, ...viaCollector].filter((n) => re.test(n));
      assert.ok(hits.length > 0, `${where}: __name__=~"${m[1]}" matches no exported metric`);
      hits.forEach((h) => used.add(h));
      rest = rest.replace(m[0], '');
    }
    for (const m of rest.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*_(?:total|seconds|ratio|used|limit|remaining|spend|balance)\b|\btokstat_[a-zA-Z0-9_]+/g)) {
      const name = m[0];
      if (FOREIGN.has(name)) continue;
      assert.ok(names.has(name) || viaCollector.has(name), `${where}: "${name}" is not a metric tokstat exports (${expr})`);
      used.add(name);
    }
  }
  // And the docs cover what is exported (the quota limit is in the README table; the rest has a query or a panel).
  const unused = [...names].filter((n) => !used.has(n) && n !== 'tokstat_quota_limit' && n !== 'tokstat_quota_used');
  assert.deepEqual(unused, [], 'exported metrics no query or panel shows');
});

test('every label the dashboard and the queries group or filter by is one the exporter sets', () => {
  const { labels } = emitted();
  for (const { where, expr } of docQueries()) {
    const grouped = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter(Boolean));
    const matched = [...expr.matchAll(/[{,]\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1]!);
    // label_values(metric, label) in the dashboard's variables.
    const valued = [...expr.matchAll(/label_values\(\s*[^,]+,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)/g)].map((m) => m[1]!);
    for (const l of [...grouped, ...matched, ...valued]) {
      assert.ok(labels.has(l) || ADDED_LABELS.has(l), `${where}: label "${l}" is not one tokstat exports (${expr})`);
    }
  }
});
