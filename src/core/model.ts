// The one normalized model every provider maps to and every surface (status bar, tree, dashboard) consumes.
// Plain data only (JSON-serialisable: it crosses globalState, the shared snapshot file and the webview).
// Unknown values stay `undefined` and are shown as unknown — never coerced to 0.

export type MeterKind = 'quota' | 'credits' | 'balance' | 'spend' | 'rate-limit';

/** Where a number came from. */
export type MeterSource = 'official' | 'vendor-undocumented' | 'headers' | 'estimate';

export type SnapshotStatus = 'ok' | 'stale' | 'error' | 'auth-required';

export interface Meter {
  /** Stable within an account, e.g. `premium_interactions`, `key-limit`. */
  id: string;
  label: string;
  kind: MeterKind;
  /** Display unit: `requests`, `messages`, `USD`, `credits`, `%`, … */
  unit: string;
  used?: number;
  limit?: number;
  remaining?: number;
  /** 0–100+, may exceed 100 when over quota. */
  percentUsed?: number;
  /** Epoch ms. */
  resetsAt?: number;
  /** The plan grants this without limit: there is no percentage to show. */
  unlimited?: boolean;
  source: MeterSource;
  /** Epoch ms when the number was captured. */
  capturedAt: number;
  /** Short extra text: period ("this month"), overage, plan nuance. */
  detail?: string;
  /** The window that ends at `resetsAt`, when the provider states it (a monthly key limit): pace and gauges use it. */
  period?: MeterPeriod;
  /**
   * Length in ms of the window that ends at `resetsAt`, when the provider states it but it is no calendar period
   * (Codex's `limit_window_seconds`, Z.ai's unit × number): pace and gauges use it.
   */
  windowMs?: number;
}

export type MeterPeriod = 'day' | 'week' | 'month';

export interface Account {
  id: string;
  providerId: string;
  name: string;
  /** Epoch ms. */
  createdAt: number;
  /** Auth route used for this account, e.g. `api-key`, `github-session`, `github-device`. */
  authKind: string;
  /** Non-secret, provider-specific settings such as `enterpriseHost` or the GitHub account id/label. */
  settings: Record<string, string | number | boolean | undefined>;
}

export type ErrorKind =
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'bad-response'
  | 'config'
  /** The proxy refused the request (407: credentials missing or wrong). */
  | 'proxy'
  | 'cancelled';

export interface SnapshotError {
  kind: ErrorKind;
  message: string;
  /** HTTP status, when there was one. */
  status?: number;
}

export interface Snapshot {
  accountId: string;
  /** Epoch ms of the attempt that produced this snapshot. */
  takenAt: number;
  status: SnapshotStatus;
  error?: SnapshotError;
  meters: Meter[];
  /** Epoch ms of the last successful fetch whose meters are shown (equals takenAt when status is ok). */
  lastSuccessAt?: number;
  plan?: string;
  identity?: string;
}

export interface MeterInput {
  id: string;
  label: string;
  kind: MeterKind;
  unit: string;
  source: MeterSource;
  capturedAt: number;
  used?: number;
  limit?: number;
  remaining?: number;
  percentUsed?: number;
  resetsAt?: number;
  unlimited?: boolean;
  detail?: string;
  period?: MeterPeriod;
  windowMs?: number;
}

const finite = (n: number | undefined): number | undefined =>
  typeof n === 'number' && Number.isFinite(n) ? n : undefined;

/**
 * Builds a meter and derives what can be derived (remaining from used and limit, percent from used and limit, …)
 * without ever inventing a value that the inputs do not determine.
 */
export function makeMeter(input: MeterInput): Meter {
  let used = finite(input.used);
  let limit = finite(input.limit);
  let remaining = finite(input.remaining);
  let percentUsed = finite(input.percentUsed);
  const unlimited = input.unlimited === true ? true : undefined;
  if (unlimited) {
    // An unlimited meter has no limit and no percentage; used may still be informative.
    limit = undefined;
    remaining = undefined;
    percentUsed = undefined;
  } else {
    if (used === undefined && limit !== undefined && remaining !== undefined) used = limit - remaining;
    if (remaining === undefined && limit !== undefined && used !== undefined) remaining = limit - used;
    if (limit === undefined && used !== undefined && remaining !== undefined) limit = used + remaining;
    if (percentUsed === undefined && used !== undefined && limit !== undefined && limit > 0) {
      percentUsed = (used / limit) * 100;
    }
    if (used === undefined && percentUsed !== undefined && limit !== undefined) used = (limit * percentUsed) / 100;
    if (remaining === undefined && used !== undefined && limit !== undefined) remaining = limit - used;
  }
  const meter: Meter = {
    id: input.id,
    label: input.label,
    kind: input.kind,
    unit: input.unit,
    source: input.source,
    capturedAt: input.capturedAt,
  };
  if (used !== undefined) meter.used = round(used);
  if (limit !== undefined) meter.limit = round(limit);
  if (remaining !== undefined) meter.remaining = round(remaining);
  if (percentUsed !== undefined) meter.percentUsed = Math.round(percentUsed * 100) / 100;
  const resetsAt = finite(input.resetsAt);
  if (resetsAt !== undefined) meter.resetsAt = resetsAt;
  if (unlimited) meter.unlimited = true;
  if (input.detail) meter.detail = input.detail;
  if (input.period) meter.period = input.period;
  const windowMs = finite(input.windowMs);
  if (windowMs !== undefined && windowMs > 0) meter.windowMs = windowMs;
  return meter;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** The meter's share used, for ranking "closest to its limit"; undefined when unknown or unlimited. */
export function meterPressure(m: Meter): number | undefined {
  if (m.unlimited) return undefined;
  return m.percentUsed;
}
