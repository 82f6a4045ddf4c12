// The "Local agents" view as the UI reads it: `buildUsageView` (view.ts) cached until the index changes, the view
// ages or something outside the index changes, with a change event for the tree, the status bar and the dashboard.

import type { UsageView } from '../../shared/protocol';
import type { Clock } from '../clock';
import { Emitter, type Disposable, type Event } from '../events';
import type { ResolvedSources } from './sources';
import type { AgentId, PlanWindows, UsageRow } from './types';
import type { HourRow } from './usageIndex';
import { buildUsageView } from './view';

/** Agents whose log folders exist, from the resolved sources and an existence check (injected: no fs here). */
export function detectAgents(sources: ResolvedSources, exists: (p: string) => boolean): AgentId[] {
  const out: AgentId[] = [];
  if (sources.claude.some(exists)) out.push('claude-code');
  if (sources.codex.some(exists)) out.push('codex');
  if (sources.gemini.some(exists)) out.push('gemini-cli');
  if (sources.opencode.some(exists)) out.push('opencode');
  if ((sources.copilot ?? []).some(exists)) out.push('copilot-cli');
  return out;
}

export interface UsageViewSource {
  index: { rows(): readonly UsageRow[]; hours(): readonly HourRow[]; readonly generation?: number };
  planWindows(): PlanWindows[];
  onDidChange: Event<unknown>;
  /** The first read of the logs while it runs; undefined otherwise. */
  scanProgress?(): { done: number; total: number; rebuild: boolean } | undefined;
}

export interface UsageViewModelOptions {
  source: UsageViewSource;
  clock: Clock;
  workspaceFolders?: () => string[];
  foundAgents?: () => AgentId[];
  days?: () => number;
  /** A cached view older than this is rebuilt on the next `view()` (block progress, "today" rolling over). Default 60 s. */
  maxAgeMs?: number;
  dayOf?: (ts: number) => string;
}

/**
 * Caches `buildUsageView` for the tree, the status bar and the dashboard (each reads `view()` on every repaint): the
 * view is rebuilt only when the index changed, `invalidate()` was called (workspace folders, settings) or it is older
 * than `maxAgeMs`. `onDidChange` fires after the scanner reports a change and after `invalidate()`.
 */
export class UsageViewModel implements Disposable {
  private cached: UsageView | undefined;
  private cachedGeneration: number | undefined;
  private stale = true;
  private readonly emitter = new Emitter<void>();
  readonly onDidChange: Event<void> = this.emitter.event;
  private readonly sub: Disposable;

  constructor(private readonly opts: UsageViewModelOptions) {
    this.sub = opts.source.onDidChange(() => {
      this.stale = true;
      this.emitter.fire();
    });
  }

  view(): UsageView {
    const now = this.opts.clock.now();
    const gen = this.opts.source.index.generation;
    if (
      !this.cached ||
      this.stale ||
      gen !== this.cachedGeneration ||
      now - this.cached.generatedAt >= (this.opts.maxAgeMs ?? 60_000) ||
      now < this.cached.generatedAt
    ) {
      this.cached = buildUsageView({
        rows: this.opts.source.index.rows(),
        hours: this.opts.source.index.hours(),
        planWindows: this.opts.source.planWindows(),
        now,
        workspaceFolders: this.opts.workspaceFolders?.() ?? [],
        foundAgents: this.opts.foundAgents?.() ?? [],
        ...(this.opts.days ? { days: this.opts.days() } : {}),
        ...(this.opts.dayOf ? { dayOf: this.opts.dayOf } : {}),
        ...(this.opts.source.scanProgress?.() ? { scan: this.opts.source.scanProgress()! } : {}),
      });
      this.cachedGeneration = gen;
      this.stale = false;
    }
    return this.cached;
  }

  /** Something outside the index changed (workspace folders, found agents, settings): rebuild and notify. */
  invalidate(): void {
    this.stale = true;
    this.emitter.fire();
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
