// What `tokstat mcp` answers from: the files tokstat for VS Code stored (snapshots, account names, meter history for
// the pace, the usage index), read-only. Never polls a provider, never reads the agents' logs or any secret.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { AnswerAccount } from '../core/agentAnswers';
import { windowHint, type PacePoint } from '../core/forecast/pace';
import { computePace } from '../core/forecast/paceSummary';
import { HistoryStore } from '../core/history/store';
import { nullLogger } from '../core/log';
import type { Snapshot } from '../shared/model';
import type { PaceSummary } from '../shared/pace';
import { getProvider } from '../core/providers/registry';
import { UsageIndex } from '../core/usage/usageIndex';
import type { UsageRow } from '../core/usage/types';
import { readStoredAccounts } from './snapshots';

export interface StoredData {
  /** The storage folder, or undefined when none was found. */
  storage: string | undefined;
  /** Why there are no accounts (no storage, no snapshots yet), when there are none. */
  problem?: string;
  accounts: AnswerAccount[];
}

export class StoredAgentData {
  private readonly history: HistoryStore | undefined;
  private usage: { stamp: string; rows: UsageRow[] | undefined } | undefined;

  constructor(
    readonly storage: string | undefined,
    private readonly now: () => number,
    private readonly tried: readonly string[] = [],
  ) {
    if (storage) {
      // A reader only: never the writer, no compaction, no lease.
      this.history = new HistoryStore({ folder: path.join(storage, 'history'), log: nullLogger, isWriter: () => false, compactEveryMs: 0 });
    }
  }

  /** The stored accounts with the pace of each meter (from the stored history), re-read on every call. */
  async accounts(): Promise<StoredData> {
    if (!this.storage) return { storage: undefined, problem: `no tokstat storage folder found (looked in ${this.tried.join(', ')}); is the extension installed? Use --storage DIR.`, accounts: [] };
    const read = await readStoredAccounts(this.storage);
    if ('error' in read) return { storage: this.storage, problem: read.error, accounts: [] };
    const accounts: AnswerAccount[] = [];
    for (const e of read.entries) {
      const providerId = e.providerId ?? '';
      const pace = await this.paces(e.accountId, providerId, e.snapshot);
      accounts.push({
        accountId: e.accountId,
        name: e.name ?? e.accountId,
        providerId,
        providerName: getProvider(providerId)?.displayName ?? (providerId || 'unknown provider'),
        snapshot: e.snapshot,
        ...(pace ? { pace } : {}),
      });
    }
    return { storage: this.storage, ...(accounts.length ? {} : { problem: `no stored snapshots in ${read.folder} yet.` }), accounts };
  }

  /** Each meter's pace from its stored history (the last 32 days, as the extension computes it). */
  private async paces(accountId: string, providerId: string, snapshot: Snapshot): Promise<Record<string, PaceSummary> | undefined> {
    if (!this.history || snapshot.meters.length === 0) return undefined;
    const now = this.now();
    const out: Record<string, PaceSummary> = {};
    for (const m of snapshot.meters) {
      try {
        const points = await this.history.query(accountId, m.id, now - 32 * 86_400_000, now, 600);
        out[m.id] = computePace(points as PacePoint[], m, now, windowHint(providerId, m));
      } catch {
        /* no pace for this meter */
      }
    }
    return out;
  }

  /** The rows of the extension's usage index (read-only, reloaded when its files change); undefined: no index. */
  async usageRows(): Promise<UsageRow[] | undefined> {
    if (!this.storage) return undefined;
    const folder = path.join(this.storage, 'usage');
    const stamps = await Promise.all(
      ['usage-index.json', 'usage-index.journal'].map((f) => fsp.stat(path.join(folder, f)).then((s) => `${s.size}:${s.mtimeMs}`, () => '-')),
    );
    const stamp = stamps.join('|');
    if (this.usage?.stamp === stamp) return this.usage.rows;
    let rows: UsageRow[] | undefined;
    if (stamps[0] !== '-') {
      const index = new UsageIndex({ folder });
      await index.load();
      rows = index.rebuildReason ? undefined : index.rows();
    }
    this.usage = { stamp, rows };
    return rows;
  }

  dispose(): void {
    this.history?.dispose();
  }
}
