#!/usr/bin/env node
// `node scripts/l10n-export.js`: extracts every `l10n.t('…')` message of src/ and webview/ with @vscode/l10n-dev and
// writes l10n/bundle.l10n.json (the English bundle, sorted). `--check` writes nothing and exits 1 when the bundle on
// disk differs from the code. Then translate what is new in l10n/bundle.l10n.<locale>.json (the unit test
// test/unit/l10n/l10n.unit.test.ts names every missing, stale or mistyped entry).
//
// @vscode/l10n-dev only sees `l10n.t` imported from 'vscode' (or '@vscode/l10n'). The shared code, the core and the
// webview import their `l10n` from src/shared/l10n.ts instead (they may not import vscode), so for the extraction a
// file that imports `l10n` from there is read as if it imported it from 'vscode'; the calls look alike.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['src', 'webview'];
const BUNDLE = path.join(root, 'l10n', 'bundle.l10n.json');
const SHARED_IMPORT = /^import\s*\{[^}]*\bl10n\b[^}]*\}\s*from\s*['"](?:\.{1,2}\/)+(?:\w+\/)*l10n['"];?[ \t]*$/m;

function sourceFiles() {
  const out = [];
  for (const d of SOURCE_DIRS) walkInto(path.join(root, d), out);
  return out.sort();
}

function walkInto(dir, out) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walkInto(p, out);
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
}

/** The file as l10n-dev should read it: a shared-l10n import becomes a 'vscode' one. */
function forExtraction(text) {
  if (!SHARED_IMPORT.test(text)) return text;
  return text.replace(SHARED_IMPORT, "import { l10n } from 'vscode';");
}

/** The English bundle the code asks for: message → message, sorted by key. */
async function extract() {
  const { getL10nJson } = require('@vscode/l10n-dev');
  const files = sourceFiles().map((f) => ({ contents: forExtraction(fs.readFileSync(f, 'utf8')), extension: path.extname(f) }));
  const json = await getL10nJson(files);
  const sorted = {};
  for (const k of Object.keys(json).sort()) sorted[k] = json[k];
  return sorted;
}

function serialize(bundle) {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

async function main() {
  const bundle = await extract();
  const text = serialize(bundle);
  const current = fs.existsSync(BUNDLE) ? fs.readFileSync(BUNDLE, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error('l10n: l10n/bundle.l10n.json is not what the code asks for; run `node scripts/l10n-export.js`');
      return 1;
    }
    console.log(`l10n: bundle up to date (${Object.keys(bundle).length} messages)`);
    return 0;
  }
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  fs.writeFileSync(BUNDLE, text);
  console.log(`l10n: wrote ${path.relative(root, BUNDLE)} (${Object.keys(bundle).length} messages)`);
  return 0;
}

module.exports = { extract, serialize, forExtraction, BUNDLE };

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`l10n: ${e && e.stack ? e.stack : e}`);
      process.exit(1);
    },
  );
}
