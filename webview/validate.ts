// Structural check of what the host posts. The host is trusted code, but account names, plans and error messages
// inside it come from users and servers, so the webview still refuses anything that is not the expected shape
// (rendering is textContent-only regardless). Deliberately hand-written: zod in this bundle would trip the CSP.
import type { ChartSeries, DashboardAccount, DashboardState, SpendRange, SpendView, UsageView } from '../src/shared/protocol';
import { SPEND_RANGES } from '../src/shared/protocol';
import { HISTORY_RANGES } from '../src/shared/historyRange';
import type { PaceSummary } from '../src/shared/pace';
import type { Meter, Snapshot } from '../src/shared/model';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown): boolean => v === undefined || isNum(v);
const optStr = (v: unknown): boolean => v === undefined || isStr(v);

const STATUSES = new Set<Snapshot['status']>(['ok', 'stale', 'error', 'auth-required']);

function isMeter(v: unknown): v is Meter {
  return (
    isObj(v) &&
    isStr(v.id) &&
    isStr(v.label) &&
    isStr(v.kind) &&
    isStr(v.unit) &&
    isStr(v.source) &&
    isNum(v.capturedAt) &&
    optNum(v.used) &&
    optNum(v.limit) &&
    optNum(v.remaining) &&
    optNum(v.percentUsed) &&
    optNum(v.resetsAt) &&
    (v.unlimited === undefined || typeof v.unlimited === 'boolean') &&
    optStr(v.detail) &&
    (v.period === undefined || v.period === 'day' || v.period === 'week' || v.period === 'month') &&
    optNum(v.windowMs)
  );
}

function isSnapshot(v: unknown): v is Snapshot {
  if (!isObj(v) || !isNum(v.takenAt) || !STATUSES.has(v.status as Snapshot['status']) || !Array.isArray(v.meters)) return false;
  if (!optNum(v.lastSuccessAt) || !optStr(v.plan) || !optStr(v.identity)) return false;
  if (v.error !== undefined && !(isObj(v.error) && isStr(v.error.kind) && isStr(v.error.message))) return false;
  return v.meters.every(isMeter);
}

function isAccount(v: unknown): v is DashboardAccount {
  return (
    isObj(v) &&
    isStr(v.id) &&
    v.id.length > 0 &&
    isStr(v.name) &&
    isStr(v.providerId) &&
    isStr(v.providerName) &&
    isStr(v.icon) &&
    isStr(v.authKind) &&
    typeof v.loading === 'boolean' &&
    optNum(v.nextPollAt) &&
    optStr(v.mainMeterId) &&
    (v.snapshot === undefined || isSnapshot(v.snapshot))
  );
}

const PACE_STATUSES = new Set<PaceSummary['status']>(['ok', 'insufficient-data', 'just-reset', 'no-limit', 'unlimited']);
const PACE_NUMBERS = [
  'burnPerHour',
  'projectedAtReset',
  'projectedPercentAtReset',
  'runOutAt',
  'budgetPerHour',
  'budgetPerDay',
  'reserve',
  'elapsedFraction',
  'usedFraction',
  'windowStart',
  'resetsAt',
] as const;

function isPace(v: unknown): v is PaceSummary {
  if (!isObj(v) || !isStr(v.text) || !optStr(v.detail) || !PACE_STATUSES.has(v.status as PaceSummary['status'])) return false;
  if (v.runsOutBeforeReset !== undefined && typeof v.runsOutBeforeReset !== 'boolean') return false;
  return PACE_NUMBERS.every((k) => optNum(v[k]));
}

/** Keeps the well-formed pace entries; a bad pace never costs the account its card. */
function withValidPace(a: DashboardAccount): DashboardAccount {
  const raw: unknown = a.pace;
  if (raw === undefined) return a;
  const { pace: _dropped, ...rest } = a;
  if (!isObj(raw)) return rest;
  const pace: Record<string, PaceSummary> = {};
  let kept = 0;
  for (const [meterId, p] of Object.entries(raw)) {
    if (isPace(p)) {
      pace[meterId] = p;
      kept++;
    }
  }
  return kept > 0 ? { ...rest, pace } : rest;
}

/** Returns the state when `data` is a well-formed `state` message; malformed accounts are dropped, not rendered. */
export function parseHostMessage(data: unknown): { state: DashboardState; dropped: number } | undefined {
  if (!isObj(data) || data.type !== 'state' || !isObj(data.state)) return undefined;
  const s = data.state as Record<string, unknown>;
  if (!Array.isArray(s.accounts) || !isNum(s.now) || !isObj(s.thresholds)) return undefined;
  const t = s.thresholds;
  if (!isNum(t.warning) || !isNum(t.error)) return undefined;
  const accounts = s.accounts.filter(isAccount).map(withValidPace);
  const state: DashboardState = { accounts, thresholds: { warning: t.warning, error: t.error }, now: s.now };
  // A malformed usage view costs only the "Local agents" section, never the account cards.
  if (s.usage !== undefined && isUsageView(s.usage)) state.usage = s.usage;
  if (Array.isArray(s.pinned) && s.pinned.length <= 100 && s.pinned.every(isStr)) state.pinned = s.pinned;
  return { state, dropped: s.accounts.length - accounts.length };
}

/** Returns the host's clock for a `clock` message (the answer to `ready` when the embedded state is current). */
export function parseClockMessage(data: unknown): number | undefined {
  return isObj(data) && data.type === 'clock' && isNum(data.now) ? data.now : undefined;
}

const RANGES = new Set<string>(HISTORY_RANGES);
/** Far above any chart width: a series this long is a host bug, not something to draw. */
const MAX_SERIES_POINTS = 20_000;

/** [t, value] pairs; with `withLimit`, a third number (the point's limit) may follow. */
function isPointList(v: unknown, withLimit = false): v is Array<[number, number]> {
  if (!Array.isArray(v) || v.length > MAX_SERIES_POINTS) return false;
  for (const p of v) {
    if (!Array.isArray(p) || !isNum(p[0]) || !isNum(p[1])) return false;
    if (p.length !== 2 && !(withLimit && p.length === 3 && isNum(p[2]))) return false;
  }
  return true;
}

function isSeries(v: unknown): v is ChartSeries {
  return (
    isObj(v) &&
    isStr(v.accountId) &&
    isStr(v.meterId) &&
    isStr(v.label) &&
    isStr(v.unit) &&
    RANGES.has(v.range as string) &&
    isNum(v.from) &&
    isNum(v.to) &&
    v.from < v.to &&
    isPointList(v.points, true) &&
    (v.currentReading === undefined || typeof v.currentReading === 'boolean') &&
    optNum(v.limit) &&
    Array.isArray(v.resets) &&
    v.resets.length <= MAX_SERIES_POINTS &&
    v.resets.every(isNum) &&
    isPointList(v.gaps) &&
    (v.forecast === undefined || isPointList(v.forecast)) &&
    (v.forecastEnd === undefined || v.forecastEnd === 'reset' || v.forecastEnd === 'run-out') &&
    (v.pace === undefined || isPace(v.pace)) &&
    isStr(v.summary)
  );
}

/**
 * Returns `{ requestId, series }` for a `history` message. A malformed series becomes `null` (the chart shows its
 * quiet empty state) rather than being dropped, so the request still settles.
 */
export function parseHistoryMessage(data: unknown): { requestId: number; series: ChartSeries | null } | undefined {
  if (!isObj(data) || data.type !== 'history' || !isNum(data.requestId)) return undefined;
  return { requestId: data.requestId, series: isSeries(data.series) ? data.series : null };
}

// ── local agent usage (state.usage) ──

const isArr = (v: unknown, max: number, each: (x: unknown) => boolean): boolean => Array.isArray(v) && v.length <= max && v.every(each);
const optCost = (v: unknown): boolean => v === undefined || isNum(v);
const AGENTS = new Set(['claude-code', 'codex', 'gemini-cli', 'opencode', 'api']);

function isTotals(v: unknown): boolean {
  if (!isObj(v) || !isNum(v.requests) || !isNum(v.unpricedRequests) || !optCost(v.costUSD) || !isObj(v.tokens)) return false;
  const t = v.tokens;
  return isNum(t.input) && isNum(t.output) && isNum(t.cacheRead) && isNum(t.cacheWrite) && isNum(t.reasoning) && isNum(t.total);
}

const isCostish = (v: Record<string, unknown>) => isNum(v.tokens) && isNum(v.requests) && isNum(v.unpricedRequests) && optCost(v.costUSD);

function isBlock(v: unknown): boolean {
  return (
    isObj(v) &&
    isCostish(v) &&
    isNum(v.start) &&
    isNum(v.end) &&
    isNum(v.firstTs) &&
    isNum(v.lastTs) &&
    typeof v.active === 'boolean' &&
    optNum(v.elapsedFraction) &&
    optNum(v.projectedTokens) &&
    optNum(v.projectedCostUSD) &&
    isArr(v.models, 100, isStr)
  );
}

/** Every field the usage section reads, with bounds far above what the host sends. */
export function isUsageView(v: unknown): v is UsageView {
  if (!isObj(v) || !isNum(v.generatedAt) || !isStr(v.today) || !isStr(v.month) || typeof v.hasData !== 'boolean' || typeof v.visible !== 'boolean') return false;
  const r = v.range;
  if (!isObj(r) || !isStr(r.fromDay) || !isStr(r.toDay) || !isNum(r.days)) return false;
  if (!isArr(v.foundAgents, 10, (a) => AGENTS.has(a as string))) return false;
  if (!isObj(v.totals) || !isTotals(v.totals.today) || !isTotals(v.totals.month)) return false;
  if (!isArr(v.agents, 10, (a) => isObj(a) && AGENTS.has(a.agent as string) && isStr(a.label) && isTotals(a.today) && isTotals(a.month))) return false;
  if (v.workspace !== undefined) {
    const w = v.workspace;
    if (!isObj(w) || !isArr(w.folders, 1000, isStr) || !isTotals(w.today) || !isTotals(w.month)) return false;
  }
  const d = v.daily;
  if (!isObj(d) || !isArr(d.models, 50, isStr)) return false;
  const n = (d.models as string[]).length;
  const perModel = (x: unknown) => isArr(x, n, isNum) && (x as number[]).length === n;
  if (!isArr(d.days, 400, (x) => isObj(x) && isStr(x.day) && perModel(x.costByModel) && perModel(x.tokensByModel) && isCostish(x))) return false;
  if (
    !isArr(
      v.sessions,
      1000,
      (s) =>
        isObj(s) &&
        isCostish(s) &&
        isStr(s.sessionId) &&
        AGENTS.has(s.agent as string) &&
        isStr(s.model) &&
        isArr(s.models, 100, isStr) &&
        isStr(s.workspace) &&
        isStr(s.cwd) &&
        isNum(s.firstTs) &&
        isNum(s.lastTs),
    )
  )
    return false;
  if (!isArr(v.workspaces, 1000, (w) => isObj(w) && isCostish(w) && isStr(w.cwd) && isStr(w.label) && typeof w.current === 'boolean' && isNum(w.sessions))) return false;
  if (!isArr(v.tools, 1000, (t) => isObj(t) && isStr(t.name) && isNum(t.count) && optNum(t.avgDurationMs) && isNum(t.timedCount) && isNum(t.errors))) return false;
  const b = v.blocks;
  if (!isObj(b) || (b.current !== undefined && !isBlock(b.current)) || !isArr(b.recent, 100, isBlock)) return false;
  if (v.scan !== undefined && !(isObj(v.scan) && isNum(v.scan.done) && isNum(v.scan.total) && typeof v.scan.rebuild === 'boolean')) return false;
  return isArr(
    v.planWindows,
    100,
    (w) =>
      isObj(w) &&
      w.agent === 'codex' &&
      isStr(w.name) &&
      isStr(w.label) &&
      isNum(w.usedPercent) &&
      optNum(w.windowMinutes) &&
      optNum(w.resetsAt) &&
      isNum(w.observedAt) &&
      typeof w.expired === 'boolean',
  );
}

// ── the Spend view (answers to requestSpend) ──

const isAmount = (v: unknown): boolean => v === null || isNum(v);
const SPEND_KINDS = new Set(['vendor', 'spend', 'burn', 'agent']);

function isSpendView(v: unknown): v is SpendView {
  if (!isObj(v) || !SPEND_RANGES.includes(v.range as SpendRange) || (v.unit !== 'day' && v.unit !== 'month') || !isStr(v.currency)) return false;
  if (!isNum(v.generatedAt) || !isAmount(v.total) || !Array.isArray(v.buckets) || v.buckets.length > 400 || !v.buckets.every(isStr)) return false;
  const n = v.buckets.length;
  const amounts = (x: unknown) => Array.isArray(x) && x.length === n && x.every(isAmount);
  return (
    amounts(v.totals) &&
    isArr(v.stacks, 1000, (s) => isObj(s) && isStr(s.provider) && amounts(s.values) && isAmount(s.total)) &&
    isArr(v.rows, 2000, (r) => isObj(r) && isStr(r.id) && isStr(r.label) && isStr(r.provider) && SPEND_KINDS.has(r.kind as string) && isStr(r.currency) && amounts(r.values) && isAmount(r.total) && optNum(r.topUps)) &&
    isArr(v.otherCurrencies, 100, (o) => isObj(o) && isStr(o.currency) && isNum(o.total))
  );
}

export function parseSpendMessage(data: unknown): { requestId: number; view: SpendView | null } | undefined {
  if (!isObj(data) || data.type !== 'spend' || !isNum(data.requestId)) return undefined;
  return { requestId: data.requestId, view: isSpendView(data.view) ? data.view : null };
}

export function parseFocusMessage(data: unknown): 'spend' | undefined {
  return isObj(data) && data.type === 'focus' && data.section === 'spend' ? 'spend' : undefined;
}
