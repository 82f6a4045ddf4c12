// Shared by the chart tests and bench/dashboard.ts: builds the real webview bundle with esbuild into a temp folder,
// serves it with the real CSP page (renderDashboardHtml) from a loopback server, and opens Chromium pages with a
// stubbed acquireVsCodeApi that records what the webview posts and CSP violations.
// Optionally the stub plays the host inside the page (`autoHost`), so a benchmark measures the webview alone.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { ChartSeries, DashboardState } from '../../src/shared/protocol';
import { cssFontUrls, makeNonce, renderDashboardHtml } from '../../src/ui/dashboard/html';

// The test tsconfig has no DOM lib; these are only touched inside page.evaluate / init-script callbacks.
declare const window: any;
declare const document: any;

export const CHROMIUM = process.env.TOKSTAT_CHROMIUM || '/usr/bin/chromium';
export const ROOT = path.resolve(__dirname, '../../..');

export interface AutoHost {
  state: DashboardState;
  /** Series by `${accountId}/${meterId}`; the answer's `range` is set to the requested one. Missing → null. */
  series: Record<string, ChartSeries>;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  autoHost?: AutoHost;
  /** Resolve once the webview has posted `ready` (default true). */
  waitForReady?: boolean;
  /** Extra script run in the page before the dashboard (e.g. a benchmark's probes); `arg` is serialized. */
  initScript?: { fn: (arg: any) => void; arg?: unknown };
  /** Embedded in the page as the host does when it opens the panel (rendered before the `ready` handshake). */
  initialState?: DashboardState;
  /** Called with the page before it navigates (e.g. to start a CDP profiler). */
  beforeGoto?: (page: Page) => Promise<void>;
  /** What the webview's `getState()` returns at load (VS Code's per-webview persisted state); `setState` replaces it. */
  persisted?: unknown;
  /** Installs Playwright's fake clock at this epoch ms before the page loads (timers then advance on `clock.runFor`). */
  clockAt?: number;
  /**
   * Holds the page's idle callbacks (requestIdleCallback) until `releaseUntilBuilt()`: the cards far below stay
   * placeholders and the work put off until idle has not run, whatever the machine's load.
   */
  holdIdle?: boolean;
}

export interface Harness {
  page: Page;
  /** Console CSP reports and page errors. */
  violations: string[];
  posted(): Promise<any[]>;
  clearPosted(): Promise<void>;
  /** Posts `data` to the page as the host would, then lets the page's handlers run. */
  send(data: unknown): Promise<void>;
  /** Every CSP violation (event and console) and page error seen so far. */
  allViolations(): Promise<string[]>;
}

export interface WebviewServer {
  origin: string;
  browser: Browser;
  /** Serves `body` at `pathname` from now on (e.g. a static copy of a rendered page, for the benchmark). */
  serve(pathname: string, type: string, body: string): void;
  open(opts?: OpenOptions): Promise<Harness>;
  close(): Promise<void>;
}

export async function startWebviewServer(opts: { themeCss?: string; minify?: boolean } = {}): Promise<WebviewServer> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-webview-'));
  let server: http.Server | undefined;
  let browser: Browser | undefined;
  try {
    const esbuild = await import('esbuild');
    // The shipped build's options (build/webview.js), into a temp folder.
    const { webviewBuildOptions } = require(path.join(ROOT, 'build', 'webview.js')) as { webviewBuildOptions(o: { root: string; minify: boolean }): Record<string, unknown> };
    await esbuild.build({ ...webviewBuildOptions({ root: ROOT, minify: opts.minify ?? false }), outdir: outDir, logLevel: 'error' });
    const files = new Map<string, { type: string; body: Buffer | string }>();
    for (const f of fs.readdirSync(outDir)) {
      const type = f.endsWith('.js') ? 'text/javascript' : f.endsWith('.css') ? 'text/css' : f.endsWith('.ttf') ? 'font/ttf' : 'application/octet-stream';
      files.set(`/dist/webview/${f}`, { type, body: fs.readFileSync(path.join(outDir, f)) });
    }
    files.set('/media/dashboard.css', { type: 'text/css', body: fs.readFileSync(path.join(ROOT, 'media', 'dashboard.css')) });
    files.set('/theme.css', { type: 'text/css', body: opts.themeCss ?? '' });
    let origin = '';
    /** The initial state of the page being opened (pages are opened one at a time). */
    let embedState: DashboardState | undefined;
    const srv = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/') {
        const html = renderDashboardHtml({
          cspSource: origin,
          nonce: makeNonce(),
          scriptUri: `${origin}/dist/webview/dashboard.js`,
          codiconUri: `${origin}/dist/webview/codicon.css`,
          // The same order as panel.ts: uPlot's CSS (dist/webview/dashboard.css), then ours.
          styleUris: [`${origin}/theme.css`, `${origin}/dist/webview/dashboard.css`, `${origin}/media/dashboard.css`],
          title: 'tokstat',
          ...(embedState ? { initialState: embedState } : {}),
          // As panel.ts does: the codicon font is preloaded.
          preloadFonts: cssFontUrls(String(files.get('/dist/webview/codicon.css')!.body)).map((ref) => new URL(ref, `${origin}/dist/webview/codicon.css`).toString()),
        });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
        return;
      }
      const f = files.get(url.pathname);
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': f.type }).end(f.body);
    });
    server = srv;
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const { chromium } = await import('playwright-core');
    const b = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-precise-memory-info'],
    });
    browser = b;

    const open = async (o: OpenOptions = {}): Promise<Harness> => {
      const page = await b.newPage({ viewport: o.viewport ?? { width: 1000, height: 800 }, timezoneId: 'UTC', locale: 'en-US' });
      const violations: string[] = [];
      page.on('console', (msg) => {
        if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(`console: ${msg.text()}`);
      });
      page.on('pageerror', (err) => violations.push(`pageerror: ${err.message}`));
      if (o.clockAt !== undefined) await page.clock.install({ time: o.clockAt });
      // The simulated host's data stays in Node, as the real host's stays in the extension host: the page asks for it
      // through a binding (asynchronous, as VS Code's messages are; the history requests of one task go as one call,
      // one round trip, as the real host answers them together). Put into the init script it would be parsed and
      // run in every page before the dashboard (the benchmark's 80 series are ~600 KB of script), a cost the real
      // webview never has and the benchmark's static copy does not pay.
      const host = o.autoHost;
      if (host) {
        await page.exposeFunction('__tokstatHost', (kind: 'state' | 'history', keys: string[]) =>
          // As a JSON string: Playwright's own serialization of a large object is far slower to rebuild in the page.
          JSON.stringify(kind === 'state' ? host.state : keys.map((key) => host.series[key] ?? null)),
        );
      }
      await page.addInitScript(({ autoHost, persisted }: { autoHost: boolean; persisted: unknown }) => {
        const w = window as any;
        w.__posted = [];
        w.__violations = [];
        w.__state = persisted;
        w.__setStateCalls = 0;
        // The dashboard must never use alert() (VS Code webviews ignore it); recorded so a test can tell.
        w.__alerted = false;
        w.alert = () => {
          w.__alerted = true;
        };
        document.addEventListener('securitypolicyviolation', (e: any) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
        let acquired = false;
        /** History requests not yet sent to the simulated host (sent together from the next task). */
        let historyBatch: any[] = [];
        w.acquireVsCodeApi = () => {
          if (acquired) throw new Error('acquireVsCodeApi called twice');
          acquired = true;
          return {
            postMessage: (m: any) => {
              w.__posted.push(JSON.parse(JSON.stringify(m)));
              if (!autoHost) return;
              // Answered through window.postMessage, i.e. asynchronously, as VS Code delivers host messages. The answer
              // is posted from a task of its own: the real host serialises it in its own process, not in the
              // webview's task that posted `ready` (which, with an embedded initial state, is the first render). As
              // the real host (panel.ts) answers a page that drew the embedded state, unchanged since: the clock.
              if (m.type === 'ready') {
                if (m.embedded) setTimeout(() => window.postMessage({ type: 'clock', now: Date.now() }, '*'), 0);
                else void w.__tokstatHost('state', []).then((json: string) => window.postMessage({ type: 'state', state: JSON.parse(json) }, '*'));
              }
              if (m.type === 'requestHistory') {
                if (historyBatch.length === 0) {
                  setTimeout(() => {
                    const batch = historyBatch;
                    historyBatch = [];
                    void w.__tokstatHost('history', batch.map((r) => `${r.accountId}/${r.meterId}`)).then((json: string) =>
                      (JSON.parse(json) as any[]).forEach((s, i) => {
                        const r = batch[i];
                        window.postMessage({ type: 'history', requestId: r.requestId, series: s ? { ...s, range: r.range } : null }, '*');
                      }),
                    );
                  }, 0);
                }
                historyBatch.push(m);
              }
            },
            getState: () => w.__state,
            setState: (st: unknown) => {
              w.__state = st;
              w.__setStateCalls++;
            },
          };
        };
      }, { autoHost: o.autoHost !== undefined, persisted: o.persisted });
      if (o.holdIdle) {
        await page.addInitScript(() => {
          const held: Array<() => void> = [];
          (window as any).requestIdleCallback = (cb: () => void) => held.push(cb);
          (window as any).__releaseIdle = () => held.splice(0).forEach((cb) => cb());
        });
      }
      if (o.initScript) await page.addInitScript(o.initScript.fn, o.initScript.arg);
      await o.beforeGoto?.(page);
      embedState = o.initialState;
      await page.goto(`${origin}/`);
      if (o.waitForReady !== false) await page.waitForFunction(() => (window as any).__posted.length > 0);
      return {
        page,
        violations,
        posted: () => page.evaluate(() => (window as any).__posted),
        clearPosted: () => page.evaluate(() => void ((window as any).__posted.length = 0)),
        send: async (data) => {
          await page.evaluate((d) => window.postMessage(d, '*'), data);
          await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
        },
        allViolations: async () => [...((await page.evaluate(() => (window as any).__violations)) as string[]), ...violations],
      };
    };

    const close = async () => {
      await b.close().catch(() => undefined);
      await new Promise<void>((resolve) => srv.close(() => resolve()));
      fs.rmSync(outDir, { recursive: true, force: true });
    };
    const serve = (pathname: string, type: string, body: string) => void files.set(pathname, { type, body });
    return { origin, browser: b, open, close, serve };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    if (server) server.close();
    fs.rmSync(outDir, { recursive: true, force: true });
    throw err;
  }
}

/** With `holdIdle`: runs the held idle callbacks, and those they queue, until every placeholder card is built. */
export async function releaseUntilBuilt(h: Harness): Promise<void> {
  await h.page.waitForFunction(() => {
    const w = globalThis as any;
    w.__releaseIdle();
    return w.document.querySelectorAll('[data-testid="account-card-pending"]').length === 0;
  });
}
