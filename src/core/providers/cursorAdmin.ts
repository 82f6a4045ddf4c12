// Cursor team spend from the official Admin API (provider-apis.md §7.15): `POST /teams/spend` on api.cursor.com with
// HTTP Basic auth (admin key as the user name, empty password). Per-member spend is in integer CENTS. The JSON field
// casing is unverified, so camelCase and snake_case are both accepted, and `spend` as a last resort (also cents).
// Team admins only: individual Cursor plans have no API.
import * as z from 'zod/mini';
import { describe } from '../http';
import { joinUrl } from '../endpoints';
import { ProviderError } from '../errors';
import { makeMeter, type Meter } from '../../shared/model';
import { num, parseVendorDate, requestJson } from './json';
import { guarded, prefixKeyHint } from './deepseek';
import type { ConnectionInfo, FetchResult, ProviderContext, ProviderDefinition } from './types';

const SPEND_PATH = '/teams/spend';
const PAGE_SIZE = 100;
/** Safety cap: a server that keeps announcing more pages must not loop forever. */
export const CURSOR_MAX_PAGES = 20;

const memberSchema = z.object({
  spendCents: z.nullish(num),
  spend_cents: z.nullish(num),
  spend: z.nullish(num),
  email: z.nullish(z.string()),
  name: z.nullish(z.string()),
});

export const cursorSpendSchema = z.object({
  teamMemberSpend: z.nullish(z.array(memberSchema)),
  team_member_spend: z.nullish(z.array(memberSchema)),
  subscriptionCycleStart: z.nullish(z.union([num, z.string()])),
  subscription_cycle_start: z.nullish(z.union([num, z.string()])),
  totalMembers: z.nullish(num),
  total_members: z.nullish(num),
  totalPages: z.nullish(num),
  total_pages: z.nullish(num),
});

type CursorSpendPage = z.output<typeof cursorSpendSchema>;

export interface CursorTeamSpend {
  cents: number;
  members: number;
  /** Epoch ms. */
  cycleStart?: number;
}

function basicAuth(ctx: ProviderContext): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(`${ctx.secret}:`, 'utf8').toString('base64')}`,
    accept: 'application/json',
    'content-type': 'application/json',
  };
}

/** Epoch ms from epoch ms / epoch s / an ISO or date string. */
function cycleStartMs(v: number | string | null | undefined): number | undefined {
  if (v == null) return undefined;
  const ms = typeof v === 'number' ? (v > 1e11 ? v : parseVendorDate(v)) : /^\d{12,14}$/.test(v.trim()) ? Number(v.trim()) : parseVendorDate(v);
  // A time no Date can hold (1e308 from a hostile server) would make toISOString throw: it is unknown instead.
  return ms !== undefined && Number.isFinite(new Date(ms).getTime()) ? ms : undefined;
}

/** Sums one page; a member without any spend field is a schema error naming the field. */
function pageCents(page: CursorSpendPage, where: string): { cents: number; rows: number } {
  const key = page.teamMemberSpend != null ? 'teamMemberSpend' : 'team_member_spend';
  const rows = page.teamMemberSpend ?? page.team_member_spend;
  if (!rows) throw new ProviderError('bad-response', `Unexpected response from ${where}: response.teamMemberSpend: missing`);
  let cents = 0;
  rows.forEach((m, i) => {
    const c = m.spendCents ?? m.spend_cents ?? m.spend;
    if (c == null) throw new ProviderError('bad-response', `Unexpected response from ${where}: response.${key}[${i}].spendCents: missing`);
    cents += c;
  });
  return { cents, rows: rows.length };
}

export async function fetchCursorTeamSpend(ctx: ProviderContext, maxPages = CURSOR_MAX_PAGES): Promise<CursorTeamSpend> {
  const url = joinUrl(ctx.baseUrl, SPEND_PATH);
  const where = describe(url);
  let cents = 0;
  let rows = 0;
  let members: number | undefined;
  let cycleStart: number | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const { data } = await requestJson(ctx, { method: 'POST', url, headers: basicAuth(ctx), body: JSON.stringify({ page, pageSize: PAGE_SIZE }) }, cursorSpendSchema);
    const p = pageCents(data, where);
    cents += p.cents;
    rows += p.rows;
    members ??= data.totalMembers ?? data.total_members ?? undefined;
    cycleStart ??= cycleStartMs(data.subscriptionCycleStart ?? data.subscription_cycle_start);
    const totalPages = data.totalPages ?? data.total_pages ?? undefined;
    if (totalPages === undefined || page >= totalPages || p.rows === 0) break;
    if (page === maxPages && maxPages === CURSOR_MAX_PAGES) ctx.log.warn(`cursor-admin: stopped after ${maxPages} pages of /teams/spend; the total may be incomplete`);
  }
  const result: CursorTeamSpend = { cents, members: members ?? rows };
  if (cycleStart !== undefined) result.cycleStart = cycleStart;
  return result;
}

/** 401/403 mean "not an Admin API key" (or not a team admin): say so. */
async function fetchExplained(ctx: ProviderContext, maxPages?: number): Promise<CursorTeamSpend> {
  try {
    return await fetchCursorTeamSpend(ctx, maxPages);
  } catch (err) {
    if (err instanceof ProviderError && (err.kind === 'auth' || err.kind === 'forbidden')) {
      throw new ProviderError(err.kind, `${err.message} — the Cursor Admin API needs an Admin API key created by a team admin (team Settings → Admin API); individual plans have no API key for usage.`, err.status !== undefined ? { status: err.status } : {});
    }
    throw err;
  }
}

export function cursorAdminMeters(s: CursorTeamSpend, capturedAt: number): Meter[] {
  const parts = [`${s.members} member${s.members === 1 ? '' : 's'}`];
  if (s.cycleStart !== undefined) parts.push(`cycle since ${new Date(s.cycleStart).toISOString().slice(0, 10)}`);
  return [
    makeMeter({
      id: 'team-spend',
      label: 'Team spend this cycle',
      kind: 'spend',
      unit: 'USD',
      source: 'official',
      capturedAt,
      used: s.cents / 100,
      detail: parts.join(' · '),
    }),
  ];
}

export const cursorAdminProvider: ProviderDefinition = {
  id: 'cursor-admin',
  displayName: 'Cursor team (Admin API)',
  description: 'Team spend this billing cycle (team admins only: an Admin API key from the team settings)',
  authKinds: ['api-key'],
  signIn: 'api-key',
  pickerGroup: 'admin',
  authLabel: 'admin key',
  keyHint: prefixKeyHint({
    vendor: 'Cursor Admin API',
    placeholder: 'crsr_…',
    prompt: 'Cursor Admin API key (team Settings → Admin API; team admins only)',
    prefixes: ['crsr_'],
  }),
  defaultBaseUrl: () => 'https://api.cursor.com',
  defaultPollSeconds: 3600,
  minPollSeconds: 600,
  icon: 'organization',
  endpoints: [{ path: SPEND_PATH, official: true }],

  async fetchSnapshot(ctx: ProviderContext): Promise<FetchResult> {
    return guarded(ctx, async () => {
      const s = await fetchExplained(ctx);
      return { meters: cursorAdminMeters(s, ctx.clock.now()), plan: 'Team' };
    });
  },

  async testConnection(ctx: ProviderContext): Promise<ConnectionInfo> {
    return guarded(ctx, async () => {
      const s = await fetchExplained(ctx, 1);
      // The spend answer names no team; the member count at least tells teams apart.
      return { plan: 'Team', identity: `${s.members} member${s.members === 1 ? '' : 's'}` };
    });
  },
};
