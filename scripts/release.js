#!/usr/bin/env node
// `npm run release [-- --dry-run]`: builds what tokstat ships and checks it for every registry it goes to.
//   1. production build (esbuild --production) and the VSIX (`vsce package`, which runs the Visual Studio
//      Marketplace's manifest checks: publisher, engines, icon, repository, README links and images);
//   2. the Open VSX checks `ovsx publish` makes before uploading (manifest fields, a licence), on the VSIX itself,
//      plus what the VSIX must hold for both registries (README, LICENSE, CHANGELOG, the icon, no source or tests);
//   3. the CLI's npm package (`tokstat`: its bundle, README and LICENSE only), packed with `npm pack`, then installed
//      globally into a temporary prefix and run (`tokstat --version`), as a user would after `npm install -g`.
// Without --dry-run it then publishes: the VSIX to the Marketplace (VSCE_PAT) and to Open VSX (OVSX_PAT), the CLI
// to npm (NPM_TOKEN, or npm's own login). A registry whose token is missing is named and skipped; none is published
// when a check failed. Exit status: 0 all done, 1 a check or a publish failed.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root } = require('./lib');

const dryRun = process.argv.includes('--dry-run');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const VSIX = path.join(root, 'tokstat.vsix');
const CLI_STAGE = path.join(root, 'dist-cli');
/** The CLI package holds its bundle (the CLI, its network and MCP server chunks, the log-parsing worker it starts, sql.js's WebAssembly), README, LICENSE. */
const CLI_FILES = ['cli.js', 'cli-main.js', 'cli-net.js', 'mcp.js', 'usageWorker.js', 'sql-wasm.wasm'];

let failures = 0;
function step(name, fn) {
  process.stdout.write(`release: ${name} … `);
  try {
    const detail = fn();
    console.log(`ok${detail ? ` (${detail})` : ''}`);
    return true;
  } catch (e) {
    failures++;
    console.log(`FAILED\n  ${String(e && e.message ? e.message : e).split('\n').join('\n  ')}`);
    return false;
  }
}

function exec(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${res.status ?? res.signal}:\n${(res.stdout || '') + (res.stderr || '')}`.trim());
  return res.stdout || '';
}

function vsixEntries() {
  // vsce's own listing of a built package.
  const { readZip } = require('ovsx/lib/zip');
  return readZip(VSIX, () => true).then((m) => [...m.keys()]);
}

async function main() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!step('production build', () => void exec(process.execPath, [path.join(root, 'esbuild.js'), '--production']))) return 1;
  const vsce = require.resolve('@vscode/vsce/vsce');
  if (!step('VSIX with the Marketplace checks (vsce package)', () => {
    fs.rmSync(VSIX, { force: true });
    exec(process.execPath, [vsce, 'package', '--no-dependencies', '--out', VSIX]);
    return `${(fs.statSync(VSIX).size / 1024).toFixed(0)} KB`;
  })) return 1;

  // Open VSX: the same checks ovsx makes before an upload, on the package itself.
  const { readVSIXPackage } = require('ovsx/lib/zip');
  const { validateManifest, isLicenseOk } = require('ovsx');
  const manifest = await readVSIXPackage(VSIX);
  step('Open VSX manifest checks (ovsx)', () => {
    validateManifest(manifest);
    if (!manifest.license) throw new Error('no "license" in package.json: Open VSX refuses unlicensed extensions');
    if (!manifest.repository) throw new Error('no "repository": Open VSX links the listing to it');
    return `${manifest.publisher}.${manifest.name}@${manifest.version}`;
  });
  const licensed = await isLicenseOk(root, manifest).catch((e) => {
    throw new Error(`ovsx licence check: ${e.message}`);
  });
  step('Open VSX licence', () => {
    if (!licensed) throw new Error('ovsx finds no licence for the extension');
  });
  const entries = await vsixEntries();
  step('VSIX contents for both registries', () => {
    const need = ['extension/package.json', 'extension/readme.md', 'extension/changelog.md', 'extension/LICENSE.txt', 'extension/dist/extension.js', `extension/${pkg.icon}`];
    // The translations: package.json's texts (package.nls*.json) and the code's message bundles (l10n/).
    for (const f of fs.readdirSync(root)) if (/^package\.nls(\.[a-z-]+)?\.json$/.test(f)) need.push(`extension/${f}`);
    if (pkg.l10n) for (const f of fs.readdirSync(path.join(root, pkg.l10n))) if (/^bundle\.l10n(\.[a-z-]+)?\.json$/.test(f)) need.push(`extension/${path.posix.join(pkg.l10n.replace(/^\.\//, ''), f)}`);
    const lower = new Set(entries.map((e) => e.toLowerCase()));
    const missing = need.filter((n) => !lower.has(n.toLowerCase()));
    if (missing.length) throw new Error(`missing from the VSIX: ${missing.join(', ')}`);
    const stray = entries.filter((e) => /^extension\/(src|test|out|node_modules|bench|scripts)\//.test(e) || /\.ts$/.test(e));
    if (stray.length) throw new Error(`source or test files in the VSIX: ${stray.slice(0, 5).join(', ')}`);
    if (/\.svg$/i.test(pkg.icon)) throw new Error('the icon must be a PNG (both registries refuse SVG icons)');
    return `${entries.length} files`;
  });
  step('listing metadata', () => {
    for (const k of ['displayName', 'description', 'categories', 'keywords', 'homepage', 'bugs', 'galleryBanner', 'icon']) {
      if (!pkg[k]) throw new Error(`package.json has no "${k}"`);
    }
    if (pkg.keywords.length > 30) throw new Error(`${pkg.keywords.length} keywords: the Marketplace takes at most 30`);
    // Images in the README must be PNG/JPEG/GIF reached over https once vsce rewrites relative links to the repository.
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
    for (const src of images) {
      if (/^http:/i.test(src)) throw new Error(`README image over http: ${src}`);
      if (/\.svg($|\?)/i.test(src)) throw new Error(`README image is an SVG (refused by the Marketplace): ${src}`);
      if (!/^https:/i.test(src) && !fs.existsSync(path.join(root, src))) throw new Error(`README image not in the repository: ${src}`);
    }
    return `${images.length} README images`;
  });

  // The CLI's own npm package.
  let tarball = '';
  step('CLI npm package (npm pack)', () => {
    fs.rmSync(CLI_STAGE, { recursive: true, force: true });
    fs.mkdirSync(CLI_STAGE, { recursive: true });
    for (const f of CLI_FILES) fs.copyFileSync(path.join(root, 'dist', f), path.join(CLI_STAGE, f));
    fs.copyFileSync(path.join(root, 'LICENSE'), path.join(CLI_STAGE, 'LICENSE'));
    fs.copyFileSync(path.join(root, 'docs', 'cli-package-readme.md'), path.join(CLI_STAGE, 'README.md'));
    const cliPkg = {
      name: 'tokstat',
      version: pkg.version,
      description: 'How much AI you have left and what it costs, from the command line: your coding agents’ tokens and cost from their local logs, and the quotas tokstat for VS Code stored.',
      license: pkg.license,
      repository: pkg.repository,
      homepage: pkg.homepage,
      bugs: pkg.bugs,
      keywords: ['ccusage', 'claude-code', 'codex', 'gemini-cli', 'tokens', 'cost', 'usage', 'quota', 'cli'],
      bin: { tokstat: 'cli.js' },
      files: [...CLI_FILES, 'README.md', 'LICENSE'],
      engines: { node: '>=20.18.1' },
    };
    fs.writeFileSync(path.join(CLI_STAGE, 'package.json'), `${JSON.stringify(cliPkg, null, 2)}\n`);
    const out = exec(npm, ['pack', '--json', '--pack-destination', root], { cwd: CLI_STAGE });
    const info = JSON.parse(out)[0];
    tarball = path.join(root, info.filename);
    const files = info.files.map((f) => f.path).sort();
    const want = [...CLI_FILES, 'LICENSE', 'README.md', 'package.json'].sort();
    if (JSON.stringify(files) !== JSON.stringify(want)) throw new Error(`the tarball holds ${files.join(', ')}; want ${want.join(', ')}`);
    return `${info.filename}, ${(info.size / 1024).toFixed(0)} KB`;
  });
  step('CLI installs from its tarball and runs (npm install -g into a temporary prefix)', () => {
    if (!tarball) throw new Error('no tarball');
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-cli-prefix-'));
    try {
      exec(npm, ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', tarball]);
      const bin = process.platform === 'win32' ? path.join(prefix, 'tokstat.cmd') : path.join(prefix, 'bin', 'tokstat');
      const version = exec(bin, ['--version'], { cwd: prefix, shell: process.platform === 'win32' }).trim();
      if (version !== pkg.version) throw new Error(`tokstat --version printed "${version}", want ${pkg.version}`);
      // The installed bundle reads a Claude Code log with its worker and prices it from the bundled list.
      const home = path.join(prefix, 'home');
      const logDir = path.join(home, '.claude', 'projects', '-p');
      fs.mkdirSync(logDir, { recursive: true });
      const line = { type: 'assistant', timestamp: '2026-12-01T10:00:00.000Z', sessionId: 's', requestId: 'req_1', cwd: '/p', message: { id: 'msg_1', model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 10, output_tokens: 20 } } };
      fs.writeFileSync(path.join(logDir, 's.jsonl'), `${JSON.stringify(line)}\n`);
      const env = { ...process.env, HOME: home, USERPROFILE: home, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', GEMINI_DATA_DIR: '', OPENCODE_DATA_DIR: '' };
      const report = JSON.parse(exec(bin, ['usage', 'daily', '--json', '--offline'], { cwd: prefix, env, shell: process.platform === 'win32' }));
      if (report.totals?.totalTokens !== 30) throw new Error(`tokstat usage read ${report.totals?.totalTokens} tokens from the test log, want 30`);
      // The status line, as Claude Code runs it: JSON on stdin, today's cost from the index `tokstat usage` just saved.
      const input = JSON.stringify({ session_id: 's', cost: { total_cost_usd: 0.25 }, rate_limits: { five_hour: { used_percentage: 90, resets_at: Math.round(Date.now() / 1000) + 3600 } } });
      const status = exec(bin, ['statusline', '--no-refresh'], { cwd: prefix, env: { ...env, NO_COLOR: '1' }, input, shell: process.platform === 'win32' });
      if (!/^\$0\.25 session · \$\d+\.\d\d today · 5h 90% \(resets in (59m|1h)\)\n$/.test(status)) throw new Error(`tokstat statusline printed ${JSON.stringify(status)}`);
      return `tokstat --version → ${version}; tokstat usage read the test log; tokstat statusline → ${status.trim()}`;
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  });

  if (failures > 0) {
    console.log(`release: ${failures} check(s) failed; nothing published`);
    return 1;
  }
  if (dryRun) {
    console.log(`release: dry run done — ${path.relative(root, VSIX)} and ${path.relative(root, tarball)} are ready for the Marketplace, Open VSX and npm`);
    return 0;
  }

  const publishers = [
    ['Visual Studio Marketplace', 'VSCE_PAT', () => exec(process.execPath, [vsce, 'publish', '--packagePath', VSIX], { stdio: 'inherit' })],
    ['Open VSX', 'OVSX_PAT', () => exec(process.execPath, [path.join(path.dirname(require.resolve('ovsx/package.json')), 'bin', 'ovsx'), 'publish', VSIX], { stdio: 'inherit' })],
    ['npm (the CLI)', 'NPM_TOKEN', () => exec(npm, ['publish', tarball], { stdio: 'inherit' })],
  ];
  for (const [where, token, publish] of publishers) {
    if (!process.env[token]) {
      console.log(`release: ${where} skipped: ${token} is not set`);
      continue;
    }
    step(`publish to ${where}`, publish);
  }
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`release: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
