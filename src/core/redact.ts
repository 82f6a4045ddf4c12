// Secrets must never reach a log, an error message, globalState or the webview. Every string that leaves the
// core through the logger or an error passes through `redact`, which removes registered secrets verbatim and
// anything shaped like a known token family.

const registered = new Set<string>();

/** Remember a secret so that it is scrubbed from every later log line and error message. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 6) registered.add(secret);
}

// Not preceded by a letter or digit. (`\b` would miss a key right after `_`, e.g. `OPENAI_KEY_sk-…` or `x_hf_…`,
// because `_` is a word character.)
const S = '(?<![A-Za-z0-9])';

/**
 * Every key family named in the provider reference (docs provider-apis.md), with where it is named. A new provider
 * adds its family here and a row to the table in test/unit/core/redact.unit.test.ts.
 */
const TOKEN_PATTERNS: RegExp[] = [
  // OpenRouter `sk-or-v1-` (§2), OpenAI `sk-admin-`/`sk-proj-`/`sk-svcacct-` (§3), Anthropic `sk-ant-admin01-`,
  // `sk-ant-oat01-`, `sk-ant-ort01-`, `sk-ant-api03-` (§4), MiniMax `sk-cp-` (§7.14), DeepSeek, Moonshot, SiliconFlow
  // `sk-…` (§7.1, 7.2, 7.12) and LiteLLM virtual/master keys, which may be as short as `sk-1234` (§7.16).
  new RegExp(`${S}sk-[A-Za-z0-9_-]{4,}`, 'g'),
  // xAI API and management keys `xai-…` (§7.3).
  new RegExp(`${S}xai-[A-Za-z0-9_-]{8,}`, 'g'),
  // Hugging Face `hf_…` (§7.9).
  new RegExp(`${S}hf_[A-Za-z0-9]{8,}`, 'g'),
  // Google: Gemini API keys `AIza…` (§6.1), OAuth access tokens `ya29.…` and refresh tokens `1//0…` (Gemini CLI, §6.2).
  new RegExp(`${S}AIza[A-Za-z0-9_-]{20,}`, 'g'),
  new RegExp(`${S}ya29\\.[A-Za-z0-9._-]{8,}`, 'g'),
  new RegExp(`(?<![A-Za-z0-9:/])1//0[A-Za-z0-9_-]{16,}`, 'g'),
  // Z.ai / BigModel API keys `<32 hex>.<16 alphanumerics>` (§7.13).
  new RegExp(`${S}[0-9a-fA-F]{32}\\.[A-Za-z0-9]{16,}`, 'g'),
  // Cursor: Admin API keys `crsr_…` and user API keys `key_…` (§7.15).
  new RegExp(`${S}crsr_[A-Za-z0-9]{8,}`, 'g'),
  new RegExp(`${S}key_[A-Za-z0-9]{20,}`, 'g'),
  // GitHub OAuth/user/server/refresh/personal tokens (§1.5, 1.6) and the Copilot proxy token `tid=…;exp=…;…` (§1.2).
  new RegExp(`${S}gh[opusr]_[A-Za-z0-9]{10,}`, 'g'),
  new RegExp(`${S}github_pat_[A-Za-z0-9_]{10,}`, 'g'),
  new RegExp(`${S}tid=[^;\\s"']+;exp=[^\\s"']+`, 'g'),
  // JWTs (ChatGPT/Codex access and id tokens §5, Cursor session §7.15, Gemini id_token §6.2).
  new RegExp(`${S}eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{5,}`, 'g'),
  // Credentials in headers, whatever their shape.
  /\b(?:Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** `name=value` in a query string, form body or cookie: the value goes, the name stays. */
const NAMED_QUERY = /(?<![A-Za-z0-9])(device_code|access_token|refresh_token|id_token|client_secret|api[_-]?key|session[_-]?key|WorkosCursorSessionToken|(?<=[?&])(?:key|token))=([^&\s"';]+)/gi;
/** `"name": "value"` in a JSON body: the value goes, the name stays. */
const NAMED_JSON = /"(access_?token|accessToken|refresh_?token|refreshToken|id_?token|idToken|client_secret|api[_-]?key|apiKey|secret|password|token|key)"(\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

export function redact(text: string): string {
  let out = text;
  for (const s of registered) {
    if (out.includes(s)) out = out.split(s).join('[redacted]');
  }
  // Credentials in a URL (a proxy's `http://user:pass@host:port`): the user and password go, the host stays.
  out = out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1[redacted]@');
  out = out.replace(NAMED_JSON, (_m, name: string, sep: string) => `"${name}"${sep}"[redacted]"`);
  out = out.replace(NAMED_QUERY, (_m, name: string) => `${name}=[redacted]`);
  for (const re of TOKEN_PATTERNS) out = out.replace(re, '[redacted]');
  return out;
}

/** Shows the first few characters of a key so a user can tell keys apart, e.g. `sk-or-v1-ab…`. */
export function maskKey(key: string): string {
  const trimmed = key.trim();
  if (trimmed.length <= 8) return '…';
  const dash = trimmed.lastIndexOf('-', 12);
  const keep = dash > 0 ? dash + 3 : 4;
  return `${trimmed.slice(0, Math.min(keep, 12))}…`;
}
