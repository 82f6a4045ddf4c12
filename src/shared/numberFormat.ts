// en-US number formatting without Intl, for the host and the dashboard alike. The dashboard's first render must not
// build an Intl object: the first one a webview process builds costs 40–60 ms (ICU's start-up, measured in headless
// Chromium on the CI machines). The output equals `new Intl.NumberFormat('en-US', …).format(x)` for the options
// below (test/unit/core/numberFormat.unit.test.ts compares them on many values): V8 formats the shortest decimal
// that round-trips (what `String(x)` prints) and rounds it half away from zero, with `,` grouping.

/**
 * `x` with at least `minFrac` and at most `maxFrac` fraction digits, grouped: Intl's
 * `{ minimumFractionDigits: minFrac, maximumFractionDigits: maxFrac }` in en-US. Non-finite values print as Intl
 * does ("∞", "-∞", "NaN").
 */
export function formatFixed(x: number, minFrac: number, maxFrac: number): string {
  if (Number.isNaN(x)) return 'NaN';
  const neg = x < 0 || Object.is(x, -0);
  if (!Number.isFinite(x)) return neg ? '-∞' : '∞';
  // The shortest round-trip digits of |x| and where the decimal point goes: "1.25e-7" → digits "125", point -6.
  const s = String(Math.abs(x));
  const e = s.indexOf('e');
  const mantissa = e >= 0 ? s.slice(0, e) : s;
  const dot = mantissa.indexOf('.');
  let digits = dot >= 0 ? mantissa.slice(0, dot) + mantissa.slice(dot + 1) : mantissa;
  let point = (dot >= 0 ? dot : mantissa.length) + (e >= 0 ? Number(s.slice(e + 1)) : 0);
  if (point < 1) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (digits.length < point) digits += '0'.repeat(point - digits.length);
  // Round half away from zero at maxFrac digits.
  const keep = point + maxFrac;
  if (digits.length > keep) {
    const up = digits.charCodeAt(keep) >= 53; /* '5' */
    digits = digits.slice(0, keep);
    if (up) {
      let i = keep - 1;
      let out = '';
      while (i >= 0 && digits[i] === '9') {
        out = '0' + out;
        i--;
      }
      if (i < 0) {
        digits = '1' + out;
        point++;
      } else {
        digits = digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + out;
      }
    }
  }
  let int = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  let frac = digits.slice(point);
  let end = frac.length;
  while (end > minFrac && frac.charCodeAt(end - 1) === 48 /* '0' */) end--;
  frac = frac.slice(0, end);
  if (frac.length < minFrac) frac += '0'.repeat(minFrac - frac.length);
  if (int.length > 3) int = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** An integer count, grouped: "1,234" (Intl's default en-US format of an integer). */
export function formatCount(n: number): string {
  return formatFixed(n, 0, 3);
}

const COMPACT: ReadonlyArray<readonly [number, string]> = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/**
 * Short axis values: "950", "1.2K", "3M", "1.5B" — Intl's en-US `{ notation: 'compact', maximumFractionDigits: 1 }`
 * (a value that rounds up to the next unit takes it: 999,960 → "1M"; compact notation groups only from five integer
 * digits on: "1000T", "12,345T").
 */
export function formatCompact(x: number): string {
  return compact(x).replace(/^(-?\d),(\d{3})(?!,)(?=\D|$)/, '$1$2');
}

function compact(x: number): string {
  if (!Number.isFinite(x)) return formatFixed(x, 0, 0);
  const abs = Math.abs(x);
  for (let i = 0; i < COMPACT.length; i++) {
    const [size, suffix] = COMPACT[i]!;
    if (abs < size) continue;
    const text = formatFixed(x / size, 0, 1);
    // "1,000K" is "1M": rounding reached the next unit.
    if (i > 0 && Math.abs(Number(text.replace(/,/g, ''))) >= 1000) return `${formatFixed(Math.sign(x) * (abs / COMPACT[i - 1]![0]), 0, 1)}${COMPACT[i - 1]![1]}`;
    return `${text}${suffix}`;
  }
  const text = formatFixed(x, 0, 1);
  return text.replace(/^-/, '') === '1,000' ? `${x < 0 ? '-' : ''}1K` : text;
}
