// Pure DOM builders for the dashboard: state in, elements out. Time-dependent texts (reset countdowns, ages) carry
// `data-tick` + `data-at` so main.ts can refresh them every 30 s without rebuilding the card.
import type { DashboardAccount, DashboardState } from '../src/shared/protocol';
import type { PaceSummary } from '../src/shared/pace';
import type { Meter } from '../src/shared/model';
import {
  formatAge,
  formatDuration,
  formatMeterValue,
  formatResetIn,
  formatUsedOfLimit,
  meterSeverity,
  errorHeadline,
  problemConsequence,
  SOURCE_LABEL,
  statusLabel,
  type Thresholds,
} from '../src/shared/format';
import { incidentSentence } from '../src/shared/incidents';
import { actionButton, h, hv, icon } from './dom';
import { renderBreakdown } from './breakdown';
import { l10n } from '../src/shared/l10n';
import { meterLabelText, meterNoteText } from '../src/shared/meterLabels';
import { renderHistoryBlock } from './chart/template';

export type TickKind = 'reset' | 'age' | 'stale' | 'next';

/** The text of a ticking element at `now`; the single place these strings are produced. */
export function tickText(kind: TickKind, at: number | undefined, now: number): string {
  switch (kind) {
    case 'reset':
      return formatResetIn(at, now) ?? '';
    case 'age':
      return l10n.t('captured {0}', formatAge(at, now));
    case 'stale':
      return at === undefined ? l10n.t('Stale') : l10n.t('Stale · {0}', formatAge(at, now));
    case 'next': {
      if (at === undefined) return '';
      return at - now <= 0 ? l10n.t('update due') : l10n.t('next update in {0}', formatDuration(at - now));
    }
  }
}

function ticking(kind: TickKind, at: number | undefined, now: number, cls: string, testid?: string, tag: 'span' | 'vscode-badge' = 'span'): HTMLElement {
  const props: Parameters<typeof h>[1] = { class: cls, data: { tick: kind, at }, text: tickText(kind, at, now) };
  if (testid) props.testid = testid;
  // The absolute time behind the countdown is its tooltip, set on pointerover and once the page is idle (main.ts):
  // formatting it here would build the first Intl.DateTimeFormat of the page during the first render.
  return tag === 'span' ? h('span', props) : hv(tag, props);
}

export function renderToolbar(): HTMLElement {
  return h(
    'header',
    { class: 'toolbar' },
    h('h1', { class: 'toolbar-title', text: l10n.t('AI usage') }),
    h(
      'div',
      { class: 'toolbar-actions', attrs: { role: 'toolbar', 'aria-label': l10n.t('Dashboard actions') } },
      actionButton(l10n.t('Refresh all'), 'refreshAll', { codicon: 'refresh', testid: 'refresh-all' }),
      actionButton(l10n.t('Add account'), 'addAccount', { codicon: 'add', secondary: true, testid: 'add-account' }),
      actionButton(l10n.t('Settings'), 'openSettings', { codicon: 'gear', secondary: true, testid: 'open-settings' }),
    ),
  );
}

export function renderEmpty(): HTMLElement {
  return h(
    'section',
    { class: 'empty', testid: 'empty-state', attrs: { 'aria-label': l10n.t('No accounts') } },
    h('p', { class: 'empty-title', text: l10n.t('No accounts yet') }),
    h('p', { class: 'empty-text', text: l10n.t('Add a Copilot, OpenRouter or other AI account to see its quotas, credits and rate limits here.') }),
    actionButton(l10n.t('Add account'), 'addAccount', { codicon: 'add', testid: 'empty-add-account' }),
  );
}

/** Share of the window elapsed as a whole percent in 0–100, when the pace engine knows it. */
function elapsedPercent(pace: PaceSummary | undefined): number | undefined {
  const f = pace?.elapsedFraction;
  if (f === undefined || !Number.isFinite(f)) return undefined;
  return Math.round(Math.min(1, Math.max(0, f)) * 100);
}

function renderGauge(m: Meter, value: string, detail: string, percent: number | undefined, pace: PaceSummary | undefined): HTMLElement | null {
  if (m.unlimited) return null; // nothing to measure against: no bar rather than a fake one
  const label = meterLabelText(m.label);
  if (percent === undefined) {
    return h(
      'div',
      { class: 'gauge gauge--unknown', testid: 'meter-gauge', attrs: { role: 'img', 'aria-label': l10n.t('{0}: usage unknown', label) } },
      h('div', { class: 'gauge-fill' }),
    );
  }
  const fill = h('div', { class: 'gauge-fill' });
  // CSSOM writes are not inline-style attributes, so the strict `style-src` CSP allows them.
  fill.style.setProperty('--fill', String(Math.min(100, Math.max(0, percent))));
  const now = Math.round(percent * 100) / 100;
  const elapsed = elapsedPercent(pace);
  // The month-progress tick: where a linear pace would be now. Fill past the tick = ahead of pace.
  let marker: HTMLElement | null = null;
  let elapsedText = '';
  if (elapsed !== undefined) {
    elapsedText = l10n.t('{0}% of the window elapsed', elapsed);
    marker = h('div', { class: 'gauge-marker', testid: 'gauge-elapsed', data: { elapsed }, attrs: { 'aria-hidden': 'true', title: elapsedText } });
    marker.style.setProperty('--elapsed', String(elapsed));
  }
  return h(
    'div',
    {
      class: `gauge${marker ? ' gauge--paced' : ''}`,
      testid: 'meter-gauge',
      attrs: {
        role: 'meter',
        'aria-valuemin': 0,
        'aria-valuemax': Math.max(100, Math.ceil(now)),
        'aria-valuenow': now,
        'aria-valuetext': elapsedText ? l10n.t('{0} used, {1}', value, elapsedText) : l10n.t('{0} used', value),
        // A percent-only meter's detail is the value again ("40% used"): said once.
        'aria-label': [l10n.t('{0}: {1} used', label, value), detail && detail !== l10n.t('{0} used', value) ? detail : '', elapsedText].filter(Boolean).join(l10n.t(', ')),
      },
    },
    fill,
    marker,
  );
}

/** A pace worth a line under its meter: one that says something about this meter, not that there is too little history. */
function informativePace(pace: PaceSummary | undefined): boolean {
  return !!pace?.text && pace.status !== 'insufficient-data';
}

/** The meter's status bar pin: "Pin to status bar", or "Unpin" when pinned (the host saves tokstat.statusBar.pins). */
function pinButton(accountId: string, m: Meter, pinned: boolean): HTMLElement {
  const b = h('button', {
    class: `icon-btn meter-pin${pinned ? ' meter-pin--on' : ''}`,
    testid: 'meter-pin',
    data: { action: 'pin', accountId, meterId: m.id, pinned: String(pinned) },
    attrs: { type: 'button', 'aria-pressed': String(pinned), 'aria-label': `${pinned ? 'Unpin' : 'Pin'} ${m.label} ${pinned ? 'from' : 'to'} the status bar`, title: pinned ? 'Unpin from Status Bar' : 'Pin to Status Bar' },
  });
  b.append(icon(pinned ? 'pinned' : 'pin'));
  return b;
}

/** The key of a pinned meter in `DashboardState.pinned`. */
export function pinnedKey(accountId: string, meterId: string): string {
  return `${accountId}\u0000${meterId}`;
}

function renderMeter(accountId: string, m: Meter, thresholds: Thresholds, now: number, pace: PaceSummary | undefined, pinned = false): HTMLLIElement {
  const severity = meterSeverity(m, thresholds);
  const value = formatMeterValue(m);
  const detail = formatUsedOfLimit(m);
  const meta = h('div', { class: 'meter-meta' });
  if (m.resetsAt !== undefined) meta.append(ticking('reset', m.resetsAt, now, 'meter-reset', 'meter-reset'), ' · ');
  meta.append(
    h('span', { class: 'meter-source', testid: 'meter-source', text: SOURCE_LABEL[m.source] ?? l10n.t('unknown source') }),
    ' · ',
    ticking('age', m.capturedAt, now, 'meter-captured'),
  );
  return h(
    'li',
    {
      class: `meter severity-${severity}${m.unlimited ? ' meter--unlimited' : ''}`,
      testid: 'meter',
      data: { meterId: m.id, severity },
    },
    h('div', { class: 'meter-head' }, h('span', { class: 'meter-label', text: meterLabelText(m.label) }), h('span', { class: 'meter-value', testid: 'meter-value', text: value }), pinButton(accountId, m, pinned)),
    renderGauge(m, value, detail, m.unlimited ? undefined : m.percentUsed, pace),
    h('div', { class: 'meter-detail', testid: 'meter-detail', text: detail }),
    // "Not enough history yet" is said once per card (renderCard), not under every meter.
    informativePace(pace) ? h('div', { class: 'meter-pace', testid: 'pace-text', text: pace!.text }) : null,
    // The numbers behind the pace (reserve or deficit, budgets), already worded by the host: no formatting here.
    informativePace(pace) && pace!.detail ? h('div', { class: 'meter-pace-detail', testid: 'pace-detail', text: pace!.detail }) : null,
    m.detail ? h('div', { class: 'meter-note', text: meterNoteText(m.detail) }) : null,
    meta,
    // Unlimited meters have nothing worth plotting against; every other meter gets its history chart.
    m.unlimited ? null : renderHistoryBlock(accountId, m),
  );
}

/** The reason first ("Key rejected by OpenRouter (401)"), what it means for the numbers, then the details. */
function problemTexts(a: DashboardAccount, now: number, testid: string): HTMLElement[] {
  const snap = a.snapshot!;
  const err = snap.error;
  if (!err) return [h('span', { class: 'alert-text', testid, text: l10n.t('The last refresh failed.') })];
  const then = problemConsequence(
    { status: snap.status, hasNumbers: snap.meters.length > 0, lastSuccessAt: snap.lastSuccessAt, authKind: a.authKind, ...(a.nextPollAt !== undefined ? { nextPollAt: a.nextPollAt } : {}) },
    now,
  );
  return [
    // While the provider's status page reports an incident, that is the likelier reason (issue #20 §3).
    h('span', {
      class: 'alert-text',
      testid,
      text: ((head: string) => (then ? l10n.t('{0} — {1}', head, then) : head))(a.incident ? incidentSentence(a.incident) : errorHeadline(err, a.providerName, a.authKind)),
    }),
    // The server's words and the request's host and path: for whoever needs to dig.
    h('span', { class: 'alert-text alert-detail', testid: 'account-error-detail', text: err.message }),
  ];
}

function renderAlert(a: DashboardAccount, now: number): HTMLElement | null {
  const snap = a.snapshot;
  if (!snap) return null;
  if (snap.status === 'error') {
    return h(
      'div',
      { class: 'alert alert--error' },
      icon('error'),
      ...problemTexts(a, now, 'account-error'),
      h(
        'span',
        { class: 'alert-actions' },
        actionButton(l10n.t('Retry'), 'retry', { accountId: a.id, testid: 'retry' }),
        actionButton(l10n.t('Show log'), 'showLog', { secondary: true }),
      ),
    );
  }
  if (snap.status === 'auth-required') {
    // An API key is replaced, not signed in to (the host's sign-in action asks for the new key).
    const apiKey = a.authKind === 'api-key';
    return h(
      'div',
      { class: 'alert alert--warning' },
      icon('warning'),
      ...problemTexts(a, now, 'account-error'),
      h('span', { class: 'alert-actions' }, actionButton(apiKey ? l10n.t('Replace key…') : l10n.t('Sign in again'), 'signIn', { accountId: a.id, testid: 'sign-in', codicon: apiKey ? 'key' : 'sign-in' })),
    );
  }
  if (snap.status === 'stale' && snap.error) {
    return h('div', { class: 'alert alert--note' }, ...problemTexts(a, now, 'account-error'));
  }
  return null;
}

/** One account card; `now` is the estimated host time used for countdowns at build time. */
export function renderCard(a: DashboardAccount, state: Pick<DashboardState, 'thresholds' | 'pinned'>, now: number): HTMLElement {
  const snap = a.snapshot;
  const status = snap?.status;
  const statusText = status ? statusLabel(status, a.authKind) : l10n.t('no data yet');
  const titleId = `acct-${cssSafe(a.id)}`;

  const sub: string[] = [a.providerName];
  if (snap?.plan) sub.push(snap.plan);
  if (snap?.identity) sub.push(snap.identity);

  // One badge: a stale account's says how old its numbers are ("Stale · 5m ago"), not "stale" twice.
  const badges = h(
    'div',
    { class: 'badges' },
    status === 'stale'
      ? hv('vscode-badge', { class: 'status status--stale', testid: 'account-status' }, ticking('stale', snap?.lastSuccessAt, now, 'status-age', 'stale-badge'))
      : hv('vscode-badge', { class: `status status--${status ?? 'none'}`, testid: 'account-status', text: statusText }),
  );
  if (a.incident) badges.append(hv('vscode-badge', { class: 'status status--incident', testid: 'account-incident', text: 'Incident' }));
  if (a.loading) {
    badges.append(
      h(
        'span',
        { class: 'loading', testid: 'account-loading', attrs: { role: 'status' } },
        // Decorative: the live region around it says it (the component's own role is an assertive alert).
        hv('vscode-progress-ring', { class: 'loading-ring', attrs: { 'aria-hidden': 'true', role: 'presentation', 'aria-live': 'off' } }),
        h('span', { class: 'sr-only', text: l10n.t('Refreshing…') }),
      ),
    );
  }

  const refresh = h('button', {
    class: 'icon-btn',
    attrs: { type: 'button', 'aria-label': l10n.t('Refresh {0}', a.name), title: l10n.t('Refresh') },
    data: { action: 'refresh', accountId: a.id },
    testid: 'account-refresh',
  });
  refresh.append(icon('refresh'));

  const card = h(
    'article',
    {
      class: `card card--${status ?? 'none'}${a.loading ? ' card--loading' : ''}`,
      testid: 'account-card',
      data: { accountId: a.id, accountName: a.name, status: status ?? 'none' },
      attrs: { 'aria-labelledby': titleId, 'aria-busy': a.loading ? 'true' : 'false' },
    },
    h(
      'header',
      { class: 'card-header' },
      icon(a.icon, 'card-icon'),
      h('div', { class: 'card-title' }, h('h2', { class: 'account-name', attrs: { id: titleId }, text: a.name }), h('div', { class: 'account-sub', text: sub.join(' · ') })),
      badges,
      refresh,
    ),
    renderAlert(a, now),
    a.incident
      ? h(
          'div',
          { class: 'alert alert--incident', testid: 'account-incident-title' },
          icon('broadcast'),
          h('span', { class: 'alert-text', text: [incidentSentence(a.incident), a.incident.status].filter(Boolean).join(' · ') }),
        )
      : null,
  );

  const meters = snap?.meters ?? [];
  if (meters.length > 0) {
    const list = h('ul', { class: 'meters', attrs: { 'aria-label': l10n.t('{0} meters', a.name) } });
    const pinned = new Set(state.pinned ?? []);
    for (const m of meters) list.append(renderMeter(a.id, m, state.thresholds, now, a.pace?.[m.id], pinned.has(pinnedKey(a.id, m.id))));
    card.append(list);
    const waiting = meters.filter((m) => a.pace?.[m.id]?.status === 'insufficient-data');
    if (waiting.length > 0) {
      const text =
        waiting.length === meters.length
          ? l10n.t('Not enough history yet for a pace.')
          : l10n.t('Not enough history yet for a pace of {0}.', waiting.map((m) => meterLabelText(m.label)).join(l10n.t(', ')));
      card.append(h('p', { class: 'card-empty', testid: 'pace-pending', text }));
    }
  } else if (!snap || status === 'ok') {
    card.append(h('p', { class: 'card-empty', text: a.loading || !snap ? l10n.t('Waiting for the first refresh…') : l10n.t('This account reports no meters.') }));
  }
  const breakdown = renderBreakdown(a);
  if (breakdown) card.append(breakdown);
  if (a.nextPollAt !== undefined) card.append(h('footer', { class: 'card-footer' }, ticking('next', a.nextPollAt, now, 'next-poll')));
  // Cards far from the viewport are not laid out until they come near (content-visibility in dashboard.css); until
  // then they take this estimate, so the scrollbar is about right from the first frame. Set through the CSSOM, which
  // the CSP allows.
  card.style.containIntrinsicBlockSize = `auto ${estimatedCardHeight(a)}px`;
  return card;
}

/** About how tall a card is (px): a header and ~320 px per meter with its chart, measured at the narrowest column. */
export function estimatedCardHeight(a: DashboardAccount): number {
  return 40 + Math.max(1, a.snapshot?.meters.length ?? 0) * 320;
}

/**
 * Stands in for a card far below the viewport until the page is idle (main.ts): the account's name as the card's
 * heading, and the card's estimated height, so neither the outline nor the scrollbar changes when it is built.
 */
export function renderPendingCard(a: DashboardAccount): HTMLElement {
  const titleId = `acct-${cssSafe(a.id)}`;
  const card = h(
    'article',
    { class: 'card card--pending', testid: 'account-card-pending', data: { accountId: a.id, accountName: a.name }, attrs: { 'aria-labelledby': titleId, 'aria-busy': 'true' } },
    h('header', { class: 'card-header' }, h('div', { class: 'card-title' }, h('h2', { class: 'account-name', attrs: { id: titleId }, text: a.name }))),
  );
  const height = `${estimatedCardHeight(a)}px`;
  card.style.containIntrinsicBlockSize = `auto ${height}`;
  card.style.minBlockSize = height; // the same size if it is scrolled into view before it is built
  return card;
}

function cssSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}
