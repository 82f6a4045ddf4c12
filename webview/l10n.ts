// The dashboard speaks the user's language with the message bundle and locale the host puts in its state
// (DashboardState `l10n`, embedded in the page so the first render already has it).
import type { DashboardL10n } from '../src/shared/protocol';
import { bundleTranslator, setL10n } from '../src/shared/l10n';

let applied: string | undefined;

/** Installs `l10n` for the shared formats and this page's texts; true when it changed what is installed. */
export function applyL10n(l10n: DashboardL10n | undefined): boolean {
  if (!l10n) return false;
  // The same bundle object is sent with every state: its locale and size say whether it is another one.
  const key = `${l10n.locale}\u0000${l10n.bundle ? Object.keys(l10n.bundle).length : 0}`;
  if (key === applied) return false;
  applied = key;
  setL10n(bundleTranslator(l10n.bundle), l10n.locale);
  return true;
}
