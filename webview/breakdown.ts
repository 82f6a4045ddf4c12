// "Where the credits went" on a Copilot account's card: the billing breakdown by model (bars) and by day (columns),
// with the pace engine's projection to the reset, or why the report cannot be read and which sign-in can.
import type { DashboardAccount } from '../src/shared/protocol';
import { formatAmount } from '../src/shared/format';
import { breakdownTotalsLine } from '../src/shared/breakdownFormat';
import { actionButton, h } from './dom';

/** `part` of `whole` in percent with two decimals, at least `min` so a small share stays visible. */
function share(part: number, whole: number, min: number): number {
  return whole > 0 ? Math.max(min, Math.round((part / whole) * 10_000) / 100) : min;
}

/** Longest bar list and day columns drawn (the breakdown carries at most 50 models and 31 days). */
const MAX_BARS = 12;

/**
 * "Where the credits went": the billing breakdown of a Copilot account — credits (or premium requests) by model as
 * bars, by day as a column chart, the projection to the reset from the pace engine — or, when the report cannot be
 * read, why and which sign-in can (a note with an action, not an error).
 */
export function renderBreakdown(a: DashboardAccount): HTMLElement | null {
  const b = a.snapshot?.breakdown;
  if (!b) return null;
  if (b.state === 'unavailable') {
    const action = b.fix === 'fine-grained-token' || b.fix === 'org-admin-token' || b.fix === 'enterprise-admin-token';
    return h(
      'section',
      { class: 'breakdown breakdown--unavailable', testid: 'breakdown-unavailable', data: { reason: b.reason } },
      h('h3', { class: 'breakdown-title', text: 'Where the credits went' }),
      h('p', { class: 'breakdown-note', testid: 'breakdown-message', text: b.message }),
      action ? h('span', { class: 'alert-actions' }, actionButton('Add a token that can read it…', 'addBillingToken', { accountId: a.id, testid: 'breakdown-add-token', codicon: 'key', secondary: true })) : null,
    );
  }
  const unitWord = b.unit === 'credits' ? 'AI credits' : 'premium requests';
  const section = h(
    'section',
    { class: 'breakdown', testid: 'breakdown', attrs: { 'aria-label': `${a.name}: ${unitWord} by model and by day` } },
    h('h3', { class: 'breakdown-title', text: `Where the ${unitWord} went — ${b.month}` }),
    h('p', { class: 'breakdown-totals', testid: 'breakdown-totals', text: breakdownTotalsLine(b) }),
  );
  const pace = a.breakdownPace;
  if (pace && (pace.status === 'ok' || pace.status === 'no-limit')) section.append(h('p', { class: 'meter-pace', testid: 'breakdown-pace', text: pace.text }));
  const models = b.byModel.filter((r) => r.quantity > 0);
  if (models.length === 0) {
    section.append(h('p', { class: 'card-empty', testid: 'breakdown-empty', text: `No ${unitWord} used this month.` }));
    return section;
  }
  const max = Math.max(...models.map((r) => r.quantity));
  const list = h('ul', { class: 'breakdown-models', testid: 'breakdown-models', attrs: { 'aria-label': `${unitWord} by model` } });
  for (const r of models.slice(0, MAX_BARS)) {
    const bar = h('span', { class: 'breakdown-bar' });
    bar.style.inlineSize = `${share(r.quantity, max, 1)}%`;
    const money = r.netAmount !== undefined && r.netAmount > 0 ? ` · ${formatAmount(r.netAmount, b.currency)} billed` : '';
    list.append(
      h(
        'li',
        { class: 'breakdown-row', testid: 'breakdown-model', data: { model: r.model } },
        h('span', { class: 'breakdown-label', text: r.model }),
        h('span', { class: 'breakdown-track' }, bar),
        h('span', { class: 'breakdown-value', text: `${formatAmount(r.quantity, b.unit)}${money}` }),
      ),
    );
  }
  if (models.length > MAX_BARS) list.append(h('li', { class: 'breakdown-more', text: `and ${models.length - MAX_BARS} more` }));
  section.append(list);
  // Every day of the month so far, days without usage as empty columns (the breakdown lists only days with usage).
  const perDay = new Map((b.byDay ?? []).map((d) => [d.day, d.quantity]));
  const lastDay = b.capturedAt >= Date.parse(`${b.month}-01T00:00:00Z`) ? Math.min(31, new Date(b.capturedAt).getUTCDate()) : 0;
  const days: Array<{ day: string; quantity: number }> = [];
  for (let d = 1; d <= lastDay; d++) {
    const day = `${b.month}-${String(d).padStart(2, '0')}`;
    if (day.slice(0, 7) === new Date(b.capturedAt).toISOString().slice(0, 7)) days.push({ day, quantity: perDay.get(day) ?? 0 });
  }
  if (b.byDay && days.length > 0) {
    const dayMax = Math.max(...days.map((d) => d.quantity));
    const chart = h('div', { class: 'breakdown-days', testid: 'breakdown-days', attrs: { role: 'img', 'aria-label': `${unitWord} by day: ${days.filter((d) => d.quantity > 0).map((d) => `${d.day} ${formatAmount(d.quantity, b.unit)}`).join(', ')}` } });
    for (const d of days) {
      const col = h('span', { class: 'breakdown-day', testid: 'breakdown-day', data: { day: d.day }, attrs: { title: `${d.day}: ${formatAmount(d.quantity, b.unit)}` } });
      col.style.blockSize = `${d.quantity > 0 ? share(d.quantity, dayMax, 2) : 0}%`;
      chart.append(col);
    }
    section.append(h('div', { class: 'breakdown-days-title', text: 'By day (UTC)' }), chart);
  }
  return section;
}
