// What the dashboard's buttons do: one click listener for the whole page dispatches on `data-action` (a native
// <button> or a <vscode-button>), and until the components are defined, Enter and Space activate a <vscode-button>.
import type { WebviewToHost } from '../src/shared/protocol';
import type { ChartManager } from './chart/manager';

export function wireActions(root: HTMLElement, post: (message: WebviewToHost) => void, charts: ChartManager, jumpTo: (accountId: string) => void): void {
  root.addEventListener('click', (ev) => {
    // A native <button> (range buttons, a card's refresh, the overview's rows) or a <vscode-button>.
    const target = ev.target instanceof Element ? ev.target.closest<HTMLElement>('button[data-action], vscode-button[data-action]') : null;
    if (!target || target.hasAttribute('disabled')) return;
    const accountId = target.dataset.accountId;
    switch (target.dataset.action) {
      case 'refreshAll':
        post({ type: 'refresh' });
        break;
      case 'refresh':
      case 'retry':
        if (accountId) post({ type: 'refresh', accountId });
        break;
      case 'signIn':
        if (accountId) post({ type: 'signIn', accountId });
        break;
      case 'addAccount':
        post({ type: 'addAccount' });
        break;
      case 'addBillingToken':
        post({ type: 'addAccount', providerId: 'copilot', route: 'token' });
        break;
      case 'openSettings':
        post({ type: 'openSettings' });
        break;
      case 'showLog':
        post({ type: 'showLog' });
        break;
      case 'range':
        charts.setRange(target);
        break;
      case 'jump':
        if (accountId) jumpTo(accountId);
        break;
      case 'pin':
        if (accountId && target.dataset.meterId) post({ type: 'pin', accountId, meterId: target.dataset.meterId, pinned: target.dataset.pinned !== 'true' });
        break;
    }
  });
  
  // Until the components are defined (after the first frame), a <vscode-button> is an unknown element with the role
  // and tab stop of a button (render.ts): Enter and Space activate it as they will once it is upgraded.
  root.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (!(t instanceof HTMLElement) || t.localName !== 'vscode-button' || customElements.get('vscode-button')) return;
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    ev.preventDefault();
    t.click();
  });
}
