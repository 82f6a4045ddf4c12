// Loopback fake of the ChatGPT backend's Codex usage endpoint (provider-apis.md §5):
//   GET /backend-api/wham/usage  — `Authorization: Bearer <access token>`, `ChatGPT-Account-Id: <account>`
//   GET /api/codex/usage         — what Codex calls when the base URL has no `/backend-api`
// Errors use `{"detail": "…"}` (the shapes are UNVERIFIED in the reference). `challenge()` queues a Cloudflare
// bot-check page, which chatgpt.com serves to clients it distrusts.
//
//   const cx = new CodexFake(); await cx.start();
//   cx.addToken(accessToken, { usage: codexUsage(), accountId: CODEX_ACCOUNT_ID });
//   provider base URL: cx.baseUrl → http://127.0.0.1:PORT/backend-api
import { codexUsage } from '../builders/codex';
import { FakeServer, credentialOf, type FakeReply, type FaultTarget, type RecordedRequest } from './fakeServer';

export interface CodexTokenSpec {
  usage?: Record<string, unknown>;
  /** When set, a request whose ChatGPT-Account-Id differs gets a 403. */
  accountId?: string;
}

export const CLOUDFLARE_CHALLENGE_HTML =
  '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body><div id="challenge-platform">' +
  '<script>window._cf_chl_opt={cvId:"3"};</script></div></body></html>';

export class CodexFake extends FakeServer {
  private readonly tokens = new Map<string, CodexTokenSpec>();

  constructor() {
    super();
    this.route('GET', '/backend-api/wham/usage', (r) => this.usage(r));
    this.route('GET', '/api/codex/usage', (r) => this.usage(r));
  }

  get baseUrl(): string {
    return `${this.url}/backend-api`;
  }

  addToken(token: string, spec: CodexTokenSpec = {}): this {
    this.tokens.set(token, spec);
    return this;
  }

  /** The next matching request gets a Cloudflare challenge page (403 + `cf-mitigated: challenge`). */
  challenge(target: FaultTarget = {}): this {
    return this.fail({ status: 403, body: CLOUDFLARE_CHALLENGE_HTML, headers: { 'content-type': 'text/html; charset=UTF-8', 'cf-mitigated': 'challenge', 'cf-ray': '8f00000000000000-AMS' } }, target);
  }

  protected override errorEnvelope(_status: number, message: string): unknown {
    return { detail: message };
  }

  private usage(r: RecordedRequest): FakeReply {
    const cred = credentialOf(r);
    if (!cred || cred.scheme !== 'bearer') return { status: 401, json: { detail: 'Unauthorized' } };
    const spec = this.tokens.get(cred.value);
    if (!spec) return { status: 401, json: { detail: 'Could not validate your credentials' } };
    if (spec.accountId && r.headers['chatgpt-account-id'] !== spec.accountId) return { status: 403, json: { detail: 'Workspace mismatch' } };
    return { json: spec.usage ?? codexUsage() };
  }
}
