// Where a request goes: directly or through which proxy, and which CA certificates it trusts. Pure (no undici, no
// vscode): the host adapter (src/host/netSettings.ts) or the CLI hands in plain settings and the environment, and
// src/core/net/dispatcher.ts builds undici dispatchers from the answers.
//
// Semantics follow VS Code's proxy resolver (@vscode/proxy-agent, which VS Code applies to Node's http/https and to
// fetch, but not to a bundled undici):
// - `http.proxySupport: "off"`: every request goes direct. "on", "fallback" and "override" behave the same here (they
//   differ in VS Code only for requests that bring their own agent, which tokstat's never do).
// - otherwise the proxy is `http.proxy` if set, else the first of https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY.
// - bypass list: `http.noProxy` if it has entries, else no_proxy/NO_PROXY. An entry is a host name or domain
//   (`example.com` also matches `api.example.com`; a leading `.` or `*.` is allowed), optionally with `:port`; `*`
//   bypasses everything.
// - loopback targets (localhost, 127.0.0.0/8, ::1): VS Code always sends them direct. tokstat does the same, except
//   when the proxy itself is on loopback: a proxy on this machine can reach this machine's servers (a debugging
//   proxy, or the end-to-end test's tinyproxy), whereas a remote proxy would reach its own localhost, never yours.
// - VS Code's system/PAC proxy lookup (desktop, no setting and no environment variable) is not available to
//   extensions as an API and is not followed.
import { isLoopbackHost } from '../endpoints';

export type ProxySupport = 'off' | 'on' | 'fallback' | 'override';

/** VS Code's `http.*` settings as plain values (the CLI uses {@link envNetSettings}). */
export interface NetSettings {
  /** `http.proxy`; empty or undefined: none. */
  proxy?: string;
  /** `http.noProxy`. */
  noProxy?: string[];
  /** `http.proxyStrictSSL`: verify certificates of the proxy and of servers reached through it. */
  strictSSL: boolean;
  /** `http.proxySupport`. */
  support: ProxySupport;
  /** `http.systemCertificates`: also trust the operating system's CA store (read on Linux; see caCertificates). */
  systemCertificates: boolean;
}

export type NetEnv = Record<string, string | undefined>;

/** The CLI's settings: no VS Code, so the environment alone decides (and the OS store is left to Node). */
export function envNetSettings(): NetSettings {
  return { strictSSL: true, support: 'on', systemCertificates: false };
}

export interface ProxyChoice {
  /** The proxy's URL, credentials included (never log it; see {@link proxyLabel}). */
  url: URL;
  source: 'http.proxy' | 'environment';
}

/** Parses a proxy setting or variable: `host:port` gets `http://`; only http and https proxies are supported. */
export function parseProxyUrl(raw: string | undefined): URL | undefined {
  const s = (raw ?? '').trim();
  if (!s) return undefined;
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `http://${s}`);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (!u.hostname) return undefined;
  return u;
}

/** `host:port` of a proxy, without credentials: the only form of a proxy address that logs and errors show. */
export function proxyLabel(u: URL): string {
  return `${u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

function splitList(v: string | undefined): string[] {
  return (v ?? '').split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
}

/** True when `entries` (a no_proxy list) bypasses the proxy for host:port. */
export function bypasses(entries: readonly string[], hostname: string, port: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of entries) {
    let e = raw.trim().toLowerCase();
    if (!e) continue;
    if (e === '*') return true;
    let ePort: string | undefined;
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(e);
    if (m) {
      e = m[1]!;
      ePort = m[2];
    }
    e = e.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (!e) continue;
    if (ePort !== undefined && ePort !== port) continue;
    if (host === e || host.endsWith(`.${e}`)) return true;
  }
  return false;
}

/** The proxy for one request URL, or undefined for a direct connection. */
export function chooseProxy(target: string | URL, s: NetSettings, env: NetEnv): ProxyChoice | undefined {
  if (s.support === 'off') return undefined;
  let t: URL;
  try {
    t = typeof target === 'string' ? new URL(target) : target;
  } catch {
    return undefined;
  }
  const fromSetting = parseProxyUrl(s.proxy);
  const choice: ProxyChoice | undefined = fromSetting
    ? { url: fromSetting, source: 'http.proxy' }
    : (() => {
        const u = parseProxyUrl(env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY);
        return u ? { url: u, source: 'environment' as const } : undefined;
      })();
  if (!choice) return undefined;
  const port = t.port || (t.protocol === 'https:' ? '443' : '80');
  const noProxy = s.noProxy && s.noProxy.some((x) => x.trim()) ? s.noProxy : splitList(env.no_proxy || env.NO_PROXY);
  if (bypasses(noProxy, t.hostname, port)) return undefined;
  if (isLoopbackHost(t.hostname.replace(/^\[|\]$/g, '')) && !isLoopbackHost(choice.url.hostname.replace(/^\[|\]$/g, ''))) return undefined;
  return choice;
}

/** The Proxy-Authorization value for credentials in the proxy URL (`http://user:pass@host:port`), if any. */
export function proxyAuthorization(u: URL): string | undefined {
  if (!u.username && !u.password) return undefined;
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** The proxy URL without credentials (what undici is given; the credentials travel as a header). */
export function withoutCredentials(u: URL): URL {
  const c = new URL(u.href);
  c.username = '';
  c.password = '';
  return c;
}

/** Where Linux distributions keep the system CA bundle (the same list as VS Code's @vscode/proxy-agent). */
export const LINUX_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem'];

export interface CaSources {
  platform: NodeJS.Platform;
  /** Reads a file as UTF-8; throws when it does not exist. */
  readFile(path: string): string;
  /** Node's bundled roots (tls.rootCertificates). */
  rootCertificates: readonly string[];
  log?: (message: string) => void;
}

function pems(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * The CA list for TLS connections, or undefined to keep Node's default (which already includes NODE_EXTRA_CA_CERTS
 * when the process started with it). Given explicitly as soon as there is anything to add, because an explicit
 * list replaces Node's default: Node's bundled roots + the OS bundle (Linux, when `systemCertificates`) + the
 * certificates in the file NODE_EXTRA_CA_CERTS names.
 */
export function caCertificates(s: Pick<NetSettings, 'systemCertificates'>, env: NetEnv, src: CaSources): string[] | undefined {
  const extra: string[] = [];
  if (s.systemCertificates && src.platform === 'linux') {
    for (const p of LINUX_CA_BUNDLES) {
      try {
        const found = pems(src.readFile(p));
        extra.push(...found);
        src.log?.(`system certificates: ${found.length} from ${p}`);
        break;
      } catch {
        /* next candidate */
      }
    }
  }
  const file = env.NODE_EXTRA_CA_CERTS?.trim();
  if (file) {
    try {
      const found = pems(src.readFile(file));
      extra.push(...found);
      src.log?.(`NODE_EXTRA_CA_CERTS: ${found.length} certificates`);
    } catch (err) {
      src.log?.(`NODE_EXTRA_CA_CERTS names a file that cannot be read (${(err as { code?: string }).code ?? 'error'})`);
    }
  }
  if (extra.length === 0) return undefined;
  // The same certificate may be written with different line breaks in Node's list and in a bundle.
  const unique = new Map<string, string>();
  for (const pem of [...src.rootCertificates, ...extra]) {
    const key = pem.replace(/\s+/g, '');
    if (!unique.has(key)) unique.set(key, pem);
  }
  return [...unique.values()];
}
