// The @vscode-elements components (webview/elements.ts → dist/webview/elements.js): loaded after the first frame, so
// the first render never waits for them; under the real CSP (the script gets the page's nonce, the components' styles
// are constructable stylesheets); usable before they are defined (role, name, tab stop, keyboard) and laid out the
// same before and after. Skips only when /usr/bin/chromium is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { makeMeter } from '../../src/shared/model';
import type { DashboardState } from '../../src/shared/protocol';
import { CHROMIUM, startWebviewServer, type WebviewServer } from './webviewHarness';

declare const window: any;
declare const document: any;
declare const location: any;
declare function requestAnimationFrame(cb: () => void): number;

const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: browser test skipped`;
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

function state(): DashboardState {
  const meter = makeMeter({ id: 'premium', label: 'Premium requests', kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW, used: 300, limit: 1500 });
  const base = { providerId: 'copilot', providerName: 'GitHub Copilot', icon: 'copilot', authKind: 'github-session' };
  return {
    now: NOW,
    thresholds: { warning: 80, error: 95 },
    accounts: [
      { ...base, id: 'ok', name: 'Work', loading: true, snapshot: { accountId: 'ok', takenAt: NOW, lastSuccessAt: NOW, status: 'ok', meters: [meter] } },
      { ...base, id: 'broken', name: 'Broken', loading: false, snapshot: { accountId: 'broken', takenAt: NOW, status: 'error', error: { kind: 'server', message: 'HTTP 503' }, meters: [] } },
    ],
  };
}

describe('dashboard: @vscode-elements components, registered lazily', { skip }, () => {
  let srv: WebviewServer;
  before(async () => {
    srv = await startWebviewServer();
  });
  after(async () => {
    await srv?.close();
  });

  test('not defined during the first render; loaded after the first frame with the nonce; upgraded; no CSP violation', async () => {
    const h = await srv.open({
      initialState: state(),
      waitForReady: false,
      initScript: {
        // At the end of the task that rendered the embedded state, before any frame.
        fn: () => {
          const w = window as any;
          const obs = new w.MutationObserver(() => {
            if (!document.querySelector('[data-testid="account-card"]')) return;
            obs.disconnect();
            w.__firstTask = {
              defined: ['vscode-button', 'vscode-badge', 'vscode-progress-ring', 'vscode-button-group', 'vscode-table'].filter((t) => w.customElements.get(t)),
              elementsScript: document.querySelectorAll('script[data-tokstat-elements]').length,
              // uPlot is a script of its own (webview/uplot.ts), asked for by the chart that started in view but not
              // run during the first task.
              uplotRun: w.__tokstatUPlot !== undefined,
              tags: [...document.querySelectorAll('[data-testid="refresh-all"], [data-testid="account-status"], .loading-ring, .range-switch, .range-btn')].map((e: any) => e.localName),
            };
          });
          obs.observe(document, { subtree: true, childList: true });
        },
      },
    });
    try {
      await h.page.waitForFunction(() => (window as any).__firstTask !== undefined);
      assert.deepEqual(await h.page.evaluate(() => (window as any).__firstTask), {
        defined: [],
        elementsScript: 0,
        uplotRun: false,
        // The toolbar's button, the card's badge and refreshing ring, the chart's range group (five buttons) and its
        // "Loading history…" ring, the second card's badge; the Spend section's range group (three buttons), its
        // Table and Export CSV buttons.
        tags: [
          'vscode-button', 'vscode-badge', 'vscode-progress-ring', 'vscode-button-group', ...Array(5).fill('vscode-button'), 'vscode-progress-ring', 'vscode-badge',
          'vscode-button-group', ...Array(5).fill('vscode-button'),
        ],
      });
      await h.page.waitForFunction(() =>
        ['vscode-button', 'vscode-badge', 'vscode-progress-ring', 'vscode-button-group', 'vscode-table', 'vscode-table-row', 'vscode-table-cell'].every((t) => (window as any).customElements.get(t)),
      );
      const script = await h.page.evaluate(() => {
        const s = document.querySelector('script[data-tokstat-elements]');
        const main = [...document.scripts].find((x: any) => x.src.endsWith('/dashboard.js'));
        return { src: s.src.replace(location.origin, ''), sameNonce: s.nonce !== '' && s.nonce === main.nonce };
      });
      assert.deepEqual(script, { src: '/dist/webview/elements.js', sameNonce: true });
      await h.page.waitForFunction(() => typeof (window as any).__tokstatUPlot === 'function');
      const uplot = await h.page.evaluate(() => {
        const s = [...document.querySelectorAll('script[data-tokstat-uplot]')];
        const main = [...document.scripts].find((x: any) => x.src.endsWith('/dashboard.js'));
        return { scripts: s.length, src: s[0].src.replace(location.origin, ''), sameNonce: s[0].nonce !== '' && s[0].nonce === main.nonce };
      });
      assert.deepEqual(uplot, { scripts: 1, src: '/dist/webview/uplot.js', sameNonce: true });
      // Upgraded in place: shadow roots, styles adopted (constructable stylesheets), the button keeps its data hooks.
      const upgraded = await h.page.evaluate(() =>
        [...document.querySelectorAll('vscode-button, vscode-badge, vscode-progress-ring, vscode-button-group')].every((e: any) => e.shadowRoot && e.shadowRoot.adoptedStyleSheets.length > 0),
      );
      assert.equal(upgraded, true);
      // The loading ring is decorative: the live region around it says "Refreshing…" (not the component's alert).
      // So is a chart's "Loading history…" ring (its text says it).
      assert.deepEqual(await h.page.locator('.loading-ring').evaluateAll((es: any[]) => es.map((e) => [e.getAttribute('aria-hidden'), e.getAttribute('role')])), [
        ['true', 'presentation'],
        ['true', 'presentation'],
      ]);
      // Works once defined: click and keyboard.
      await h.page.getByRole('button', { name: 'Refresh all' }).click();
      await h.page.getByRole('button', { name: 'Retry' }).focus();
      await h.page.keyboard.press('Enter');
      const posted = (await h.posted()).filter((m: any) => m.type === 'refresh');
      assert.deepEqual(posted, [{ type: 'refresh' }, { type: 'refresh', accountId: 'broken' }]);
      assert.deepEqual(await h.allViolations(), []);
    } finally {
      await h.page.close();
    }
  });

  test('before they are defined the controls are named, focusable buttons that the keyboard activates, laid out as after', async () => {
    // elements.js never arrives: the page as it is before the components are defined.
    const blocked = await srv.open({ waitForReady: true, beforeGoto: async (page) => void (await page.route('**/elements.js', (r) => r.abort())) });
    const normal = await srv.open();
    try {
      for (const h of [blocked, normal]) await h.send({ type: 'state', state: state() });
      await normal.page.waitForFunction(() => (window as any).customElements.get('vscode-button') !== undefined);
      await normal.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      assert.equal(await blocked.page.evaluate(() => (window as any).customElements.get('vscode-button')), undefined);

      const refreshAll = blocked.page.getByRole('button', { name: 'Refresh all' });
      assert.equal(await refreshAll.count(), 1, 'named button before definition');
      await blocked.clearPosted();
      await refreshAll.focus();
      await blocked.page.keyboard.press('Enter');
      await blocked.page.getByRole('button', { name: 'Retry' }).focus();
      await blocked.page.keyboard.press(' ');
      assert.deepEqual((await blocked.posted()).filter((m: any) => m.type === 'refresh'), [{ type: 'refresh' }, { type: 'refresh', accountId: 'broken' }]);
      // The chart's range selector too: a named group of toggle buttons that Tab reaches and Space / Enter press.
      const range = blocked.page.getByRole('group', { name: 'History range for Premium requests' });
      assert.equal(await range.getByRole('button', { name: 'Last 30 days', pressed: true }).count(), 1);
      await range.getByRole('button', { name: 'Last 24 hours' }).focus();
      await blocked.page.keyboard.press('Tab');
      assert.equal(await blocked.page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Last 7 days');
      await blocked.page.keyboard.press(' ');
      await range.getByRole('button', { name: 'Last 7 days', pressed: true }).waitFor();
      await blocked.page.keyboard.press('Shift+Tab');
      await blocked.page.keyboard.press('Enter');
      await range.getByRole('button', { name: 'Last 24 hours', pressed: true }).waitFor();
      assert.deepEqual(
        (await blocked.posted()).filter((m: any) => m.type === 'requestHistory').map((m: any) => m.range),
        ['7d', '24h'],
      );
      await range.getByRole('button', { name: 'Last 30 days' }).click();

      // The same boxes before and after the upgrade (within a pixel): nothing jumps when the components arrive.
      const boxes = (page: any) =>
        page.evaluate(() =>
          [
            '[data-testid="refresh-all"]',
            '[data-testid="add-account"]',
            '[data-testid="open-settings"]',
            '[data-testid="retry"]',
            '[data-testid="account-status"]',
            '.range-switch',
            '[data-testid="range-24h"]',
            '[data-testid="range-30d"]',
            '[data-testid="range-1y"]',
          ].map((sel) => {
            const r = document.querySelector(sel).getBoundingClientRect();
            return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
          }),
        );
      const [before, afterUpgrade] = [await boxes(blocked.page), await boxes(normal.page)];
      for (let i = 0; i < before.length; i++) {
        for (let k = 0; k < 4; k++) assert.ok(Math.abs(before[i][k] - afterUpgrade[i][k]) <= 1, `box ${i}: ${before[i].join(',')} before, ${afterUpgrade[i].join(',')} after`);
      }
    } finally {
      await blocked.page.close();
      await normal.page.close();
    }
  });
});
