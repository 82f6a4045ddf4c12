// The Prometheus side of the export: the text exposition format (version 0.0.4) for the Pushgateway, and the
// Pushgateway's grouping-key URL (`/metrics/job/tokstat/user_id/<id>/instance/<install id>`, values with `/` in
// `@base64`). No timestamps: the Pushgateway stamps `push_time_seconds` itself.
import type { MetricFamily } from './metrics';
import { safeLabelName } from './metrics';
import { joinUrl } from '../endpoints';

export const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/** The families as Prometheus text; extra labels (none by default) are added to every sample. */
export function renderPromText(families: readonly MetricFamily[], extra: Record<string, string> = {}): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.points.length === 0) continue;
    out.push(`# HELP ${f.prom} ${escapeHelp(f.description)}`);
    out.push(`# TYPE ${f.prom} ${f.kind}`);
    for (const p of f.points) {
      const labels = Object.entries({ ...extra, ...p.attrs }).map(([k, v]) => `${safeLabelName(k)}="${escapeValue(v)}"`);
      out.push(`${f.prom}${labels.length ? `{${labels.join(',')}}` : ''} ${formatNumber(p.value)}`);
    }
  }
  return out.join('\n') + '\n';
}

/**
 * The Pushgateway group of this user and machine: `job=tokstat`, then `user_id`, `instance` and the team's own resource
 * labels, in that order. Every value travels as `@base64` (URL-safe), so no value can add a path segment.
 */
export function pushgatewayUrl(base: string, grouping: Record<string, string>): string {
  const parts = ['metrics', 'job', 'tokstat'];
  for (const [k, v] of Object.entries(grouping)) {
    const name = safeLabelName(k);
    if (name === 'job') continue;
    // An empty value must be spelled `=` in base64 form (the Pushgateway's rule for empty label values).
    parts.push(`${name}@base64`, v === '' ? '=' : Buffer.from(v, 'utf8').toString('base64url'));
  }
  return joinUrl(base, parts.join('/'));
}
