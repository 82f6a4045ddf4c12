// Gathers the Spend view's sources from what tokstat already has: the accounts' snapshots (vendor daily buckets,
// money meters), the usage history (earlier readings of those meters), the stored vendor days and the agents' usage
// index. No vscode: the host wires it (src/extension.ts) and the dashboard and status bar read it.
import { Emitter, type Disposable } from '../../../core/events';
import type { Logger } from '../../../core/log';
import type { HistoryPoint } from '../../../core/history/types';
import type { AccountEntry } from '../../../core/summary';
import type { Snapshot } from '../../../shared/model';
import {
  agentSeries,
  buildSpendView,
  dailyFromBalance,
  dailyFromBuckets,
  dailyFromCumulative,
  localDay,
  mergeDays,
  monthToDate,
  moneyMeter,
  spendCsv,
  type AgentCostRow,
  type MoneyReading,
  type SessionOwner,
  type SpendRange,
  type SpendSeries,
  type SpendView,
} from './spend';
import type { SpendDayStore } from './store';

export interface SpendFeatureDeps {
  log: Logger;
  entries(): readonly AccountEntry[];
  /** Each new snapshot (the scheduler's): its vendor days are stored by the window that polls. */
  onDidChangeSnapshot(listener: (accountId: string, snap: Snapshot | undefined) => void): Disposable;
  isLeader(): boolean;
  store: SpendDayStore;
  /** A meter's stored readings in [from, to]. */
  history(accountId: string, meterId: string, from: number, to: number): Promise<HistoryPoint[]>;
  /** The agents' usage rows (day, agent, session, cost); empty when local usage is off. */
  agentRows(): readonly AgentCostRow[];
  agentLabels: Readonly<Record<string, string>>;
  /** Which account a session belongs to, by the home its log is under. */
  sessionOwner?: SessionOwner;
  now(): number;
}

const DAY = 86_400_000;
/** The longest range (12 months) and a margin for the first month's start. */
const LOOKBACK_MS = 372 * DAY;

export type MonthToDate = ReturnType<typeof monthToDate>;

export class SpendFeature implements Disposable {
  private readonly changed = new Emitter<void>();
  /** Fires when this month's summary changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: Disposable[] = [this.changed];
  private month: MonthToDate = [];
  private summaryRun: Promise<void> | undefined;
  private summaryAgain = false;
  private disposed = false;
  /** The vendor days being stored, in order. */
  private stored: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SpendFeatureDeps) {
    this.disposables.push(
      deps.onDidChangeSnapshot((id, snap) => {
        if (!snap?.dailySpend?.length || !deps.isLeader()) return;
        const days = snap.dailySpend;
        this.stored = this.stored
          .then(() => deps.store.record(id, days))
          .catch((err: unknown) => deps.log.warn(`[spend] could not save daily costs: ${err instanceof Error ? err.message : String(err)}`));
      }),
    );
  }

  /** Every source of money, from `from` on. */
  async series(from: number): Promise<SpendSeries[]> {
    const { deps } = this;
    await deps.store.load();
    const now = deps.now();
    const out: SpendSeries[] = [];
    for (const e of deps.entries()) {
      const snap = e.snapshot;
      const base = { id: e.account.id, label: e.account.name, provider: e.providerName };
      const vendor = dailyFromBuckets(mergeDays(deps.store.get(e.account.id), snap?.dailySpend ?? []));
      if (vendor) {
        out.push({ ...base, kind: 'vendor', ...vendor });
        continue;
      }
      const money = moneyMeter(snap?.meters ?? []);
      if (!money) continue;
      const value = (p: { used?: number; remaining?: number }) => (money.kind === 'burn' ? p.remaining : p.used);
      let points: HistoryPoint[] = [];
      try {
        points = await deps.history(e.account.id, money.meter.id, from, now);
      } catch (err) {
        deps.log.warn(`[spend] could not read the history of ${e.account.id}/${money.meter.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const readings: MoneyReading[] = points.flatMap((p) => {
        const v = value(p);
        return v === undefined ? [] : [{ t: p.t, v }];
      });
      // The current reading, when newer than the last stored one (the store writes unchanged values only hourly).
      const cur = value(money.meter);
      if (cur !== undefined && snap?.status === 'ok' && (readings.length === 0 || money.meter.capturedAt > readings[readings.length - 1]!.t)) {
        readings.push({ t: money.meter.capturedAt, v: cur });
      }
      const daily = money.kind === 'burn' ? dailyFromBalance(readings) : dailyFromCumulative(readings, money.windowed);
      if (daily) out.push({ ...base, kind: money.kind, currency: money.meter.unit.trim().toUpperCase(), ...daily });
    }
    const fromDay = localDay(from);
    const rows = deps.agentRows().filter((r) => r.day >= fromDay);
    out.push(...agentSeries(rows, deps.agentLabels, localDay(now), deps.sessionOwner));
    return out;
  }

  /** Resolves when the days of every snapshot seen so far are stored (for tests and an orderly shutdown). */
  whenStored(): Promise<void> {
    return this.stored;
  }

  async view(range: SpendRange): Promise<SpendView> {
    const now = this.deps.now();
    const from = range === '7d' ? now - 8 * DAY : range === '30d' ? now - 31 * DAY : now - LOOKBACK_MS;
    return buildSpendView(await this.series(from), range, now);
  }

  async csv(range: SpendRange): Promise<string> {
    return spendCsv(await this.view(range));
  }

  /** This month's spend per currency, as of the last summary (empty until the first one, or when nothing is known). */
  monthToDate(): MonthToDate {
    return this.month;
  }

  /** Recomputes this month's summary (folded: a call while one runs runs once more after it). */
  refreshSummary(): Promise<void> {
    if (this.summaryRun) {
      this.summaryAgain = true;
      return this.summaryRun;
    }
    this.summaryRun = (async () => {
      do {
        this.summaryAgain = false;
        const now = this.deps.now();
        const d = new Date(now);
        const monthStart = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
        const next = monthToDate(await this.series(monthStart), localDay(now));
        if (this.disposed) return;
        if (JSON.stringify(next) !== JSON.stringify(this.month)) {
          this.month = next;
          this.changed.fire();
        }
      } while (this.summaryAgain && !this.disposed);
    })()
      .catch((err: unknown) => this.deps.log.warn(`[spend] could not sum this month: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.summaryRun = undefined;
      });
    return this.summaryRun;
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }
}
