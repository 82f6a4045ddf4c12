// `tokstat statusline`: Claude Code's status-line command (settings: "statusLine": {"type": "command", "command":
// "tokstat statusline"}). Claude Code pipes one JSON object on stdin (/work/shared/docs/agent-integration.md §2) and
// shows the first line printed. One short line: this session's cost, today's, the tightest plan window with its reset,
// coloured near the limit. Answers from persisted data only (stdin, the extension's snapshots, a persisted usage
// index): never the network, never the agents' logs, never a file named by stdin; within Claude Code's budget.
//
// stdin is untrusted: read up to MAX_STDIN bytes (more is dropped, the rest of the line still prints) and for at most
// STDIN_WAIT_MS, parsed with zod field by field (a malformed field is ignored, not the whole object).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as z from 'zod/mini';
import { localDay, readDayRows } from '../core/usage/usageIndex';
import { resolveSources } from '../core/usage/sources';
import type { UsageRow } from '../core/usage/types';
import type { Meter } from '../shared/model';
import { formatDuration } from '../shared/format';
import { readStoredAccounts } from './snapshots';
import { findStorage } from './storage';
import { cliCacheDir } from './cache';
import { ALL_LOG_AGENTS, usageCacheFolder } from './usageCache';
import { mkdirPrivateSync, PRIVATE_FILE_MODE } from '../core/privateFs';

export const MAX_STDIN = 256 * 1024;
export const STDIN_WAIT_MS = 250;
/** A window at or above this share used is shown in the warning colour; at or above DANGER_AT in red. */
export const WARN_AT = 80;
export const DANGER_AT = 95;
/** Stored meters older than this are not shown (the extension polls far more often). */
const MAX_METER_AGE_MS = 6 * 3_600_000;
/** Today's cost from an index older than this says how old it is. */
const SHOW_AGE_AFTER_MS = 10 * 60_000;
/** An index older than this is refreshed in the background (a detached `tokstat usage`), at most once per this time. */
const REFRESH_AFTER_MS = 2 * 60_000;

const opt = <T extends z.core.SomeType>(s: T) => z.catch(z.optional(s), undefined);
const num = opt(z.number().check(z.refine((n) => Number.isFinite(n))));
const str = opt(z.string().check(z.maxLength(512)));
const windowSchema = opt(z.object({ used_percentage: num, resets_at: num }));

/** The fields tokstat uses of Claude Code's status-line JSON; every field optional, a bad one is dropped alone. */
export const statusInputSchema = z.object({
  session_id: str,
  model: opt(z.object({ id: str, display_name: str })),
  cost: opt(z.object({ total_cost_usd: num })),
  rate_limits: opt(z.object({ five_hour: windowSchema, seven_day: windowSchema })),
});
export type StatusInput = z.output<typeof statusInputSchema>;

/** Reads stdin up to `max` bytes or `waitMs`, whichever comes first; nothing from a terminal. */
export function readBoundedStdin(stream: NodeJS.ReadableStream & { isTTY?: boolean }, max = MAX_STDIN, waitMs = STDIN_WAIT_MS): Promise<{ text: string; truncated: boolean }> {
  if (stream.isTTY) return Promise.resolve({ text: '', truncated: false });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onEnd);
      stream.pause();
      (stream as { unref?: () => void }).unref?.();
      (stream as { destroy?: () => void }).destroy?.();
      resolve({ text: Buffer.concat(chunks).toString('utf8'), truncated });
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      if (size + b.length > max) {
        chunks.push(b.subarray(0, max - size));
        size = max;
        finish(true);
        return;
      }
      chunks.push(b);
      size += b.length;
      // A whole JSON object already: no need to wait for the end of a pipe the writer keeps open.
      if (/\}\s*$/.test(b.subarray(-16).toString('latin1'))) {
        try {
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
          finish(false);
        } catch {
          /* not yet */
        }
      }
    };
    const onEnd = () => finish(false);
    // Not unref'd: the deadline must fire even when nothing else keeps the loop alive (a stream that is no handle);
    // finish() clears it, so it never holds the process beyond the wait.
    const timer = setTimeout(() => finish(false), waitMs);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onEnd);
  });
}

/** The validated input, or an empty one (with why) when stdin holds no JSON object. */
export function parseStatusInput(text: string, truncated: boolean): { input: StatusInput; problem?: string } {
  if (truncated) return { input: {}, problem: `stdin over ${MAX_STDIN} bytes: ignored` };
  if (!text.trim()) return { input: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { input: {}, problem: 'stdin is not JSON: ignored' };
  }
  const r = statusInputSchema.safeParse(raw);
  return r.success ? { input: r.data } : { input: {}, problem: 'stdin is not a JSON object: ignored' };
}

export interface StatusWindow {
  label: string;
  usedPercent: number;
  resetsAt: number | null;
  source: 'claude-code' | 'snapshot';
  account?: string;
}

export interface StatusDoc {
  session: { costUSD: number | null; source: 'claude-code' | 'index' | null };
  today: { day: string; costUSD: number | null; unpricedRequests: number; source: 'cli-index' | 'extension-index' | null; ageMs: number | null };
  window: StatusWindow | null;
  problems: string[];
}

export interface StatuslineOptions {
  env: Record<string, string | undefined>;
  home: string;
  now: number;
  storage?: string;
  input: StatusInput;
  /** Start a background `tokstat usage` when the freshest index is old (default: off; main.ts turns it on). */
  refresh?: (cacheDir: string) => void;
}

interface IndexChoice {
  folder: string;
  source: 'cli-index' | 'extension-index';
  mtime: number;
}

function indexMtime(folder: string): number | undefined {
  let m: number | undefined;
  for (const f of ['usage-index.json', 'usage-index.journal']) {
    try {
      m = Math.max(m ?? 0, fs.statSync(path.join(folder, f)).mtimeMs);
    } catch {
      /* absent */
    }
  }
  return m;
}

/** The freshest persisted index: the CLI's (of the default log folders) or the extension's. */
function freshestIndex(cacheDir: string, storage: string | undefined, env: Record<string, string | undefined>, home: string): IndexChoice | undefined {
  const choices: IndexChoice[] = [];
  const cli = usageCacheFolder(cacheDir, resolveSources({ agents: [...ALL_LOG_AGENTS] }, env, home));
  const cm = indexMtime(cli);
  if (cm !== undefined) choices.push({ folder: cli, source: 'cli-index', mtime: cm });
  if (storage) {
    const ext = path.join(storage, 'usage');
    const em = indexMtime(ext);
    if (em !== undefined) choices.push({ folder: ext, source: 'extension-index', mtime: em });
  }
  return choices.sort((a, b) => b.mtime - a.mtime)[0];
}

const pct = (m: Meter): number | undefined => {
  if (typeof m.percentUsed === 'number' && Number.isFinite(m.percentUsed)) return m.percentUsed;
  if (typeof m.limit === 'number' && m.limit > 0 && typeof m.used === 'number' && Number.isFinite(m.used)) return (m.used / m.limit) * 100;
  return undefined;
};

const SHORT: Record<string, string> = { 'five-hour': '5h', 'seven-day': '7d', 'weekly-opus': '7d Opus', 'weekly-sonnet': '7d Sonnet' };

/** The tightest window: Claude Code's own rate_limits when it sent them, else the Claude meters the extension stored. */
async function tightestWindow(o: StatuslineOptions, storage: string | undefined): Promise<StatusWindow | null> {
  const list: StatusWindow[] = [];
  const rl = o.input.rate_limits;
  for (const [key, label] of [['five_hour', '5h'], ['seven_day', '7d']] as const) {
    const w = rl?.[key];
    if (w?.used_percentage === undefined || w.used_percentage < 0 || w.used_percentage > 1000) continue;
    // Seconds since the epoch (as documented); milliseconds are accepted too.
    const at = w.resets_at === undefined || w.resets_at <= 0 ? null : w.resets_at < 1e11 ? w.resets_at * 1000 : w.resets_at;
    if (at !== null && at <= o.now) continue; // that window is over: its percentage no longer applies
    list.push({ label, usedPercent: w.used_percentage, resetsAt: at, source: 'claude-code' });
  }
  if (list.length === 0 && storage) {
    const read = await readStoredAccounts(storage);
    if (!('error' in read)) {
      for (const e of read.entries) {
        if (e.providerId !== 'claude' || e.snapshot.status === 'error' || e.snapshot.status === 'auth-required') continue;
        for (const m of e.snapshot.meters ?? []) {
          const p = pct(m);
          if (p === undefined || m.unlimited || m.resetsAt === undefined || m.resetsAt <= o.now || o.now - m.capturedAt > MAX_METER_AGE_MS) continue;
          list.push({ label: SHORT[m.id] ?? m.label, usedPercent: p, resetsAt: m.resetsAt, source: 'snapshot', account: e.name ?? e.accountId });
        }
      }
    }
  }
  return list.sort((a, b) => b.usedPercent - a.usedPercent)[0] ?? null;
}

const REFRESH_STAMP = 'statusline-refresh-at';

/**
 * Whether this call should start the background refresh: none started within REFRESH_AFTER_MS (a stamp file in the
 * cache folder, rewritten now) and no run is writing the CLI's index (its writer lease exists).
 */
function claimRefresh(cacheDir: string, env: Record<string, string | undefined>, home: string, now: number): boolean {
  const stamp = path.join(cacheDir, REFRESH_STAMP);
  try {
    const last = Number(fs.readFileSync(stamp, 'utf8'));
    if (Number.isFinite(last) && now - last < REFRESH_AFTER_MS && now >= last) return false;
  } catch {
    /* never refreshed */
  }
  if (fs.existsSync(path.join(usageCacheFolder(cacheDir, resolveSources({ agents: [...ALL_LOG_AGENTS] }, env, home)), 'writer.lock'))) return false;
  try {
    mkdirPrivateSync(cacheDir);
    fs.writeFileSync(stamp, String(now), { mode: PRIVATE_FILE_MODE });
    return true;
  } catch {
    return false; // a read-only cache folder: a refresh could not save either
  }
}

/** Everything the line shows, from stdin and what is persisted; reads no log and nothing named by stdin. */
export async function statusline(o: StatuslineOptions): Promise<StatusDoc> {
  const problems: string[] = [];
  const storage = findStorage(o.storage, o.env, o.home).dir;
  const cacheDir = cliCacheDir(o.env, o.home);
  const day = localDay(o.now);
  const today: StatusDoc['today'] = { day, costUSD: null, unpricedRequests: 0, source: null, ageMs: null };
  let rows: UsageRow[] = [];
  const [choice, window] = [freshestIndex(cacheDir, storage, o.env, o.home), await tightestWindow(o, storage)];
  if (choice) {
    const read = await readDayRows(choice.folder, day);
    if ('rows' in read) {
      rows = read.rows;
      let cost = 0;
      let unpriced = 0;
      for (const r of rows) {
        cost += r.costUSD;
        unpriced += r.unpricedRequests;
      }
      Object.assign(today, { costUSD: cost, unpricedRequests: unpriced, source: choice.source, ageMs: Math.max(0, Math.round(o.now - choice.mtime)) });
    } else problems.push(`usage index in ${choice.folder}: ${read.missing}`);
  }
  if (o.refresh && (today.ageMs === null || today.ageMs > REFRESH_AFTER_MS) && claimRefresh(cacheDir, o.env, o.home, o.now)) o.refresh(cacheDir);
  const session: StatusDoc['session'] = { costUSD: null, source: null };
  const cc = o.input.cost?.total_cost_usd;
  if (cc !== undefined && cc >= 0) Object.assign(session, { costUSD: cc, source: 'claude-code' });
  else if (o.input.session_id && today.source) {
    // Without Claude Code's own figure: what the index holds for this session today.
    const mine = rows.filter((r) => r.sessionId === o.input.session_id);
    if (mine.length) Object.assign(session, { costUSD: mine.reduce((s, r) => s + r.costUSD, 0), source: 'index' });
  }
  return { session, today, window, problems };
}

export interface LineStyle {
  warn(s: string): string;
  danger(s: string): string;
  dim(s: string): string;
}

export const PLAIN_LINE: LineStyle = { warn: (s) => s, danger: (s) => s, dim: (s) => s };
export const ANSI_LINE: LineStyle = { warn: (s) => `\x1b[33m${s}\x1b[39m`, danger: (s) => `\x1b[31m${s}\x1b[39m`, dim: (s) => `\x1b[2m${s}\x1b[22m` };

const money = (n: number): string => `$${n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : Math.round(n).toString()}`;

/** The one line: `$0.06 session · $12.30 today · 5h 41% (resets in 2h 13m)`; unknown parts say so. */
export function renderStatusline(d: StatusDoc, now: number, style: LineStyle = PLAIN_LINE): string {
  const parts: string[] = [];
  parts.push(`${d.session.costUSD === null ? '$?' : money(d.session.costUSD)} session`);
  if (d.today.costUSD === null) parts.push(style.dim('today ?'));
  else {
    const unpriced = d.today.unpricedRequests > 0 ? '+' : '';
    const age = d.today.ageMs !== null && d.today.ageMs > SHOW_AGE_AFTER_MS ? style.dim(` (${formatDuration(d.today.ageMs)} old)`) : '';
    parts.push(`${money(d.today.costUSD)}${unpriced} today${age}`);
  }
  const w = d.window;
  if (w) {
    const p = Math.round(w.usedPercent);
    const reset = w.resetsAt !== null ? ` (resets in ${formatDuration(w.resetsAt - now)})` : '';
    const text = `${w.label} ${p}%${reset}`;
    parts.push(w.usedPercent >= DANGER_AT ? style.danger(text) : w.usedPercent >= WARN_AT ? style.warn(text) : text);
  }
  return parts.join(' · ');
}

/** Colour unless NO_COLOR (any non-empty value), --no-color or FORCE_COLOR=0: Claude Code shows ANSI colours. */
export function statusColour(noColor: boolean, env: Record<string, string | undefined>): boolean {
  if (noColor) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
}

/**
 * Brings the CLI's index up to date in the background: a detached `tokstat usage` (offline prices, output dropped)
 * that outlives this process. At most one at a time (the index's writer lease); never waited for.
 */
export function spawnRefresh(cliFile: string, env: Record<string, string | undefined>): (cacheDir: string) => void {
  return () => {
    try {
      const child = spawn(process.execPath, [cliFile, 'usage', 'daily', '--json', '--offline'], { detached: true, stdio: 'ignore', env: env as NodeJS.ProcessEnv, windowsHide: true });
      child.on('error', () => undefined);
      child.unref();
    } catch {
      /* no refresh this time */
    }
  };
}
