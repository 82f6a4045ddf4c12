// The coding agents whose local logs tokstat reads (and `api`, usage reported by a provider's API). Here, in the
// bottom layer, because the dashboard protocol names them; src/core/usage/types.ts re-exports it for the readers.

export type AgentId = 'claude-code' | 'codex' | 'gemini-cli' | 'opencode' | 'copilot-cli' | 'api';
