// Reads what a provider's public status page says, in the three machine-readable shapes provider-apis.md §12 lists:
// Atlassian Statuspage `api/v2/summary.json`, incident.io's native `/proxy/<host>` feed, and RSS / Atom as the
// fallback. The format is told from the body itself, so one page may list several addresses and an override needs
// no format. Nothing from the page is trusted: every shape is checked with zod, entry by entry (one odd incident never
// costs the others), lists and strings are bounded, and a page that is none of these is an error, never a crash.
import * as z from 'zod/mini';
import type { IncidentImpact } from '../../shared/incidents';
import { parseVendorDate } from '../providers/json';

/** One incident as a page reports it, before it is matched to an account. */
export interface PageIncident {
  title: string;
  impact: IncidentImpact;
  status?: string;
  url?: string;
  updatedAt?: number;
  /** Names of the components it affects, when the page says (matched case-insensitively, §12.5). */
  components?: string[];
}

export type PageFormat = 'statuspage' | 'incidentio' | 'feed';

export interface PageReport {
  format: PageFormat;
  incidents: PageIncident[];
}

export class StatusPageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatusPageError';
  }
}

/** Far above any real page: a page listing more is cut, not refused. */
export const MAX_INCIDENTS = 20;
const MAX_ENTRIES = 500;
const MAX_TITLE = 200;
/** An RSS/Atom item older than this is history, not an incident in progress. */
const FEED_ACTIVE_MS = 24 * 3_600_000;

const str = z.string();
const opt = <T extends z.ZodMiniType>(t: T) => z.optional(z.nullable(t));

/** Text from a server, safe to show: control characters removed, whitespace collapsed, clipped. */
export function cleanText(s: string, max = MAX_TITLE): string {
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** An https address from a page, or undefined: a page never sends the user to another scheme. */
export function safeUrl(s: string | null | undefined): string | undefined {
  if (!s) return undefined;
  try {
    const u = new URL(s.trim());
    return u.protocol === 'https:' && !u.username && !u.password ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

const IMPACTS: ReadonlySet<string> = new Set(['none', 'minor', 'major', 'critical', 'maintenance']);

export function toImpact(v: string | null | undefined): IncidentImpact {
  const s = (v ?? '').toLowerCase();
  if (IMPACTS.has(s)) return s as IncidentImpact;
  if (s === 'degraded_performance' || s === 'partial_outage') return s === 'partial_outage' ? 'major' : 'minor';
  if (s === 'major_outage' || s === 'full_outage') return 'critical';
  if (s === 'under_maintenance') return 'maintenance';
  return 'unknown';
}

const COMPONENT_WORDS: Record<string, string> = {
  degraded_performance: 'degraded performance',
  partial_outage: 'partial outage',
  major_outage: 'major outage',
  full_outage: 'full outage',
  under_maintenance: 'under maintenance',
};

// ── Atlassian Statuspage ──

const spComponent = z.object({ name: str, status: opt(str) });
const spIncident = z.object({
  name: str,
  status: opt(str),
  impact: opt(str),
  shortlink: opt(str),
  updated_at: opt(str),
  resolved_at: opt(str),
  components: opt(z.array(z.unknown()).check(z.maxLength(MAX_ENTRIES))),
});
const spSummary = z.object({
  page: opt(z.object({ url: opt(str) })),
  incidents: z.array(z.unknown()).check(z.maxLength(MAX_ENTRIES)),
  components: opt(z.array(z.unknown()).check(z.maxLength(MAX_ENTRIES))),
});

function names(list: readonly unknown[] | null | undefined): string[] | undefined {
  if (!list) return undefined;
  const out: string[] = [];
  for (const c of list) {
    const r = spComponent.safeParse(c);
    if (r.success) out.push(cleanText(r.data.name));
  }
  return out;
}

/** Components that are not operational, as incidents of their own (a page may flag one before it opens an incident). */
function degradedComponents(list: readonly unknown[], pageUrl: string | undefined): PageIncident[] {
  const out: PageIncident[] = [];
  for (const c of list) {
    const r = spComponent.safeParse(c);
    const status = r.success ? (r.data.status ?? '') : '';
    if (!r.success || !COMPONENT_WORDS[status]) continue;
    const name = cleanText(r.data.name);
    out.push({ title: `${name}: ${COMPONENT_WORDS[status]}`, impact: toImpact(status), components: [name], ...(pageUrl ? { url: pageUrl } : {}) });
  }
  return out;
}

function parseStatuspage(data: unknown): PageReport | undefined {
  const r = spSummary.safeParse(data);
  if (!r.success) return undefined;
  const pageUrl = safeUrl(r.data.page?.url);
  const incidents: PageIncident[] = [];
  for (const raw of r.data.incidents) {
    const i = spIncident.safeParse(raw);
    if (!i.success) continue;
    const status = (i.data.status ?? '').toLowerCase();
    // summary.json lists unresolved incidents only; a page that still lists a resolved one is taken at its word.
    if (status === 'resolved' || status === 'postmortem' || i.data.resolved_at) continue;
    const title = cleanText(i.data.name);
    if (!title) continue;
    const url = safeUrl(i.data.shortlink) ?? pageUrl;
    const updatedAt = parseVendorDate(i.data.updated_at ?? undefined);
    const components = names(i.data.components);
    incidents.push({
      title,
      impact: toImpact(i.data.impact),
      ...(status ? { status: cleanText(status, 40) } : {}),
      ...(url ? { url } : {}),
      ...(updatedAt !== undefined ? { updatedAt } : {}),
      ...(components && components.length ? { components } : {}),
    });
  }
  if (incidents.length === 0 && r.data.components) incidents.push(...degradedComponents(r.data.components, pageUrl));
  return { format: 'statuspage', incidents: incidents.slice(0, MAX_INCIDENTS) };
}

// ── incident.io native feed (UNDOCUMENTED: only the fields CodexBar decodes are known; the rest is optional) ──

const ioComponentRef = z.object({ component_id: str, name: opt(str), hidden: opt(z.boolean()) });
const ioStructureItem = z.object({
  group: opt(z.object({ name: opt(str), components: opt(z.array(z.unknown()).check(z.maxLength(MAX_ENTRIES))) })),
  component: opt(z.unknown()),
});
const ioAffected = z.object({ component_id: str, status: opt(str) });
const ioIncident = z.object({
  name: str,
  status: opt(str),
  current_worst_impact: opt(str),
  impact: opt(str),
  url: opt(str),
  updated_at: opt(str),
  affected_components: opt(z.array(z.unknown()).check(z.maxLength(MAX_ENTRIES))),
});
const ioFeed = z.object({
  summary: z.object({
    structure: opt(z.object({ items: z.array(z.unknown()).check(z.maxLength(MAX_ENTRIES)) })),
    affected_components: opt(z.array(z.unknown()).check(z.maxLength(MAX_ENTRIES))),
    ongoing_incidents: opt(z.array(z.unknown()).check(z.maxLength(MAX_ENTRIES))),
  }),
});

function ioComponentNames(items: readonly unknown[]): Map<string, string> {
  const byId = new Map<string, string>();
  const add = (c: unknown) => {
    const r = ioComponentRef.safeParse(c);
    if (r.success && r.data.name) byId.set(r.data.component_id, cleanText(r.data.name));
  };
  for (const it of items) {
    const r = ioStructureItem.safeParse(it);
    if (!r.success) continue;
    if (r.data.component) add(r.data.component);
    for (const c of r.data.group?.components ?? []) add(c);
  }
  return byId;
}

function parseIncidentIo(data: unknown, pageUrl: string | undefined): PageReport | undefined {
  const r = ioFeed.safeParse(data);
  if (!r.success) return undefined;
  const s = r.data.summary;
  const byId = ioComponentNames(s.structure?.items ?? []);
  const affectedNames = (list: readonly unknown[] | null | undefined): string[] => {
    const out: string[] = [];
    for (const a of list ?? []) {
      const p = ioAffected.safeParse(a);
      const name = p.success ? byId.get(p.data.component_id) : undefined;
      if (name) out.push(name);
    }
    return out;
  };
  const incidents: PageIncident[] = [];
  for (const raw of s.ongoing_incidents ?? []) {
    const i = ioIncident.safeParse(raw);
    if (!i.success) continue;
    const title = cleanText(i.data.name);
    if (!title) continue;
    const url = safeUrl(i.data.url) ?? pageUrl;
    const updatedAt = parseVendorDate(i.data.updated_at ?? undefined);
    const components = affectedNames(i.data.affected_components);
    incidents.push({
      title,
      impact: toImpact(i.data.current_worst_impact ?? i.data.impact),
      ...(i.data.status ? { status: cleanText(i.data.status, 40) } : {}),
      ...(url ? { url } : {}),
      ...(updatedAt !== undefined ? { updatedAt } : {}),
      ...(components.length ? { components } : {}),
    });
  }
  // Without a list of incidents, what the feed surely has: the components that are not operational (§12.3).
  if (incidents.length === 0) {
    for (const a of s.affected_components ?? []) {
      const p = ioAffected.safeParse(a);
      if (!p.success) continue;
      const name = byId.get(p.data.component_id);
      const words = COMPONENT_WORDS[p.data.status ?? ''] ?? 'degraded';
      if (!name) continue;
      incidents.push({ title: `${name}: ${words}`, impact: toImpact(p.data.status), components: [name], ...(pageUrl ? { url: pageUrl } : {}) });
    }
  }
  return { format: 'incidentio', incidents: incidents.slice(0, MAX_INCIDENTS) };
}

// ── RSS 2.0 / Atom ──

function decodeXml(s: string): string {
  const cdata = s.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, inner: string) => inner);
  return cdata
    .replace(/<[^>]{0,2000}>/g, ' ')
    .replace(/&(lt|gt|quot|apos|amp|#\d{1,7}|#x[0-9a-f]{1,6});/gi, (m, e: string) => {
      const k = e.toLowerCase();
      if (k === 'lt') return '<';
      if (k === 'gt') return '>';
      if (k === 'quot') return '"';
      if (k === 'apos') return "'";
      if (k === 'amp') return '&';
      const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    });
}

function tag(block: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]{0,2000})?>([\\s\\S]*?)</${name}>`, 'i').exec(block);
  return m ? m[1] : undefined;
}

function atomLink(block: string): string | undefined {
  const m = /<link\b[^>]{0,2000}?href\s*=\s*["']([^"']{1,2000})["']/i.exec(block);
  return m ? decodeXml(m[1]!) : undefined;
}

const RESOLVED = /\b(resolved|recovered|completed|postmortem|back up|is up|operational again|fixed)\b/i;

function parseFeed(text: string, now: number): PageReport | undefined {
  const isAtom = /<feed[\s>]/i.test(text);
  if (!isAtom && !/<rss[\s>]|<rdf:RDF[\s>]/i.test(text)) return undefined;
  const itemTag = isAtom ? 'entry' : 'item';
  const blocks = text.match(new RegExp(`<${itemTag}[\\s>][\\s\\S]*?</${itemTag}>`, 'gi'))?.slice(0, MAX_ENTRIES) ?? [];
  // Newest item per incident (a guid, else its title): "X went down" and later "X recovered" share one (§12.4).
  const newest = new Map<string, { at: number; title: string; body: string; url?: string }>();
  for (const b of blocks) {
    const title = cleanText(decodeXml(tag(b, 'title') ?? ''));
    if (!title) continue;
    const when = parseVendorDate(cleanText(decodeXml(tag(b, isAtom ? 'updated' : 'pubDate') ?? tag(b, 'published') ?? tag(b, 'dc:date') ?? ''), 80));
    if (when === undefined) continue;
    const body = cleanText(decodeXml(tag(b, isAtom ? 'summary' : 'description') ?? tag(b, 'content') ?? ''), 2000);
    const key = cleanText(decodeXml(tag(b, isAtom ? 'id' : 'guid') ?? ''), 500) || title;
    const url = safeUrl(isAtom ? atomLink(b) : decodeXml(tag(b, 'link') ?? '').trim());
    const prev = newest.get(key);
    if (!prev || when > prev.at) newest.set(key, { at: when, title, body, ...(url ? { url } : {}) });
  }
  const incidents: PageIncident[] = [];
  for (const it of [...newest.values()].sort((a, b) => b.at - a.at)) {
    if (now - it.at > FEED_ACTIVE_MS || it.at - now > FEED_ACTIVE_MS) continue;
    if (RESOLVED.test(it.title) || RESOLVED.test(it.body)) continue;
    incidents.push({ title: it.title, impact: 'unknown', updatedAt: it.at, ...(it.url ? { url: it.url } : {}) });
  }
  return { format: 'feed', incidents: incidents.slice(0, MAX_INCIDENTS) };
}

/**
 * What the page says, whichever of the three shapes it is. `pageUrl` is the page's home (the link when an incident
 * has none). Throws StatusPageError for anything else (an HTML page, malformed JSON, an unknown shape).
 */
export function parseStatusPage(text: string, now: number, pageUrl?: string): PageReport {
  const t = text.trim();
  if (t.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(t);
    } catch {
      throw new StatusPageError('malformed JSON');
    }
    const r = parseStatuspage(data) ?? parseIncidentIo(data, safeUrl(pageUrl));
    if (r) return r;
    throw new StatusPageError('JSON in no known status-page shape');
  }
  if (t.startsWith('<')) {
    const r = parseFeed(t, now);
    if (r) return r;
    throw new StatusPageError('an HTML or XML page that is neither RSS nor Atom');
  }
  throw new StatusPageError(t === '' ? 'empty answer' : 'neither JSON nor a feed');
}

/** The incidents that concern an account: those naming one of its components, or naming none (§12.5). */
export function incidentsFor(report: readonly PageIncident[], components: readonly string[] | undefined): PageIncident[] {
  if (!components || components.length === 0) return [...report];
  const want = new Set(components.map((c) => c.toLowerCase()));
  return report.filter((i) => !i.components || i.components.length === 0 || i.components.some((c) => want.has(c.toLowerCase())));
}
