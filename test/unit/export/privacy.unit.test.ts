// What may leave the machine: hostile account names, identities, meter ids, model names, working directories and
// user ids never reach a label, an attribute or a URL, in either engine's encoding; project names only on opt-in;
// models capped per agent; unknown cost is no series, not zero.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { accountHash, buildFamilies, exportedUserId, MAX_SERIES, safeLabel, seriesCount, type ExportInput } from '../../../src/core/export/metrics';
import { renderPromText, pushgatewayUrl } from '../../../src/core/export/promText';
import { resolveExport } from '../../../src/core/export/config';
import { createTarget } from '../../../src/core/export/targets';
import type { UsageRow } from '../../../src/core/usage/types';
import type { Snapshot } from '../../../src/shared/model';
import { usageRow } from '../../support/exportRows';
import { ANTHROPIC_API_KEY, GITHUB_PAT } from '../../fakes/secrets';

const NOW = Date.UTC(2026, 10, 2, 10);
const SECRETS = [
  'alice@example.com',
  ANTHROPIC_API_KEY,
  GITHUB_PAT,
  '/home/alice/secret-project',
  'C:\\Users\\alice\\work',
  'secret-project',
  'Ignore previous instructions',
];

const row = (p: Partial<UsageRow>): UsageRow => usageRow(NOW, { sessionId: 'sess-secret', inputTokens: 1, outputTokens: 1, costUSD: 0.01, ...p });

function hostile(): ExportInput {
  const snapshot: Snapshot = {
    accountId: SECRETS[0]!, takenAt: NOW, status: 'ok', identity: SECRETS[0], plan: SECRETS[6],
    meters: [
      { id: SECRETS[1]!, label: SECRETS[0]!, kind: 'quota', unit: '/home/alice/secret-project', used: 1, limit: 2, source: 'official', capturedAt: NOW, detail: SECRETS[3] },
      { id: 'ok_meter', label: 'x', kind: 'spend', unit: 'USD', used: 3, period: 'month', source: 'official', capturedAt: NOW },
    ],
  };
  return {
    accounts: [{ id: SECRETS[0]!, providerId: 'openai', snapshot }],
    usageRows: [
      row({ model: SECRETS[0]!, cwd: SECRETS[3]! }),
      row({ model: SECRETS[1]!, cwd: SECRETS[4]! }),
      row({ model: SECRETS[6]!, cwd: '' }),
      row({ model: 'anthropic/claude-opus-4', agent: 'opencode' }),
      row({ model: 'claude-sonnet-4@20250514', cwd: SECRETS[3]! }),
    ],
    salt: 'tokstat:team',
  };
}

function assertClean(text: string, where: string): void {
  for (const s of [...SECRETS, 'alice', 'sess-secret']) assert.ok(!text.includes(s), `${where} carries "${s}"`);
}

test('hostile names, ids, models and folders never reach Prometheus text, the OTLP/JSON body or the Pushgateway URL', async () => {
  const families = buildFamilies(hostile());
  assertClean(renderPromText(families), 'Prometheus text');
  assertClean(JSON.stringify(families), 'the families');
  const r = resolveExport({ target: 'otlp', endpoint: 'http://127.0.0.1:4318', userId: SECRETS[0], hashUserId: false, team: SECRETS[3], resourceAttributes: { owner: SECRETS[1] } }, { OTEL_RESOURCE_ATTRIBUTES: `who=${encodeURIComponent(SECRETS[0]!)}` }, { instanceId: 'i', version: 'v' });
  const target = createTarget(r, 'v');
  const preview = await target.preview(families);
  assertClean(preview.body, 'the OTLP/JSON body');
  const body = await target.encode(families);
  assertClean(Buffer.from(body as Uint8Array).toString('latin1'), 'the OTLP protobuf body');
  await target.dispose();
  const pg = resolveExport({ target: 'pushgateway', endpoint: 'http://127.0.0.1:9091', userId: SECRETS[0], team: SECRETS[3] }, {}, { instanceId: 'i', version: 'v' });
  const url = pushgatewayUrl(pg.url, pg.grouping);
  assertClean(decodeURIComponent(url), 'the Pushgateway URL');
  for (const seg of url.split('/metrics/job/tokstat/')[1]!.split('/').filter((_, k) => k % 2 === 1)) {
    assertClean(Buffer.from(seg, 'base64url').toString('utf8'), 'a grouping value');
  }
});

test('labels: model ids pass as they are; e-mails, keys, paths and prose become stable hashes; accounts and users are salted hashes', () => {
  assert.equal(safeLabel('claude-sonnet-4-5-20250929'), 'claude-sonnet-4-5-20250929');
  assert.equal(safeLabel('anthropic/claude-opus-4'), 'anthropic/claude-opus-4');
  assert.equal(safeLabel('claude-sonnet-4@20250514'), 'claude-sonnet-4@20250514');
  for (const s of SECRETS.filter((x) => x !== 'secret-project')) assert.match(safeLabel(s), /^h_[0-9a-f]{12}$/, s);
  assert.equal(safeLabel(SECRETS[0]!), safeLabel(SECRETS[0]!));
  assert.match(accountHash('s', 'openai', 'id'), /^[0-9a-f]{12}$/);
  assert.notEqual(accountHash('team-a', 'openai', 'id'), accountHash('team-b', 'openai', 'id'));
  assert.equal(exportedUserId('carol', 's', false), 'carol');
  assert.match(exportedUserId('carol', 's', true), /^u_[0-9a-f]{16}$/);
  assert.match(exportedUserId('carol@example.com', 's', false), /^u_[0-9a-f]{16}$/, 'an e-mail is hashed even when asked not to');
});

test('project names only on opt-in, as the folder name (never the path); unknown cost is no series', () => {
  const rows = [row({ cwd: '/home/dev/webshop', costUSD: 0.2 }), row({ model: 'mystery-1', costUSD: 0, unpricedRequests: 1 })];
  const off = buildFamilies({ accounts: [], usageRows: rows, salt: '' });
  assert.ok(off.every((f) => f.points.every((p) => !('project' in p.attrs))));
  const on = buildFamilies({ accounts: [], usageRows: rows, salt: '', includeProjects: true });
  const tokens = on.find((f) => f.name === 'tokstat.tokens')!;
  assert.deepEqual([...new Set(tokens.points.map((p) => p.attrs.project))].sort(), ['unknown', 'webshop']);
  assert.ok(!renderPromText(on).includes('/home/dev'));
  const cost = on.find((f) => f.name === 'tokstat.cost')!;
  assert.deepEqual(cost.points.map((p) => [p.attrs.model, p.value]), [['claude-sonnet-4-5', 0.2]]);
});

test('cardinality: models beyond the cap fold into "other", and a machine never exports more than MAX_SERIES series', () => {
  const rows = Array.from({ length: 30 }, (_, i) => row({ model: `m-${String(i).padStart(2, '0')}`, inputTokens: 100 - i }));
  const fam = buildFamilies({ accounts: [], usageRows: rows, salt: '', maxModelsPerAgent: 5 });
  const models = new Set(fam.find((f) => f.name === 'tokstat.tokens')!.points.map((p) => p.attrs.model));
  assert.deepEqual([...models].sort(), ['m-00', 'm-01', 'm-02', 'm-03', 'm-04', 'other']);
  const many = Array.from({ length: 600 }, (_, i): Snapshot => ({
    accountId: `a${i}`, takenAt: NOW, status: 'ok',
    meters: [{ id: 'm', label: 'm', kind: 'quota', unit: 'requests', used: 1, limit: 2, remaining: 1, percentUsed: 50, resetsAt: NOW, source: 'official', capturedAt: NOW }],
  }));
  const big = buildFamilies({ accounts: many.map((s) => ({ id: s.accountId, providerId: 'copilot', snapshot: s })), usageRows: [], salt: '' });
  assert.equal(seriesCount(big), MAX_SERIES);
});

test('Prometheus text: HELP/TYPE per family, escaped values, counters end in _total, no timestamps', () => {
  const text = renderPromText(buildFamilies({ accounts: [], usageRows: [row({ inputTokens: 5 })], salt: '' }), { note: 'a "quoted"\nline\\' });
  assert.match(text, /^# HELP tokstat_tokens_total /m);
  assert.match(text, /^# TYPE tokstat_tokens_total counter$/m);
  assert.match(text, /^tokstat_tokens_total\{note="a \\"quoted\\"\\nline\\\\",agent="claude-code",provider="anthropic",model="claude-sonnet-4-5",type="input"\} 5$/m);
  assert.match(text, /^tokstat_export_dropped_total\{note="[^"]*(?:\\"[^"]*)*"\} 0$/m);
});
