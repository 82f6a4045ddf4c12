// "tokstat: Delete Local Data": everything tokstat wrote under its storage folder (snapshots, history, the agent-usage
// index, API usage records, alert state, the cached price list, locks). The stores of a running window hold some of
// it open and write on shutdown, so the command only leaves a marker and reloads the window; the next activation
// removes the folder's contents before any store opens.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirPrivateSync, PRIVATE_FILE_MODE } from './privateFs';

export const DELETE_MARKER = '.delete-local-data';

export function requestLocalDataDeletion(storage: string, now = Date.now()): void {
  mkdirPrivateSync(storage);
  fs.writeFileSync(path.join(storage, DELETE_MARKER), String(now), { mode: PRIVATE_FILE_MODE });
}

/** At activation, before any store opens: when asked, empties the storage folder. Returns what it removed. */
export function deleteLocalDataIfRequested(storage: string): string[] | undefined {
  if (!fs.existsSync(path.join(storage, DELETE_MARKER))) return undefined;
  const removed: string[] = [];
  for (const name of fs.readdirSync(storage)) {
    fs.rmSync(path.join(storage, name), { recursive: true, force: true, maxRetries: 3 });
    if (name !== DELETE_MARKER) removed.push(name);
  }
  return removed.sort();
}
