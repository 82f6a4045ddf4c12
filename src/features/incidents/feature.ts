// Provider incidents in the extension: the leader reads the public status pages of the providers the user has
// accounts with (src/core/incidents), the other windows read what it wrote. The poller and the page readers load from
// the lazy `incidents` chunk with the first `sync` that needs them (incidents on and at least one account), never at
// activation. Until then no page is wanted, so nothing is shown, as the poller itself would show nothing.
import { Emitter, type Disposable, type Event } from '../../core/events';
import type { IncidentSource } from '../../core/appModel';
import type { IncidentPoller, IncidentPollerDeps } from '../../core/incidents/poller';
import type { ProviderIncident } from '../../shared/incidents';
import { loadIncidents } from '../chunks';

/** The poller's own default: start-up stays free of network calls for this long. */
const START_DELAY_MS = 15_000;

export interface IncidentsFeatureDeps extends Omit<IncidentPollerDeps, 'store'> {
  /** Where the pages' shared state lives (one file per page). */
  folder: string;
}

export class IncidentsFeature implements IncidentSource, Disposable {
  private poller: IncidentPoller | undefined;
  private readonly changed = new Emitter<void>();
  /** Fires when what `incidentFor` answers may have changed. */
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly subs: Disposable[] = [this.changed];
  /** The start delay counts from activation, not from the chunk's load. */
  private readonly notBefore: number;
  private disposed = false;

  constructor(private readonly deps: IncidentsFeatureDeps) {
    this.notBefore = deps.clock.now() + (deps.startDelayMs ?? START_DELAY_MS);
  }

  /** Whether the poller (and its chunk) has been loaded. */
  get loaded(): boolean {
    return this.poller !== undefined;
  }

  /** The accounts or the settings changed: follow the pages they need; the first time they need any, load the poller. */
  sync(): void {
    if (this.disposed) return;
    if (!this.poller) {
      if (!this.deps.enabled() || this.deps.providers().length === 0) return;
      const { IncidentPoller } = loadIncidents();
      const { folder, ...deps } = this.deps;
      this.poller = IncidentPoller.open(folder, { ...deps, startDelayMs: Math.max(0, this.notBefore - deps.clock.now()) });
      this.subs.push(this.poller, this.poller.onDidChange(() => this.changed.fire()));
    }
    this.poller.sync();
  }

  incidentFor(providerId: string): ProviderIncident | undefined {
    return this.poller?.incidentFor(providerId);
  }

  /** Resolves when no read, poll or write is pending (tests, shutdown). */
  whenIdle(): Promise<void> {
    return this.poller?.whenIdle() ?? Promise.resolve();
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.subs.splice(0)) s.dispose();
  }
}
