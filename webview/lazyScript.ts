// Scripts shipped next to dist/webview/dashboard.js that the page loads later (elements.js, uplot.js): each gets a
// <script> with this script's nonce, which is what the CSP's `script-src 'nonce-…'` allows, so the policy needs no
// new source. The script element (and so its URL and nonce) is only readable while dashboard.js runs its first task:
// this module captures it when it is evaluated.
const self = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;

const loading = new Map<string, Promise<void>>();

/**
 * Adds `<script src="<name>" nonce async>` next to this script, once per name; the promise settles when it has run
 * (or failed to load). Without a script element of its own (not loaded from a file) it rejects.
 */
export function loadSibling(name: string, dataset: Record<string, string> = {}): Promise<void> {
  let p = loading.get(name);
  if (!p) {
    p = new Promise<void>((resolve, reject) => {
      if (!self?.src) {
        reject(new Error(`tokstat: no script element to load ${name} next to`));
        return;
      }
      const s = document.createElement('script');
      s.src = new URL(name, self.src).href;
      s.nonce = self.nonce ?? '';
      s.async = true;
      for (const [k, v] of Object.entries(dataset)) s.dataset[k] = v;
      s.addEventListener('load', () => resolve(), { once: true });
      s.addEventListener('error', () => reject(new Error(`tokstat: ${name} failed to load`)), { once: true });
      document.head.append(s);
    });
    loading.set(name, p);
  }
  return p;
}
