// Every credential the test suites hand to the extension or the fakes, in one place, so the secret-leak
// check (scripts/leak-check.js) can search everything a run wrote for each of them. A test that invents a
// new key or token must add it here, or the check cannot see it leak.
// The values look like the real formats (so redaction by pattern is exercised) but are not real credentials.

/** OpenRouter API keys (`sk-or-v1-` + 64 hex). */
export const OPENROUTER_KEY = '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';
export const OPENROUTER_KEY_2 = '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';
/** An OpenRouter management (provisioning) key, for /credits. */
export const OPENROUTER_MANAGEMENT_KEY = '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';

/** GitHub OAuth token issued by the fake device flow (`gho_` + 36). */
export const GITHUB_DEVICE_TOKEN = 'gho_HcdFuw6qwY3JKL4eqaTHJgi6sh77HZtxDCVx';
/** GitHub token of the fake "signed in to VS Code" session (authentication provider stub). */
export const GITHUB_SESSION_TOKEN = 'gho_YuEt92Er2YUYXLT7BlRlqCGAz6bSsd7koOLL';
/** The device flow's device_code (secret between the extension and GitHub; the user code is public). */
export const GITHUB_DEVICE_CODE = '3584d83530557fdd1f46af8289938c8ef79f9dc5';
/** Copilot internal token from /copilot_internal/v2/token. */
export const COPILOT_INTERNAL_TOKEN = 'tid=7e57c0p110t1n7erna1;exp=4102444800;sku=free_limited;8kp=1:7e57c0ffee';

/** All of the above; the leak check searches for each (and for simple encodings of each). */
export const ALL_TEST_SECRETS: readonly string[] = [
  OPENROUTER_KEY,
  OPENROUTER_KEY_2,
  OPENROUTER_MANAGEMENT_KEY,
  GITHUB_DEVICE_TOKEN,
  GITHUB_SESSION_TOKEN,
  GITHUB_DEVICE_CODE,
  COPILOT_INTERNAL_TOKEN,
];
