import type { AppModel } from '../../core/appModel';
import type { Thresholds } from '../../shared/format';
import type { DashboardState } from '../../shared/protocol';
import { mainMeter } from '../../core/summary';
import { breakdownPace } from '../../core/forecast/breakdownPace';
import { headroomOverview } from '../../core/headroom';

/** Projects the one model onto what the webview needs. Secrets never reach it: accounts carry no credentials. */
export function buildDashboardState(model: AppModel, thresholds: Thresholds, now = Date.now()): DashboardState {
  const entries = model.entries();
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
        ...(e.snapshot ? { snapshot: e.snapshot } : {}),
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
    ...(headroom.length ? { headroom } : {}),
  };
}
