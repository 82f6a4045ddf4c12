// The coding agents whose local logs tokstat reads (and `api`, usage reported by a provider's API): the one list, in
// the order every surface shows them. Here, in the bottom layer, because the dashboard protocol names them;
// src/core/usage/types.ts re-exports the type for the readers, the CLI and the protocol schemas use the list.

export const AGENT_IDS = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'copilot-cli', 'api'] as const;

export type AgentId = (typeof AGENT_IDS)[number];

/** The agents read from local logs (every agent but `api`). */
export type LogAgentId = Exclude<AgentId, 'api'>;

export const AGENT_LABEL: Record<AgentId, string> = {
  'claude-code': 'Claude Code',
  codex: 'Codex',
  'gemini-cli': 'Gemini CLI',
  opencode: 'opencode',
  'copilot-cli': 'Copilot CLI',
  api: 'API',
};
