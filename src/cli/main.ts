#!/usr/bin/env node
// tokstat CLI: the same core as the extension, without VS Code.
//   tokstat usage [daily|monthly|session|model] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--json] [--offline]
//                 [--agent claude-code,codex,gemini-cli,opencode,api] [--storage DIR]
//   tokstat quota [--json] [--storage DIR]
// Exit codes: 0 ok, 1 runtime failure, 2 bad arguments.
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageScanner } from '../core/usage/scanner';
import { queryUsage, type UsageGroup } from '../core/usage/query';
import { localDay } from '../core/usage/usageIndex';
import type { AgentId, UsageRow } from '../core/usage/types';
import { PricingService, DEFAULT_PRICES_URL } from '../core/usage/pricingStore';
import type { PriceBook } from '../core/usage/pricing';
import { readApiUsage } from '../core/usage/ingestStore';
import { validateAccountState } from '../core/state/snapshotStore';
import type { Snapshot } from '../core/model';
import { formatAge, formatMeterValue, formatResetIn, formatUsedOfLimit, STATUS_LABEL } from '../core/format';
import { byMonth, jsonRow, renderTable, sumGroups, type ReportKind } from './report';
import { findStorage } from './storage';
import { UndiciHttpClient } from '../core/undiciClient';
import { envRouter } from '../core/net/dispatcher';
import { nullLogger } from '../core/log';

const AGENTS: readonly AgentId[] = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'api'];
const KINDS: readonly ReportKind[] = ['daily', 'monthly', 'session', 'model'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  env: Record<string, string | undefined>;
  home: string;
  now: number;
}

class UsageError extends Error {}

interface Args {
  command?: string;
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['since', 'until', 'agent', 'storage']);
const BOOL_FLAGS = new Set(['json', 'offline', 'help']);

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { positional: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '-h') {
      a.flags.set('help', true);
    } else if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq > 0 ? t.slice(2, eq) : t.slice(2);
      if (VALUE_FLAGS.has(name)) {
        const v = eq > 0 ? t.slice(eq + 1) : argv[++i];
        if (v === undefined || v === '') throw new UsageError(`--${name} needs a value`);
        a.flags.set(name, v);
      } else if (BOOL_FLAGS.has(name) && eq < 0) {
        a.flags.set(name, true);
      } else {
        throw new UsageError(`unknown option ${t}`);
      }
    } else if (!a.command) {
      a.command = t;
    } else {
      a.positional.push(t);
    }
  }
  return a;
}

const HELP = `tokstat — AI usage from your local agent logs and tokstat's stored quota snapshots

Usage:
  tokstat usage [daily|monthly|session|model] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
                [--agent claude-code,codex,gemini-cli,opencode,api] [--json] [--offline] [--storage DIR]
  tokstat quota [--json] [--storage DIR]

  --offline   do not download the LiteLLM price list (use the cached or bundled prices)
  --storage   tokstat's VS Code global storage folder (default: found automatically; env TOKSTAT_STORAGE)

Costs of models without a known price are shown as "unpriced", never as $0.
The CLI never polls providers: quota shows the last snapshots the extension stored.`;

function str(a: Args, k: string): string | undefined {
  const v = a.flags.get(k);
  return typeof v === 'string' ? v : undefined;
}

async function pricing(io: CliIO, storage: string | undefined, offline: boolean): Promise<PricingService> {
  // The price download follows HTTPS_PROXY / NO_PROXY / NODE_EXTRA_CA_CERTS (the CLI has no VS Code settings).
  const http = new UndiciHttpClient(nullLogger, undefined, envRouter(io.env));
  const svc = new PricingService({
    cacheFile: storage ? path.join(storage, 'pricing', 'litellm.json') : undefined,
    url: io.env.TOKSTAT_PRICES_URL || DEFAULT_PRICES_URL,
    offline,
    timeoutMs: 15_000,
    fetchText: async (url, { signal }) => {
      const res = await http.request({ url, signal, timeoutMs: 15_000, headers: { accept: 'application/json' } });
      return { status: res.status, text: res.text };
    },
  });
  await svc.init();
  const r = await svc.refreshIfStale().finally(() => http.close().catch(() => undefined));
  if (r === 'failed') io.err(`tokstat: could not refresh prices (${svc.status().lastError ?? 'unknown error'}); using ${svc.status().source} prices`);
  return svc;
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

async function usage(a: Args, io: CliIO): Promise<number> {
  const kind = (a.positional[0] ?? 'daily') as ReportKind;
  if (!KINDS.includes(kind)) throw new UsageError(`unknown report "${kind}" (daily, monthly, session, model)`);
  if (a.positional.length > 1) throw new UsageError(`unexpected argument "${a.positional[1]}"`);
  const since = str(a, 'since');
  const until = str(a, 'until');
  for (const [n, v] of [['since', since], ['until', until]] as const) {
    if (v !== undefined && (!DAY.test(v) || Number.isNaN(Date.parse(v)))) throw new UsageError(`--${n} must be a date YYYY-MM-DD`);
  }
  if (since && until && since > until) throw new UsageError('--since is after --until');
  let agents: AgentId[] | undefined;
  const agentFlag = str(a, 'agent');
  if (agentFlag) {
    agents = agentFlag.split(',').map((s) => s.trim()).filter(Boolean) as AgentId[];
    const bad = agents.find((x) => !AGENTS.includes(x));
    if (bad || agents.length === 0) throw new UsageError(`unknown agent "${bad ?? ''}" (${AGENTS.join(', ')})`);
  }
  const storage = findStorage(str(a, 'storage'), io.env, io.home).dir;
  const prices = await pricing(io, storage, a.flags.has('offline'));
  const logAgents = (agents ?? AGENTS).filter((x): x is Exclude<AgentId, 'api'> => x !== 'api');
  const rows: UsageRow[] = [];
  if (logAgents.length) {
    // Memory only: the extension's leader window owns the persisted index; the CLI reads the logs itself.
    const scanner = new UsageScanner({ env: io.env, home: io.home, price: prices.book.priceFn, mode: 'inline', watch: false, rescanMs: 0, sources: { agents: logAgents } });
    try {
      await scanner.load();
      await scanner.scan();
      rows.push(...scanner.index.rows());
    } finally {
      scanner.dispose();
    }
  }
  if (storage && (!agents || agents.includes('api'))) {
    rows.push(...apiRows(await readApiUsage(path.join(storage, 'usage-api')), prices.book));
  }
  prices.dispose();
  const q = { fromDay: since, toDay: until, agents };
  const groupBy = kind === 'daily' || kind === 'monthly' ? 'day' : kind;
  let groups: UsageGroup[] = queryUsage(rows, { ...q, groupBy });
  if (kind === 'monthly') groups = byMonth(groups);
  const st = prices.status();
  if (a.flags.has('json')) {
    const doc = {
      report: kind,
      since: since ?? null,
      until: until ?? null,
      agents: agents ?? null,
      prices: { source: st.source, bundled: st.bundledSource, fetchedAt: st.fetchedAt ?? null },
      rows: groups.map((g) => jsonRow(g)),
      totals: jsonRow(sumGroups(groups), 'total'),
    };
    io.out(JSON.stringify(doc, null, 2));
  } else if (groups.length === 0) {
    io.out('No usage found in the local agent logs for this range.');
  } else {
    io.out(renderTable(kind, groups));
  }
  return 0;
}

interface QuotaEntry {
  accountId: string;
  name?: string;
  providerId?: string;
  snapshot: Snapshot;
}

/** Account names live in VS Code's globalState; the extension may mirror them (non-secret) to `accounts.json`. */
async function accountNames(storage: string): Promise<Map<string, { name?: string; providerId?: string }>> {
  const m = new Map<string, { name?: string; providerId?: string }>();
  try {
    const doc = JSON.parse(await fsp.readFile(path.join(storage, 'accounts.json'), 'utf8')) as { accounts?: Array<{ id?: unknown; name?: unknown; providerId?: unknown }> };
    for (const a of doc.accounts ?? []) {
      if (typeof a.id === 'string') m.set(a.id, { name: typeof a.name === 'string' ? a.name : undefined, providerId: typeof a.providerId === 'string' ? a.providerId : undefined });
    }
  } catch {
    /* optional */
  }
  return m;
}

async function quota(a: Args, io: CliIO): Promise<number> {
  if (a.positional.length) throw new UsageError(`unexpected argument "${a.positional[0]}"`);
  const found = findStorage(str(a, 'storage'), io.env, io.home);
  const json = a.flags.has('json');
  const fail = (message: string): number => {
    if (json) io.out(JSON.stringify({ storage: found.dir ?? null, accounts: [], message }, null, 2));
    else io.err(`tokstat: ${message}`);
    return 1;
  };
  if (!found.dir) return fail(`no tokstat storage folder found (looked in ${found.tried.join(', ')}); is the extension installed? Use --storage DIR.`);
  const folder = path.join(found.dir, 'snapshots');
  let names: string[];
  try {
    names = (await fsp.readdir(folder)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return fail(`no snapshots in ${folder}: open VS Code with tokstat and add an account first.`);
  }
  const labels = await accountNames(found.dir);
  const entries: QuotaEntry[] = [];
  for (const n of names) {
    const id = n.slice(0, -5);
    try {
      const state = JSON.parse(await fsp.readFile(path.join(folder, n), 'utf8')) as unknown;
      if (validateAccountState(state, id)) continue;
      const snap = (state as { snapshot?: Snapshot }).snapshot;
      if (!snap) continue;
      entries.push({ accountId: id, ...labels.get(id), snapshot: snap });
    } catch {
      /* a file being replaced or corrupt: skip */
    }
  }
  if (entries.length === 0) return fail(`no stored snapshots in ${folder} yet.`);
  const now = io.now;
  if (json) {
    io.out(
      JSON.stringify(
        {
          storage: found.dir,
          accounts: entries.map((e) => ({
            name: e.name ?? null,
            providerId: e.providerId ?? null,
            ageMs: now - e.snapshot.takenAt,
            ...e.snapshot,
          })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const lines: string[] = [];
  for (const e of entries) {
    const s = e.snapshot;
    const title = e.name ?? s.identity ?? e.accountId;
    lines.push(`${title}${e.providerId ? ` (${e.providerId})` : ''} — ${STATUS_LABEL[s.status]}, ${formatAge(s.lastSuccessAt ?? s.takenAt, now)}${s.plan ? `, ${s.plan}` : ''}`);
    if (s.error) lines.push(`  ${s.error.message}`);
    for (const m of s.meters) {
      const reset = formatResetIn(m.resetsAt, now);
      lines.push(`  ${m.label}: ${formatMeterValue(m)} (${formatUsedOfLimit(m)})${reset ? `, ${reset}` : ''}`);
    }
  }
  io.out(lines.join('\n'));
  return 0;
}

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const a = parseArgs(argv);
    if (a.flags.has('help') || !a.command || a.command === 'help') {
      io.out(HELP);
      return a.command || a.flags.has('help') ? 0 : 2;
    }
    if (a.command === 'usage') return await usage(a, io);
    if (a.command === 'quota') return await quota(a, io);
    throw new UsageError(`unknown command "${a.command}"`);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tokstat: ${e.message}\n\n${HELP}`);
      return 2;
    }
    io.err(`tokstat: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (require.main === module) {
  const nowEnv = Number(process.env.TOKSTAT_NOW);
  run(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    env: process.env,
    home: os.homedir(),
    now: Number.isFinite(nowEnv) && nowEnv > 0 ? nowEnv : Date.now(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tokstat: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
