#!/usr/bin/env node
// Secret-leak check, run by `npm test` after the tiers. Every credential the suites handed to the extension
// (test/fakes/secrets.ts `ALL_TEST_SECRETS`, plus tokens the fakes minted at run time, which the suites list in
// test-results/**/secrets-used.json) must not appear anywhere the runs wrote on the server side or rendered:
//   - code-server's user-data-dir (logs incl. the `tokstat` output channel, User/globalStorage/tokstat.tokstat
//     with snapshot and lease files, workspaceStorage, state databases), extensions-dir, XDG config/data, TMPDIR;
//   - the runners' own logs and reports;
//   - the DOM dumps the e2e suite writes (whole workbench HTML, dashboard iframe HTML);
//   - the Chromium profile (caches, local/session storage, service worker, logs) EXCEPT the IndexedDB of the
//     code-server origin: VS Code for the Web keeps SecretStorage on the browser side, in the workbench's
//     IndexedDB database, which is where the secret legitimately lives (desktop VS Code uses the OS keychain).
//     code-server 4.100 encrypts it there (the check found no plaintext copy), but a build without the
//     server-side crypto key would store it in clear, so that one store is excluded by design.
// Each secret is searched in UTF-8, UTF-16LE (Chromium's DOM storage), base64 and URL-encoded forms.
// Usage: node scripts/leak-check.js [dir ...]   (default: every test-results/extension-host* and test-results/e2e*)
const fs = require('node:fs');
const path = require('node:path');
const { root } = require('./lib');

const TIER = 'leak-check';

function loadSecrets() {
  const compiled = path.join(root, 'out', 'test', 'fakes', 'secrets.js');
  if (!fs.existsSync(compiled)) throw new Error(`${path.relative(root, compiled)} missing: compile first (tsc -p .)`);
  const secrets = new Set(require(compiled).ALL_TEST_SECRETS);
  return secrets;
}

/** Paths (relative, '/'-separated) that legitimately hold secrets: the browser-side SecretStorage. */
const EXCLUDED = [
  /(^|\/)chromium-profile\/Default\/IndexedDB\/http_127\.0\.0\.1_\d+\.indexeddb\./,
  // Another tool's own sign-in that a scenario puts in the run's home folders (Claude Code's credentials file in
  // ~/.claude and the extra homes ~/.claude-work, ~/.claude-copy of the several-homes scenario): tokstat must read it
  // in place; the check still searches everywhere else for a copy.
  /(^|\/)home\/\.claude(-[\w-]+)?\/\.credentials\.json$/,
  // The list of run-time secrets itself.
  /(^|\/)secrets-used\.json$/,
  // The proxy scenario's password where the user and the test legitimately put it: the user's settings.json
  // (`http.proxy`), the editor's local history of that file, and tinyproxy's own config.
  /(^|\/)e2e-proxy\/user-data\/User\/settings\.json$/,
  /(^|\/)e2e-proxy\/user-data\/User\/History\//,
  /(^|\/)e2e-proxy\/tinyproxy\/[^/]+\.conf$/,
];

function walk(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

function needles(secret) {
  const forms = new Map([
    ['utf8', Buffer.from(secret, 'utf8')],
    ['utf16le', Buffer.from(secret, 'utf16le')],
    ['base64', Buffer.from(Buffer.from(secret).toString('base64').replace(/=+$/, ''), 'utf8')],
    ['url-encoded', Buffer.from(encodeURIComponent(secret), 'utf8')],
  ]);
  return forms;
}

function mask(s) {
  return `${s.slice(0, 6)}…(${s.length} chars)`;
}

function main() {
  const args = process.argv.slice(2);
  const resultsDir = path.join(root, 'test-results');
  const scenarioDirs = fs.existsSync(resultsDir)
    ? fs.readdirSync(resultsDir).filter((d) => d.startsWith('extension-host') || d.startsWith('e2e')).map((d) => path.join('test-results', d))
    : [];
  const dirs = (args.length ? args : scenarioDirs).map((d) => path.resolve(root, d)).filter((d) => fs.existsSync(d));
  if (dirs.length === 0) {
    console.log(`${TIER}: skipped (no test-results to scan: run the code-server tiers first)`);
    return 0;
  }
  const secrets = loadSecrets();
  const files = [];
  for (const d of dirs) walk(d, files);
  // Tokens minted by the fakes during the runs (device-flow tokens, device codes).
  for (const f of files.filter((p) => p.endsWith('secrets-used.json'))) {
    try {
      for (const s of JSON.parse(fs.readFileSync(f, 'utf8'))) if (typeof s === 'string' && s.length >= 8) secrets.add(s);
    } catch (e) {
      console.error(`${TIER}: cannot read ${path.relative(root, f)}: ${e.message}`);
      return 1;
    }
  }
  const forms = [...secrets].map((s) => ({ secret: s, forms: needles(s) }));
  let scanned = 0;
  let excluded = 0;
  const leaks = [];
  for (const f of files) {
    const rel = path.relative(root, f).split(path.sep).join('/');
    if (EXCLUDED.some((re) => re.test(rel))) {
      excluded++;
      continue;
    }
    let buf;
    try {
      buf = fs.readFileSync(f);
    } catch {
      continue; // a socket or a file removed meanwhile
    }
    scanned++;
    for (const { secret, forms: fs_ } of forms) {
      for (const [form, needle] of fs_) {
        if (buf.indexOf(needle) >= 0) leaks.push({ file: rel, secret: mask(secret), form });
      }
    }
  }
  for (const l of leaks) console.error(`${TIER}: LEAK ${l.secret} (${l.form}) in ${l.file}`);
  console.log(`${TIER}: ${scanned} files scanned, ${leaks.length} leaks (${secrets.size} secrets; ${excluded} files excluded: browser-side secret store)`);
  return leaks.length ? 1 : 0;
}

process.exit(main());
