// Shared shapes of local agent usage: what the log readers emit (UsageRecord, priced by the pricing engine) and what
// the index keeps (aggregate rows). Token counts are kept exactly as the agents logged them, normalised so that the
// five token kinds never overlap: input excludes cache reads/writes, output includes reasoning.

import type { AgentId } from '../../shared/agents';
import type { TokenCountsWithReasoning } from '../../shared/tokens';

export type { AgentId };

export interface ToolCall {
  name: string;
  /** From the tool_use timestamp to its tool_result timestamp, when both are known. */
  durationMs?: number;
  error?: boolean;
}

/** One billed model request (one API response), after dedup. */
export interface UsageRecord extends TokenCountsWithReasoning {
  agent: AgentId;
  /** Epoch ms. */
  timestamp: number;
  sessionId: string;
  model: string;
  /** Working directory of the agent (the "workspace"); undefined when the log does not say. */
  cwd?: string;
  webSearchRequests: number;
  speed?: 'fast';
  /** Cost pre-computed by the agent itself (old Claude Code `costUSD`, opencode `cost`). */
  costUSD?: number;
  /**
   * How many API requests the record stands for (default 1): the Copilot CLI writes one aggregate per model and
   * process at shutdown, not one line per request.
   */
  requests?: number;
  /** AI credits the agent logged for the record (Copilot CLI `totalNanoAiu` / 1e9); informational, `costUSD` carries the money. */
  aiCredits?: number;
  /** The log had no model; `model` is a guess (Codex → gpt-5). */
  isFallbackModel?: boolean;
  tools?: ToolCall[];
}

/** What the pricing engine says about one record. */
export interface PriceResult {
  costUSD?: number;
  unpriced: boolean;
}
export type PriceFn = (record: UsageRecord) => PriceResult;

export interface ToolAggregate {
  count: number;
  /** Sum of known durations. */
  durationMs: number;
  /** How many calls had a known duration (so an average can be shown). */
  timedCount: number;
  errors: number;
}

/** Aggregates per day × agent × model × workspace × session. */
export interface UsageRow extends TokenCountsWithReasoning {
  /** Local calendar day `YYYY-MM-DD` (in the index's time zone offset at the time of the event). */
  day: string;
  agent: AgentId;
  model: string;
  /** '' when unknown. */
  cwd: string;
  sessionId: string;
  webSearchRequests: number;
  requests: number;
  /** Requests flagged `speed: "fast"`. */
  fastRequests: number;
  /** Sum of agent-logged costs, over `loggedCostRequests` requests that had one. */
  loggedCostUSD: number;
  loggedCostRequests: number;
  /** Sum of costs from the price callback, over priced requests; `unpricedRequests` had no price. */
  costUSD: number;
  unpricedRequests: number;
  fallbackModelRequests: number;
  /** AI credits the agent logged (Copilot CLI); absent for the agents that log none. */
  aiCredits?: number;
  tools: Record<string, ToolAggregate>;
  /** Epoch ms of the first and last request. */
  firstTs: number;
  lastTs: number;
}

/** A plan window from Codex `rate_limits` (offline view of the ChatGPT plan limits). */
export interface PlanWindow {
  /** `primary` (5 h) or `secondary` (weekly) as Codex names them. */
  name: string;
  usedPercent: number;
  windowMinutes?: number;
  /** Epoch ms. */
  resetsAt?: number;
  /** Epoch ms of the event that carried it. */
  observedAt: number;
}

export interface PlanWindows {
  agent: 'codex';
  /** The CODEX_HOME folder the windows were read from. */
  home: string;
  windows: PlanWindow[];
}
