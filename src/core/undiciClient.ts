// The undici-backed HttpClient. Kept apart from http.ts (types and helpers) so that the extension's activation
// bundle does not carry undici: the composition root loads this module on the first request (see src/features/chunks.ts).
import type { Clock } from './clock';
import { ProviderError } from './errors';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS, describe, type HttpClient, type HttpRequest, type HttpResponse } from './http';
import type { Logger } from './log';
import { envRouter, proxyError, type NetRouter } from './net/dispatcher';
import { redact } from './redact';

/**
 * The undici-backed client. Connections come from a NetRouter (direct or through the configured proxy, with the
 * configured CA list; default: the environment's HTTPS_PROXY/NO_PROXY/NODE_EXTRA_CA_CERTS); `close()` releases sockets.
 * Errors become ProviderErrors (`timeout`, `network`, `proxy`, `cancelled`); HTTP statuses are returned, not thrown.
 */
export class UndiciHttpClient implements HttpClient {
  constructor(
    private readonly log: Logger,
    private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() },
    private readonly router: NetRouter = envRouter(process.env, log),
  ) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    const started = this.clock.now();
    const method = req.method ?? 'GET';
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const where = describe(req.url);
    const maxBytes = req.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const tag = req.tag ? `${req.tag} ` : '';
    let proxy: string | undefined;
    try {
      const u = new URL(req.url);
      const route = this.router.route(u);
      proxy = route.proxy;
      const res = await route.dispatcher.request({
        origin: u.origin,
        path: `${u.pathname}${u.search}`,
        method,
        headers: { 'user-agent': 'tokstat-vscode', ...(req.headers ?? {}) },
        body: req.body ?? null,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const tooLarge = () => new ProviderError('bad-response', `Response larger than ${maxBytes} bytes — ${where}`);
      // A declared length over the cap is refused before reading any of it.
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        res.body.destroy();
        throw tooLarge();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          res.body.destroy();
          throw tooLarge();
        }
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      const ms = this.clock.now() - started;
      this.log.info(redact(`${tag}${method} ${where} → ${res.statusCode} in ${ms} ms`));
      return { status: res.statusCode, headers, text, ms };
    } catch (err) {
      const ms = this.clock.now() - started;
      if (err instanceof ProviderError) throw err;
      const e = err as { name?: string; code?: string; message?: string };
      if (req.signal?.aborted) {
        this.log.info(`${tag}${method} ${where} cancelled after ${ms} ms`);
        throw new ProviderError('cancelled', 'The request was cancelled.');
      }
      if (timeout.aborted || e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') {
        this.log.warn(`${tag}${method} ${where} timed out after ${ms} ms`);
        throw new ProviderError('timeout', `No answer within ${Math.round(timeoutMs / 1000)} s — ${where}`);
      }
      const viaProxy = proxy ? proxyError(e, proxy) : undefined;
      if (viaProxy) {
        this.log.warn(`${tag}${method} ${where} failed after ${ms} ms: ${viaProxy.message}`);
        throw viaProxy;
      }
      const detail = redact(e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? String(err)));
      this.log.warn(`${tag}${method} ${where} failed after ${ms} ms: ${detail}`);
      throw new ProviderError('network', `Could not connect${proxy ? ` through the proxy ${proxy}` : ''} (${detail.trim()}) — ${where}`);
    }
  }

  async close(): Promise<void> {
    await this.router.close();
  }
}

