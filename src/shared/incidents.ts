// A provider's own status page reporting an incident (src/core/incidents). Plain data: it crosses the shared state
// file between windows and the webview. Every string in it came from a server: clipped and shown as text only.
import { l10n } from './l10n';

export type IncidentImpact = 'none' | 'minor' | 'major' | 'critical' | 'maintenance' | 'unknown';

export interface ProviderIncident {
  /** Who reports it: the status page's owner, e.g. "Anthropic", "GitHub". */
  source: string;
  /** The incident's title as the page states it (or "<component>: degraded performance" when only a component says). */
  title: string;
  impact: IncidentImpact;
  /** The page's own word for where it stands: investigating, identified, monitoring, … */
  status?: string;
  /** The incident's (or the page's) https address, for "Open status page". */
  url?: string;
  /** Epoch ms of the page's last update of it, when stated. */
  updatedAt?: number;
}

/** "<source> reports: <title>", the line an account whose poll failed shows while its provider has an incident. */
export function incidentSentence(i: Pick<ProviderIncident, 'source' | 'title'>): string {
  return l10n.t('{0} reports: {1}', i.source, i.title);
}
