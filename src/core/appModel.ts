// The one model the UI consumes: accounts joined with their latest snapshot, loading flag and schedule.
// Status bar, tree and dashboard all read `entries()` and listen to `onDidChange`.
import { DisposableStore, Emitter, type Disposable, type Event } from './events';
import type { Account, Snapshot } from '../shared/model';
import { getProvider } from './providers/registry';
import type { AccountEntry } from './summary';
import type { PaceSummary } from '../shared/pace';
import type { ProviderIncident } from '../shared/incidents';

export interface SnapshotSource {
  getSnapshot(accountId: string): Snapshot | undefined;
  isLoading(accountId: string): boolean;
  nextPollAt(accountId: string): number | undefined;
  onDidChange(listener: (accountId: string, snapshot: Snapshot | undefined) => void): Disposable;
  onDidChangeLoading(listener: (accountId: string, loading: boolean) => void): Disposable;
}

export interface PaceSource {
  pacesFor(accountId: string): Record<string, PaceSummary> | undefined;
  onDidChangePace: Event<string>;
}

export interface IncidentSource {
  incidentFor(providerId: string): ProviderIncident | undefined;
  onDidChange: Event<void>;
}

export interface AccountSource {
  list(): readonly Account[];
  onDidChange: Event<void>;
}

export class AppModel implements Disposable {
  private readonly changed = new Emitter<string | undefined>();
  /** Fires with an account id when only that account changed, or undefined when the account list changed. */
  readonly onDidChange = this.changed.event;
  private readonly store = new DisposableStore();

  constructor(
    private readonly accounts: AccountSource,
    private readonly snapshots: SnapshotSource,
    private readonly intervalMs: (account: Account) => number,
    private readonly paces?: PaceSource,
    private readonly incidents?: IncidentSource,
  ) {
    this.store.add(this.changed);
    this.store.add(accounts.onDidChange(() => this.changed.fire(undefined)));
    this.store.add(snapshots.onDidChange((id) => this.changed.fire(id)));
    this.store.add(snapshots.onDidChangeLoading((id) => this.changed.fire(id)));
    if (paces) this.store.add(paces.onDidChangePace((id) => this.changed.fire(id)));
    if (incidents) this.store.add(incidents.onDidChange(() => accounts.list().forEach((a) => this.changed.fire(a.id))));
  }

  entries(): AccountEntry[] {
    return this.accounts.list().map((a) => this.toEntry(a));
  }

  entry(accountId: string): AccountEntry | undefined {
    const a = this.accounts.list().find((x) => x.id === accountId);
    return a ? this.toEntry(a) : undefined;
  }

  private toEntry(account: Account): AccountEntry {
    const p = getProvider(account.providerId);
    const snapshot = this.snapshots.getSnapshot(account.id);
    const next = this.snapshots.nextPollAt(account.id);
    const pace = this.paces?.pacesFor(account.id);
    const incident = this.incidents?.incidentFor(account.providerId);
    return {
      account,
      providerName: p?.displayName ?? account.providerId,
      icon: p?.icon ?? 'question',
      ...(snapshot ? { snapshot } : {}),
      loading: this.snapshots.isLoading(account.id),
      ...(next !== undefined ? { nextPollAt: next } : {}),
      intervalMs: this.intervalMs(account),
      ...(pace ? { pace } : {}),
      ...(incident ? { incident } : {}),
    };
  }

  dispose(): void {
    this.store.dispose();
  }
}
