// "tokstat: Install 'tokstat' Command in PATH", like VS Code's own `code` command: a small launcher in a folder on
// the user's PATH that runs the CLI bundled with the extension (dist/cli.js) with the editor's own runtime
// (Electron run as Node, or Node in a remote/server host), so nothing else needs to be installed. The launcher is
// marked as ours: only ours is ever rewritten (after an update moves the extension's folder) or removed; a `tokstat`
// the user installed otherwise (npm install -g tokstat) is never touched.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SHIM_MARK = 'tokstat-cli-launcher';

export interface ShimTarget {
  /** The runtime: the extension host's process.execPath. */
  execPath: string;
  /** The CLI bundle: <extension>/dist/cli.js. */
  cliPath: string;
  platform: NodeJS.Platform;
}

export interface ShimPlace {
  dir: string;
  file: string;
  /** Whether `dir` is on the PATH the editor was started with. */
  onPath: boolean;
}

/** The launcher's text: a POSIX shell script, or a .cmd file on Windows. */
export function shimContent(t: ShimTarget): string {
  if (t.platform === 'win32') {
    return [`@echo off`, `rem ${SHIM_MARK}: written by tokstat for VS Code; rewritten when the extension updates.`, `set ELECTRON_RUN_AS_NODE=1`, `"${t.execPath}" "${t.cliPath}" %*`, ''].join('\r\n');
  }
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    `# ${SHIM_MARK}: written by tokstat for VS Code ("tokstat: Install 'tokstat' Command in PATH"); rewritten when the extension updates.`,
    `ELECTRON_RUN_AS_NODE=1 exec ${q(t.execPath)} ${q(t.cliPath)} "$@"`,
    '',
  ].join('\n');
}

/**
 * How an editor starts `tokstat mcp` itself (VS Code's MCP server definition provider): the same runtime and bundle
 * as the launcher, without going through PATH, reading this editor's storage folder.
 */
export function mcpLaunch(t: Pick<ShimTarget, 'execPath' | 'cliPath'>, storage: string): { command: string; args: string[]; env: Record<string, string> } {
  return { command: t.execPath, args: [t.cliPath, 'mcp', '--storage', storage], env: { ELECTRON_RUN_AS_NODE: '1' } };
}

function pathDirs(env: Record<string, string | undefined>, platform: NodeJS.Platform): string[] {
  const raw = env.PATH ?? env.Path ?? '';
  return raw.split(platform === 'win32' ? ';' : ':').filter(Boolean).map((d) => path.resolve(d));
}

/**
 * Where the launcher goes: on POSIX the first of ~/.local/bin and ~/bin that is on PATH, else ~/.local/bin (the
 * message then says to add it); on Windows %LOCALAPPDATA%\tokstat\bin. Never a folder that needs administrator rights.
 */
export function shimPlace(env: Record<string, string | undefined>, home: string, platform: NodeJS.Platform): ShimPlace {
  const onPath = new Set(pathDirs(env, platform));
  if (platform === 'win32') {
    const dir = path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'tokstat', 'bin');
    return { dir, file: path.join(dir, 'tokstat.cmd'), onPath: onPath.has(path.resolve(dir)) };
  }
  const candidates = [path.join(home, '.local', 'bin'), path.join(home, 'bin')];
  const dir = candidates.find((d) => onPath.has(path.resolve(d))) ?? candidates[0]!;
  return { dir, file: path.join(dir, 'tokstat'), onPath: onPath.has(path.resolve(dir)) };
}

export type ShimState = 'absent' | 'ours-current' | 'ours-outdated' | 'foreign';

export function shimState(place: ShimPlace, t: ShimTarget): ShimState {
  let text: string;
  try {
    const st = fs.lstatSync(place.file);
    if (!st.isFile() || st.size > 64 * 1024) return 'foreign';
    text = fs.readFileSync(place.file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'foreign';
  }
  if (!text.includes(SHIM_MARK)) return 'foreign';
  return text === shimContent(t) ? 'ours-current' : 'ours-outdated';
}

export type InstallResult = { ok: true; place: ShimPlace; changed: boolean } | { ok: false; place: ShimPlace; reason: 'foreign' };

/** Writes the launcher (0755) unless a `tokstat` that is not ours is there. */
export function installShim(place: ShimPlace, t: ShimTarget): InstallResult {
  const state = shimState(place, t);
  if (state === 'foreign') return { ok: false, place, reason: 'foreign' };
  if (state === 'ours-current') return { ok: true, place, changed: false };
  fs.mkdirSync(place.dir, { recursive: true });
  const tmp = `${place.file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, shimContent(t), { mode: 0o755 });
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, place.file);
  return { ok: true, place, changed: true };
}

/** Removes the launcher if it is ours; returns what it found. */
export function uninstallShim(place: ShimPlace, t: ShimTarget): ShimState {
  const state = shimState(place, t);
  if (state === 'ours-current' || state === 'ours-outdated') fs.rmSync(place.file, { force: true });
  return state;
}

/** At activation: an installed launcher of ours that points at an older extension folder is rewritten. */
export function refreshShim(place: ShimPlace, t: ShimTarget): boolean {
  if (shimState(place, t) !== 'ours-outdated') return false;
  return installShim(place, t).ok;
}
