// Payload builders for the Anthropic Admin API usage and cost reports (provider-apis.md §4.1–4.2). Values are synthetic.
// Buckets carry RFC 3339 `starting_at`/`ending_at`; cost `amount` is CENTS as a decimal string.

export type Json = Record<string, unknown>;

const DAY_MS = 86_400_000;

export function isoDay(ms: number): string {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString().replace('.000Z', 'Z');
}

/** One usage result (grouped by model). Defaults: 12k uncached, 90k cache read, 3k cache write (5m), 4.1k output. */
export function anUsageResult(overrides: Json = {}): Json {
  return {
    uncached_input_tokens: 12000,
    cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 3000 },
    cache_read_input_tokens: 90000,
    output_tokens: 4100,
    server_tool_use: { web_search_requests: 2 },
    api_key_id: null,
    workspace_id: null,
    model: 'claude-sonnet-4-5-20250929',
    service_tier: null,
    context_window: null,
    inference_geo: null,
    ...overrides,
  };
}

export function anBucket(dayMs: number, results: Json[]): Json {
  const start = Date.parse(isoDay(dayMs));
  return { starting_at: isoDay(start), ending_at: isoDay(start + DAY_MS), results };
}

/** One cost result; `amount` in cents as a decimal string ("1834.5561" = $18.345561). */
export function anCostResult(amount: string | number, overrides: Json = {}): Json {
  return {
    amount,
    currency: 'USD',
    cost_type: 'tokens',
    description: 'Claude Sonnet 4.5 Usage - Input Tokens',
    model: 'claude-sonnet-4-5-20250929',
    token_type: 'uncached_input_tokens',
    service_tier: 'standard',
    context_window: '0-200k',
    inference_geo: null,
    workspace_id: null,
    ...overrides,
  };
}

/** Daily buckets from `fromMs`'s day up to `nowMs`'s day, `perDay(i)` giving each day's results. */
export function anDays(fromMs: number, nowMs: number, perDay: (i: number) => Json[]): Json[] {
  const out: Json[] = [];
  const first = Date.parse(isoDay(fromMs));
  const last = Date.parse(isoDay(nowMs));
  for (let t = first, i = 0; t <= last; t += DAY_MS, i++) out.push(anBucket(t, perDay(i)));
  return out;
}

/** `GET /v1/organizations/me`. */
export function anOrganization(overrides: Json = {}): Json {
  return { id: '12345678-1234-5678-1234-567812345678', type: 'organization', name: 'Acme Research', ...overrides };
}
