// The one token-count type. Every place that counts an agent's tokens (a log record, the index's day and hour rows,
// query totals, 5-hour blocks, the pricing engine) extends these, so a new token kind is added here once.
// The five kinds never overlap: input excludes cache reads and writes; output includes reasoning.

/** The billed token kinds, as the agents logged them. */
export interface TokenCounts {
  /** Uncached input (never includes cache reads or writes). */
  inputTokens: number;
  /** Output including reasoning. */
  outputTokens: number;
  cacheReadTokens: number;
  /** Cache writes kept 5 minutes. */
  cacheWrite5mTokens: number;
  /** Cache writes kept 1 hour. */
  cacheWrite1hTokens: number;
}

/** With the part of `outputTokens` that was reasoning (informational: already inside `outputTokens`). */
export interface TokenCountsWithReasoning extends TokenCounts {
  reasoningTokens: number;
}

/** The token kinds the dashboard shows per total (src/shared/protocol.ts `UsageTotalsView`). */
export interface UsageTokenBreakdown {
  /** Uncached input. */
  input: number;
  /** Output including reasoning. */
  output: number;
  cacheRead: number;
  /** 5-minute + 1-hour cache writes. */
  cacheWrite: number;
  /** Part of `output` that was reasoning (informational). */
  reasoning: number;
  /** input + output + cacheRead + cacheWrite. */
  total: number;
}
