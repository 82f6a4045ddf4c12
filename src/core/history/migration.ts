// Migration of older history layouts to the current one (v1 → v2). Run by the writer before it writes or compacts.

import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Logger } from '../log';
import { mkdirPrivate, writeFilePrivate } from '../privateFs';
import { isValidAccountId } from '../state/snapshotStore';
import { dayKey, pointLine } from './format';
import { errMsg, statOrUndefined } from './files';
import type { HistoryPoint } from './types';

/**
 * v1 (the pre-release layout: `<folder>/<accountId>.jsonl`, one JSON object per sample, no checksums or tiers)
 * → v2. Each account is written into a staging folder that is renamed into place, then the v1 file is renamed
 * to `.migrated`; a crash at any step is resumed on the next start without duplicating points. Returns false when
 * an account failed (it is retried on the next start).
 */
export async function migrateV1(root: string, v2: string, log: Logger): Promise<boolean> {
  let ok = true;
  let names: string[];
  try {
    names = await fsp.readdir(root);
  } catch {
    return ok;
  }
  for (const name of names) {
    if (!name.endsWith('.jsonl')) continue;
    const accountId = name.slice(0, -'.jsonl'.length);
    if (!isValidAccountId(accountId)) continue;
    const v1 = path.join(root, name);
    const target = path.join(v2, accountId);
    try {
      if (!(await statOrUndefined(target))) {
        const staging = path.join(v2, `.migrating-${accountId}`);
        await fsp.rm(staging, { recursive: true, force: true });
        await mkdirPrivate(v2);
        await mkdirPrivate(staging);
        const byDay = new Map<string, string[]>();
        let good = 0;
        let bad = 0;
        const rows = (await fsp.readFile(v1, 'utf8')).split('\n');
        const seq: Array<[string, HistoryPoint]> = [];
        for (const row of rows) {
          if (!row.trim()) continue;
          const d = parseV1(row);
          if (!d) {
            bad++;
            continue;
          }
          good++;
          seq.push(d);
        }
        seq.sort((a, b) => a[1].t - b[1].t);
        for (const [meterId, p] of seq) {
          const k = dayKey(p.t);
          let arr = byDay.get(k);
          if (!arr) byDay.set(k, (arr = []));
          arr.push(pointLine(meterId, p));
        }
        for (const [k, lines] of byDay) await writeFilePrivate(path.join(staging, `raw-${k}.log`), lines.join(''), 'latin1');
        await fsp.rename(staging, target);
        log.info(`migrated ${good} v1 history samples of ${accountId}${bad ? ` (${bad} unreadable lines skipped)` : ''}`);
      }
      await fsp.rename(v1, `${v1}.migrated`);
    } catch (e) {
      log.warn(`migration of ${accountId} failed, will retry on next start: ${errMsg(e)}`);
      ok = false;
    }
  }
  return ok;
}

function parseV1(row: string): [string, HistoryPoint] | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(row) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || typeof v.meter !== 'string' || !v.meter) return undefined;
  const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  const t = num(v.t);
  if (t === undefined) return undefined;
  const p: HistoryPoint = { t: Math.round(t) };
  for (const k of ['used', 'limit', 'remaining', 'percentUsed'] as const) {
    const n = num(v[k]);
    if (n !== undefined) p[k] = n;
  }
  const r = num(v.resetsAt);
  if (r !== undefined) p.resetsAt = Math.round(r);
  if (v.source === 'official' || v.source === 'vendor-undocumented' || v.source === 'headers' || v.source === 'estimate') p.source = v.source;
  return [v.meter, p];
}
