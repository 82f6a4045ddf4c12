// Builds a ProviderContext wired to the REAL UndiciHttpClient, for running providers against the loopback fakes.
//
//   const t = testContext({ providerId: 'openrouter', baseUrl: or.baseUrl, secret: 'sk-or-v1-test-0001' });
//   const result = await openRouterProvider.fetchSnapshot(t.ctx);
//   await t.close();
import type { Clock } from '../../src/core/clock';
import { systemClock } from '../../src/core/clock';
import { type HttpClient } from '../../src/core/http';
import { UndiciHttpClient } from '../../src/core/undiciClient';
import { nullLogger, type Logger } from '../../src/core/log';
import type { Account } from '../../src/shared/model';
import type { ProviderContext } from '../../src/core/providers/types';

export interface TestContextOptions {
  providerId: string;
  baseUrl: string;
  secret: string;
  /** Fixed "now" (epoch ms) seen by the provider; timers stay real. Default: real time. */
  now?: number;
  /** Forces this per-request timeout on every request (to provoke timeouts quickly). */
  timeoutMs?: number;
  /** With `timeoutMs`: only the requests whose URL this accepts get it (the others keep the client's default). */
  timeoutOnly?: (url: string) => boolean;
  settings?: Account['settings'];
  authKind?: string;
  signal?: AbortSignal;
  /** Collects log lines; default: the lines are kept in `lines`. */
  log?: Logger;
}

export interface TestContext {
  ctx: ProviderContext;
  /** Every log line written by the provider and the HTTP client. */
  lines: string[];
  close(): Promise<void>;
}

export function fixedClock(now: number): Clock {
  return { now: () => now, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
}

export function testContext(o: TestContextOptions): TestContext {
  const lines: string[] = [];
  const collect = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  const log: Logger = o.log ?? { trace: collect('trace'), debug: collect('debug'), info: collect('info'), warn: collect('warn'), error: collect('error') };
  const client = new UndiciHttpClient(log ?? nullLogger);
  const forced = o.timeoutMs;
  const http: HttpClient =
    forced === undefined ? client : { request: (r) => client.request(o.timeoutOnly && !o.timeoutOnly(r.url) ? r : { ...r, timeoutMs: forced }) };
  const clock = o.now === undefined ? systemClock : fixedClock(o.now);
  const ctx: ProviderContext = {
    providerId: o.providerId,
    account: {
      id: `${o.providerId}-test`,
      providerId: o.providerId,
      name: 'test account',
      createdAt: 0,
      authKind: o.authKind ?? (o.providerId === 'copilot' ? 'github-session' : 'api-key'),
      settings: o.settings ?? {},
    },
    secret: o.secret,
    baseUrl: o.baseUrl.replace(/\/+$/, ''),
    http,
    clock,
    log,
    signal: o.signal ?? new AbortController().signal,
  };
  return { ctx, lines, close: () => client.close() };
}
