#!/usr/bin/env node
// `node scripts/l10n-export.js`: the one command after adding or changing a user-facing string.
//   1. extracts every `l10n.t('…')` message of src/ and webview/ with @vscode/l10n-dev and writes
//      l10n/bundle.l10n.json (the English bundle, sorted);
//   2. moves every plain user-facing string of package.json (command titles, view names, welcome texts, setting
//      descriptions, walkthrough steps) into package.nls.json under a generated key, leaving `%key%` in its place,
//      and drops keys of package.nls.json nothing uses any more.
// `--check` writes nothing and exits 1 when either file differs from what the code and manifest ask for. Then
// translate what is new in l10n/bundle.l10n.<locale>.json and package.nls.<locale>.json (the unit test
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
  const files = sourceFiles()
    .map((f) => ({ text: fs.readFileSync(f, 'utf8'), f }))
    .filter((x) => x.text.includes('l10n.t('))
    .map((x) => ({ contents: forExtraction(x.text), extension: path.extname(x.f) }));
  const json = await getL10nJson(files);
  const sorted = {};
  for (const k of Object.keys(json).sort()) sorted[k] = json[k];
  return sorted;
}

function serialize(bundle) {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

// ── package.json ──

const PACKAGE = path.join(root, 'package.json');
const PACKAGE_NLS = path.join(root, 'package.nls.json');
/** Values that are names, not words: never put through translation. */
const NOT_TEXT = new Set(['tokstat']);

/**
 * Every user-facing string field of the manifest, as [path, suggested key]: the key a plain string gets when it is
 * moved to package.nls.json (an existing `%key%` keeps its own).
 */
function manifestTextFields(pkg) {
  const out = [];
  const add = (obj, prop, key) => {
    if (obj && typeof obj[prop] === 'string') out.push({ obj, prop, key });
  };
  const c = pkg.contributes ?? {};
  add(pkg, 'description', 'extension.description');
  add(pkg.capabilities?.untrustedWorkspaces, 'description', 'capabilities.untrustedWorkspaces.description');
  for (const cmd of c.commands ?? []) {
    const id = String(cmd.command).replace(/^tokstat\./, '');
    add(cmd, 'title', `command.${id}.title`);
    add(cmd, 'shortTitle', `command.${id}.shortTitle`);
  }
  for (const [where, list] of Object.entries(c.viewsContainers ?? {})) for (const v of list) add(v, 'title', `viewsContainer.${where}.${v.id}.title`);
  for (const list of Object.values(c.views ?? {})) {
    for (const v of list) {
      const id = String(v.id).replace(/^tokstat\./, '');
      add(v, 'name', `view.${id}.name`);
      add(v, 'contextualTitle', `view.${id}.contextualTitle`);
    }
  }
  (c.viewsWelcome ?? []).forEach((w, i) => add(w, 'contents', `viewsWelcome.${String(w.view).replace(/^tokstat\./, '')}.${i}`));
  const confs = Array.isArray(c.configuration) ? c.configuration : c.configuration ? [c.configuration] : [];
  confs.forEach((conf, i) => {
    add(conf, 'title', `config.title${i ? `.${i}` : ''}`);
    for (const [name, spec] of Object.entries(conf.properties ?? {})) {
      const id = name.replace(/^tokstat\./, '');
      for (const f of ['description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage']) add(spec, f, `config.${id}.${f}`);
      for (const f of ['enumDescriptions', 'markdownEnumDescriptions']) {
        if (Array.isArray(spec[f])) spec[f].forEach((_, j) => add(spec[f], j, `config.${id}.${f}.${spec.enum?.[j] ?? j}`));
      }
    }
  });
  for (const w of c.walkthroughs ?? []) {
    add(w, 'title', `walkthrough.${w.id}.title`);
    add(w, 'description', `walkthrough.${w.id}.description`);
    for (const st of w.steps ?? []) {
      add(st, 'title', `walkthrough.${w.id}.${st.id}.title`);
      add(st, 'description', `walkthrough.${w.id}.${st.id}.description`);
    }
  }
  for (const p of c.chatParticipants ?? []) {
    const id = String(p.id).replace(/^tokstat\./, '');
    add(p, 'description', `chatParticipant.${id}.description`);
    for (const cmd of p.commands ?? []) add(cmd, 'description', `chatParticipant.${id}.${cmd.name}.description`);
  }
  for (const t of c.languageModelTools ?? []) {
    // Not modelDescription: it is read by the language model, in English, not by the user.
    for (const f of ['displayName', 'userDescription']) add(t, f, `languageModelTool.${t.name}.${f}`);
  }
  return out.filter((f) => !NOT_TEXT.has(f.obj[f.prop]));
}

const NLS_REF = /^%([^%\s]+)%$/;

/** package.json with its plain texts moved to package.nls.json: both as they should be on disk. */
function localizeManifest(pkgText, nlsText) {
  const pkg = JSON.parse(pkgText);
  const nls = nlsText ? JSON.parse(nlsText) : {};
  const used = new Set();
  for (const f of manifestTextFields(pkg)) {
    const v = f.obj[f.prop];
    const ref = NLS_REF.exec(v);
    if (ref) {
      used.add(ref[1]);
      continue;
    }
    let key = f.key;
    // A key taken by another text gets a suffix; the same text under the same key is simply reused.
    for (let n = 2; nls[key] !== undefined && nls[key] !== v && used.has(key); n++) key = `${f.key}.${n}`;
    nls[key] = v;
    used.add(key);
    f.obj[f.prop] = `%${key}%`;
  }
  const sorted = {};
  for (const k of Object.keys(nls).sort()) if (used.has(k)) sorted[k] = nls[k];
  return { pkg: `${JSON.stringify(pkg, null, 2)}\n`, nls: serialize(sorted) };
}

async function main() {
  const check = process.argv.includes('--check');
  const bundle = await extract();
  const text = serialize(bundle);
  const current = fs.existsSync(BUNDLE) ? fs.readFileSync(BUNDLE, 'utf8') : '';
  const pkgText = fs.readFileSync(PACKAGE, 'utf8');
  const nlsText = fs.existsSync(PACKAGE_NLS) ? fs.readFileSync(PACKAGE_NLS, 'utf8') : '';
  const manifest = localizeManifest(pkgText, nlsText);
  if (check) {
    let code = 0;
    if (current !== text) {
      console.error('l10n: l10n/bundle.l10n.json is not what the code asks for; run `node scripts/l10n-export.js`');
      code = 1;
    }
    if (manifest.pkg !== pkgText || manifest.nls !== nlsText) {
      console.error('l10n: package.json has texts outside package.nls.json (or package.nls.json unused keys); run `node scripts/l10n-export.js`');
      code = 1;
    }
    if (code === 0) console.log(`l10n: up to date (${Object.keys(bundle).length} messages, ${Object.keys(JSON.parse(manifest.nls)).length} manifest texts)`);
    return code;
  }
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  fs.writeFileSync(BUNDLE, text);
  if (manifest.pkg !== pkgText) fs.writeFileSync(PACKAGE, manifest.pkg);
  if (manifest.nls !== nlsText) fs.writeFileSync(PACKAGE_NLS, manifest.nls);
  console.log(`l10n: wrote ${path.relative(root, BUNDLE)} (${Object.keys(bundle).length} messages) and package.nls.json (${Object.keys(JSON.parse(manifest.nls)).length} texts)`);
  return 0;
}

module.exports = { extract, serialize, forExtraction, sourceFiles, localizeManifest, manifestTextFields, BUNDLE, PACKAGE, PACKAGE_NLS, SHARED_IMPORT };

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`l10n: ${e && e.stack ? e.stack : e}`);
      process.exit(1);
    },
  );
}
