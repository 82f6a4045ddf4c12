// Read-only SQLite access for opencode's database through sql.js (SQLite compiled to WebAssembly): it installs from
// npm without native binaries, so it runs in VS Code's extension host and in a worker on every platform. The .wasm is
// read from disk and handed over as bytes (no fetch, no network).

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The small part of sql.js used here (the package ships no types). */
interface SqlJsStatic {
  Database: new (data?: Uint8Array) => SqlJsDatabase;
}
export interface SqlJsDatabase {
  exec(sql: string, params?: unknown[]): Array<{ columns: string[]; values: unknown[][] }>;
  prepare(sql: string): { step(): boolean; get(): unknown[]; free(): void; bind(values?: unknown[]): boolean };
  run(sql: string, params?: unknown[]): void;
  export(): Uint8Array;
  close(): void;
}

let loading: Promise<SqlJsStatic> | undefined;
let loadingPath: string | undefined;

/** Where sql-wasm.wasm is: next to the bundle (dist/, copied by the build) or in node_modules during development. */
export function defaultSqlWasmPath(): string | undefined {
  const candidates = [path.join(__dirname, 'sql-wasm.wasm')];
  try {
    candidates.push(path.join(path.dirname(require.resolve('sql.js')), 'sql-wasm.wasm'));
  } catch {
    /* not installed: opencode databases are skipped */
  }
  return candidates.find((p) => fs.existsSync(p));
}

export function loadSqlJs(wasmPath?: string): Promise<SqlJsStatic> {
  const p = wasmPath ?? defaultSqlWasmPath();
  if (!p) return Promise.reject(new Error('sql-wasm.wasm not found'));
  if (loading && loadingPath === p) return loading;
  loadingPath = p;
  loading = (async () => {
    // Required lazily: users without opencode never pay for loading SQLite.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const init = require('sql.js') as (cfg: { wasmBinary: Uint8Array }) => Promise<SqlJsStatic>;
    const wasmBinary = await fs.promises.readFile(p);
    return init({ wasmBinary: new Uint8Array(wasmBinary.buffer, wasmBinary.byteOffset, wasmBinary.byteLength) });
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * Opens a copy of a database file in memory. sql.js has no WAL support, so a WAL-mode header (bytes 18/19 = 2) is
 * switched to rollback mode on the in-memory copy; rows still only in the -wal file appear after SQLite checkpoints.
 */
export function openDatabaseBytes(sql: SqlJsStatic, bytes: Uint8Array): SqlJsDatabase {
  if (bytes.length > 19 && bytes[18] === 2 && bytes[19] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return new sql.Database(bytes);
}

export interface OpencodeRow {
  id: string;
  sessionId?: string;
  data: string;
}

export function readOpencodeMessages(db: SqlJsDatabase): OpencodeRow[] {
  const rows: OpencodeRow[] = [];
  const stmt = db.prepare('SELECT id, session_id, data FROM message');
  try {
    while (stmt.step()) {
      const [id, session, data] = stmt.get();
      if (typeof id !== 'string' || typeof data !== 'string') continue;
      rows.push({ id, ...(typeof session === 'string' ? { sessionId: session } : {}), data });
    }
  } finally {
    stmt.free();
  }
  return rows;
}
