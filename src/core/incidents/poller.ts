// Polls the public status pages of the providers the user has accounts with (keyless), at most once per page per
// interval (5 min) across all windows: only the polling leader (the scheduler's leadership) asks, and it reads the
// shared state first, so a page another window checked a moment ago is not asked again. The other windows read what
// the leader wrote. A failed or unreadable page keeps its last good report (no flapping); a report older than
// STALE_MS is no longer shown. Status never blocks or slows the quota polls: they are separate.
import * as z from 'zod/mini';
import type { Clock, TimerHandle } from '../clock';
import { ConditionalCache } from '../conditional';
import { Emitter, type Disposable, type Event } from '../events';
import { describe, type HttpClient } from '../http';
import { scoped, type Logger } from '../log';
import { errText } from '../scheduler/support';
import { FileJsonStore } from '../state/snapshotStore';
import type { ProviderIncident } from '../../shared/incidents';
import { incidentsFor, MAX_INCIDENTS, parseStatusPage, StatusPageError, type PageIncident } from './parse';
import { statusPageFor, type ProviderStatusPage } from './pages';

export const INCIDENT_POLL_MS = 5 * 60_000;
/** A report not confirmed for this long is not shown (the page may have recovered while we could not read it). */
export const STALE_MS = 30 * 60_000;
/** Status pages answer in kilobytes; Google-sized feeds are not polled. */
export const STATUS_PAGE_MAX_BYTES = 1024 * 1024;

/** What the leader last learned about a page, shared by every window (`<storage>/incidents/<pageId>.json`). */
export interface PageState {
  version: 1;
  /** Epoch ms of the last attempt (by any window). */
  checkedAt: number;
  /** Epoch ms of the last answer that could be read. */
  okAt?: number;
  incidents: PageIncident[];
  failures: number;
  /** Index of the address (in the page's list) that answered last. */
  feed?: number;
}

const incidentSchema = z.object({
  title: z.string().check(z.maxLength(400)),
  impact: z.enum(['none', 'minor', 'major', 'critical', 'maintenance', 'unknown']),
  status: z.optional(z.string().check(z.maxLength(100))),
  url: z.optional(z.string().check(z.maxLength(2000))),
  updatedAt: z.optional(z.number()),
  components: z.optional(z.array(z.string().check(z.maxLength(400))).check(z.maxLength(500))),
});
const pageStateSchema = z.object({
  version: z.literal(1),
  checkedAt: z.number(),
  okAt: z.optional(z.number()),
  incidents: z.array(incidentSchema).check(z.maxLength(MAX_INCIDENTS)),
  failures: z.number().check(z.nonnegative()),
  feed: z.optional(z.number().check(z.int(), z.nonnegative())),
});

/** For the shared store: why a page-state file is refused, or undefined. */
export function validatePageState(value: unknown): string | undefined {
  const r = pageStateSchema.safeParse(value);
  return r.success ? undefined : (r.error.issues[0]?.message ?? 'invalid');
}

export interface PageStateStore {
  read(pageId: string): Promise<PageState | undefined>;
  write(pageId: string, state: PageState): Promise<void>;
  onDidChangeExternally(listener: (pageId: string) => void): Disposable;
}

export interface IncidentPollerDeps {
  clock: Clock;
  log: Logger;
  http: HttpClient;
  store: PageStateStore;
  /** The scheduler's leadership: only the leader polls. */
  isLeader(): boolean;
  onDidChangeRole(listener: (leader: boolean) => void): Disposable;
  /** `tokstat.incidents.enabled`. */
  enabled(): boolean;
  /** Provider ids of the user's accounts. */
  providers(): readonly string[];
  /** `tokstat.incidents.statusPages` (user settings only). */
  overrides(): Readonly<Record<string, unknown>>;
  intervalMs?: number;
  timeoutMs?: number;
  /** No page is asked before this long after start (default 15 s): start-up stays free of network calls. */
  startDelayMs?: number;
}

const IMPACT_ORDER = ['critical', 'major', 'minor', 'unknown', 'maintenance', 'none'];

export class IncidentPoller implements Disposable {
  private readonly log: Logger;
  private readonly interval: number;
  private readonly states = new Map<string, PageState>();
  /** Pages wanted now, by page id. */
  private pages = new Map<string, ProviderStatusPage>();
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly conditional = new ConditionalCache(32, STATUS_PAGE_MAX_BYTES);
  private readonly changed = new Emitter<void>();
  private readonly subs: Disposable[] = [];
  private readonly toldBad = new Set<string>();
  private disposed = false;
  private readonly notBefore: number;
  /** Fires when what `incidentFor` answers may have changed. */
  readonly onDidChange: Event<void> = this.changed.event;

  /** A poller whose shared state lives in `folder` (one file per page, see FileJsonStore); disposing it closes the store. */
  static open(folder: string, deps: Omit<IncidentPollerDeps, 'store'>): IncidentPoller {
    const store = new FileJsonStore<PageState>({ folder, log: deps.log, validate: validatePageState });
    const poller = new IncidentPoller({ ...deps, store });
    poller.subs.push(store);
    return poller;
  }

  constructor(private readonly deps: IncidentPollerDeps) {
    this.log = scoped(deps.log, 'incidents');
    this.interval = Math.max(60_000, deps.intervalMs ?? INCIDENT_POLL_MS);
    this.notBefore = deps.clock.now() + (deps.startDelayMs ?? 15_000);
    this.subs.push(this.changed);
    this.subs.push(deps.onDidChangeRole(() => this.arm()));
    this.subs.push(deps.store.onDidChangeExternally((id) => void this.track(this.reload(id))));
  }

  /** The accounts or the settings changed: follow the pages they need (and turn polling on or off). */
  sync(): void {
    if (this.disposed) return;
    const wanted = new Map<string, ProviderStatusPage>();
    if (this.deps.enabled()) {
      const overrides = this.deps.overrides();
      for (const id of new Set(this.deps.providers())) {
        const p = statusPageFor(id, overrides, (pageId, why) => {
          if (this.toldBad.has(pageId)) return;
          this.toldBad.add(pageId);
          this.log.warn(`ignoring the address set for the ${pageId} status page: ${why}`);
        });
        if (p && !wanted.has(p.page.id)) wanted.set(p.page.id, p);
      }
    }
    const before = [...this.pages.keys()].join();
    this.pages = wanted;
    for (const id of [...this.states.keys()]) if (!wanted.has(id)) this.states.delete(id);
    for (const id of wanted.keys()) if (!this.states.has(id)) void this.track(this.reload(id));
    if (before !== [...wanted.keys()].join()) this.changed.fire();
    this.arm();
  }

  /** The incident to show on an account of this provider: the worst one its page reports, or undefined. */
  incidentFor(providerId: string): ProviderIncident | undefined {
    if (this.disposed || !this.deps.enabled()) return undefined;
    const p = statusPageFor(providerId, this.deps.overrides());
    const state = p ? this.states.get(p.page.id) : undefined;
    if (!p || !state || !this.pages.has(p.page.id)) return undefined;
    if (state.okAt === undefined || this.deps.clock.now() - state.okAt > STALE_MS) return undefined;
    const mine = incidentsFor(state.incidents, p.components).sort((a, b) => IMPACT_ORDER.indexOf(a.impact) - IMPACT_ORDER.indexOf(b.impact));
    const i = mine[0];
    if (!i) return undefined;
    return {
      source: p.page.source,
      title: i.title,
      impact: i.impact,
      ...(i.status ? { status: i.status } : {}),
      url: i.url ?? p.page.home,
      ...(i.updatedAt !== undefined ? { updatedAt: i.updatedAt } : {}),
    };
  }

  /** Polls every page that is due (leader only); resolves when done. Also what the timer runs. */
  pollDue(): Promise<void> {
    if (this.running) return this.running;
    const run = this.track(
      this.pollPages()
        .catch((e) => this.log.error(`status poll failed: ${errText(e)}`))
        .finally(() => {
          this.running = undefined;
          this.arm();
        }),
    );
    this.running = run;
    return run;
  }

  /** Resolves when no read, poll or write is pending (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    for (const s of this.subs.splice(0)) s.dispose();
  }

  private active(): boolean {
    return !this.disposed && this.deps.enabled() && this.deps.isLeader() && this.pages.size > 0;
  }

  private dueAt(pageId: string): number {
    const s = this.states.get(pageId);
    return s ? s.checkedAt + this.interval : this.deps.clock.now();
  }

  private arm(): void {
    this.clearTimer();
    if (!this.active() || this.running) return;
    const next = Math.max(this.notBefore, Math.min(...[...this.pages.keys()].map((id) => this.dueAt(id))));
    const delay = Math.max(1_000, next - this.deps.clock.now());
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      void this.pollDue();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async pollPages(): Promise<void> {
    for (const [id, p] of [...this.pages]) {
      if (!this.active()) return;
      // The freshest shared state: another window may have checked this page a moment ago.
      const stored = await this.safeRead(id);
      if (stored) this.adopt(id, stored);
      if (this.dueAt(id) > this.deps.clock.now() || !this.active()) continue;
      await this.pollPage(p);
    }
  }

  private async pollPage(p: ProviderStatusPage): Promise<void> {
    const id = p.page.id;
    const prev = this.states.get(id);
    const now = this.deps.clock.now();
    const feeds = p.page.feeds;
    const first = prev?.feed !== undefined && prev.feed < feeds.length ? prev.feed : 0;
    const http = this.conditional.wrap(this.deps.http, id);
    let lastError = '';
    // The address that answered last, then the others in order.
    for (const i of [first, ...feeds.keys()].filter((x, k, all) => all.indexOf(x) === k)) {
      const url = feeds[i]!;
      try {
        const res = await http.request({
          url,
          timeoutMs: this.deps.timeoutMs ?? 10_000,
          maxBodyBytes: STATUS_PAGE_MAX_BYTES,
          headers: { accept: 'application/json, application/rss+xml, application/atom+xml, text/xml;q=0.9' },
          tag: 'status',
        });
        if (res.status < 200 || res.status >= 300) throw new StatusPageError(`HTTP ${res.status}`);
        const report = parseStatusPage(res.text, this.deps.clock.now(), p.page.home);
        const state: PageState = { version: 1, checkedAt: now, okAt: this.deps.clock.now(), incidents: report.incidents, failures: 0, feed: i };
        const was = JSON.stringify(prev?.incidents ?? []);
        await this.save(id, state);
        const what = report.incidents.length ? `${report.incidents.length} incident(s): ${report.incidents.map((x) => x.title).join('; ')}` : 'no incident';
        if (was !== JSON.stringify(state.incidents) || !prev?.okAt) this.log.info(`${id} (${report.format}${res.notModified ? ', not modified' : ''}): ${what}`);
        return;
      } catch (e) {
        lastError = `${describe(url)}: ${errText(e)}`;
      }
    }
    // Unreadable: the last good report stays (until it is too old to show); the next try is one interval away.
    const failures = (prev?.failures ?? 0) + 1;
    if (failures === 1 || failures % 12 === 0) this.log.warn(`${id} status page unreadable (${failures}x): ${lastError}`);
    await this.save(id, { version: 1, checkedAt: now, incidents: prev?.incidents ?? [], failures, ...(prev?.okAt !== undefined ? { okAt: prev.okAt } : {}), ...(prev?.feed !== undefined ? { feed: prev.feed } : {}) });
  }

  private async save(id: string, state: PageState): Promise<void> {
    const before = JSON.stringify(this.states.get(id) ?? null);
    this.states.set(id, state);
    try {
      await this.deps.store.write(id, state);
    } catch (e) {
      this.log.warn(`cannot write the shared status of ${id}: ${errText(e)}`);
    }
    if (!this.disposed && before !== JSON.stringify(state)) this.changed.fire();
  }

  private adopt(id: string, state: PageState): boolean {
    const mine = this.states.get(id);
    if (mine && mine.checkedAt > state.checkedAt) return false;
    const changed = JSON.stringify(mine ?? null) !== JSON.stringify(state);
    this.states.set(id, state);
    return changed;
  }

  private async reload(id: string): Promise<void> {
    const state = await this.safeRead(id);
    if (this.disposed || !state || !this.pages.has(id)) return;
    if (this.adopt(id, state)) this.changed.fire();
    this.arm();
  }

  private async safeRead(id: string): Promise<PageState | undefined> {
    try {
      return await this.deps.store.read(id);
    } catch (e) {
      this.log.warn(`cannot read the shared status of ${id}: ${errText(e)}`);
      return undefined;
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const guarded: Promise<void> = p.then(
      () => undefined,
      (e: unknown) => this.log.error(`background task failed: ${errText(e)}`),
    ).finally(() => this.pending.delete(guarded));
    this.pending.add(guarded);
    return p;
  }
}
