// How often an account is polled: the user's setting for its provider, raised to the provider's floor, or the
// provider's default. Pure so that the composition root only wires it to the settings.
import { getProvider } from '../providers/registry';

/** Used when an account's provider is unknown (an account left over from a newer or older version). */
export const UNKNOWN_PROVIDER_POLL_SECONDS = { default: 600, min: 60 } as const;

/**
 * @param providerId the account's provider
 * @param configuredSeconds the user's `tokstat.pollIntervals` entry for that provider; anything that is not a finite
 *   number above 0 counts as unset
 */
/** The fastest an account of the provider may be polled (its floor), in ms. */
export function pollFloorMs(providerId: string): number {
  return (getProvider(providerId)?.minPollSeconds ?? UNKNOWN_PROVIDER_POLL_SECONDS.min) * 1000;
}

export function pollIntervalMs(providerId: string, configuredSeconds: number | undefined): number {
  const p = getProvider(providerId);
  const def = p?.defaultPollSeconds ?? UNKNOWN_PROVIDER_POLL_SECONDS.default;
  const min = p?.minPollSeconds ?? UNKNOWN_PROVIDER_POLL_SECONDS.min;
  const set = typeof configuredSeconds === 'number' && Number.isFinite(configuredSeconds) && configuredSeconds > 0 ? configuredSeconds : undefined;
  return Math.max(min, set ?? def) * 1000;
}
