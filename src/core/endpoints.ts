// The endpoints contract: every provider's base URL can be overridden (setting `tokstat.endpoints`:
// provider id → base URL) for tests and for users behind proxies or gateways. Plain http is accepted only
// for loopback hosts; anything else must be https. "Loopback" means a literal loopback name or address (`localhost`,
// 127.0.0.0/8, ::1) — not any `*.localhost` name, which a resolver (or a hosts file) may send anywhere.

export class EndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointError';
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (LOOPBACK_HOSTS.has(h)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Validates a base URL and returns it normalised without a trailing slash. Throws EndpointError. */
export function validateBaseUrl(raw: string, what = 'Base URL'): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new EndpointError(`${what} "${raw}" is not a valid URL.`);
  }
  if (u.username || u.password) throw new EndpointError(`${what} must not contain credentials.`);
  if (u.protocol === 'http:') {
    if (!isLoopbackHost(u.hostname)) {
      throw new EndpointError(`${what} "${u.origin}" uses plain http; only loopback hosts (127.0.0.1, localhost, ::1) may use http — use https.`);
    }
  } else if (u.protocol !== 'https:') {
    throw new EndpointError(`${what} "${raw}" must use https.`);
  }
  // An empty query or fragment (`https://host/v1#`, `…/v1?`) leaves `search`/`hash` empty but still cuts every path
  // joined to the base URL off at the `#`/`?`: the serialised URL is checked, not only the parsed parts.
  if (u.search || u.hash || /[?#]/.test(u.href)) throw new EndpointError(`${what} must not contain a query or fragment.`);
  return u.toString().replace(/\/+$/, '');
}

/**
 * Resolves the base URL for a provider: the override from settings when present, else the provider default.
 * Overrides are validated with the same rule.
 */
export function resolveBaseUrl(providerId: string, defaultUrl: string, overrides: Readonly<Record<string, unknown>> | undefined): string {
  const o = overrides?.[providerId];
  if (typeof o === 'string' && o.trim() !== '') return validateBaseUrl(o, `tokstat.endpoints["${providerId}"]`);
  return validateBaseUrl(defaultUrl);
}

/** Joins a base URL and a path without doubling or losing slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
