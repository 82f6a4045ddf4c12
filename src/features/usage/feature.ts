// Local agent usage (Claude Code, Codex CLI, Gemini CLI, opencode logs), pricing and the records other extensions
// send through the API — started after activation from the `usage` chunk.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Emitter } from '../../core/events';
import type { HttpClient } from '../../core/http';
import { loadUsage } from '../chunks';
import type { Logger } from '../../core/log';
import type { ApiUsageLog } from '../../core/usage/ingestStore';
import type { PricingService } from '../../core/usage/pricingStore';
import type { UsageTotals } from '../../core/usage/query';
import type { FirstScanProgress, UsageScanner } from '../../core/usage/scanner';
import type { AgentId } from '../../core/usage/types';
import { detectAgents, type UsageViewSource } from '../../core/usage/viewModel';
import { latestActivity } from '../../core/scheduler/adaptive';

export interface UsageSettings {
  enabled(): boolean;
  claudeConfigDirs(): string[];
  codexHomes(): string[];
  geminiDirs(): string[];
  opencodeDirs(): string[];
  copilotHomes(): string[];
  pricingOffline(): boolean;
  pricingUrl(): string | undefined;
  pricingOverrides(): unknown;
}

export interface UsageFeatureDeps {
  storage: string;
  extensionPath: string;
  log: Logger;
  http: HttpClient;
  apiLog: ApiUsageLog;
  settings: UsageSettings;
  /** The window that polls also writes the usage index; the others read it. */
  isLeader(): boolean;
}

export class UsageFeature implements vscode.Disposable {
  scanner: UsageScanner | undefined;
  pricing: PricingService | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** What a start created (scanner, prices, listeners): released by stop() when local usage is turned off. */
  private running: vscode.Disposable[] = [];
  /** Bumped by every start() and stop(), so a start that finishes after a stop (or a newer start) undoes itself. */
  private epoch = 0;
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly activity = new Emitter<{ agent: AgentId; at: number }>();
  /** An agent logged requests newer than any seen before (after each scan that counted something): it is working. */
  readonly onDidSeeActivity = this.activity.event;
  private readonly lastSeen = new Map<AgentId, number>();
  private disposed = false;

  constructor(private readonly deps: UsageFeatureDeps) {
    this.disposables.push(this.changed, this.activity);
  }

  private noteScan(scanner: UsageScanner): void {
    for (const [agent, at] of latestActivity(scanner.index.hours())) {
      if (at <= (this.lastSeen.get(agent) ?? -Infinity)) continue;
      this.lastSeen.set(agent, at);
      this.activity.fire({ agent, at });
    }
  }

  /** What the "Local agents" view reads: empty until the scanner has started (or when local usage is off). */
  readonly viewSource: UsageViewSource = ((feature: UsageFeature): UsageViewSource => ({
    index: {
      rows: () => feature.scanner?.index.rows() ?? [],
      hours: () => feature.scanner?.index.hours() ?? [],
      get generation(): number | undefined {
        return feature.scanner?.index.generation;
      },
    },
    planWindows: () => feature.scanner?.planWindows() ?? [],
    onDidChange: feature.onDidChange,
    scanProgress: () => feature.firstScan,
  }))(this);

  /** The log files read so far (their last known paths): which home a session is under (spend attribution). */
  logFiles(): string[] {
    const cursors = this.scanner?.index.cursors();
    return cursors ? Object.values(cursors).map((c) => c.path) : [];
  }

  /** The first read of the logs while it runs (figures fill in as they are read). */
  firstScan: FirstScanProgress | undefined;

  /**
   * Shows the first read of the logs where its figures will appear: the tree's "Local agents" row and the dashboard
   * say "reading 1,240 of 3,012 log files" (from the view), and the tokstat view shows VS Code's progress bar.
   */
  private onProgress(p: FirstScanProgress): void {
    const running = p.total > 0 && p.done < p.total;
    this.firstScan = running ? p : undefined;
    if (running && !this.progressBar) {
      let finish!: () => void;
      const done = new Promise<void>((r) => (finish = r));
      this.progressBar = finish;
      void vscode.window.withProgress({ location: { viewId: 'tokstat.accounts' } }, () => done);
      this.deps.log.info(`[usage] ${p.rebuild ? 'rebuilding the usage index from' : 'reading'} ${p.total} log file(s) for the first time`);
    } else if (!running && this.progressBar) {
      this.progressBar();
      this.progressBar = undefined;
    }
    this.changed.fire();
  }

  private progressBar: (() => void) | undefined;

  /** Agents whose log folders exist on this machine (the folders the scanner resolved from settings and env). */
  foundAgents(exists: (p: string) => boolean): AgentId[] {
    const s = this.scanner;
    return s ? detectAgents(s.resolvedSources, exists) : [];
  }

  /**
   * Follows `tokstat.localUsage.enabled` while VS Code runs: turned off, the scanner stops reading the agents' logs
   * and the views hide the local usage; turned on, it starts (the aggregates kept on disk come back with it).
   */
  async applyEnabled(): Promise<void> {
    // `scanner` is set in start()'s first, synchronous part, so it also stands for a start still in progress.
    const on = this.deps.settings.enabled();
    if (on && !this.scanner) await this.start();
    else if (!on && this.scanner) this.stop();
  }

  /** The agents' folders changed (`tokstat.localUsage.*Dirs`): a running scanner starts again on the new ones. */
  async applyFolders(): Promise<void> {
    if (!this.scanner) return;
    this.stop('[usage] the agents\' folders changed: reading them again');
    await this.start();
  }

  /** Stops reading the logs and forgets what is in memory (the persisted aggregates stay on disk). */
  private stop(why = '[usage] local agent usage turned off: the logs are no longer read'): void {
    this.epoch++;
    const running = this.running;
    this.running = [];
    this.scanner = undefined;
    this.pricing = undefined;
    for (const d of running.reverse()) d.dispose();
    this.deps.log.info(why);
    this.changed.fire();
  }

  async start(): Promise<void> {
    const { deps } = this;
    if (!deps.settings.enabled()) {
      deps.log.info('[usage] local agent usage is turned off (tokstat.localUsage.enabled)');
      return;
    }
    const epoch = ++this.epoch;
    /** False once a stop(), a newer start() or dispose() has overtaken this start: it then adds nothing more. */
    const live = () => !this.disposed && epoch === this.epoch;
    const m = loadUsage();
    const pricing = new m.PricingService({
      cacheFile: path.join(deps.storage, 'pricing', 'litellm.json'),
      ...(deps.settings.pricingUrl() ? { url: deps.settings.pricingUrl()! } : {}),
      offline: deps.settings.pricingOffline(),
      overrides: deps.settings.pricingOverrides(),
      log: deps.log,
      fetchText: async (url, { signal, maxBytes }) => {
        const r = await deps.http.request({ url, signal, timeoutMs: 30_000, maxBodyBytes: maxBytes, headers: { accept: 'application/json' } });
        return { status: r.status, text: r.text };
      },
    });
    const dist = path.join(deps.extensionPath, 'dist');
    const scanner = new m.UsageScanner({
      storageFolder: path.join(deps.storage, 'usage'),
      sources: {
        claudeConfigDirs: deps.settings.claudeConfigDirs(),
        codexHomes: deps.settings.codexHomes(),
        geminiDirs: deps.settings.geminiDirs(),
        opencodeDirs: deps.settings.opencodeDirs(),
        copilotHomes: deps.settings.copilotHomes(),
      },
      log: deps.log,
      price: (r) => pricing.book.priceFn(r),
      canPersist: () => deps.isLeader(),
      workerPath: path.join(dist, 'usageWorker.js'),
      sqlWasmPath: path.join(dist, 'sql-wasm.wasm'),
    });
    if (this.disposed) {
      pricing.dispose();
      scanner.dispose();
      return;
    }
    this.pricing = pricing;
    this.scanner = scanner;
    const running = this.running;
    running.push(pricing, scanner, scanner.onDidChange(() => {
      this.noteScan(scanner);
      this.changed.fire();
    }), scanner.onDidProgress((p) => this.onProgress(p)));
    running.push({
      dispose: () => {
        this.firstScan = undefined;
        this.progressBar?.();
        this.progressBar = undefined;
      },
    });
    running.push(pricing.onDidChange(() => scanner.index.setPrice((r) => pricing.book.priceFn(r))));
    await pricing.init();
    // Turned off (or disposed) while starting: stop() already released what was pushed; nothing more is added.
    if (!live()) return;
    pricing.startAutoRefresh();
    await scanner.start();
    if (!live()) return;
    // Operations other extensions recorded through the API: on disk since the last start, then as they arrive.
    const key = (r: unknown) => `api:${JSON.stringify(r)}`;
    const past = await m.readApiUsage(path.join(deps.storage, 'usage-api'), {}, deps.log);
    if (past.length) scanner.index.addRecords(past.map((record) => ({ record, key: key(record) })));
    if (!live()) return;
    running.push(
      deps.apiLog.onDidAppend((records) => {
        scanner.index.addRecords(records.map((record) => ({ record, key: key(record) })));
        this.changed.fire();
      }),
    );
    this.changed.fire();
  }

  /** Today's and this month's totals across agents, for the language-model tool and the status bar. */
  totals(now = Date.now()): { today: UsageTotals; month: UsageTotals } | undefined {
    const scanner = this.scanner;
    if (!scanner) return undefined;
    const m = loadUsage();
    const rows = scanner.index.rows();
    return { today: m.totalOf(rows, m.todayRange(now)), month: m.totalOf(rows, m.monthRange(now)) };
  }

  /** Applies changed settings (prices, folders need a reload of the scanner). */
  onSettingsChanged(): void {
    this.pricing?.setOffline(this.deps.settings.pricingOffline());
    this.pricing?.setOverrides(this.deps.settings.pricingOverrides());
    const url = this.deps.settings.pricingUrl();
    if (url) this.pricing?.setUrl(url);
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.running.reverse()) d.dispose();
    this.running = [];
    for (const d of this.disposables.reverse()) d.dispose();
  }
}
