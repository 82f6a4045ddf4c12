// Meter labels as people read them. Providers name their meters in English (src/core/providers), and the snapshots,
// history and the CLI keep those names; the surfaces show them in the user's language through this table. A label
// the table lacks (a model name, a vendor's own window name) shows as the provider gave it.
import { l10n } from './l10n';

/** `label` in the user's language when it is one of the providers' own fixed labels, else as it is. */
export function meterLabelText(label: string): string {
  return fixedText(label) ?? weeklyOf(label) ?? label;
}

/** "Weekly (Opus)" → the translated "Weekly ({0})" with the model name kept. */
function weeklyOf(label: string): string | undefined {
  const m = /^Weekly \(([^()]+)\)$/.exec(label);
  return m ? l10n.t('Weekly ({0})', m[1]!) : undefined;
}

/**
 * A meter's note (`detail`) in the user's language. Providers write it in English from fixed parts joined by " · "
 * (src/core/providers); each part written from a fixed pattern is translated here, with its figures kept; anything
 * else (a vendor's own words: a lock reason, an account status) shows as the provider gave it.
 */
export function meterNoteText(detail: string): string {
  return detail
    .split(' · ')
    .map((p) => fixedText(p) ?? patternDetail(p) ?? p)
    .join(' · ');
}

/**
 * The providers' fixed labels and note parts in the user's language (one table for both: each case must be a literal
 * for the l10n extraction), or undefined for text the table lacks.
 */
function fixedText(text: string): string | undefined {
  switch (text) {
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
    case 'current UTC day':
      return l10n.t('current UTC day');
    case 'current UTC month':
      return l10n.t('current UTC month');
    case 'all time':
      return l10n.t('all time');
    case 'Free tier':
      return l10n.t('Free tier');
    case 'current UTC month, organization costs (may lag by hours)':
      return l10n.t('current UTC month, organization costs (may lag by hours)');
    case 'limit = your monthly budget set in tokstat':
      return l10n.t('limit = your monthly budget set in tokstat');
    case 'partial (the usage query hit its limit)':
      return l10n.t('partial (the usage query hit its limit)');
    case 'account credits purchased minus used':
      return l10n.t('account credits purchased minus used');
    case 'all-time spend of this key counts against the limit':
      return l10n.t('all-time spend of this key counts against the limit');
    case 'pay-as-you-go beyond the plan, this month':
      return l10n.t('pay-as-you-go beyond the plan, this month');
    case 'monthly spend limit reached':
      return l10n.t('monthly spend limit reached');
    case 'beyond the included allowance':
      return l10n.t('beyond the included allowance');
    case 'billed per AI credit':
      return l10n.t('billed per AI credit');
    case 'paid overage allowed':
      return l10n.t('paid overage allowed');
    case 'paid overage not allowed':
      return l10n.t('paid overage not allowed');
    case 'this billing period':
      return l10n.t('this billing period');
    case 'no payment method':
      return l10n.t('no payment method');
    case 'prepaid':
      return l10n.t('prepaid');
    case 'postpaid':
      return l10n.t('postpaid');
    case 'cannot make calls':
      return l10n.t('cannot make calls');
    case 'calls are blocked (balance is not above 0)':
      return l10n.t('calls are blocked (balance is not above 0)');
    case '(currency unverified)':
      return l10n.t('(currency unverified)');
    case 'posted ledger':
      return l10n.t('posted ledger');
    case 'posted ledger is in debt':
      return l10n.t('posted ledger is in debt');
    case 'excludes spend not yet posted this cycle':
      return l10n.t('excludes spend not yet posted this cycle');
    case 'resets daily (reset time estimated)':
      return l10n.t('resets daily (reset time estimated)');
    case 'resets weekly (reset time estimated)':
      return l10n.t('resets weekly (reset time estimated)');
    case 'resets monthly (reset time estimated)':
      return l10n.t('resets monthly (reset time estimated)');
    default:
      return undefined;
  }
}

/** The parts with a figure in them (money, a count, a date), matched whole. */
function patternDetail(part: string): string | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^(\S+) of (\S+)$/.exec(part))) return l10n.t('{0} of {1}', m[1]!, m[2]!);
  if ((m = /^(\S+) left$/.exec(part))) return l10n.t('{0} left', m[1]!);
  if ((m = /^(\S+) over the allowance$/.exec(part))) return l10n.t('{0} over the allowance', m[1]!);
  if ((m = /^granted (.+)$/.exec(part))) return l10n.t('granted {0}', m[1]!);
  if ((m = /^topped-up (.+)$/.exec(part))) return l10n.t('topped-up {0}', m[1]!);
  if ((m = /^voucher (.+)$/.exec(part))) return l10n.t('voucher {0}', m[1]!);
  if ((m = /^cash (.+) \(debt\)$/.exec(part))) return l10n.t('cash {0} (debt)', m[1]!);
  if ((m = /^cash (.+)$/.exec(part))) return l10n.t('cash {0}', m[1]!);
  if ((m = /^paid (.+)$/.exec(part))) return l10n.t('paid {0}', m[1]!);
  if ((m = /^gifted (.+)$/.exec(part))) return l10n.t('gifted {0}', m[1]!);
  if ((m = /^cycle since (\d{4}-\d{2}-\d{2})$/.exec(part))) return l10n.t('cycle since {0}', m[1]!);
  if ((m = /^billable (.+) beyond the included credits$/.exec(part))) return l10n.t('billable {0} beyond the included credits', m[1]!);
  if ((m = /^spending limit (.+)$/.exec(part))) return l10n.t('spending limit {0}', m[1]!);
  if ((m = /^(\d+) requests$/.exec(part))) return l10n.t('{0} requests', m[1]!);
  if ((m = /^Locked: (.+)$/.exec(part))) return l10n.t('Locked: {0}', m[1]!);
  if ((m = /^account status: (.+)$/.exec(part))) return l10n.t('account status: {0}', m[1]!);
  if ((m = /^model (.+)$/.exec(part))) return l10n.t('model {0}', m[1]!);
  return undefined;
}
