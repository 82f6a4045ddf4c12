// Lighter, smarter polling (issue #20 §5), measured side by side:
//   1. API calls per account per hour with adaptive refresh, an agent working vs everything idle, next to the fixed
//      interval; the active figure against the provider's floor (the most it may ever be called).
//   2. Idle CPU of 50 accounts over 10 simulated minutes (fake clock; real shared store, lease and status poller on
//      disk and loopback): CPU time ÷ simulated time, goal ≤ 0.05 % of a core.
//   3. Conditional requests: body bytes and CPU per unchanged poll cycle of 50 accounts with ETag → 304, next to the
//      same cycle without.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock, flushMicrotasks } from '../test/fakes/fakeClock';
import { InMemorySnapshotStore } from '../test/fakes/memoryStores';
import { OpenRouterFake } from '../test/fakes/openRouterFake';
import { StatusPageFake } from '../test/fakes/statusPageFake';
import { orKey } from '../test/builders/openrouter';
import { AdaptivePolling } from '../src/core/scheduler/adaptive';
import { PollScheduler } from '../src/core/scheduler/scheduler';
import { pollFloorMs, pollIntervalMs } from '../src/core/scheduler/pollInterval';
import { FileLease } from '../src/core/state/lease';
import { AlwaysLeader } from '../test/fakes/alwaysLeader';
import { FileJsonStore, FileSnapshotStore } from '../src/core/state/snapshotStore';
import { IncidentPoller, validatePageState, type PageState } from '../src/core/incidents/poller';
import { ConditionalCache } from '../src/core/conditional';
import { createFetcher } from '../src/core/fetcher';
import { UndiciHttpClient } from '../src/core/undiciClient';
import { nullLogger } from '../src/core/log';
import { makeMeter, type Account } from '../src/shared/model';

type Report = (name: string, value: number, unit: string, goal?: number) => void;

const MIN = 60_000;
const HOUR = 60 * MIN;

function fakeFetch(clock: FakeClock, calls: string[]) {
  return async (id: string) => {
    calls.push(id);
    return { meters: [makeMeter({ id: 'm', label: 'M', kind: 'quota', unit: '%', source: 'official', capturedAt: clock.now(), percentUsed: 10 })] };
  };
}

/** Calls in one simulated hour for one Claude-plan account: adaptive (agent working / all idle) and fixed. */
async function callsPerHour(mode: 'active' | 'idle' | 'fixed'): Promise<number> {
  const clock = new FakeClock();
  const adaptive = new AdaptivePolling({ clock, enabled: () => mode !== 'fixed' });
  const calls: string[] = [];
  const normal = pollIntervalMs('claude', undefined);
  const s = new PollScheduler({
    clock,
    log: nullLogger,
    random: () => 0.5,
    fetch: fakeFetch(clock, calls),
    intervalMs: () => adaptive.intervalMs('claude', normal, pollFloorMs('claude')),
    store: new InMemorySnapshotStore(),
    lease: new AlwaysLeader(),
  });
  adaptive.onDidChange(() => s.reschedule());
  const settle = async () => {
    await s.whenIdle();
    await flushMicrotasks();
  };
  s.setAccounts(['c']);
  await settle();
  // Warm-up hour: the agent works throughout (active) or nothing happens (idle, fixed).
  const tick = async () => {
    if (mode === 'active') adaptive.noteActivity('claude-code', clock.now());
    await clock.advanceAsync(MIN, settle);
  };
  for (let i = 0; i < 60; i++) await tick();
  const before = calls.length;
  for (let i = 0; i < 60; i++) await tick();
  const n = calls.length - before;
  s.dispose();
  adaptive.dispose();
  return n;
}

async function idleCpu(report: Report, smoke: boolean): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-bench-idle-'));
  const clock = new FakeClock();
  const page = new StatusPageFake(() => clock.now());
  await page.start();
  const http = new UndiciHttpClient(nullLogger, clock);
  const store = new FileSnapshotStore({ folder: path.join(root, 'snapshots'), log: nullLogger, watch: false, clock });
  const lease = new FileLease({ dir: path.join(root, 'leader.lock'), log: nullLogger, clock });
  const adaptive = new AdaptivePolling({ clock });
  const providers = ['claude', 'codex', 'copilot', 'openrouter', 'anthropic'];
  const list = Array.from({ length: 50 }, (_, i) => ({ id: `a${i}`, providerId: providers[i % providers.length]! }));
  const calls: string[] = [];
  const s = new PollScheduler({
    clock,
    log: nullLogger,
    random: () => 0.5,
    fetch: fakeFetch(clock, calls),
    intervalMs: (id) => {
      const p = list.find((a) => a.id === id)!.providerId;
      return adaptive.intervalMs(p, pollIntervalMs(p, undefined), pollFloorMs(p));
    },
    store,
    lease,
  });
  adaptive.onDidChange(() => s.reschedule());
  const pageStore = new FileJsonStore<PageState>({ folder: path.join(root, 'incidents'), log: nullLogger, watch: false, clock, validate: validatePageState });
  const overrides = { anthropic: page.url + StatusPageFake.SUMMARY, github: page.url + StatusPageFake.SUMMARY, openai: page.url + StatusPageFake.INCIDENT_IO, openrouter: page.url + StatusPageFake.RSS };
  const incidents = new IncidentPoller({
    clock,
    log: nullLogger,
    http,
    store: pageStore,
    isLeader: () => s.isLeader(),
    onDidChangeRole: (l) => s.onDidChangeRole(l),
    enabled: () => true,
    providers: () => list.map((a) => a.providerId),
    overrides: () => overrides,
  });
  const settle = async () => {
    await s.whenIdle();
    await incidents.whenIdle();
    await flushMicrotasks();
  };
  s.setAccounts(list.map((a) => a.id));
  incidents.sync();
  // Everything polled once, then an hour and a bit without any agent: the idle pace.
  await clock.advanceAsync(65 * MIN, settle);
  const simulated = smoke ? 2 * MIN : 10 * MIN;
  const callsBefore = calls.length;
  const pagesBefore = page.requests.length;
  const c0 = process.cpuUsage();
  await clock.advanceAsync(simulated, settle);
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  report(`idle, 50 accounts over ${simulated / MIN} simulated minutes: polls made`, calls.length - callsBefore, 'polls');
  report(`idle, 50 accounts over ${simulated / MIN} simulated minutes: status-page requests`, page.requests.length - pagesBefore, 'requests');
  report('idle, 50 accounts: CPU time in the simulated span (timers, lease, shared store, status pages; includes the fakes)', cpuMs, 'ms');
  report('idle, 50 accounts: average share of one core', (cpuMs / simulated) * 100, '%', 0.05);
  incidents.dispose();
  await s.shutdown();
  store.dispose();
  pageStore.dispose();
  adaptive.dispose();
  await http.close();
  await page.stop();
  fs.rmSync(root, { recursive: true, force: true });
}

async function conditionalSavings(report: Report, smoke: boolean): Promise<void> {
  const n = 50;
  const cycles = smoke ? 2 : 6;
  const list: Account[] = Array.from({ length: n }, (_, i) => ({ id: `or${i}`, providerId: 'openrouter', name: `or ${i}`, createdAt: 0, authKind: 'api-key', settings: {} }));
  const measure = async (etags: boolean) => {
    const fake = new OpenRouterFake();
    fake.etags = etags;
    await fake.start();
    for (const a of list) fake.addKey(`sk-or-v1-bench-${a.id}`, orKey({ label: a.name }));
    const http = new UndiciHttpClient(nullLogger);
    let bytes = 0;
    const counting = { request: async (r: Parameters<UndiciHttpClient['request']>[0]) => {
      const res = await http.request(r);
      if (!res.notModified) bytes += Buffer.byteLength(res.text);
      return res;
    } };
    const conditional = new ConditionalCache();
    const fetch = createFetcher({
      getAccount: (id) => list.find((a) => a.id === id),
      credentials: { resolve: async (a) => `sk-or-v1-bench-${a.id}` },
      endpoints: () => ({ openrouter: fake.baseUrl }),
      http: { request: (r) => counting.request(r) },
      clock: new FakeClock(),
      log: nullLogger,
      requestTimeoutMs: () => 10_000,
      conditional,
    });
    const s = new PollScheduler({ clock: new FakeClock(), log: nullLogger, fetch, intervalMs: () => HOUR, store: new InMemorySnapshotStore(), lease: new AlwaysLeader() });
    s.setAccounts(list.map((a) => a.id));
    await s.whenIdle();
    const cpu: number[] = [];
    const perCycle: number[] = [];
    for (let i = 0; i < cycles; i++) {
      const b0 = bytes;
      const c0 = process.cpuUsage();
      await s.refreshAll();
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      perCycle.push(bytes - b0);
    }
    await s.shutdown();
    await http.close();
    await fake.stop();
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { bytes: med(perCycle), cpu: med(cpu), notModified: conditional.stats.notModified };
  };
  const plain = await measure(false);
  const cond = await measure(true);
  if (cond.notModified < n) throw new Error(`conditional bench: only ${cond.notModified} 304s`);
  report('unchanged poll cycle of 50 accounts: body bytes received without conditional requests', plain.bytes, 'B');
  report('unchanged poll cycle of 50 accounts: body bytes received with ETag → 304', cond.bytes, 'B');
  report('304 savings: bytes with ÷ bytes without (lower is better)', cond.bytes / plain.bytes, 'ratio', 0.1);
  report('unchanged poll cycle of 50 accounts: CPU without conditional requests (median, includes the fake)', plain.cpu, 'ms');
  report('unchanged poll cycle of 50 accounts: CPU with ETag → 304 (median, includes the fake)', cond.cpu, 'ms');
}

export async function benchPolling(report: Report, opts: { smoke?: boolean } = {}): Promise<void> {
  const smoke = opts.smoke ?? false;
  const floorPerHour = HOUR / pollFloorMs('claude');
  const normalPerHour = HOUR / pollIntervalMs('claude', undefined);
  const active = await callsPerHour('active');
  const idle = await callsPerHour('idle');
  const fixed = await callsPerHour('fixed');
  report('adaptive: API calls per account per hour, fixed interval (Claude plan, 300 s)', fixed, 'calls/h');
  report(`adaptive: API calls per account per hour, agent working (limit: the provider floor, ${floorPerHour}/h)`, active, 'calls/h', floorPerHour);
  report(`adaptive: API calls per account per hour, all idle for an hour (limit: the fixed interval, ${normalPerHour}/h)`, idle, 'calls/h', normalPerHour);
  report('adaptive: idle calls ÷ fixed-interval calls', idle / fixed, 'ratio', 1);
  await idleCpu(report, smoke);
  await conditionalSavings(report, smoke);
}
