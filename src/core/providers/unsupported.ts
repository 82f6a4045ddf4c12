// Providers people ask for that offer no usage, quota or balance API tokstat could read with a key
// (provider-apis.md §6.1, §7.4–7.11, §7.15). The Add Account picker does not offer a fake for them ("My provider is
// not listed…"): it explains, and points to the nearest real signal. Also the source of the README list.
// Plain data; nothing here makes a request.

export interface UnsupportedProvider {
  /** What the user would look for in the picker. */
  name: string;
  /** Why tokstat cannot show usage for it. */
  reason: string;
  /** The nearest real signal and what to use instead (shown after "Instead: " in the picker's explanation). */
  nearest: string;
  /** Reference section in docs/provider-apis.md, when there is one. */
  reference?: string;
  /**
   * Listed on its own in the Add Account picker's "No usage API" section (people look for it there): the item's detail,
   * and what picking it says; `instead` offers to add a supported provider in its place.
   */
  picker?: { detail: string; message: string; explanation: string; instead?: { providerId: string; action: string } };
}

export const UNSUPPORTED: readonly UnsupportedProvider[] = [
  {
    name: 'Google AI Studio (Gemini API key)',
    reason: 'There is no REST endpoint returning usage, remaining quota or spend for a Gemini API key; limits are shown only in the AI Studio web page.',
    nearest: 'the only in-band signal is the body of a 429 error (quota metric, limit, retry delay). If you use Gemini CLI with a Google login, add the Gemini CLI account instead, or read its local logs.',
    reference: '§6.1',
    picker: {
      detail: 'AI Studio keys have no usage, quota or balance endpoint — use the Gemini CLI sign-in or local logs',
      message: 'tokstat: a Gemini API key from Google AI Studio has no usage, quota or balance endpoint',
      explanation:
        'Google shows AI Studio limits only in its web console and in 429 errors, so tokstat would have to invent numbers — it does not. If you use the Gemini CLI with a Google sign-in, tokstat can read its per-model quota instead.',
      instead: { providerId: 'gemini-cli', action: 'Add Gemini CLI Instead' },
    },
  },
  {
    name: 'Groq',
    reason: 'Standard API keys have no usage or billing endpoint (Prometheus metrics are Enterprise-only; console spend needs the web session).',
    nearest: 'rate-limit headers (x-ratelimit-*) come with every response: add Groq as an OpenAI-compatible endpoint (https://api.groq.com/openai/v1) with the rate-limit probe to see requests and tokens left.',
    reference: '§7.5',
  },
  {
    name: 'Mistral',
    reason: 'No API-key endpoint for usage or billing; the numbers exist only in the web console behind a browser session cookie.',
    nearest: 'nothing usable with an API key (the console API needs a browser session cookie, which tokstat does not import); a LiteLLM proxy in front of Mistral gives budgets and spend per key.',
    reference: '§7.4',
  },
  {
    name: 'Together AI',
    reason: 'No balance or usage endpoint found in the documentation or in the open-source usage trackers surveyed.',
    nearest: 'nothing found; use a LiteLLM proxy in front of Together (spend per key), or an OpenAI-compatible endpoint with the rate-limit probe.',
    reference: '§7.6',
  },
  {
    name: 'Fireworks AI',
    reason: 'Not yet: a billing summary endpoint (spend for a time window, no balance) is used by one open-source client, but whether it is official and its full schema are unverified.',
    nearest: 'not yet: GET /v1/accounts/{account}/billing/summary reports spend (no balance), but its documentation status is unverified, so it is not shipped until it is; meanwhile a LiteLLM proxy in front of Fireworks.',
    reference: '§7.7',
  },
  {
    name: 'Cohere',
    reason: 'No usage or credit endpoint; usage is in the dashboard only.',
    nearest: 'only key validity (POST /v1/check-api-key); a LiteLLM proxy in front of Cohere gives budgets and spend per key.',
    reference: '§7.8',
  },
  {
    name: 'Replicate',
    reason: 'No balance or usage endpoint found.',
    nearest: 'only the account identity (GET /v1/account); a LiteLLM proxy in front of Replicate gives spend per key.',
    reference: '§7.10',
  },
  {
    name: 'Perplexity',
    reason: 'API keys have no balance or usage endpoint; the API console shows it only in the browser.',
    nearest: 'nothing for API keys (the consumer web credits need the perplexity.ai session cookie); a LiteLLM proxy or an OpenAI-compatible endpoint instead.',
    reference: '§7.11',
  },
  {
    name: 'Cursor (individual plans)',
    reason: 'Individual usage is only on undocumented cursor.com web endpoints behind the app session (a cookie), not reachable with a key.',
    nearest: 'team admins: the "Cursor team (Admin API)" account (team spend with an Admin API key).',
    reference: '§7.15',
  },
  {
    name: 'Tabnine',
    reason: 'No public usage, quota or billing API.',
    nearest: 'nothing found; check the Tabnine account page.',
  },
  {
    name: 'Codeium / Windsurf',
    reason: 'No public usage or credit API for individual accounts.',
    nearest: 'nothing found; the credits are shown inside the editor and on the web account page.',
  },
  {
    name: 'LangSmith',
    reason: 'An observability / tracing service rather than a model provider: it has no quota or credit balance of AI usage to show.',
    nearest: 'the model providers your traced application calls, or local agent logs.',
  },
  {
    name: 'AutoGPT',
    reason: 'An agent framework, not a provider: usage is billed by the model provider it is configured with.',
    nearest: 'add the model provider it is configured with (OpenAI, Anthropic, OpenRouter, …).',
  },
  {
    name: 'CrewAI',
    reason: 'An agent framework, not a provider: usage is billed by the model provider it is configured with.',
    nearest: 'add the model provider it is configured with (OpenAI, Anthropic, OpenRouter, …).',
  },
];

/** Case- and punctuation-insensitive lookup, e.g. for a "why is X missing?" search in the picker. */
export function findUnsupported(query: string): UnsupportedProvider | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const q = norm(query);
  if (q === '') return undefined;
  return UNSUPPORTED.find((p) => norm(p.name).includes(q) || p.name.split(/[\s/()]+/).some((w) => w.length > 2 && norm(w) === q));
}
