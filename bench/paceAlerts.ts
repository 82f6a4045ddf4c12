// Pace engine and alert engine cost per poll cycle: 50 accounts × 4 meters, each pace computed over the last
// 30 days of 10-minute readings (4,320 points), then one alert batch over all 50 snapshots.
// Called from bench/run.ts as `await benchPaceAlerts(report)`.
import { performance } from 'node:perf_hooks';
import type { PacePoint } from '../src/core/forecast/pace';
import { computePace } from '../src/core/forecast/paceSummary';
import type { PaceSummary } from '../src/shared/pace';
import { decideAlerts } from '../src/core/alerts/engine';
import { DEFAULT_ALERT_OPTIONS, emptyAlertState, type AlertObservation } from '../src/core/alerts/types';
import { makeMeter } from '../src/shared/model';

export type Report = (name: string, value: number, unit: string, goal?: number) => void;

const MIN = 60_000;
const DAY = 1440 * MIN;
const NOW = Date.UTC(2026, 0, 30, 12);
const RESET = Date.UTC(2026, 1, 1);
const ACCOUNTS = 50;
const METERS = 4;
const RUNS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function history(seed: number): PacePoint[] {
  const pts: PacePoint[] = [];
  let used = 0;
  for (let t = NOW - 30 * DAY; t < NOW; t += 10 * MIN) {
    used += ((seed * 9301 + t / MIN) % 7) / 10;
    pts.push({ t, used, limit: 3000, resetsAt: RESET });
  }
  return pts;
}

export async function benchPaceAlerts(report: Report): Promise<void> {
  const histories = Array.from({ length: ACCOUNTS * METERS }, (_, i) => history(i));
  const cycle = (): { paceMs: number; alertMs: number; notes: number } => {
    const t0 = performance.now();
    const observations: AlertObservation[] = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      const meters = [];
      const paces: Record<string, PaceSummary> = {};
      for (let m = 0; m < METERS; m++) {
        const h = histories[a * METERS + m]!;
        const last = h[h.length - 1]!;
        const meter = makeMeter({ id: `m${m}`, label: `Meter ${m}`, kind: 'quota', unit: 'requests', source: 'official', capturedAt: NOW, used: last.used!, limit: 3000, resetsAt: RESET });
        paces[meter.id] = computePace(h, meter, NOW, { period: 'month' });
        meters.push(meter);
      }
      observations.push({ accountId: `acct${a}`, accountName: `account ${a}`, snapshot: { accountId: `acct${a}`, takenAt: NOW, status: 'ok', meters }, paces });
    }
    const t1 = performance.now();
    const { notifications } = decideAlerts(emptyAlertState(), observations, DEFAULT_ALERT_OPTIONS, NOW);
    return { paceMs: t1 - t0, alertMs: performance.now() - t1, notes: notifications.length };
  };
  cycle();
  const runs = Array.from({ length: RUNS }, cycle);
  const pace = median(runs.map((r) => r.paceMs));
  report(`pace: ${ACCOUNTS * METERS} meters × 4,320 points`, pace, 'ms');
  report('pace: per meter', pace / (ACCOUNTS * METERS), 'ms');
  report(`alerts: one batch of ${ACCOUNTS} accounts (${runs[0]!.notes} notification(s) after folding)`, median(runs.map((r) => r.alertMs)), 'ms');
}

if (require.main === module) {
  void benchPaceAlerts((name, value, unit) => console.log(`bench ${name}: ${value.toFixed(3)} ${unit}`));
}
