// Loopback fake of the GitHub endpoints tokstat uses (provider-apis.md §1.1, §1.6, §1.8):
//   GET  /copilot_internal/user   (Authorization: `token X` or `Bearer X`; 401 "Bad credentials" for unknown tokens)
//   GET  /user                    (login)
//   POST /login/device/code       (device flow step 1; JSON or form body; answers JSON with Accept: application/json,
//                                  form-encoded otherwise)
//   POST /login/oauth/access_token (device flow step 3; every OAuth error with HTTP 200, like GitHub)
//   GET  /{users|organizations|enterprises}/{name}/settings/billing/{premium_request|ai_credit}/usage
//                                 (§1.4: `year`, `month`, `day`; the month answer sums each model's items like GitHub;
//                                  a token not among the report's readers gets 403 or 404; `pageSize` paginates with
//                                  `Link: <…&page=2>; rel="next"`; an unknown name answers 404)
//
// The same server also serves under `/api/v3` (GitHub Enterprise Server's REST root).
//
// The same server plays both api.github.com and github.com: point the Copilot provider's base URL AND the device
// flow's `oauthBaseUrl` at `fake.url`.
//
//   const gh = new GitHubFake({ deviceInterval: 0 });
//   await gh.start();
//   gh.addToken('gho_fake_e2e_token_1', { login: 'octo-dev', copilot: copilotPaid() });
//   gh.scriptNextDeviceFlow(['pending', 'slow_down', 'success']);   // or leave unscripted and call approveDeviceCode()
//   gh.approveDeviceCode();                // approves the newest pending code; the next poll returns a token
//                                          // (from another process: POST {url}/_fake/device/approve, body {"user_code"?})
//   gh.fail({ retryAfterSeconds: 60 }, { path: '/copilot_internal/user' });   // 429 once
//   gh.fail({ status: 401 }, { path: '/copilot_internal/user', persistent: true });
//   gh.setBillingReport('users/octo-dev', { readers: ['github_pat_x'], days: { 3: [billingItem('Claude Sonnet 4.5', 12)] } });
import { randomBytes } from 'node:crypto';
import { copilotPaid } from '../builders/copilot';
import { FakeServer, credentialOf, parseBody, type FakeReply, type RecordedRequest } from './fakeServer';

/** What a token sees. `copilot: null` makes `/copilot_internal/user` answer 404 (no Copilot / unaccepted OAuth app). */
export interface GitHubUserSpec {
  login?: string;
  /** The `/copilot_internal/user` payload; default `copilotPaid()` (with `login` when given). */
  copilot?: Record<string, unknown> | null;
  /** Answer `/copilot_internal/user` with this status/body instead (e.g. a 403 for this token only). */
  copilotReply?: FakeReply;
}

/** One scripted answer to a token poll. */
export type DeviceStep = 'pending' | 'slow_down' | 'success' | 'expired_token' | 'access_denied' | 'incorrect_device_code';

export interface DeviceCodeState {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string;
  interval: number;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'used';
  /** Scripted answers still to come; once empty, `status` decides. */
  script: DeviceStep[];
  /** Number of token polls received for this code. */
  polls: number;
  /** The token issued on success. */
  token?: string;
}

export interface GitHubFakeOptions {
  /** When set, other client ids get `incorrect_client_credentials`. */
  clientId?: string;
  /** `interval` returned by /login/device/code (GitHub uses 5; default 1 to keep tests fast). */
  deviceInterval?: number;
  /** `expires_in` of device codes, default 900. */
  deviceExpiresIn?: number;
  /** What the device-code answer gives as `verification_uri`, from the fake's own URL (default: its /login/device). */
  verificationUri?: (fakeUrl: string) => string;
  /** What a token issued by the device flow sees (default: login `octo-device`, paid plan). */
  deviceUser?: GitHubUserSpec;
}

/** One scope's billing report (§1.4). */
export interface BillingReportSpec {
  /** Tokens that may read it; any other valid token gets `refusal`. */
  readers: string[];
  /** How GitHub refuses another token: 403 (default) or 404. */
  refusal?: 403 | 404;
  /** The endpoint that has data (the other answers 404); default `ai_credit`. */
  kind?: 'premium_request' | 'ai_credit';
  /** Usage items per UTC day of the month (day of month → items). An organisation without Copilot: `{}`. */
  days: Record<number, Array<Record<string, unknown>>>;
  /** Items per page: more items than this are split into pages linked with `Link: rel="next"`. */
  pageSize?: number;
}

const DOCS = 'https://docs.github.com/rest';
const OAUTH_DOCS = 'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow';

export class GitHubFake extends FakeServer {
  private readonly users = new Map<string, GitHubUserSpec>();
  readonly deviceCodes: DeviceCodeState[] = [];
  private nextScript: DeviceStep[] | undefined;
  private issued = 0;
  private rateRemaining = 5000;
  private readonly billing = new Map<string, BillingReportSpec>();

  constructor(private readonly options: GitHubFakeOptions = {}) {
    super();
    this.route('GET', '/copilot_internal/user', (r) => this.copilotUser(r));
    this.route('GET', '/user', (r) => this.user(r));
    this.route('POST', '/login/device/code', (r) => this.deviceCode(r));
    this.route('POST', '/login/oauth/access_token', (r) => this.accessToken(r));
    // What a browser opened on `verification_uri` sees, and HTTP controls for a harness in another process.
    this.route('GET', '/login/device', () => ({ text: '<!DOCTYPE html><html><body><h1>Device activation (fake)</h1></body></html>', headers: { 'content-type': 'text/html; charset=utf-8' } }));
    this.route('POST', /^\/_fake\/device\/(approve|deny|expire)$/, (r) => this.control(r));
    this.route('GET', /^(\/api\/v3)?\/(users|organizations|enterprises)\/[^/]+\/settings\/billing\/(premium_request|ai_credit)\/usage$/, (r) => this.billingReport(r));
    // GitHub Enterprise Server serves the same API under /api/v3.
    this.route('GET', '/api/v3/copilot_internal/user', (r) => this.copilotUser(r));
    this.route('GET', '/api/v3/user', (r) => this.user(r));
  }

  /** Sets the billing report of `scope` (`users/<login>`, `organizations/<org>`, `enterprises/<slug>`). */
  setBillingReport(scope: string, spec: BillingReportSpec): this {
    this.billing.set(scope.toLowerCase(), spec);
    return this;
  }

  private billingReport(r: RecordedRequest): FakeReply {
    const spec0 = this.authUser(r);
    if (isReply(spec0)) return spec0;
    const m = /(users|organizations|enterprises)\/([^/]+)\/settings\/billing\/(premium_request|ai_credit)\//.exec(r.path)!;
    const scope = `${m[1]}/${decodeURIComponent(m[2]!)}`.toLowerCase();
    const spec = this.billing.get(scope);
    const notFound: FakeReply = { status: 404, json: { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers: this.rateHeaders() };
    if (!spec) return notFound;
    const token = credentialOf(r)!.value;
    if (!spec.readers.includes(token)) {
      if (spec.refusal === 404) return notFound;
      return { status: 403, json: { message: 'Resource not accessible by personal access token', documentation_url: DOCS, status: '403' }, headers: this.rateHeaders() };
    }
    if (m[3] !== (spec.kind ?? 'ai_credit')) return notFound;
    const q = (k: string) => (Array.isArray(r.query[k]) ? r.query[k][0] : r.query[k]) as string | undefined;
    const day = q('day');
    const items = day !== undefined ? (spec.days[Number(day)] ?? []) : sumByModel(Object.values(spec.days).flat());
    const size = spec.pageSize ?? Number.POSITIVE_INFINITY;
    const page = Math.max(1, Number(q('page') ?? '1'));
    const pageItems = items.slice((page - 1) * size, page * size);
    const headers = this.rateHeaders();
    if (page * size < items.length) {
      const next = new URL(r.path, this.url);
      for (const [k, v] of Object.entries(r.query)) next.searchParams.set(k, String(v));
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    const [, kind, name] = m;
    const owner = kind === 'users' ? { user: name } : kind === 'organizations' ? { organization: name } : { enterprise: name };
    return { json: { timePeriod: { year: Number(q('year')), month: Number(q('month')), ...(day ? { day: Number(day) } : {}) }, ...owner, usageItems: pageItems }, headers };
  }

  /** `POST /_fake/device/approve|deny|expire` with optional `user_code` (JSON or form) → 200 `{ user_code }` or 404. */
  private control(r: RecordedRequest): FakeReply {
    const action = r.path.split('/').pop();
    const userCode = parseBody(r).user_code || undefined;
    try {
      const d = action === 'approve' ? this.approveDeviceCode(userCode) : action === 'deny' ? this.denyDeviceCode(userCode) : this.expireDeviceCode(userCode);
      return { json: { user_code: d.userCode, status: d.status } };
    } catch (err) {
      return { status: 404, json: { message: String((err as Error).message) } };
    }
  }

  /** Base URL for the Copilot provider (`tokstat.endpoints.copilot`) — same as `url`. */
  get apiBaseUrl(): string {
    return this.url;
  }

  /** Base URL for the device flow (`oauthBaseUrl`) — same as `url`. */
  get oauthBaseUrl(): string {
    return this.url;
  }

  /** Makes `token` valid; replaces an earlier spec for the same token. */
  addToken(token: string, spec: GitHubUserSpec = {}): this {
    this.users.set(token, spec);
    return this;
  }

  removeToken(token: string): this {
    this.users.delete(token);
    return this;
  }

  /** Scripts the token-poll answers of the NEXT device code requested (e.g. `['pending', 'slow_down', 'success']`). */
  scriptNextDeviceFlow(steps: DeviceStep[]): this {
    this.nextScript = [...steps];
    return this;
  }

  /** The newest device code not yet finished, or the one with `userCode`. */
  pendingDeviceCode(userCode?: string): DeviceCodeState | undefined {
    const list = [...this.deviceCodes].reverse();
    return userCode ? list.find((d) => d.userCode === userCode) : list.find((d) => d.status === 'pending');
  }

  /** Approves a device code as the user would on github.com/login/device; the next poll returns a token. */
  approveDeviceCode(userCode?: string): DeviceCodeState {
    const d = this.requirePending(userCode);
    d.status = 'approved';
    return d;
  }

  /** The user clicked "Cancel" on GitHub: the next poll returns `access_denied`. */
  denyDeviceCode(userCode?: string): DeviceCodeState {
    const d = this.requirePending(userCode);
    d.status = 'denied';
    return d;
  }

  /** The code ran out: the next poll returns `expired_token`. */
  expireDeviceCode(userCode?: string): DeviceCodeState {
    const d = this.requirePending(userCode);
    d.status = 'expired';
    return d;
  }

  /** A GitHub-style primary rate-limit answer (403, `x-ratelimit-remaining: 0`), queued for the next Copilot call. */
  failWithRateLimit403(resetEpochSeconds: number, persistent = false): this {
    return this.fail(
      {
        status: 403,
        body: { message: 'API rate limit exceeded for user ID 12345.', documentation_url: `${DOCS}/overview/resources-in-the-rest-api#rate-limiting`, status: '403' },
        headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetEpochSeconds), 'x-ratelimit-resource': 'core' },
      },
      { path: '/copilot_internal/user', persistent },
    );
  }

  protected override errorEnvelope(status: number, message: string): unknown {
    return { message, documentation_url: DOCS, status: String(status) };
  }

  private requirePending(userCode?: string): DeviceCodeState {
    const d = this.pendingDeviceCode(userCode);
    if (!d) throw new Error(`GitHubFake: no pending device code${userCode ? ` ${userCode}` : ''}`);
    return d;
  }

  private rateHeaders(): Record<string, string> {
    this.rateRemaining = Math.max(0, this.rateRemaining - 1);
    return {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(this.rateRemaining),
      'x-ratelimit-used': String(5000 - this.rateRemaining),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
    };
  }

  private authUser(r: RecordedRequest): GitHubUserSpec | FakeReply {
    const cred = credentialOf(r);
    if (!cred) return { status: 401, json: { message: 'Requires authentication', documentation_url: DOCS, status: '401' } };
    const spec = cred.scheme === 'token' || cred.scheme === 'bearer' ? this.users.get(cred.value) : undefined;
    if (!spec) return { status: 401, json: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } };
    return spec;
  }

  private copilotUser(r: RecordedRequest): FakeReply {
    const spec = this.authUser(r);
    if (isReply(spec)) return spec;
    if (spec.copilotReply) return spec.copilotReply;
    if (spec.copilot === null) return { status: 404, json: { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers: this.rateHeaders() };
    const payload = spec.copilot ?? copilotPaid(spec.login ? { login: spec.login } : {});
    return { json: payload, headers: this.rateHeaders() };
  }

  private user(r: RecordedRequest): FakeReply {
    const spec = this.authUser(r);
    if (isReply(spec)) return spec;
    const login = spec.login ?? 'octo-dev';
    return { json: { login, id: 1000 + login.length, type: 'User', name: null }, headers: this.rateHeaders() };
  }

  /** GitHub answers form-encoded unless the client asks for JSON. */
  private oauthReply(r: RecordedRequest, body: Record<string, string | number>): FakeReply {
    const accept = String(r.headers.accept ?? '');
    if (accept.includes('application/json')) return { json: body };
    const form = new URLSearchParams(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]))).toString();
    return { text: form, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } };
  }

  private oauthError(r: RecordedRequest, error: string, description: string, extra: Record<string, string | number> = {}): FakeReply {
    return this.oauthReply(r, { error, error_description: description, error_uri: OAUTH_DOCS, ...extra });
  }

  private deviceCode(r: RecordedRequest): FakeReply {
    const p = parseBody(r);
    const clientId = p.client_id ?? '';
    if (!clientId || (this.options.clientId && clientId !== this.options.clientId)) {
      return this.oauthError(r, 'incorrect_client_credentials', 'The client_id is not valid.');
    }
    const d: DeviceCodeState = {
      deviceCode: randomBytes(20).toString('hex'),
      userCode: `${code4()}-${code4()}`,
      clientId,
      scope: p.scope ?? '',
      interval: this.options.deviceInterval ?? 1,
      status: 'pending',
      script: this.nextScript ?? [],
      polls: 0,
    };
    this.nextScript = undefined;
    this.deviceCodes.push(d);
    return this.oauthReply(r, {
      device_code: d.deviceCode,
      user_code: d.userCode,
      verification_uri: this.options.verificationUri?.(this.url) ?? `${this.url}/login/device`,
      expires_in: this.options.deviceExpiresIn ?? 900,
      interval: d.interval,
    });
  }

  private accessToken(r: RecordedRequest): FakeReply {
    const p = parseBody(r);
    if (p.grant_type !== 'urn:ietf:params:oauth:grant-type:device_code') {
      return this.oauthError(r, 'unsupported_grant_type', 'The grant type is not supported.');
    }
    const d = this.deviceCodes.find((x) => x.deviceCode === p.device_code);
    if (!d || d.status === 'used') return this.oauthError(r, 'incorrect_device_code', 'The device_code provided is not valid.');
    if (p.client_id !== d.clientId) return this.oauthError(r, 'incorrect_client_credentials', 'The client_id is not valid.');
    d.polls += 1;
    const step: DeviceStep | undefined = d.script.shift() ?? statusStep(d.status);
    switch (step) {
      case 'pending':
        return this.oauthError(r, 'authorization_pending', 'The authorization request is still pending.');
      case 'slow_down':
        d.interval += 5;
        return this.oauthError(r, 'slow_down', 'Too many requests have been made in the same timeframe.', { interval: d.interval });
      case 'expired_token':
        d.status = 'expired';
        return this.oauthError(r, 'expired_token', 'The device_code has expired.');
      case 'access_denied':
        d.status = 'denied';
        return this.oauthError(r, 'access_denied', 'The authorization request was denied.');
      case 'incorrect_device_code':
        return this.oauthError(r, 'incorrect_device_code', 'The device_code provided is not valid.');
      case 'success':
      default: {
        this.issued += 1;
        const token = `gho_fake_device_token_${this.issued}`;
        d.token = token;
        d.status = 'used';
        this.users.set(token, this.options.deviceUser ?? { login: 'octo-device' });
        return this.oauthReply(r, { access_token: token, token_type: 'bearer', scope: d.scope });
      }
    }
  }
}

function statusStep(s: DeviceCodeState['status']): DeviceStep {
  if (s === 'approved') return 'success';
  if (s === 'denied') return 'access_denied';
  if (s === 'expired') return 'expired_token';
  return 'pending';
}

function isReply(x: GitHubUserSpec | FakeReply): x is FakeReply {
  return 'status' in x && typeof (x as FakeReply).status === 'number' && ('json' in x || 'text' in x);
}

function code4(): string {
  const alphabet = 'BCDFGHJKLMNPQRSTVWXZ0123456789';
  let s = '';
  for (const b of randomBytes(4)) s += alphabet[b % alphabet.length];
  return s;
}

/** GitHub's month report: one item per model and SKU, quantities and amounts summed. */
function sumByModel(items: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const it of items) {
    const key = `${String(it.model)}|${String(it.sku)}`;
    const prev = out.get(key);
    if (!prev) {
      out.set(key, { ...it });
      continue;
    }
    for (const f of ['grossQuantity', 'grossAmount', 'discountQuantity', 'discountAmount', 'netQuantity', 'netAmount']) {
      prev[f] = Math.round(((prev[f] as number) + (it[f] as number)) * 1e6) / 1e6;
    }
  }
  return [...out.values()];
}
