// What the usage reports add up, read for `tokstat usage` and `tokstat blocks`: the prices (the extension's cached list,
// else the CLI's own, refreshed daily), the agents' logs through the CLI's persisted index (usageCache.ts), and the
// API operations the extension stored.
import * as path from 'node:path';
import { localDay, type HourRow } from '../core/usage/usageIndex';
import type { AgentId, UsageRow } from '../core/usage/types';
import { PricingService, DEFAULT_PRICES_URL, PRICES_RETRY_MS } from '../core/usage/pricingStore';
import type { PriceBook } from '../core/usage/pricing';
import { readApiUsage } from '../core/usage/ingestStore';
import { nullLogger } from '../core/log';
import { findStorage } from './storage';
import { ALL_LOG_AGENTS, readUsage, type LogAgent } from './usageCache';
import { agentEnvProblems } from './agentEnv';
import { clearPriceFailure, cliCacheDir, lastPriceFailure, recordPriceFailure } from './cache';
import type { CliIO } from './main';

/**
 * Prices: the extension's cached list when its storage is found, else the CLI's own cache, refreshed daily. Offline
 * (the download failed within the last hour, or --offline) it uses the cached or bundled prices and, when a download
 * was tried and failed, says so in one quiet line.
 */
async function pricing(io: CliIO, storage: string | undefined, offline: boolean): Promise<PricingService> {
  const cache = cliCacheDir(io.env, io.home);
  const failedAt = lastPriceFailure(cache);
  const backoff = failedAt !== undefined && io.now - failedAt < PRICES_RETRY_MS && io.now >= failedAt;
  // The price download follows HTTPS_PROXY / NO_PROXY / NODE_EXTRA_CA_CERTS (the CLI has no VS Code settings). undici
  // is loaded only when a download is due: loading it costs more than a whole repeat run of the other work.
  let http: InstanceType<ReturnType<typeof loadNet>['UndiciHttpClient']> | undefined;
  const svc = new PricingService({
    cacheFile: path.join(storage ?? cache, 'pricing', 'litellm.json'),
    url: io.env.TOKSTAT_PRICES_URL || DEFAULT_PRICES_URL,
    offline: offline || backoff,
    timeoutMs: 15_000,
    fetchText: async (url, { signal, maxBytes }) => {
      const { UndiciHttpClient, envRouter } = loadNet();
      http ??= new UndiciHttpClient(nullLogger, undefined, envRouter(io.env));
      const res = await http.request({ url, signal, timeoutMs: 15_000, maxBodyBytes: maxBytes, headers: { accept: 'application/json' } });
      return { status: res.status, text: res.text };
    },
  });
  await svc.init();
  const r = await svc.refreshIfStale().finally(() => http?.close().catch(() => undefined));
  if (r === 'failed') {
    recordPriceFailure(cache, io.now);
    io.err(`tokstat: prices from the ${svc.status().source} list (the LiteLLM price list could not be downloaded; next try in an hour)`);
  } else if (r === 'updated' || r === 'fresh') {
    clearPriceFailure(cache);
  }
  return svc;
}

/** dist/cli-net.js next to the bundle (build/cli.js makes `./net` its own chunk); ./net under tsc. */
function loadNet(): typeof import('./net') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./net') as typeof import('./net');
}

function apiRows(records: Awaited<ReturnType<typeof readApiUsage>>, book: PriceBook): UsageRow[] {
  return records.map((r) => {
    const p = book.priceFn(r);
    return {
      day: localDay(r.timestamp), agent: 'api', model: r.model, cwd: '', sessionId: r.sessionId,
      inputTokens: r.inputTokens, outputTokens: r.outputTokens, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0,
      reasoningTokens: 0, webSearchRequests: 0, requests: 1, fastRequests: 0,
      loggedCostUSD: r.costUSD ?? 0, loggedCostRequests: r.costUSD !== undefined ? 1 : 0,
      costUSD: p.costUSD ?? 0, unpricedRequests: p.unpriced ? 1 : 0, fallbackModelRequests: 0, tools: {},
      firstTs: r.timestamp, lastTs: r.timestamp,
    };
  });
}

export interface ReadOptions {
  /** Undefined: every agent. */
  agents: AgentId[] | undefined;
  /** --storage */
  storage: string | undefined;
  offline: boolean;
  noCache: boolean;
  verbose: boolean;
  /** The CLI's version: a new one rebuilds the index. */
  version: string;
}

/** Reads every selected agent's logs (and the API operations the extension stored), priced; a number: exit code. */
export async function readAll(io: CliIO, o: ReadOptions): Promise<{ rows: UsageRow[]; hours: HourRow[]; prices: PricingService } | number> {
  const agents = o.agents;
  const logAgents = agents ? agents.filter((x): x is LogAgent => x !== 'api') : [...ALL_LOG_AGENTS];
  // A misdirected CLAUDE_CONFIG_DIR / CODEX_HOME / … would read nothing and report "No usage found": say what is wrong.
  const envProblems = await agentEnvProblems(io.env, io.home, logAgents);
  if (envProblems.length) {
    for (const p of envProblems) io.err(`tokstat: ${p}`);
    return 1;
  }
  const storage = findStorage(o.storage, io.env, io.home).dir;
  const prices = await pricing(io, storage, o.offline);
  const rows: UsageRow[] = [];
  const hours: HourRow[] = [];
  if (logAgents.length) {
    // The CLI's own persisted index (usageCache.ts): a repeat run reads only what was appended; --no-cache reads
    // everything in memory and touches no cache.
    const read = await readUsage({
      env: io.env,
      home: io.home,
      agents: logAgents,
      price: prices.book.priceFn,
      pricesFingerprint: prices.fingerprint(),
      version: o.version,
      ...(o.noCache ? {} : { cacheDir: cliCacheDir(io.env, io.home) }),
    });
    rows.push(...read.rows);
    hours.push(...read.hours);
    if (o.verbose) {
      const s = read.scan;
      io.err(`tokstat: usage index ${read.cache}${read.saved ? ' (saved)' : ''}; read ${s.bytesRead} bytes from ${s.filesRead} of ${s.filesSeen} files${s.workers ? ` with ${s.workers} worker thread${s.workers === 1 ? '' : 's'}` : ' in-process'} in ${s.wallMs} ms${read.cache === 'warm' && read.dedupParsed !== undefined ? `; dedup state: ${read.dedupParsed} of 8 parts parsed` : ''}`);
    }
  }
  if (storage && (!agents || agents.includes('api'))) {
    rows.push(...apiRows(await readApiUsage(path.join(storage, 'usage-api')), prices.book));
  }
  return { rows, hours, prices };
}
