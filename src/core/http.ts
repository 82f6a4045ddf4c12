
export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A string, or bytes (an OTLP protobuf body). */
  body?: string | Uint8Array;
  /** Per-request timeout in ms (headers and body). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Short name for logs, e.g. `openrouter`. */
  tag?: string;
  /** Largest response body accepted, in bytes (default DEFAULT_MAX_BODY_BYTES); a larger one fails `bad-response`. */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Wall time of the request in ms. */
  ms: number;
  /**
   * The server answered 304 Not Modified to a conditional request, and this is the earlier answer it confirmed
   * (status, headers and body of that answer; src/core/conditional.ts).
   */
  notModified?: boolean;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/**
 * Response body cap of a request that sets none: provider APIs answer in kilobytes. A caller that expects more
 * states its own cap (the price list: PRICE_LIST_MAX_BYTES in usage/pricingStore.ts).
 */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** `host/path` without query string (queries may carry identifiers we do not want in logs). */
export function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
