// Structural check of what the host posts. The host is trusted code, but account names, plans and error messages
// inside it come from users and servers, so the webview still refuses anything that is not the expected shape
// (rendering is textContent-only regardless). Deliberately hand-written: zod in this bundle would trip the CSP.
import type { DashboardAccount, DashboardState } from '../src/shared/protocol';
import type { Meter, Snapshot } from '../src/core/model';

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
    optStr(v.detail)
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
    (v.snapshot === undefined || isSnapshot(v.snapshot))
  );
}

/** Returns the state when `data` is a well-formed `state` message; malformed accounts are dropped, not rendered. */
export function parseHostMessage(data: unknown): { state: DashboardState; dropped: number } | undefined {
  if (!isObj(data) || data.type !== 'state' || !isObj(data.state)) return undefined;
  const s = data.state as Record<string, unknown>;
  if (!Array.isArray(s.accounts) || !isNum(s.now) || !isObj(s.thresholds)) return undefined;
  const t = s.thresholds;
  if (!isNum(t.warning) || !isNum(t.error)) return undefined;
  const accounts = s.accounts.filter(isAccount);
  const state: DashboardState = { accounts, thresholds: { warning: t.warning, error: t.error }, now: s.now };
  return { state, dropped: s.accounts.length - accounts.length };
}
