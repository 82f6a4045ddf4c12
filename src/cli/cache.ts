// The CLI's own cache folder, by platform convention: $XDG_CACHE_HOME/tokstat or ~/.cache/tokstat (Linux and other
// Unixes), ~/Library/Caches/tokstat (macOS), %LOCALAPPDATA%\tokstat\Cache (Windows). It holds the price list the
// CLI downloaded and when a download last failed, so a machine without network tries again only after an hour and
// says so in one quiet line instead of an error on every run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirPrivateSync, PRIVATE_FILE_MODE } from '../core/privateFs';

export function cliCacheDir(env: Record<string, string | undefined>, home: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'tokstat', 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'tokstat');
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), 'tokstat');
}

const STAMP = 'prices-failed-at';

/** When a price-list download last failed (ms), if it did. */
export function lastPriceFailure(dir: string): number | undefined {
  try {
    const v = Number(fs.readFileSync(path.join(dir, STAMP), 'utf8').trim());
    return Number.isFinite(v) && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

export function recordPriceFailure(dir: string, at: number): void {
  try {
    mkdirPrivateSync(dir);
    fs.writeFileSync(path.join(dir, STAMP), String(at), { mode: PRIVATE_FILE_MODE });
  } catch {
    /* a read-only home: the next run simply tries again */
  }
}

export function clearPriceFailure(dir: string): void {
  fs.rmSync(path.join(dir, STAMP), { force: true });
}
