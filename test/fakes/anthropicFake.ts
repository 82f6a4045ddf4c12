// Loopback fake of the Anthropic Admin API (provider-apis.md §4.1–4.2):
//   GET /v1/organizations/usage_report/messages — starting_at (RFC 3339) required; ending_at exclusive; bucket_width 1d|1h|1m;
//                                                 group_by[] (also accepted as repeated group_by); limit (1d: default 7, max 31);
//                                                 pagination has_more / next_page / page=
//   GET /v1/organizations/cost_report           — same, bucket_width only 1d; amounts are cents as decimal strings
//   GET /v1/organizations/me                    — organization id and name
// Headers: `x-api-key` (admin key) and `anthropic-version` (required → 400 without it). Errors use Anthropic's
// envelope `{"type":"error","error":{"type","message"},"request_id"}`. A normal API key is refused with
// `nonAdminStatus` (default 403 permission_error; set 401 to play the other unverified variant).
//
//   const an = new AnthropicFake();
//   await an.start();
//   an.addAdminKey('sk-ant-admin01-test', { usage: anDays(...), costs: anDays(...), org: anOrganization() });
//   an.addApiKey('sk-ant-api03-test');
//   provider base URL: an.url
import { FakeServer, type FakeReply, type RecordedRequest } from './fakeServer';
import { decodePage, encodePage, queryArray, queryOne } from './openAIFake';

type Json = Record<string, unknown>;

export interface AnthropicAdminSpec {
  usage?: Json[];
  costs?: Json[];
  org?: Json;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export class AnthropicFake extends FakeServer {
  private readonly admin = new Map<string, AnthropicAdminSpec>();
  private readonly apiKeys = new Set<string>();
  /** The status a normal (non-admin) API key gets on the admin endpoints. */
  nonAdminStatus: 401 | 403 = 403;
  pageSize: number | undefined;

  constructor() {
    super();
    this.route('GET', '/v1/organizations/usage_report/messages', (r) => this.report(r, 'usage'));
    this.route('GET', '/v1/organizations/cost_report', (r) => this.report(r, 'costs'));
    this.route('GET', '/v1/organizations/me', (r) => this.me(r));
  }

  addAdminKey(secret: string, spec: AnthropicAdminSpec): this {
    this.admin.set(secret, spec);
    this.apiKeys.delete(secret);
    return this;
  }

  addApiKey(secret: string): this {
    this.apiKeys.add(secret);
    this.admin.delete(secret);
    return this;
  }

  protected override errorEnvelope(status: number, message: string): unknown {
    return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message }, request_id: 'req_fake0000000000000000' };
  }

  private err(status: number, message: string, type?: string): FakeReply {
    const env = this.errorEnvelope(status, message) as { error: { type: string } };
    if (type) env.error.type = type;
    return { status, json: env, headers: { 'request-id': 'req_fake0000000000000000' } };
  }

  private auth(r: RecordedRequest): AnthropicAdminSpec | FakeReply {
    const key = r.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') return this.err(401, 'x-api-key header is required');
    if (typeof r.headers['anthropic-version'] !== 'string') return this.err(400, 'anthropic-version: header is required');
    const spec = this.admin.get(key);
    if (spec) return spec;
    if (this.apiKeys.has(key)) {
      return this.err(this.nonAdminStatus, 'This endpoint requires an Admin API key. Admin API keys start with sk-ant-admin.', 'permission_error');
    }
    return this.err(401, 'invalid x-api-key', 'authentication_error');
  }

  private report(r: RecordedRequest, what: 'usage' | 'costs'): FakeReply {
    const spec = this.auth(r);
    if ('status' in spec || 'json' in spec) return spec as FakeReply;
    const a = spec as AnthropicAdminSpec;
    const startRaw = queryOne(r, 'starting_at');
    const start = startRaw === undefined ? NaN : Date.parse(startRaw);
    if (!Number.isFinite(start)) return this.err(400, 'starting_at: Field required (RFC 3339 date-time)');
    const endRaw = queryOne(r, 'ending_at');
    const end = endRaw === undefined ? Infinity : Date.parse(endRaw);
    if (Number.isNaN(end)) return this.err(400, 'ending_at: invalid RFC 3339 date-time');
    const width = queryOne(r, 'bucket_width') ?? '1d';
    if (what === 'costs' ? width !== '1d' : !['1d', '1h', '1m'].includes(width)) return this.err(400, `bucket_width: invalid value ${width}`);
    const limitRaw = queryOne(r, 'limit');
    const limit = limitRaw === undefined ? 7 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 31) return this.err(400, `limit: must be between 1 and 31 for 1d buckets`);
    const offset = decodePage(queryOne(r, 'page'));
    if (offset === undefined) return this.err(400, 'page: invalid cursor');
    const groupBy = queryArray(r, 'group_by');
    const all = ((what === 'usage' ? a.usage : a.costs) ?? [])
      .filter((b) => {
        const t = Date.parse(String(b.starting_at));
        return t >= start && t < end;
      })
      .sort((x, y) => Date.parse(String(x.starting_at)) - Date.parse(String(y.starting_at)))
      .map((b) => (what === 'usage' && !groupBy.includes('model') ? ungroupModels(b) : b));
    const size = this.pageSize !== undefined ? Math.min(limit, this.pageSize) : limit;
    const page = all.slice(offset, offset + size);
    const more = offset + size < all.length;
    return { json: { data: page, has_more: more, next_page: more ? encodePage(offset + size) : null } };
  }

  private me(r: RecordedRequest): FakeReply {
    const spec = this.auth(r);
    if ('status' in spec || 'json' in spec) return spec as FakeReply;
    const a = spec as AnthropicAdminSpec;
    if (!a.org) return this.err(404, 'Not found');
    return { json: a.org };
  }
}

/** Without `group_by[]=model` the API reports one result per bucket with `model: null`: sum the token fields. */
function ungroupModels(bucket: Json): Json {
  const results = (bucket.results as Json[]) ?? [];
  if (results.length === 0) return bucket;
  const sum = (f: (x: Json) => unknown) => results.reduce((n, x) => n + Number(f(x) ?? 0), 0);
  const cc = (x: Json) => (x.cache_creation ?? {}) as Json;
  return {
    ...bucket,
    results: [
      {
        ...results[0],
        uncached_input_tokens: sum((x) => x.uncached_input_tokens),
        cache_read_input_tokens: sum((x) => x.cache_read_input_tokens),
        cache_creation: { ephemeral_1h_input_tokens: sum((x) => cc(x).ephemeral_1h_input_tokens), ephemeral_5m_input_tokens: sum((x) => cc(x).ephemeral_5m_input_tokens) },
        output_tokens: sum((x) => x.output_tokens),
        model: null,
      },
    ],
  };
}
