// Meter notes (a meter's `detail`, written in English by the providers) on the cards and in the tooltips speak the
// installed language: each fixed part is translated with its figures kept, a vendor's own words stay as they came,
// and English is unchanged. A provider that writes a new fixed note without a translation fails the last test.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleTranslator, setL10n } from '../../../src/shared/l10n';
import { meterNoteText } from '../../../src/shared/meterLabels';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

afterEach(() => setL10n(undefined, undefined));

test('English: every note comes out as the provider wrote it', () => {
  for (const note of ['current UTC day · partial (the usage query hit its limit)', '$3.00 of $5.00', 'granted 12.00 CNY · topped-up 3.00 CNY', 'Locked: weekly cap', 'resets monthly (reset time estimated)']) {
    assert.equal(meterNoteText(note), note);
  }
});

test('zh-cn: fixed parts translated, figures kept, a vendor\'s own words left as they are', () => {
  setL10n(bundleTranslator(zh), 'zh-cn');
  assert.equal(meterNoteText('current UTC day · partial (the usage query hit its limit)'), '当前 UTC 日 · 不完整（用量查询达到了上限）');
  assert.equal(meterNoteText('resets monthly (reset time estimated)'), '每月重置（重置时间为估算）');
  assert.equal(meterNoteText('$3.00 of $5.00'), '$3.00 / $5.00');
  assert.equal(meterNoteText('granted 12.00 CNY · topped-up 3.00 CNY'), '赠予 12.00 CNY · 充值 3.00 CNY');
  assert.equal(meterNoteText('Locked: weekly cap'), '已锁定：weekly cap');
  assert.equal(meterNoteText('free credits from the vendor'), 'free credits from the vendor');
});

test("zh-cn: every fixed note a provider writes (src/core/providers) has its translation", () => {
  setL10n(bundleTranslator(zh), 'zh-cn');
  const dir = path.join(root, 'src', 'core', 'providers');
  const notes = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts') && n !== 'unsupported.ts')) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/\bdetail: (?:[^'\n]*\? )?'([^'\n]+)'/g)) notes.add(m[1]!);
    for (const m of src.matchAll(/\b(?:detail|parts)\.push\('([^'\n]+)'\)/g)) notes.add(m[1]!);
  }
  assert.ok(notes.size >= 10, `found the providers' notes: ${[...notes].join(' | ')}`);
  const parts = [...notes].flatMap((n) => n.split('·').map((p) => p.trim())).filter(Boolean);
  const untranslated = parts.filter((part) => meterNoteText(part) === part);
  assert.deepEqual(untranslated, [], 'add these to meterNoteText (src/shared/meterLabels.ts) and translate them');
});
