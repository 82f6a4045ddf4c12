// Typed messages between the extension host and the dashboard webview (both bundles import this file).
// Both sides validate what they receive with the same zod schemas (protocolSchemas.ts); the webview
// starts the exchange with `ready` and the host answers with the full state, then pushes updates.
import type { Snapshot } from './model';
import type { Thresholds } from './format';
import type { PaceSummary } from './pace';
import type { AgentId } from './agents';
import type { HistoryRange } from './historyRange';
import type { UsageTokenBreakdown } from './tokens';
import { SPEND_RANGES } from './spendSchemas';
import type { ProviderIncident } from './incidents';

export interface DashboardAccount {
  id: string;
  name: string;
  providerId: string;
  providerName: string;
  /** Codicon name without `$()`. */
  icon: string;
  authKind: string;
  snapshot?: Snapshot;
  /** A refresh for this account is in flight. */
  loading: boolean;
  /** Epoch ms of the next scheduled poll, when known. */
  nextPollAt?: number;
  /** Pace per meter id, when the history allows a forecast. */
  pace?: Record<string, PaceSummary>;
  /** The account's tightest meter (src/core/summary.ts `mainMeter`), for the dashboard's overview strip. */
  mainMeterId?: string;
  /** An incident the provider's status page reports now, when it concerns this account. */
  incident?: ProviderIncident;
  /** The pace engine on the billing breakdown's days (`snapshot.breakdown`): the projection to the month's reset. */
  breakdownPace?: PaceSummary;
}

export interface DashboardState {
  accounts: DashboardAccount[];
  thresholds: Thresholds;
  /** Host clock at the time the state was sent (epoch ms); the webview ticks countdowns from it. */
  now: number;
  /** Local agent usage (Claude Code, Codex, …) read from the agents' logs; absent when the feature is off. */
  usage?: UsageView;
  /** Meters pinned to the status bar, as `<accountId> NUL <meterId>`: their cards offer Unpin instead of Pin. */
  pinned?: string[];
  /**
   * Headroom advice (src/core/headroom.ts): for each kind of work two or more accounts can do, the one with the most
   * room before its reset at the current pace, with its one-line reason. Advice only; absent or empty: nothing to say.
   */
  headroom?: HeadroomLine[];
  /**
   * The user's language (`vscode.env.language`) for numbers, money and dates, and the host's message bundle
   * (l10n/bundle.l10n.<locale>.json as VS Code loaded it; absent in English). Inline in the page's embedded state,
   * so the first render speaks the language without a round trip.
   */
  l10n?: DashboardL10n;
}

export interface HeadroomLine {
  /** `claude`, `codex`. */
  kind: string;
  /** "Claude models". */
  label: string;
  /** The advised account's verdict: `room`, `tight` (under a fifth left at the reset) or `none`. */
  verdict: 'room' | 'tight' | 'none' | 'unknown';
  /** The advised account (a card to jump to), when one can tell. */
  accountId?: string;
  /** One line, e.g. `"Work API" (anthropic) has the most room for Claude models: … Next: …`. */
  reason: string;
}

export interface DashboardL10n {
  locale: string;
  bundle?: Record<string, string>;
}

// ── Local agent usage (built by src/core/usage/view.ts; plain JSON) ──
// Costs are USD from the pricing engine. `costUSD` is undefined when every request in the total is unpriced (shown as
// "unpriced", never $0); when only some are, it is the priced part and `unpricedRequests` says how many are missing.

export type { UsageTokenBreakdown };

export interface UsageTotalsView {
  tokens: UsageTokenBreakdown;
  requests: number;
  costUSD?: number;
  unpricedRequests: number;
}

export interface UsageAgentView {
  agent: AgentId;
  /** "Claude Code", "Codex", … */
  label: string;
  today: UsageTotalsView;
  month: UsageTotalsView;
}

export interface UsageDailyView {
  /** Stack order: the top models by cost over the range, then "other" when more models were used. */
  models: string[];
  days: Array<{
    /** `YYYY-MM-DD`, ascending, every day of the range (empty days included). */
    day: string;
    /** Priced cost per model (same order as `models`). */
    costByModel: number[];
    tokensByModel: number[];
    costUSD?: number;
    tokens: number;
    requests: number;
    unpricedRequests: number;
  }>;
}

export interface UsageSessionView {
  sessionId: string;
  agent: AgentId;
  /** The model with the most tokens in the session. */
  model: string;
  /** Every model used, most tokens first. */
  models: string[];
  /** Last path segment of the working folder ('' when the log did not say). */
  workspace: string;
  cwd: string;
  tokens: number;
  requests: number;
  costUSD?: number;
  unpricedRequests: number;
  /** AI credits the agent logged for the session (the Copilot CLI); absent when it logs none. */
  aiCredits?: number;
  firstTs: number;
  lastTs: number;
}

export interface UsageWorkspaceView {
  /** Working folder as logged ('' = unknown). */
  cwd: string;
  label: string;
  /** Inside one of this window's workspace folders. */
  current: boolean;
  sessions: number;
  tokens: number;
  requests: number;
  costUSD?: number;
  unpricedRequests: number;
}

export interface UsageToolView {
  name: string;
  count: number;
  /** Average over the calls whose duration is known; undefined when none is. */
  avgDurationMs?: number;
  timedCount: number;
  errors: number;
}

/** A Claude 5-hour block (ccusage-style). */
export interface UsageBlockView {
  start: number;
  end: number;
  firstTs: number;
  lastTs: number;
  active: boolean;
  /** Share of the 5 hours elapsed at `generatedAt` (0–1), for the active block. */
  elapsedFraction?: number;
  tokens: number;
  requests: number;
  costUSD?: number;
  unpricedRequests: number;
  models: string[];
  /** Active block: tokens and cost at the block's end if the burn rate since its first request continues. */
  projectedTokens?: number;
  projectedCostUSD?: number;
}

/** A ChatGPT plan window as Codex last logged it. */
export interface UsagePlanWindowView {
  agent: 'codex';
  name: string;
  /** "5-hour limit", "weekly limit", or the window's own name. */
  label: string;
  usedPercent: number;
  windowMinutes?: number;
  resetsAt?: number;
  observedAt: number;
  /** The window has reset since Codex logged it: `usedPercent` is out of date. */
  expired: boolean;
}

export interface UsageView {
  /** Host clock when built (epoch ms). */
  generatedAt: number;
  /** Local day of `generatedAt` (`YYYY-MM-DD`) and its month (`YYYY-MM`). */
  today: string;
  month: string;
  /** Inclusive day range of `daily`, `sessions`, `workspaces` and `tools`. */
  range: { fromDay: string; toDay: string; days: number };
  /** Any usage recorded at all (any day). */
  hasData: boolean;
  /** Agents whose log folders exist on this machine. */
  foundAgents: AgentId[];
  /** Show the "Local agents" section / tree node: usage exists or an agent folder was found. */
  visible: boolean;
  totals: { today: UsageTotalsView; month: UsageTotalsView };
  /** Agents with any usage or a found folder, in a fixed order. */
  agents: UsageAgentView[];
  /** "This workspace": usage whose working folder is inside the window's workspace folders (absent without folders). */
  workspace?: { folders: string[]; today: UsageTotalsView; month: UsageTotalsView };
  daily: UsageDailyView;
  sessions: UsageSessionView[];
  workspaces: UsageWorkspaceView[];
  tools: UsageToolView[];
  blocks: { current?: UsageBlockView; recent: UsageBlockView[] };
  planWindows: UsagePlanWindowView[];
  /**
   * While the first read of the agents' logs runs (a first start, or the rebuild of an older index): files looked at
   * of those found. The figures above are what was read so far.
   */
  scan?: { done: number; total: number; rebuild: boolean };
}

// ── Spend across providers (built by src/features/spend/core/spend.ts; plain JSON) ──
// Amounts are in `currency` (a code such as USD); null is unknown (before tokstat saw the source), never 0.

export type SpendRange = (typeof SPEND_RANGES)[number];
export { SPEND_RANGES };
/** Where a row's money comes from: the vendor's daily cost buckets, a spend meter, a balance's decreases, agent logs. */
export type SpendKind = 'vendor' | 'spend' | 'burn' | 'agent';

export interface SpendRow {
  id: string;
  /** The account's name, or the agent's. */
  label: string;
  /** The stack the row belongs to. */
  provider: string;
  kind: SpendKind;
  currency: string;
  /** One per bucket. */
  values: Array<number | null>;
  total: number | null;
  /** A balance's top-ups over the range (not spend). */
  topUps?: number;
}

export interface SpendView {
  range: SpendRange;
  /** Buckets are local days (`YYYY-MM-DD`; vendors' buckets are their UTC days) or months (`YYYY-MM`). */
  unit: 'day' | 'month';
  generatedAt: number;
  /** The chart's currency: rows in another are listed apart (`otherCurrencies`). */
  currency: string;
  buckets: string[];
  /** Per provider, in the chart's currency, the largest first. */
  stacks: Array<{ provider: string; values: Array<number | null>; total: number | null }>;
  rows: SpendRow[];
  totals: Array<number | null>;
  total: number | null;
  otherCurrencies: Array<{ currency: string; total: number }>;
}

export type { HistoryRange } from './historyRange';
export { HISTORY_RANGES } from './historyRange';

/** A chart point: epoch ms, the value in the series' unit, and the limit it was measured against when known. */
export type ChartPoint = [t: number, value: number] | [t: number, value: number, limit: number];

/** One meter's history for a chart, already downsampled by the host to about the pixels available. */
export interface ChartSeries {
  accountId: string;
  meterId: string;
  label: string;
  /** The unit of every value (points, limit, forecast): `%` for a meter that only reports a share. */
  unit: string;
  range: HistoryRange;
  /** The range's extents on the host's clock (now − range, now): the chart's x axis spans them. */
  from: number;
  to: number;
  /**
   * Ascending. Values are `used` (`remaining` for balances, the percentage for percent-only meters); a stored point
   * in another unit is converted with its own limit or left out. The last point is the meter's current reading when
   * it is newer than the last stored one (the store writes unchanged values only once an hour).
   */
  points: ChartPoint[];
  /** The last point is the meter's current reading, not a stored one. */
  currentReading?: boolean;
  /** The current limit (the last point's), when known. Each point carries the limit of its own time. */
  limit?: number;
  /** Epoch ms of window resets inside the range (vertical markers, line breaks). */
  resets: number[];
  /** Stretches with no reading although there should have been (polling stopped): [last before, first after]. */
  gaps: Array<[number, number]>;
  /** Projected continuation from the last point to its end (the reset or the run-out), when the pace engine has one. */
  forecast?: Array<[number, number]>;
  /** What the forecast's last point is: the value at the reset, or the time the limit (a balance: zero) is reached. */
  forecastEnd?: 'reset' | 'run-out';
  pace?: PaceSummary;
  /** Accessible text alternative describing the chart. */
  summary: string;
}

export type HostToWebview =
  | { type: 'state'; state: DashboardState }
  /**
   * Answers `ready` from a page that drew the state embedded in its html when nothing changed since that state was
   * built: only the host's clock, so the page's countdowns are exact without rebuilding what it already shows.
   */
  | { type: 'clock'; now: number }
  | { type: 'history'; requestId: number; series: ChartSeries | null }
  | { type: 'spend'; requestId: number; view: SpendView | null }
  /** Scroll to a section and focus it (the "Show Spend" command). */
  | { type: 'focus'; section: 'spend' };

// The schemas of these messages (both directions) live in protocolSchemas.ts.
export { webviewToHostSchema, type WebviewToHost } from './protocolSchemas';

/** State the webview persists with `setState` so a reloaded window (or a panel shown again) restores the panel. */
export interface DashboardPersistedState {
  version: 1;
  scrollY?: number;
  /** The history range chosen per chart where it is not the default, by `<accountId> NUL <meterId>` (webview/chart/manager.ts). */
  ranges?: Record<string, HistoryRange>;
  /** The Spend view's range and whether it shows the table instead of the chart. */
  spend?: { range: SpendRange; table?: boolean };
}
