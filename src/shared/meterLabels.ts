// Meter labels as people read them. Providers name their meters in English (src/core/providers), and the snapshots,
// history and the CLI keep those names; the surfaces show them in the user's language through this table. A label
// the table lacks (a model name, a vendor's own window name) shows as the provider gave it.
import { l10n } from './l10n';

/** `label` in the user's language when it is one of the providers' own fixed labels, else as it is. */
export function meterLabelText(label: string): string {
  switch (label) {
    case 'Spent this month':
      return l10n.t('Spent this month');
    case 'Tokens today':
      return l10n.t('Tokens today');
    case 'Tokens this month':
      return l10n.t('Tokens this month');
    case 'Spent today':
      return l10n.t('Spent today');
    case 'Premium requests':
      return l10n.t('Premium requests');
    case 'Extra usage':
      return l10n.t('Extra usage');
    case 'Credits':
      return l10n.t('Credits');
    case 'AI credits used':
      return l10n.t('AI credits used');
    case 'Weekly':
      return l10n.t('Weekly');
    case 'Team spend this cycle':
      return l10n.t('Team spend this cycle');
    case 'Spent in total':
      return l10n.t('Spent in total');
    case 'Requests today':
      return l10n.t('Requests today');
    case 'Requests this month':
      return l10n.t('Requests this month');
    case 'Rate-limit probe':
      return l10n.t('Rate-limit probe');
    case 'Prepaid balance':
      return l10n.t('Prepaid balance');
    case 'Monthly tool calls (MCP)':
      return l10n.t('Monthly tool calls (MCP)');
    case 'Models available':
      return l10n.t('Models available');
    case 'Inference Providers credits':
      return l10n.t('Inference Providers credits');
    case 'Credit balance':
      return l10n.t('Credit balance');
    case 'Balance':
      return l10n.t('Balance');
    case 'Available balance':
      return l10n.t('Available balance');
    case '5-hour tokens':
      return l10n.t('5-hour tokens');
    case '5-hour session':
      return l10n.t('5-hour session');
    case 'Weekly (all models)':
      return l10n.t('Weekly (all models)');
    case 'Chat messages':
      return l10n.t('Chat messages');
    case 'Code completions':
      return l10n.t('Code completions');
    case '5-hour limit':
      return l10n.t('5-hour limit');
    case 'Weekly limit':
      return l10n.t('Weekly limit');
    case 'Code review':
      return l10n.t('Code review');
    case 'Code review (long window)':
      return l10n.t('Code review (long window)');
    case 'Key limit':
      return l10n.t('Key limit');
    case 'Key limit (daily)':
      return l10n.t('Key limit (daily)');
    case 'Key limit (weekly)':
      return l10n.t('Key limit (weekly)');
    case 'Key limit (monthly)':
      return l10n.t('Key limit (monthly)');
    default:
      return weeklyOf(label) ?? label;
  }
}

/** "Weekly (Opus)" → the translated "Weekly ({0})" with the model name kept. */
function weeklyOf(label: string): string | undefined {
  const m = /^Weekly \(([^()]+)\)$/.exec(label);
  return m ? l10n.t('Weekly ({0})', m[1]!) : undefined;
}
