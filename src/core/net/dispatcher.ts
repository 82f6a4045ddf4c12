// The one factory of undici dispatchers: every HttpClient of the extension and of the CLI gets its connections here,
// so every request follows the same proxy, no-proxy and certificate rules (src/core/net/proxy.ts decides them).
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { ProviderError } from '../errors';
import type { Logger } from '../log';
import { redact, registerSecret } from '../redact';
import { caCertificates, chooseProxy, envNetSettings, parseProxyUrl, proxyAuthorization, proxyLabel, withoutCredentials, type NetEnv, type NetSettings } from './proxy';

/** How one request is sent: its dispatcher, and the proxy (host:port, no credentials) when it goes through one. */
export interface Route {
  dispatcher: Dispatcher;
  proxy?: string;
}

export interface NetRouter {
  route(url: URL): Route;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;
const POOL = { keepAliveTimeout: 10_000, connections: 16 } as const;

/**
 * Routes each request direct or through its proxy, with the configured CA list. Agents are created on first use and
 * kept (connection pools); `update()` swaps in new settings and closes the previous agents once their requests end.
 */
export class ProxyRouter implements NetRouter {
  private settings: NetSettings;
  /** `{ secureContext }` with the CA list, or `{}` for Node's default; built once per settings. */
  private tlsOpt: { secureContext?: tls.SecureContext } | undefined;
  private direct: Dispatcher | undefined;
  private readonly proxied = new Map<string, Dispatcher>();
  private readonly told = new Set<string>();

  constructor(
    settings: NetSettings,
    private readonly env: NetEnv,
    private readonly log?: Logger,
    private readonly readFile: (p: string) => string = (p) => fs.readFileSync(p, 'utf8'),
    private readonly createSecureContext: (o: tls.SecureContextOptions) => tls.SecureContext = tls.createSecureContext,
  ) {
    this.settings = settings;
    this.checkSetting();
  }

  /** An http.proxy tokstat cannot use (SOCKS, garbage) is said once, not silently skipped. */
  private checkSetting(): void {
    const raw = this.settings.proxy?.trim();
    if (raw && !parseProxyUrl(raw)) {
      this.log?.warn(`[net] http.proxy "${redact(raw)}" is not an http(s) proxy address tokstat can use; it is ignored (HTTPS_PROXY applies, else requests go direct)`);
    }
  }

  /** New settings (VS Code's `http.*` changed): later requests use them; the old pools close when idle. */
  update(settings: NetSettings): void {
    const old = [this.direct, ...this.proxied.values()].filter((d): d is Dispatcher => d !== undefined);
    this.settings = settings;
    this.direct = undefined;
    this.proxied.clear();
    this.tlsOpt = undefined;
    this.told.clear();
    this.checkSetting();
    for (const d of old) void d.close().catch(() => undefined);
  }

  /**
   * The CA list as one TLS context, shared by every connection: an explicit list of ~150 certificates costs ~40 ms of
   * CPU to parse, which a `ca` option would repeat for each new connection.
   */
  private tlsOptions(): { secureContext?: tls.SecureContext } {
    if (!this.tlsOpt) {
      const ca = caCertificates(this.settings, this.env, {
        platform: process.platform,
        readFile: this.readFile,
        rootCertificates: tls.rootCertificates,
        log: (m) => this.log?.info(`[net] ${m}`),
      });
      this.tlsOpt = ca ? { secureContext: this.createSecureContext({ ca }) } : {};
    }
    return this.tlsOpt;
  }

  route(url: URL): Route {
    const choice = chooseProxy(url, this.settings, this.env);
    const caOpt = this.tlsOptions();
    if (!choice) {
      this.direct ??= new Agent({ ...POOL, connect: { timeout: CONNECT_TIMEOUT_MS, ...caOpt } });
      return { dispatcher: this.direct };
    }
    const label = proxyLabel(choice.url);
    const key = choice.url.href;
    let d = this.proxied.get(key);
    if (!d) {
      const token = proxyAuthorization(choice.url);
      registerSecret(token);
      registerSecret(decodeURIComponent(choice.url.password));
      const verify = { rejectUnauthorized: this.settings.strictSSL, timeout: CONNECT_TIMEOUT_MS, ...caOpt };
      d = new ProxyAgent({
        ...POOL,
        uri: withoutCredentials(choice.url).href,
        ...(token ? { token } : {}),
        // Plain-http targets (loopback only) are forwarded; https targets always go through a CONNECT tunnel.
        proxyTunnel: false,
        requestTls: verify,
        proxyTls: verify,
      });
      this.proxied.set(key, d);
    }
    if (!this.told.has(key)) {
      this.told.add(key);
      this.log?.info(`[net] requests go through the proxy ${label} (from ${choice.source}${choice.url.username ? ', with credentials' : ''})${this.settings.strictSSL ? '' : '; certificates are not verified (http.proxyStrictSSL is off)'}`);
    }
    return { dispatcher: d, proxy: label };
  }

  async close(): Promise<void> {
    const all = [this.direct, ...this.proxied.values()].filter((d): d is Dispatcher => d !== undefined);
    this.direct = undefined;
    this.proxied.clear();
    await Promise.all(all.map((d) => d.close()));
  }
}

/** The router of a process without VS Code (the CLI, the device flow's own client): the environment decides. */
export function envRouter(env: NetEnv = process.env, log?: Logger): ProxyRouter {
  return new ProxyRouter(envNetSettings(), env, log);
}

/** The error for a 407 from the proxy. */
export function proxyAuthRequired(proxy: string): ProviderError {
  return new ProviderError('proxy', `Proxy authentication required (407) by ${proxy}: check the user name and password in http.proxy (or HTTPS_PROXY).`, { status: 407 });
}

/**
 * Maps undici's proxy failures to ProviderErrors; undefined when `err` is not about the proxy. undici reports a 407
 * as an error both for a CONNECT tunnel ("Proxy response (407) !== 200 when HTTP Tunneling") and for a forwarded
 * plain-http request ("Proxy Authentication Required (407)"); the response never reaches the caller.
 */
export function proxyError(err: { code?: string; message?: string }, proxy: string): ProviderError | undefined {
  const msg = err.message ?? '';
  if (/\b407\b/.test(msg) && /proxy/i.test(msg)) return proxyAuthRequired(proxy);
  const m = /Proxy response \((\d{3})\) !== 200/.exec(msg);
  if (m) return new ProviderError('proxy', `The proxy ${proxy} refused the connection (HTTP ${m[1]}).`, { status: Number(m[1]) });
  return undefined;
}
