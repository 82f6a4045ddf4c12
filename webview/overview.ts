// The overview strip above the cards: one row per account with its tightest meter (the host's `mainMeterId`,
// src/core/summary.ts `mainMeter`), that meter's gauge and value, the account's state and the meter's reset, so 20
// accounts fit one screen before the detailed cards. Light DOM only (a native table, no custom element needs to be
// defined for it to paint); the state is a <vscode-badge>, which paints as plain text until the elements load.
import type { DashboardAccount, DashboardState, HeadroomLine } from '../src/shared/protocol';
import type { Meter } from '../src/shared/model';
import { formatMeterValue, meterSeverity, STATUS_LABEL } from '../src/shared/format';
import { h, hv, icon } from './dom';
import { tickText } from './render';
import { l10n } from '../src/shared/l10n';
import { meterLabelText } from '../src/shared/meterLabels';

/** The meter a row shows: the host's pick, else the first meter (an older host sends no pick). */
export function overviewMeter(a: DashboardAccount): Meter | undefined {
  const meters = a.snapshot?.meters ?? [];
  return (a.mainMeterId === undefined ? undefined : meters.find((m) => m.id === a.mainMeterId)) ?? meters[0];
}

function row(a: DashboardAccount, state: Pick<DashboardState, 'thresholds'>, now: number): HTMLTableRowElement {
  const snap = a.snapshot;
  const status = snap?.status;
  const m = overviewMeter(a);
  const severity = m ? meterSeverity(m, state.thresholds) : 'unknown';
  const jump = h('button', {
    class: 'overview-jump',
    attrs: { type: 'button', title: l10n.t('Go to {0}', a.name) },
    data: { action: 'jump', accountId: a.id },
    testid: 'overview-jump',
  });
  jump.append(icon(a.icon, 'overview-icon'), h('span', { class: 'overview-name', text: a.name }));

  const meterCell = h('td', { class: 'overview-meter' });
  if (m) {
    const value = formatMeterValue(m);
    meterCell.append(h('span', { class: 'overview-label', text: meterLabelText(m.label) }));
    const bar = h('span', { class: `overview-bar${m.unlimited || m.percentUsed === undefined ? ' overview-bar--none' : ''}`, attrs: { 'aria-hidden': 'true' } }, h('span', { class: 'overview-fill' }));
    if (!m.unlimited && m.percentUsed !== undefined) bar.style.setProperty('--fill', String(Math.min(100, Math.max(0, m.percentUsed))));
    meterCell.append(bar, h('span', { class: 'overview-value', testid: 'overview-value', text: value }));
  } else {
    meterCell.append(h('span', { class: 'overview-label overview-label--none', text: '—' }));
  }

  const badge = hv('vscode-badge', { class: `status status--${status ?? 'none'}`, testid: 'overview-status', text: status ? STATUS_LABEL[status] : l10n.t('no data yet') });
  const reset = m?.resetsAt;
  return h(
    'tr',
    { class: `overview-row severity-${severity}`, testid: 'overview-row', data: { accountId: a.id, accountName: a.name, overviewMeter: m?.id, severity } },
    h('th', { class: 'overview-account', attrs: { scope: 'row' } }, jump),
    meterCell,
    h('td', { class: 'overview-state' }, badge),
    h('td', { class: 'overview-reset' }, reset === undefined ? null : h('span', { class: 'overview-reset-text', testid: 'overview-reset', data: { tick: 'reset', at: reset }, text: tickText('reset', reset, now) })),
  );
}

/**
 * The headroom advice under the table: per kind of work, which account has the most room before its reset at this
 * pace and why (the host's one line). Advice only: the name jumps to that account's card, nothing switches.
 */
function headroomLines(lines: readonly HeadroomLine[] | undefined): HTMLElement | null {
  if (!lines?.length) return null;
  const list = h('ul', { class: 'overview-headroom', testid: 'overview-headroom', attrs: { 'aria-label': l10n.t('Which account has room') } });
  for (const l of lines) {
    const item = h('li', { class: `overview-headroom-line headroom-${l.verdict}`, testid: 'headroom-line', data: { kind: l.kind, verdict: l.verdict, ...(l.accountId ? { accountId: l.accountId } : {}) } });
    item.append(icon(l.verdict === 'room' ? 'lightbulb' : 'warning', 'overview-headroom-icon'), h('span', { class: 'overview-headroom-text', text: l.reason }));
    list.append(item);
  }
  return list;
}

/** The whole strip for `accounts` (callers skip it when there are none). */
export function renderOverview(accounts: readonly DashboardAccount[], state: Pick<DashboardState, 'thresholds' | 'headroom'>, now: number): HTMLElement {
  const body = h('tbody');
  for (const a of accounts) body.append(row(a, state, now));
  return h(
    'section',
    { class: 'overview', testid: 'overview', attrs: { 'aria-label': l10n.t('Overview') } },
    h(
      'table',
      { class: 'overview-table' },
      h(
        'thead',
        { class: 'overview-head' },
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' }, text: l10n.t('Account') }),
          h('th', { attrs: { scope: 'col' }, text: l10n.t('Tightest meter') }),
          h('th', { attrs: { scope: 'col' }, text: l10n.t('State') }),
          h('th', { attrs: { scope: 'col' }, text: l10n.t('Reset') }),
        ),
      ),
      body,
    ),
    headroomLines(state.headroom),
  );
}
