// The dashboard's HTML shell and its Content-Security-Policy. No vscode import, so it is unit-testable.
//
// CSP: `default-src 'none'` and then only what the page needs:
//   script-src 'nonce-…'      the bundled script (no 'unsafe-inline', no 'unsafe-eval': the bundle has no eval,
//                             and the webview imports only types from the zod-based protocol module), and
//                             elements.js (the @vscode-elements components) and uplot.js (uPlot, for the charts),
//                             which that script adds later (webview/lazyScript.ts) with the same nonce: the policy
//                             did not change for them. The components' styles
//                             are constructable stylesheets (adoptedStyleSheets), which style-src does not govern.
//   style-src  <cspSource>    <link>ed stylesheets from the extension (dashboard.css, codicon.css, uPlot's CSS).
//                             No inline styles are needed: the script (and uPlot, for chart layout and the cursor)
//                             only writes `element.style` through the CSSOM, which a style-src without
//                             'unsafe-inline' does not block; only `style="…"` attributes and <style> would be.
//   font-src   <cspSource>    the codicon font
//   img-src    <cspSource> data:
import { randomBytes } from 'node:crypto';

export interface DashboardHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** From `makeNonce()`, fresh for every render. */
  nonce: string;
  /** `webview.asWebviewUri(dist/webview/dashboard.js)` as a string. */
  scriptUri: string;
  /** Stylesheets, in order (e.g. codicon.css then dashboard.css). */
  styleUris: readonly string[];
  title: string;
  /**
   * The codicon stylesheet, if any. Rendered first with id `vscode-codicon-stylesheet` and the nonce, which is what
   * @vscode-elements' `vscode-icon` looks for should the webview ever use it.
   */
  codiconUri?: string;
  /**
   * The state to render at once, before the `ready` handshake: embedded as a JSON data block (`type` is not a script
   * type, so it is never executed and the CSP does not apply to it), which the webview reads and validates like any
   * host message. Saves the first render a round trip and the painting of a "Loading…" page.
   */
  initialState?: unknown;
  /**
   * Fonts the stylesheets use, fetched while the page is parsed (`<link rel="preload">`): otherwise the fetch of the
   * codicon font starts in the first style recalc, which then spends ~50 ms starting it (measured in headless
   * Chromium). Each URL must be exactly the one the stylesheet names, query included, or the preload is wasted.
   */
  preloadFonts?: readonly string[];
  /** The page's language (`vscode.env.language`), for screen readers and hyphenation; default "en". */
  lang?: string;
}

export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const NONCE_RE = /^[A-Za-z0-9]{16,}$/;

export function renderDashboardHtml(o: DashboardHtmlOptions): string {
  if (!NONCE_RE.test(o.nonce)) throw new Error('renderDashboardHtml: the nonce must be at least 16 alphanumeric characters');
  // cspSource is a space-separated source list such as `'self' https://*.vscode-cdn.net` (VS Code ≥ 1.100): allow
  // spaces and single quotes, but nothing that could end the directive or the attribute, and no unsafe keyword.
  if (/[;,"<>\r\n]/.test(o.cspSource) || /unsafe-/i.test(o.cspSource)) throw new Error('renderDashboardHtml: unexpected characters in cspSource');
  const csp = buildCsp(o.cspSource, o.nonce);
  const links: string[] = [];
  if (o.codiconUri) {
    links.push(`<link rel="stylesheet" id="vscode-codicon-stylesheet" nonce="${o.nonce}" href="${escapeAttr(o.codiconUri)}">`);
  }
  for (const href of o.preloadFonts ?? []) links.push(`<link rel="preload" as="font" type="font/ttf" crossorigin href="${escapeAttr(href)}">`);
  for (const href of o.styleUris) links.push(`<link rel="stylesheet" href="${escapeAttr(href)}">`);
  return `<!DOCTYPE html>
<html lang="${escapeAttr(o.lang && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/.test(o.lang) ? o.lang : 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${links.join('\n')}
<title>${escapeText(o.title)}</title>
</head>
<body>
<div id="app"><p class="booting">Loading…</p></div>
${o.initialState === undefined ? '' : `<script type="application/json" id="tokstat-initial-state">${jsonForHtml(o.initialState)}</script>\n`}<script nonce="${o.nonce}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 alphanumeric characters from the CSPRNG (rejection sampling keeps the distribution uniform; ~190 bits). */
export function makeNonce(length = 32): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248) out += ALNUM[b % 62]; // 248 = 4 × 62: values above would bias the first characters
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * JSON safe inside a <script> data block: `<` becomes \u003c, so no account name can close the element (`</script>`)
 * or open a comment (`<!--`); JSON.parse reads the escape back as `<`.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The relative `.ttf`/`.woff`/`.woff2` URLs a stylesheet's `url(...)`s name, in order, without duplicates (query kept:
 * a preload must ask for exactly the URL the stylesheet will).
 */
export function cssFontUrls(css: string): string[] {
  const out: string[] = [];
  for (const m of css.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/g)) {
    const ref = m[2]!.trim();
    if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('/')) continue; // only files shipped next to the stylesheet
    if (!/\.(ttf|woff2?)(?:[?#]|$)/i.test(ref)) continue;
    if (!out.includes(ref)) out.push(ref);
  }
  return out;
}

/** For double-quoted attribute values (the only kind this template uses), so `'` can stay readable in the CSP. */
function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
