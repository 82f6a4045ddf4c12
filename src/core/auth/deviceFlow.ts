// GitHub OAuth device flow (provider-apis.md §1.6) on top of @octokit/auth-oauth-device, which does the polling:
// `authorization_pending` waits `interval` s, `slow_down` waits `interval + 7` s. GitHub answers OAuth errors with
// HTTP 200 and an `error` field; @octokit/oauth-methods turns those into RequestErrors carrying `response.data`.
// The OAuth base URL is configurable (GHE, loopback fakes): oauth-methods derives the login host from the
// request's baseUrl — `https://github.com` and `https://api.github.com` → github.com, `https://api.X.ghe.com` →
// `https://X.ghe.com`, anything else is used as is (minus `/api/v3`), so `http://127.0.0.1:PORT` works unchanged.
import { createOAuthDeviceAuth } from '@octokit/auth-oauth-device';
import { request as octokitRequest } from '@octokit/request';
import { checkVerificationUri } from './verificationUri';
import { ProviderError } from '../errors';
import { type HttpClient } from '../http';
import { UndiciHttpClient } from '../undiciClient';
import { nullLogger, type Logger } from '../log';
import { redact } from '../redact';

export const DEFAULT_OAUTH_BASE_URL = 'https://github.com';
/** Per-request timeout of each OAuth call (not of the whole flow, which lasts until the code expires). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface DeviceVerification {
  /** The code the user types at `verificationUri` (shown to the user; never logged). */
  userCode: string;
  verificationUri: string;
  /** Seconds until the code expires. */
  expiresIn: number;
}

export interface DeviceFlowOptions {
  clientId: string;
  scopes?: string[];
  /** Default `https://github.com`; a GHE host or a loopback fake in tests. */
  oauthBaseUrl?: string;
  /** Aborting rejects promptly with ProviderError `cancelled` and stops polling. */
  signal?: AbortSignal;
  onVerification(v: DeviceVerification): void | Promise<void>;
  log?: Logger;
  /** HTTP client for the OAuth calls (default: a private undici-backed client closed when the flow ends). */
  http?: HttpClient;
}

export interface DeviceFlowResult {
  token: string;
  scopes: string[];
}

/** The `error` codes of the OAuth endpoints, mapped to user-facing messages. */
export function deviceFlowError(code: string, description?: string): ProviderError {
  switch (code) {
    case 'expired_token':
    case 'token_expired':
      return new ProviderError('auth', 'The device code expired before it was authorised on GitHub — start again.');
    case 'access_denied':
      return new ProviderError('auth', 'Authorization was denied on GitHub (the request was cancelled there). Start again to retry.');
    case 'device_flow_disabled':
      return new ProviderError('config', 'Device flow is not enabled for this OAuth app (device_flow_disabled).');
    case 'incorrect_client_credentials':
      return new ProviderError('config', 'GitHub does not know this OAuth client id (incorrect_client_credentials).');
    default: {
      const why = description ? `: ${redact(description).slice(0, 200)}` : '';
      return new ProviderError('auth', `GitHub device flow failed (${code})${why}`);
    }
  }
}

interface OctokitLikeError {
  name?: string;
  cause?: { name?: string };
  status?: number;
  message?: string;
  response?: { status?: number; data?: unknown };
}

function mapError(err: unknown, where: string): ProviderError {
  if (err instanceof ProviderError) return err;
  // @octokit/request wraps whatever fetch throws in a RequestError whose `cause` is our ProviderError.
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof ProviderError) return cause;
  const e = (err ?? {}) as OctokitLikeError;
  const data = e.response?.data;
  if (data && typeof data === 'object' && typeof (data as { error?: unknown }).error === 'string') {
    const d = data as { error: string; error_description?: unknown };
    return deviceFlowError(d.error, typeof d.error_description === 'string' ? d.error_description : undefined);
  }
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') {
    return new ProviderError('timeout', `No answer from ${where} within ${REQUEST_TIMEOUT_MS / 1000} s.`);
  }
  const status = e.response?.status ?? e.status;
  if (e.response && status !== undefined) {
    if (status === 404) return new ProviderError('not-found', `${where} has no device-flow endpoint (HTTP 404) — check the GitHub host.`, { status });
    if (status === 429 || status === 403) return new ProviderError('rate-limited', `${where} is rate limiting device-flow requests (HTTP ${status}).`, { status });
    if (status >= 500) return new ProviderError('server', `${where} had a server error during sign-in (HTTP ${status}).`, { status });
    return new ProviderError('bad-response', `${where} answered HTTP ${status} during sign-in.`, { status });
  }
  if (err instanceof TypeError && /'in' operator/.test(err.message)) {
    // oauth-methods inspects `"error" in data`: a non-JSON 200 body (HTML portal, form-encoded) lands here.
    return new ProviderError('bad-response', `${where} did not answer the device flow with JSON.`);
  }
  const msg = redact(e.message ?? String(err));
  return new ProviderError('network', `Could not complete GitHub sign-in with ${where} (${msg}).`);
}

function cancelled(): ProviderError {
  return new ProviderError('cancelled', 'GitHub sign-in was cancelled.');
}

/**
 * Runs the device flow to completion: requests a code, hands it to `onVerification`, polls until the user approves,
 * and resolves with the OAuth token and its scopes. Never logs the device code, the user code or the token.
 */
export async function startDeviceFlow(opts: DeviceFlowOptions): Promise<DeviceFlowResult> {
  const log = opts.log ?? nullLogger;
  const signal = opts.signal;
  if (signal?.aborted) throw cancelled();
  const baseUrl = (opts.oauthBaseUrl ?? DEFAULT_OAUTH_BASE_URL).trim().replace(/\/+$/, '');
  let where: string;
  try {
    where = new URL(baseUrl).host;
  } catch {
    throw new ProviderError('config', `The GitHub sign-in URL "${baseUrl}" is not a valid URL.`);
  }

  const ownHttp = opts.http ? undefined : new UndiciHttpClient(log);
  const http: HttpClient = opts.http ?? ownHttp!;
  let polls = 0;
  // Every OAuth call goes through this fetch: after cancellation it refuses, which ends octokit's polling loop at
  // its next attempt (octokit's own waits cannot be interrupted, but nothing is sent after an abort).
  const fetchForOctokit = async (url: string, init: Record<string, unknown> = {}) => {
    if (signal?.aborted) throw new DOMException('The sign-in was cancelled.', 'AbortError');
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    if (String(url).includes('/login/oauth/access_token')) {
      polls += 1;
      log.debug(`device flow: polling ${where} for the token (attempt ${polls})`);
    }
    const init2 = init as { method?: string; headers?: Record<string, string>; body?: unknown };
    const res = await http.request({
      method: (init2.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET',
      url: String(url),
      headers: { ...(init2.headers ?? {}) },
      ...(typeof init2.body === 'string' ? { body: init2.body } : {}),
      signal: combined,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const noBody = res.status === 204 || res.status === 304;
    return new Response(noBody ? null : res.text, { status: res.status, headers: res.headers });
  };

  const request = octokitRequest.defaults({
    baseUrl,
    headers: { 'user-agent': 'tokstat-vscode' },
    request: {
      fetch: fetchForOctokit as unknown as typeof fetch,
      log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log.warn(redact(m)), error: (m: string) => log.error(redact(m)) },
    },
  });

  const auth = createOAuthDeviceAuth({
    clientType: 'oauth-app',
    clientId: opts.clientId,
    scopes: opts.scopes ?? [],
    request,
    onVerification: async (v) => {
      log.info(`device flow: code issued by ${where}, expires in ${v.expires_in} s, poll interval ${v.interval} s; waiting for the user`);
      if (signal?.aborted) throw cancelled();
      const verificationUri = checkVerificationUri(v.verification_uri, baseUrl);
      await opts.onVerification({ userCode: v.user_code, verificationUri, expiresIn: v.expires_in });
    },
  });

  const flow = auth({ type: 'oauth' });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (!signal) return;
    onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // Whichever loses the race must not surface as an unhandled rejection.
  flow.catch(() => undefined);
  aborted.catch(() => undefined);
  try {
    const result = await Promise.race([flow, aborted]);
    if (!result.token) throw new ProviderError('bad-response', `${where} returned no access token.`);
    log.info(`device flow: authorised after ${polls} poll(s)`);
    return { token: result.token, scopes: [...result.scopes] };
  } catch (err) {
    if (signal?.aborted) {
      log.info('device flow: cancelled');
      throw cancelled();
    }
    const e = mapError(err, where);
    log.warn(`device flow: ${e.message}`);
    throw e;
  } finally {
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    if (ownHttp) void ownHttp.close().catch(() => undefined);
  }
}
