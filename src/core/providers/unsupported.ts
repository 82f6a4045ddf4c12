// Providers people ask for that offer no usage, quota or balance API tokstat could read with a key. The Add Account
// picker does not offer a fake for them; it explains, and points to the nearest real signal.
export interface UnsupportedProvider {
  name: string;
  reason: string;
  nearest: string;
}

export const UNSUPPORTED: readonly UnsupportedProvider[] = [
  { name: 'Google AI Studio (Gemini API key)', reason: 'No endpoint returns usage, quota or spend for an API key; limits show only in AI Studio and in 429 errors.', nearest: 'the Gemini CLI (Google sign-in) account, or local agent logs.' },
  { name: 'Cohere', reason: 'The API only tells whether a key is valid; usage is in the dashboard.', nearest: 'a LiteLLM proxy in front of Cohere (budgets and spend per key).' },
  { name: 'Mistral', reason: 'Billing is only in the web console (browser session), not reachable with an API key.', nearest: 'a LiteLLM proxy in front of Mistral.' },
  { name: 'Together AI', reason: 'No usage or balance endpoint was found.', nearest: 'a LiteLLM proxy, or an OpenAI-compatible endpoint with the rate-limit probe.' },
  { name: 'Groq', reason: 'Standard keys expose only rate-limit headers; metrics need an Enterprise key.', nearest: 'an OpenAI-compatible endpoint with the rate-limit probe (reads those headers).' },
  { name: 'Replicate', reason: 'The account endpoint returns identity only, no balance or usage.', nearest: 'a LiteLLM proxy in front of Replicate.' },
  { name: 'Perplexity', reason: 'API keys have no balance or usage endpoint (console only).', nearest: 'a LiteLLM proxy, or an OpenAI-compatible endpoint.' },
  { name: 'Fireworks', reason: 'A billing summary exists but its documentation status is unverified; not shipped until it is.', nearest: 'a LiteLLM proxy in front of Fireworks.' },
  { name: 'Cursor (individual plans)', reason: 'Individual usage is only on undocumented web endpoints behind the app session.', nearest: 'Cursor team admins: the Cursor team (Admin API) account.' },
  { name: 'Tabnine', reason: 'No public usage or quota API.', nearest: 'none yet.' },
  { name: 'Codeium / Windsurf', reason: 'No public usage or quota API for individual accounts.', nearest: 'none yet.' },
  { name: 'LangSmith', reason: 'Tracing platform: it records usage of other providers rather than having a quota of its own.', nearest: 'the providers you call through it, or local agent logs.' },
  { name: 'AutoGPT, CrewAI', reason: 'Agent frameworks, not model providers: they spend the quota of the model provider you configure.', nearest: 'that model provider\'s account (OpenAI, Anthropic, OpenRouter, …).' },
];
