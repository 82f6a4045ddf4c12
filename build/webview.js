'use strict';
// The dashboard webview's esbuild options, shared by esbuild.js and the tests' webview harness
// (test/unit/dashboard/webviewHarness.ts), so the page the tests and the benchmark measure is the page that ships.
const fs = require('fs');
const path = require('path');

/**
 * uPlot builds two Intl objects when its module loads: a NumberFormat for its default axis and legend values and a
 * DateTimeFormat only to learn the local time zone for `tzDate`. The first Intl object a webview process builds costs
 * 40–60 ms (ICU's start-up; measured in headless Chromium on the CI machines), which would land in the dashboard's
 * first render although tokstat uses neither: its charts format their own axis values (webview/chart/options.ts) and never
 * call `tzDate`. This makes both lazy — built on first use, with the same values — and fails the build if the
 * source no longer has the expected text (an upgrade must look again).
 */
const UPLOT_PATCHES = [
  [
    "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\nconst fmtNum = val => numFormatter.format(val);",
    "let numFormatter;\nconst fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);",
  ],
  ['const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;', 'let localTz;'],
  ['else if (tz == localTz)', 'else if (tz == (localTz ??= new Intl.DateTimeFormat().resolvedOptions().timeZone))'],
];

const lazyUplotIntl = {
  name: 'lazy-uplot-intl',
  setup(build) {
    build.onLoad({ filter: /[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, async (args) => {
      let text = await fs.promises.readFile(args.path, 'utf8');
      for (const [from, to] of UPLOT_PATCHES) {
        if (!text.includes(from)) throw new Error(`lazy-uplot-intl: ${path.basename(args.path)} no longer contains ${JSON.stringify(from.split('\n')[0])}`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/** esbuild options for dist/webview (dashboard.js + uPlot's CSS as dashboard.css, elements.js, uplot.js, codicon.css + its font). */
function webviewBuildOptions({ root = path.resolve(__dirname, '..'), minify = false } = {}) {
  return {
    absWorkingDir: root,
    // codicon.css (+ its .ttf via the file loader) is copied next to the script.
    // elements.js: the @vscode-elements components, loaded by dashboard.js after the first frame (webview/elements.ts).
    // uplot.js: uPlot, loaded by dashboard.js when the first chart starts or after the first frame (webview/uplot.ts).
    entryPoints: { dashboard: 'webview/main.ts', elements: 'webview/elements.ts', uplot: 'webview/uplot.ts', codicon: require.resolve('@vscode/codicons/dist/codicon.css', { paths: [root] }) },
    bundle: true,
    minify,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.ttf': 'file' },
    plugins: [lazyUplotIntl],
  };
}

module.exports = { webviewBuildOptions, UPLOT_PATCHES };
