// parseTs reads the agents' own timestamp shape without Date.parse: it must say exactly what Date.parse says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTs } from '../../../src/core/usage/parsers/shared';

const viaDateParse = (s: string) => {
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
};

test('parseTs: the agents\' ISO shape, its edges and near misses, as Date.parse reads them', () => {
  const samples = [
    '2026-03-01T08:00:00.000Z', '2026-12-31T23:59:59.999Z', '2026-01-01T00:00:00Z', '2024-02-29T10:00:00.000Z', '2026-02-31T00:00:00.000Z',
    '2026-04-31T12:00:00.500Z', '1000-01-01T00:00:00.000Z', '0999-12-31T23:59:59.000Z', '0099-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z',
    '2026-01-01T24:00:00.000Z', '2026-01-01T23:60:00.000Z', '2026-01-01T23:59:60.000Z', '2026-13-01T00:00:00.000Z', '2026-00-01T00:00:00.000Z',
    '2026-01-00T00:00:00.000Z', '2026-01-32T00:00:00.000Z', '2026-01-01T00:00:00.123456Z', '2026-01-01T00:00:00.12Z', '2026-01-01 00:00:00.000Z',
    '2026-01-01T00:00:00.000z', '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00+02:00', '2026-01-01T00:00:00.000', '+002026-01-01T00:00:00.000Z',
    '2026-1-01T00:00:00.000Z', '2026-01-01T0a:00:00.000Z', '2026-01-01T00:00:00,000Z', '2026-01-01T00:00:00.00aZ', '2026/01/01T00:00:00.000Z',
    '２０２６-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000ZZ', '', 'Z', 'not a date', 'Mon, 01 Jan 2026 00:00:00 GMT', '2026-01-01',
  ];
  // And every field of the shape through its range edges, with a random walk over the rest.
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const pad = (v: number, w: number) => String(v).padStart(w, '0');
  for (let i = 0; i < 5000; i++) {
    const y = [999, 1000, 1970, 2026, 9999][rnd(5)]!;
    const s = `${pad(y, 4)}-${pad(rnd(14), 2)}-${pad(rnd(33), 2)}T${pad(rnd(26), 2)}:${pad(rnd(62), 2)}:${pad(rnd(62), 2)}`;
    samples.push(`${s}.${pad(rnd(1000), 3)}Z`, `${s}Z`);
  }
  let fast = 0;
  for (const s of samples) {
    assert.equal(parseTs(s), viaDateParse(s), JSON.stringify(s));
    if (viaDateParse(s) !== undefined) fast++;
  }
  assert.ok(fast > 2000, `${fast} valid samples`);
  assert.equal(parseTs(1_700_000_000), 1_700_000_000_000);
  assert.equal(parseTs(1_700_000_000_123), 1_700_000_000_123);
  assert.equal(parseTs(Number.NaN), undefined);
  assert.equal(parseTs(null), undefined);
});
