// The agents' own folder variables (CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_DATA_DIR, OPENCODE_DATA_DIR) as the CLI's
// usage report reads them. A variable that points at a file, at nothing, or at the filesystem root would otherwise
// give "No usage found" and exit 0: these checks say what is wrong instead.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { AgentId } from '../core/usage/types';

interface AgentVar {
  name: string;
  agent: Exclude<AgentId, 'api'>;
  /** A comma-separated list of folders (as sources.ts reads it). */
  list: boolean;
  /** What the folder should be, for the message. */
  what: string;
}

const VARS: readonly AgentVar[] = [
  { name: 'CLAUDE_CONFIG_DIR', agent: 'claude-code', list: true, what: "Claude Code's config folder (the one holding projects/)" },
  { name: 'CODEX_HOME', agent: 'codex', list: false, what: "Codex CLI's home folder (the one holding sessions/)" },
  { name: 'GEMINI_DATA_DIR', agent: 'gemini-cli', list: true, what: "Gemini CLI's data folder (~/.gemini/tmp)" },
  { name: 'OPENCODE_DATA_DIR', agent: 'opencode', list: false, what: "opencode's data folder (the one holding opencode.db)" },
  { name: 'COPILOT_HOME', agent: 'copilot-cli', list: false, what: "GitHub Copilot CLI's home (~/.copilot, holding session-state/)" },
];

function expand(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return path.resolve(p);
}

/** One message per variable that is set for an agent being read and does not name a usable folder. */
export async function agentEnvProblems(env: Readonly<Record<string, string | undefined>>, home: string, agents: readonly AgentId[]): Promise<string[]> {
  const problems: string[] = [];
  for (const v of VARS) {
    if (!agents.includes(v.agent)) continue;
    const raw = env[v.name];
    if (raw === undefined || raw.trim() === '') continue;
    const entries = v.list ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [raw.trim()];
    for (const entry of entries) {
      const p = expand(entry, home);
      const shown = JSON.stringify(entry);
      if (path.parse(p).root === p) {
        problems.push(`${v.name} is ${shown}, the filesystem root: set it to ${v.what}.`);
        continue;
      }
      let isDir: boolean;
      try {
        isDir = (await fsp.stat(p)).isDirectory();
      } catch (e) {
        const code = (e as { code?: string }).code;
        problems.push(
          code === 'ENOENT' || code === 'ENOTDIR'
            ? `${v.name} points at ${shown}, which does not exist: set it to ${v.what}, or unset it.`
            : `${v.name} points at ${shown}, which cannot be read (${code ?? 'error'}).`,
        );
        continue;
      }
      if (!isDir) problems.push(`${v.name} points at ${shown}, which is a file, not a folder: set it to ${v.what}.`);
    }
  }
  return problems;
}
