// Loopback fake of Claude's OAuth usage endpoints (provider-apis.md §4.4):
//   GET /api/oauth/usage    — `Authorization: Bearer <token>`, `anthropic-beta: oauth-2025-04-20` required
//   GET /api/oauth/profile  — same auth
// Errors use Anthropic's envelope `{"type":"error","error":{"type":"…","message":"…"}}`. Like the real service, a
// request without the beta header is refused (401), and one without a `claude-code/` User-Agent lands in the
// 429 bucket (observed by other clients) — so the fake also checks the provider's headers.
//
//   const cf = new ClaudeFake(); await cf.start();
//   cf.addToken('sk-ant-oat01-…', { usage: claudeUsage() });
//   cf.addToken('sk-ant-oat01-setup…', { reply: ClaudeFake.scopeError() });   // a `claude setup-token` token
//   cf.fail({ retryAfterSeconds: 300 }, { path: '/api/oauth/usage' });
import { claudeProfile, claudeUsage } from '../builders/claude';
import { FakeServer, credentialOf, type FakeReply, type RecordedRequest } from './fakeServer';

export interface ClaudeTokenSpec {
  usage?: Record<string, unknown>;
  profile?: Record<string, unknown>;
  /** Answer every request of this token with this reply instead. */
  reply?: FakeReply;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export class ClaudeFake extends FakeServer {
  private readonly tokens = new Map<string, ClaudeTokenSpec>();

  constructor() {
    super();
    this.route('GET', '/api/oauth/usage', (r) => this.answer(r, (s) => s.usage ?? claudeUsage()));
    this.route('GET', '/api/oauth/profile', (r) => this.answer(r, (s) => s.profile ?? claudeProfile()));
  }

  /** The provider base URL (`tokstat.endpoints.claude`). */
  get baseUrl(): string {
    return this.url;
  }

  addToken(token: string, spec: ClaudeTokenSpec = {}): this {
    this.tokens.set(token, spec);
    return this;
  }

  /** The 403 a `claude setup-token` (inference-only) token gets. */
  static scopeError(): FakeReply {
    return {
      status: 403,
      json: { type: 'error', error: { type: 'permission_error', message: 'OAuth token does not meet scope requirement user:profile' } },
    };
  }

  protected override errorEnvelope(status: number, message: string): unknown {
    return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
  }

  private answer(r: RecordedRequest, body: (s: ClaudeTokenSpec) => Record<string, unknown>): FakeReply {
    const cred = credentialOf(r);
    if (!cred || cred.scheme !== 'bearer') return { status: 401, json: this.errorEnvelope(401, 'Invalid bearer token') };
    if (r.headers['anthropic-beta'] !== 'oauth-2025-04-20') {
      return { status: 401, json: this.errorEnvelope(401, 'OAuth authentication is currently not supported.') };
    }
    if (!String(r.headers['user-agent'] ?? '').startsWith('claude-code/')) {
      return { status: 429, headers: { 'retry-after': '0' }, json: this.errorEnvelope(429, 'Rate limited') };
    }
    const spec = this.tokens.get(cred.value);
    if (!spec) return { status: 401, json: this.errorEnvelope(401, 'OAuth token has expired. Please obtain a new token or refresh your existing token.') };
    if (spec.reply) return spec.reply;
    return { json: body(spec) };
  }
}
