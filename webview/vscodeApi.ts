// The one typed seam to the host: `acquireVsCodeApi()` may be called only once per page, so it is wrapped here.
// Only types come from the protocol module — importing its zod schema would pull zod into the bundle, and zod 4's
// JIT probe (`new Function`) is reported as a CSP `unsafe-eval` violation.
import type { DashboardPersistedState, WebviewToHost } from '../src/shared/protocol';
import { HISTORY_RANGES, type HistoryRange } from '../src/shared/historyRange';

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

/** Far above the charts a dashboard has (ChartManager keeps at most 500): a state this big is not ours. */
const MAX_RANGES = 1000;

export function loadPersisted(): DashboardPersistedState {
  const s = api.getState() as Partial<DashboardPersistedState> | undefined;
  const out: DashboardPersistedState = { version: 1 };
  if (!s || s.version !== 1) return out;
  if (typeof s.scrollY === 'number' && Number.isFinite(s.scrollY) && s.scrollY >= 0) out.scrollY = s.scrollY;
  const ranges = s.ranges as unknown;
  if (typeof ranges === 'object' && ranges !== null && !Array.isArray(ranges)) {
    const kept: Record<string, HistoryRange> = {};
    let n = 0;
    for (const [key, range] of Object.entries(ranges)) {
      if (n >= MAX_RANGES) break;
      if (!(HISTORY_RANGES as readonly unknown[]).includes(range)) continue;
      kept[key] = range as HistoryRange;
      n++;
    }
    if (n > 0) out.ranges = kept;
  }
  const spend = s.spend as unknown;
  if (typeof spend === 'object' && spend !== null) {
    const { range, table } = spend as { range?: unknown; table?: unknown };
    if (range === '7d' || range === '30d' || range === '12m') out.spend = { range, ...(table === true ? { table: true } : {}) };
  }
  return out;
}

export function savePersisted(state: DashboardPersistedState): void {
  api.setState(state);
}
