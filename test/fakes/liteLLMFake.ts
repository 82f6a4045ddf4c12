// Loopback fake of a LiteLLM proxy's self-info endpoints (provider-apis.md §7.16):
//   GET /key/info                — the calling virtual key (`Authorization: Bearer sk-…`); `?key=` must be the same key
//   GET /user/info?user_id=…     — only for the key's own user unless `userReply` says otherwise
//   GET /team/info?team_id=…     — only for the key's own team unless `teamReply` says otherwise
// Errors use LiteLLM's envelope `{"error":{"message","type","param","code":"<status as string>"}}`.
//
//   const ll = new LiteLLMFake();
//   await ll.start();
//   ll.addKey('sk-litellm-test', { keyInfo: llKeyInfo(), user: llUserInfo(), team: llTeamInfo() });
//   ll.addKey('sk-litellm-solo', { keyInfo: llKeyInfo({ user_id: null, team_id: null }) });
//   ll.addKey('sk-litellm-locked', { keyInfo: llKeyInfo(), userReply: { status: 403 }, teamReply: { status: 401 } });
//   provider base URL: ll.url   (ll.url + '/v1' works too: the provider strips /v1)
import { FakeServer, credentialOf, type FakeReply, type RecordedRequest } from './fakeServer';
import { llKeyInfoResponse } from '../builders/litellm';
import { queryOne } from './openAIFake';

type Json = Record<string, unknown>;

export interface LiteLLMKeySpec {
  /** The `info` object of `/key/info`. */
  keyInfo: Json;
  /** Full `/user/info` answer for the key's user. */
  user?: Json;
  /** Full `/team/info` answer for the key's team. */
  team?: Json;
  /** Override `/user/info` (status only → LiteLLM error envelope). */
  userReply?: FakeReply;
  teamReply?: FakeReply;
}

export class LiteLLMFake extends FakeServer {
  private readonly keys = new Map<string, LiteLLMKeySpec>();

  constructor() {
    super();
    this.route('GET', '/key/info', (r) => this.keyInfo(r));
    this.route('GET', '/user/info', (r) => this.userInfo(r));
    this.route('GET', '/team/info', (r) => this.teamInfo(r));
  }

  addKey(secret: string, spec: LiteLLMKeySpec): this {
    this.keys.set(secret, spec);
    return this;
  }

  protected override errorEnvelope(status: number, message: string): unknown {
    const type = status === 401 || status === 403 ? 'auth_error' : status === 404 ? 'not_found' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'internal_server_error' : 'bad_request_error';
    return { error: { message, type, param: 'None', code: String(status) } };
  }

  private err(status: number, message: string): FakeReply {
    return { status, json: this.errorEnvelope(status, message) };
  }

  private withStatus(reply: FakeReply): FakeReply {
    if (reply.json !== undefined || reply.text !== undefined) return reply;
    const s = reply.status ?? 500;
    return { ...reply, json: this.errorEnvelope(s, `fake ${s}`) };
  }

  private auth(r: RecordedRequest): LiteLLMKeySpec | FakeReply {
    const cred = credentialOf(r);
    if (!cred || cred.scheme !== 'bearer') return this.err(401, 'Authentication Error, No api key passed in.');
    const spec = this.keys.get(cred.value);
    if (!spec) return this.err(401, 'Authentication Error, Invalid proxy server token passed. Received API Key = sk-...redacted, Key Hash (Token) =a1b2c3. Unable to find token in cache or `LiteLLM_VerificationTokenTable`');
    return spec;
  }

  private keyInfo(r: RecordedRequest): FakeReply {
    const spec = this.auth(r);
    if (!('keyInfo' in spec)) return spec;
    const asked = queryOne(r, 'key');
    if (asked !== undefined && asked !== credentialOf(r)?.value) return this.err(403, 'Key not allowed to access this key\'s info.');
    return { json: llKeyInfoResponse(spec.keyInfo) };
  }

  private userInfo(r: RecordedRequest): FakeReply {
    const spec = this.auth(r);
    if (!('keyInfo' in spec)) return spec;
    if (spec.userReply) return this.withStatus(spec.userReply);
    const id = queryOne(r, 'user_id');
    if (!id || id !== spec.keyInfo.user_id) return this.err(403, 'User not allowed to access this user\'s info.');
    if (!spec.user) return this.err(404, `User id=${id} not found`);
    return { json: spec.user };
  }

  private teamInfo(r: RecordedRequest): FakeReply {
    const spec = this.auth(r);
    if (!('keyInfo' in spec)) return spec;
    if (spec.teamReply) return this.withStatus(spec.teamReply);
    const id = queryOne(r, 'team_id');
    if (!id) return this.err(400, 'team_id is required');
    if (id !== spec.keyInfo.team_id) return this.err(403, 'User not allowed to access this team\'s info.');
    if (!spec.team) return this.err(404, `Team not found, passed team_id=${id}`);
    return { json: spec.team };
  }
}
