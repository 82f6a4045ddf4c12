// tokstat's requests follow VS Code's proxy setting (#19), in a real VS Code (code-server + headless Chromium) with a
// real proxy (Debian's tinyproxy, started by the test on loopback). The fake OpenRouter refuses every request that
// did not come through the proxy (no tinyproxy Via header), so an account that polls fine is proof of the proxy
// path; tinyproxy's own log shows each request. Then `http.proxy` is switched (in the running window) to a proxy
// that requires Basic authentication: without credentials the account shows "Proxy authentication required (407)",
// not a network error; with `http://user:pass@…` it polls again, and the credentials appear in none of tokstat's logs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { orKey } from '../builders/openrouter';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { OPENROUTER_KEY, PROXY_PASSWORD, PROXY_USER } from '../fakes/secrets';
import * as cs from '../support/codeServer';
import { Tinyproxy, tinyproxyMissing, VIA_NAME } from '../support/tinyproxy';
import { addOpenRouterAccount, editUserSettings, openTokstatView, rowText, runCommand, scenarioHooks, screenshots, treeRow, waitForStatus, waitUntil } from './support';

const OR_NAME = 'proxied-openrouter';

describe('tokstat: requests go through VS Code\'s http.proxy (code-server + Chromium + tinyproxy)', function () {
  this.timeout(120_000);
  let or: OpenRouterFake;
  let open: Tinyproxy;
  let locked: Tinyproxy;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;

  const shot = screenshots(() => page, () => dirs.base);

  /** The tokstat output channel's log file(s) of this run. */
  const tokstatLog = () =>
    cs
      .findFiles(dirs.userData, (p) => /tokstat/i.test(path.basename(p)) && p.endsWith('.log'))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');

  /** Changes http.proxy in the running window, through the settings editor, and waits until tokstat took it. */
  const setProxy = async (proxy: string) => {
    const before = (tokstatLog().match(/network settings changed/g) ?? []).length;
    await editUserSettings(page, dirs.userData, { 'http.proxy': proxy });
    await waitUntil('tokstat saw the new http.proxy', () => (tokstatLog().match(/network settings changed/g) ?? []).length > before, 30_000);
  };

  const accountRow = () => rowText(page, OR_NAME);

  before(async function () {
    this.timeout(180_000);
    const missing = tinyproxyMissing();
    if (missing) throw new Error(missing);
    dirs = cs.makeRunDirs('e2e-proxy');
    const proxyDir = path.join(dirs.base, 'tinyproxy');
    open = new Tinyproxy(proxyDir, 'open');
    locked = new Tinyproxy(proxyDir, 'locked', { user: PROXY_USER, password: PROXY_PASSWORD });
    or = new OpenRouterFake();
    // Direct access denied: only requests that tinyproxy forwarded (its Via header) are served.
    or.guard = (r) => (String(r.headers.via ?? '').includes(VIA_NAME) ? undefined : { status: 403, json: { error: { code: 403, message: 'direct access denied: use the proxy' } } });
    await Promise.all([or.start(), open.start(), locked.start()]);
    or.addKey(OPENROUTER_KEY, orKey({ label: OR_NAME }));

    ({ server, browser, page } = await cs.startScenario(dirs, { 'tokstat.endpoints': { openrouter: or.baseUrl }, 'http.proxy': open.url }));
    await page.goto(cs.workbenchUrl(server));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), () => Promise.all([or?.stop(), open?.stop(), locked?.stop()]));

  it('the fake OpenRouter refuses a request that does not come through the proxy', async () => {
    const res = await fetch(`${or.baseUrl}/key`, { headers: { authorization: `Bearer ${OPENROUTER_KEY}` } });
    assert.equal(res.status, 403);
    or.clearLog();
  });

  it('adds an OpenRouter account and polls it through the proxy of http.proxy (tinyproxy logs each request)', async () => {
    await waitForStatus(page, 'no accounts yet', (t) => /add account/i.test(t), 60_000);
    await addOpenRouterAccount(page, OPENROUTER_KEY);
    await waitForStatus(page, `${OR_NAME} with a percentage`, (t) => t.includes(OR_NAME) && /\d+\s*%/.test(t));
    const keyCalls = or.requestsTo('/api/v1/key');
    assert.ok(keyCalls.length >= 1, 'the key was checked');
    for (const r of or.requests) assert.match(String(r.headers.via), new RegExp(VIA_NAME), `${r.method} ${r.path} came through tinyproxy`);
    const proxied = open.requests();
    assert.ok(
      proxied.some((l) => l.startsWith(`GET ${or.url}/api/v1/key `)),
      `tinyproxy's log shows the poll: ${proxied.join('; ')}`,
    );
    assert.ok(proxied.length >= or.requests.length, `every request the fake saw is in tinyproxy's log (${proxied.length} ≥ ${or.requests.length})`);
    assert.match(tokstatLog(), new RegExp(`requests go through the proxy 127\\.0\\.0\\.1:${open.port} \\(from http\\.proxy\\)`));
    await shot('polled-through-proxy');
  });

  it('a proxy that answers 407: the account shows "Proxy authentication required", not a network error', async () => {
    await setProxy(locked.url);
    const before = locked.requests().length;
    await runCommand(page, 'tokstat: Refresh All');
    await openTokstatView(page);
    // The account keeps its last balance (marked stale), leads with the reason, and offers a "Retry" row.
    const row = await waitUntil('the account row says the proxy wants authentication', async () => {
      const t = await accountRow();
      return /Proxy authentication required/.test(t) ? t : false;
    }, 30_000);
    assert.ok(!/unreachable|network|could not reach/i.test(row), row);
    assert.match(row, /stale/, row);
    assert.equal(await treeRow(page, 'Retry').count(), 1, 'a Retry row');
    const status = await waitForStatus(page, 'the status bar says why the numbers are stale', (t) => /proxy authentication required/i.test(t));
    assert.ok(!/unreachable/i.test(status), status);
    assert.ok(locked.requests().length > before, 'the request reached the locked proxy');
    await shot('proxy-407');
  });

  it('credentials in http.proxy: polling works again and the credentials appear in none of tokstat\'s logs', async () => {
    await setProxy(locked.urlWithCredentials());
    const before = or.requestsTo('/api/v1/key').length;
    await runCommand(page, 'tokstat: Refresh All');
    await waitUntil('OpenRouter polled through the authenticating proxy', () => or.requestsTo('/api/v1/key').length > before, 30_000);
    const row = await waitUntil('the account row shows the balance again (no longer stale, no Retry row)', async () => {
      const t = await accountRow();
      return /stale|error/.test(t) || (await treeRow(page, 'Retry').count()) > 0 ? false : t;
    }, 30_000);
    assert.match(row, /\d+\s*%/, row);
    assert.ok(locked.requests().some((l) => l.startsWith(`GET ${or.url}/api/v1/key `)), 'the locked tinyproxy forwarded the poll');
    const log = tokstatLog();
    assert.match(log, new RegExp(`requests go through the proxy 127\\.0\\.0\\.1:${locked.port} \\(from http\\.proxy, with credentials\\)`));
    for (const secret of [PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD), `${PROXY_USER}:`, Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')]) {
      assert.ok(!log.includes(secret), `tokstat's log shows ${secret === PROXY_PASSWORD ? 'the proxy password' : 'a form of the credentials'}`);
    }
    await shot('proxy-with-credentials');
  });
});
