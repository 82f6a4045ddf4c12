// The pricing engine: turns a UsageRecord into USD from a layered price book
// (user overrides > LiteLLM refresh > bundled table generated from @pydantic/genai-prices, see scripts/gen-prices.js).
//
// Honesty rules:
// - A model without a price is **unpriced** (cost undefined, `unpriced: true`), never $0.
// - Lookup is exact-key only, over a short, documented list of spellings (PRICING_RULES); there is no "closest
//   name" guess, so a new model never silently borrows an older model's price.
// - Long-context tiers apply to the whole request when its total input (uncached + cache reads + cache writes)
//   exceeds the threshold, as Anthropic, Google and OpenAI bill them. (ccusage splits each token kind at 200k
//   instead; for requests above the threshold tokstat's figure is the provider's, and higher.)
// - Web searches are counted but not priced (the sources disagree on per-search prices).
import * as z from 'zod/mini';
import type { PriceResult, UsageRecord } from './types';
import type { TokenCounts } from '../../shared/tokens';

/** Per-million-token USD rates above a threshold; a missing field keeps its base rate. */
export interface TierRates {
  /** Applies when the request's total input tokens are greater than this. */
  above: number;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
}

/** USD per million tokens. */
export interface ModelRates {
  input: number;
  output: number;
  cacheRead?: number;
  /** 5-minute cache write (Anthropic's default TTL). */
  cacheWrite?: number;
  cacheWrite1h?: number;
  /** Ascending by `above`. */
  tiers?: TierRates[];
  /** Multiplier for requests made in fast mode (`speed: "fast"`). */
  fastMultiplier?: number;
}

export interface PriceTableData {
  models: Record<string, ModelRates>;
  /** alias → key of `models`. */
  aliases?: Record<string, string>;
}

export type PriceSource = 'override' | 'litellm' | 'bundled';

export interface PriceMatch {
  /** The key that matched. */
  key: string;
  rates: ModelRates;
  source: PriceSource;
  /** Id of the last normalisation rule applied to reach `key` (`exact` when none). */
  rule: string;
}

export type { TokenCounts };

export interface CostBreakdown {
  costUSD: number;
  /** The tier threshold applied, when the request was above one. */
  tierAbove?: number;
  /** A fast-mode request whose model has no known multiplier: priced at standard rates. */
  fastMultiplierMissing?: true;
}

export interface RecordPrice extends PriceResult {
  match?: PriceMatch;
  tierAbove?: number;
  fastMultiplierMissing?: true;
}

// ─────────────────────────────── Normalisation ───────────────────────────────

export interface NormalisationRule {
  id: string;
  description: string;
  example: string;
  apply(id: string): string;
}

/**
 * Applied cumulatively, in this order; after each step that changes the id, the result is looked up exactly.
 * Keep README text in sync via `pricingRulesMarkdown()`.
 */
export const PRICING_RULES: readonly NormalisationRule[] = [
  {
    id: 'lowercase',
    description: 'lower-case and trim',
    example: 'Claude-Sonnet-4-5 → claude-sonnet-4-5',
    apply: (s) => s.trim().toLowerCase(),
  },
  {
    id: 'at-suffix',
    description: 'drop an `@…` suffix (Vertex AI version pins)',
    example: 'claude-sonnet-4-5@20250929 → claude-sonnet-4-5',
    apply: (s) => s.replace(/@[^/@]*$/, ''),
  },
  {
    id: 'provider-prefix',
    description: 'drop provider / router prefixes up to the last `/`',
    example: 'openrouter/anthropic/claude-sonnet-4.5 → claude-sonnet-4.5',
    apply: (s) => s.slice(s.lastIndexOf('/') + 1),
  },
  {
    id: 'date-suffix',
    description: 'drop a trailing release date `-YYYYMMDD` or `-YYYY-MM-DD`',
    example: 'claude-sonnet-4-5-20250929 → claude-sonnet-4-5',
    apply: (s) => s.replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2})$/, ''),
  },
  {
    id: 'dotted-version',
    description: 'write dotted versions with dashes (OpenRouter / opencode spell Claude versions with dots)',
    example: 'claude-sonnet-4.5 → claude-sonnet-4-5',
    apply: (s) => s.replace(/(\d)\.(\d)/g, '$1-$2'),
  },
];

/** The spellings tried for a model id, in order, each with the rule that produced it. */
export function candidateIds(model: string): Array<{ id: string; rule: string }> {
  const out: Array<{ id: string; rule: string }> = [{ id: model, rule: 'exact' }];
  let cur = model;
  for (const r of PRICING_RULES) {
    const next = r.apply(cur);
    if (next !== cur && next.length > 0) {
      cur = next;
      if (!out.some((c) => c.id === cur)) out.push({ id: cur, rule: r.id });
    }
  }
  return out;
}

export function pricingRulesMarkdown(): string {
  const lines = [
    'tokstat looks a model id up **exactly**; when that fails it tries these spellings, in order, each applied on top of the previous one:',
    '',
    ...PRICING_RULES.map((r, i) => `${i + 1}. ${r.description} — \`${r.example}\``),
    '',
    'Price layers, highest first: `tokstat.pricing.overrides`, the LiteLLM price list (refreshed daily unless `tokstat.pricing.offline`), the table bundled with tokstat. A model found in none of them is shown as **unpriced**, never as $0.',
  ];
  return lines.join('\n');
}

// ─────────────────────────────── Cost ───────────────────────────────

const nn = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

/** Defaults for missing cache rates (ccusage `pricing.rs`): write = input × 1.25, read = input × 0.1, 1-hour write = input × 2. */
export function resolvedRates(r: ModelRates): Required<Omit<ModelRates, 'tiers' | 'fastMultiplier'>> {
  return {
    input: r.input,
    output: r.output,
    cacheRead: r.cacheRead ?? r.input * 0.1,
    cacheWrite: r.cacheWrite ?? r.input * 1.25,
    cacheWrite1h: r.cacheWrite1h ?? r.input * 2,
  };
}

/** Cost of one request. Tokens are the record's non-overlapping kinds (input excludes cache reads and writes). */
export function costOf(t: TokenCounts, rates: ModelRates, speed?: 'fast'): CostBreakdown {
  const input = nn(t.inputTokens);
  const output = nn(t.outputTokens);
  const cr = nn(t.cacheReadTokens);
  const cw5 = nn(t.cacheWrite5mTokens);
  const cw1 = nn(t.cacheWrite1hTokens);
  const totalInput = input + cr + cw5 + cw1;
  let tier: TierRates | undefined;
  for (const x of rates.tiers ?? []) if (totalInput > x.above) tier = x;
  const base = resolvedRates(rates);
  let cost =
    (input * (tier?.input ?? base.input) +
      output * (tier?.output ?? base.output) +
      cr * (tier?.cacheRead ?? base.cacheRead) +
      cw5 * (tier?.cacheWrite ?? base.cacheWrite) +
      cw1 * (tier?.cacheWrite1h ?? base.cacheWrite1h)) /
    1e6;
  const out: CostBreakdown = { costUSD: 0 };
  if (speed === 'fast') {
    if (rates.fastMultiplier !== undefined) cost *= rates.fastMultiplier;
    else out.fastMultiplierMissing = true;
  }
  out.costUSD = cost;
  if (tier) out.tierAbove = tier.above;
  return out;
}

/**
 * Codex logs `input_tokens` **including** `cached_input_tokens` (provider-apis.md §8.2). The readers normalise that
 * away; this helper states the rule for anything that still has the raw numbers:
 * cost = (input − cached)×in + cached×cache_read + output×out.
 */
export function codexTokens(raw: { input: number; cached: number; output: number }): TokenCounts {
  const input = nn(raw.input);
  const cached = Math.min(nn(raw.cached), input);
  return { inputTokens: input - cached, outputTokens: nn(raw.output), cacheReadTokens: cached, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
}

// ─────────────────────────────── Price book ───────────────────────────────

export interface PriceLayer {
  source: PriceSource;
  data: PriceTableData;
}

interface FlatLayer {
  source: PriceSource;
  map: Map<string, { key: string; rates: ModelRates }>;
}

function flatten(layer: PriceLayer): FlatLayer {
  const map = new Map<string, { key: string; rates: ModelRates }>();
  for (const [k, r] of Object.entries(layer.data.models)) map.set(k, { key: k, rates: r });
  for (const [a, target] of Object.entries(layer.data.aliases ?? {})) {
    const r = layer.data.models[target];
    if (r && !map.has(a)) map.set(a, { key: a, rates: r });
  }
  return { source: layer.source, map };
}

/**
 * Immutable; build a new one when a layer changes. Overrides are searched first with every spelling; the tables
 * (LiteLLM over bundled) are then searched spelling by spelling, so an exact hit in either beats a normalised one.
 */
export class PriceBook {
  private readonly overrides: FlatLayer | undefined;
  private readonly tables: FlatLayer[];
  private readonly cache = new Map<string, PriceMatch | null>();

  constructor(layers: readonly PriceLayer[]) {
    const o = layers.find((l) => l.source === 'override');
    this.overrides = o ? flatten(o) : undefined;
    const order: PriceSource[] = ['litellm', 'bundled'];
    this.tables = order.flatMap((s) => layers.filter((l) => l.source === s).map(flatten));
  }

  lookup(model: string): PriceMatch | undefined {
    if (typeof model !== 'string' || model.length === 0) return undefined;
    const hit = this.cache.get(model);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.find(model);
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(model, found ?? null);
    return found;
  }

  private find(model: string): PriceMatch | undefined {
    const cands = candidateIds(model);
    const groups = this.overrides ? [[this.overrides], this.tables] : [this.tables];
    for (const layers of groups) {
      for (const c of cands) {
        for (const l of layers) {
          const e = l.map.get(c.id);
          if (e) return { key: e.key, rates: e.rates, source: l.source, rule: c.rule };
        }
      }
    }
    return undefined;
  }

  price(record: Pick<UsageRecord, 'model' | 'speed'> & TokenCounts): RecordPrice {
    const match = this.lookup(record.model);
    if (!match) return { unpriced: true };
    const c = costOf(record, match.rates, record.speed);
    const out: RecordPrice = { costUSD: c.costUSD, unpriced: false, match };
    if (c.tierAbove !== undefined) out.tierAbove = c.tierAbove;
    if (c.fastMultiplierMissing) out.fastMultiplierMissing = true;
    return out;
  }

  /** The callback the usage ledger takes (types.ts `PriceFn`). */
  readonly priceFn = (record: UsageRecord): PriceResult => {
    // price() without its match and notes: one object per record, not three.
    const match = this.lookup(record.model);
    return match ? { costUSD: costOf(record, match.rates, record.speed).costUSD, unpriced: false } : { unpriced: true };
  };
}

// ─────────────────────────────── LiteLLM ───────────────────────────────

const rate = z.optional(z.nullable(z.number().check(z.gte(0), z.lt(1))));
const liteRow = z.object({
  input_cost_per_token: rate,
  output_cost_per_token: rate,
  cache_read_input_token_cost: rate,
  cache_creation_input_token_cost: rate,
  cache_creation_input_token_cost_above_1hr: rate,
  mode: z.optional(z.nullable(z.string())),
  provider_specific_entry: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});
type LiteRow = z.output<typeof liteRow>;

/** LiteLLM `mode`s that bill text tokens; rows without a mode are kept (older rows omit it). */
const TEXT_MODES = new Set(['chat', 'responses', 'completion']);
const TIER_FIELD = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|cache_creation_input_token_cost_above_1hr)_above_(\d+)k_tokens$/;
const TIER_TARGET: Record<string, keyof Omit<TierRates, 'above'>> = {
  input_cost_per_token: 'input',
  output_cost_per_token: 'output',
  cache_read_input_token_cost: 'cacheRead',
  cache_creation_input_token_cost: 'cacheWrite',
  cache_creation_input_token_cost_above_1hr: 'cacheWrite1h',
};

const perM = (perToken: number): number => Math.round(perToken * 1e6 * 1e6) / 1e6;

export interface LiteLLMParse {
  data: PriceTableData;
  rows: number;
  skipped: number;
}

/** Throws when the document is not an object of rows at all; skips bad rows. */
export function parseLiteLLM(doc: unknown): LiteLLMParse {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('price list is not a JSON object');
  const models: Record<string, ModelRates> = {};
  let rows = 0;
  let skipped = 0;
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    if (key === 'sample_spec') continue;
    const p = liteRow.safeParse(raw);
    if (!p.success) {
      skipped++;
      continue;
    }
    const r: LiteRow = p.data;
    if (r.mode != null && !TEXT_MODES.has(r.mode)) continue;
    if (r.input_cost_per_token == null || r.output_cost_per_token == null) {
      skipped++;
      continue;
    }
    const m: ModelRates = { input: perM(r.input_cost_per_token), output: perM(r.output_cost_per_token) };
    if (r.cache_read_input_token_cost != null) m.cacheRead = perM(r.cache_read_input_token_cost);
    if (r.cache_creation_input_token_cost != null) m.cacheWrite = perM(r.cache_creation_input_token_cost);
    if (r.cache_creation_input_token_cost_above_1hr != null) m.cacheWrite1h = perM(r.cache_creation_input_token_cost_above_1hr);
    const tiers = new Map<number, TierRates>();
    for (const [f, v] of Object.entries(raw as Record<string, unknown>)) {
      const t = TIER_FIELD.exec(f);
      if (!t || typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) continue;
      const above = Number(t[2]) * 1000;
      const row = tiers.get(above) ?? { above };
      row[TIER_TARGET[t[1]!]!] = perM(v);
      tiers.set(above, row);
    }
    if (tiers.size) m.tiers = [...tiers.values()].sort((a, b) => a.above - b.above);
    const fast = r.provider_specific_entry?.fast;
    if (typeof fast === 'number' && Number.isFinite(fast) && fast >= 1 && fast <= 100) m.fastMultiplier = fast;
    models[key] = m;
    rows++;
  }
  return { data: { models }, rows, skipped };
}

// ─────────────────────────────── Overrides ───────────────────────────────

const perMillion = z.number().check(z.gte(0), z.lte(100_000));
const overrideRow = z.object({
  input: perMillion,
  output: perMillion,
  cacheRead: z.optional(perMillion),
  cacheWrite: z.optional(perMillion),
  cacheWrite1h: z.optional(perMillion),
  fastMultiplier: z.optional(z.number().check(z.gte(1), z.lte(100))),
});

/** `tokstat.pricing.overrides`: model id → USD per million tokens. Bad rows are reported, not fatal. */
export function parseOverrides(value: unknown): { data: PriceTableData; errors: string[] } {
  const models: Record<string, ModelRates> = {};
  const errors: string[] = [];
  if (value === undefined || value === null) return { data: { models }, errors };
  if (typeof value !== 'object' || Array.isArray(value)) return { data: { models }, errors: ['tokstat.pricing.overrides must be an object'] };
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = overrideRow.safeParse(v);
    if (!p.success) {
      errors.push(`tokstat.pricing.overrides["${k.slice(0, 80)}"]: needs numeric "input" and "output" (USD per million tokens)`);
      continue;
    }
    const r: ModelRates = { input: p.data.input, output: p.data.output };
    if (p.data.cacheRead !== undefined) r.cacheRead = p.data.cacheRead;
    if (p.data.cacheWrite !== undefined) r.cacheWrite = p.data.cacheWrite;
    if (p.data.cacheWrite1h !== undefined) r.cacheWrite1h = p.data.cacheWrite1h;
    if (p.data.fastMultiplier !== undefined) r.fastMultiplier = p.data.fastMultiplier;
    models[k] = r;
    // The lower-case spelling too, so "Claude-X" in settings matches "claude-x" in logs via the lowercase rule.
    if (!(k.toLowerCase() in models)) models[k.toLowerCase()] = r;
  }
  return { data: { models }, errors };
}
