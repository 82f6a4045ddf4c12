// Reads what the extension stored: one snapshot file per account (`<storage>/snapshots/<id>.json`, validated like
// the extension does) and the account names it mirrors to `<storage>/accounts.json`. Used by `quota` and `guard`.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { validateAccountState } from '../core/state/snapshotStore';
import type { Snapshot } from '../shared/model';

export interface StoredAccount {
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

/** The valid stored snapshots, by file name; a message saying why when the folder cannot be read. */
export async function readStoredAccounts(storage: string): Promise<{ entries: StoredAccount[]; folder: string } | { error: string }> {
  const folder = path.join(storage, 'snapshots');
  let names: string[];
  try {
    names = (await fsp.readdir(folder)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return { error: `no snapshots in ${folder}: open VS Code with tokstat and add an account first.` };
  }
  const [labels, states] = await Promise.all([
    accountNames(storage),
    Promise.all(names.map((n) => fsp.readFile(path.join(folder, n), 'utf8').catch(() => undefined))),
  ]);
  const entries: StoredAccount[] = [];
  names.forEach((n, i) => {
    const id = n.slice(0, -5);
    const text = states[i];
    if (text === undefined) return;
    try {
      const state = JSON.parse(text) as unknown;
      if (validateAccountState(state, id)) return;
      const snap = (state as { snapshot?: Snapshot }).snapshot;
      if (!snap) return;
      entries.push({ accountId: id, ...labels.get(id), snapshot: snap });
    } catch {
      /* a file being replaced or corrupt: skip */
    }
  });
  return { entries, folder };
}
