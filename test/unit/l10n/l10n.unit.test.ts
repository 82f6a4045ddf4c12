// Translations stay complete and current: the English bundle is exactly what the code asks for (extracted with
// @vscode/l10n-dev, as `node scripts/l10n-export.js` does), package.json keeps every text in package.nls.json, and
// each translation has every key, no stale one, and the same placeholders, links and code spans as the English.
// A failure names the strings; the fix is `node scripts/l10n-export.js`, then translating what is new.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..', '..');

interface ExportScript {
  extract(): Promise<Record<string, string>>;
  forExtraction(text: string): string;
  sourceFiles(): string[];
  localizeManifest(pkgText: string, nlsText: string): { pkg: string; nls: string };
  SHARED_IMPORT: RegExp;
}
const script = require(path.join(root, 'scripts', 'l10n-export.js')) as ExportScript;
const l10nDev = require('@vscode/l10n-dev') as { getL10nJson(files: Array<{ contents: string; extension: string }>): Promise<Record<string, string>> };

const readJson = (p: string) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8')) as Record<string, string>;
/** The translations shipped: `<locale>` of every l10n/bundle.l10n.<locale>.json. */
const LOCALES = fs
  .readdirSync(path.join(root, 'l10n'))
  .map((f) => /^bundle\.l10n\.([a-z-]+)\.json$/.exec(f)?.[1])
  .filter((l): l is string => l !== undefined);

/** What a translation must keep as it is: placeholders, command links, setting references, code spans. */
function invariants(s: string): string[] {
  const out = [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]);
  out.push(...[...s.matchAll(/\(command:[^)\s]+\)/g)].map((m) => m[0]));
  out.push(...[...s.matchAll(/#tokstat\.[\w.]+#/g)].map((m) => m[0]));
  out.push(...[...s.matchAll(/`[^`]*`/g)].map((m) => m[0]).filter((c) => !/[\u3400-\u9fff]/.test(c)));
  out.push(...[...s.matchAll(/\$\([\w~-]+\)/g)].map((m) => m[0]));
  return out.sort();
}

/** Names and notation that read the same in every language: a message made only of them needs no translation. */
const SAME_EVERYWHERE = /\{\d+\}|\b(?:tokstat|Copilot|GitHub|Claude(?: Code)?|Codex|Gemini(?: CLI)?|OpenRouter|CSV|JSON|API|CLI|USD|ms|s)\b/g;
function needsTranslation(en: string): boolean {
  return /[A-Za-z]{2,}/.test(en.replace(SAME_EVERYWHERE, ''));
}

/** Problems of `translated` against the English `source`: missing, stale, untranslated, changed placeholders. */
function compareTranslation(source: Record<string, string>, translated: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, en] of Object.entries(source)) {
    const tr = translated[key];
    if (typeof tr !== 'string' || tr.trim() === '') {
      problems.push(`missing: ${JSON.stringify(key)}`);
      continue;
    }
    if (tr === en && needsTranslation(en)) problems.push(`untranslated: ${JSON.stringify(key)}`);
    const want = invariants(en);
    const got = invariants(tr);
    if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`placeholders differ in ${JSON.stringify(key)}: ${want.join(' ')} ≠ ${got.join(' ')}`);
  }
  for (const key of Object.keys(translated)) if (!(key in source)) problems.push(`stale (no such English text any more): ${JSON.stringify(key)}`);
  return problems;
}

function keyDiff(want: Record<string, string>, have: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(want)) if (have[k] !== want[k]) out.push(`not in l10n/bundle.l10n.json: ${JSON.stringify(k)}`);
  for (const k of Object.keys(have)) if (!(k in want)) out.push(`no longer in the code: ${JSON.stringify(k)}`);
  return out;
}

test('l10n/bundle.l10n.json is exactly the messages the code asks for (run `node scripts/l10n-export.js` when not)', async () => {
  const extracted = await script.extract();
  assert.ok(Object.keys(extracted).length > 300, `extracted ${Object.keys(extracted).length} messages: the extraction reaches the sources`);
  assert.ok(extracted['Refresh all'] && extracted['{0} used'] && extracted['Local agents'], 'host, shared and webview messages are all extracted');
  assert.deepEqual(keyDiff(extracted, readJson('l10n/bundle.l10n.json')), []);
});

test('every file that calls l10n.t is one the extraction reads (l10n imported from vscode or from src/shared/l10n)', () => {
  const unseen: string[] = [];
  for (const f of script.sourceFiles()) {
    const text = fs.readFileSync(f, 'utf8');
    if (!/\bl10n\.t\(/.test(text)) continue;
    const fromVscode = /^import \* as vscode from 'vscode';/m.test(text) && /\bvscode\.l10n\.t\(/.test(text);
    const fromShared = script.SHARED_IMPORT.test(text);
    if (!fromVscode && !fromShared && !f.endsWith(path.join('src', 'shared', 'l10n.ts'))) unseen.push(path.relative(root, f));
    // l10n-dev decodes `\u2019` in a message wrongly (the key would not match the text at run time): write the character.
    if (/l10n\.t\(\s*(['"`])(?:(?!\1).)*\\u[0-9a-fA-F]/.test(text)) unseen.push(`${path.relative(root, f)}: a \\u escape in an l10n.t message`);
  }
  assert.deepEqual(unseen, []);
});

test('a string added without re-exporting, and a translation gone stale, are both reported', async () => {
  // The checks above on a made-up change, so they are known to fail when they should.
  const file = "import { l10n } from '../shared/l10n';\nexport const a = () => l10n.t('A brand-new message with {0}', 1);\n";
  const extracted = await l10nDev.getL10nJson([{ contents: script.forExtraction(file), extension: '.ts' }]);
  assert.deepEqual(keyDiff(extracted, {}), ['not in l10n/bundle.l10n.json: "A brand-new message with {0}"']);
  const problems = compareTranslation({ 'New {0}': 'New {0}', Kept: 'Kept' }, { 'Old {0}': '旧 {0}', Kept: '保留' });
  assert.deepEqual(problems, ['missing: "New {0}"', 'stale (no such English text any more): "Old {0}"']);
  assert.deepEqual(compareTranslation({ 'Used {0} of {1}': 'Used {0} of {1}' }, { 'Used {0} of {1}': '已用 {0}' }), ['placeholders differ in "Used {0} of {1}": {0} {1} ≠ {0}']);
  assert.deepEqual(compareTranslation({ 'Show log': 'Show log' }, { 'Show log': 'Show log' }), ['untranslated: "Show log"']);
  // A plain text in package.json is moved to package.nls.json: the manifest check below would see the difference.
  const moved = script.localizeManifest(JSON.stringify({ contributes: { commands: [{ command: 'tokstat.x', title: 'Do X' }] } }), '{}');
  assert.match(moved.pkg, /"title": "%command\.x\.title%"/);
  assert.deepEqual(JSON.parse(moved.nls), { 'command.x.title': 'Do X' });
});

test('Simplified Chinese ships and every translation covers the bundle: no missing, stale or untranslated key, same placeholders', () => {
  assert.ok(LOCALES.includes('zh-cn'), 'l10n/bundle.l10n.zh-cn.json exists');
  const en = readJson('l10n/bundle.l10n.json');
  for (const locale of LOCALES) {
    assert.deepEqual(compareTranslation(en, readJson(`l10n/bundle.l10n.${locale}.json`)), [], `l10n/bundle.l10n.${locale}.json`);
  }
});

test('package.json keeps every text in package.nls.json, and each package.nls.<locale>.json translates all of them', () => {
  const pkgText = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
  const nlsText = fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8');
  const fixed = script.localizeManifest(pkgText, nlsText);
  assert.equal(fixed.pkg, pkgText, 'package.json has a plain text where a %key% belongs (run `node scripts/l10n-export.js`)');
  assert.equal(fixed.nls, nlsText, 'package.nls.json misses a key package.json uses or keeps one nothing uses (run `node scripts/l10n-export.js`)');
  const nls = JSON.parse(nlsText) as Record<string, string>;
  const refs = [...pkgText.matchAll(/"%([^%\s"]+)%"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 50, `${refs.length} manifest texts are keys`);
  for (const k of refs) assert.ok(k in nls, `package.nls.json has ${k}`);
  const nlsLocales = fs.readdirSync(root).map((f) => /^package\.nls\.([a-z-]+)\.json$/.exec(f)?.[1]).filter((l): l is string => l !== undefined);
  assert.ok(nlsLocales.includes('zh-cn'), 'package.nls.zh-cn.json exists');
  for (const locale of nlsLocales) assert.deepEqual(compareTranslation(nls, readJson(`package.nls.${locale}.json`)), [], `package.nls.${locale}.json`);
  const pkg = JSON.parse(pkgText) as { l10n?: string };
  assert.equal(pkg.l10n, './l10n', 'package.json names the bundle folder');
});
