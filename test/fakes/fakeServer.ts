// A small loopback HTTP server for provider fakes, shared by unit tests and the end-to-end harness.
//
//   const fake = new FakeServer();          // or a subclass: GitHubFake, OpenRouterFake
//   fake.route('GET', '/ping', () => ({ json: { ok: true } }));
//   await fake.start();                     // listens on 127.0.0.1, random port; fake.url = 'http://127.0.0.1:PORT'
//   fake.fail({ status: 500 });             // next matching request gets a 500 (one-shot), then normal service
//   fake.fail({ retryAfterSeconds: 30 }, { path: '/ping', persistent: true });  // every /ping → 429 until clearFaults()
//   fake.hostile('overflow-literal')        // every answer hostile until clearFaults() (see HostileMode)
//   fake.requests                           // everything received: method, path, query, headers, body
//   await fake.stop();
//
// Faults apply to any route (and to unknown paths), before the route handler runs.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it. Header names are lower-case. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v1/key`. */
  path: string;
  query: Record<string, string | string[]>;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body's bytes (a binary body, e.g. OTLP protobuf). */
  raw: Buffer;
  /** Epoch ms on arrival. */
  at: number;
}

/** What a route handler returns. `json` wins over `text`; status defaults to 200. */
export interface FakeReply {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  /** Wait before answering (a slow server). */
  delayMs?: number;
}

export type RouteHandler = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

/**
 * A canned misbehaviour. Fields combine, e.g. `{ status: 503, html: true }` or `{ delayMs: 2000 }` (delay, then the
 * normal handler answers). Without `status`, the status defaults to 429 when a Retry-After is asked for, 502 for
 * `html`, 200 for `malformed`; with only `delayMs` the route answers normally after the delay.
 */
export interface Fault {
  status?: number;
  /** A string is sent as is; anything else as JSON. Default: the fake's error envelope for `status`. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Adds `Retry-After: <seconds>`. */
  retryAfterSeconds?: number;
  /** Adds `Retry-After: <HTTP-date>`. */
  retryAfterDate?: Date;
  /** Waits before answering; combine with a short client timeout to provoke a timeout. */
  delayMs?: number;
  /** Destroys the socket without answering (connection reset). */
  resetConnection?: boolean;
  /** Answers with an HTML error page (proxy / outage page) instead of JSON. */
  html?: boolean;
  /** Answers with a truncated JSON body labelled `application/json`. */
  malformed?: boolean;
  /** Answers hostile (see HostileMode); `redirectTo` is the origin a `redirect` points at. */
  hostile?: HostileMode;
  redirectTo?: string;
}

/**
 * How a hostile server answers. The number and string modes rewrite the route's normal JSON answer (so the payload
 * still looks like the vendor's); the others replace it.
 * - `overflow-literal`: every number (and numeric string) becomes the JSON literal `1e999` (parses to Infinity);
 * - `overflow-string`: … becomes the string "1e999"; `max-double`: 1e308; `negative`: -1; `nan-string`: "NaN";
 * - `lone-surrogate`: every other string value gets a lone surrogate (ids, labels, currencies, model names);
 * - `html`: an HTML page with HTTP 200, echoing the request's Authorization header;
 * - `huge-body`: 100 MB of JSON, streamed (never held in memory), until the client hangs up;
 * - `slow-body`: headers, then a byte every 25 ms, until the client hangs up (its timeout);
 * - `redirect`: HTTP 302 to the same path on `redirectTo` (another server, which must never be called).
 */
export type HostileMode =
  | 'overflow-literal'
  | 'overflow-string'
  | 'max-double'
  | 'negative'
  | 'nan-string'
  | 'lone-surrogate'
  | 'html'
  | 'huge-body'
  | 'slow-body'
  | 'redirect';

export const HOSTILE_MODES: readonly HostileMode[] = ['overflow-literal', 'overflow-string', 'max-double', 'negative', 'nan-string', 'lone-surrogate', 'html', 'huge-body', 'slow-body', 'redirect'];

const REWRITES: ReadonlySet<HostileMode> = new Set(['overflow-literal', 'overflow-string', 'max-double', 'negative', 'nan-string', 'lone-surrogate']);
const HUGE_BODY_BYTES = 100 * 1024 * 1024;

export interface FaultTarget {
  /** Exact path (without query) or a RegExp tested against it; default any path. */
  path?: string | RegExp;
  method?: string;
  /** How many matching requests the fault serves (default 1). Ignored when persistent. */
  times?: number;
  /** Serve every matching request until `clearFaults()`. */
  persistent?: boolean;
}

interface QueuedFault {
  fault: Fault;
  target: FaultTarget;
  left: number;
}

interface Route {
  method: string;
  path: string | RegExp;
  handler: RouteHandler;
}

export class FakeServer {
  /** Everything received, oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** Checked before faults and routes: a reply refuses the request (e.g. one that did not come through a proxy). */
  guard: ((req: RecordedRequest) => FakeReply | undefined) | undefined;
  /**
   * Routes' 200 answers carry an `ETag` (a digest of the body), and a request whose `If-None-Match` names the current
   * one gets `304 Not Modified` with no body: the conditional requests of issue #20 §5, for vendors that support them.
   */
  etags = false;
  private readonly routes: Route[] = [];
  private faults: QueuedFault[] = [];
  private server: http.Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private origin = '';

  /** `http://127.0.0.1:PORT` once started. */
  get url(): string {
    if (!this.origin) throw new Error('FakeServer: call start() first');
    return this.origin;
  }

  /** Registers a route; later registrations for the same method+path take precedence. */
  route(method: string, path: string | RegExp, handler: RouteHandler): this {
    this.routes.unshift({ method: method.toUpperCase(), path, handler });
    return this;
  }

  async start(port = 0): Promise<string> {
    if (this.server) return this.url;
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Queues a fault (one-shot by default, FIFO among matching faults) or installs a persistent one. */
  fail(fault: Fault, target: FaultTarget = {}): this {
    this.faults.push({ fault, target, left: target.persistent ? Infinity : Math.max(1, target.times ?? 1) });
    return this;
  }

  /** Every request (or those to `path`) is answered hostile until clearFaults(). */
  hostile(mode: HostileMode, opts: { redirectTo?: string; path?: string | RegExp } = {}): this {
    return this.fail({ hostile: mode, ...(opts.redirectTo ? { redirectTo: opts.redirectTo } : {}) }, { persistent: true, ...(opts.path ? { path: opts.path } : {}) });
  }

  clearFaults(): this {
    this.faults = [];
    return this;
  }

  clearLog(): this {
    this.requests.length = 0;
    return this;
  }

  /** Requests whose path equals `path` (or matches the RegExp). */
  requestsTo(path: string | RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => matches(path, r.path) && (!method || r.method === method.toUpperCase()));
  }

  /** The JSON body of an error answer; subclasses return their provider's envelope. */
  protected errorEnvelope(status: number, message: string): unknown {
    return { message, status: String(status) };
  }

  private takeFault(req: RecordedRequest): Fault | undefined {
    const i = this.faults.findIndex(
      (q) => (q.target.path === undefined || matches(q.target.path, req.path)) && (!q.target.method || q.target.method.toUpperCase() === req.method),
    );
    if (i < 0) return undefined;
    const q = this.faults[i]!;
    q.left -= 1;
    if (q.left <= 0) this.faults.splice(i, 1);
    return q.fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://fake.invalid');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of u.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const rec: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: u.pathname,
      query,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      raw: Buffer.concat(chunks),
      at: Date.now(),
    };
    this.requests.push(rec);
    try {
      const refused = this.guard?.(rec);
      if (refused) {
        this.send(res, refused);
        return;
      }
      const fault = this.takeFault(rec);
      if (fault?.delayMs) await this.sleep(fault.delayMs);
      if (!this.server || res.destroyed) return;
      if (fault?.resetConnection) {
        req.socket.destroy();
        return;
      }
      if (fault?.hostile && !REWRITES.has(fault.hostile)) {
        await this.answerHostile(res, fault, rec);
        return;
      }
      if (fault && isAnswering(fault)) {
        this.send(res, this.faultReply(fault));
        return;
      }
      const route = this.routes.find((r) => (r.method === rec.method || r.method === '*') && matches(r.path, rec.path));
      const normal = route ? await route.handler(rec) : { status: 404, json: this.errorEnvelope(404, 'Not Found') };
      const reply = fault?.hostile ? rewriteHostile(normal, fault.hostile) : normal;
      if (reply.delayMs) await this.sleep(reply.delayMs);
      if (!this.server || res.destroyed) return;
      this.send(res, this.etags ? withEtag(reply, rec) : reply);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) this.send(res, { status: 500, json: this.errorEnvelope(500, `fake failure: ${String(err)}`) });
    }
  }

  private async answerHostile(res: http.ServerResponse, f: Fault, rec: RecordedRequest): Promise<void> {
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    switch (f.hostile) {
      case 'html': {
        const echo = String(rec.headers.authorization ?? '');
        this.send(res, { status: 200, text: `<!DOCTYPE html><html><body><h1>Welcome</h1><p>Signed in with ${echo}</p></body></html>`, headers: { 'content-type': 'text/html; charset=utf-8' } });
        return;
      }
      case 'redirect':
        this.send(res, { status: 302, text: '', headers: { location: `${f.redirectTo ?? 'http://127.0.0.1:9'}${rec.path}` } });
        return;
      case 'huge-body': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        res.write('{"data":"');
        let sent = 0;
        while (sent < HUGE_BODY_BYTES && !res.destroyed && this.server) {
          sent += chunk.length;
          // Respect backpressure: one chunk in flight at a time, never the whole body in memory.
          if (!res.write(chunk)) await Promise.race([new Promise((r) => res.once('drain', r)), closed]);
        }
        if (!res.destroyed) res.end('"}');
        return;
      }
      case 'slow-body': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{');
        const t = setInterval(() => {
          if (res.destroyed || !this.server) clearInterval(t);
          else res.write(' ');
        }, 25);
        this.timers.add(t);
        await closed;
        clearInterval(t);
        this.timers.delete(t);
        return;
      }
      default:
        return;
    }
  }

  private faultReply(f: Fault): FakeReply {
    const retry = f.retryAfterSeconds !== undefined || f.retryAfterDate !== undefined;
    const status = f.status ?? (retry ? 429 : f.html ? 502 : f.malformed ? 200 : 500);
    const headers: Record<string, string> = { ...(f.headers ?? {}) };
    if (f.retryAfterSeconds !== undefined) headers['retry-after'] = String(f.retryAfterSeconds);
    if (f.retryAfterDate !== undefined) headers['retry-after'] = f.retryAfterDate.toUTCString();
    if (f.html) {
      return { status, text: `<!DOCTYPE html>\n<html><head><title>${status} Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>`, headers: { 'content-type': 'text/html; charset=utf-8', ...headers } };
    }
    if (f.malformed) return { status, text: '{"data": {"label": "truncated', headers: { 'content-type': 'application/json', ...headers } };
    if (typeof f.body === 'string') return { status, text: f.body, headers };
    const json = f.body !== undefined ? f.body : this.errorEnvelope(status, reasonPhrase(status));
    return { status, json, headers };
  }

  private send(res: http.ServerResponse, reply: FakeReply): void {
    const status = reply.status ?? 200;
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    let body = '';
    if (reply.json !== undefined) {
      body = JSON.stringify(reply.json);
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json; charset=utf-8';
    } else if (reply.text !== undefined) {
      body = reply.text;
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
    }
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(status, headers);
    res.end(body);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}

const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;
const PLACEHOLDER = '\u0000hostile-number\u0000';

/** The route's normal JSON answer with its numbers or strings made hostile (see HostileMode). */
function rewriteHostile(reply: FakeReply, mode: HostileMode): FakeReply {
  if (reply.json === undefined) return reply;
  const num = (): unknown => {
    switch (mode) {
      case 'overflow-literal':
        return PLACEHOLDER;
      case 'overflow-string':
        return '1e999';
      case 'max-double':
        return 1e308;
      case 'negative':
        return -1;
      default:
        return 'NaN';
    }
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return mode === 'lone-surrogate' ? v : num();
    if (typeof v === 'string') {
      if (NUMERIC.test(v.trim())) return mode === 'lone-surrogate' ? v : mode === 'max-double' ? '1e308' : mode === 'negative' ? '-1' : num();
      if (mode === 'lone-surrogate' && !DATE_LIKE.test(v)) return `${v}\uD800`;
      return v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
  let text = JSON.stringify(walk(reply.json));
  if (mode === 'overflow-literal') text = text.split(JSON.stringify(PLACEHOLDER)).join('1e999');
  const { json: _json, ...rest } = reply;
  return { ...rest, text, headers: { 'content-type': 'application/json; charset=utf-8', ...(reply.headers ?? {}) } };
}

function isAnswering(f: Fault): boolean {
  return f.status !== undefined || f.body !== undefined || f.retryAfterSeconds !== undefined || f.retryAfterDate !== undefined || f.html === true || f.malformed === true || f.headers !== undefined;
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

function hasHeader(h: Record<string, string>, name: string): boolean {
  return Object.keys(h).some((k) => k.toLowerCase() === name);
}

function reasonPhrase(status: number): string {
  return http.STATUS_CODES[status] ?? `HTTP ${status}`;
}

/** The bearer/token credential of a request (`Authorization: Bearer x` or `token x`), or undefined. */
function withEtag(reply: FakeReply, rec: RecordedRequest): FakeReply {
  if ((reply.status ?? 200) !== 200) return reply;
  const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
  const etag = `W/"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"`;
  if (rec.headers['if-none-match'] === etag) return { status: 304, text: '', headers: { etag } };
  return { ...reply, headers: { ...(reply.headers ?? {}), etag } };
}

export function credentialOf(req: RecordedRequest): { scheme: string; value: string } | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(h);
  return m ? { scheme: m[1]!.toLowerCase(), value: m[2]! } : undefined;
}

/** Parses a request body sent as JSON or as `application/x-www-form-urlencoded`. */
export function parseBody(req: RecordedRequest): Record<string, string> {
  const type = String(req.headers['content-type'] ?? '');
  const text = req.body.trim();
  if (text === '') return {};
  if (type.includes('json') || text.startsWith('{')) {
    try {
      const o = JSON.parse(text) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}
