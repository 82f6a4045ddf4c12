// The GitHub CLI's stored sign-in (`gh auth login`), read-only, as a credential source for Copilot accounts.
// gh keeps `hosts.yml` in $GH_CONFIG_DIR, else $XDG_CONFIG_HOME/gh, else ~/.config/gh (%AppData%\GitHub CLI on
// Windows). Its token is in that file only when gh could not use the system keyring (or `--insecure-storage`);
// otherwise tokstat asks gh itself (`gh auth token --hostname <host>`, which reads the keyring). Either way tokstat
// never copies the token and reads it again before every poll.
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { ProviderError } from '../errors';
import type { Account } from '../../shared/model';
import type { CredentialEnv, CredentialFileSource } from './types';

export interface GhHostEntry {
  host: string;
  user?: string;
  token?: string;
}

/** Parses the subset of YAML gh writes: `host:` blocks with `user`, `oauth_token`, and the newer `users:` map. */
export function parseGhHosts(text: string): GhHostEntry[] {
  const out: Array<GhHostEntry & { users: Map<string, string> }> = [];
  let current: (GhHostEntry & { users: Map<string, string> }) | undefined;
  let usersIndent = -1;
  let userInUsers: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(raw)) continue;
    const indent = raw.length - raw.trimStart().length;
    const m = /^\s*([^:#]+?):\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    const key = m[1]!.trim().replace(/^["']|["']$/g, '');
    const value = m[2]!.replace(/^["']|["']$/g, '');
    if (indent === 0) {
      current = { host: key, users: new Map() };
      out.push(current);
      usersIndent = -1;
      continue;
    }
    if (!current) continue;
    if (usersIndent >= 0 && indent <= usersIndent) usersIndent = -1;
    if (usersIndent >= 0) {
      // Inside `users:` (gh ≥ 2.40 multi-account): `<login>:` then its `oauth_token:` when stored in the file.
      if (value === '') userInUsers = key;
      else if (key === 'oauth_token' && userInUsers) current.users.set(userInUsers, value);
      continue;
    }
    if (key === 'users' && value === '') {
      usersIndent = indent;
      userInUsers = undefined;
    } else if (key === 'user') current.user = value;
    else if (key === 'oauth_token' && value) current.token = value;
  }
  return out.map(({ users, ...e }) => {
    // The active account's token: the top-level one, else the one stored under `users.<user>`.
    const token = e.token ?? (e.user ? users.get(e.user) : undefined);
    return { host: e.host, ...(e.user ? { user: e.user } : {}), ...(token ? { token } : {}) };
  });
}

/** gh's own order: GH_CONFIG_DIR alone when set; else $XDG_CONFIG_HOME/gh, %AppData%\GitHub CLI (Windows), ~/.config/gh. */
export function ghHostsCandidates(env: CredentialEnv): string[] {
  const gh = env.env.GH_CONFIG_DIR?.trim();
  if (gh) return [path.join(gh, 'hosts.yml')];
  const out: string[] = [];
  const xdg = env.env.XDG_CONFIG_HOME?.trim();
  if (xdg) out.push(path.join(xdg, 'gh', 'hosts.yml'));
  const appData = (env.env.AppData ?? env.env.APPDATA)?.trim();
  if (env.platform === 'win32' && appData) out.push(path.join(appData, 'GitHub CLI', 'hosts.yml'));
  out.push(path.join(env.home, '.config', 'gh', 'hosts.yml'));
  return [...new Set(out)];
}

/** The host a Copilot account reads from gh: github.com, or its enterprise host. */
function wantedHost(account?: Pick<Account, 'settings'>): string {
  const h = account?.settings.enterpriseHost;
  return typeof h === 'string' && h ? h : 'github.com';
}

/** Longest a `gh auth token` may take (it may wait on the keyring); its output is a token, a few hundred bytes at most. */
const GH_TIMEOUT_MS = 10_000;
const GH_MAX_OUTPUT = 16 * 1024;

/**
 * The token gh keeps for `host` in the system keyring: `gh auth token --hostname <host>`, run without a shell, with
 * the user's PATH. Undefined when gh is not installed or has no token for the host; never logs or returns its output
 * in an error (it is the token).
 */
export function ghAuthToken(env: CredentialEnv, host: string): Promise<string | undefined> {
  const exe = env.platform === 'win32' ? 'gh.exe' : 'gh';
  const childEnv: Record<string, string> = {};
  for (const k of ['PATH', 'Path', 'HOME', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'XDG_CONFIG_HOME', 'GH_CONFIG_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'SystemRoot']) {
    const v = env.env[k];
    if (v !== undefined) childEnv[k] = v;
  }
  return new Promise((resolve) => {
    execFile(exe, ['auth', 'token', '--hostname', host], { env: childEnv, timeout: GH_TIMEOUT_MS, maxBuffer: GH_MAX_OUTPUT, windowsHide: true, shell: false }, (err, stdout) => {
      const token = typeof stdout === 'string' ? stdout.trim() : '';
      resolve(!err && /^[A-Za-z0-9_]{20,255}$/.test(token) ? token : undefined);
    });
  });
}

export const ghCliCredentialSource: CredentialFileSource = {
  tool: 'GitHub CLI',
  signInHint: 'gh auth login',
  candidates: (env, account) => {
    const dir = account?.settings.configDir;
    return typeof dir === 'string' && dir ? [path.join(dir, 'hosts.yml')] : ghHostsCandidates(env);
  },
  async read(env, account) {
    const host = wantedHost(account);
    for (const file of ghCliCredentialSource.candidates(env, account)) {
      let text: string;
      try {
        const st = await fsp.stat(file);
        if (!st.isFile() || st.size > 256 * 1024) continue;
        text = await fsp.readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new ProviderError('config', `Could not read the GitHub CLI's ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
      const entry = parseGhHosts(text).find((e) => e.host === host);
      if (!entry) continue;
      if (!entry.token) {
        // The token is in the system keyring: gh hands it out itself.
        const token = await ghAuthToken(env, host);
        if (token) return { credential: token, ...(entry.user ? { suggestedName: entry.user } : {}) };
        throw new ProviderError(
          'auth',
          `The GitHub CLI keeps its ${host} token in the system keyring and \`gh auth token --hostname ${host}\` gave none (is gh on the PATH VS Code sees?). Run \`gh auth login\`, or use a GitHub account signed in to VS Code instead.`,
        );
      }
      return { credential: entry.token, ...(entry.user ? { suggestedName: entry.user } : {}) };
    }
    throw new ProviderError('auth', `The GitHub CLI is not signed in to ${host} on this machine — run \`gh auth login\`.`);
  },
};
