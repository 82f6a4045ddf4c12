// Spend across providers: per-day money from vendor buckets, spend meters and balances, the agents' cost, gathered
// into the 7-day / 30-day / 12-month view (stacked by provider, unknown kept unknown), its CSV and this month's total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMeter, type Meter } from '../../../src/shared/model';
import {
  agentSeries,
  buildSpendView,
  dailyFromBalance,
  dailyFromBuckets,
  dailyFromCumulative,
  mergeDays,
  moneyMeter,
  monthToDate,
  rangeBuckets,
  spendCsv,
  type SpendSeries,
} from '../../../src/features/spend/core/spend';

const H = 3_600_000;
const utcDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const T = (d: string, h = 12) => Date.parse(`${d}T00:00:00Z`) + h * H;
const m = (p: Partial<Meter> & Pick<Meter, 'id' | 'kind' | 'unit'>): Meter => makeMeter({ label: p.id, source: 'official', capturedAt: 0, ...p });

test('the money meter of an account: monthly spend first, then a lifetime total, a daily one, a balance; credits and tokens are not money', () => {
  const openrouter = [
    m({ id: 'usage-today', kind: 'spend', unit: 'USD', used: 1 }),
    m({ id: 'usage-month', kind: 'spend', unit: 'USD', used: 5 }),
    m({ id: 'usage-total', kind: 'spend', unit: 'USD', used: 50 }),
    m({ id: 'balance', kind: 'balance', unit: 'USD', remaining: 10 }),
  ];
  assert.deepEqual(moneyMeter(openrouter)?.meter.id, 'usage-month');
  assert.equal(moneyMeter(openrouter)?.windowed, true);
  assert.equal(moneyMeter(openrouter.filter((x) => x.id !== 'usage-month'))?.meter.id, 'usage-total');
  assert.equal(moneyMeter(openrouter.filter((x) => x.id !== 'usage-month'))?.windowed, false);
  assert.equal(moneyMeter([openrouter[0]!])?.windowed, true);
  assert.deepEqual(moneyMeter([openrouter[3]!]), { meter: openrouter[3], kind: 'burn', windowed: false });
  assert.equal(moneyMeter([m({ id: 'credits', kind: 'credits', unit: 'credits', remaining: 3 }), m({ id: 'tokens-month', kind: 'quota', unit: 'tokens', used: 9 })]), undefined);
  assert.equal(moneyMeter([m({ id: 'balance', kind: 'balance', unit: 'CNY', remaining: 3 })])?.kind, 'burn');
});

test('a monthly spend meter: its first reading was spent that month, increases on their day, a drop is a new month', () => {
  const r = dailyFromCumulative(
    [
      { t: T('2026-01-30'), v: 40 },
      { t: T('2026-01-30', 18), v: 42.5 },
      { t: T('2026-01-31'), v: 45 },
      { t: T('2026-02-01'), v: 3 },
      { t: T('2026-02-01', 20), v: 3 },
      { t: T('2026-02-02'), v: 10 },
    ],
    true,
    utcDay,
  );
  assert.deepEqual(r, { days: { '2026-01-30': 42.5, '2026-01-31': 2.5, '2026-02-01': 3, '2026-02-02': 7 }, from: '2026-01-30', to: '2026-02-02' });
  const lifetime = dailyFromCumulative([{ t: T('2026-02-01'), v: 500 }, { t: T('2026-02-02'), v: 512 }], false, utcDay);
  assert.deepEqual(lifetime?.days, { '2026-02-02': 12 }, 'what a lifetime total held before tokstat saw it is not this range\'s spend');
  assert.equal(dailyFromCumulative([], true), undefined);
});

test('a balance: decreases are spend, increases are top-ups (never spend)', () => {
  const r = dailyFromBalance([{ t: T('2026-02-01'), v: 20 }, { t: T('2026-02-01', 15), v: 18 }, { t: T('2026-02-02'), v: 48 }, { t: T('2026-02-03'), v: 45.5 }], utcDay);
  assert.deepEqual(r, { days: { '2026-02-01': 2, '2026-02-03': 2.5 }, topUps: { '2026-02-02': 30 }, from: '2026-02-01', to: '2026-02-03' });
});

test('vendor buckets stay days; a newer report of a day replaces the stored one; USD is the series\' currency', () => {
  const merged = mergeDays(
    [{ day: '2026-02-01', amount: 1, currency: 'USD' }, { day: '2026-02-02', amount: 2, currency: 'USD' }],
    [{ day: '2026-02-02', amount: 2.5, currency: 'USD' }, { day: '2026-02-03', amount: 4, currency: 'USD' }, { day: 'bad', amount: 1, currency: 'USD' }, { day: '2026-02-03', amount: 9, currency: 'EUR' }],
  );
  assert.equal(merged.length, 4);
  const s = dailyFromBuckets(merged);
  assert.deepEqual(s, { days: { '2026-02-01': 1, '2026-02-02': 2.5, '2026-02-03': 4 }, from: '2026-02-01', to: '2026-02-03', currency: 'USD' });
  assert.equal(mergeDays([], Array.from({ length: 30 }, (_, i) => ({ day: `2026-01-${String(i + 1).padStart(2, '0')}`, amount: i, currency: 'USD' })), 5).length, 10, 'bounded');
});

test('ranges: 7 and 30 days ending today, 12 months ending this month', () => {
  assert.deepEqual(rangeBuckets('7d', '2026-03-02').buckets, ['2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  assert.equal(rangeBuckets('30d', '2026-03-02').buckets.length, 30);
  const y = rangeBuckets('12m', '2026-03-02');
  assert.equal(y.unit, 'month');
  assert.deepEqual([y.buckets[0], y.buckets[11]], ['2025-04', '2026-03']);
});

const series = (p: Partial<SpendSeries> & Pick<SpendSeries, 'id' | 'provider' | 'days' | 'from' | 'to'>): SpendSeries => ({ label: p.id, kind: 'spend', currency: 'USD', ...p });

test('the view: stacked by provider, unknown before a source was seen, other currencies apart', () => {
  const all = [
    series({ id: 'oa', provider: 'OpenAI', kind: 'vendor', days: { '2026-02-04': 3, '2026-02-06': 1 }, from: '2026-02-01', to: '2026-02-06' }),
    series({ id: 'or1', provider: 'OpenRouter', days: { '2026-02-05': 2 }, from: '2026-02-05', to: '2026-02-07' }),
    series({ id: 'or2', provider: 'OpenRouter', days: { '2026-02-07': 0.5 }, from: '2026-02-07', to: '2026-02-07' }),
    series({ id: 'ds', provider: 'DeepSeek', kind: 'burn', currency: 'CNY', days: { '2026-02-06': 7 }, topUps: { '2026-02-05': 50 }, from: '2026-02-01', to: '2026-02-07' }),
    series({ id: 'agent:claude-code', provider: 'Claude Code (API-equivalent)', kind: 'agent', days: { '2026-02-07': 4 }, from: '2026-01-10', to: '2026-02-07' }),
  ];
  const v = buildSpendView(all, '7d', 0, '2026-02-07');
  assert.equal(v.currency, 'USD');
  assert.deepEqual(v.buckets, ['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06', '2026-02-07']);
  assert.deepEqual(v.stacks.map((s) => [s.provider, s.total]), [['Claude Code (API-equivalent)', 4], ['OpenAI', 4], ['OpenRouter', 2.5]]);
  const or = v.stacks.find((s) => s.provider === 'OpenRouter')!;
  assert.deepEqual(or.values, [null, null, null, null, 2, 0, 0.5], 'before OpenRouter was seen its spend is unknown, not 0');
  const oa = v.rows.find((r) => r.id === 'oa')!;
  assert.deepEqual(oa.values, [0, 0, 0, 3, 0, 1, null], 'after the last vendor bucket: unknown');
  assert.deepEqual(v.totals, [0, 0, 0, 3, 2, 1, 4.5]);
  assert.equal(v.total, 10.5);
  assert.deepEqual(v.otherCurrencies, [{ currency: 'CNY', total: 7 }]);
  const ds = v.rows.find((r) => r.id === 'ds')!;
  assert.equal(ds.topUps, 50, 'a top-up is listed, not spent');
  assert.equal(v.rows[v.rows.length - 1]!.id, 'ds', 'rows in another currency come last');

  const year = buildSpendView(all, '12m', 0, '2026-02-07');
  assert.deepEqual(year.totals.slice(-2), [0, 10.5], 'January: the agent was seen (0 spent); February sums its days');
  assert.deepEqual(year.totals.slice(0, 2), [null, null], 'months before any source: unknown');
  assert.equal(buildSpendView([], '30d', 0, '2026-02-07').total, null, 'nothing reports money: unknown, not $0');
});

test('CSV: one line per source and bucket with a known amount; names that look like formulas are defused', () => {
  const v = buildSpendView([series({ id: 'x', label: '=cmd|evil', provider: 'OpenRouter', days: { '2026-02-07': 1.25 }, from: '2026-02-06', to: '2026-02-07' })], '7d', 0, '2026-02-07');
  assert.equal(spendCsv(v), 'day,provider,source,kind,currency,amount\r\n2026-02-06,OpenRouter,\'=cmd|evil,spend,USD,0\r\n2026-02-07,OpenRouter,\'=cmd|evil,spend,USD,1.25\r\n');
});

test('this month\'s total per currency, and the agents\' series (attributed to an account where its home tells)', () => {
  const rows = [
    { day: '2026-02-01', agent: 'claude-code', sessionId: 's-work', costUSD: 2 },
    { day: '2026-02-02', agent: 'claude-code', sessionId: 's-home', costUSD: 3 },
    { day: '2026-01-20', agent: 'codex', sessionId: 'c1', costUSD: 1 },
    { day: '2026-02-02', agent: 'api', sessionId: '', costUSD: 100 },
  ];
  const agents = agentSeries(rows, { 'claude-code': 'Claude Code', codex: 'Codex' }, '2026-02-07', (agent, sid) => (agent === 'claude-code' && sid === 's-work' ? { id: 'acc1', label: 'work' } : undefined));
  assert.deepEqual(
    agents.map((s) => [s.id, s.label, s.provider, s.from, s.to, s.days]),
    [
      ['agent:claude-code:acc1', 'Claude Code · work', 'Claude Code (API-equivalent)', '2026-02-01', '2026-02-07', { '2026-02-01': 2 }],
      ['agent:claude-code', 'Claude Code', 'Claude Code (API-equivalent)', '2026-02-02', '2026-02-07', { '2026-02-02': 3 }],
      ['agent:codex', 'Codex', 'Codex (API-equivalent)', '2026-01-20', '2026-02-07', { '2026-01-20': 1 }],
    ],
  );
  const month = monthToDate([...agents, series({ id: 'ds', provider: 'DeepSeek', currency: 'CNY', days: { '2026-02-03': 7 }, from: '2026-02-01', to: '2026-02-07' })], '2026-02-07');
  assert.deepEqual(month, [
    { currency: 'USD', amount: 5, sources: 3 },
    { currency: 'CNY', amount: 7, sources: 1 },
  ]);
});
