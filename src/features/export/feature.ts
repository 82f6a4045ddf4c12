// Team export in the extension (#23): off by default; when `tokstat.export.enabled` is on, the leader window exports
// this machine's quota snapshots and local agent usage every interval to an OTLP endpoint or a Pushgateway. The
// OpenTelemetry SDK loads with the first export or preview (the lazy `export` chunk), never at activation. Headers
// (a collector token) live in SecretStorage. Turning export off, or "Stop Exporting", deletes this machine's
// Pushgateway group. The runner's state ("export failing since …") is shown in the accounts tree.
import type { Logger } from '../../core/log';
import type { HttpClient } from '../../core/http';
import type { SecretStore } from '../../core/accountRepository';
import { Emitter, type Disposable } from '../../core/events';
import { systemClock, type Clock } from '../../core/clock';
import { instanceId, resolveExport, type ExportSettings, type ResolvedExport } from '../../core/export/config';
import { buildFamilies, type ExportInput, type MetricFamily } from '../../core/export/metrics';
import type { ExportRunner, ExportState } from '../../core/export/runner';
import type { ExportPreview } from '../../core/export/targets';
import { redact } from '../../core/redact';
import * as path from 'node:path';
import { loadExport } from '../chunks';

export const EXPORT_HEADERS_SECRET = 'tokstat.export.headers';

export interface ExportFeatureDeps {
  storage: string;
  log: Logger;
  http: HttpClient;
  secrets: SecretStore;
  env: Record<string, string | undefined>;
  version: string;
  isLeader(): boolean;
  /** Default: the system clock (tests pass a fake one). */
  clock?: Clock;
  settings(): ExportSettings & { enabled: boolean };
  /** What this machine holds now: accounts with their latest snapshot, local usage rows. */
  source(): Pick<ExportInput, 'accounts' | 'usageRows'>;
}

export class ExportFeature implements Disposable {
  private runner: ExportRunner | undefined;
  private running: ResolvedExport | undefined;
  private signature = '';
  private applying: Promise<void> = Promise.resolve();
  private readonly changed = new Emitter<void>();
  /** Fires when the export's visible state changes (started, stopped, failing, recovered). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: Disposable[] = [this.changed];

  constructor(private readonly deps: ExportFeatureDeps) {
    this.disposables.push(deps.secrets.onDidChange((e) => {
      if (e.key === EXPORT_HEADERS_SECRET) this.apply().catch((err: unknown) => this.fail(err));
    }));
  }

  /** The running export's state; undefined when export is off. */
  state(): ExportState | undefined {
    return this.runner?.state();
  }

  private fail(err: unknown): void {
    this.deps.log.error(`[export] ${redact(err instanceof Error ? err.message : String(err))}`);
  }

  private async resolved(s: ExportSettings): Promise<ResolvedExport> {
    const headers = await this.deps.secrets.get(EXPORT_HEADERS_SECRET);
    const id = await instanceId(path.join(this.deps.storage, 'export'));
    return resolveExport({ ...s, ...(headers ? { headers } : {}) }, this.deps.env, { instanceId: id, version: this.deps.version });
  }

  private families(r: ResolvedExport, dropped: number): MetricFamily[] {
    return buildFamilies({ ...this.deps.source(), salt: r.salt, includeProjects: r.includeProjects, dropped });
  }

  /** Starts, restarts or stops the export to match the settings (serialised: one change at a time). */
  apply(): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow()).catch((err: unknown) => this.fail(err));
    return this.applying;
  }

  private async applyNow(): Promise<void> {
    const s = this.deps.settings();
    if (!s.enabled) {
      if (this.runner) await this.stopRunner(true);
      return;
    }
    const r = await this.resolved(s);
    const signature = JSON.stringify(r);
    if (this.runner && signature === this.signature) return;
    // Moved to another Pushgateway group (user, team) or target: the old group goes, the new one starts.
    if (this.runner) await this.stopRunner(this.running?.target === 'pushgateway' && (this.running.url !== r.url || JSON.stringify(this.running.grouping) !== JSON.stringify(r.grouping)));
    const lazy = loadExport();
    const target = lazy.createTarget(r, this.deps.version);
    const runner = new lazy.ExportRunner({
      target,
      http: this.deps.http,
      clock: this.deps.clock ?? systemClock,
      log: this.deps.log,
      collect: (dropped) => this.families(r, dropped),
      intervalMs: r.intervalMs,
      isLeader: () => this.deps.isLeader(),
    });
    this.runner = runner;
    this.running = r;
    this.signature = signature;
    runner.onDidChangeState(() => this.changed.fire());
    this.deps.log.info(`[export] exporting to ${target.url} (${r.target}${r.target === 'otlp' ? `, ${r.protocol}` : ''}) every ${Math.round(r.intervalMs / 1000)} s from the leader window`);
    runner.start();
    this.changed.fire();
  }

  private async stopRunner(removeRemote: boolean): Promise<void> {
    const runner = this.runner;
    const was = this.running;
    this.runner = undefined;
    this.running = undefined;
    this.signature = '';
    this.changed.fire();
    if (!runner) return;
    // Only the leader deletes: when the setting goes off every window applies it, and one DELETE is enough.
    const remove = removeRemote && was?.target === 'pushgateway' && this.deps.isLeader();
    try {
      await runner.stop(remove);
      if (remove) this.deps.log.info('[export] stopped; this machine\'s Pushgateway group was deleted');
      else this.deps.log.info('[export] stopped');
    } catch (err) {
      this.deps.log.warn(`[export] stopped, but the Pushgateway group could not be deleted: ${redact(err instanceof Error ? err.message : String(err))}`);
    }
  }

  /**
   * "Stop Exporting": stop now and delete this machine's Pushgateway group, whichever window runs the command (a
   * window that stands by holds the same group as the leader; the caller then turns the setting off, and the leader
   * stops too). Rejects when the group could not be deleted, so the command can say so.
   */
  async stop(): Promise<void> {
    await this.applying;
    const s = this.deps.settings();
    const was = this.running;
    await this.stopRunner(false);
    const r = was ?? (s.enabled && s.target === 'pushgateway' ? await this.resolved(s) : undefined);
    if (r?.target !== 'pushgateway') return;
    const target = loadExport().createTarget(r, this.deps.version);
    try {
      await target.remove?.(this.deps.http, (this.deps.clock ?? systemClock).now());
      this.deps.log.info("[export] this machine's Pushgateway group was deleted");
    } finally {
      await target.dispose();
    }
  }

  /** Exactly what the next export would send, whether or not export is on. */
  async preview(): Promise<ExportPreview & { series: number }> {
    const r = await this.resolved(this.deps.settings());
    const target = loadExport().createTarget(r, this.deps.version);
    try {
      const families = this.families(r, this.runner?.state().dropped ?? 0);
      return { ...(await target.preview(families)), series: families.reduce((n, f) => n + f.points.length, 0) };
    } finally {
      await target.dispose();
    }
  }

  /** Resolves when the settings are applied and the export in flight (if any) is over. */
  async whenIdle(): Promise<void> {
    await this.applying;
    await this.runner?.idle();
  }

  async setHeaders(value: string | undefined): Promise<void> {
    if (value) await this.deps.secrets.store(EXPORT_HEADERS_SECRET, value);
    else await this.deps.secrets.delete(EXPORT_HEADERS_SECRET);
    // At once in this window (the change event, which other windows get too, comes later and finds nothing to do).
    await this.apply();
  }

  dispose(): void {
    // Closing the window is not "stop exporting": the group stays, another window or the next start takes over.
    this.runner?.dispose();
    this.runner = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
