// Loopback fake of the Gemini Code Assist endpoints the Gemini CLI uses (provider-apis.md §6.2):
//   POST /v1internal:loadCodeAssist     body {"metadata":{…}} → tier + cloudaicompanionProject
//   POST /v1internal:retrieveUserQuota  body {"project": id}  → {"buckets":[…]}
// Errors use Google's envelope `{"error":{"code","message","status","details"}}`.
//
//   const gf = new GeminiFake(); await gf.start();
//   gf.addToken('ya29.…', { load: geminiLoad(), quota: geminiQuota() });
//   gf.fail(GeminiFake.resourceExhausted('29.7s'), { path: '/v1internal:retrieveUserQuota' });
import { GEMINI_PROJECT, geminiLoad, geminiQuota } from '../builders/gemini';
import { FakeServer, credentialOf, type FakeReply, type Fault, type RecordedRequest } from './fakeServer';

export interface GeminiTokenSpec {
  load?: Record<string, unknown>;
  quota?: Record<string, unknown>;
  /** Answer loadCodeAssist with this instead (e.g. a 403 UNSUPPORTED_CLIENT). */
  loadReply?: FakeReply;
}

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
};

export class GeminiFake extends FakeServer {
  private readonly tokens = new Map<string, GeminiTokenSpec>();

  constructor() {
    super();
    this.route('POST', '/v1internal:loadCodeAssist', (r) => this.load(r));
    this.route('POST', '/v1internal:retrieveUserQuota', (r) => this.quota(r));
  }

  get baseUrl(): string {
    return this.url;
  }

  addToken(token: string, spec: GeminiTokenSpec = {}): this {
    this.tokens.set(token, spec);
    return this;
  }

  /** A 429 RESOURCE_EXHAUSTED with `RetryInfo.retryDelay` (and no Retry-After header), like Google sends. */
  static resourceExhausted(retryDelay = '29.7s'): Fault {
    return {
      status: 429,
      body: {
        error: {
          code: 429,
          message: `Quota exceeded. Please retry in ${retryDelay}.`,
          status: 'RESOURCE_EXHAUSTED',
          details: [
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'cloudcode-pa.googleapis.com' },
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
          ],
        },
      },
    };
  }

  /** The 403 an account refused by the 2026-06-18 change may get. */
  static unsupportedClient(): FakeReply {
    return {
      status: 403,
      json: {
        error: {
          code: 403,
          message: 'This client is no longer supported for your account.',
          status: 'PERMISSION_DENIED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'UNSUPPORTED_CLIENT', domain: 'cloudcode-pa.googleapis.com' }],
        },
      },
    };
  }

  protected override errorEnvelope(status: number, message: string): unknown {
    return { error: { code: status, message, status: STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') } };
  }

  private auth(r: RecordedRequest): GeminiTokenSpec | FakeReply {
    const cred = credentialOf(r);
    const unauth = { status: 401, json: this.errorEnvelope(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.') };
    if (!cred || cred.scheme !== 'bearer') return unauth;
    return this.tokens.get(cred.value) ?? unauth;
  }

  private load(r: RecordedRequest): FakeReply {
    const spec = this.auth(r);
    if ('status' in spec || 'json' in spec) return spec as FakeReply;
    const s = spec as GeminiTokenSpec;
    if (s.loadReply) return s.loadReply;
    let body: { metadata?: unknown } = {};
    try {
      body = JSON.parse(r.body) as { metadata?: unknown };
    } catch {
      return { status: 400, json: this.errorEnvelope(400, 'Invalid JSON payload received.') };
    }
    if (!body.metadata) return { status: 400, json: this.errorEnvelope(400, 'metadata is required') };
    return { json: s.load ?? geminiLoad() };
  }

  private quota(r: RecordedRequest): FakeReply {
    const spec = this.auth(r);
    if ('status' in spec || 'json' in spec) return spec as FakeReply;
    const s = spec as GeminiTokenSpec;
    let project: unknown;
    try {
      project = (JSON.parse(r.body) as { project?: unknown }).project;
    } catch {
      return { status: 400, json: this.errorEnvelope(400, 'Invalid JSON payload received.') };
    }
    const load = s.load ?? geminiLoad();
    const expected = typeof load.cloudaicompanionProject === 'string' ? load.cloudaicompanionProject : GEMINI_PROJECT;
    if (typeof project !== 'string' || project === '') return { status: 400, json: this.errorEnvelope(400, 'project is required') };
    if (project !== expected && project !== GEMINI_PROJECT) {
      return { status: 403, json: this.errorEnvelope(403, `Permission denied on resource project ${project}.`) };
    }
    return { json: s.quota ?? geminiQuota() };
  }
}
