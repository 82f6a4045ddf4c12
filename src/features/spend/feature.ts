// The Spend feature wired: the vendors' day store, the SpendFeature over the accounts, the history and the agents'
// usage, which account a local session belongs to (by the home its log is under), and this month's summary
// recomputed shortly after the accounts or the agents' usage change. src/extension.ts creates it and disposes it.
// The SpendFeature and its day store load from the lazy `spend` chunk when first needed (see `LazySpend`), never at
// activation.
import * as path from 'node:path';
import { Emitter, type Disposable, type Event } from '../../core/events';
import type { Account, Snapshot } from '../../shared/model';
import type { SpendRange, SpendView } from '../../shared/protocol';
import type { CredentialEnv } from '../../core/providers/types';
import { accountHome, homeKind, sessionOwner, type SessionOwnerFn } from '../../core/homes';
import type { SpendDayStore } from './core/store';
import type { MonthToDate, SpendFeature, SpendFeatureDeps } from './core/feature';
import { loadSpend } from '../chunks';

/** How long an attribution of sessions to accounts is reused (the accounts and the log files change rarely). */
const OWNERS_TTL_MS = 30_000;
/** This month's summary waits this long after a change, so a burst of polls sums once. */
const SUMMARY_DELAY_MS = 2_000;

export interface SpendWiring extends Omit<SpendFeatureDeps, 'store' | 'sessionOwner'> {
  /** The extension's storage folder (the day store goes in `spend/` under it). */
  storage: string;
  accounts(): readonly Account[];
  /** The agents' log files read so far. */
  logFiles(): string[];
  credentialEnv(): CredentialEnv;
  /** Fire when the accounts or the agents' usage change. */
  onDidChange: Array<(listener: () => void) => Disposable>;
}

/** Which account each local session belongs to, rebuilt at most every OWNERS_TTL_MS. */
export function cachedSessionOwner(deps: Pick<SpendWiring, 'accounts' | 'logFiles' | 'credentialEnv' | 'now'>): SessionOwnerFn {
  let owners: { at: number; fn: SessionOwnerFn } | undefined;
  const current = (): SessionOwnerFn => {
    const now = deps.now();
    if (owners && now - owners.at < OWNERS_TTL_MS) return owners.fn;
    const env = deps.credentialEnv();
    const homes = deps.accounts().flatMap((a) => {
      const kind = homeKind(a.providerId);
      return kind ? [{ agent: kind.agent, dir: accountHome(kind, a, env), id: a.id, label: a.name }] : [];
    });
    owners = { at: now, fn: sessionOwner(homes.length ? deps.logFiles() : [], homes) };
    return owners.fn;
  };
  return (agent, sessionId) => current()(agent, sessionId);
}

/**
 * The Spend feature as the rest of the extension sees it (the dashboard, the commands, the status bar), with the
 * SpendFeature and its day store loaded from the `spend` chunk on first need: the Spend view or its CSV export, this
 * month's summary (summed shortly after the accounts or the agents' usage change, as before), a snapshot with vendor
 * days for the polling window to store, or an account removed. Before that, this month's summary is empty, as it was
 * before the first one was summed.
 */
export class LazySpend implements Disposable {
  private feature: SpendFeature | undefined;
  private days: SpendDayStore | undefined;
  private readonly changed = new Emitter<void>();
  /** Fires when this month's summary changed. */
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly snapshots = new Emitter<{ id: string; snap: Snapshot | undefined }>();
  private readonly subs: Disposable[] = [this.changed, this.snapshots];
  private disposed = false;

  constructor(private readonly w: SpendWiring) {
    this.subs.push(
      w.onDidChangeSnapshot((id, snap) => {
        // Before the feature is loaded, only a snapshot whose vendor days this window stores needs it.
        if (!this.feature && !(snap?.dailySpend?.length && w.isLeader())) return;
        this.load();
        this.snapshots.fire({ id, snap });
      }),
    );
  }

  /** Whether the feature (and its chunk) has been loaded. */
  get loaded(): boolean {
    return this.feature !== undefined;
  }

  private load(): { feature: SpendFeature; days: SpendDayStore } {
    if (!this.feature || !this.days) {
      const lazy = loadSpend();
      const w = this.w;
      const days = new lazy.SpendDayStore({ folder: path.join(w.storage, 'spend'), log: w.log });
      const feature = new lazy.SpendFeature({
        ...w,
        onDidChangeSnapshot: (listener) => this.snapshots.event((e) => listener(e.id, e.snap)),
        store: days,
        sessionOwner: cachedSessionOwner(w),
      });
      if (this.disposed) feature.dispose();
      else this.subs.push(feature.onDidChange(() => this.changed.fire()), feature);
      this.feature = feature;
      this.days = days;
    }
    return { feature: this.feature, days: this.days };
  }

  /** This month's spend per currency, as of the last summary (empty until the first one). */
  monthToDate(): MonthToDate {
    return this.feature?.monthToDate() ?? [];
  }

  async view(range: SpendRange): Promise<SpendView> {
    return this.load().feature.view(range);
  }

  async csv(range: SpendRange): Promise<string> {
    return this.load().feature.csv(range);
  }

  /** Recomputes this month's summary. */
  refreshSummary(): Promise<void> {
    return this.load().feature.refreshSummary();
  }

  /** Deletes the stored vendor days of a removed account. */
  forget(accountId: string): Promise<void> {
    return this.load().days.forget(accountId);
  }

  /** Resolves when the days of every snapshot seen so far are stored (tests). */
  whenStored(): Promise<void> {
    return this.feature?.whenStored() ?? Promise.resolve();
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.subs.splice(0).reverse()) d.dispose();
  }
}

export function createSpend(w: SpendWiring): { spend: LazySpend; disposable: Disposable } {
  const spend = new LazySpend(w);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void spend.refreshSummary();
    }, SUMMARY_DELAY_MS);
  };
  const subs = w.onDidChange.map((on) => on(soon));
  return {
    spend,
    disposable: {
      dispose: () => {
        if (timer) clearTimeout(timer);
        for (const s of subs) s.dispose();
        spend.dispose();
      },
    },
  };
}
