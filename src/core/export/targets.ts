// The two places tokstat exports to: an OTLP/HTTP metrics endpoint (a Collector, Grafana Cloud, …) and a Prometheus
// Pushgateway. Each encodes the same metric families and sends them through tokstat's HttpClient, and maps the
// answer to success, a retryable failure (429, 408, 5xx, network, timeout: with Retry-After) or a final one.
import { ProviderError } from '../errors';
import type { HttpClient, HttpResponse } from '../http';
import { parseRetryAfter } from '../retryAfter';
import type { MetricFamily } from './metrics';
import { OTLP_CONTENT_TYPE, OtlpEncoder, type OtlpProtocol, type Temporality } from './otlp';
import { PROM_CONTENT_TYPE, pushgatewayUrl, renderPromText } from './promText';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { ResolvedExport } from './config';

/** Why an export did not arrive. `retryable` failures keep the payload queued and back off. */
export class ExportFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAt?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ExportFailure';
  }
}

/** An answer from the collector is read but never large: 64 KiB is far above any OTLP response. */
export const EXPORT_RESPONSE_MAX_BYTES = 64 * 1024;
export const EXPORT_TIMEOUT_MS = 10_000;

export interface ExportPreview {
  method: string;
  url: string;
  /** Header names with their values masked (they may hold a token). */
  headers: Record<string, string>;
  /** The body exactly as sent (Prometheus text, OTLP/JSON) or, for protobuf, the same request in OTLP/JSON. */
  body: string;
  note?: string;
}

export interface ExportTarget {
  readonly kind: 'otlp' | 'pushgateway';
  readonly url: string;
  /** Only the newest payload is worth sending (a Pushgateway PUT replaces the whole group). */
  readonly latestOnly: boolean;
  encode(families: readonly MetricFamily[]): Promise<Uint8Array | string>;
  send(http: HttpClient, body: Uint8Array | string, now: number): Promise<void>;
  preview(families: readonly MetricFamily[]): Promise<ExportPreview>;
  /** "Stop exporting": remove what this machine left on the server (the Pushgateway group). */
  remove?(http: HttpClient, now: number): Promise<void>;
  dispose(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

function masked(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((k) => [k, '••••']));
}

async function post(http: HttpClient, method: 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, body: Uint8Array | string | undefined): Promise<HttpResponse> {
  try {
    return await http.request({ method, url, headers, ...(body !== undefined ? { body } : {}), timeoutMs: EXPORT_TIMEOUT_MS, maxBodyBytes: EXPORT_RESPONSE_MAX_BYTES, tag: 'export' });
  } catch (e) {
    if (e instanceof ProviderError) {
      // An answer over the cap is the collector misbehaving, not the network: retrying would not help.
      throw new ExportFailure(e.message, e.kind !== 'bad-response' && e.kind !== 'cancelled', undefined);
    }
    throw new ExportFailure(e instanceof Error ? e.message : String(e), true);
  }
}

function statusFailure(res: HttpResponse, now: number, what: string): ExportFailure {
  const retryAt = parseRetryAfter(res.headers['retry-after'], now);
  const s = res.status;
  const why =
    s === 413 ? 'the export is larger than the collector accepts (413)'
      : s === 415 ? `the collector does not accept this content type (415): try the other tokstat.export.protocol`
        : s === 429 ? 'the collector is rate limiting (429)'
          : s === 401 || s === 403 ? `the collector refused the credentials (${s}): check the export headers`
            : s === 404 ? `nothing at this address (404): check the ${what} URL`
              : `the collector answered ${s}`;
  return new ExportFailure(why, RETRYABLE_STATUS.has(s), retryAt, s);
}

export interface OtlpTargetOptions {
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  resource: Record<string, string>;
  version: string;
  temporality?: Temporality;
}

export class OtlpTarget implements ExportTarget {
  readonly kind = 'otlp';
  readonly latestOnly = false;
  readonly url: string;
  private readonly encoder: OtlpEncoder;

  constructor(private readonly o: OtlpTargetOptions) {
    this.url = o.url;
    this.encoder = new OtlpEncoder(o.resource, o.version, o.temporality);
  }

  encode(families: readonly MetricFamily[]): Promise<Uint8Array> {
    return this.encoder.encode(families, this.o.protocol);
  }

  async send(http: HttpClient, body: Uint8Array | string, now: number): Promise<void> {
    const contentType = OTLP_CONTENT_TYPE[this.o.protocol];
    const res = await post(http, 'POST', this.url, { ...this.o.headers, 'content-type': contentType }, body);
    if (res.status < 200 || res.status >= 300) throw statusFailure(res, now, 'OTLP');
    // A 200 with a web page is a proxy's or a login page, not a collector: say so instead of "ok".
    const ct = (res.headers['content-type'] ?? '').toLowerCase();
    if (res.text.length > 0 && ct && !ct.includes('protobuf') && !ct.includes('json')) {
      throw new ExportFailure(`the address answered ${ct.split(';')[0]}, not OTLP: check that the URL is the collector's …/v1/metrics`, false, undefined, res.status);
    }
  }

  async preview(families: readonly MetricFamily[]): Promise<ExportPreview> {
    // A separate encoder: a preview must not move this target's delta state or start times.
    const enc = new OtlpEncoder(this.o.resource, this.o.version, this.o.temporality);
    try {
      const rm = await enc.collect(families);
      const json = new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm));
      return {
        method: 'POST',
        url: this.url,
        headers: { ...masked(this.o.headers), 'content-type': OTLP_CONTENT_TYPE[this.o.protocol] },
        body: JSON.stringify(JSON.parse(json), null, 2),
        ...(this.o.protocol === 'http/protobuf' ? { note: 'Sent as binary protobuf; shown here as the same request in OTLP/JSON.' } : {}),
      };
    } finally {
      await enc.dispose();
    }
  }

  dispose(): Promise<void> {
    return this.encoder.dispose();
  }
}

export interface PushgatewayTargetOptions {
  baseUrl: string;
  /** user, instance and the team's resource labels: the group this machine owns. */
  grouping: Record<string, string>;
  headers: Record<string, string>;
}

export class PushgatewayTarget implements ExportTarget {
  readonly kind = 'pushgateway';
  readonly latestOnly = true;
  readonly url: string;

  constructor(private readonly o: PushgatewayTargetOptions) {
    this.url = pushgatewayUrl(o.baseUrl, o.grouping);
  }

  encode(families: readonly MetricFamily[]): Promise<string> {
    return Promise.resolve(renderPromText(families));
  }

  async send(http: HttpClient, body: Uint8Array | string, now: number): Promise<void> {
    // PUT replaces the whole group, so a series that disappeared here (an account removed) disappears there too.
    const res = await post(http, 'PUT', this.url, { ...this.o.headers, 'content-type': PROM_CONTENT_TYPE }, body);
    if (res.status < 200 || res.status >= 300) throw statusFailure(res, now, 'Pushgateway');
  }

  async preview(families: readonly MetricFamily[]): Promise<ExportPreview> {
    return { method: 'PUT', url: this.url, headers: { ...masked(this.o.headers), 'content-type': PROM_CONTENT_TYPE }, body: renderPromText(families) };
  }

  async remove(http: HttpClient, now: number): Promise<void> {
    const res = await post(http, 'DELETE', this.url, this.o.headers, undefined);
    if (res.status < 200 || res.status >= 300) throw statusFailure(res, now, 'Pushgateway');
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

/** The target a resolved configuration names. */
export function createTarget(r: ResolvedExport, version: string): ExportTarget {
  return r.target === 'pushgateway'
    ? new PushgatewayTarget({ baseUrl: r.url, grouping: r.grouping, headers: r.headers })
    : new OtlpTarget({ url: r.url, protocol: r.protocol, headers: r.headers, resource: r.resource, version, temporality: r.temporality });
}
