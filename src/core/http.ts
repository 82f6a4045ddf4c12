
export interface HttpRequest {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per-request timeout in ms (headers and body). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Short name for logs, e.g. `openrouter`. */
  tag?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Wall time of the request in ms. */
  ms: number;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** `host/path` without query string (queries may carry identifiers we do not want in logs). */
export function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
