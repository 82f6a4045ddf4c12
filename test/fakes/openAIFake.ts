// Loopback fake of the OpenAI API (provider-apis.md §3), also serving any "OpenAI-compatible" endpoint:
//   GET  /v1/organization/usage/completions — Admin keys only; start_time required; bucket_width 1d|1h|1m; limit (1d max 31,
//                                            default 7); pagination with has_more / next_page and `page=`
//   GET  /v1/organization/costs            — Admin keys only; bucket_width only 1d; limit 1–180 (default 7); same pagination
//   GET  /v1/models                        — inference keys; `{"object":"list","data":[…]}`
//   POST /v1/chat/completions              — inference keys; answers with `x-ratelimit-*` headers (configurable per key)
// Array query parameters are accepted both as repeated `key=v` and as `key[]=v`. Errors use OpenAI's envelope
// `{"error":{"message","type","param","code"}}`. Unknown keys → 401 invalid_api_key; a project key on the admin
// endpoints → 403 "Missing scopes: api.usage.read".
//
//   const oa = new OpenAIFake();
//   await oa.start();
//   oa.addAdminKey('sk-admin-test', { usage: oaUsageDays(...), costs: oaCostDays(...), org: 'acme' });
//   oa.addInferenceKey('sk-proj-test', { models: ['gpt-4o-mini'], rateLimitHeaders: oaRateLimitHeaders() });
//   oa.pageSize = 2;                                  // force small pages to exercise pagination
//   provider base URL: oa.baseUrl → http://127.0.0.1:PORT/v1
import { FakeServer, credentialOf, type FakeReply, type RecordedRequest } from './fakeServer';
import { oaChatCompletion, oaModel, oaRateLimitHeaders } from '../builders/openai';

type Json = Record<string, unknown>;

export interface OpenAIAdminSpec {
  usage?: Json[];
  costs?: Json[];
  /** Sent as `openai-organization` on every answer. */
  org?: string;
}

export interface OpenAIInferenceSpec {
  models: string[];
  /** Headers sent with every chat completion (default: OpenAI's full set). */
  rateLimitHeaders?: Record<string, string>;
  /** Override the `/models` answer (e.g. a drifted payload). */
  modelsReply?: FakeReply;
}

/** All values of an array query parameter, whether sent as `k=v&k=w` or `k[]=v&k[]=w`. */
export function queryArray(r: RecordedRequest, key: string): string[] {
  const out: string[] = [];
  for (const k of [key, `${key}[]`]) {
    const v = r.query[k];
    if (v === undefined) continue;
    out.push(...(Array.isArray(v) ? v : [v]));
  }
  return out;
}

export function queryOne(r: RecordedRequest, key: string): string | undefined {
  const v = r.query[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function encodePage(offset: number): string {
  return `page_${Buffer.from(`o:${offset}`).toString('base64')}`;
}

export function decodePage(token: string | undefined): number | undefined {
  if (token === undefined) return 0;
  const m = /^page_(.+)$/.exec(token);
  if (!m) return undefined;
  const d = /^o:(\d+)$/.exec(Buffer.from(m[1]!, 'base64').toString('utf8'));
  return d ? Number(d[1]) : undefined;
}

export class OpenAIFake extends FakeServer {
  private readonly admin = new Map<string, OpenAIAdminSpec>();
  private readonly inference = new Map<string, OpenAIInferenceSpec>();
  /** When set, pages never hold more than this many buckets (whatever `limit` asks). */
  pageSize: number | undefined;
  /** When set, every page answers `has_more: true` with a fresh cursor (a broken server). */
  endlessPages = false;

  constructor() {
    super();
    this.route('GET', '/v1/organization/usage/completions', (r) => this.list(r, 'usage', 31));
    this.route('GET', '/v1/organization/costs', (r) => this.list(r, 'costs', 180));
    this.route('GET', '/v1/models', (r) => this.models(r));
    this.route('POST', '/v1/chat/completions', (r) => this.chat(r));
  }

  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  addAdminKey(secret: string, spec: OpenAIAdminSpec): this {
    this.admin.set(secret, spec);
    this.inference.delete(secret);
    return this;
  }

  addInferenceKey(secret: string, spec: OpenAIInferenceSpec): this {
    this.inference.set(secret, spec);
    this.admin.delete(secret);
    return this;
  }

  protected override errorEnvelope(status: number, message: string): unknown {
    const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
    const code = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null;
    return { error: { message, type, param: null, code } };
  }

  private err(status: number, message: string, type: string, code: string | null = null, param: string | null = null): FakeReply {
    return { status, json: { error: { message, type, param, code } } };
  }

  private who(r: RecordedRequest): { admin?: OpenAIAdminSpec; inference?: OpenAIInferenceSpec; reply?: FakeReply } {
    const cred = credentialOf(r);
    if (!cred || cred.scheme !== 'bearer') {
      return { reply: this.err(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.", 'invalid_request_error') };
    }
    const admin = this.admin.get(cred.value);
    if (admin) return { admin };
    const inference = this.inference.get(cred.value);
    if (inference) return { inference };
    const masked = cred.value.length > 8 ? `${cred.value.slice(0, 3)}*****${cred.value.slice(-4)}` : '*****';
    return { reply: this.err(401, `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key') };
  }

  private list(r: RecordedRequest, what: 'usage' | 'costs', maxLimit: number): FakeReply {
    const w = this.who(r);
    if (w.reply) return w.reply;
    if (!w.admin) {
      return this.err(403, 'You have insufficient permissions for this operation. Missing scopes: api.usage.read. Check that you have the correct role in your organization (Owner), and if you\'re using a restricted API key, that it has the necessary scopes.', 'invalid_request_error');
    }
    const headers: Record<string, string> = w.admin.org ? { 'openai-organization': w.admin.org } : {};
    const start = queryOne(r, 'start_time');
    if (start === undefined || !/^\d+$/.test(start)) return this.err(400, 'Missing required parameter: start_time', 'invalid_request_error', null, 'start_time');
    const endRaw = queryOne(r, 'end_time');
    if (endRaw !== undefined && !/^\d+$/.test(endRaw)) return this.err(400, 'Invalid end_time', 'invalid_request_error', null, 'end_time');
    const width = queryOne(r, 'bucket_width') ?? '1d';
    if (what === 'costs' ? width !== '1d' : !['1d', '1h', '1m'].includes(width)) {
      return this.err(400, `Invalid bucket_width: ${width}`, 'invalid_request_error', null, 'bucket_width');
    }
    const limitRaw = queryOne(r, 'limit');
    const limit = limitRaw === undefined ? 7 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) return this.err(400, `Invalid limit: ${limitRaw}`, 'invalid_request_error', null, 'limit');
    const offset = decodePage(queryOne(r, 'page'));
    if (offset === undefined) return this.err(400, 'Invalid page cursor', 'invalid_request_error', null, 'page');
    // Accept (and ignore) group_by in both encodings; record it for assertions.
    queryArray(r, 'group_by');
    const s = Number(start);
    const e = endRaw === undefined ? Infinity : Number(endRaw);
    const all = ((what === 'usage' ? w.admin.usage : w.admin.costs) ?? [])
      .filter((b) => Number(b.start_time) >= s && Number(b.start_time) < e)
      .sort((a, b) => Number(a.start_time) - Number(b.start_time));
    const size = this.pageSize !== undefined ? Math.min(limit, this.pageSize) : limit;
    const page = all.slice(offset, offset + size);
    const more = this.endlessPages || offset + size < all.length;
    return { headers, json: { object: 'page', data: page, has_more: more, next_page: more ? encodePage(offset + size) : null } };
  }

  private models(r: RecordedRequest): FakeReply {
    const w = this.who(r);
    if (w.reply) return w.reply;
    const spec = w.inference;
    if (!spec) return this.err(403, 'Admin keys cannot be used for inference.', 'invalid_request_error');
    if (spec.modelsReply) return spec.modelsReply;
    return { json: { object: 'list', data: spec.models.map((id) => oaModel(id)) } };
  }

  private chat(r: RecordedRequest): FakeReply {
    const w = this.who(r);
    if (w.reply) return w.reply;
    const spec = w.inference;
    if (!spec) return this.err(403, 'Admin keys cannot be used for inference.', 'invalid_request_error');
    let body: Json;
    try {
      body = JSON.parse(r.body) as Json;
    } catch {
      return this.err(400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    const model = typeof body.model === 'string' ? body.model : '';
    if (!spec.models.includes(model)) {
      return this.err(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) return this.err(400, "Missing required parameter: 'messages'.", 'invalid_request_error', null, 'messages');
    return { headers: spec.rateLimitHeaders ?? oaRateLimitHeaders(), json: oaChatCompletion(model) };
  }
}
