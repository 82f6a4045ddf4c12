#!/usr/bin/env node
// Where the dashboard's first render spends its time from navigation start, against the static copy of its final DOM
// (as bench/dashboard.ts's ratio, docs/bench-dashboard.md "Where the gap was"): medians over interleaved pages of
// navigation, resource and paint timing and the script-start mark; with TRACE=<file.json> also one CDP trace of a
// dashboard page. With SERIES=1 the simulated host holds the bench's 80 series (otherwise none: no chart is in view
// at 1000 × 800); before the harness kept them in Node, that put them in every dashboard page's init script. Needs the compiled bench: `npx tsc -p .` first.
//   node scripts/profile-dashboard.js [pages]
const path = require('path');
const root = path.resolve(__dirname, '..');
const pages = Number(process.argv[2] || 9);
const { benchState, measureInPage, staticCopy, benchSeries } = require(path.join(root, 'out/bench/dashboard.js'));
const { startWebviewServer } = require(path.join(root, 'out/test/webview/webviewHarness.js'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function probeTimes() {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource').map((r) => ({ n: r.name.split('/').pop(), s: r.startTime, e: r.responseEnd }));
  const paints = performance.getEntriesByType('paint').map((p) => ({ n: p.name, t: p.startTime }));
  const mark = performance.getEntriesByName('tokstat:script-start')[0];
  return { respEnd: nav.responseEnd, domInteractive: nav.domInteractive, dcl: nav.domContentLoadedEventStart, res, paints, scriptStart: mark ? mark.startTime : undefined };
}
(async () => {
  const state = benchState();
  const srv = await startWebviewServer({ minify: true });
  const viewport = { width: 1000, height: 800 };
  const series = process.env.SERIES ? benchSeries(state, new Map()).series : {};
  console.log('series JSON chars', JSON.stringify(series).length);
  const open = () => srv.open({ autoHost: { state, series }, initialState: state, waitForReady: false, viewport, initScript: { fn: measureInPage } });
  const probe = await open();
  await probe.page.evaluate(() => window.__firstRender);
  await probe.page.waitForFunction(() => document.querySelectorAll('[data-testid="account-card-pending"]').length === 0);
  srv.serve('/static.html', 'text/html; charset=utf-8', staticCopy(await probe.page.evaluate(() => document.documentElement.outerHTML)));
  const htmlLen = await probe.page.evaluate(() => document.documentElement.outerHTML.length);
  await probe.page.close();
  const D = [], S = [];
  for (let i = 0; i < pages; i++) {
    const h = await open();
    const r = await h.page.evaluate(() => window.__firstRender);
    await h.page.waitForTimeout(50);
    const t = await h.page.evaluate(probeTimes);
    D.push({ ...t, shown: r.shown, cards: r.cards });
    await h.page.close();
    const p = await srv.browser.newPage({ viewport, timezoneId: 'UTC', locale: 'en-US' });
    await p.addInitScript(() => {
      window.__shown = new Promise((resolve) => document.addEventListener('DOMContentLoaded', () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0))));
    });
    await p.goto(`${srv.origin}/static.html`);
    const sh = await p.evaluate(() => window.__shown);
    await p.waitForTimeout(50);
    const st = await p.evaluate(probeTimes);
    S.push({ ...st, shown: sh });
    await p.close();
  }
  const col = (arr, f) => median(arr.map(f)).toFixed(1);
  const resEnd = (x, n) => { const r = x.res.find((r) => r.n === n); return r ? r.e : NaN; };
  const resStart = (x, n) => { const r = x.res.find((r) => r.n === n); return r ? r.s : NaN; };
  console.log('static html chars', htmlLen);
  console.log('dashboard: respEnd', col(D, (x) => x.respEnd), 'js start', col(D, (x) => resStart(x, 'dashboard.js')), 'js end', col(D, (x) => resEnd(x, 'dashboard.js')), 'css end', col(D, (x) => resEnd(x, 'dashboard.css')),
    'scriptStart', col(D, (x) => x.scriptStart), 'cardsEnd', col(D, (x) => x.scriptStart + x.cards), 'domInteractive', col(D, (x) => x.domInteractive), 'dcl', col(D, (x) => x.dcl),
    'FP', col(D, (x) => (x.paints.find((p) => p.n === 'first-paint') || { t: NaN }).t), 'FCP', col(D, (x) => (x.paints.find((p) => p.n === 'first-contentful-paint') || { t: NaN }).t), 'shown', col(D, (x) => x.shown));
  console.log('static:    respEnd', col(S, (x) => x.respEnd), 'css end', col(S, (x) => resEnd(x, 'dashboard.css')), 'domInteractive', col(S, (x) => x.domInteractive), 'dcl', col(S, (x) => x.dcl),
    'FP', col(S, (x) => (x.paints.find((p) => p.n === 'first-paint') || { t: NaN }).t), 'FCP', col(S, (x) => (x.paints.find((p) => p.n === 'first-contentful-paint') || { t: NaN }).t), 'shown', col(S, (x) => x.shown));
  console.log('ratio', (median(D.map((x) => x.shown)) / median(S.map((x) => x.shown))).toFixed(2));
  if (process.env.TRACE) {
    // One traced dashboard page.
    const hh = await srv.open({ autoHost: { state, series: {} }, initialState: state, waitForReady: false, viewport, initScript: { fn: measureInPage },
      beforeGoto: async (page) => { await srv.browser.startTracing(page, { path: process.env.TRACE, categories: ['devtools.timeline', 'v8', 'disabled-by-default-devtools.timeline', 'blink', 'loading', 'v8.execute'] }); } });
    await hh.page.evaluate(() => window.__firstRender);
    await hh.page.waitForTimeout(300);
    await srv.browser.stopTracing();
    await hh.page.close();
  }
  await srv.close();
})().catch((e) => { console.error(e); process.exit(1); });
