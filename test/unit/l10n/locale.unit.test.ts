// The shared formats speak the installed language: the translator and locale the host installs (vscode.l10n.t and
// vscode.env.language) or the webview installs (the bundle from the dashboard state). Numbers keep Intl's output for
// the locale without building an Intl object on the common languages.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleTranslator, currentLocale, l10n, setL10n } from '../../../src/shared/l10n';
import { formatCompact, formatCount, formatFixed } from '../../../src/shared/numberFormat';
import { formatAge, formatDuration, formatMeterValue, formatResetIn, formatUsedOfLimit, meterDetailText, STATUS_LABEL } from '../../../src/shared/format';
import { formatTokens } from '../../../src/shared/usageFormat';
import { makeMeter } from '../../../src/shared/model';
import { parseHostMessage } from '../../../src/shared/protocolSchemas';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

afterEach(() => setL10n(undefined, undefined));

test('without a translator (the CLI, the worker, unit tests) messages are English with their arguments in place', () => {
  assert.equal(currentLocale(), 'en');
  assert.equal(l10n.t('{0} left', '$3.00'), '$3.00 left');
  assert.equal(l10n.t('{0} of {1}', 1), '1 of {1}', 'a missing argument leaves its placeholder');
});

test('a duration is its largest unit and the one next to it, the second left out when zero', () => {
  const D = 86_400_000;
  const H = 3_600_000;
  const M = 60_000;
  const cases: Array<[number, string]> = [
    [0, '<1m'],
    [59_999, '<1m'],
    [M, '1m'],
    [45 * M + 59_999, '45m'],
    [H, '1h'],
    [2 * H + 5 * M, '2h 5m'],
    [2 * H + 30_000, '2h'],
    [3 * D + 4 * H + 59 * M, '3d 4h'],
    // Hours are zero: the minutes are not shown beside the days (a fresh-clone run at 23:46 read "24d 13m").
    [24 * D + 13 * M, '24d'],
    [-(2 * H + 5 * M), '2h 5m'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms} ms`);
  assert.equal(formatDuration(Number.NaN), 'unknown');
});

test('a bundle translates what it has and leaves the rest in English', () => {
  setL10n(bundleTranslator({ '{0} left': '剩余 {0}' }), 'zh-cn');
  assert.equal(l10n.t('{0} left', '$3.00'), '剩余 $3.00');
  assert.equal(l10n.t('Not in the bundle {0}', 7), 'Not in the bundle 7');
  assert.equal(l10n.t('toString'), 'toString', 'only the bundle’s own keys, never a prototype’s');
});

test('zh-cn: meters, ages, resets and states read in Chinese from the shipped bundle', () => {
  setL10n(bundleTranslator(zh), 'zh-cn');
  const m = makeMeter({ id: 'p', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: 0, used: 1234, limit: 3000 });
  assert.equal(formatMeterValue(m), '41%');
  assert.equal(formatUsedOfLimit(m), '1,234 / 3,000 requests');
  const left = makeMeter({ id: 'b', label: 'Balance', kind: 'balance', unit: 'USD', source: 'official', capturedAt: 0, remaining: 12.5 });
  assert.equal(formatUsedOfLimit(left), '剩余 $12.50');
  assert.equal(meterDetailText(left), undefined, 'the detail does not repeat the value in Chinese word order either');
  const spent = makeMeter({ id: 's', label: 'Spent today', kind: 'spend', unit: 'USD', source: 'official', capturedAt: 0, used: 3 });
  assert.equal(meterDetailText(spent), undefined);
  assert.equal(formatAge(0, 5 * 60_000), '5分前');
  assert.equal(formatResetIn(3 * 86_400_000 + 4 * 3_600_000, 0), '3天 4小时后重置');
  assert.equal(formatResetIn(24 * 86_400_000 + 13 * 60_000, 0), '24天后重置', 'no minutes beside days');
  assert.equal(STATUS_LABEL.ok, '最新');
  assert.equal(formatMeterValue(makeMeter({ id: 'u', label: 'u', kind: 'quota', unit: 'requests', source: 'official', capturedAt: 0 })), '未知');
});

test('numbers follow the locale: zh-CN and de-DE as Intl formats them, compact myriads in Chinese', () => {
  const values = [0, 0.5, 1234.5, -98765.4321, 1_000_000, 12_345_678.9];
  for (const [locale, intlTag] of [['zh-cn', 'zh-CN'], ['de', 'de-DE'], ['fr', 'fr-FR'], ['pt-br', 'pt-BR']] as const) {
    setL10n(undefined, locale);
    for (const x of values) {
      assert.equal(formatFixed(x, 0, 2), new Intl.NumberFormat(intlTag, { maximumFractionDigits: 2 }).format(x), `${locale} ${x}`);
    }
    assert.equal(formatCount(1234567), new Intl.NumberFormat(intlTag).format(1234567), `${locale} count`);
  }
  setL10n(undefined, 'zh-cn');
  const compact = new Intl.NumberFormat('zh-CN', { notation: 'compact', maximumFractionDigits: 1 });
  for (const x of [950, 1234, 12_345, 999_960, 123_456_789, 9_999_960, 2.5e12, -45_678]) assert.equal(formatCompact(x), compact.format(x), `compact ${x}`);
  assert.equal(formatTokens(12_345), '1.2万');
  assert.equal(formatTokens(345_678_901), '3.5亿');
  setL10n(undefined, 'de');
  assert.equal(formatTokens(1_234_567), '1,2M');
});

test('the dashboard state carries the locale and bundle; a malformed one is dropped, never the state', () => {
  const state = { accounts: [], thresholds: { warning: 80, error: 95 }, now: 1 };
  const ok = parseHostMessage({ type: 'state', state: { ...state, l10n: { locale: 'zh-cn', bundle: { a: '甲' } } } });
  assert.deepEqual(ok?.state.l10n, { locale: 'zh-cn', bundle: { a: '甲' } });
  for (const bad of [{ locale: 'zh-cn"><script>' }, { locale: 'zh-cn', bundle: { a: 1 } }, 'zh-cn']) {
    const r = parseHostMessage({ type: 'state', state: { ...state, l10n: bad } });
    assert.ok(r, 'the state still renders');
    assert.equal(r.state.l10n, undefined, JSON.stringify(bad));
  }
});
