import type { Account } from '../../../shared/model';
import { PROVIDERS } from '../../../core/providers/registry';
import type { CredentialEnv, ProviderDefinition } from '../../../core/providers/types';

export interface Discovered {
  provider: ProviderDefinition;
  tool: string;
  suggestedName?: string;
}

/**
 * Finds other tools' sign-ins on this machine (Claude Code, Codex CLI, Gemini CLI, GitHub CLI) by reading — never
 * copying — their credential files, skipping tools already tracked or already offered.
 */
export async function discover(env: CredentialEnv, repo: { list(): readonly Account[] }, offered: ReadonlySet<string>): Promise<Discovered[]> {
  const out: Discovered[] = [];
  for (const provider of PROVIDERS) {
    const source = provider.credentialFile;
    if (!source || offered.has(provider.id)) continue;
    if (repo.list().some((a) => a.providerId === provider.id && a.authKind === 'credential-file')) continue;
    try {
      const r = await source.read(env);
      out.push({ provider, tool: source.tool, ...(r.suggestedName ? { suggestedName: r.suggestedName } : {}) });
    } catch {
      // Not signed in, or unusable: nothing to offer.
    }
  }
  return out;
}

