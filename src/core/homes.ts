// Several homes per agent (issue #20 §1): the folders a Claude Code, Codex CLI or Gemini CLI sign-in can live in, which one an
// account uses, whether a sign-in is already tracked by another account, and which account a local log belongs to.
// vscode-free: Add Account (src/commands/addAccount.ts) asks the questions, this module answers them.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Account } from '../shared/model';
import { displayPath, expandHome } from './providers/credentialFiles';
import type { CredentialEnv } from './providers/types';

/** How one agent's homes are found and remembered. */
export interface HomeKind {
  providerId: string;
  /** The agent whose local logs live under the home (src/shared/agents.ts). */
  agent: string;
  /** The account setting its provider reads the folder from (`configDir`, `codexHome`, `geminiHome`). */
  settingKey: string;
  /** The folder's credential file, relative to it. */
  credentialFile: string;
  /** Folders in the home folder whose names start with this (`.claude-work`, `.codex2`) are offered too. */
  prefix: string;
  /** The environment variable naming the home (a comma-separated list for Claude Code). */
  envVar: string;
  /** The home an entry of `envVar` names, when it is not the entry itself (GEMINI_CLI_HOME=X reads `X/.gemini`). */
  fromEnv?(entry: string): string;
  /** The tokstat.localUsage setting listing more of its folders. */
  localUsageSetting: 'claudeConfigDirs' | 'codexHomes' | 'geminiDirs';
  /** The home an entry of that setting is in, when it is not the entry itself (`~/.gemini/tmp` is in `~/.gemini`). */
  fromSetting?(entry: string): string;
  /** The folder the tool uses when nothing says otherwise. */
  defaultDir(env: CredentialEnv): string;
}

export const HOME_KINDS: readonly HomeKind[] = [
  { providerId: 'claude', agent: 'claude-code', settingKey: 'configDir', credentialFile: '.credentials.json', prefix: '.claude', envVar: 'CLAUDE_CONFIG_DIR', localUsageSetting: 'claudeConfigDirs', defaultDir: (e) => path.join(e.home, '.claude') },
  { providerId: 'codex', agent: 'codex', settingKey: 'codexHome', credentialFile: 'auth.json', prefix: '.codex', envVar: 'CODEX_HOME', localUsageSetting: 'codexHomes', defaultDir: (e) => path.join(e.home, '.codex') },
  {
    providerId: 'gemini-cli',
    agent: 'gemini-cli',
    settingKey: 'geminiHome',
    credentialFile: 'oauth_creds.json',
    prefix: '.gemini',
    envVar: 'GEMINI_CLI_HOME',
    fromEnv: (d) => path.join(d, '.gemini'),
    localUsageSetting: 'geminiDirs',
    // Its logs setting lists chat folders (`~/.gemini/tmp`, like GEMINI_DATA_DIR); the sign-in is one level up.
    fromSetting: (d) => (path.basename(path.resolve(d)) === 'tmp' ? path.dirname(path.resolve(d)) : d),
    defaultDir: (e) => path.join(e.home, '.gemini'),
  },
];

/** The homes the entries of a kind's environment variable name. */
function envHomes(kind: HomeKind, env: CredentialEnv): string[] {
  const entries = (env.env[kind.envVar] ?? '').split(',').filter((d) => d.trim());
  return entries.map((d) => {
    const dir = expandHome(d, env);
    return kind.fromEnv ? kind.fromEnv(dir) : dir;
  });
}

export function homeKind(providerId: string): HomeKind | undefined {
  return HOME_KINDS.find((k) => k.providerId === providerId);
}

/** Where a home was found, for the picker's description. */
export type HomeOrigin = 'default' | 'environment' | 'setting' | 'found';

export interface FoundHome {
  dir: string;
  /** `~/…` where it is under the home folder. */
  shown: string;
  origin: HomeOrigin;
  /** Its credential file exists (a sign-in to offer first). */
  signedIn: boolean;
}

/** The file system calls homes need (injected in tests). */
export interface HomesFs {
  readdir(dir: string): Promise<string[]>;
  isDirectory(p: string): Promise<boolean>;
  isFile(p: string): Promise<boolean>;
  realpath(p: string): Promise<string>;
}

const stat = async (p: string) => fsp.stat(p).catch(() => undefined);
export const nodeHomesFs: HomesFs = {
  readdir: (dir) => fsp.readdir(dir).catch(() => []),
  isDirectory: async (p) => (await stat(p))?.isDirectory() === true,
  isFile: async (p) => (await stat(p))?.isFile() === true,
  realpath: (p) => fsp.realpath(p).catch(() => path.resolve(p)),
};

/** At most this many folders are offered (a home folder with hundreds of `.codex*` entries is not a reason to stall). */
const MAX_HOMES = 50;

/**
 * Every home of an agent this machine has, in the order offered: the default, each entry of the tool's environment
 * variable, the `~/<prefix>*` folders, then `extraDirs` (tokstat.localUsage.*Dirs). Only existing folders, each once
 * (by its real path).
 */
export async function findHomes(kind: HomeKind, env: CredentialEnv, extraDirs: readonly string[], fs: HomesFs = nodeHomesFs): Promise<FoundHome[]> {
  const wanted: Array<{ dir: string; origin: HomeOrigin }> = [{ dir: kind.defaultDir(env), origin: 'default' }];
  for (const dir of envHomes(kind, env)) wanted.push({ dir, origin: 'environment' });
  const names = (await fs.readdir(env.home)).filter((n) => n.startsWith(kind.prefix)).sort();
  for (const n of names) wanted.push({ dir: path.join(env.home, n), origin: 'found' });
  for (const d of extraDirs) {
    if (typeof d !== 'string' || !d.trim()) continue;
    const dir = expandHome(d, env);
    wanted.push({ dir: kind.fromSetting ? kind.fromSetting(dir) : dir, origin: 'setting' });
  }
  const out: FoundHome[] = [];
  const seen = new Set<string>();
  for (const w of wanted) {
    if (out.length >= MAX_HOMES) break;
    if (!(await fs.isDirectory(w.dir))) continue;
    const real = await fs.realpath(w.dir);
    if (seen.has(real)) continue;
    seen.add(real);
    const signedIn = await fs.isFile(path.join(w.dir, kind.credentialFile));
    out.push({ dir: w.dir, shown: displayPath(w.dir, env), origin: w.origin, signedIn });
  }
  // Folders with a sign-in first; otherwise the order above.
  return [...out.filter((h) => h.signedIn), ...out.filter((h) => !h.signedIn)];
}

/**
 * The home an account reads its sign-in from: the folder it remembers (`home`, then its provider's setting), else the
 * tool's own default (the first entry of its environment variable, else the default folder).
 */
export function accountHome(kind: HomeKind, account: Pick<Account, 'settings'>, env: CredentialEnv): string {
  for (const key of ['home', kind.settingKey]) {
    const v = account.settings[key];
    if (typeof v === 'string' && v.trim()) return expandHome(v, env);
  }
  return envHomes(kind, env)[0] ?? kind.defaultDir(env);
}

/**
 * The settings that make an account remember its home: always `home`; the provider's own key too unless the tool
 * would find this folder by itself (the default folder with the environment variable unset: on macOS that is also
 * what lets the Claude provider read the Keychain).
 */
export function homeSettings(kind: HomeKind, dir: string, env: CredentialEnv): Record<string, string> {
  const settings: Record<string, string> = { home: dir };
  const toolsOwn = !env.env[kind.envVar]?.trim() && path.resolve(dir) === path.resolve(kind.defaultDir(env));
  if (!toolsOwn) settings[kind.settingKey] = dir;
  return settings;
}

/**
 * What identifies a sign-in across accounts: the account (or organisation) id the vendor returned, else the real path
 * of its credential file. Stored on the account as `credentialKey`.
 */
export function credentialKey(providerId: string, vendorKey: string | undefined, credentialFile: string): string {
  return vendorKey ? `${providerId}:${vendorKey}` : `${providerId}:file:${credentialFile}`;
}

/**
 * The account that already tracks this sign-in: the same provider and either the same `credentialKey` or the same
 * home (by real path, so `~/.claude` and a link to it are one). Accounts added before homes were remembered are
 * compared by the home their settings imply.
 */
export async function findDuplicate(
  accounts: readonly Account[],
  kind: HomeKind,
  candidate: { key?: string; home?: string },
  env: CredentialEnv,
  fs: Pick<HomesFs, 'realpath'> = nodeHomesFs,
): Promise<Account | undefined> {
  const home = candidate.home ? await fs.realpath(candidate.home) : undefined;
  for (const a of accounts) {
    if (a.providerId !== kind.providerId) continue;
    if (candidate.key && a.settings.credentialKey === candidate.key) return a;
    if (home && (await fs.realpath(accountHome(kind, a, env))) === home) return a;
  }
  return undefined;
}

/** Which account a local session belongs to (spend attribution), or undefined. */
export type SessionOwnerFn = (agent: string, sessionId: string) => { id: string; label: string } | undefined;

const UUID_TAIL = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** Gemini CLI names a chat `session-<time>-<first 8 hex digits of the session id>.json`. */
const SHORT_TAIL = /-([0-9a-f]{8})$/i;
const shortKey = (id: string) => `short:${id.slice(0, 8).toLowerCase()}`;

/**
 * Attributes sessions to accounts by the home their log file is under: `files` are the usage index's log paths,
 * `homes` each account's home. A Claude Code log is `<home>/projects/<project>/<session id>.jsonl`, a Codex one
 * `<home>/sessions/…/rollout-<time>-<session id>.jsonl`, a Gemini CLI one `<home>/tmp/<project>/chats/session-<time>-<first
 * 8 digits of the session id>.json`. A session found under no account's home, or under two
 * accounts' homes, is nobody's.
 */
export function sessionOwner(files: Iterable<string>, homes: ReadonlyArray<{ agent: string; dir: string; id: string; label: string }>): SessionOwnerFn {
  const byKey = new Map<string, { id: string; label: string } | null>();
  const roots = homes.map((h) => ({ ...h, root: path.resolve(h.dir) + path.sep }));
  for (const f of files) {
    const abs = path.resolve(f);
    const owners = roots.filter((h) => abs.startsWith(h.root));
    if (owners.length === 0) continue;
    const base = path.basename(abs).replace(/\.jsonl?$/i, '');
    for (const o of owners) {
      const short = SHORT_TAIL.exec(base)?.[1];
      const ids = new Set([base, UUID_TAIL.exec(base)?.[1]?.toLowerCase(), short && shortKey(short)].filter((x): x is string => !!x));
      for (const id of ids) {
        const key = `${o.agent}\u0000${id}`;
        const prev = byKey.get(key);
        // Two accounts claiming one session (nested homes): nobody's, rather than a guess.
        byKey.set(key, prev === undefined || prev?.id === o.id ? { id: o.id, label: o.label } : null);
      }
    }
  }
  const get = (agent: string, id: string) => byKey.get(`${agent}\u0000${id}`);
  return (agent, sessionId) => get(agent, sessionId) ?? get(agent, sessionId.toLowerCase()) ?? get(agent, shortKey(sessionId)) ?? undefined;
}
