// Where and how to export, from tokstat's settings (extension) or flags (CLI) and the standard OTEL_* environment
// variables. Settings win over the environment; the environment fills what settings leave empty. No SDK import here:
// this module is on the activation path, the OpenTelemetry SDK is not (it lives in the lazy `export` chunk).
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { EndpointError, validateBaseUrl } from '../endpoints';
import { mkdirPrivate, writeFilePrivate } from '../privateFs';
import { exportedUserId, safeLabel, safeLabelName } from './metrics';

export type ExportTargetKind = 'otlp' | 'pushgateway';
export type OtlpProtocolSetting = 'http/protobuf' | 'http/json';

export interface ExportSettings {
  target: ExportTargetKind;
  /** OTLP: base (…:4318) or full metrics URL (…/v1/metrics); Pushgateway: its base URL. '' = environment/default. */
  endpoint: string;
  protocol?: string;
  intervalSeconds?: number;
  team?: string;
  userId?: string;
  hashUserId?: boolean;
  resourceAttributes?: Record<string, unknown>;
  includeProjectNames?: boolean;
  /** `OTEL_EXPORTER_OTLP_HEADERS` form (`k=v,k2=v2`), from SecretStorage or a flag. */
  headers?: string;
}

export interface ResolvedExport {
  target: ExportTargetKind;
  url: string;
  protocol: OtlpProtocolSetting;
  temporality: 'cumulative' | 'delta';
  intervalMs: number;
  headers: Record<string, string>;
  /** OTLP resource attributes. */
  resource: Record<string, string>;
  /** Pushgateway grouping key (after job=tokstat): user, instance, team and the other resource labels. */
  grouping: Record<string, string>;
  includeProjects: boolean;
  /** Salt of the account and user hashes: the team's name, so one team's hashes agree across its machines. */
  salt: string;
}

export const DEFAULT_OTLP_URL = 'http://localhost:4318/v1/metrics';
export const DEFAULT_INTERVAL_S = 300;
export const MIN_INTERVAL_S = 15;

/** `k=v,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS / OTEL_RESOURCE_ATTRIBUTES form; values may be percent-encoded). */
export function parseKeyValues(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    let v = part.slice(i + 1).trim();
    try {
      v = decodeURIComponent(v);
    } catch {
      /* kept as written */
    }
    if (k && /^[A-Za-z0-9._-]+$/.test(k) && !/[\r\n]/.test(v)) out[k] = v;
  }
  return out;
}

/** The OTLP metrics URL: a full `…/v1/metrics` as given, else `/v1/metrics` appended (OTEL_EXPORTER_OTLP_ENDPOINT rule). */
export function otlpMetricsUrl(raw: string, full = false): string {
  const base = validateBaseUrl(raw, 'The export endpoint');
  return full || /\/v1\/metrics$/.test(base) ? base : `${base}/v1/metrics`;
}

function protocolOf(v: string | undefined): OtlpProtocolSetting | undefined {
  const p = v?.trim().toLowerCase();
  if (p === 'http/json' || p === 'json') return 'http/json';
  if (p === 'http/protobuf' || p === 'protobuf') return 'http/protobuf';
  return undefined;
}

/**
 * Resolves settings + environment into what the exporter needs. Throws EndpointError for an unusable endpoint
 * (plain http to a non-loopback host, credentials or a query in the URL, gRPC).
 */
export function resolveExport(s: ExportSettings, env: Record<string, string | undefined>, ids: { instanceId: string; version: string }): ResolvedExport {
  const envProtocol = env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (!s.protocol && envProtocol?.trim().toLowerCase() === 'grpc') {
    throw new EndpointError('OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported by tokstat: use http/protobuf (port 4318) or http/json.');
  }
  const protocol = protocolOf(s.protocol) ?? protocolOf(envProtocol) ?? 'http/protobuf';
  let url: string;
  if (s.target === 'pushgateway') {
    if (!s.endpoint.trim()) throw new EndpointError('Set tokstat.export.endpoint to the Pushgateway address (e.g. http://localhost:9091).');
    url = validateBaseUrl(s.endpoint, 'The Pushgateway address');
  } else if (s.endpoint.trim()) {
    url = otlpMetricsUrl(s.endpoint);
  } else if (env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim()) {
    url = otlpMetricsUrl(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, true);
  } else if (env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
    url = otlpMetricsUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  } else {
    url = DEFAULT_OTLP_URL;
  }
  const envInterval = Number(env.OTEL_METRIC_EXPORT_INTERVAL) / 1000;
  const seconds = s.intervalSeconds && Number.isFinite(s.intervalSeconds) ? s.intervalSeconds : Number.isFinite(envInterval) && envInterval > 0 ? envInterval : DEFAULT_INTERVAL_S;
  const temporality = (env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE ?? '').trim().toLowerCase() === 'delta' ? 'delta' : 'cumulative';

  const headers = { ...parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseKeyValues(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS), ...parseKeyValues(s.headers) };

  const team = (s.team ?? '').trim();
  const salt = `tokstat:${team}`;
  const extra: Record<string, string> = {};
  const fromEnv = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES);
  for (const [k, v] of Object.entries({ ...fromEnv, ...(s.resourceAttributes ?? {}) })) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    // Only harmless values: an attribute holding an e-mail or a path is replaced by its hash, like every label.
    extra[k] = safeLabel(String(v));
  }
  // Reserved names stay ours.
  for (const k of ['service.name', 'service.version', 'service.instance.id', 'user.id']) delete extra[k];
  const userId = exportedUserId(s.userId ?? '', salt, s.hashUserId !== false);
  const resource: Record<string, string> = {
    ...extra,
    'service.name': 'tokstat',
    'service.version': ids.version,
    'service.instance.id': ids.instanceId,
    ...(userId ? { 'user.id': userId } : {}),
    ...(team ? { team: safeLabel(team) } : {}),
  };
  // `user_id`, not `user`: the name the Collector gives `user.id` (resource_to_telemetry_conversion), so one dashboard
  // serves both paths.
  const grouping: Record<string, string> = { user_id: userId || 'anonymous', instance: ids.instanceId };
  if (team) grouping.team = safeLabel(team);
  for (const [k, v] of Object.entries(extra)) {
    const name = safeLabelName(k);
    if (!(name in grouping) && name !== 'job') grouping[name] = v;
  }
  return {
    target: s.target,
    url,
    protocol,
    temporality,
    intervalMs: Math.max(MIN_INTERVAL_S, seconds) * 1000,
    headers,
    resource,
    grouping,
    includeProjects: s.includeProjectNames === true,
    salt,
  };
}

/**
 * This install's stable random id (`service.instance.id`, the Pushgateway `instance`): never the host name. Kept in
 * `<dir>/instance-id` (a private file), shared by every window of the install and by the CLI given the same storage.
 */
export async function instanceId(dir: string): Promise<string> {
  const file = path.join(dir, 'instance-id');
  try {
    const v = (await fsp.readFile(file, 'utf8')).trim();
    if (/^[0-9a-f-]{36}$/.test(v)) return v;
  } catch {
    /* first use */
  }
  const id = randomUUID();
  await mkdirPrivate(dir);
  await writeFilePrivate(file, id);
  return id;
}
