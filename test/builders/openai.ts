// Payload builders for the OpenAI Admin API (provider-apis.md §3.1 usage, §3.2 costs) and for the OpenAI-compatible
// inference endpoints used by the custom-openai provider (`GET /models`, `POST /chat/completions`, §3.3 headers).
// Values are synthetic. Times are unix seconds, like the API.

export type Json = Record<string, unknown>;

const DAY = 86_400;

/** Unix seconds of UTC midnight of the day containing `ms`. */
export function dayStartSec(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) / 1000;
}

/** One `organization.usage.completions.result` (ungrouped: group-by fields are null). */
export function oaUsageResult(overrides: Json = {}): Json {
  return {
    object: 'organization.usage.completions.result',
    input_tokens: 1000,
    output_tokens: 500,
    input_cached_tokens: 800,
    input_audio_tokens: 0,
    output_audio_tokens: 0,
    num_model_requests: 5,
    project_id: null,
    user_id: null,
    api_key_id: null,
    model: null,
    batch: null,
    service_tier: null,
    ...overrides,
  };
}

/** A daily usage bucket starting at `startSec`. */
export function oaUsageBucket(startSec: number, results: Json[] = [oaUsageResult()]): Json {
  return { object: 'bucket', start_time: startSec, end_time: startSec + DAY, results };
}

/** One `organization.costs.result`; `value` may be a number or (drifted) a numeric string. */
export function oaCostResult(value: number | string, overrides: Json = {}): Json {
  return { object: 'organization.costs.result', amount: { value, currency: 'usd' }, line_item: null, project_id: null, ...overrides };
}

export function oaCostBucket(startSec: number, results: Json[]): Json {
  return { object: 'bucket', start_time: startSec, end_time: startSec + DAY, results };
}

/**
 * Usage buckets for each UTC day from `fromSec` up to and including the day of `nowMs`, each made by `perDay(dayIndex)`
 * (default: one result of 1000 in / 800 cached / 500 out / 5 requests).
 */
export function oaUsageDays(fromSec: number, nowMs: number, perDay: (i: number) => Json[] = () => [oaUsageResult()]): Json[] {
  const out: Json[] = [];
  const last = dayStartSec(nowMs);
  for (let s = fromSec, i = 0; s <= last; s += DAY, i++) out.push(oaUsageBucket(s, perDay(i)));
  return out;
}

/** Cost buckets for each UTC day from `fromSec` to the day of `nowMs`; `perDay(i)` gives that day's results. */
export function oaCostDays(fromSec: number, nowMs: number, perDay: (i: number) => Json[]): Json[] {
  const out: Json[] = [];
  const last = dayStartSec(nowMs);
  for (let s = fromSec, i = 0; s <= last; s += DAY, i++) out.push(oaCostBucket(s, perDay(i)));
  return out;
}

/** `GET /models` list entry. */
export function oaModel(id: string, overrides: Json = {}): Json {
  return { id, object: 'model', created: 1715367049, owned_by: 'system', ...overrides };
}

/** A `chat.completion` answer with a one-token reply. */
export function oaChatCompletion(model: string, overrides: Json = {}): Json {
  return {
    id: 'chatcmpl-fake000000000000000000000',
    object: 'chat.completion',
    created: 1770730860,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'H' }, logprobs: null, finish_reason: 'length' }],
    usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
    system_fingerprint: 'fp_fake',
    ...overrides,
  };
}

/** OpenAI's full set of rate-limit headers (Go duration strings for the resets). */
export function oaRateLimitHeaders(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-tokens': '29999990',
    'x-ratelimit-reset-tokens': '2m59.56s',
    ...overrides,
  };
}

/** Azure OpenAI sends only the remaining pair. */
export function azureRateLimitHeaders(overrides: Record<string, string> = {}): Record<string, string> {
  return { 'x-ratelimit-remaining-requests': '119', 'x-ratelimit-remaining-tokens': '119000', ...overrides };
}
