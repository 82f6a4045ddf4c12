// Secrets must never reach a log, an error message, globalState or the webview. Every string that leaves the
// core through the logger or an error passes through `redact`, which removes registered secrets verbatim and
// anything shaped like a known token family.

const registered = new Set<string>();

/** Remember a secret so that it is scrubbed from every later log line and error message. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 6) registered.add(secret);
}

const TOKEN_PATTERNS: RegExp[] = [
  /\bsk-or-v1-[A-Za-z0-9_-]{6,}/g,
  /\bsk-ant-[a-z]+\d*-[A-Za-z0-9_-]{6,}/g,
  /\bsk-(?:admin|proj|svcacct)-[A-Za-z0-9_-]{6,}/g,
  /\bsk-[A-Za-z0-9]{20,}/g,
  /\bgh[opusr]_[A-Za-z0-9]{10,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{10,}/g,
  /\b(?:Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}/g,
  /\b(device_code|access_token|refresh_token)=([^&\s"]+)/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const s of registered) {
    if (out.includes(s)) out = out.split(s).join('[redacted]');
  }
  // Credentials in a URL (a proxy's `http://user:pass@host:port`): the user and password go, the host stays.
  out = out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1[redacted]@');
  for (const re of TOKEN_PATTERNS) {
    out = out.replace(re, (m, name?: string) => (typeof name === 'string' && m.includes('=') ? `${name}=[redacted]` : '[redacted]'));
  }
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
