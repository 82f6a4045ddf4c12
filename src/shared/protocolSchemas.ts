// The zod schemas of every message between the extension host and the dashboard webview, defined once: the host
// validates what the webview posts (`webviewToHostSchema`), the webview validates what the host posts
// (`parseHostMessage`, `parseClockMessage`, `parseHistoryMessage`) with the same definitions, instead of a hand-kept
// mirror. The host is trusted code, but account names, plans and error messages inside its messages come from users
// and servers, so the webview refuses anything that is not the expected shape (rendering is textContent-only
// regardless). Each schema is typed against the interface in protocol.ts / model.ts / pace.ts, so the two cannot
// drift apart.
//
// zod/mini keeps the webview bundle small. The dashboard's CSP has no 'unsafe-eval': the webview sets
// `z.config({ jitless: true })` before this module loads (webview/zodJitless.ts), so zod neither compiles parsers with
// `new Function` nor probes whether it may (a probe is reported as a CSP violation even when caught).
import * as z from 'zod/mini';
import type { BillingBreakdown, Meter, MeterKind, MeterSource, Snapshot, SnapshotError } from './model';
import type { PaceSummary } from './pace';
import type { ChartSeries, DashboardAccount, DashboardState, HeadroomLine, UsageView } from './protocol';
import { AGENT_IDS } from './agents';
import { HISTORY_RANGES } from './historyRange';
import type { ProviderIncident } from './incidents';

import { SPEND_RANGES } from './spendSchemas';

// ── webview → host ──

const accountId = z.string().check(z.minLength(1), z.maxLength(200));

export const webviewToHostSchema = z.discriminatedUnion('type', [
  /** `embedded`: the page drew the state embedded in its html (see `HostToWebview` `clock`). */
  z.object({ type: z.literal('ready'), embedded: z.optional(z.boolean()) }),
  z.object({ type: z.literal('refresh'), accountId: z.optional(accountId) }),
  z.object({ type: z.literal('signIn'), accountId }),
  /** `route: 'token'`: straight to a Copilot account with a personal access token (the billing report's sign-in). */
  z.object({ type: z.literal('addAccount'), providerId: z.optional(z.enum(['copilot'])), route: z.optional(z.enum(['token'])) }),
  z.object({ type: z.literal('openSettings') }),
  z.object({ type: z.literal('showLog') }),
  z.object({
    type: z.literal('requestHistory'),
    requestId: z.number().check(z.int(), z.nonnegative()),
    accountId,
    meterId: z.string().check(z.minLength(1), z.maxLength(200)),
    range: z.enum(HISTORY_RANGES),
    /** Chart width in CSS pixels: the host downsamples to about this many points. */
    width: z.number().check(z.int(), z.minimum(10), z.maximum(10_000)),
  }),
  z.object({ type: z.literal('requestSpend'), requestId: z.number().check(z.int(), z.nonnegative()), range: z.enum(SPEND_RANGES) }),
  z.object({ type: z.literal('exportSpend'), range: z.enum(SPEND_RANGES) }),
  /** Pin (or unpin) a meter to the status bar. */
  z.object({ type: z.literal('pin'), accountId, meterId: z.string().check(z.minLength(1), z.maxLength(200)), pinned: z.boolean() }),
]);

export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

// ── host → webview ──

/** z.number() refuses NaN and ±Infinity. */
const num = z.number();
const str = z.string();
const bool = z.boolean();
/** A string the host types more narrowly (a kind, a source): any string passes, as the renderer copes with any. */
const text = <T extends string>() => str as unknown as z.ZodMiniType<T>;
const list = <T extends z.ZodMiniType>(item: T, max: number) => z.array(item).check(z.maxLength(max));

const snapshotErrorSchema: z.ZodMiniType<SnapshotError> = z.object({
  kind: text<SnapshotError['kind']>(),
  message: str,
  status: z.optional(num),
});

const meterSchema: z.ZodMiniType<Meter> = z.object({
  id: str,
  label: str,
  kind: text<MeterKind>(),
  unit: str,
  used: z.optional(num),
  limit: z.optional(num),
  remaining: z.optional(num),
  percentUsed: z.optional(num),
  resetsAt: z.optional(num),
  unlimited: z.optional(bool),
  source: text<MeterSource>(),
  capturedAt: num,
  detail: z.optional(str),
  period: z.optional(z.enum(['day', 'week', 'month'])),
  windowMs: z.optional(num),
  problem: z.optional(snapshotErrorSchema),
});

const modelRowSchema = z.object({
  model: str,
  quantity: num,
  includedQuantity: z.optional(num),
  grossAmount: z.optional(num),
  netAmount: z.optional(num),
  pricePerUnit: z.optional(num),
});

/** A Copilot account's billing breakdown (or why it cannot be read); checked apart so a bad one costs only itself. */
export const breakdownSchema: z.ZodMiniType<BillingBreakdown> = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('ok'),
    unit: z.enum(['requests', 'credits']),
    currency: str,
    scope: z.enum(['user', 'organization', 'enterprise']),
    scopeName: str,
    month: z.string().check(z.regex(/^\d{4}-\d{2}$/)),
    capturedAt: num,
    byModel: list(modelRowSchema, 100),
    byDay: z.optional(list(z.object({ day: str, quantity: num, netAmount: z.optional(num) }), 31)),
    totalQuantity: num,
    includedQuantity: z.optional(num),
    grossAmount: z.optional(num),
    netAmount: z.optional(num),
  }),
  z.object({
    state: z.literal('unavailable'),
    reason: z.enum(['token-kind', 'not-billed-to-user', 'no-access', 'error']),
    message: str,
    fix: z.optional(z.enum(['fine-grained-token', 'org-admin-token', 'enterprise-admin-token'])),
    capturedAt: num,
  }),
]);

const snapshotSchema: z.ZodMiniType<Snapshot> = z.object({
  accountId: str,
  takenAt: num,
  status: z.enum(['ok', 'stale', 'error', 'auth-required']),
  error: z.optional(snapshotErrorSchema),
  meters: z.array(meterSchema),
  lastSuccessAt: z.optional(num),
  plan: z.optional(str),
  identity: z.optional(str),
  breakdown: z.optional(z.unknown()) as unknown as z.ZodMiniOptional<z.ZodMiniType<BillingBreakdown>>,
});

export const paceSchema: z.ZodMiniType<PaceSummary> = z.object({
  status: z.enum(['ok', 'insufficient-data', 'just-reset', 'no-limit', 'unlimited']),
  burnPerHour: z.optional(num),
  projectedAtReset: z.optional(num),
  projectedPercentAtReset: z.optional(num),
  runOutAt: z.optional(num),
  runsOutBeforeReset: z.optional(bool),
  budgetPerHour: z.optional(num),
  budgetPerDay: z.optional(num),
  reserve: z.optional(num),
  elapsedFraction: z.optional(num),
  usedFraction: z.optional(num),
  windowStart: z.optional(num),
  resetsAt: z.optional(num),
  basis: z.optional(z.enum(['units', 'percent', 'balance'])),
  overLimit: z.optional(bool),
  samples: z.optional(num),
  spanMs: z.optional(num),
  text: str,
  detail: z.optional(str),
});

/** Server text, bounded far above what the host sends (it clips titles to 200 characters). */
const short = (max: number) => z.string().check(z.maxLength(max));

export const incidentSchema: z.ZodMiniType<ProviderIncident> = z.object({
  source: short(100),
  title: short(400),
  impact: z.enum(['none', 'minor', 'major', 'critical', 'maintenance', 'unknown']),
  status: z.optional(short(100)),
  url: z.optional(short(2000).check(z.startsWith('https://'))),
  updatedAt: z.optional(num),
});

/** An account card; `pace` and `incident` are checked afterwards (a bad one never costs the account its card). */
const accountSchema = z.object({
  id: z.string().check(z.minLength(1)),
  name: str,
  providerId: str,
  providerName: str,
  icon: str,
  authKind: str,
  snapshot: z.optional(snapshotSchema),
  loading: bool,
  nextPollAt: z.optional(num),
  pace: z.optional(z.unknown()),
  mainMeterId: z.optional(str),
  incident: z.optional(z.unknown()),
  breakdownPace: z.optional(z.unknown()),
});

// Local agent usage: every field the usage section reads, with bounds far above what the host sends.
const agentId = z.enum(AGENT_IDS);
const totalsSchema = z.object({
  tokens: z.object({ input: num, output: num, cacheRead: num, cacheWrite: num, reasoning: num, total: num }),
  requests: num,
  costUSD: z.optional(num),
  unpricedRequests: num,
});
const costish = { tokens: num, requests: num, costUSD: z.optional(num), unpricedRequests: num };
const blockSchema = z.object({
  ...costish,
  start: num,
  end: num,
  firstTs: num,
  lastTs: num,
  active: bool,
  elapsedFraction: z.optional(num),
  projectedTokens: z.optional(num),
  projectedCostUSD: z.optional(num),
  models: list(str, 100),
});

export const usageViewSchema: z.ZodMiniType<UsageView> = z.object({
  generatedAt: num,
  today: str,
  month: str,
  range: z.object({ fromDay: str, toDay: str, days: num }),
  hasData: bool,
  foundAgents: list(agentId, 10),
  visible: bool,
  totals: z.object({ today: totalsSchema, month: totalsSchema }),
  agents: list(z.object({ agent: agentId, label: str, today: totalsSchema, month: totalsSchema }), 10),
  workspace: z.optional(z.object({ folders: list(str, 1000), today: totalsSchema, month: totalsSchema })),
  daily: z
    .object({
      models: list(str, 50),
      days: list(z.object({ ...costish, day: str, costByModel: list(num, 50), tokensByModel: list(num, 50) }), 400),
    })
    // One figure per model on every day.
    .check(z.refine((d) => d.days.every((x) => x.costByModel.length === d.models.length && x.tokensByModel.length === d.models.length))),
  sessions: list(
    z.object({ ...costish, sessionId: str, agent: agentId, model: str, models: list(str, 100), workspace: str, cwd: str, aiCredits: z.optional(num), firstTs: num, lastTs: num }),
    1000,
  ),
  workspaces: list(z.object({ ...costish, cwd: str, label: str, current: bool, sessions: num }), 1000),
  tools: list(z.object({ name: str, count: num, avgDurationMs: z.optional(num), timedCount: num, errors: num }), 1000),
  blocks: z.object({ current: z.optional(blockSchema), recent: list(blockSchema, 100) }),
  planWindows: list(
    z.object({
      agent: z.literal('codex'),
      name: str,
      label: str,
      usedPercent: num,
      windowMinutes: z.optional(num),
      resetsAt: z.optional(num),
      observedAt: num,
      expired: bool,
    }),
    100,
  ),
  scan: z.optional(z.object({ done: num, total: num, rebuild: bool })),
});

/** The frame of a `state` message; accounts, their pace and the usage view are checked one by one after it. */
const stateMessageSchema = z.object({
  type: z.literal('state'),
  state: z.object({
    accounts: z.array(z.unknown()),
    now: num,
    thresholds: z.object({ warning: num, error: num }),
    usage: z.optional(z.unknown()),
    pinned: z.optional(z.unknown()),
    headroom: z.optional(z.unknown()),
    l10n: z.optional(z.unknown()),
  }),
});

/** The meters pinned to the status bar (`<accountId> NUL <meterId>`). */
const pinnedSchema = list(str, 1000);

/** A BCP 47 tag as VS Code spells its display languages ("en", "zh-cn", "pt-br"). */
const l10nSchema = z.object({
  locale: z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/)),
  bundle: z.optional(z.record(z.string().check(z.maxLength(2000)), z.string().check(z.maxLength(4000)))),
});

/** Keeps a well-formed billing breakdown and its pace; a bad one never costs the account its card. */
function withValidBreakdown(a: Omit<DashboardAccount, 'breakdownPace'> & { breakdownPace?: unknown }): DashboardAccount {
  const { breakdownPace: rawPace, ...out } = a;
  if (out.snapshot?.breakdown !== undefined) {
    const { breakdown: raw, ...snapshot } = out.snapshot;
    const b = breakdownSchema.safeParse(raw);
    out.snapshot = b.success ? { ...snapshot, breakdown: b.data } : snapshot;
  }
  if (rawPace === undefined) return out;
  const p = paceSchema.safeParse(rawPace);
  return p.success ? { ...out, breakdownPace: p.data } : out;
}

/** One headroom advice line (src/core/headroom.ts); the reason is the host's sentence, shown as text. */
const headroomLineSchema: z.ZodMiniType<HeadroomLine> = z.object({
  kind: str.check(z.maxLength(40)),
  label: str.check(z.maxLength(200)),
  verdict: z.enum(['room', 'tight', 'none', 'unknown']),
  accountId: z.optional(str.check(z.maxLength(200))),
  reason: str.check(z.maxLength(2000)),
});

/** Keeps the well-formed pace entries; a bad pace never costs the account its card. */
function withValidPace(a: z.infer<typeof accountSchema>): DashboardAccount {
  const { pace: raw, incident: rawIncident, ...fields }: Omit<DashboardAccount, 'pace' | 'breakdownPace' | 'incident'> & { pace?: unknown; breakdownPace?: unknown; incident?: unknown } = a;
  const incident = rawIncident === undefined ? undefined : incidentSchema.safeParse(rawIncident);
  const rest = incident?.success ? { ...fields, incident: incident.data } : fields;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return withValidBreakdown(rest);
  const pace: Record<string, PaceSummary> = {};
  let kept = 0;
  for (const [meterId, p] of Object.entries(raw)) {
    const r = paceSchema.safeParse(p);
    if (r.success) {
      pace[meterId] = r.data;
      kept++;
    }
  }
  return withValidBreakdown(kept > 0 ? { ...rest, pace } : rest);
}

/** Returns the state when `data` is a well-formed `state` message; malformed accounts are dropped, not rendered. */
export function parseHostMessage(data: unknown): { state: DashboardState; dropped: number } | undefined {
  const r = stateMessageSchema.safeParse(data);
  if (!r.success) return undefined;
  const s = r.data.state;
  const accounts: DashboardAccount[] = [];
  for (const a of s.accounts) {
    const parsed = accountSchema.safeParse(a);
    if (parsed.success) accounts.push(withValidPace(parsed.data));
  }
  const state: DashboardState = { accounts, thresholds: s.thresholds, now: s.now };
  // A malformed pin list costs only the cards' Pin / Unpin state.
  const pinned = s.pinned === undefined ? undefined : pinnedSchema.safeParse(s.pinned);
  if (pinned?.success) state.pinned = pinned.data;
  // A malformed usage view costs only the "Local agents" section, never the account cards.
  if (s.usage !== undefined) {
    const usage = usageViewSchema.safeParse(s.usage);
    if (usage.success) state.usage = usage.data;
  }
  // Likewise the headroom lines: only the well-formed ones are shown.
  if (Array.isArray(s.headroom)) {
    const lines = s.headroom.slice(0, 8).flatMap((l) => {
      const r = headroomLineSchema.safeParse(l);
      return r.success ? [r.data] : [];
    });
    if (lines.length) state.headroom = lines;
  }
  // A malformed bundle costs the translation (English shows), never the page.
  if (s.l10n !== undefined) {
    const l10n = l10nSchema.safeParse(s.l10n);
    if (l10n.success && (l10n.data.bundle === undefined || Object.keys(l10n.data.bundle).length <= 5000)) state.l10n = l10n.data;
  }
  return { state, dropped: s.accounts.length - accounts.length };
}

const clockMessageSchema = z.object({ type: z.literal('clock'), now: num });

/** Returns the host's clock for a `clock` message (the answer to `ready` when the embedded state is current). */
export function parseClockMessage(data: unknown): number | undefined {
  const r = clockMessageSchema.safeParse(data);
  return r.success ? r.data.now : undefined;
}

/** Far above any chart width: a series this long is a host bug, not something to draw. */
const MAX_SERIES_POINTS = 20_000;
const pair = z.tuple([num, num]);
const pairs = list(pair, MAX_SERIES_POINTS);

export const chartSeriesSchema: z.ZodMiniType<ChartSeries> = z
  .object({
    accountId: str,
    meterId: str,
    label: str,
    unit: str,
    range: z.enum(HISTORY_RANGES),
    from: num,
    to: num,
    /** [t, value], or [t, value, limit]. */
    points: list(z.union([pair, z.tuple([num, num, num])]), MAX_SERIES_POINTS),
    currentReading: z.optional(bool),
    limit: z.optional(num),
    resets: list(num, MAX_SERIES_POINTS),
    gaps: pairs,
    forecast: z.optional(pairs),
    forecastEnd: z.optional(z.enum(['reset', 'run-out'])),
    pace: z.optional(paceSchema),
    summary: str,
  })
  .check(z.refine((s) => s.from < s.to));

const historyMessageSchema = z.object({ type: z.literal('history'), requestId: num, series: z.unknown() });

/**
 * Returns `{ requestId, series }` for a `history` message. A malformed series becomes `null` (the chart shows its
 * quiet empty state) rather than being dropped, so the request still settles.
 */
export function parseHistoryMessage(data: unknown): { requestId: number; series: ChartSeries | null } | undefined {
  const r = historyMessageSchema.safeParse(data);
  if (!r.success) return undefined;
  const series = chartSeriesSchema.safeParse(r.data.series);
  return { requestId: r.data.requestId, series: series.success ? series.data : null };
}

export { parseFocusMessage, parseSpendMessage, spendViewSchema } from './spendSchemas';
