// Loopback fakes of the balance and coding-plan APIs (provider-apis.md §7.1–7.3, §7.9, §7.12–7.15), one FakeServer
// subclass per vendor, each with that vendor's auth scheme and error envelope. Bodies come from
// test/builders/balances.ts and are served as they are (envelopes included). Base URL of every fake: `fake.url`.
//
//   const ds = new DeepSeekFake();       await ds.start();
//   ds.addKey('sk-test-1', deepSeekBalance());                      // GET /user/balance
//   const mo = new MoonshotFake('china'); mo.addKey('sk-test', moonshotBalance(), { region: 'global' }) // → 401 here
//   const x = new XaiFake();  x.addKey('xai-mgmt', { teamId: 't-1', balance: xaiBalance('-1000'), usage: xaiUsage([1.5]) });
//   const hf = new HuggingFaceFake(); hf.addKey('hf_x', { whoami: hfWhoami(), billing: hfBilling() });  // billing: null → 403
//   const cu = new CursorAdminFake(); cu.addKey('crsr_x', [cursorSpend({ totalPages: 2 }), cursorSpend()]);  // one body per page
//   mm.fail({ retryAfterSeconds: 30 }, { path: MiniMaxFake.PATH });  // the FakeServer fault injector works on all of them
import { FakeServer, credentialOf, parseBody, type FakeReply, type RecordedRequest } from './fakeServer';

type Json = Record<string, unknown>;

/** A fake whose keys map to a served body, with Bearer auth. */
abstract class BearerFake<Spec> extends FakeServer {
  protected readonly keys = new Map<string, Spec>();

  addKey(secret: string, spec: Spec): this {
    this.keys.set(secret, spec);
    return this;
  }

  removeKey(secret: string): this {
    this.keys.delete(secret);
    return this;
  }

  /** The spec of the request's Bearer key, or the vendor's "unauthorized" reply. */
  protected auth(r: RecordedRequest): { spec: Spec } | { reply: FakeReply } {
    const cred = credentialOf(r);
    const spec = cred && cred.scheme === 'bearer' ? this.keys.get(cred.value) : undefined;
    if (spec === undefined) return { reply: this.unauthorized(cred === undefined) };
    return { spec };
  }

  protected unauthorized(missing: boolean): FakeReply {
    return { status: 401, json: this.errorEnvelope(401, missing ? 'Missing credentials' : 'Invalid API key') };
  }
}

/** DeepSeek: `GET /user/balance`; OpenAI-style error envelope. */
export class DeepSeekFake extends BearerFake<Json> {
  static readonly PATH = '/user/balance';
  constructor() {
    super();
    this.route('GET', DeepSeekFake.PATH, (r) => {
      const a = this.auth(r);
      return 'reply' in a ? a.reply : { json: a.spec };
    });
  }
  protected override errorEnvelope(status: number, message: string): unknown {
    return { error: { message: status === 401 ? 'Authentication Fails (no such user)' : message, type: status === 401 ? 'authentication_error' : 'api_error', param: null, code: 'invalid_request_error' } };
  }
}

/** Moonshot: `GET /v1/users/me/balance`; keys are region-bound (a key of the other region gets 401). */
export class MoonshotFake extends BearerFake<{ body: Json; region: string }> {
  static readonly PATH = '/v1/users/me/balance';
  constructor(readonly region: 'global' | 'china' = 'global') {
    super();
    this.route('GET', MoonshotFake.PATH, (r) => {
      const a = this.auth(r);
      if ('reply' in a) return a.reply;
      if (a.spec.region !== this.region) return this.unauthorized(false);
      return { json: a.spec.body };
    });
  }
  override addKey(secret: string, spec: { body: Json; region: string } | Json, opts: { region?: string } = {}): this {
    const s = 'body' in spec && 'region' in spec ? (spec as { body: Json; region: string }) : { body: spec as Json, region: opts.region ?? this.region };
    return super.addKey(secret, s);
  }
  protected override errorEnvelope(status: number, message: string): unknown {
    return { error: { message: status === 401 ? 'Invalid Authentication' : message, type: status === 401 ? 'invalid_authentication_error' : 'server_error', code: status } };
  }
}

/** SiliconFlow: `GET /v1/user/info`; `{code, message, data}` envelope (errors may come with HTTP 200). */
export class SiliconFlowFake extends BearerFake<Json> {
  static readonly PATH = '/v1/user/info';
  constructor() {
    super();
    this.route('GET', SiliconFlowFake.PATH, (r) => {
      const a = this.auth(r);
      return 'reply' in a ? a.reply : { json: a.spec };
    });
  }
  protected override errorEnvelope(status: number, message: string): unknown {
    return { code: status === 401 ? 20401 : 50000 + status, message: status === 401 ? 'Invalid token' : message, data: null };
  }
}

export interface XaiKeySpec {
  teamId: string;
  balance: Json;
  /** Default: nothing spent (an empty analytics answer). */
  usage?: Json;
  /** An inference key: the Management API rejects it. */
  inference?: boolean;
}

/** xAI Management API: prepaid balance and analytics usage per team; wrong team → 404, inference key → 401. */
export class XaiFake extends BearerFake<XaiKeySpec> {
  static readonly BALANCE = /^\/v1\/billing\/teams\/[^/]+\/prepaid\/balance$/;
  static readonly USAGE = /^\/v1\/billing\/teams\/[^/]+\/usage$/;
  static balancePath(team: string): string {
    return `/v1/billing/teams/${encodeURIComponent(team)}/prepaid/balance`;
  }
  constructor() {
    super();
    this.route('GET', XaiFake.BALANCE, (r) => this.team(r, (s) => ({ json: s.balance })));
    this.route('POST', XaiFake.USAGE, (r) => {
      const body = parseBody(r);
      if (!body.analyticsRequest) return { status: 400, json: this.errorEnvelope(400, 'analyticsRequest is required') };
      return this.team(r, (s) => ({ json: s.usage ?? {} }));
    });
  }
  private team(r: RecordedRequest, ok: (s: XaiKeySpec) => FakeReply): FakeReply {
    const a = this.auth(r);
    if ('reply' in a) return a.reply;
    if (a.spec.inference) return { status: 401, json: this.errorEnvelope(401, 'The provided API key is not a management key') };
    const team = decodeURIComponent(r.path.split('/')[4] ?? '');
    if (team !== a.spec.teamId) return { status: 404, json: this.errorEnvelope(404, `Team ${team} not found`) };
    return ok(a.spec);
  }
  protected override errorEnvelope(status: number, message: string): unknown {
    return { code: status === 401 ? 'Unauthenticated' : status === 404 ? 'NotFound' : 'Internal', error: message };
  }
}

/** Z.ai / BigModel: `GET /api/monitor/usage/quota/limit`; `{code, msg, success}` envelope. */
export class ZaiFake extends BearerFake<Json> {
  static readonly PATH = '/api/monitor/usage/quota/limit';
  constructor() {
    super();
    this.route('GET', ZaiFake.PATH, (r) => {
      const a = this.auth(r);
      return 'reply' in a ? a.reply : { json: a.spec };
    });
  }
  protected override errorEnvelope(status: number, message: string): unknown {
    return { code: status, msg: status === 401 ? 'Token expired or incorrect' : message, success: false };
  }
}

/** MiniMax: `GET /v1/api/openplatform/coding_plan/remains`; an unknown key gets HTTP 200 with base_resp 1004. */
export class MiniMaxFake extends BearerFake<Json> {
  static readonly PATH = '/v1/api/openplatform/coding_plan/remains';
  constructor() {
    super();
    this.route('GET', MiniMaxFake.PATH, (r) => {
      const a = this.auth(r);
      return 'reply' in a ? a.reply : { json: a.spec };
    });
  }
  protected override unauthorized(): FakeReply {
    return { status: 200, json: { base_resp: { status_code: 1004, status_msg: 'login fail: Please carry the API secret key in the Authorization field of the request header' } } };
  }
  protected override errorEnvelope(status: number, message: string): unknown {
    return { base_resp: { status_code: status, status_msg: message } };
  }
}

export interface HfKeySpec {
  whoami: Json;
  /** usage-v2 body; `null` or absent → 403 (the token lacks "Billing: read"). */
  billing?: Json | null;
}

/** Hugging Face: `GET /api/whoami-v2` and `GET /api/settings/billing/usage-v2?startDate=&endDate=`. */
export class HuggingFaceFake extends BearerFake<HfKeySpec> {
  static readonly WHOAMI = '/api/whoami-v2';
  static readonly BILLING = '/api/settings/billing/usage-v2';
  constructor() {
    super();
    this.route('GET', HuggingFaceFake.WHOAMI, (r) => {
      const a = this.auth(r);
      return 'reply' in a ? a.reply : { json: a.spec.whoami };
    });
    this.route('GET', HuggingFaceFake.BILLING, (r) => {
      const a = this.auth(r);
      if ('reply' in a) return a.reply;
      if (!a.spec.billing) return { status: 403, json: { error: 'You do not have permission to access this resource (missing Billing: read)' } };
      if (typeof r.query.startDate !== 'string' || typeof r.query.endDate !== 'string') return { status: 400, json: { error: 'startDate and endDate are required' } };
      return { json: a.spec.billing };
    });
  }
  protected override errorEnvelope(status: number, message: string): unknown {
    return { error: status === 401 ? 'Invalid credentials in Authorization header' : message };
  }
}

/** Cursor Admin API: `POST /teams/spend` with HTTP Basic (key as user, empty password); one body per page. */
export class CursorAdminFake extends FakeServer {
  static readonly PATH = '/teams/spend';
  private readonly keys = new Map<string, Json[]>();
  constructor() {
    super();
    this.route('POST', CursorAdminFake.PATH, (r) => {
      const key = basicUser(r);
      const pages = key === undefined ? undefined : this.keys.get(key);
      if (!pages) return { status: 401, json: this.errorEnvelope(401, 'Unauthorized') };
      const page = Number(parseBody(r).page ?? '1');
      const body = pages[Math.max(1, Number.isFinite(page) ? page : 1) - 1];
      return { json: body ?? { teamMemberSpend: [], totalPages: pages.length } };
    });
  }
  addKey(secret: string, pages: Json | Json[]): this {
    this.keys.set(secret, Array.isArray(pages) ? pages : [pages]);
    return this;
  }
  protected override errorEnvelope(status: number, message: string): unknown {
    return { error: message, status };
  }
}

/** The user name of an HTTP Basic credential (the password must be empty, as Cursor's Admin API expects). */
export function basicUser(r: RecordedRequest): string | undefined {
  const cred = credentialOf(r);
  if (!cred || cred.scheme !== 'basic') return undefined;
  const decoded = Buffer.from(cred.value, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0 || decoded.slice(i + 1) !== '') return undefined;
  return decoded.slice(0, i);
}
