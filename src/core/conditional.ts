// Conditional requests (issue #20 §5): an unchanged answer should cost nothing. For every GET whose answer carried an
// `ETag` or `Last-Modified`, the next identical request (same scope, address and credentials) sends `If-None-Match` /
// `If-Modified-Since`; a `304 Not Modified` then stands for the answer kept here, which the caller reads as if it had
// come again (a provider maps it to the same meters, captured now). Nothing is assumed about a server: no validator,
// no conditional header; a 304 to a request that was not conditional is passed on as the odd answer it is. Answers are
// kept in memory only, bounded in number and size, and forgotten per scope (an account removed or signed in again).
import { createHash } from 'node:crypto';
import type { HttpClient, HttpRequest, HttpResponse } from './http';

interface Kept {
  etag?: string;
  lastModified?: string;
  res: HttpResponse;
}

export interface ConditionalStats {
  /** GET requests that went through the cache. */
  requests: number;
  /** Of those, sent with a validator. */
  conditional: number;
  /** Answered 304: the kept answer stood in. */
  notModified: number;
  /** Body bytes the 304s did not carry. */
  bytesSaved: number;
}

/** A validator header worth sending back: printable, bounded. */
function validator(v: string | undefined): string | undefined {
  return v && v.length <= 512 && /^[\x20-\x7e]+$/.test(v) ? v : undefined;
}

export class ConditionalCache {
  private readonly kept = new Map<string, Kept>();
  readonly stats: ConditionalStats = { requests: 0, conditional: 0, notModified: 0, bytesSaved: 0 };

  constructor(
    private readonly maxEntries = 256,
    /** Larger answers are not kept (they are sent in full every time). */
    private readonly maxBodyBytes = 512 * 1024,
  ) {}

  /** Forgets every answer of a scope (e.g. an account id). */
  forget(scope: string): void {
    for (const k of [...this.kept.keys()]) if (k.startsWith(`${scope}\n`)) this.kept.delete(k);
  }

  /** The client that `inner` becomes for one scope: conditional GETs, 304s answered from what was kept. */
  wrap(inner: HttpClient, scope: string): HttpClient {
    return { request: (req) => this.request(inner, scope, req) };
  }

  private async request(inner: HttpClient, scope: string, req: HttpRequest): Promise<HttpResponse> {
    if ((req.method ?? 'GET') !== 'GET') return inner.request(req);
    this.stats.requests++;
    // The credentials are part of the key (as a digest): another key's answer never stands in.
    const sent = Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]).sort();
    const key = `${scope}\n${req.url}\n${createHash('sha256').update(JSON.stringify(sent)).digest('base64')}`;
    const hit = this.kept.get(key);
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (hit?.etag) headers['if-none-match'] = hit.etag;
    if (hit?.lastModified) headers['if-modified-since'] = hit.lastModified;
    if (hit) this.stats.conditional++;
    const res = await inner.request(hit ? { ...req, headers } : req);
    if (res.status === 304 && hit) {
      this.stats.notModified++;
      this.stats.bytesSaved += Buffer.byteLength(hit.res.text);
      this.kept.delete(key);
      this.kept.set(key, hit); // most recently used last
      return { ...hit.res, ms: res.ms, notModified: true };
    }
    if (res.status >= 200 && res.status < 300) {
      const etag = validator(res.headers.etag);
      const lastModified = validator(res.headers['last-modified']);
      this.kept.delete(key);
      if ((etag || lastModified) && Buffer.byteLength(res.text) <= this.maxBodyBytes) {
        this.kept.set(key, { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}), res: { ...res } });
        while (this.kept.size > this.maxEntries) this.kept.delete(this.kept.keys().next().value!);
      }
    }
    return res;
  }
}
