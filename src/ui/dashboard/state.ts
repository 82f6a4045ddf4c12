import type { AppModel } from '../../core/appModel';
import type { Thresholds } from '../../shared/format';
import type { DashboardState } from '../../shared/protocol';
import { mainMeter } from '../../core/summary';
import { resolvePins } from '../../core/pins';
import type { Snapshot } from '../../shared/model';
import { breakdownPace } from '../../core/forecast/breakdownPace';
import { headroomOverview } from '../../core/headroom';

/**
 * Projects the one model onto what the webview needs. Secrets never reach it: accounts carry no credentials. `pins`
 * are `tokstat.statusBar.pins` (the cards' Pin / Unpin buttons).
 */
export function buildDashboardState(model: AppModel, thresholds: Thresholds, now = Date.now(), pins: readonly string[] = []): DashboardState {
  const entries = model.entries();
  // The pinned meters as `<accountId> NUL <meterId>`, for the cards' Pin / Unpin buttons.
  const pinned = resolvePins(entries, pins).flatMap((p) => (p.pick?.meter ? [`${p.pick.entry.account.id}\u0000${p.pick.meter.id}`] : []));
  const headroom = headroomOverview(
    entries.map((e) => ({ accountId: e.account.id, name: e.account.name, providerId: e.account.providerId, ...(e.snapshot ? { snapshot: e.snapshot } : {}), ...(e.pace ? { pace: e.pace } : {}) })),
    now,
  ).map((a) => ({ kind: a.kind, label: a.label, verdict: a.best?.verdict ?? 'unknown', ...(a.best ? { accountId: a.best.accountId } : {}), reason: a.reason }));
  return {
    accounts: entries.map((e) => {
      const main = mainMeter(e.snapshot);
      const pace = breakdownPace(e.snapshot?.breakdown, now);
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
        ...(e.incident ? { incident: e.incident } : {}),
        ...(pace ? { breakdownPace: pace } : {}),
      };
    }),
    thresholds,
    now,
    ...(pinned.length ? { pinned } : {}),
    ...(headroom.length ? { headroom } : {}),
  };
}

function withoutDailySpend(s: Snapshot): Snapshot {
  if (!s.dailySpend) return s;
  const { dailySpend: _days, ...rest } = s;
  return rest;
}
