// Remote development (#19 §2): two windows of one user profile on two "hosts". Two code-servers, each with its own
// user-data-dir (so its own globalStorage folder, snapshot files and file lease, as a local window and a Remote-SSH
// window have), are served under one origin (`/a/…`, `/b/…`, test/support/sameOrigin.ts) to one Chromium profile, so
// the workbench's state (globalState, SecretStorage) is the same for both, as VS Code keeps it for every window of a
// profile. What this shows:
//   - an account added in window A appears in window B (and how long that took);
//   - exactly one window polls: the other never calls OpenRouter and shows the leader's reading, which reaches it
//     through the snapshot mirror in globalState (the delay is measured and written to measurements.json);
//   - when A's server goes away without releasing, B takes over after the lease TTL.
// A second scenario (below) runs the second code-server as another machine (host name `devbox`) and shows that a
// Claude Code account added there is polled by devbox's window while the first host's window leads.
// Observed on the way: SecretStorage does not span the two code-servers (each encrypts it with its own key), so B
// has the account (its metadata is in globalState) but not its key; a remote window of VS Code desktop has both.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { claudeCredentials, claudeGlobalConfig, claudeProfile, claudeUsage } from '../builders/claude';
import { orKey } from '../builders/openrouter';
import { ClaudeFake } from '../fakes/claudeFake';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { CLAUDE_OAUTH_TOKEN, OPENROUTER_KEY } from '../fakes/secrets';
import * as cs from '../support/codeServer';
import { startSameOrigin, type SameOrigin } from '../support/sameOrigin';
import { addOpenRouterAccount, escapeRe, openTokstatView, pick, quickInput, rowText, runCommand, screenshots, waitForQuickInputTitle, waitForStatus, waitUntil, submitQuickInput } from './support';

const OR_NAME = 'shared-openrouter';

/** The tokstat output channel of a code-server's windows, as written so far. */
function tokstatLog(dirs: cs.RunDirs): string {
  return cs
    .findFiles(dirs.userData, (p) => /tokstat/i.test(path.basename(p)) && p.endsWith('.log'))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
}
/** A window starts as a follower (nothing logged) and logs each change of role. */
function lastRole(dirs: cs.RunDirs): 'leader' | 'follower' | undefined {
  const log = tokstatLog(dirs);
  if (!/tokstat activated/.test(log)) return undefined;
  const roles = [...log.matchAll(/this window now polls \(leader\)|another window polls \(follower\)/g)].map((m) => (m[0].includes('leader') ? 'leader' : 'follower'));
  return roles[roles.length - 1] ?? 'follower';
}
const percentIn = (text: string) => /(\d+)\s*%/.exec(text)?.[1];

describe('tokstat: one poll per account across two hosts of one profile (two code-servers, one origin)', function () {
  this.timeout(240_000);
  let or: OpenRouterFake;
  let dirsA: cs.RunDirs;
  let dirsB: cs.RunDirs;
  let serverA: cs.CodeServer | undefined;
  let serverB: cs.CodeServer | undefined;
  let origin: SameOrigin | undefined;
  let browser: cs.Browser | undefined;
  let pageA: Page;
  let pageB: Page;
  const measured: Record<string, number | string> = {};

  const shotA = screenshots(() => pageA, () => dirsA.base);
  const shotB = screenshots(() => pageB, () => dirsB.base);

  const keyRequestsIn = (dirs: cs.RunDirs) => (tokstatLog(dirs).match(/GET \S*\/api\/v1\/key → 200/g) ?? []).length;

  before(async function () {
    this.timeout(240_000);
    or = new OpenRouterFake();
    await or.start();
    or.addKey(OPENROUTER_KEY, orKey({ label: OR_NAME, usage: 25, usage_monthly: 25, limit_remaining: 75 }));
    dirsA = cs.makeRunDirs('e2e-remote-a');
    dirsB = cs.makeRunDirs('e2e-remote-b');
    const vsix = cs.SCENARIO_VSIX;
    for (const dirs of [dirsA, dirsB]) {
      cs.installVsix(dirs, vsix);
      cs.seedSettings(dirs, { 'tokstat.endpoints': { openrouter: or.baseUrl } });
    }
    [serverA, serverB] = await Promise.all([cs.startCodeServer({ dirs: dirsA }), cs.startCodeServer({ dirs: dirsB })]);
    origin = await startSameOrigin({ a: serverA.port, b: serverB.port });
    browser = await cs.launchBrowser(dirsA);
    pageA = browser.page;
    pageB = await browser.context.newPage();
    await pageA.goto(`${origin.url}/a/?folder=${encodeURIComponent(dirsA.workspace)}`);
    await pageA.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 90_000 });
    await waitForStatus(pageA, 'window A: no accounts yet', (t) => /add account/i.test(t), 60_000);
    await pageB.goto(`${origin.url}/b/?folder=${encodeURIComponent(dirsB.workspace)}`);
    await pageB.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 90_000 });
    await waitForStatus(pageB, 'window B: no accounts yet', (t) => /add account/i.test(t), 60_000);
  });

  after(async function () {
    this.timeout(60_000);
    fs.writeFileSync(path.join(dirsB.base, 'measurements.json'), `${JSON.stringify(measured, null, 2)}\n`);
    console.log(`      measurements: ${JSON.stringify(measured)}`);
    const failed = this.test?.parent?.tests.some((t) => t.state === 'failed');
    if (failed && browser) {
      await pageA.screenshot({ path: path.join(dirsA.base, 'FAILED.png') }).catch(() => undefined);
      await pageB.screenshot({ path: path.join(dirsB.base, 'FAILED.png') }).catch(() => undefined);
    }
    await browser?.close();
    await origin?.close();
    await Promise.all([serverA?.stop(), serverB?.stop()]);
    await or.stop();
    if (failed) {
      cs.reportFailureLogs(dirsA);
      cs.reportFailureLogs(dirsB);
    }
  });

  it('the two windows keep separate storage folders (two "hosts"); one polls, the other follows', async () => {
    assert.notEqual(dirsA.userData, dirsB.userData);
    await waitUntil('tokstat runs in both, one leads', () => {
      const roles = [lastRole(dirsA), lastRole(dirsB)];
      return roles.includes('leader') && roles.includes('follower');
    }, 60_000);
  });

  it('an account added in window A is listed in window B (live, or once B reloads: its metadata is in globalState)', async () => {
    await addOpenRouterAccount(pageA, OPENROUTER_KEY);
    await waitForStatus(pageA, `A shows ${OR_NAME} with a percentage`, (t) => t.includes(OR_NAME) && /\d+\s*%/.test(t));
    const t0 = Date.now();
    const shows = (t: string) => t.includes(OR_NAME) && /\d+\s*%/.test(t);
    try {
      await waitForStatus(pageB, `B shows ${OR_NAME} with a percentage`, shows, 30_000);
      measured.accountReachedOtherWindowMs = Date.now() - t0;
    } catch {
      // The account index lives in SecretStorage, which these two code-servers do not share (see the header): B
      // learns of the account from the metadata in globalState when it (re)loads.
      measured.accountReachedOtherWindowMs = 'not live within 30 s; after a reload of B';
      await pageB.reload();
      await pageB.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 90_000 });
      await waitForStatus(pageB, `B (reloaded) lists ${OR_NAME}`, (t) => t.includes(OR_NAME), 60_000);
      try {
        await waitForStatus(pageB, `B (reloaded) shows ${OR_NAME} with a percentage`, shows, 30_000);
        measured.readingAfterReload = 'from the mirror as B loaded';
      } catch {
        // Seen once in CI: B reloaded with the account but without the reading A had mirrored 30 s before (the two
        // code-servers' workbench storage had not caught up). The leader's next poll re-publishes it, and B follows
        // live, as the next test measures.
        measured.readingAfterReload = 'after the leader polled again';
        await runCommand(lastRole(dirsA) === 'leader' ? pageA : pageB, 'tokstat: Refresh All');
        await waitForStatus(pageB, `B (reloaded) shows ${OR_NAME} with a percentage after the leader's next poll`, shows, 60_000);
      }
    }
    await shotA('a-added');
    await shotB('b-sees-account');
  });

  it('exactly one window polls; the other shows its reading without calling OpenRouter', async () => {
    const roles = await waitUntil('one leader and one follower', () => {
      const a = lastRole(dirsA);
      const b = lastRole(dirsB);
      return a && b && a !== b ? { a, b } : false;
    }, 60_000);
    measured.leader = roles.a === 'leader' ? 'A' : 'B';
    const [leaderPage, followerPage, followerDirs] = roles.a === 'leader' ? [pageA, pageB, dirsB] : [pageB, pageA, dirsA];
    const followerCallsBefore = keyRequestsIn(followerDirs);
    // The balance changes; the leader polls it (Refresh All) and the follower follows within the propagation delay
    // (globalState) plus at most one 5 s check of the mirror. Three samples.
    const samples: number[] = [];
    for (const used of [61, 64, 67]) {
      or.addKey(OPENROUTER_KEY, orKey({ label: OR_NAME, usage: used, usage_monthly: used, limit_remaining: 100 - used }));
      const calls = or.requestsTo('/api/v1/key').length;
      await runCommand(leaderPage, 'tokstat: Refresh All');
      await waitUntil('the leader polled', () => or.requestsTo('/api/v1/key').length > calls, 30_000);
      await waitForStatus(leaderPage, `the leader shows ${used} %`, (t) => percentIn(t) === String(used), 30_000);
      const t0 = Date.now();
      await waitForStatus(followerPage, `the follower shows ${used} % (from the leader, through globalState)`, (t) => percentIn(t) === String(used), 60_000);
      samples.push(Date.now() - t0);
    }
    measured.snapshotReachedFollowerMs = samples.join(', ');
    assert.equal(keyRequestsIn(followerDirs), followerCallsBefore, 'the follower made no OpenRouter request of its own');
    assert.equal(lastRole(followerDirs), 'follower');
    await shotA('a-67');
    await shotB('b-67');
  });

  it('the leader’s host goes away without a word: the other takes over after the lease TTL', async function () {
    this.timeout(200_000);
    const leaderIsA = measured.leader === 'A';
    const [goneServer, stayDirs] = leaderIsA ? [serverA!, dirsB] : [serverB!, dirsA];
    const t0 = Date.now();
    await goneServer.stop();
    await waitUntil('the remaining window leads', () => lastRole(stayDirs) === 'leader', 150_000);
    measured.takeoverMs = Date.now() - t0;
    // It says so, and it polls from now on. (Its poll of this account cannot succeed here: the two code-servers
    // encrypt SecretStorage each with its own key, so the key added in A is not readable in B; VS Code desktop keeps
    // secrets on the local machine for every window. The lease and the readings live in globalState, which is shared.)
    assert.match(tokstatLog(stayDirs), /\[hosts\] taking over from .+, which stopped polling/);
    await (leaderIsA ? shotB : shotA)('took-over');
  });
});

// Per-account host affinity (core/state/hostAffinity.ts), end to end: the second code-server runs as another machine
// (its own UTS namespace, host name `devbox`, so its extension host's `os.hostname()` and host id differ from the
// first's; no test hook in the product) and has its own home with a Claude Code sign-in. The first code-server's
// window leads (polls every account); the Claude account, added in the devbox window, is polled by that window alone,
// and the leader's window shows its readings. Each host reaches "Anthropic" at its own loopback fake (its own
// `tokstat.endpoints.claude`), so a request from the first host's extension host would arrive at `claudeA`: both
// servers run on one file system here, so the leader *could* read the devbox home's credential file (its path is
// absolute) and would reach its fake if it polled the account; only the routing keeps it from doing so.
const CLAUDE_EMAIL = 'devbox-claude@example.com';
const DEVBOX = 'devbox';

describe('tokstat: a Claude Code sign-in on a second host is polled by that host’s window, not by the leader (two code-servers, two host names)', function () {
  this.timeout(240_000);
  /** The Claude endpoint as the first host (the leader's) reaches it: it must hear nothing. */
  let claudeA: ClaudeFake | undefined;
  /** The Claude endpoint as devbox reaches it. */
  let claudeB: ClaudeFake | undefined;
  let dirsA: cs.RunDirs | undefined;
  let dirsB: cs.RunDirs | undefined;
  let serverA: cs.CodeServer | undefined;
  let serverB: cs.CodeServer | undefined;
  let origin: SameOrigin | undefined;
  let browser: cs.Browser | undefined;
  let pageA: Page;
  let pageB: Page;
  const measured: Record<string, number | string> = {};
  const shotA = screenshots(() => pageA, () => dirsA!.base);
  const shotB = screenshots(() => pageB, () => dirsB!.base);
  const usageCalls = (fake: ClaudeFake | undefined) => fake?.requestsTo('/api/oauth/usage').length ?? 0;
  /** The requests to Claude's API a window's extension host logged (undiciClient: `GET <url> → <status>`). */
  const claudeRequestsLogged = (dirs: cs.RunDirs) => (tokstatLog(dirs).match(/GET \S*\/api\/oauth\/(usage|profile)\S* → \d+/g) ?? []).length;
  const shows = (pct: number) => (t: string) => percentIn(t) === String(pct);

  before(async function () {
    this.timeout(240_000);
    cs.requireHostname(this);
    claudeA = new ClaudeFake();
    claudeB = new ClaudeFake();
    await Promise.all([claudeA.start(), claudeB.start()]);
    for (const fake of [claudeA, claudeB]) fake.addToken(CLAUDE_OAUTH_TOKEN, { usage: claudeUsage(), profile: claudeProfile(CLAUDE_EMAIL) });
    dirsA = cs.makeRunDirs('e2e-remote-host-a');
    dirsB = cs.makeRunDirs('e2e-remote-host-b');
    // devbox's own home (startCodeServer gives each run folder one): the Claude Code sign-in lives there only.
    const homeB = path.join(dirsB.base, 'home');
    fs.mkdirSync(path.join(homeB, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(homeB, '.claude', '.credentials.json'), JSON.stringify(claudeCredentials({ accessToken: CLAUDE_OAUTH_TOKEN })), { mode: 0o600 });
    fs.writeFileSync(path.join(homeB, '.claude.json'), JSON.stringify(claudeGlobalConfig(CLAUDE_EMAIL)));
    const vsix = cs.SCENARIO_VSIX;
    for (const [dirs, fake] of [
      [dirsA, claudeA],
      [dirsB, claudeB],
    ] as const) {
      cs.installVsix(dirs, vsix);
      cs.seedSettings(dirs, { 'tokstat.endpoints': { claude: fake.baseUrl }, 'tokstat.discovery.enabled': false });
    }
    [serverA, serverB] = await Promise.all([cs.startCodeServer({ dirs: dirsA }), cs.startCodeServer({ dirs: dirsB, hostname: DEVBOX })]);
    origin = await startSameOrigin({ a: serverA.port, b: serverB.port });
    browser = await cs.launchBrowser(dirsA);
    pageA = browser.page;
    pageB = await browser.context.newPage();
  });

  after(async function () {
    this.timeout(60_000);
    if (!dirsA || !dirsB) return;
    fs.writeFileSync(path.join(dirsB.base, 'measurements.json'), `${JSON.stringify(measured, null, 2)}\n`);
    console.log(`      measurements: ${JSON.stringify(measured)}`);
    const failed = this.test?.parent?.tests.some((t) => t.state === 'failed');
    if (failed && browser) {
      await pageA.screenshot({ path: path.join(dirsA.base, 'FAILED.png') }).catch(() => undefined);
      await pageB.screenshot({ path: path.join(dirsB.base, 'FAILED.png') }).catch(() => undefined);
    }
    await browser?.close();
    await origin?.close();
    await Promise.all([serverA?.stop(), serverB?.stop()]);
    await Promise.all([claudeA?.stop(), claudeB?.stop()]);
    if (failed) {
      cs.reportFailureLogs(dirsA);
      cs.reportFailureLogs(dirsB);
    }
  });

  it('the first host’s window leads; the devbox window follows it and holds its own host’s presence', async () => {
    await pageA.goto(`${origin!.url}/a/?folder=${encodeURIComponent(dirsA!.workspace)}`);
    await pageA.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 90_000 });
    await waitForStatus(pageA, 'window A: no accounts yet', (t) => /add account/i.test(t), 60_000);
    await waitUntil('window A leads', () => lastRole(dirsA!) === 'leader', 60_000);
    await pageB.goto(`${origin!.url}/b/?folder=${encodeURIComponent(dirsB!.workspace)}`);
    await pageB.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 90_000 });
    await waitForStatus(pageB, 'window B: no accounts yet', (t) => /add account/i.test(t), 60_000);
    // B follows A's host, which it names: `server:<this machine's name>` (code-server's remote name is its address).
    const followsA = new RegExp(`another host polls \\(server:${escapeRe(os.hostname())}#[0-9a-f]{8}\\)`);
    await waitUntil('window B follows the first host', () => lastRole(dirsB!) === 'follower' && followsA.test(tokstatLog(dirsB!)), 60_000);
    // Each window claims its host's presence record. Were both hosts one (the same host name), the record would be
    // one, and the second window would never hold it.
    const claimed = /\[hosts\] this window polls the accounts whose sign-in lives on this host/;
    await waitUntil('both windows hold their host’s presence', () => claimed.test(tokstatLog(dirsA!)) && claimed.test(tokstatLog(dirsB!)), 60_000);
    assert.equal(lastRole(dirsA!), 'leader');
    await shotA('a-leads');
    await shotB('devbox-follows');
  });

  it('a Claude Code account added in the devbox window is polled by that window', async () => {
    await runCommand(pageB, 'tokstat: Add Account');
    await waitForQuickInputTitle(pageB, 'tokstat: Add Account');
    await pick(pageB, 'Claude plan');
    // devbox's home has one Claude Code sign-in (~/.claude), so no folder is asked for: it is read and checked.
    await waitForQuickInputTitle(pageB, 'Account name', 30_000);
    const input = quickInput(pageB).locator('input.input');
    await waitUntil('the name pre-filled with the Claude account e-mail', async () => (await input.inputValue()) === CLAUDE_EMAIL);
    await submitQuickInput(pageB, 'Account name');
    await waitForStatus(pageB, 'the devbox window shows the 5-hour window at 51 %', shows(51), 30_000);
    await waitUntil('devbox polled the usage endpoint', () => usageCalls(claudeB) > 0, 30_000);
    assert.equal(claudeA!.requests.length, 0, 'the first host’s extension host sent Claude nothing');
    await shotB('devbox-added-claude');
  });

  it('the leader’s window shows the readings devbox takes, and leaves the account to devbox (no request, Refresh included)', async () => {
    const t0 = Date.now();
    try {
      await waitForStatus(pageA, 'window A shows the account at 51 %', shows(51), 30_000);
      measured.accountReachedLeaderMs = Date.now() - t0;
    } catch {
      // As in the scenario above: the account index is in SecretStorage, which the two code-servers do not share;
      // a window learns of the account from globalState when it (re)loads.
      measured.accountReachedLeaderMs = 'not live within 30 s; after a reload of A';
      await pageA.reload();
      await pageA.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 90_000 });
      await waitForStatus(pageA, 'window A (reloaded) shows the account at 51 %', shows(51), 60_000);
      await waitUntil('window A leads again', () => lastRole(dirsA!) === 'leader', 60_000);
    }
    await openTokstatView(pageA);
    await waitUntil('the account row in A reads 51 %', async () => /51\s*%/.test(await rowText(pageA, CLAUDE_EMAIL)), 30_000);
    assert.equal(lastRole(dirsA!), 'leader', 'A still polls everything else');
    await shotA('leader-shows-devbox-reading');

    // Refresh All in the leader's window: the account is left to devbox's window, nothing is called.
    await runCommand(pageA, 'tokstat: Refresh All');
    await waitUntil('A left the refresh to devbox', () => /refresh of \S+ left to the window on the host where its sign-in lives/.test(tokstatLog(dirsA!)), 30_000);

    // A new reading, taken by devbox, reaches the leader's window through globalState.
    const pct = 63;
    claudeB!.addToken(CLAUDE_OAUTH_TOKEN, {
      usage: claudeUsage({
        five_hour: { utilization: pct, resets_at: '2026-09-07T16:30:00.961652+00:00', limit_dollars: null, used_dollars: null, remaining_dollars: null, locked_reason: null },
        limits: [{ kind: 'session', group: 'session', percent: pct, severity: 'warning', resets_at: '2026-09-07T16:30:00.961652+00:00', scope: null, is_active: true }],
      }),
      profile: claudeProfile(CLAUDE_EMAIL),
    });
    const calls = usageCalls(claudeB);
    await runCommand(pageB, 'tokstat: Refresh All');
    await waitUntil('devbox polled again', () => usageCalls(claudeB) > calls, 30_000);
    await waitForStatus(pageB, `the devbox window shows ${pct} %`, shows(pct), 30_000);
    const t1 = Date.now();
    await waitForStatus(pageA, `the leader’s window shows ${pct} % (devbox’s reading, through globalState)`, shows(pct), 30_000);
    measured.devboxReadingReachedLeaderMs = Date.now() - t1;
    await waitUntil(`the account row in A reads ${pct} %`, async () => new RegExp(`${pct}\\s*%`).test(await rowText(pageA, CLAUDE_EMAIL)), 30_000);

    // Every Claude request came from devbox's extension host: the endpoint as the first host reaches it heard
    // nothing, its window logged no Claude request, and devbox's logged as many as its endpoint received.
    assert.equal(claudeA!.requests.length, 0, 'the first host’s extension host sent Claude nothing');
    assert.equal(claudeRequestsLogged(dirsA!), 0, 'window A logged no Claude request');
    await waitUntil('devbox logged each request its endpoint received', () => claudeRequestsLogged(dirsB!) === claudeB!.requests.length, 30_000);
    measured.devboxClaudeRequests = claudeB!.requests.length;
    assert.equal(lastRole(dirsA!), 'leader');
    await shotA(`leader-shows-${pct}`);
    await shotB(`devbox-${pct}`);
  });
});
