// Number formatting without Intl, for the host and the dashboard alike, in the user's locale (`currentLocale()`,
// which the host sets from vscode.env.language and hands the webview). The dashboard's first render must not
// build an Intl object: the first one a webview process builds costs 40–60 ms (ICU's start-up, measured in headless
// Chromium on the CI machines). The digits equal `new Intl.NumberFormat('en-US', …).format(x)` for the options
// below (test/unit/core/numberFormat.unit.test.ts compares them on many values): V8 formats the shortest decimal
// that round-trips (what `String(x)` prints) and rounds it half away from zero; the separators then follow the
// locale from a table of common languages (an Intl object is built, once, only for a language the table lacks).
import { currentLocale } from './l10n';

interface Separators {
  group: string;
  decimal: string;
  /** Group only from five integer digits on ("1234" but "12 345"), as Spanish and Polish do. */
  minGroup2?: boolean;
}

const EN: Separators = { group: ',', decimal: '.' };
const DOT_COMMA: Separators = { group: '.', decimal: ',' };
const NBSP_COMMA: Separators = { group: '\u00a0', decimal: ',' };
/** By primary language subtag; a full tag ("pt-br", "de-ch") wins over its language. */
const SEPARATORS: Record<string, Separators> = {
  en: EN, zh: EN, ja: EN, ko: EN, he: EN, th: EN, hi: EN,
  de: DOT_COMMA, it: DOT_COMMA, nl: DOT_COMMA, id: DOT_COMMA, tr: DOT_COMMA, da: DOT_COMMA, 'pt-br': DOT_COMMA, pt: { group: '\u00a0', decimal: ',' },
  es: { group: '.', decimal: ',', minGroup2: true }, pl: { group: '\u00a0', decimal: ',', minGroup2: true },
  fr: { group: '\u202f', decimal: ',' }, ru: NBSP_COMMA, uk: NBSP_COMMA, cs: NBSP_COMMA, sk: NBSP_COMMA, sv: NBSP_COMMA, fi: NBSP_COMMA, nb: NBSP_COMMA, hu: NBSP_COMMA, bg: NBSP_COMMA,
  'de-ch': { group: '\u2019', decimal: '.' },
};

let cached: { locale: string; sep: Separators } | undefined;

/** The separators of the current locale (table first; Intl, once per locale, for a language the table lacks). */
export function localeSeparators(): Separators {
  const locale = currentLocale().toLowerCase();
  if (cached?.locale === locale) return cached.sep;
  const sep = SEPARATORS[locale] ?? SEPARATORS[locale.split('-')[0]!] ?? intlSeparators(locale);
  cached = { locale, sep };
  return sep;
}

function intlSeparators(locale: string): Separators {
  try {
    const parts = new Intl.NumberFormat(locale).formatToParts(1234567.5);
    return { group: parts.find((p) => p.type === 'group')?.value ?? ',', decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
  } catch {
    return EN;
  }
}

/** An en-US formatted number ("-1,234.5") with the locale's separators. */
function localize(en: string, sep: Separators): string {
  if (sep.minGroup2 && /^-?\d,\d{3}(?!,)(?=\D|$)/.test(en)) en = en.replace(',', '');
  if (sep === EN || (sep.group === ',' && sep.decimal === '.')) return en;
  return en.replace(/[,.]/g, (c) => (c === ',' ? sep.group : sep.decimal));
}

/** A decimal number already rounded by the caller ("12.5", "-3") with the locale's decimal separator. */
export function localizeDecimal(text: string): string {
  const sep = localeSeparators();
  return sep.decimal === '.' ? text : text.replace('.', sep.decimal);
}

/**
 * `x` with at least `minFrac` and at most `maxFrac` fraction digits, grouped: Intl's
 * `{ minimumFractionDigits: minFrac, maximumFractionDigits: maxFrac }` in en-US. Non-finite values print as Intl
 * does ("∞", "-∞", "NaN").
 */
export function formatFixed(x: number, minFrac: number, maxFrac: number): string {
  return localize(formatFixedEn(x, minFrac, maxFrac), localeSeparators());
}

function formatFixedEn(x: number, minFrac: number, maxFrac: number): string {
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
  const lang = currentLocale().toLowerCase().split('-')[0]!;
  if (lang === 'zh' || lang === 'ja') {
    // Chinese and Japanese count in myriads: 1.2万, 3.4亿 (億 in Japanese), 1万亿 (兆).
    const units = lang === 'zh' ? ZH_COMPACT : JA_COMPACT;
    return compactWith(x, units, 1e4).replace(/^(-?\d),(\d{3})(?!,)(?=\D|$)/, '$1$2');
  }
  if (lang !== 'en') {
    const intl = compactIntl(currentLocale());
    if (intl) return intl.format(x);
  }
  return compactWith(x, COMPACT, 1e3).replace(/^(-?\d),(\d{3})(?!,)(?=\D|$)/, '$1$2');
}

const ZH_COMPACT: ReadonlyArray<readonly [number, string]> = [
  [1e12, '万亿'],
  [1e8, '亿'],
  [1e4, '万'],
];
const JA_COMPACT: ReadonlyArray<readonly [number, string]> = [
  [1e12, '兆'],
  [1e8, '億'],
  [1e4, '万'],
];

let compactCache: { locale: string; fmt: Intl.NumberFormat | undefined } | undefined;
/** Compact notation for a language without a table: built once per locale, only when a chart axis asks for it. */
function compactIntl(locale: string): Intl.NumberFormat | undefined {
  if (compactCache?.locale !== locale) {
    let fmt: Intl.NumberFormat | undefined;
    try {
      fmt = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
    } catch {
      fmt = undefined;
    }
    compactCache = { locale, fmt };
  }
  return compactCache.fmt;
}

/** `units` from the largest down; `step` is the ratio between neighbouring units (1e3 for K/M/B, 1e4 for 万/亿). */
function compactWith(x: number, units: ReadonlyArray<readonly [number, string]>, step: number): string {
  if (!Number.isFinite(x)) return formatFixed(x, 0, 0);
  const abs = Math.abs(x);
  const plain = (v: number) => Number(formatFixedEn(v, 0, 1).replace(/,/g, ''));
  for (let i = 0; i < units.length; i++) {
    const [size, suffix] = units[i]!;
    if (abs < size) continue;
    const text = formatFixed(x / size, 0, 1);
    // "1,000K" is "1M": rounding reached the next unit.
    if (i > 0 && Math.abs(plain(x / size)) >= step) return `${formatFixed(Math.sign(x) * (abs / units[i - 1]![0]), 0, 1)}${units[i - 1]![1]}`;
    return `${text}${suffix}`;
  }
  const text = formatFixed(x, 0, 1);
  const smallest = units[units.length - 1]!;
  return Math.abs(plain(x)) >= step ? `${x < 0 ? '-' : ''}1${smallest[1]}` : text;
}
