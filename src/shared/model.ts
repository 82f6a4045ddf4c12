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
  /**
   * Set when this poll's numbers for the meter were refused (a schema problem: non-finite or absurd, see METER_BOUNDS).
   * The numbers shown are then the meter's last good reading (its `capturedAt` says when), or none when there was none.
   */
  problem?: SnapshotError;
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

/** An amount of money on one day (`YYYY-MM-DD`), in a currency code (`USD`). */
export interface DailyAmount {
  day: string;
  amount: number;
  currency: string;
}

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
  /** Where the plan's premium requests / AI credits went, when the provider can tell (Copilot's billing API). */
  breakdown?: BillingBreakdown;
  /**
   * Money per day as the vendor reports it (OpenAI's and Anthropic's cost buckets, UTC days), for the Spend view:
   * kept as days instead of only their month's sum. Days without a bucket are absent, not 0.
   */
  dailySpend?: DailyAmount[];
}

/** One model's share of a month's premium requests or AI credits (GitHub's billing report, provider-apis.md §1.4). */
export interface BillingModelRow {
  model: string;
  /** Requests (already multiplied by the model's multiplier) or AI credits. */
  quantity: number;
  /** Part of `quantity` covered by the plan's included allowance (the report's `discountQuantity`). */
  includedQuantity?: number;
  /** List price of the quantity, and what was billed beyond the allowance, in `currency`. */
  grossAmount?: number;
  netAmount?: number;
  /** Price of one unit (0.04 USD a premium request, 0.01 USD an AI credit). */
  pricePerUnit?: number;
}

/** One UTC day of the month's usage. */
export interface BillingDayRow {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  quantity: number;
  netAmount?: number;
}

/**
 * The billing breakdown of a Copilot account for the current month, or why it cannot be read. `unavailable` is a
 * state, not an error: the plan's meters still show; `fix` names the sign-in that can read it.
 */
export type BillingBreakdown =
  | {
      state: 'ok';
      /** `requests` (premium requests) or `credits` (AI credits). */
      unit: 'requests' | 'credits';
      currency: string;
      /** Whose bill: the user, an organisation or an enterprise, and its login/slug. */
      scope: 'user' | 'organization' | 'enterprise';
      scopeName: string;
      /** `YYYY-MM` (UTC). */
      month: string;
      capturedAt: number;
      /** Sorted by quantity, largest first. */
      byModel: BillingModelRow[];
      /** Days of the month so far that have usage, oldest first; absent when the days could not be read. */
      byDay?: BillingDayRow[];
      totalQuantity: number;
      includedQuantity?: number;
      grossAmount?: number;
      /** Paid overage: what the month costs beyond the included allowance. */
      netAmount?: number;
    }
  | {
      state: 'unavailable';
      reason: 'token-kind' | 'not-billed-to-user' | 'no-access' | 'error';
      /** What the user reads: why, and what would work. */
      message: string;
      /** The sign-in that can read the report. */
      fix?: 'fine-grained-token' | 'org-admin-token' | 'enterprise-admin-token';
      capturedAt: number;
    };

/** What a provider hands `makeMeter`: a meter without the model boundary's verdict (`problem`). */
export type MeterInput = Omit<Meter, 'problem'>;

const finite = (n: number | undefined): number | undefined =>
  typeof n === 'number' && Number.isFinite(n) ? n : undefined;

/**
 * What a provider's number may be before it is refused as absurd (a schema problem; the meter keeps its last good
 * reading). Generous on purpose: these catch overflow and sentinels ("1e999", 1e308, -1), not unusual accounts.
 * - `amount`: |used|, |limit|, |remaining| in any unit other than tokens (USD, credits, requests, messages, …):
 *   a trillion is far beyond any balance, spend or request quota.
 * - `tokens`: the same for token meters (an organisation's monthly tokens may pass a trillion; the ingest API caps a
 *   single record at 1e9).
 * - `percent`: a percentUsed the server sends may exceed 100 when over quota, not a hundredfold (one derived from
 *   used and limit, both in range, only has to be finite).
 * - `limit` and `used` are never negative (a negative limit is a sentinel such as -1 for "none"); `remaining` may be
 *   (over quota, a balance owed).
 * - `resetsAt` between 2000 and 2100; `windowMs` at most a year and a bit.
 */
export const METER_BOUNDS = {
  amount: 1e12,
  tokens: 1e14,
  percent: 1e4,
  resetsAtMin: Date.UTC(2000, 0, 1),
  resetsAtMax: Date.UTC(2100, 0, 1),
  windowMsMax: 400 * 86_400_000,
} as const;

/** The first non-finite or absurd number of a meter (input or built), as a message naming the field; else undefined. */
export function meterNumberProblem(
  m: Pick<MeterInput, 'used' | 'limit' | 'remaining' | 'percentUsed' | 'resetsAt' | 'windowMs' | 'unit'>,
  /** `built`: a percentage derived from used and limit (both in range) may be large; it only has to be finite. */
  stage: 'input' | 'built' = 'input',
): string | undefined {
  const max = /token/i.test(m.unit) ? METER_BOUNDS.tokens : METER_BOUNDS.amount;
  const check = (field: string, v: unknown, lo: number, hi: number): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${field} is not a finite number`;
    if (v < lo || v > hi) return `${field} is out of range (${v})`;
    return undefined;
  };
  return (
    check('used', m.used, 0, max) ??
    check('limit', m.limit, 0, max) ??
    check('remaining', m.remaining, -max, max) ??
    check('percentUsed', m.percentUsed, 0, stage === 'input' ? METER_BOUNDS.percent : Number.MAX_VALUE) ??
    check('resetsAt', m.resetsAt, METER_BOUNDS.resetsAtMin, METER_BOUNDS.resetsAtMax) ??
    check('windowMs', m.windowMs, 0, METER_BOUNDS.windowMsMax)
  );
}

/**
 * Builds a meter and derives what can be derived (remaining from used and limit, percent from used and limit, …)
 * without ever inventing a value that the inputs do not determine. A non-finite or absurd input (METER_BOUNDS), or a
 * derived value that overflows, gives a meter without numbers and with `problem` set (see `acceptMeters`).
 */
export function makeMeter(input: MeterInput): Meter {
  const bad = meterNumberProblem(input);
  if (bad !== undefined) return refused(input, bad);
  const built = deriveMeter(input);
  const overflow = meterNumberProblem(built, 'built');
  return overflow === undefined ? built : refused(input, overflow);
}

function refused(input: MeterInput, why: string): Meter {
  const meter: Meter = { id: input.id, label: input.label, kind: input.kind, unit: input.unit, source: input.source, capturedAt: input.capturedAt };
  if (input.detail) meter.detail = input.detail;
  if (input.period) meter.period = input.period;
  meter.problem = { kind: 'bad-response', message: `The server sent an unusable number for "${cleanText(input.label, MAX_LABEL_CHARS)}": ${why}.` };
  return meter;
}

function deriveMeter(input: MeterInput): Meter {
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

/** Longest meter id kept (ids name history series and files' lines; a server-controlled id may be anything). */
export const MAX_METER_ID_CHARS = 200;
const MAX_LABEL_CHARS = 120;
const MAX_UNIT_CHARS = 32;
const MAX_DETAIL_CHARS = 300;

// A lone surrogate (not well-formed UTF-16: encodeURIComponent throws on it) and control characters.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;

/** Why a meter id cannot be used, or undefined when it can. */
export function meterIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return 'the id is empty';
  if (id.length > MAX_METER_ID_CHARS) return `the id is longer than ${MAX_METER_ID_CHARS} characters`;
  if (LONE_SURROGATE.test(id)) return 'the id is not valid Unicode (a lone surrogate)';
  if (/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/.test(id)) return 'the id contains control characters';
  return undefined;
}

/** A display text made safe: well-formed, no control characters, clipped. Non-strings give `fallback`. */
export function cleanText(s: unknown, max: number, fallback = ''): string {
  if (typeof s !== 'string') return fallback;
  const t = s.replace(LONE_SURROGATES, '\uFFFD').replace(CONTROL, ' ').trim();
  if (t.length <= max) return t;
  // Do not cut a surrogate pair in half.
  const cut = /[\uD800-\uDBFF]/.test(t[max - 1] ?? '') ? max - 1 : max;
  return `${t.slice(0, cut)}…`;
}

/** A meter refused at the boundary, for the log: which, why (the id is shown escaped and clipped). */
export interface RefusedMeter {
  id: string;
  reason: string;
}

export interface AcceptedMeters {
  meters: Meter[];
  /** Meters left out (unusable or duplicate id); their siblings are kept. */
  skipped: RefusedMeter[];
  /** Meters whose numbers were refused: shown with their last good reading (or none) and `problem` set. */
  rejected: RefusedMeter[];
}

/**
 * The model boundary: every provider's meters pass here before they become a snapshot (the scheduler's success
 * path). Ids must be usable (well-formed, no control characters, bounded, unique) or the meter is skipped; texts are
 * cleaned; a meter with a non-finite or absurd number (`problem`, METER_BOUNDS) keeps its last good reading from
 * `previous` with `problem` set, or has no numbers when there is none. Never throws.
 */
export function acceptMeters(meters: readonly Meter[], previous: readonly Meter[] | undefined): AcceptedMeters {
  const out: Meter[] = [];
  const skipped: RefusedMeter[] = [];
  const rejected: RefusedMeter[] = [];
  const seen = new Set<string>();
  const prevById = new Map<string, Meter>();
  for (const p of previous ?? []) prevById.set(p.id, p);
  for (const raw of Array.isArray(meters) ? meters : []) {
    if (!raw || typeof raw !== 'object') continue;
    const idProblem = meterIdProblem(raw.id);
    if (idProblem !== undefined || seen.has(raw.id)) {
      skipped.push({ id: printableId(raw.id), reason: idProblem ?? 'the id is used by another meter of the account' });
      continue;
    }
    seen.add(raw.id);
    const m: Meter = { ...raw };
    m.label = cleanText(raw.label, MAX_LABEL_CHARS, raw.id) || raw.id;
    m.unit = cleanText(raw.unit, MAX_UNIT_CHARS);
    if (raw.detail !== undefined) {
      const d = cleanText(raw.detail, MAX_DETAIL_CHARS);
      if (d) m.detail = d;
      else delete m.detail;
    }
    const why = raw.problem ? cleanText(raw.problem.message, MAX_DETAIL_CHARS) : meterNumberProblem(raw, 'built');
    if (why === undefined && Number.isFinite(raw.capturedAt)) {
      out.push(m);
      continue;
    }
    const problem: SnapshotError = { kind: 'bad-response', message: raw.problem ? (why ?? '') : `The server sent an unusable number for "${m.label}": ${why ?? 'no capture time'}.` };
    rejected.push({ id: printableId(raw.id), reason: problem.message });
    const last = prevById.get(raw.id);
    if (last && meterNumberProblem(last, 'built') === undefined) {
      out.push({ ...last, problem });
    } else {
      const bare: Meter = { id: m.id, label: m.label, kind: m.kind, unit: m.unit, source: m.source, capturedAt: Number.isFinite(raw.capturedAt) ? raw.capturedAt : 0, problem };
      if (m.detail) bare.detail = m.detail;
      if (m.period) bare.period = m.period;
      out.push(bare);
    }
  }
  return { meters: out, skipped, rejected };
}

/** An id as it may appear in a log line: escaped (lone surrogates and controls as \uXXXX) and clipped. */
function printableId(id: unknown): string {
  const s = typeof id === 'string' ? id : String(id);
  const j = JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
  return j.slice(1, -1);
}
