// Kept apart from deviceFlow.ts so the command that opens the address can check it without loading octokit.
import { isLoopbackHost } from '../endpoints';
import { ProviderError } from '../errors';

/**
 * The verification address GitHub returns is opened in the user's browser, so it must be GitHub's own page: an
 * `https:` URL on the configured sign-in host (github.com, a GHE host), without credentials. A loopback sign-in base
 * (the test fakes) may use its own plain-http origin. Anything else — another host, `javascript:`, `file:`, a
 * `command:` link — is refused and nothing is opened. Returns the URL to open, normalised.
 */
export function checkVerificationUri(raw: unknown, oauthBaseUrl: string): string {
  const base = new URL(oauthBaseUrl);
  let u: URL | undefined;
  try {
    u = typeof raw === 'string' && raw.length <= 2048 ? new URL(raw) : undefined;
  } catch {
    u = undefined;
  }
  const sameHost = !!u && u.hostname.toLowerCase() === base.hostname.toLowerCase();
  const ok =
    !!u &&
    !u.username &&
    !u.password &&
    sameHost &&
    (u.protocol === 'https:' || (u.protocol === 'http:' && base.protocol === 'http:' && isLoopbackHost(base.hostname) && u.port === base.port));
  if (!ok || !u) {
    throw new ProviderError('bad-response', `${base.host} returned a verification address that is not an https page on ${base.hostname}; it was not opened.`);
  }
  return u.toString();
}
