// The Intl-free number formats (src/shared/numberFormat.ts) against Intl.NumberFormat('en-US') itself, on edge cases
// and on many seeded random values across magnitudes: they promise the same output, so any difference is a bug.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCompact, formatCount, formatFixed } from '../../../src/shared/numberFormat';

/** Deterministic values: mixed magnitudes (1e-9 … 1e16), both signs, exact halves and long runs of 9s. */
function* values(seed: number, n: number): Generator<number> {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    const sign = rnd() < 0.3 ? -1 : 1;
    const mag = 10 ** Math.floor(rnd() * 26 - 9);
    switch (i % 5) {
      case 0:
        yield sign * rnd() * mag;
        break;
      case 1: // values that sit on a rounding boundary: x.xx5, x.x5
        yield sign * (Math.floor(rnd() * 100_000) + 0.5) / 10 ** Math.floor(rnd() * 5);
        break;
      case 2: // 9s that carry into a new digit or group
        yield sign * (10 ** Math.floor(rnd() * 12) - 10 ** -Math.floor(rnd() * 6) / 2);
        break;
      case 3:
        yield sign * Math.round(rnd() * mag);
        break;
      default:
        yield sign * Math.round(rnd() * 1e6) / 100;
    }
  }
}

const EDGES = [0, -0, 1, -1, 0.5, 1.5, 2.5, 0.005, 0.015, 0.125, 0.0001, 0.00005, 999.995, 999.9949, 9.995, 99_999.95, 1e21, 1.5e22, 1e-7, 2.5e-8, 123_456_789.125, Number.MAX_SAFE_INTEGER, 5e-324, 1.7976931348623157e308, Infinity, -Infinity, NaN];
const FRACTIONS: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [0, 1],
  [0, 2],
  [0, 3],
  [2, 2],
  [2, 4],
  [1, 6],
];

test('formatFixed equals Intl en-US for every fraction-digit pair the views use, on edges and 20,000 values each', () => {
  for (const [min, max] of FRACTIONS) {
    const intl = new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });
    const mismatches: string[] = [];
    for (const x of [...EDGES, ...values(min * 31 + max, 20_000)]) {
      const want = intl.format(x);
      const got = formatFixed(x, min, max);
      if (got !== want && mismatches.length < 5) mismatches.push(`${x}: ${got} ≠ ${want}`);
    }
    assert.deepEqual(mismatches, [], `fraction digits ${min}..${max}`);
  }
});

test('formatFixed on known strings (so a broken Intl on some machine cannot hide a bug)', () => {
  assert.equal(formatFixed(1234567.891, 2, 2), '1,234,567.89');
  assert.equal(formatFixed(0.125, 2, 2), '0.13');
  assert.equal(formatFixed(-0.125, 2, 2), '-0.13');
  assert.equal(formatFixed(999.995, 2, 2), '1,000.00');
  assert.equal(formatFixed(0.00042, 2, 4), '0.0004');
  assert.equal(formatFixed(3, 2, 4), '3.00');
  assert.equal(formatFixed(1e21, 0, 0), '1,000,000,000,000,000,000,000');
  assert.equal(formatFixed(1.25e-7, 0, 9), '0.000000125');
  assert.equal(formatFixed(Infinity, 0, 2), '∞');
  assert.equal(formatFixed(-Infinity, 0, 2), '-∞');
  assert.equal(formatFixed(NaN, 0, 2), 'NaN');
  assert.equal(formatCount(1234), '1,234');
  assert.equal(formatCount(0), '0');
});

test('formatCompact equals Intl en-US compact notation (1 fraction digit), on edges and 50,000 values', () => {
  const intl = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  const mismatches: string[] = [];
  const edges = [...EDGES.filter((x) => Math.abs(x) < 1e300), 950, 999.9, 999.96, 1000, 1049, 1050, 1250, 99_950, 999_949, 999_950, 999_999, 1e6, 1.25e9, 999.95e9, 1e12, 1e15, 12_345e12, 1e20];
  for (const x of [...edges, ...values(7, 50_000)]) {
    const want = intl.format(x);
    const got = formatCompact(x);
    if (got !== want && mismatches.length < 5) mismatches.push(`${x}: ${got} ≠ ${want}`);
  }
  assert.deepEqual(mismatches, []);
  assert.equal(formatCompact(1250), '1.3K');
  assert.equal(formatCompact(999_960), '1M');
  assert.equal(formatCompact(-3_000_000), '-3M');
  assert.equal(formatCompact(12), '12');
});
