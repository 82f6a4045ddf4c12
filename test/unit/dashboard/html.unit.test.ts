import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsp, cssFontUrls, jsonForHtml, makeNonce, renderDashboardHtml } from '../../../src/ui/dashboard/html';

const CSP_SOURCE = 'https://*.vscode-cdn.net';

function cspOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'the page declares a CSP meta tag');
  return m[1]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

function directives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

function render(nonce = makeNonce()) {
  return {
    nonce,
    html: renderDashboardHtml({
      cspSource: CSP_SOURCE,
      nonce,
      scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/dashboard.js',
      codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicon.css',
      styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/dashboard.css'],
      title: 'tokstat <AI> & "usage"',
    }),
  };
}

test('CSP: default-src none, nonce scripts, cspSource styles/fonts/images, nothing unsafe', () => {
  const { html, nonce } = render();
  const csp = cspOf(html);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.doesNotMatch(csp, /\*(?!\.)/, 'no bare wildcard source');
  const d = directives(csp);
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), [`'nonce-${nonce}'`]);
  assert.deepEqual(d.get('style-src'), [CSP_SOURCE]);
  assert.deepEqual(d.get('font-src'), [CSP_SOURCE]);
  assert.deepEqual(d.get('img-src'), [CSP_SOURCE, 'data:']);
  assert.equal(csp, buildCsp(CSP_SOURCE, nonce));
});

test('every script carries the nonce; no inline script or style', () => {
  const { html, nonce } = render();
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]![1]!, new RegExp(`nonce="${nonce}"`));
  assert.match(scripts[0]![1]!, /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\/dashboard\.js"/);
  assert.equal(scripts[0]![2]!.trim(), '', 'the script is external, not inline');
  assert.doesNotMatch(html, /<style\b/);
  assert.doesNotMatch(html, /\sstyle=/);
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
});

test('stylesheets are linked in order, codicons first with the id vscode-elements looks for', () => {
  const { html } = render();
  const links = [...html.matchAll(/<link rel="stylesheet"([^>]*)>/g)].map((m) => m[1]!);
  assert.equal(links.length, 2);
  assert.match(links[0]!, /id="vscode-codicon-stylesheet"/);
  assert.match(links[0]!, /codicon\.css/);
  assert.match(links[1]!, /media\/dashboard\.css/);
});

test('the title is escaped', () => {
  const { html } = render();
  assert.match(html, /<title>tokstat &lt;AI&gt; &amp; "usage"<\/title>/);
});

test('makeNonce: 32 alphanumeric characters, different every call', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const n = makeNonce();
    assert.match(n, /^[A-Za-z0-9]{32}$/);
    seen.add(n);
  }
  assert.equal(seen.size, 1000);
  const a = render();
  const b = render();
  assert.notEqual(a.nonce, b.nonce);
  assert.notEqual(cspOf(a.html), cspOf(b.html));
});

test('refuses a weak nonce or a cspSource that could smuggle directives', () => {
  const base = { cspSource: CSP_SOURCE, scriptUri: 'x', styleUris: [], title: 't' };
  assert.throws(() => renderDashboardHtml({ ...base, nonce: 'short' }));
  assert.throws(() => renderDashboardHtml({ ...base, nonce: `${makeNonce()}"` }));
  assert.throws(() => renderDashboardHtml({ ...base, nonce: makeNonce(), cspSource: "https://x; script-src 'unsafe-inline'" }));
  assert.throws(() => renderDashboardHtml({ ...base, nonce: makeNonce(), cspSource: "'unsafe-eval'" }));
  assert.throws(() => renderDashboardHtml({ ...base, nonce: makeNonce(), cspSource: 'https://x" onload="x' }));
  // What VS Code ≥ 1.100 really passes: a space-separated source list with a quoted keyword.
  const real = renderDashboardHtml({ ...base, nonce: makeNonce(), cspSource: "'self' https://*.vscode-cdn.net" });
  assert.match(real, /style-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
});

test('an initial state is embedded as an inert JSON data block that no account name can break out of', () => {
  const nonce = makeNonce();
  const state = { accounts: [{ name: '</script><script>alert(1)</script><!--' }], now: 1 };
  const html = renderDashboardHtml({ cspSource: CSP_SOURCE, nonce, scriptUri: 'https://x.vscode-cdn.net/d.js', styleUris: [], title: 't', initialState: state });
  const blocks = [...html.matchAll(/<script type="application\/json" id="tokstat-initial-state">([\s\S]*?)<\/script>/g)];
  assert.equal(blocks.length, 1);
  assert.doesNotMatch(blocks[0]![1]!, /</, 'no "<" inside the block');
  assert.deepEqual(JSON.parse(blocks[0]![1]!), state);
  // The data block comes before the dashboard script (which reads it) and is the only script without the nonce.
  assert.ok(html.indexOf('tokstat-initial-state') < html.indexOf('d.js'));
  const executable = [...html.matchAll(/<script\b([^>]*)>/g)].filter((m) => !/type="application\/json"/.test(m[1]!));
  assert.equal(executable.length, 1);
  assert.match(executable[0]![1]!, new RegExp(`nonce="${nonce}"`));
  assert.equal(jsonForHtml('a<b'), '"a\\u003cb"');
});

test('fonts to preload are linked before the stylesheets that use them', () => {
  const html = renderDashboardHtml({ cspSource: CSP_SOURCE, nonce: makeNonce(), scriptUri: 'https://x/d.js', styleUris: ['https://x/s.css'], title: 't', preloadFonts: ['https://x/f.ttf?a&b'] });
  const preload = html.indexOf('<link rel="preload" as="font" type="font/ttf" crossorigin href="https://x/f.ttf?a&amp;b">');
  assert.ok(preload > 0);
  assert.ok(preload < html.indexOf('https://x/s.css'));
});

test('cssFontUrls lists the relative font files a stylesheet names, query kept, each once', () => {
  const css = `@font-face{src:url("./codicon.ttf?721d") format("truetype")}
  @font-face{src:url('a.woff2'), url(b.woff?x#y), url("./codicon.ttf?721d"), url(data:font/ttf;base64,AAAA), url(https://cdn/x.ttf), url(/abs.ttf), url(img.png)}`;
  assert.deepEqual(cssFontUrls(css), ['./codicon.ttf?721d', 'a.woff2', 'b.woff?x#y']);
  assert.deepEqual(cssFontUrls('body{}'), []);
});
