import type { AppModel } from '../../core/appModel';
import type { Thresholds } from '../../shared/format';
import type { DashboardState } from '../../shared/protocol';
import { mainMeter } from '../../core/summary';
import { resolvePins } from '../../core/pins';
import type { Snapshot } from '../../shared/model';

/** Projects the one model onto what the webview needs. Secrets never reach it: accounts carry no credentials. */
export function buildDashboardState(model: AppModel, thresholds: Thresholds, pins: readonly string[] = []): DashboardState {
  const entries = model.entries();
  // The pinned meters as `<accountId> NUL <meterId>`, for the cards' Pin / Unpin buttons.
  const pinned = resolvePins(entries, pins).flatMap((p) => (p.pick?.meter ? [`${p.pick.entry.account.id}\u0000${p.pick.meter.id}`] : []));
  return {
    accounts: entries.map((e) => {
      const main = mainMeter(e.snapshot);
      return {
        id: e.account.id,
        name: e.account.name,
        providerId: e.account.providerId,
        providerName: e.providerName,
        icon: e.icon,
        authKind: e.account.authKind,
        // The vendor's daily costs are for the Spend view, which the host builds: the cards do not need them.
        ...(e.snapshot ? { snapshot: withoutDailySpend(e.snapshot) } : {}),
        loading: e.loading,
        ...(e.nextPollAt !== undefined ? { nextPollAt: e.nextPollAt } : {}),
        ...(e.pace ? { pace: e.pace } : {}),
        ...(main ? { mainMeterId: main.id } : {}),
      };
    }),
    thresholds,
    now: Date.now(),
    ...(pinned.length ? { pinned } : {}),
  };
}

function withoutDailySpend(s: Snapshot): Snapshot {
  if (!s.dailySpend) return s;
  const { dailySpend: _days, ...rest } = s;
  return rest;
}
