import type { ProviderDefinition } from './types';
import { copilotProvider } from './copilot';
import { openRouterProvider } from './openrouter';
import { claudeProvider } from './claude';
import { codexProvider } from './codex';
import { geminiCliProvider } from './geminiCli';
import { openAIProvider } from './openai';
import { anthropicProvider } from './anthropic';
import { liteLLMProvider } from './litellm';
import { customOpenAIProvider } from './customOpenAI';
import { deepSeekProvider } from './deepseek';
import { moonshotProvider } from './moonshot';
import { siliconFlowProvider } from './siliconflow';
import { xaiProvider } from './xai';
import { zaiProvider } from './zai';
import { miniMaxProvider } from './minimax';
import { huggingFaceProvider } from './huggingface';
import { cursorAdminProvider } from './cursorAdmin';

/** Every provider tokstat knows. Adding a provider is one file plus one line here. */
export const PROVIDERS: readonly ProviderDefinition[] = [
  copilotProvider,
  claudeProvider,
  codexProvider,
  geminiCliProvider,
  openRouterProvider,
  openAIProvider,
  anthropicProvider,
  liteLLMProvider,
  customOpenAIProvider,
  deepSeekProvider,
  moonshotProvider,
  siliconFlowProvider,
  xaiProvider,
  zaiProvider,
  miniMaxProvider,
  huggingFaceProvider,
  cursorAdminProvider,
];

const byId = new Map(PROVIDERS.map((p) => [p.id, p]));

export function getProvider(id: string): ProviderDefinition | undefined {
  return byId.get(id);
}
