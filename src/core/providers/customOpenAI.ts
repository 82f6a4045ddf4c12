// Any OpenAI-compatible endpoint (vLLM, Ollama, LM Studio, Together, Groq, Azure-style gateways, …):
//   GET  {base}/models            — health check and model list (Bearer key)
//   POST {base}/chat/completions  — OPTIONAL rate-limit probe: one request with max_tokens 1 per poll, read from the
//                                   `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` headers (provider-apis.md §3.3;
//                                   resets are Go duration strings like "6m0s", "20ms", "2m59.56s"). Azure sends only
//                                   the `remaining-*` pair.
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError, toProviderError } from '../errors';
import { describe, type HttpResponse } from '../http';
import { makeMeter, type Account, type Meter } from '../../shared/model';
import { errorForStatus, requestJson, scrubSecret } from './json';
import type { AccountField, ConnectionInfo, FetchResult, KeyHint, ProviderContext, ProviderDefinition } from './types';

const MODELS_PATH = '/models';
const CHAT_PATH = '/chat/completions';

export const modelsSchema = z.object({
  data: z.array(z.object({ id: z.string() })),
});

// ---------------------------------------------------------------------------------------------------------------
// Go durations

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go `time.Duration` string ("6m0s", "20ms", "1s", "2m59.56s", "7.66s", "1h2m", "0") into milliseconds.
 * A bare number is taken as seconds (some gateways send "1" or "0.5"). Returns undefined when unparseable.
 */
export function parseGoDuration(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  let s = raw.trim();
  if (s === '') return undefined;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(s)) return sign * Number(s) * 1000;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  return sign * total;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings

function settingsBaseUrl(account: Pick<Account, 'settings'>): string {
  const raw = account.settings.baseUrl;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ProviderError('config', 'No base URL is set for this OpenAI-compatible endpoint — remove and add the account again with its URL (e.g. https://llm.example.com/v1).');
  }
  return raw.trim().replace(/\/+$/, '');
}

/** The comma-separated `models` setting as a clean list. */
export function configuredModels(account: Pick<Account, 'settings'>): string[] {
  const raw = account.settings.models;
  if (typeof raw !== 'string') return [];
  return [...new Set(raw.split(',').map((m) => m.trim()).filter((m) => m !== ''))];
}

function probeEnabled(account: Pick<Account, 'settings'>): boolean {
  const v = account.settings.rateLimitProbe;
  return v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'on');
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping

/** The `health` meter: how many models answer, and which configured ones are missing. Exported for tests. */
export function healthMeter(listed: readonly string[], configured: readonly string[], capturedAt: number, note?: string): Meter {
  const have = new Set(listed);
  let used: number;
  let detail: string;
  if (configured.length > 0) {
    const found = configured.filter((m) => have.has(m));
    const missing = configured.filter((m) => !have.has(m));
    used = found.length;
    detail = `${found.length} of ${configured.length} configured models available`;
    if (missing.length) detail += ` · missing: ${missing.join(', ')}`;
  } else {
    used = listed.length;
    detail = `${listed.length} model${listed.length === 1 ? '' : 's'} listed by the endpoint`;
  }
  if (note) detail += ` · ${note}`;
  return makeMeter({ id: 'health', label: 'Models available', kind: 'quota', unit: 'models', source: 'official', capturedAt, used, detail });
}

function headerNumber(h: Record<string, string>, name: string): number | undefined {
  const v = h[name]?.trim();
  if (v === undefined || !/^-?\d+(\.\d+)?$/.test(v)) return undefined;
  return Number(v);
}

/** `x-ratelimit-*` headers → `requests-limit` / `tokens-limit` meters (only those the server sent). Exported for tests. */
export function rateLimitMeters(h: Record<string, string>, now: number, model: string, throttled = false): Meter[] {
  const meters: Meter[] = [];
  for (const [what, unit] of [['requests', 'requests'], ['tokens', 'tokens']] as const) {
    const limit = headerNumber(h, `x-ratelimit-limit-${what}`);
    const remaining = headerNumber(h, `x-ratelimit-remaining-${what}`);
    if (limit === undefined && remaining === undefined) continue;
    const resetMs = parseGoDuration(h[`x-ratelimit-reset-${what}`]);
    const detail = [
      `from the response headers of a 1-token probe to ${model}`,
      limit === undefined ? 'the endpoint reports only what remains' : undefined,
      throttled ? 'rate limited right now (HTTP 429)' : undefined,
    ].filter(Boolean).join(' · ');
    meters.push(
      makeMeter({
        id: `${what}-limit`,
        label: what === 'requests' ? 'Request rate limit' : 'Token rate limit',
        kind: 'rate-limit',
        unit,
        source: 'headers',
        capturedAt: now,
        limit,
        remaining,
        resetsAt: resetMs !== undefined && resetMs >= 0 ? now + resetMs : undefined,
        detail,
      }),
    );
  }
  return meters;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

function auth(ctx: ProviderContext): Record<string, string> {
  return { authorization: `Bearer ${ctx.secret}`, accept: 'application/json' };
}

async function fetchModels(ctx: ProviderContext): Promise<string[]> {
  const { data } = await requestJson(ctx, { url: joinUrl(ctx.baseUrl, MODELS_PATH), headers: auth(ctx) }, modelsSchema);
  return data.data.map((m) => m.id);
}

async function postChat(ctx: ProviderContext, model: string, tokenField: 'max_tokens' | 'max_completion_tokens'): Promise<HttpResponse> {
  return ctx.http.request({
    method: 'POST',
    url: joinUrl(ctx.baseUrl, CHAT_PATH),
    headers: { ...auth(ctx), 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], [tokenField]: 1, stream: false }),
    signal: ctx.signal,
    tag: ctx.providerId,
  });
}

/**
 * Sends the 1-token probe and returns its headers. A 429 still carries useful headers (remaining 0 and the reset),
 * so it is not an error here. Newer OpenAI models reject `max_tokens`: retried once with `max_completion_tokens`.
 */
async function probe(ctx: ProviderContext, model: string): Promise<{ headers: Record<string, string>; throttled: boolean }> {
  try {
    let res = await postChat(ctx, model, 'max_tokens');
    if (res.status === 400 && /max_completion_tokens/.test(res.text)) res = await postChat(ctx, model, 'max_completion_tokens');
    if (res.status === 429) return { headers: res.headers, throttled: true };
    if (res.status < 200 || res.status >= 300) throw errorForStatus(res, describe(joinUrl(ctx.baseUrl, CHAT_PATH)), ctx.clock.now());
    return { headers: res.headers, throttled: false };
  } catch (err) {
    throw err instanceof ProviderError ? scrubSecret(err, ctx.secret) : err;
  }
}

function pickProbeModel(listed: readonly string[], configured: readonly string[]): string | undefined {
  const have = new Set(listed);
  return configured.find((m) => have.has(m)) ?? configured[0] ?? listed[0];
}

// ---------------------------------------------------------------------------------------------------------------
// Provider

export const customOpenAIFields: readonly AccountField[] = [
  {
    key: 'baseUrl',
    label: 'Base URL',
    prompt: 'The OpenAI-compatible API base, usually ending in /v1 (requests go to {base}/models and {base}/chat/completions).',
    placeholder: 'https://llm.example.com/v1',
    required: true,
    kind: 'url',
    beforeKey: true,
    validate: (v) => (v.trim() === '' ? 'Enter the endpoint base URL.' : undefined),
  },
  {
    key: 'models',
    label: 'Models to watch (optional)',
    prompt: 'Comma-separated model ids that must be available, e.g. gpt-4o-mini, llama-3.1-70b. Leave empty to just count the listed models.',
    placeholder: 'gpt-4o-mini, llama-3.1-70b',
    required: false,
    kind: 'text',
  },
  {
    key: 'rateLimitProbe',
    label: 'Rate-limit probe',
    prompt:
      'Read the request/token rate limits? The probe sends one tiny chat completion (max_tokens 1) to the first model on every poll, ' +
      'so it spends a little quota and counts against the rate limit it measures.',
    required: false,
    kind: 'choice',
    defaultValue: 'off',
    choices: [
      { value: 'off', label: 'Off', description: 'only list models (free)' },
      { value: 'on', label: 'On', description: 'one 1-token request per poll to read x-ratelimit-* headers' },
    ],
  },
];

export const customOpenAIKeyHint: KeyHint = {
  placeholder: 'API key',
  prompt: 'API key for the endpoint (sent as Authorization: Bearer; enter any text if the endpoint needs none)',
  validate(key: string) {
    const k = key.trim();
    if (k === '') return { error: 'Enter the API key (any text if the endpoint needs none).' };
    if (/\s/.test(k)) return { error: 'An API key contains no spaces.' };
    return {};
  },
};

export const customOpenAIProvider: ProviderDefinition = {
  id: 'custom-openai',
  displayName: 'OpenAI-compatible endpoint',
  description: 'Any /v1 endpoint: model availability, and rate limits with the optional probe',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'gateway',
  keyHint: customOpenAIKeyHint,
  accountFields: customOpenAIFields,
  defaultBaseUrl: (account) => settingsBaseUrl(account),
  defaultPollSeconds: 600,
  minPollSeconds: 120,
  icon: 'plug',
  endpoints: [
    { path: MODELS_PATH, official: true },
    { path: CHAT_PATH, official: true },
  ],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    const listed = await fetchModels(ctx);
    const configured = configuredModels(ctx.account);
    const now = ctx.clock.now();
    if (!probeEnabled(ctx.account)) return { meters: [healthMeter(listed, configured, now)] };
    const model = pickProbeModel(listed, configured);
    if (!model) return { meters: [healthMeter(listed, configured, now, 'rate-limit probe skipped: no model to call')] };
    let note: string | undefined;
    let limits: Meter[] = [];
    try {
      const p = await probe(ctx, model);
      limits = rateLimitMeters(p.headers, now, model, p.throttled);
      if (limits.length === 0) note = 'the endpoint sends no x-ratelimit-* headers';
    } catch (err) {
      const e = scrubSecret(toProviderError(err), ctx.secret);
      if (e.kind === 'cancelled') throw e;
      ctx.log.warn(`custom-openai: rate-limit probe failed: ${e.message}`);
      note = `rate-limit probe failed: ${e.message}`;
    }
    return { meters: [healthMeter(listed, configured, now, note), ...limits] };
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    await fetchModels(ctx);
    let host = 'OpenAI-compatible endpoint';
    try {
      host = new URL(ctx.baseUrl).host;
    } catch {
      /* keep the generic name */
    }
    return { suggestedName: host };
  },
};
