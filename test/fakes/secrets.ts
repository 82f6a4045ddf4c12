// Every credential the test suites hand to the extension or the fakes, in one place, so the secret-leak
// check (scripts/leak-check.js) can search everything a run wrote for each of them. A test that invents a
// new key or token must add it here, or the check cannot see it leak.
// The values have the real formats (so redaction by pattern is exercised) but are built from obviously fake
// fillers at run time, so no secret-shaped literal sits in the source tree.
const fill = (word: string, n: number) => word.repeat(Math.ceil(n / word.length)).slice(0, n);

/** OpenRouter API keys (`sk-or-v1-` + 64 hex). */
export const OPENROUTER_KEY = `sk-or-v1-${fill('fake0e2e', 64)}`;
export const OPENROUTER_KEY_2 = `sk-or-v1-${fill('fake0two', 64)}`;
/** An OpenRouter management (provisioning) key, for /credits. */
export const OPENROUTER_MANAGEMENT_KEY = `sk-or-v1-${fill('fake0mgmt', 64)}`;
/** The OpenRouter key of the usage-history scenario (test/e2e/history.e2e.test.ts). */
export const OPENROUTER_HISTORY_KEY = `sk-or-v1-${fill('fake0hst', 64)}`;

/** GitHub OAuth token issued by the fake device flow (`gho_` + 36). */
export const GITHUB_DEVICE_TOKEN = `gho_${fill('FakeDevice', 36)}`;
/** GitHub token of the fake "signed in to VS Code" session (authentication provider stub). */
export const GITHUB_SESSION_TOKEN = `gho_${fill('FakeSession', 36)}`;
/** The device flow's device_code (secret between the extension and GitHub; the user code is public). */
export const GITHUB_DEVICE_CODE = '3584d83530557fdd1f46af8289938c8ef79f9dc5';
/** Copilot internal token from /copilot_internal/v2/token. */
export const COPILOT_INTERNAL_TOKEN = 'tid=7e57c0p110t1n7erna1;exp=4102444800;sku=free_limited;8kp=1:7e57c0ffee';



/** OpenAI Admin key (issue-3 providers scenario). */
export const OPENAI_ADMIN_KEY = `sk-admin-${fill('fakeAdmin0', 48)}`;
/** LiteLLM virtual key. */
export const LITELLM_KEY = `sk-${fill('fakeLiteLLM0', 40)}`;
/** Claude Code OAuth tokens in the fixture ~/.claude/.credentials.json (no vendor prefix: tokstat never checks one). */
export const CLAUDE_OAUTH_TOKEN = `FAKE-claude-oauth-access-${fill('fakeClaude0', 60)}`;
export const CLAUDE_REFRESH_TOKEN = `FAKE-claude-oauth-refresh-${fill('fakeRefresh0', 60)}`;

/** The Basic-auth credentials of the end-to-end test's tinyproxy (test/e2e/proxy.e2e.test.ts), given to tokstat in
 *  the user's `http.proxy` setting as `http://user:password@127.0.0.1:PORT`. */
export const PROXY_USER = 'tokstat-proxy-user';
export const PROXY_PASSWORD = `proxy-pw-${fill('fakeProxy0', 24)}`;

/** A collector's bearer token in the team-export headers (test/unit/export/exportFeature.unit.test.ts). */
export const EXPORT_COLLECTOR_TOKEN = `otlp-${fill('fakeCollector0', 32)}`;

export const PROVIDER_SCENARIO_SECRETS: readonly string[] = [OPENAI_ADMIN_KEY, LITELLM_KEY, CLAUDE_OAUTH_TOKEN, CLAUDE_REFRESH_TOKEN];

/** A GitHub personal access token and an Anthropic API key, only as hostile text in unit tests (export, read API). */
export const GITHUB_PAT = `ghp_${fill('FAKEpat0', 36)}`;
export const ANTHROPIC_API_KEY = `sk-ant-api03-${fill('FAKEant0', 40)}`;

/** All of the above; the leak check searches for each (and for simple encodings of each). */
export const ALL_TEST_SECRETS: readonly string[] = [
  OPENROUTER_KEY,
  OPENROUTER_KEY_2,
  OPENROUTER_MANAGEMENT_KEY,
  OPENROUTER_HISTORY_KEY,
  GITHUB_DEVICE_TOKEN,
  GITHUB_SESSION_TOKEN,
  GITHUB_DEVICE_CODE,
  COPILOT_INTERNAL_TOKEN,
  ...PROVIDER_SCENARIO_SECRETS,
  PROXY_PASSWORD,
  EXPORT_COLLECTOR_TOKEN,
  GITHUB_PAT,
  ANTHROPIC_API_KEY,
];
