import type { ProviderDefinition } from './types';
import { copilotProvider } from './copilot';
import { openRouterProvider } from './openrouter';

/** Every provider tokstat knows. Adding a provider is one file plus one line here. */
export const PROVIDERS: readonly ProviderDefinition[] = [copilotProvider, openRouterProvider];

const byId = new Map(PROVIDERS.map((p) => [p.id, p]));

export function getProvider(id: string): ProviderDefinition | undefined {
  return byId.get(id);
}
