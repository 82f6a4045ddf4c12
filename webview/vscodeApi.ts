// The one typed seam to the host: `acquireVsCodeApi()` may be called only once per page, so it is wrapped here.
// Only types come from the protocol module — importing its zod schema would pull zod into the bundle, and zod 4's
// JIT probe (`new Function`) is reported as a CSP `unsafe-eval` violation.
import type { DashboardPersistedState, WebviewToHost } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

export function loadPersisted(): DashboardPersistedState {
  const s = api.getState() as Partial<DashboardPersistedState> | undefined;
  if (s && s.version === 1) {
    const out: DashboardPersistedState = { version: 1 };
    if (typeof s.scrollY === 'number' && Number.isFinite(s.scrollY) && s.scrollY >= 0) out.scrollY = s.scrollY;
    return out;
  }
  return { version: 1 };
}

export function savePersisted(state: DashboardPersistedState): void {
  api.setState(state);
}
