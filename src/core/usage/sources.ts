// Where each agent keeps its logs: the user's folders from settings, the agents' own environment variables, then the
// agents' defaults. Everything is injected (env, home) so tests never look at the real home folder.

import * as path from 'node:path';
import type { LogAgentId } from '../../shared/agents';

export interface UsageSourceOptions {
  /** Claude config folders (each holding `projects/`). */
  claudeConfigDirs?: string[];
  /** Codex homes (each holding `sessions/`, `archived_sessions/`). */
  codexHomes?: string[];
  /** Gemini data folders (default `~/.gemini/tmp`); only `…/chats/*.json(l)` under them are read. */
  geminiDirs?: string[];
  /** opencode data folders (holding `opencode.db`, `storage/message/`). */
  opencodeDirs?: string[];
  /** Copilot CLI homes (each holding `session-state/`). */
  copilotHomes?: string[];
  /** Also use the environment variables and default locations (default true). */
  includeDefaults?: boolean;
  /** Agents to read (default all). */
  agents?: LogAgentId[];
}

export interface ResolvedSources {
  claude: string[];
  codex: string[];
  gemini: string[];
  opencode: string[];
  /** Copilot CLI homes; absent in cursors saved before it was read (treated as none). */
  copilot?: string[];
}

function splitList(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function expand(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return path.resolve(p);
}

const uniq = (xs: string[]) => [...new Set(xs)];

export function resolveSources(opts: UsageSourceOptions, env: Record<string, string | undefined>, home: string): ResolvedSources {
  const defaults = opts.includeDefaults !== false;
  const on = (a: LogAgentId) => !opts.agents || opts.agents.includes(a);
  const claude = [...(opts.claudeConfigDirs ?? [])];
  const codex = [...(opts.codexHomes ?? [])];
  const gemini = [...(opts.geminiDirs ?? [])];
  const opencode = [...(opts.opencodeDirs ?? [])];
  const copilot = [...(opts.copilotHomes ?? [])];
  if (defaults) {
    const ccd = splitList(env.CLAUDE_CONFIG_DIR);
    claude.push(...(ccd.length ? ccd : [path.join(home, '.config', 'claude'), path.join(home, '.claude')]));
    codex.push(env.CODEX_HOME?.trim() || path.join(home, '.codex'));
    const gd = splitList(env.GEMINI_DATA_DIR);
    gemini.push(...(gd.length ? gd : [path.join(home, '.gemini', 'tmp')]));
    opencode.push(env.OPENCODE_DATA_DIR?.trim() || path.join(home, '.local', 'share', 'opencode'));
    // COPILOT_HOME replaces the whole root (§8.5); older builds' XDG folders are migrated to ~/.copilot by the CLI.
    copilot.push(env.COPILOT_HOME?.trim() || path.join(home, '.copilot'));
  }
  const fix = (xs: string[]) => uniq(xs.map((p) => expand(p, home)));
  return {
    claude: on('claude-code') ? fix(claude) : [],
    codex: on('codex') ? fix(codex) : [],
    gemini: on('gemini-cli') ? fix(gemini) : [],
    opencode: on('opencode') ? fix(opencode) : [],
    copilot: on('copilot-cli') ? fix(copilot) : [],
  };
}

/** Folders worth watching for changes. */
export function watchRoots(s: ResolvedSources): string[] {
  return uniq([
    ...s.claude.map((d) => path.join(d, 'projects')),
    ...s.codex.flatMap((d) => [path.join(d, 'sessions'), path.join(d, 'archived_sessions')]),
    ...s.gemini,
    ...s.opencode,
    ...(s.copilot ?? []).map((d) => path.join(d, 'session-state')),
  ]);
}
