// The Spend view: money per day (7 or 30 days) or per month (12 months) across every account that reports money and
// the local agents' API-equivalent cost, stacked by provider, with a table alternative and CSV export. Built by the
// host (src/features/spend/core/spend.ts) and asked for by range (`requestSpend`); unknown amounts (before tokstat saw a
// source) show as "—", never as 0. Money is formatted in the webview's locale; the Intl objects are built when the
// view first draws, after the cards (see formats.ts for why the first render builds none).
import type { SpendRange, SpendView, WebviewToHost } from '../src/shared/protocol';
import { SPEND_RANGES } from '../src/shared/protocol';
import { h, hv, icon, lazy } from './dom';

const RANGE_LABEL: Record<SpendRange, string> = { '7d': '7 days', '30d': '30 days', '12m': '12 months' };
const KIND_LABEL = { vendor: 'daily cost report', spend: 'spend meter', burn: 'balance used', agent: 'API-equivalent, local logs' } as const;
/** Requests while the host's state keeps changing: at most one per this many ms (the range buttons ask at once). */
const REFRESH_MS = 10_000;

const moneyFormats = new Map<string, Intl.NumberFormat>();
/** "$1,234.50", "1.234,50 €": the currency in the webview's locale. */
export function formatMoney(v: number | null | undefined, currency: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  let f = moneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 2, minimumFractionDigits: 2 });
    } catch {
      f = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
    }
    moneyFormats.set(currency, f);
  }
  const s = f.format(v);
  return f.resolvedOptions().style === 'currency' ? s : `${s} ${currency}`;
}

const dayLabel = lazy(() => new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }));
const monthLabel = lazy(() => new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' }));

export function bucketLabel(b: string): string {
  const [y, m, d] = b.split('-').map(Number) as [number, number, number | undefined];
  return d === undefined ? monthLabel().format(Date.UTC(y, m - 1, 1)) : dayLabel().format(Date.UTC(y, m - 1, d));
}

/** The stacked bars (plain DOM, as the local agents' charts), a legend and a text summary for screen readers. */
function renderChart(v: SpendView): HTMLElement {
  const max = Math.max(0, ...v.totals.map((t) => t ?? 0));
  const bars = h('div', { class: 'ubars', attrs: { 'aria-hidden': 'true' } });
  v.buckets.forEach((b, i) => {
    const total = v.totals[i];
    const parts = v.stacks.filter((s) => (s.values[i] ?? 0) > 0).map((s) => `${s.provider} ${formatMoney(s.values[i], v.currency)}`);
    const col = h('div', { class: `ubar${total === null ? ' ubar--unknown' : ''}`, data: { bucket: b }, attrs: { title: `${bucketLabel(b)}: ${total === null ? 'unknown' : formatMoney(total, v.currency)}${parts.length ? `\n${parts.join('\n')}` : ''}` } });
    const stack = h('div', { class: 'ubar-stack' });
    stack.style.setProperty('--h', String(max > 0 && total ? (total / max) * 100 : 0));
    v.stacks.forEach((s, k) => {
      const x = s.values[i] ?? 0;
      if (x <= 0 || !total) return;
      const seg = h('div', { class: `useg useg--${k < 6 ? k : 'other'}` });
      seg.style.setProperty('--h', String((x / total) * 100));
      stack.append(seg);
    });
    col.append(stack);
    bars.append(col);
  });
  const first = v.buckets[0];
  const last = v.buckets[v.buckets.length - 1];
  const peak = Math.max(0, ...v.totals.map((t) => t ?? 0));
  const summary = `Spend per ${v.unit} over the last ${RANGE_LABEL[v.range]}, stacked by provider: total ${formatMoney(v.total, v.currency)}, highest ${v.unit} ${formatMoney(peak, v.currency)}.`;
  return h(
    'figure',
    { class: 'usage-chart spend-chart', testid: 'spend-chart' },
    h('div', { class: 'ubars-frame', attrs: { role: 'img', 'aria-label': summary } }, h('span', { class: 'ubars-max', attrs: { 'aria-hidden': 'true' }, text: formatMoney(max, v.currency) }), bars),
    h('div', { class: 'ubars-axis', attrs: { 'aria-hidden': 'true' } }, h('span', { text: first ? bucketLabel(first) : '' }), h('span', { text: last ? bucketLabel(last) : '' })),
    h(
      'ul',
      { class: 'ulegend', testid: 'spend-legend', attrs: { 'aria-label': 'Providers' } },
      ...v.stacks.map((s, k) =>
        h('li', {}, h('span', { class: `uswatch useg--${k < 6 ? k : 'other'}`, attrs: { 'aria-hidden': 'true' } }), h('span', { text: `${s.provider} ${formatMoney(s.total, v.currency)}` })),
      ),
    ),
  );
}

/** The table alternative: one row per day or month, one column per provider, then the total. */
function renderTable(v: SpendView): HTMLElement {
  const head = [v.unit === 'day' ? 'Day' : 'Month', ...v.stacks.map((s) => s.provider), 'Total'];
  const rows = v.buckets.map((b, i) =>
    h(
      'tr',
      {},
      h('th', { attrs: { scope: 'row' }, text: bucketLabel(b) }),
      ...v.stacks.map((s) => h('td', { class: 'num', text: formatMoney(s.values[i], v.currency) })),
      h('td', { class: 'num', text: formatMoney(v.totals[i], v.currency) }),
    ),
  );
  return h(
    'table',
    { class: 'usage-table', testid: 'spend-table' },
    h('caption', { class: 'sr-only', text: `Spend per ${v.unit} by provider, ${v.currency}` }),
    h('thead', {}, h('tr', {}, ...head.map((c, i) => h('th', { class: i > 0 ? 'num' : '', attrs: { scope: 'col' }, text: c })))),
    h('tbody', {}, ...rows),
  );
}

/** Where each amount comes from: one row per account or agent, its total over the range, and a balance's top-ups. */
function renderSources(v: SpendView): HTMLElement {
  const rows = v.rows.map((r) =>
    h(
      'tr',
      { data: { source: r.id } },
      h('th', { attrs: { scope: 'row' }, text: r.label }),
      h('td', { text: r.provider }),
      h('td', { text: KIND_LABEL[r.kind] }),
      h('td', { class: 'num', text: formatMoney(r.total, r.currency) }),
      h('td', { class: 'num', text: r.topUps ? formatMoney(r.topUps, r.currency) : '' }),
    ),
  );
  return h(
    'details',
    { class: 'chart-table', data: { key: 'spend-sources' } },
    h('summary', { text: 'Sources' }),
    h(
      'table',
      { class: 'usage-table', testid: 'spend-sources' },
      h('caption', { class: 'sr-only', text: 'Where the amounts come from' }),
      h('thead', {}, h('tr', {}, ...['Source', 'Provider', 'From', 'Total', 'Top-ups'].map((c, i) => h('th', { class: i > 2 ? 'num' : '', attrs: { scope: 'col' }, text: c })))),
      h('tbody', {}, ...rows),
    ),
  );
}

export function renderSpendBody(v: SpendView, table: boolean): HTMLElement {
  const body = h('div', { class: 'spend-body', testid: 'spend-body' });
  body.append(
    h('p', { class: 'spend-total', testid: 'spend-total', text: `${formatMoney(v.total, v.currency)} over the last ${RANGE_LABEL[v.range]}` }),
  );
  if (v.rows.length === 0) {
    body.append(h('p', { class: 'usage-note', testid: 'spend-empty', text: 'No account reports money yet. OpenAI, Anthropic, OpenRouter, xAI, LiteLLM and Cursor accounts, balances and the local agents\u2019 logs show up here.' }));
    return body;
  }
  body.append(table ? renderTable(v) : renderChart(v));
  for (const o of v.otherCurrencies) body.append(h('p', { class: 'usage-note', text: `Also ${formatMoney(o.total, o.currency)} in ${o.currency}, not in the chart (see Sources).` }));
  body.append(renderSources(v));
  return body;
}

function toggle(label: string, action: string, pressed: boolean, extra: Record<string, string> = {}): HTMLElement {
  return hv('vscode-button', {
    class: 'range-btn',
    text: label,
    data: { action, ...extra },
    attrs: { role: 'button', tabindex: 0, secondary: pressed ? undefined : '', 'aria-pressed': String(pressed) },
    testid: `spend-${extra.range ?? action}`,
  });
}

export interface SpendPrefs {
  range: SpendRange;
  table?: boolean;
}

/** The section: asks the host for the chosen range, draws the answer, keeps the choice in the webview state. */
export class SpendSectionController {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly controls: HTMLElement;
  private requestId = 0;
  private lastAsked = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private view: SpendView | undefined;

  constructor(
    private readonly post: (m: WebviewToHost) => void,
    private prefs: SpendPrefs,
    private readonly save: (p: SpendPrefs) => void,
  ) {
    this.controls = h('div', { class: 'spend-controls' });
    this.body = h('div', { attrs: { 'aria-live': 'polite' } }, h('p', { class: 'usage-note', text: 'Loading…' }));
    this.el = h(
      'section',
      { class: 'usage spend', testid: 'spend-section', attrs: { id: 'spend', 'aria-labelledby': 'spend-title', tabindex: -1 } },
      h('h2', { class: 'usage-title', attrs: { id: 'spend-title' } }, icon('credit-card'), h('span', { text: 'Spend' })),
      this.controls,
      this.body,
    );
    this.drawControls();
    this.el.addEventListener('click', (ev) => {
      const t = ev.target instanceof Element ? ev.target.closest<HTMLElement>('[data-action]') : null;
      if (!t) return;
      const action = t.dataset.action;
      if (action === 'spendRange' && (SPEND_RANGES as readonly string[]).includes(t.dataset.range ?? '')) {
        this.prefs = { ...this.prefs, range: t.dataset.range as SpendRange };
        this.changed(true);
      } else if (action === 'spendTable') {
        this.prefs = { ...this.prefs, table: !this.prefs.table };
        this.changed(false);
      } else if (action === 'spendExport') {
        this.post({ type: 'exportSpend', range: this.prefs.range });
      } else return;
      ev.stopPropagation();
    });
  }

  private changed(ask: boolean): void {
    this.save(this.prefs);
    this.drawControls();
    if (ask) this.request();
    else if (this.view) this.draw(this.view);
  }

  private drawControls(): void {
    const ranges = hv('vscode-button-group', { class: 'range-switch', attrs: { role: 'group', 'aria-label': 'Spend range' } });
    for (const r of SPEND_RANGES) ranges.append(toggle(RANGE_LABEL[r], 'spendRange', r === this.prefs.range, { range: r }));
    this.controls.replaceChildren(
      ranges,
      toggle('Table', 'spendTable', this.prefs.table === true),
      hv('vscode-button', { class: 'range-btn', text: 'Export CSV', testid: 'spend-export', data: { action: 'spendExport' }, attrs: { role: 'button', tabindex: 0, secondary: '' } }),
    );
  }

  /** Asks for the chosen range now. */
  request(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastAsked = Date.now();
    this.post({ type: 'requestSpend', requestId: ++this.requestId, range: this.prefs.range });
  }

  /** The host's state changed: ask again, at most every REFRESH_MS. */
  stateChanged(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastAsked + REFRESH_MS - Date.now());
    if (wait === 0) this.request();
    else this.timer = setTimeout(() => this.request(), wait);
  }

  onSpend(requestId: number, view: SpendView | null): void {
    if (requestId !== this.requestId) return; // an older range's answer
    if (!view) {
      this.body.replaceChildren(h('p', { class: 'usage-note', text: 'The spend could not be computed; the log says why.' }));
      return;
    }
    this.view = view;
    this.draw(view);
  }

  private draw(v: SpendView): void {
    const open = this.body.querySelector<HTMLDetailsElement>('details[data-key="spend-sources"]')?.open === true;
    const next = renderSpendBody(v, this.prefs.table === true);
    if (open) next.querySelector<HTMLDetailsElement>('details[data-key="spend-sources"]')?.setAttribute('open', '');
    this.body.replaceChildren(next);
  }

  focus(): void {
    this.el.scrollIntoView({ block: 'start' });
    this.el.focus({ preventScroll: true });
  }
}
