import * as z from 'zod/mini';
import { ProviderError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http';
import { parseRetryAfter } from '../retryAfter';
import type { ProviderContext } from './types';
import { describe } from '../http';
import { redact } from '../redact';

/** A number that some APIs send as a numeric string ("12.50"); anything else fails validation with the field name. */
export const num = z.union([
  z.number(),
  z.pipe(z.string().check(z.trim(), z.regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'expected a number')), z.transform(Number)),
]);

/** Formats zod issues as `field.path: problem` so an error always names the field. */
export function describeZodError(err: z.core.$ZodError, root = 'response'): string {
  const parts = err.issues.slice(0, 3).map((i) => {
    const path = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : '';
    return `${root}${path}: ${i.message}`;
  });
  const more = err.issues.length > 3 ? ` (+${err.issues.length - 3} more)` : '';
  return parts.join('; ') + more;
}

/** Validates a parsed payload; a mismatch becomes a `bad-response` error naming the field. */
export function validate<T extends z.ZodMiniType>(schema: T, data: unknown, where: string): z.output<T> {
  const r = schema.safeParse(data);
  if (!r.success) {
    throw new ProviderError('bad-response', `Unexpected response: ${describeZodError(r.error)} — ${where}`);
  }
  return r.data;
}

export function parseJsonBody(res: HttpResponse, where: string): unknown {
  const text = res.text.trim();
  if (text === '') throw new ProviderError('bad-response', `Empty response (HTTP ${res.status}) — ${where}`, { status: res.status });
  if (text.startsWith('<')) {
    throw new ProviderError('bad-response', `An HTML page instead of JSON (HTTP ${res.status}): a proxy, captive portal or outage page? — ${where}`, { status: res.status });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError('bad-response', `Malformed JSON (HTTP ${res.status}) — ${where}`, { status: res.status });
  }
}

/** Pulls a human message out of the common error envelopes without ever echoing the whole body. */
export function errorMessageFrom(res: HttpResponse): string | undefined {
  try {
    const body = JSON.parse(res.text) as unknown;
    if (body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      const e = b.error;
      if (e && typeof e === 'object' && typeof (e as Record<string, unknown>).message === 'string') return clip((e as Record<string, string>).message);
      if (typeof b.message === 'string') return clip(b.message);
      if (typeof e === 'string') return clip(typeof b.error_description === 'string' ? `${e}: ${b.error_description}` : e);
    }
  } catch {
    /* not JSON: no message */
  }
  return undefined;
}

/** Clips a server-provided message and scrubs anything token-shaped: error bodies sometimes echo the credential. */
function clip(s: string): string {
  const r = redact(s);
  return r.length > 200 ? `${r.slice(0, 200)}…` : r;
}

/**
 * Returns the error with every occurrence of `secret` removed from its message (a secret that does not look like a
 * known token family, e.g. a test token, would otherwise survive `redact`). Keeps kind, status and retryAt.
 */
export function scrubSecret(err: ProviderError, secret: string | undefined): ProviderError {
  if (!secret || secret.length < 4 || !err.message.includes(secret)) return err;
  const message = err.message.split(secret).join('[redacted]');
  const opts: { status?: number; retryAt?: number } = {};
  if (err.status !== undefined) opts.status = err.status;
  if (err.retryAt !== undefined) opts.retryAt = err.retryAt;
  return new ProviderError(err.kind, message, opts);
}

/**
 * Maps a non-2xx response to a ProviderError: 401 → auth, 403 → forbidden (or rate-limited when the body or
 * headers say so), 404 → not-found, 429 → rate-limited with Retry-After, 5xx → server.
 */
export function errorForStatus(res: HttpResponse, where: string, now: number): ProviderError {
  const msg = errorMessageFrom(res);
  const html = msg === undefined && res.text.trimStart().startsWith('<');
  const suffix = msg ? `: ${msg}` : html ? ' with an HTML page (a proxy, captive portal or outage page?)' : '';
  const retryAt = parseRetryAfter(res.headers['retry-after'], now);
  const s = res.status;
  const opts = (extra: { retryAt?: number } = {}) => ({ status: s, ...extra });
  // The reason leads, the host and path close: a cut-off line still says what happened.
  const text = (reason: string) => `${reason} (HTTP ${s})${suffix} — ${where}`;
  if (s === 401) return new ProviderError('auth', text('Credentials rejected'), opts());
  if (s === 429) {
    // GitHub's primary rate limit may answer 429 with only `x-ratelimit-reset` (epoch seconds) and no Retry-After.
    const at = retryAt ?? epochSecondsHeader(res.headers['x-ratelimit-reset'], now);
    return new ProviderError('rate-limited', text('Rate limited'), opts(at !== undefined ? { retryAt: at } : {}));
  }
  if (s === 403) {
    const rateLimited =
      res.headers['x-ratelimit-remaining'] === '0' || retryAt !== undefined || /rate limit/i.test(msg ?? '');
    if (rateLimited) {
      const at = retryAt ?? epochSecondsHeader(res.headers['x-ratelimit-reset'], now);
      return new ProviderError('rate-limited', text('Rate limited'), opts(at !== undefined ? { retryAt: at } : {}));
    }
    return new ProviderError('forbidden', text('Access refused'), opts());
  }
  if (s === 404) return new ProviderError('not-found', text('Not found'), opts());
  if (s >= 500) return new ProviderError('server', text('Server error'), opts(retryAt !== undefined ? { retryAt } : {}));
  return new ProviderError('bad-response', text('Unexpected answer'), opts());
}

/** `x-ratelimit-reset`-style epoch seconds → epoch ms (never earlier than now), or undefined when absent/invalid. */
function epochSecondsHeader(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(now, Number(value.trim()) * 1000);
}

export interface JsonResult<T> {
  data: T;
  response: HttpResponse;
}

/** Sends a request through the context's client, maps errors, parses JSON and validates it. */
export async function requestJson<T extends z.ZodMiniType>(
  ctx: ProviderContext,
  req: Omit<HttpRequest, 'signal' | 'tag'>,
  schema: T,
): Promise<JsonResult<z.output<T>>> {
  try {
    const res = await ctx.http.request({ ...req, signal: ctx.signal, tag: ctx.providerId });
    const where = describe(req.url);
    if (res.status < 200 || res.status >= 300) throw errorForStatus(res, where, ctx.clock.now());
    const body = parseJsonBody(res, where);
    return { data: validate(schema, body, where), response: res };
  } catch (err) {
    throw err instanceof ProviderError ? scrubSecret(err, ctx.secret) : err;
  }
}

/** A boolean that some payloads send as "true"/"false". */
export const bool = z.union([
  z.boolean(),
  z.pipe(
    z.string().check(z.trim(), z.regex(/^(true|false)$/i, 'expected a boolean')),
    z.transform((s: string) => s.toLowerCase() === 'true'),
  ),
]);

/**
 * Parses a date the way vendors send them: `YYYY-MM-DD` (UTC midnight), an ISO date-time, or a unix timestamp in
 * seconds (number or digit string). Returns epoch ms, or undefined when absent or unparseable.
 */
export function parseVendorDate(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d{9,11}$/.test(v)) return Number(v) * 1000;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (day) return Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
