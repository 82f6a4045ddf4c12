// The state the host embedded in the page (html.ts): read once, before the first render, and removed from the DOM.
import type { DashboardState } from '../src/shared/protocol';
import { parseHostMessage } from '../src/shared/protocolSchemas';

export function readInitialState(): DashboardState | undefined {
  const el = document.getElementById('tokstat-initial-state');
  if (!el?.textContent) return undefined;
  el.remove();
  let data: unknown;
  try {
    data = JSON.parse(el.textContent);
  } catch {
    console.warn('[tokstat] ignored a malformed initial state');
    return undefined;
  }
  const parsed = parseHostMessage({ type: 'state', state: data });
  if (!parsed) console.warn('[tokstat] ignored a malformed initial state');
  return parsed?.state;
}
