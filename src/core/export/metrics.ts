// What tokstat exports to a team's monitoring stack (issue #23; names and labels: shared docs team-export.md §5):
// one engine-neutral list of metric families built from the stored snapshots and the local usage rows. The OTLP
// encoder (otlp.ts) and the Prometheus text renderer (promText.ts) both read it, so both engines get the same numbers.
//
// Privacy is decided here, once: no account name, identity, e-mail, key, prompt or file path ever becomes a label.
// Accounts are salted hashes; every other label value goes through `safeLabel`, which replaces anything shaped like
// an e-mail, a path or a secret by a hash; project names (a folder's last segment) only when the user opts in.
import { createHash } from 'node:crypto';
import type { AgentId } from '../../shared/agents';
import type { Meter, Snapshot } from '../../shared/model';
import { redact } from '../redact';
import type { UsageRow } from '../usage/types';

export type MetricKind = 'gauge' | 'counter';

export interface MetricPoint {
  /** Labels shared by both engines. */
  attrs: Record<string, string>;
  /** Extra attributes on the OTLP path only (GenAI semantic-convention names, which Prometheus labels cannot spell). */
  otel?: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  /** OpenTelemetry name, e.g. `tokstat.tokens`. */
  name: string;
  /** Prometheus name, e.g. `tokstat_tokens_total`. */
  prom: string;
  kind: MetricKind;
  /** UCUM-style OTLP unit (`{token}`, `USD`, `1`, `s`); '' when it varies by series (then a `unit` label says it). */
  unit: string;
  description: string;
  points: MetricPoint[];
}

/** Every family tokstat exports, in a fixed order (instruments are created from this list). */
export const FAMILY_SPECS: readonly Omit<MetricFamily, 'points'>[] = [
  { name: 'tokstat.quota.used', prom: 'tokstat_quota_used', kind: 'gauge', unit: '', description: 'Quota used, in the unit the unit label names' },
  { name: 'tokstat.quota.limit', prom: 'tokstat_quota_limit', kind: 'gauge', unit: '', description: 'Quota limit, in the unit the unit label names' },
  { name: 'tokstat.quota.remaining', prom: 'tokstat_quota_remaining', kind: 'gauge', unit: '', description: 'Quota remaining, in the unit the unit label names' },
  { name: 'tokstat.quota.used_ratio', prom: 'tokstat_quota_used_ratio', kind: 'gauge', unit: '1', description: 'Share of the quota used (0-1, above 1 when over quota)' },
  { name: 'tokstat.quota.reset_timestamp', prom: 'tokstat_quota_reset_timestamp_seconds', kind: 'gauge', unit: 's', description: 'When the quota resets, Unix time in seconds' },
  { name: 'tokstat.api.spend', prom: 'tokstat_api_spend', kind: 'gauge', unit: '', description: 'API spend period-to-date as the provider reports it, in the currency label' },
  { name: 'tokstat.balance', prom: 'tokstat_balance', kind: 'gauge', unit: '', description: 'Prepaid balance or credits left, in the currency label' },
  { name: 'tokstat.tokens', prom: 'tokstat_tokens_total', kind: 'counter', unit: '{token}', description: 'Tokens used by local coding agents (types do not overlap: output excludes reasoning)' },
  { name: 'tokstat.cost', prom: 'tokstat_cost_usd_total', kind: 'counter', unit: 'USD', description: 'API-equivalent cost of local agent usage at list prices (an estimate, not a bill)' },
  { name: 'tokstat.export.dropped', prom: 'tokstat_export_dropped_total', kind: 'counter', unit: '{export}', description: 'Exports dropped because the collector could not take them' },
];

/** What a machine exports, before privacy and cardinality rules. */
export interface ExportInput {
  accounts: ReadonlyArray<{ id: string; providerId: string; snapshot?: Snapshot }>;
  usageRows: Iterable<UsageRow>;
  /** Salt of the account hashes (a team secret; '' works but is weaker). */
  salt: string;
  /** Opt-in: a `project` label (the last folder name of the agent's working directory) on tokens and cost. */
  includeProjects?: boolean;
  /** Exports dropped so far by this machine's exporter. */
  dropped?: number;
  /** Per agent, the models kept by name (most tokens first); the rest fold into `model="other"`. Default 15. */
  maxModelsPerAgent?: number;
}

/** Upper bound of exported series per machine (team-export.md §5 budget); anything over is cut and logged. */
export const MAX_SERIES = 2000;

const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The exported account id: 12 hex of sha256(salt, provider, account id). Never the name, e-mail or key. */
export function accountHash(salt: string, providerId: string, accountId: string): string {
  return hex(`${salt}\u0000${providerId}\u0000${accountId}`).slice(0, 12);
}

/** A user id as exported: kept when asked and harmless, else a salted hash; an e-mail is always hashed. */
export function exportedUserId(userId: string, salt: string, hash: boolean): string {
  const v = userId.trim();
  if (!v) return '';
  if (!hash && safeLabel(v) === v) return v;
  return `u_${hex(`${salt}\u0000user\u0000${v}`).slice(0, 16)}`;
}

const EMAIL = /[^\s@]+@[^\s@]+\.[A-Za-z]{2,}/;
const LABEL_CHARS = /^[A-Za-z0-9][A-Za-z0-9._:@+-]*(\/[A-Za-z0-9][A-Za-z0-9._:@+-]*)?$/;
const MAX_LABEL = 80;

/**
 * A label value that can be shown to a team: a model id (`claude-sonnet-4-5`, `anthropic/claude-opus-4`,
 * `claude-sonnet-4@20250514`) passes as it is; an e-mail, a path, a secret, whitespace or control characters, or
 * anything over 80 characters becomes `h_<12 hex>` (stable, so series stay apart, but not reversible to text).
 */
export function safeLabel(value: string): string {
  const v = value.trim();
  if (!v) return 'unknown';
  const risky = v.length > MAX_LABEL || EMAIL.test(v) || !LABEL_CHARS.test(v) || redact(v) !== v || /^[A-Za-z]:/.test(v);
  return risky ? `h_${hex(v).slice(0, 12)}` : v;
}

/** A label *name* (resource attribute keys the user configures): Prometheus-safe, never empty. */
export function safeLabelName(name: string): string {
  const n = name.trim().replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1').slice(0, 64);
  return n && !n.startsWith('__') ? n : 'attr';
}

/** The provider a model bills through, for `provider` and `gen_ai.provider.name` (semconv well-known values). */
export function providerOf(agent: AgentId, model: string): string {
  const m = model.toLowerCase();
  if (m.includes('claude') || m.startsWith('anthropic/')) return 'anthropic';
  if (/^(gpt|o\d|codex|chatgpt|openai\/)/.test(m) || m.includes('/gpt')) return 'openai';
  if (m.includes('gemini')) return 'gcp.gemini';
  if (m.startsWith('x-ai/') || m.startsWith('grok')) return 'x_ai';
  if (m.includes('deepseek')) return 'deepseek';
  if (m.includes('mistral') || m.includes('codestral')) return 'mistral_ai';
  if (agent === 'claude-code') return 'anthropic';
  if (agent === 'codex') return 'openai';
  if (agent === 'gemini-cli') return 'gcp.gemini';
  return 'unknown';
}

/** Money units a meter may carry; other units are counts (requests, tokens, %, …). */
function currencyOf(meter: Meter): string | undefined {
  const u = meter.unit.trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(u) && u !== 'REQ') return u;
  if (u === '$') return 'USD';
  return undefined;
}

/** `requests`, `usd`, `tokens`, `percent`, … : a short, safe token for the `unit` label. */
function unitLabel(unit: string): string {
  const u = unit.trim().toLowerCase();
  if (u === '%') return 'percent';
  if (u === '$') return 'usd';
  // A unit that looks like a path, an e-mail or a secret is no unit: it must not leak through the label.
  if (safeLabel(u) !== u && !/^[a-z0-9 _/-]{1,32}$/.test(u)) return 'other';
  if (u.includes('/') && !/^[a-z]+\/[a-z]+$/.test(u)) return 'other';
  const t = u.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 32);
  return t || 'unknown';
}

type TokenType = 'input' | 'output' | 'reasoning' | 'cache_read' | 'cache_write';
const GEN_AI_TOKEN_TYPE: Record<TokenType, 'input' | 'output'> = { input: 'input', cache_read: 'input', cache_write: 'input', output: 'output', reasoning: 'output' };

function tokenCounts(r: UsageRow): Record<TokenType, number> {
  return {
    input: r.inputTokens,
    // The index's output includes reasoning; exported types must add up to the total, so reasoning is split off.
    output: Math.max(0, r.outputTokens - r.reasoningTokens),
    reasoning: r.reasoningTokens,
    cache_read: r.cacheReadTokens,
    cache_write: r.cacheWrite5mTokens + r.cacheWrite1hTokens,
  };
}

function projectOf(cwd: string): string {
  const parts = cwd.replace(/\\/g, '/').split('/').filter(Boolean);
  return parts.length ? safeLabel(parts[parts.length - 1]!) : 'unknown';
}

/** Builds every family from the input. Pure: the same input gives the same output. */
export function buildFamilies(input: ExportInput): MetricFamily[] {
  const points = new Map<string, MetricPoint[]>(FAMILY_SPECS.map((s) => [s.name, []]));
  const add = (name: string, p: MetricPoint) => points.get(name)!.push(p);

  for (const a of input.accounts) {
    const s = a.snapshot;
    if (!s) continue;
    const provider = safeLabel(a.providerId);
    const account = accountHash(input.salt, a.providerId, a.id);
    for (const m of s.meters) {
      const base = { provider, account, meter: safeLabel(m.id) };
      const unit = unitLabel(m.unit);
      if (m.used !== undefined) add('tokstat.quota.used', { attrs: { ...base, unit }, value: m.used });
      if (m.limit !== undefined) add('tokstat.quota.limit', { attrs: { ...base, unit }, value: m.limit });
      if (m.remaining !== undefined) add('tokstat.quota.remaining', { attrs: { ...base, unit }, value: m.remaining });
      if (m.percentUsed !== undefined) add('tokstat.quota.used_ratio', { attrs: base, value: m.percentUsed / 100 });
      if (m.resetsAt !== undefined) add('tokstat.quota.reset_timestamp', { attrs: base, value: Math.round(m.resetsAt / 1000) });
      const currency = currencyOf(m);
      if (m.kind === 'spend' && m.used !== undefined && currency) {
        add('tokstat.api.spend', { attrs: { provider, account, currency, period: m.period ?? 'unknown' }, value: m.used });
      }
      if ((m.kind === 'balance' || m.kind === 'credits') && m.remaining !== undefined) {
        add('tokstat.balance', { attrs: { provider, account, currency: currency ?? unitLabel(m.unit) }, value: m.remaining });
      }
    }
  }

  // Local agents: cumulative totals per agent × model × type (and project when asked), models capped per agent.
  const rows = [...input.usageRows];
  const maxModels = input.maxModelsPerAgent ?? 15;
  const modelTotals = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const per = modelTotals.get(r.agent) ?? new Map<string, number>();
    modelTotals.set(r.agent, per);
    per.set(r.model, (per.get(r.model) ?? 0) + r.inputTokens + r.outputTokens + r.cacheReadTokens + r.cacheWrite5mTokens + r.cacheWrite1hTokens);
  }
  const kept = new Map<string, Set<string>>();
  for (const [agent, per] of modelTotals) {
    kept.set(agent, new Set([...per.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, maxModels).map(([m]) => m)));
  }
  const tokens = new Map<string, { attrs: Record<string, string>; otel: Record<string, string>; value: number }>();
  const cost = new Map<string, { attrs: Record<string, string>; otel: Record<string, string>; value: number; priced: boolean }>();
  for (const r of rows) {
    const model = kept.get(r.agent)?.has(r.model) ? safeLabel(r.model || 'unknown') : 'other';
    const provider = providerOf(r.agent, r.model);
    const base: Record<string, string> = { agent: r.agent, provider, model };
    if (input.includeProjects) base.project = r.cwd ? projectOf(r.cwd) : 'unknown';
    const otelBase = { 'gen_ai.provider.name': provider, 'gen_ai.request.model': model };
    for (const [type, n] of Object.entries(tokenCounts(r)) as Array<[TokenType, number]>) {
      if (n <= 0) continue;
      const attrs = { ...base, type };
      const key = JSON.stringify(attrs);
      const t = tokens.get(key) ?? { attrs, otel: { ...otelBase, 'gen_ai.token.type': GEN_AI_TOKEN_TYPE[type] }, value: 0 };
      t.value += n;
      tokens.set(key, t);
    }
    const attrs = { ...base, basis: 'list_price' };
    const key = JSON.stringify(attrs);
    const c = cost.get(key) ?? { attrs, otel: otelBase, value: 0, priced: false };
    c.value += r.costUSD;
    // Unknown is not zero: a model none of whose requests had a price exports no cost series.
    if (r.requests > r.unpricedRequests) c.priced = true;
    cost.set(key, c);
  }
  for (const t of tokens.values()) add('tokstat.tokens', { attrs: t.attrs, otel: t.otel, value: t.value });
  for (const c of cost.values()) if (c.priced) add('tokstat.cost', { attrs: c.attrs, otel: c.otel, value: Math.round(c.value * 1e6) / 1e6 });
  add('tokstat.export.dropped', { attrs: {}, value: input.dropped ?? 0 });

  let budget = MAX_SERIES;
  return FAMILY_SPECS.map((spec) => {
    const list = points.get(spec.name)!.filter((p) => Number.isFinite(p.value));
    const taken = list.slice(0, Math.max(0, budget));
    budget -= taken.length;
    return { ...spec, points: taken };
  });
}

/** How many series the families hold (for logs and the preview). */
export function seriesCount(families: readonly MetricFamily[]): number {
  return families.reduce((n, f) => n + f.points.length, 0);
}
