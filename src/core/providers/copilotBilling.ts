// Where a Copilot account's premium requests / AI credits went: GitHub's official billing report
// (provider-apis.md §1.4) for a user, an organisation or an enterprise, by model for the month and by UTC day.
//
// Who can read it (GitHub's docs): the user report needs a fine-grained personal access token with the user permission
// "Plan" (read) — VS Code's GitHub sign-in and the GitHub CLI's OAuth token do not carry it; the organisation report an
// owner's or billing manager's token (fine-grained: organisation permission "Administration" (read)); the enterprise
// report an enterprise owner's or billing manager's classic token (fine-grained tokens cannot read it). When the
// report cannot be read the answer is a state (`unavailable`, with the sign-in that would work), never a failed poll.
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { joinUrl } from '../endpoints';
import { ProviderError, toProviderError } from '../errors';
import { cleanText, type BillingBreakdown, type BillingDayRow, type BillingModelRow } from '../../shared/model';
import { num, requestJson } from './json';
import type { ProviderContext } from './types';

export const BILLING_API_VERSION = '2022-11-28';
/** Most pages followed through `Link: rel="next"` (the report is documented without pagination; a proxy may add it). */
export const MAX_BILLING_PAGES = 10;
/** Most usage items kept from one report, and model rows kept in a breakdown. */
const MAX_ITEMS = 5000;
const MAX_MODELS = 50;
const MAX_MODEL_CHARS = 80;
/** A day whose end is this long past is final (the report lags by hours): it is read once and kept. */
const FINAL_AFTER_MS = 48 * 3_600_000;
/** A "this token cannot read the report" verdict is kept this long before asking again (saves a request a poll). */
const VERDICT_TTL_MS = 6 * 3_600_000;
const MAX_CACHE_ENTRIES = 4000;

const optNum = z.nullish(num);
const optStr = z.nullish(z.string());

const itemSchema = z.object({
  product: optStr,
  sku: optStr,
  model: optStr,
  unitType: optStr,
  pricePerUnit: optNum,
  grossQuantity: optNum,
  grossAmount: optNum,
  discountQuantity: optNum,
  discountAmount: optNum,
  netQuantity: optNum,
  netAmount: optNum,
});

const reportSchema = z.object({
  usageItems: z.array(itemSchema).check(z.maxLength(MAX_ITEMS)),
});

type Item = z.output<typeof itemSchema>;

export type BillingKind = 'premium_request' | 'ai_credit';

export interface BillingScope {
  kind: 'user' | 'organization' | 'enterprise';
  name: string;
}

/** The scope an account's settings ask for: `billingEnterprise`, else `billingOrganization`, else the user `login`. */
export function billingScope(settings: Record<string, unknown>, login: string | undefined): BillingScope | undefined {
  const text = (k: string): string | undefined => {
    const v = settings[k];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const ent = text('billingEnterprise');
  if (ent) return { kind: 'enterprise', name: ent };
  const org = text('billingOrganization');
  if (org) return { kind: 'organization', name: org };
  return login ? { kind: 'user', name: login } : undefined;
}

export function billingPath(scope: BillingScope, kind: BillingKind): string {
  const seg = scope.kind === 'user' ? 'users' : scope.kind === 'organization' ? 'organizations' : 'enterprises';
  return `/${seg}/${encodeURIComponent(scope.name)}/settings/billing/${kind}/usage`;
}

interface CacheEntry {
  at: number;
  day?: { quantity: number; netAmount?: number };
  verdict?: Extract<BillingBreakdown, { state: 'unavailable' }>;
}

/** Days already final and "cannot read" verdicts, per account, scope and token (a hash of it, never the token). */
const cache = new Map<string, CacheEntry>();

/** Forgets every cached day and verdict (tests; a removed account's entries simply age out of the bounded map). */
export function clearBillingCache(): void {
  cache.clear();
}

function remember(key: string, entry: CacheEntry): void {
  if (cache.size >= MAX_CACHE_ENTRIES) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, entry);
}

function cacheKey(ctx: ProviderContext, scope: BillingScope, rest: string): string {
  const token = createHash('sha256').update(ctx.secret).digest('hex').slice(0, 16);
  return `${ctx.account.id}|${ctx.baseUrl}|${scope.kind}:${scope.name.toLowerCase()}|${token}|${rest}`;
}

function headers(ctx: ProviderContext): Record<string, string> {
  return { authorization: `Bearer ${ctx.secret}`, accept: 'application/vnd.github+json', 'x-github-api-version': BILLING_API_VERSION };
}

/** `<url>; rel="next"` from a Link header, only on the same origin as the request (a server must not send us elsewhere). */
export function nextLink(link: string | undefined, current: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/i.exec(part.trim());
    if (!m || !m[2]!.split(/\s+/).includes('next')) continue;
    try {
      const next = new URL(m[1]!, current);
      return next.origin === new URL(current).origin ? next.toString() : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** One report (all its pages). */
async function readReport(ctx: ProviderContext, url: string): Promise<Item[]> {
  const items: Item[] = [];
  let next: string | undefined = url;
  for (let page = 0; next && page < MAX_BILLING_PAGES; page++) {
    const { data, response } = await requestJson(ctx, { url: next, headers: headers(ctx) }, reportSchema);
    items.push(...data.usageItems);
    if (items.length > MAX_ITEMS) throw new ProviderError('bad-response', `The billing report has more than ${MAX_ITEMS} items.`);
    next = nextLink(response.headers.link, next);
  }
  return items;
}

function reportUrl(ctx: ProviderContext, scope: BillingScope, kind: BillingKind, year: number, month: number, day?: number): string {
  const q = new URLSearchParams({ year: String(year), month: String(month) });
  if (day !== undefined) q.set('day', String(day));
  return `${joinUrl(ctx.baseUrl, billingPath(scope, kind))}?${q.toString()}`;
}

const add = (a: number | undefined, b: number | null | undefined): number | undefined =>
  b === null || b === undefined || !Number.isFinite(b) ? a : (a ?? 0) + b;

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** Sums a report by model: quantity, included part, list price and billed overage. Exported for tests. */
export function byModel(items: readonly Item[]): BillingModelRow[] {
  const rows = new Map<string, BillingModelRow>();
  for (const it of items) {
    const quantity = it.grossQuantity ?? undefined;
    if (quantity === undefined || !Number.isFinite(quantity) || quantity < 0) continue;
    const model = cleanText(it.model, MAX_MODEL_CHARS) || cleanText(it.sku, MAX_MODEL_CHARS) || 'Unknown model';
    const row = rows.get(model) ?? { model, quantity: 0 };
    row.quantity = round(row.quantity + quantity);
    const inc = add(row.includedQuantity, it.discountQuantity);
    if (inc !== undefined) row.includedQuantity = round(inc);
    const gross = add(row.grossAmount, it.grossAmount);
    if (gross !== undefined) row.grossAmount = round(gross);
    const net = add(row.netAmount, it.netAmount);
    if (net !== undefined) row.netAmount = round(net);
    if (it.pricePerUnit !== null && it.pricePerUnit !== undefined && Number.isFinite(it.pricePerUnit)) row.pricePerUnit = it.pricePerUnit;
    rows.set(model, row);
  }
  return [...rows.values()].sort((a, b) => b.quantity - a.quantity || a.model.localeCompare(b.model));
}

function sum(rows: readonly BillingModelRow[], pick: (r: BillingModelRow) => number | undefined): number | undefined {
  let total: number | undefined;
  for (const r of rows) total = add(total, pick(r));
  return total === undefined ? undefined : round(total);
}

const pad = (n: number): string => String(n).padStart(2, '0');

export interface BillingOptions {
  /** `ai_credit` first for seats billed in AI credits (`token_based_billing`), else `premium_request` first. */
  tokenBilled?: boolean;
  /** The token is a personal access token (`api-key` account) rather than an OAuth sign-in (VS Code, gh, device). */
  personalToken: boolean;
}

/** The sign-in that can read a scope's report, and the words for it. */
function fixFor(scope: BillingScope): { fix: 'fine-grained-token' | 'org-admin-token' | 'enterprise-admin-token'; needs: string } {
  if (scope.kind === 'organization') {
    return {
      fix: 'org-admin-token',
      needs: `a token of an owner or billing manager of ${scope.name}: a fine-grained personal access token with the organisation permission "Administration" (read)`,
    };
  }
  if (scope.kind === 'enterprise') {
    return {
      fix: 'enterprise-admin-token',
      needs: `a classic personal access token of an owner or billing manager of the enterprise ${scope.name} (fine-grained tokens cannot read enterprise billing)`,
    };
  }
  return { fix: 'fine-grained-token', needs: 'a fine-grained personal access token with the user permission "Plan" (read)' };
}

/** Maps a refused report to the state the user sees; anything else is rethrown for the caller to judge. */
function unavailableFor(err: ProviderError, scope: BillingScope, opts: BillingOptions, now: number): Extract<BillingBreakdown, { state: 'unavailable' }> | undefined {
  const { fix, needs } = fixFor(scope);
  const forbidden = err.kind === 'forbidden' || err.kind === 'auth';
  if (!forbidden && err.kind !== 'not-found') return undefined;
  if (!opts.personalToken) {
    // GitHub answers 403 or 404 when an OAuth token lacks the permission: either way this token kind cannot read it.
    return {
      state: 'unavailable',
      reason: 'token-kind',
      fix,
      capturedAt: now,
      message: `GitHub's billing report cannot be read with this sign-in (VS Code's GitHub sign-in and the GitHub CLI's token lack the billing permission). It needs ${needs}: add one as a Copilot account ("Fine-grained token").`,
    };
  }
  if (forbidden) {
    return { state: 'unavailable', reason: 'no-access', fix, capturedAt: now, message: `This token may not read the billing report of ${scope.name} (HTTP ${err.status ?? 403}). It needs ${needs}.` };
  }
  if (scope.kind === 'user') {
    return {
      state: 'unavailable',
      reason: 'not-billed-to-user',
      fix: 'org-admin-token',
      capturedAt: now,
      message: `GitHub has no billing report for ${scope.name} (HTTP 404): a Copilot seat paid by an organisation or enterprise is reported there, not to the user — set the account's billing organisation and use its owner's token.`,
    };
  }
  return { state: 'unavailable', reason: 'no-access', fix, capturedAt: now, message: `GitHub has no billing report for ${scope.name} (HTTP 404): check the name, and that the token's owner can see its billing.` };
}

/**
 * The current month's breakdown for `scope`. Never throws for a refused report (403/404: `unavailable`) or a failed
 * one (rate limit, server, network: `unavailable` with reason `error`, which the scheduler answers by keeping the last
 * good breakdown); rethrows only cancellation.
 */
export async function fetchBillingBreakdown(ctx: ProviderContext, scope: BillingScope, opts: BillingOptions): Promise<BillingBreakdown> {
  const now = ctx.clock.now();
  const verdictKey = cacheKey(ctx, scope, 'verdict');
  const verdict = cache.get(verdictKey);
  if (verdict?.verdict && now - verdict.at < VERDICT_TTL_MS) return verdict.verdict;
  const d = new Date(now);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const kinds: BillingKind[] = opts.tokenBilled === false ? ['premium_request', 'ai_credit'] : ['ai_credit', 'premium_request'];
  try {
    let chosen: { kind: BillingKind; items: Item[] } | undefined;
    let firstRefusal: ProviderError | undefined;
    for (const kind of kinds) {
      try {
        const items = await readReport(ctx, reportUrl(ctx, scope, kind, year, month));
        if (items.length > 0 || !chosen) chosen = { kind, items };
        if (items.length > 0) break;
      } catch (err) {
        const e = toProviderError(err);
        if (e.kind !== 'not-found' && e.kind !== 'forbidden') throw e;
        firstRefusal ??= e;
      }
    }
    if (!chosen) throw firstRefusal ?? new ProviderError('not-found', 'No billing report.');
    const rows = byModel(chosen.items);
    const byDay = await readDays(ctx, scope, chosen.kind, year, month, d.getUTCDate(), now);
    const result: BillingBreakdown = {
      state: 'ok',
      unit: chosen.kind === 'ai_credit' ? 'credits' : 'requests',
      currency: 'USD',
      scope: scope.kind,
      scopeName: scope.name,
      month: `${year}-${pad(month)}`,
      capturedAt: now,
      byModel: rows.slice(0, MAX_MODELS),
      totalQuantity: sum(rows, (r) => r.quantity) ?? 0,
    };
    if (byDay) result.byDay = byDay;
    const included = sum(rows, (r) => r.includedQuantity);
    if (included !== undefined) result.includedQuantity = included;
    const gross = sum(rows, (r) => r.grossAmount);
    if (gross !== undefined) result.grossAmount = gross;
    const net = sum(rows, (r) => r.netAmount);
    if (net !== undefined) result.netAmount = net;
    ctx.log.debug(`copilot: billing report of ${scope.kind} (${chosen.kind}): ${rows.length} model(s)${byDay ? `, ${byDay.length} day(s)` : ''}`);
    return result;
  } catch (err) {
    const e = toProviderError(err);
    if (e.kind === 'cancelled') throw e;
    const state = unavailableFor(e, scope, opts, now);
    if (state) {
      remember(verdictKey, { at: now, verdict: state });
      ctx.log.info(`copilot: billing report of ${scope.kind} not readable (${state.reason})`);
      return state;
    }
    ctx.log.warn(`copilot: billing report failed: ${e.message}`);
    return { state: 'unavailable', reason: 'error', capturedAt: now, message: `GitHub's billing report could not be read: ${e.message}` };
  }
}

/**
 * Usage per UTC day of the month so far (the report's `day` parameter), oldest first, days without usage left out.
 * Final days come from the cache; today and the two days before are read again. Undefined when a day fails.
 */
async function readDays(ctx: ProviderContext, scope: BillingScope, kind: BillingKind, year: number, month: number, today: number, now: number): Promise<BillingDayRow[] | undefined> {
  const out: BillingDayRow[] = [];
  for (let day = 1; day <= today; day++) {
    const key = cacheKey(ctx, scope, `${kind}|${year}-${pad(month)}-${pad(day)}`);
    const endOfDay = Date.UTC(year, month - 1, day + 1);
    let row = cache.get(key)?.day;
    if (!row) {
      let items: Item[];
      try {
        items = await readReport(ctx, reportUrl(ctx, scope, kind, year, month, day));
      } catch (err) {
        const e = toProviderError(err);
        if (e.kind === 'cancelled') throw e;
        ctx.log.warn(`copilot: billing report of day ${day} failed: ${e.message}`);
        return undefined;
      }
      const rows = byModel(items);
      row = { quantity: sum(rows, (r) => r.quantity) ?? 0 };
      const net = sum(rows, (r) => r.netAmount);
      if (net !== undefined) row.netAmount = net;
      if (now - endOfDay >= FINAL_AFTER_MS) remember(key, { at: now, day: row });
    }
    if (row.quantity > 0 || (row.netAmount ?? 0) > 0) out.push({ day: `${year}-${pad(month)}-${pad(day)}`, ...row });
  }
  return out;
}
