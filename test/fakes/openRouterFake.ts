// Loopback fake of OpenRouter (provider-apis.md §2):
//   GET /api/v1/key       (also the legacy alias /api/v1/auth/key) — `Authorization: Bearer <key>`, any key
//   GET /api/v1/credits   — management keys only; other keys get the 403 envelope
// Errors use OpenRouter's envelope `{"error":{"code":<status>,"message":"…"}}`.
//
//   const or = new OpenRouterFake();
//   await or.start();
//   or.addKey('sk-or-v1-test-0001', orKey());                                     // inference key
//   or.addKey('sk-or-v1-test-mgmt', orManagementKey(), { credits: orCredits() }); // management key (+ /credits)
//   provider base URL (`tokstat.endpoints.openrouter`): or.baseUrl  → http://127.0.0.1:PORT/api/v1
//   or.fail({ retryAfterSeconds: 30 }, { path: '/api/v1/key' });                  // one 429
import { FakeServer, credentialOf, type FakeReply, type RecordedRequest } from './fakeServer';

export interface OpenRouterKeySpec {
  /** The `data` object of `/key` (see test/builders/openrouter.ts). */
  key: Record<string, unknown>;
  /** `/credits` data. A key gets /credits only when it is a management key (flag in `key`, or `management: true`). */
  credits?: Record<string, unknown>;
  management?: boolean;
}

export class OpenRouterFake extends FakeServer {
  private readonly keys = new Map<string, OpenRouterKeySpec>();

  constructor() {
    super();
    this.route('GET', '/api/v1/key', (r) => this.key(r));
    this.route('GET', '/api/v1/auth/key', (r) => this.key(r));
    this.route('GET', '/api/v1/credits', (r) => this.credits(r));
  }

  /** The provider base URL: `http://127.0.0.1:PORT/api/v1`. */
  get baseUrl(): string {
    return `${this.url}/api/v1`;
  }

  addKey(secret: string, key: Record<string, unknown>, opts: { credits?: Record<string, unknown>; management?: boolean } = {}): this {
    const spec: OpenRouterKeySpec = { key };
    if (opts.credits) spec.credits = opts.credits;
    if (opts.management !== undefined) spec.management = opts.management;
    this.keys.set(secret, spec);
    return this;
  }

  removeKey(secret: string): this {
    this.keys.delete(secret);
    return this;
  }

  protected override errorEnvelope(status: number, message: string): unknown {
    return { error: { code: status, message } };
  }

  private authKey(r: RecordedRequest): OpenRouterKeySpec | FakeReply {
    const cred = credentialOf(r);
    if (!cred || cred.scheme !== 'bearer') return { status: 401, json: this.errorEnvelope(401, 'No auth credentials found') };
    const spec = this.keys.get(cred.value);
    if (!spec) return { status: 401, json: this.errorEnvelope(401, 'User not found.') };
    return spec;
  }

  private key(r: RecordedRequest): FakeReply {
    const spec = this.authKey(r);
    if (!('key' in spec)) return spec;
    return { json: { data: spec.key } };
  }

  private credits(r: RecordedRequest): FakeReply {
    const spec = this.authKey(r);
    if (!('key' in spec)) return spec;
    const management = spec.management ?? (spec.key.is_management_key === true || spec.key.is_provisioning_key === true);
    if (!management) return { status: 403, json: this.errorEnvelope(403, 'Only management keys can fetch credits') };
    return { json: { data: spec.credits ?? { total_credits: 0, total_usage: 0 } } };
  }
}
