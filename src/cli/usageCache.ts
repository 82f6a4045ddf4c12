// The CLI's persisted usage index: the extension's incremental index (src/core/usage: UsageIndex, UsageScanner), kept
// in the CLI's cache folder (cache.ts) so a repeat run reads only what was appended since the last one, under the same
// exactness rules (file cursors, dedup state and aggregates are saved together; a truncated or replaced log is read
// again from its start).
//
// Layout: `<cache>/usage/<key>/` per set of log folders read (the agents selected and where their logs are), holding
// usage-index.json (+ journal) and `cache.json`, the fingerprint of what the stored costs depend on (CLI version, index
// format, the prices). Another fingerprint (new prices, a new version) rebuilds that index from the logs.
//
// Concurrency: one writer per folder, chosen with the same file lease as the extension's windows (writer.lock, an
// atomic mkdir; a crashed holder's lease is taken over). A run that cannot take it (another CLI run is writing) still
// reads the index (snapshot replaced by rename, journal lines whole or dropped, so what it reads is consistent) and
// brings it up to date in memory without saving. The extension never writes here (it keeps its own index in its
// storage folder), so the CLI and the extension never write the same files.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { UsageScanner, type ScanResult } from '../core/usage/scanner';
import { USAGE_INDEX_VERSION, type HourRow } from '../core/usage/usageIndex';
import { resolveSources, type ResolvedSources } from '../core/usage/sources';
import type { AgentId, PriceFn, UsageRow } from '../core/usage/types';
import { AGENT_IDS } from '../shared/agents';
import { FileLease } from '../core/state/lease';
import { nullLogger } from '../core/log';
import { writeFilePrivate, mkdirPrivate } from '../core/privateFs';

export type LogAgent = Exclude<AgentId, 'api'>;

/**
 * Every agent with local logs, in AGENT_IDS order: what `tokstat usage` reads without --agent, and so the set whose
 * index the status line looks for (the index folder is keyed by the agents read).
 */
export const ALL_LOG_AGENTS: readonly LogAgent[] = AGENT_IDS.filter((a): a is LogAgent => a !== 'api');

export interface UsageReadOptions {
  env: Record<string, string | undefined>;
  home: string;
  agents: LogAgent[];
  price: PriceFn;
  /** The prices' identity: a change rebuilds the index (stored costs were computed with the old prices). */
  pricesFingerprint: string;
  /** The CLI's cache folder (cache.ts cliCacheDir); undefined: no persisted index (`--no-cache`). */
  cacheDir?: string;
  /** Included in the fingerprint: a new CLI version rebuilds the index. */
  version: string;
  /** Lease TTL (tests). */
  leaseTtlMs?: number;
}

export interface UsageRead {
  rows: UsageRow[];
  hours: HourRow[];
  /** 'off': --no-cache; 'cold': no usable index, built now; 'warm': an index was reused. */
  cache: 'off' | 'cold' | 'warm';
  /** How many of the index's 8 dedup collections this run parsed (a warm run parses those its new lines needed). */
  dedupParsed?: number;
  /** Whether this run saved the index (false: --no-cache, or another run held the writer lease). */
  saved: boolean;
  scan: ScanResult;
  /** The index folder, when cached. */
  folder?: string;
}

const META = 'cache.json';
const INDEX_FILES = ['usage-index.json', 'usage-index.journal', 'usage-index.legacy.json'];

/** The folder of the index of these log folders. */
export function usageCacheFolder(cacheDir: string, sources: ResolvedSources): string {
  const key = createHash('sha256').update(JSON.stringify(sources)).digest('hex').slice(0, 16);
  return path.join(cacheDir, 'usage', key);
}

function fingerprintOf(o: Pick<UsageReadOptions, 'version' | 'pricesFingerprint'>): string {
  // `reads`: what the index holds (usage records, no tool figures); an index built otherwise is rebuilt.
  return JSON.stringify({ version: o.version, index: USAGE_INDEX_VERSION, prices: o.pricesFingerprint, reads: 'records' });
}

function readMeta(folder: string): string | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(folder, META), 'utf8')) as { fingerprint?: unknown };
    return typeof v.fingerprint === 'string' ? v.fingerprint : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Workers for a cold read. One worker already keeps two cores busy (it reads and parses, this thread applies; measured
 * on 200 MB: ~0.45 s CPU in the worker, ~0.34 s here), so a second one pays only with cores to spare: 2 on an idle
 * machine (one-minute load average at most cores − 2) with four cores or more, else 1, so a busy machine is not
 * crowded further. TOKSTAT_SCAN_WORKERS=N (1–8) overrides.
 */
export function coldScanWorkers(env: Record<string, string | undefined>, cpus = os.availableParallelism(), load = os.loadavg()[0] ?? 0): number {
  const forced = Number(env.TOKSTAT_SCAN_WORKERS);
  if (Number.isInteger(forced) && forced >= 1) return Math.min(forced, 8);
  return cpus >= 4 && load <= cpus - 2 ? 2 : 1;
}

/** Reads the selected agents' logs, continuing from the persisted index when there is one. */
export async function readUsage(o: UsageReadOptions): Promise<UsageRead> {
  const sources = { agents: o.agents };
  const base = {
    env: o.env, home: o.home, price: o.price, watch: false, rescanMs: 0, saveDelayMs: 0, sources,
    coldScanWorkers: coldScanWorkers(o.env),
    coldSplitAgents: true,
    // One scan and the process ends: a worker replaced after a big read (the extension's memory hygiene) is waste.
    retireWorkerAfterBytes: Number.POSITIVE_INFINITY,
    // No report of the CLI shows tool figures: their lines are not read (most of a Claude log's bytes).
    tools: false,
  } as const;
  if (!o.cacheDir) {
    const scanner = new UsageScanner({ ...base, mode: 'auto' });
    try {
      await scanner.load();
      const scan = await scanner.scan();
      return { rows: scanner.index.rows(), hours: scanner.index.hours(), cache: 'off', saved: false, scan };
    } finally {
      scanner.dispose();
    }
  }
  const folder = usageCacheFolder(o.cacheDir, resolveSources(sources, o.env, o.home));
  const fingerprint = fingerprintOf(o);
  const lease = new FileLease({ dir: path.join(folder, 'writer.lock'), log: nullLogger, ttlMs: o.leaseTtlMs ?? 120_000 });
  let held = false;
  try {
    held = await lease.tryAcquire();
  } catch {
    held = false; // a read-only cache folder: read without saving
  }
  const heartbeat = held ? setInterval(() => void lease.renew().catch(() => undefined), (o.leaseTtlMs ?? 120_000) / 3) : undefined;
  heartbeat?.unref();
  try {
    const current = readMeta(folder) === fingerprint && fs.existsSync(path.join(folder, INDEX_FILES[0]!));
    if (held && !current) {
      // Stale costs or another format: start over (only the lease holder touches the files).
      for (const f of INDEX_FILES) await fsp.rm(path.join(folder, f), { force: true });
      await mkdirPrivate(folder);
      await writeFilePrivate(path.join(folder, META), JSON.stringify({ fingerprint }) + '\n', 'utf8');
    }
    // Without the lease and without a usable index: a plain in-memory read (the holder is building it).
    const persisted = held || current;
    const scanner = new UsageScanner({
      ...base,
      ...(persisted ? { storageFolder: folder } : {}),
      // A repeat run reads a few appended KB: starting a worker would cost more than it saves.
      mode: current ? 'inline' : 'auto',
      inlineSliceMs: 1_000_000,
      canPersist: () => held && lease.isHeld(),
    });
    try {
      await scanner.load();
      const scan = await scanner.scan();
      // An index that could not be used (corrupt, torn, of another format) was started over: a cold read.
      const warm = current && scanner.index.rebuildReason === undefined;
      return {
        rows: scanner.index.rows(), hours: scanner.index.hours(), cache: warm ? 'warm' : 'cold', saved: held && lease.isHeld() && scan.changed, scan, folder,
        dedupParsed: scanner.index.parsedDedup().length,
      };
    } finally {
      scanner.dispose();
    }
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    if (held) await lease.release().catch(() => undefined);
  }
}
