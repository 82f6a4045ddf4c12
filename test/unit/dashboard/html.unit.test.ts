import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsp, makeNonce, renderDashboardHtml } from '../../../src/ui/dashboard/html';

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
