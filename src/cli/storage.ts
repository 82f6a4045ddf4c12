// Where the extension keeps its global storage (snapshots, price cache, API usage), per editor and platform, so the
// CLI can read what the extension wrote. The CLI never reads SecretStorage and never polls.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const EXTENSION_ID = 'tokstat.tokstat';
const PRODUCTS = ['Code', 'Code - Insiders', 'VSCodium', 'Cursor', 'Windsurf'];
/**
 * Where the remote servers keep their data, under the remote user's home: VS Code Server (Remote-SSH, WSL, Dev
 * Containers, tunnels), its Insiders build, Codespaces (`.vscode-remote`), and the servers of Cursor, Windsurf and
 * VSCodium.
 */
const SERVERS = ['.vscode-server', '.vscode-server-insiders', '.vscode-remote', '.cursor-server', '.windsurf-server', '.vscodium-server'];

/** Candidate global storage folders, most common first. */
export function storageCandidates(env: Record<string, string | undefined>, home: string, platform: NodeJS.Platform = process.platform): string[] {
  const out: string[] = [];
  const user = (base: string) => PRODUCTS.map((p) => path.join(base, p, 'User', 'globalStorage', EXTENSION_ID));
  if (platform === 'win32') {
    out.push(...user(env.APPDATA ?? path.join(home, 'AppData', 'Roaming')));
  } else if (platform === 'darwin') {
    out.push(...user(path.join(home, 'Library', 'Application Support')));
  } else {
    out.push(...user(env.XDG_CONFIG_HOME ?? path.join(home, '.config')));
  }
  out.push(path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'code-server', 'User', 'globalStorage', EXTENSION_ID));
  if (platform !== 'win32') out.push(...SERVERS.map((s) => path.join(home, s, 'data', 'User', 'globalStorage', EXTENSION_ID)));
  return out;
}

/**
 * The folder to use: `--storage`, else `TOKSTAT_STORAGE`, else the candidate whose `snapshots/` folder changed last
 * (several editors may have the extension installed).
 */
export function findStorage(explicit: string | undefined, env: Record<string, string | undefined>, home: string): { dir?: string; tried: string[] } {
  if (explicit) return { dir: path.resolve(explicit), tried: [path.resolve(explicit)] };
  if (env.TOKSTAT_STORAGE) return { dir: path.resolve(env.TOKSTAT_STORAGE), tried: [path.resolve(env.TOKSTAT_STORAGE)] };
  const tried = storageCandidates(env, home);
  let best: { dir: string; mtime: number } | undefined;
  for (const dir of tried) {
    try {
      const st = fs.statSync(path.join(dir, 'snapshots'));
      if (!best || st.mtimeMs > best.mtime) best = { dir, mtime: st.mtimeMs };
    } catch {
      try {
        if (!best && fs.statSync(dir).isDirectory()) best = { dir, mtime: 0 };
      } catch {
        /* not there */
      }
    }
  }
  return best ? { dir: best.dir, tried } : { tried };
}
