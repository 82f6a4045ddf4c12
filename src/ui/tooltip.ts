// Markdown tooltips shared by the status bar and the tree.
import * as vscode from 'vscode';
import { errorHeadline, formatAge, formatMeterValue, formatResetIn, formatUsedOfLimit, meterDetailText, problemConsequence, SOURCE_LABEL, statusLabel } from '../shared/format';
import type { PaceSummary } from '../shared/pace';
import type { Meter } from '../shared/model';
import { displayStatus, type AccountEntry } from '../core/summary';
import { meterLabelText, meterNoteText } from '../shared/meterLabels';
import { currentLocale } from '../shared/l10n';
import type { ProviderIncident } from '../shared/incidents';

/** "<source> reports: <incident>", what an account shows while its provider's status page reports an incident. */
export function incidentText(i: Pick<ProviderIncident, 'source' | 'title'>): string {
  return vscode.l10n.t('{0} reports: {1}', i.source, i.title);
}

/** The incident's line for a tooltip: the badge, who reports what, how bad and where it stands, a link to the page. */
export function incidentLine(i: ProviderIncident): string {
  const facts = [i.impact !== 'unknown' && i.impact !== 'none' ? vscode.l10n.t('impact: {0}', i.impact) : undefined, i.status].filter(Boolean).join(' · ');
  const link = i.url ? ` — [${escapeMd(vscode.l10n.t('status page'))}](${i.url.replace(/[()\s<>[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)})` : '';
  return `$(broadcast) **${escapeMd(incidentText(i))}**${facts ? ` · ${escapeMd(facts)}` : ''}${link}`;
}
import { topModelsLine } from '../shared/breakdownFormat';

export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

export function meterLine(m: Meter, now: number, pace?: PaceSummary): string {
  const reset = formatResetIn(m.resetsAt, now);
  const parts = [`**${escapeMd(meterLabelText(m.label))}**: ${escapeMd(formatMeterValue(m))}`];
  const detail = meterDetailText(m);
  if (detail) parts.push(escapeMd(detail));
  if (reset) parts.push(escapeMd(reset));
  let line = parts.join(' · ');
  // The pace says where this meter will be at reset; only when the engine is confident enough to say it. Its second
  // line has the numbers behind it: reserve or deficit against a straight-line pace and the budgets.
  if (pace && (pace.status === 'ok' || pace.status === 'no-limit') && pace.text) {
    line += `  \n  _${escapeMd(pace.text)}_`;
    if (pace.detail) line += `  \n  _${escapeMd(pace.detail)}_`;
  }
  return line;
}

export function freshnessLine(e: AccountEntry, now: number): string {
  const s = e.snapshot;
  if (!s) return e.loading ? `_${vscode.l10n.t('loading…')}_` : `_${vscode.l10n.t('not fetched yet')}_`;
  const status = displayStatus(e, now);
  const label = status === 'pending' ? vscode.l10n.t('pending') : statusLabel(status, e.account.authKind);
  const age = formatAge(s.lastSuccessAt, now);
  let line = `_${vscode.l10n.t('{0} · updated {1}', escapeMd(label), escapeMd(age))}_`;
  if (s.error && status !== 'ok') {
    // The reason first, what it means for the numbers next, the server's words and the request's host last.
    const then = problemConsequence(
      { status: s.status, hasNumbers: s.meters.length > 0, lastSuccessAt: s.lastSuccessAt, authKind: e.account.authKind, ...(e.nextPollAt !== undefined ? { nextPollAt: e.nextPollAt } : {}) },
      now,
    );
    // While the provider's status page reports an incident, that is the likelier reason than the key or the quota.
    const headline = e.incident ? incidentText(e.incident) : errorHeadline(s.error, e.providerName, e.account.authKind);
    line += `  \n$(warning) **${escapeMd(headline)}**${then ? ` — ${escapeMd(then)}` : ''}`;
    line += `  \n_${vscode.l10n.t('Details: {0}', escapeMd(s.error.message))}_`;
  }
  return line;
}

export function accountTooltip(e: AccountEntry, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = false;
  const plan = e.snapshot?.plan ? ` — ${escapeMd(e.snapshot.plan)}` : '';
  md.appendMarkdown(`$(${e.icon}) **${escapeMd(e.account.name)}** · ${escapeMd(e.providerName)}${plan}\n\n`);
  if (e.incident) md.appendMarkdown(`${incidentLine(e.incident)}\n\n`);
  for (const m of e.snapshot?.meters ?? []) md.appendMarkdown(`- ${meterLine(m, now, e.pace?.[m.id])}\n`);
  if ((e.snapshot?.meters.length ?? 0) === 0) md.appendMarkdown(`- _${vscode.l10n.t('no meters yet')}_\n`);
  const b = e.snapshot?.breakdown;
  const top = b?.state === 'ok' ? topModelsLine(b) : undefined;
  if (top) md.appendMarkdown(`\n**${escapeMd(vscode.l10n.t('Top models this month'))}**: ${escapeMd(top)}\n`);
  md.appendMarkdown(`\n${freshnessLine(e, now)}\n`);
  const sources = [...new Set((e.snapshot?.meters ?? []).map((m) => SOURCE_LABEL[m.source]))];
  if (sources.length) md.appendMarkdown(`\n_${vscode.l10n.t('Source: {0}', escapeMd(sources.join(vscode.l10n.t(', '))))}_\n`);
  return md;
}

export function meterTooltip(e: AccountEntry, m: Meter, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(meterLabelText(m.label))}** · ${escapeMd(e.account.name)}\n\n`);
  md.appendMarkdown(`- ${vscode.l10n.t('Value: {0}', escapeMd(formatMeterValue(m)))}\n`);
  md.appendMarkdown(`- ${vscode.l10n.t('Used / limit: {0}', escapeMd(formatUsedOfLimit(m)))}\n`);
  const reset = formatResetIn(m.resetsAt, now);
  if (reset) md.appendMarkdown(`- ${escapeMd(reset)} (${escapeMd(new Date(m.resetsAt!).toLocaleString(currentLocale()))})\n`);
  if (m.detail) md.appendMarkdown(`- ${escapeMd(meterNoteText(m.detail))}\n`);
  if (m.problem) md.appendMarkdown(`- $(warning) ${vscode.l10n.t('Last poll refused: {0} Showing the last good reading.', escapeMd(m.problem.message))}\n`);
  const pace = e.pace?.[m.id];
  if (pace?.text) md.appendMarkdown(`- ${vscode.l10n.t('Pace: {0}', escapeMd(pace.text))}${pace.detail ? `  \n  ${escapeMd(pace.detail)}` : ''}\n`);
  md.appendMarkdown(`- ${vscode.l10n.t('Source: {0}, captured {1}', escapeMd(SOURCE_LABEL[m.source]), escapeMd(formatAge(m.capturedAt, now)))}\n`);
  return md;
}
