// A local-usage row for the team-export tests (test/unit/export): every count zero, one request at `at`, unless given.
import type { UsageRow } from '../../src/core/usage/types';

export function usageRow(at: number, p: Partial<UsageRow>): UsageRow {
  return {
    day: '2026-11-02', agent: 'claude-code', model: 'claude-sonnet-4-5', cwd: '', sessionId: 's', inputTokens: 0, outputTokens: 0, cacheReadTokens: 0,
    cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearchRequests: 0, requests: 1, fastRequests: 0, loggedCostUSD: 0, loggedCostRequests: 0,
    costUSD: 0, unpricedRequests: 0, fallbackModelRequests: 0, tools: {}, firstTs: at, lastTs: at, ...p,
  } as UsageRow;
}
