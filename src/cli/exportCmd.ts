// `tokstat export --once --otlp URL | --pushgateway URL`: one export of this machine's numbers (the quota snapshots
// the extension stored, the local agents' usage from their logs) for machines without VS Code — CI runners, remote
// boxes — from the same core as the extension's exporter. main.ts loads this module only for `export`, so the
// OpenTelemetry SDK stays off the start-up path of the other commands.
import * as path from 'node:path';
import { systemClock } from '../core/clock';
import { EndpointError } from '../core/endpoints';
import type { HttpClient } from '../core/http';
import { nullLogger } from '../core/log';
import { instanceId, resolveExport, type ExportSettings } from '../core/export/config';
import { buildFamilies, seriesCount } from '../core/export/metrics';
import { ExportRunner } from '../core/export/runner';
import { createTarget } from '../core/export/targets';
import type { UsageRow } from '../core/usage/types';
import { UndiciHttpClient } from '../core/undiciClient';
import { envRouter } from '../core/net/dispatcher';
import { readStoredAccounts, type StoredAccount } from './snapshots';
import { findStorage } from './storage';
import { cliCacheDir } from './cache';
import { UsageError } from './args';
import type { CliIO } from './main';

export interface ExportCliInput {
  values: Record<string, string | boolean | undefined>;
  env: Record<string, string | undefined>;
  out(s: string): void;
  err(s: string): void;
  /** Folder of this install's instance id: the extension's storage when found, else the CLI's cache. */
  idDir: string;
  accounts: StoredAccount[];
  rows: UsageRow[];
  http: HttpClient;
  version: string;
}

const s = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** The CLI's side of `tokstat export`: the stored accounts, the folder of the instance id, an HTTP client (the proxy from the environment). */
export async function exportFromCli(values: ExportCliInput['values'], io: Pick<CliIO, 'env' | 'home' | 'out' | 'err'>, rows: UsageRow[], version: string): Promise<number> {
  const found = findStorage(s(values.storage), io.env, io.home);
  const accounts = found.dir ? await readStoredAccounts(found.dir) : undefined;
  const http = new UndiciHttpClient(nullLogger, undefined, envRouter(io.env));
  try {
    return await runExportCommand({
      values,
      env: io.env,
      out: (t) => io.out(t),
      err: (t) => io.err(t),
      idDir: found.dir ?? cliCacheDir(io.env, io.home),
      accounts: accounts && !('error' in accounts) ? accounts.entries : [],
      rows,
      http,
      version,
    });
  } finally {
    await http.close().catch(() => undefined);
  }
}

export async function runExportCommand(i: ExportCliInput): Promise<number> {
  const v = i.values;
  const otlp = s(v.otlp);
  const push = s(v.pushgateway);
  if (!v.once && !v['dry-run']) throw new UsageError('export needs --once (one export, for cron or a CI step) or --dry-run');
  if ((otlp ? 1 : 0) + (push ? 1 : 0) !== 1) throw new UsageError('export needs exactly one of --otlp URL or --pushgateway URL');
  const settings: ExportSettings = {
    target: push ? 'pushgateway' : 'otlp',
    endpoint: (push ?? otlp)!,
    ...(s(v.protocol) ? { protocol: s(v.protocol) } : {}),
    ...(s(v.team) ? { team: s(v.team) } : {}),
    ...(s(v.user) ? { userId: s(v.user) } : {}),
    hashUserId: v['no-hash-user'] !== true,
    includeProjectNames: v['include-projects'] === true,
    ...(s(v.headers) ? { headers: s(v.headers) } : {}),
  };
  if (settings.protocol && !['http/protobuf', 'http/json', 'protobuf', 'json'].includes(settings.protocol)) {
    throw new UsageError(`--protocol must be http/protobuf or http/json, not "${settings.protocol}"`);
  }
  let resolved;
  try {
    const id = s(v.instance) ?? (await instanceId(path.join(i.idDir, 'export')));
    resolved = resolveExport(settings, i.env, { instanceId: id, version: i.version });
  } catch (e) {
    if (e instanceof EndpointError) throw new UsageError(e.message);
    throw e;
  }
  const families = buildFamilies({
    accounts: i.accounts.map((a) => ({ id: a.accountId, providerId: a.providerId ?? 'unknown', snapshot: a.snapshot })),
    usageRows: i.rows,
    salt: resolved.salt,
    includeProjects: resolved.includeProjects,
  });
  const target = createTarget(resolved, i.version);
  if (v['dry-run']) {
    const p = await target.preview(families);
    await target.dispose();
    i.out(`${p.method} ${p.url}\n${Object.entries(p.headers).map(([k, x]) => `${k}: ${x}`).join('\n')}\n${p.note ? `(${p.note})\n` : ''}\n${p.body}`);
    return 0;
  }
  const runner = new ExportRunner({ target, http: i.http, clock: systemClock, log: nullLogger, collect: () => families, intervalMs: resolved.intervalMs, isLeader: () => true });
  try {
    await runner.tick();
    await runner.idle();
    const st = runner.state();
    if (st.status !== 'ok') {
      i.err(`tokstat: export to ${target.url} failed: ${st.lastError ?? 'unknown error'}`);
      return 1;
    }
    i.err(`tokstat: exported ${seriesCount(families)} series to ${target.url}`);
    return 0;
  } finally {
    runner.dispose();
  }
}
