#!/usr/bin/env node
// tokstat CLI: the same core as the extension, without VS Code. Commands, options and help: ./args.ts
// (`tokstat --help`, `tokstat <command> --help`); JSON shapes: docs/cli-json.md.
// Exit codes: 0 ok, 1 runtime failure (including an agent folder variable such as CLAUDE_CONFIG_DIR that names no
// usable folder), 2 bad arguments; `guard`: 0 headroom, 1 no headroom, 3 cannot tell (src/cli/guard.ts).
import * as os from 'node:os';
import { fiveHourBlocks, queryUsage, type UsageGroup } from '../core/usage/query';
import { localDay, type HourRow } from '../core/usage/usageIndex';
import type { AgentId, UsageRow } from '../core/usage/types';
import type { PricingService } from '../core/usage/pricingStore';
import { formatAge, formatMeterValue, formatResetIn, formatUsedOfLimit, STATUS_LABEL } from '../shared/format';
import { blockProjection, byMonth, jsonRow, renderBlocks, renderTable, sumGroups, type ReportKind } from './report';
import { findStorage } from './storage';
import { readAll } from './read';
import { ANSI_LINE, PLAIN_LINE, parseStatusInput, readBoundedStdin, renderStatusline, spawnRefresh, statusColour, statusline, type StatusDoc } from './statusline';
import { readStoredAccounts } from './snapshots';
import { guard, type GuardOutcome } from './guard';
import { AGENT_IDS, helpText, parseDay, parseInvocation, UsageError, type Parsed } from './args';
import { colourWanted, styleFor, type Style } from './style';

/** The version of the JSON documents the CLI prints (docs/cli-json.md); raised on any incompatible change. */
export const JSON_SCHEMA_VERSION = 1;

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  env: Record<string, string | undefined>;
  home: string;
  now: number;
  /** Whether stdout is a terminal (colour), and its width when known (compact tables). */
  isTTY?: boolean;
  columns?: number;
  /** Standard input (`statusline`); none: an empty input. */
  stdin?: () => NodeJS.ReadableStream & { isTTY?: boolean };
  /** This CLI's script, to start itself in the background (`statusline`'s index refresh); none: no refresh. */
  self?: string;
}

declare const __TOKSTAT_VERSION__: string | undefined;
/** The version the bundle was built as (esbuild defines it from package.json); `dev` when run from tsc's output. */
export const CLI_VERSION = typeof __TOKSTAT_VERSION__ === 'string' ? __TOKSTAT_VERSION__ : 'dev';

function str(a: Parsed, k: string): string | undefined {
  const v = a.values[k];
  return typeof v === 'string' ? v : undefined;
}

const flag = (a: Parsed, k: string): boolean => a.values[k] === true;

function styleOf(a: Parsed, io: CliIO): Style {
  return styleFor(colourWanted({ color: flag(a, 'color'), noColor: flag(a, 'no-color'), env: io.env, isTTY: !!io.isTTY }));
}

/** --compact, or a terminal narrower than the full table. */
const compactOf = (a: Parsed, io: CliIO): boolean => flag(a, 'compact') || (io.columns !== undefined && io.columns < 100);

/** Reads every selected agent's logs (and the API operations the extension stored), priced (read.ts). */
function readRows(a: Parsed, io: CliIO, agents: AgentId[] | undefined) {
  return readAll(io, { agents, storage: str(a, 'storage'), offline: flag(a, 'offline'), noCache: flag(a, 'no-cache'), verbose: flag(a, 'verbose'), version: CLI_VERSION });
}

function range(a: Parsed): { since?: string; until?: string } {
  const since = parseDay('since', str(a, 'since'));
  const until = parseDay('until', str(a, 'until'));
  if (since && until && since > until) throw new UsageError('--since is after --until');
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

function pricesJson(prices: PricingService) {
  const st = prices.status();
  return { source: st.source, bundled: st.bundledSource, fetchedAt: st.fetchedAt ?? null };
}

async function usage(a: Parsed, io: CliIO): Promise<number> {
  const kind = a.positional as ReportKind;
  const { since, until } = range(a);
  let agents: AgentId[] | undefined;
  const agentFlag = str(a, 'agent');
  if (agentFlag !== undefined) {
    agents = agentFlag.split(',').map((s) => s.trim()).filter(Boolean) as AgentId[];
    const bad = agents.find((x) => !(AGENT_IDS as readonly string[]).includes(x));
    if (bad || agents.length === 0) throw new UsageError(`unknown agent "${bad ?? ''}" (${AGENT_IDS.join(', ')})`);
  }
  const read = await readRows(a, io, agents);
  if (typeof read === 'number') return read;
  const { rows, prices } = read;
  prices.dispose();
  const q = { fromDay: since, toDay: until, agents };
  const groupBy = kind === 'daily' || kind === 'monthly' ? 'day' : kind;
  let groups: UsageGroup[] = queryUsage(rows, { ...q, groupBy });
  if (kind === 'monthly') groups = byMonth(groups);
  // --breakdown: each row's figures per model, from the rows that make it up.
  const breakdown = new Map<string, UsageGroup[]>();
  if (flag(a, 'breakdown') && kind !== 'model') {
    const keyOf = (r: UsageRow): string => (kind === 'daily' ? r.day : kind === 'monthly' ? r.day.slice(0, 7) : r.sessionId);
    const byKey = new Map<string, UsageRow[]>();
    for (const r of rows) {
      const k = keyOf(r);
      const l = byKey.get(k);
      if (l) l.push(r);
      else byKey.set(k, [r]);
    }
    for (const g of groups) breakdown.set(g.key, queryUsage(byKey.get(g.key) ?? [], { ...q, groupBy: 'model' }));
  }
  if (flag(a, 'json')) {
    const doc = {
      schemaVersion: JSON_SCHEMA_VERSION,
      report: kind,
      since: since ?? null,
      until: until ?? null,
      agents: agents ?? null,
      prices: pricesJson(prices),
      rows: groups.map((g) => {
        const row = jsonRow(g);
        const models = breakdown.get(g.key);
        if (models) row.models = models.map((m) => jsonRow(m));
        return row;
      }),
      totals: jsonRow(sumGroups(groups), 'total'),
    };
    io.out(JSON.stringify(doc, null, 2));
  } else if (groups.length === 0) {
    io.out('No usage found in the local agent logs for this range.');
  } else {
    io.out(renderTable(kind, groups, { compact: compactOf(a, io), style: styleOf(a, io), ...(breakdown.size ? { breakdown } : {}) }));
  }
  return 0;
}

/** Claude Code's 5-hour blocks (ccusage's `blocks`), with the running block's projection. */
async function blocks(a: Parsed, io: CliIO): Promise<number> {
  const { since, until } = range(a);
  const read = await readRows(a, io, ['claude-code']);
  if (typeof read === 'number') return read;
  const { prices, hours: hourRows } = read;
  prices.dispose();
  let list = fiveHourBlocks(hourRows, { agent: 'claude-code', now: io.now });
  const dayOf = (t: number) => localDay(t);
  list = list.filter((b) => (!since || dayOf(b.end - 1) >= since) && (!until || dayOf(b.start) <= until));
  if (flag(a, 'active')) list = list.filter((b) => b.active);
  const breakdown = new Map<number, UsageGroup[]>();
  if (flag(a, 'breakdown')) {
    for (const b of list) {
      const inBlock = hourRows.filter((h) => h.agent === 'claude-code' && h.hour >= b.start && h.hour < b.end && h.requests > 0);
      breakdown.set(b.start, queryUsage(inBlock.map(hourAsRow), { groupBy: 'model' }));
    }
  }
  if (flag(a, 'json')) {
    const r6 = (n: number) => Math.round(n * 1e6) / 1e6;
    io.out(
      JSON.stringify(
        {
          schemaVersion: JSON_SCHEMA_VERSION,
          report: 'blocks',
          since: since ?? null,
          until: until ?? null,
          prices: pricesJson(prices),
          blocks: list.map((b) => {
            const p = blockProjection(b, io.now);
            return {
              start: new Date(b.start).toISOString(),
              end: new Date(b.end).toISOString(),
              active: b.active,
              models: b.models,
              ...jsonRow({ ...b, reasoningTokens: 0, webSearchRequests: 0, loggedCostUSD: 0, tools: {} }, new Date(b.start).toISOString()),
              projection: p ? { totalTokens: p.totalTokens, costUSD: r6(p.costUSD), remainingMinutes: Math.round(p.remainingMs / 60_000) } : null,
              ...(breakdown.has(b.start) ? { byModel: breakdown.get(b.start)!.map((m) => jsonRow(m)) } : {}),
            };
          }),
        },
        null,
        2,
      ),
    );
  } else if (list.length === 0) {
    io.out(flag(a, 'active') ? 'No Claude Code block is running now.' : 'No Claude Code usage found in this range.');
  } else {
    io.out(renderBlocks(list, io.now, { compact: compactOf(a, io), style: styleOf(a, io), ...(breakdown.size ? { breakdown } : {}) }));
  }
  return 0;
}

/** An hour of one model as a usage row, so the block breakdown is grouped by the same query as every report. */
function hourAsRow(h: HourRow): UsageRow {
  return {
    day: localDay(h.hour), agent: h.agent, model: h.model, cwd: '', sessionId: '',
    inputTokens: h.inputTokens, outputTokens: h.outputTokens, cacheReadTokens: h.cacheReadTokens, cacheWrite5mTokens: h.cacheWrite5mTokens,
    cacheWrite1hTokens: h.cacheWrite1hTokens, reasoningTokens: h.reasoningTokens, webSearchRequests: 0, requests: h.requests, fastRequests: 0,
    loggedCostUSD: h.loggedCostUSD, loggedCostRequests: 0, costUSD: h.costUSD, unpricedRequests: h.unpricedRequests, fallbackModelRequests: 0,
    tools: {}, firstTs: h.firstTs, lastTs: h.lastTs,
  };
}

async function quota(a: Parsed, io: CliIO): Promise<number> {
  const found = findStorage(str(a, 'storage'), io.env, io.home);
  const json = flag(a, 'json');
  const fail = (message: string): number => {
    if (json) io.out(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, storage: found.dir ?? null, accounts: [], message }, null, 2));
    else io.err(`tokstat: ${message}`);
    return 1;
  };
  if (!found.dir) return fail(`no tokstat storage folder found (looked in ${found.tried.join(', ')}); is the extension installed? Use --storage DIR.`);
  const read = await readStoredAccounts(found.dir);
  if ('error' in read) return fail(read.error);
  const { entries, folder } = read;
  if (entries.length === 0) return fail(`no stored snapshots in ${folder} yet.`);
  const now = io.now;
  if (json) {
    io.out(
      JSON.stringify(
        {
          schemaVersion: JSON_SCHEMA_VERSION,
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

/** `tokstat export`: src/cli/exportCmd.ts, loaded only for this command (it carries the OpenTelemetry SDK). */
async function exportCommand(a: Parsed, io: CliIO): Promise<number> {
  const read = await readRows(a, io, undefined);
  if (typeof read === 'number') return read;
  read.prices.dispose();
  const { exportFromCli } = await import('./exportCmd');
  return await exportFromCli(a.values, io, read.rows, CLI_VERSION);
}

/** `tokstat guard`: one line (or the JSON document) on stdout, the exit code says it (src/cli/guard.ts). */
async function guardCommand(a: Parsed, io: CliIO): Promise<number> {
  let o: GuardOutcome;
  try {
    o = await guard(
      { storage: str(a, 'storage'), account: str(a, 'account'), provider: str(a, 'provider'), meter: str(a, 'meter'), minRemaining: str(a, 'min-remaining'), maxCostToday: str(a, 'max-cost-today'), maxAge: str(a, 'max-age') },
      io.env,
      io.home,
      io.now,
    );
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // A failure to read is "cannot tell" (3), never "no headroom" (1, the other commands' runtime-failure code).
    o = { exitCode: 3, reason: `cannot tell: ${e instanceof Error ? e.message : String(e)}`, checks: [], storage: null };
  }
  if (flag(a, 'json')) io.out(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ok: o.exitCode === 0, exitCode: o.exitCode, reason: o.reason, storage: o.storage, checks: o.checks }, null, 2));
  else io.out(o.reason);
  return o.exitCode;
}

/** `tokstat statusline`: one line for Claude Code's status line (src/cli/statusline.ts). Always exits 0. */
async function statuslineCommand(a: Parsed, io: CliIO): Promise<number> {
  const stdin = io.stdin ? await readBoundedStdin(io.stdin()) : { text: '', truncated: false };
  const parsed = parseStatusInput(stdin.text, stdin.truncated);
  const refresh = io.self && !flag(a, 'no-refresh') ? spawnRefresh(io.self, io.env) : undefined;
  let doc: StatusDoc;
  try {
    doc = await statusline({ env: io.env, home: io.home, now: io.now, storage: str(a, 'storage'), input: parsed.input, ...(refresh ? { refresh } : {}) });
  } catch (e) {
    doc = { session: { costUSD: null, source: null }, today: { day: localDay(io.now), costUSD: null, unpricedRequests: 0, source: null, ageMs: null }, window: null, problems: [String(e instanceof Error ? e.message : e)] };
  }
  if (parsed.problem) doc.problems.unshift(parsed.problem);
  const line = renderStatusline(doc, io.now, statusColour(flag(a, 'no-color'), io.env) ? ANSI_LINE : PLAIN_LINE);
  if (flag(a, 'json')) io.out(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...doc, line: renderStatusline(doc, io.now) }, null, 2));
  else io.out(line);
  return 0;
}

/** `tokstat mcp`: serves until the client disconnects; the clock is the real one unless TOKSTAT_NOW pins it (tests). */
async function mcpCommand(a: Parsed, io: CliIO): Promise<number> {
  const found = findStorage(str(a, 'storage'), io.env, io.home);
  const pinned = Number(io.env.TOKSTAT_NOW);
  const now = Number.isFinite(pinned) && pinned > 0 ? () => pinned : () => Date.now();
  // Its own chunk (dist/mcp.js, build/cli.js): the SDK and zod are megabytes every other command would load at start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serveMcp, StoredAgentData } = require('./mcp') as typeof import('./mcp');
  await serveMcp({ version: CLI_VERSION, data: new StoredAgentData(found.dir, now, found.tried), now, err: io.err });
  return 0;
}

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const inv = parseInvocation(argv);
    if (inv.kind === 'version') {
      io.out(CLI_VERSION);
      return 0;
    }
    if (inv.kind === 'help') {
      io.out(helpText(inv.command));
      return argv.length === 0 ? 2 : 0;
    }
    const a = inv.parsed;
    if (a.command.name === 'usage') return await usage(a, io);
    if (a.command.name === 'blocks') return await blocks(a, io);
    if (a.command.name === 'guard') return await guardCommand(a, io);
    if (a.command.name === 'statusline') return await statuslineCommand(a, io);
    if (a.command.name === 'mcp') return await mcpCommand(a, io);
    if (a.command.name === 'export') return await exportCommand(a, io);
    return await quota(a, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tokstat: ${e.message}\n(tokstat --help lists the commands; tokstat <command> --help their options)`);
      return 2;
    }
    io.err(`tokstat: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

/**
 * Runs the CLI on this process's arguments and sets its exit code. `self` is the script a user runs (dist/cli.js,
 * the launcher, src/cli/launcher.ts), which `statusline` starts again in the background.
 */
export function cliMain(self: string): void {
  const nowEnv = Number(process.env.TOKSTAT_NOW);
  run(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    env: process.env,
    home: os.homedir(),
    now: Number.isFinite(nowEnv) && nowEnv > 0 ? nowEnv : Date.now(),
    isTTY: !!process.stdout.isTTY,
    stdin: () => process.stdin,
    self,
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
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

// Run directly (tsc's output in the tests); the bundle is started by its launcher (dist/cli.js).
if (require.main === module) cliMain(__filename);
