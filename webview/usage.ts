// The "Local agents" section: what the coding agents on this machine spent, from `state.usage` (built on the host by
// src/core/usage/view.ts). DOM only through h() (textContent / setAttribute); bar heights and gauge fills are CSS
// custom properties set through the CSSOM, which the strict style-src CSP allows. Charts are plain DOM stacked bars:
// 30 columns do not need a canvas library, and every chart has a table alternative.
import type { UsageBlockView, UsageDailyView, UsagePlanWindowView, UsageSessionView, UsageTotalsView, UsageView } from '../src/shared/protocol';
import { formatTokens, formatUsd } from '../src/shared/usageFormat';
import { formatCount, localizeDecimal } from '../src/shared/numberFormat';
import { l10n } from '../src/shared/l10n';
import { h, icon } from './dom';
import { tickText } from './render';
import { absoluteTime, clockTime, utcDayLabel } from './formats';

function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return l10n.t('{0} ms', Math.round(ms));
  if (ms < 60_000) return l10n.t('{0} s', localizeDecimal((ms / 1000).toFixed(1)));
  return l10n.t('{0}m {1}s', Math.floor(ms / 60_000), Math.round((ms % 60_000) / 1000));
}

const unpricedNote = (t: { costUSD?: number; unpricedRequests: number }) =>
  t.costUSD !== undefined && t.unpricedRequests > 0 ? ` ${l10n.t('(+{0} unpriced)', formatCount(t.unpricedRequests))}` : '';

function costCell(t: { costUSD?: number; unpricedRequests: number }): HTMLTableCellElement {
  return h('td', { class: `num${t.costUSD === undefined ? ' unpriced' : ''}`, text: formatUsd(t.costUSD) + unpricedNote(t) });
}

/** A session's cost, with the AI credits its agent logged (the Copilot CLI) under it. */
function sessionCostCell(s: UsageSessionView): HTMLTableCellElement {
  const td = costCell(s);
  if (s.aiCredits !== undefined) td.append(h('span', { class: 'usage-note', testid: 'session-credits', text: ` · ${formatCount(s.aiCredits)} AI credits` }));
  return td;
}

/** `numeric`: which columns are right-aligned numbers (default every column after the first). */
function table(testid: string, caption: string, head: string[], rows: HTMLTableRowElement[], numeric?: number[]): HTMLTableElement {
  return h(
    'table',
    { class: 'usage-table', testid },
    h('caption', { class: 'sr-only', text: caption }),
    h('thead', {}, h('tr', {}, ...head.map((c, i) => h('th', { class: (numeric ? numeric.includes(i) : i > 0) ? 'num' : '', attrs: { scope: 'col' }, text: c })))),
    h('tbody', {}, ...rows),
  );
}

function tile(title: string, t: UsageTotalsView, costId: string, tokensId: string | undefined, note?: string): HTMLElement {
  const tip = [
    l10n.t('input {0}', formatTokens(t.tokens.input)),
    l10n.t('output {0}', formatTokens(t.tokens.output)),
    l10n.t('cache read {0}', formatTokens(t.tokens.cacheRead)),
    l10n.t('cache write {0}', formatTokens(t.tokens.cacheWrite)),
    t.tokens.reasoning ? l10n.t('reasoning {0}', formatTokens(t.tokens.reasoning)) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return h(
    'div',
    { class: 'usage-tile' },
    h('div', { class: 'usage-tile-title', text: title }),
    h('div', { class: `usage-tile-cost${t.costUSD === undefined ? ' unpriced' : ''}`, testid: costId, text: formatUsd(t.costUSD) }),
    h('div', {
      class: 'usage-tile-tokens',
      ...(tokensId ? { testid: tokensId } : {}),
      attrs: { title: tip },
      text: l10n.t('{0} tokens · {1} requests', formatTokens(t.tokens.total), formatCount(t.requests)),
    }),
    t.costUSD !== undefined && t.unpricedRequests > 0 ? h('div', { class: 'usage-note', text: l10n.t('{0} unpriced requests not included', formatCount(t.unpricedRequests)) }) : null,
    note ? h('div', { class: 'usage-note', text: note }) : null,
  );
}

function renderTotals(u: UsageView): HTMLElement {
  return h(
    'div',
    { class: 'usage-tiles' },
    tile(l10n.t('Today'), u.totals.today, 'usage-today-cost', 'usage-today-tokens'),
    tile(l10n.t('This month'), u.totals.month, 'usage-month-cost', 'usage-month-tokens'),
    u.workspace
      ? tile(l10n.t('This workspace (month)'), u.workspace.month, 'usage-workspace-cost', 'usage-workspace-tokens', l10n.t('today {0}', formatUsd(u.workspace.today.costUSD)))
      : null,
  );
}

function renderAgents(u: UsageView): HTMLElement | null {
  if (u.agents.length === 0) return null;
  const rows = u.agents.map((a) =>
    h(
      'tr',
      { data: { agent: a.agent } },
      h('th', { attrs: { scope: 'row' }, text: a.label }),
      costCell(a.today),
      h('td', { class: 'num', text: formatTokens(a.today.tokens.total) }),
      costCell(a.month),
      h('td', { class: 'num', text: formatTokens(a.month.tokens.total) }),
    ),
  );
  return table('usage-agents', l10n.t('Usage by agent'), [l10n.t('Agent'), l10n.t('Today'), l10n.t('Tokens today'), l10n.t('This month'), l10n.t('Tokens this month')], rows);
}

/** Stacked DOM bars (one column per day, one segment per model) for cost or tokens. */
function renderDaily(d: UsageDailyView, kind: 'cost' | 'tokens', testid: string): HTMLElement {
  const values = d.days.map((x) => (kind === 'cost' ? x.costByModel : x.tokensByModel));
  const totals = values.map((v) => v.reduce((s, n) => s + n, 0));
  const max = Math.max(0, ...totals);
  const fmt = kind === 'cost' ? formatUsd : formatTokens;
  const title = kind === 'cost' ? l10n.t('Daily cost by model') : l10n.t('Daily tokens by model');
  const bars = h('div', { class: 'ubars', attrs: { 'aria-hidden': 'true' } });
  d.days.forEach((day, i) => {
    const col = h('div', { class: 'ubar', attrs: { title: l10n.t('{0}: {1}', dayText(day.day), kind === 'cost' ? formatUsd(day.costUSD) + unpricedNote(day) : formatTokens(day.tokens)) } });
    const stack = h('div', { class: 'ubar-stack' });
    stack.style.setProperty('--h', String(max > 0 ? (totals[i]! / max) * 100 : 0));
    values[i]!.forEach((v, m) => {
      if (v <= 0 || totals[i]! <= 0) return;
      const seg = h('div', { class: `useg useg--${segClass(d.models[m]!, m)}` });
      seg.style.setProperty('--h', String((v / totals[i]!) * 100));
      stack.append(seg);
    });
    // A day with requests but no price gets a marker instead of an empty (= $0-looking) column.
    if (kind === 'cost' && day.requests > 0 && day.costUSD === undefined) col.classList.add('ubar--unpriced');
    col.append(stack);
    bars.append(col);
  });
  const first = d.days[0];
  const last = d.days[d.days.length - 1];
  const axis = h('div', { class: 'ubars-axis', attrs: { 'aria-hidden': 'true' } }, h('span', { text: first ? dayText(first.day) : '' }), h('span', { text: last ? dayText(last.day) : '' }));
  const legend = h(
    'ul',
    { class: 'ulegend', attrs: { 'aria-label': l10n.t('Models') } },
    ...d.models.map((m, i) => h('li', {}, h('span', { class: `uswatch useg--${segClass(m, i)}`, attrs: { 'aria-hidden': 'true' } }), h('span', { text: m }))),
  );
  const sum = totals.reduce((s, n) => s + n, 0);
  const summary =
    first && last
      ? l10n.t('{0}, {1} days from {2} to {3}: total {4}, highest day {5}.', title, d.days.length, dayText(first.day), dayText(last.day), fmt(sum), fmt(max))
      : l10n.t('{0}, {1} days: total {2}, highest day {3}.', title, d.days.length, fmt(sum), fmt(max));
  const rows: HTMLTableRowElement[] = [];
  d.days.forEach((x, i) => {
    if (x.requests <= 0) return;
    rows.push(
      h(
        'tr',
        {},
        h('th', { attrs: { scope: 'row' }, text: dayText(x.day) }),
        ...values[i]!.map((v) => h('td', { class: 'num', text: fmt(v) })),
        kind === 'cost' ? costCell(x) : h('td', { class: 'num', text: formatTokens(x.tokens) }),
      ),
    );
  });
  return h(
    'figure',
    { class: 'usage-chart', testid },
    h('figcaption', { class: 'usage-h3', text: title }),
    h('div', { class: 'ubars-frame', attrs: { role: 'img', 'aria-label': summary } }, h('span', { class: 'ubars-max', attrs: { 'aria-hidden': 'true' }, text: fmt(max) }), bars),
    axis,
    d.models.length ? legend : null,
    h(
      'details',
      { class: 'chart-table', data: { key: testid } },
      h('summary', { text: l10n.t('Show as table') }),
      rows.length ? table(`${testid}-table`, title, [l10n.t('Day'), ...d.models, l10n.t('Total')], rows) : h('p', { class: 'usage-note', text: l10n.t('No usage in this range.') }),
    ),
  );
}

function segClass(model: string, index: number): string {
  return model === 'other' && index >= 1 ? 'other' : String(index % 6);
}

function dayText(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return y && m && d ? utcDayLabel().format(Date.UTC(y, m - 1, d)) : day;
}

function renderSessions(u: UsageView): HTMLElement {
  const agentLabel = new Map(u.agents.map((a) => [a.agent, a.label]));
  const rows = u.sessions.map((s) => {
    const r = h(
      'tr',
      { data: { sessionId: s.sessionId } },
      h('th', { attrs: { scope: 'row', title: s.cwd || l10n.t('working folder unknown') }, text: s.workspace || l10n.t('unknown folder') }),
      h('td', { text: agentLabel.get(s.agent) ?? s.agent }),
      h('td', { attrs: { title: s.models.join(l10n.t(', ')) }, text: s.models.length > 1 ? `${s.model} +${s.models.length - 1}` : s.model }),
      h('td', { class: 'num', text: formatTokens(s.tokens) }),
      sessionCostCell(s),
      h('td', { attrs: { title: `${absoluteTime().format(s.firstTs)} – ${absoluteTime().format(s.lastTs)}` }, text: spanText(s.firstTs, s.lastTs, u.generatedAt, true) }),
    );
    return r;
  });
  return section(
    l10n.t('Top sessions'),
    rows.length
      ? table('usage-sessions', l10n.t('Top sessions by cost'), [l10n.t('Folder'), l10n.t('Agent'), l10n.t('Model'), l10n.t('Tokens'), l10n.t('Cost'), l10n.t('When')], rows, [3, 4])
      : empty('usage-sessions', l10n.t('No sessions in this range.')),
    true,
  );
}

/** "Nov 21 10:00–14:00", or "Nov 21 22:00 – Nov 22 03:00" across midnight; the day is left out for today when asked. */
function spanText(a: number, b: number, now: number, dayForToday: boolean): string {
  const da = localDayOf(a);
  const db = localDayOf(b);
  if (da === db) return `${dayForToday || da !== localDayOf(now) ? `${dayText(da)} ` : ''}${clockTime().format(a)}–${clockTime().format(b)}`;
  return `${dayText(da)} ${clockTime().format(a)} – ${dayText(db)} ${clockTime().format(b)}`;
}

function localDayOf(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function renderWorkspaces(u: UsageView): HTMLElement {
  const rows = u.workspaces.map((w) =>
    h(
      'tr',
      { class: w.current ? 'row--current' : '' },
      h('th', { attrs: { scope: 'row', title: w.cwd || l10n.t('working folder unknown') }, text: w.current ? l10n.t('{0} (this workspace)', w.label) : w.label }),
      h('td', { class: 'num', text: formatCount(w.sessions) }),
      h('td', { class: 'num', text: formatTokens(w.tokens) }),
      costCell(w),
    ),
  );
  return section(
    l10n.t('Top workspaces'),
    rows.length
      ? table('usage-workspaces', l10n.t('Top workspaces by cost'), [l10n.t('Folder'), l10n.t('Sessions'), l10n.t('Tokens'), l10n.t('Cost')], rows)
      : empty('usage-workspaces', l10n.t('No workspaces in this range.')),
  );
}

function renderTools(u: UsageView): HTMLElement {
  const rows = u.tools.map((t) =>
    h(
      'tr',
      {},
      h('th', { attrs: { scope: 'row' }, text: t.name }),
      h('td', { class: 'num', text: formatCount(t.count) }),
      h('td', { class: 'num', attrs: { title: l10n.t('{0} of {1} calls timed', formatCount(t.timedCount), formatCount(t.count)) }, text: formatMs(t.avgDurationMs) }),
      h('td', { class: `num${t.errors > 0 ? ' usage-errors' : ''}`, text: formatCount(t.errors) }),
    ),
  );
  return section(
    l10n.t('Tool calls'),
    rows.length
      ? table('usage-tools', l10n.t('Tool calls'), [l10n.t('Tool'), l10n.t('Calls'), l10n.t('Avg duration'), l10n.t('Errors')], rows)
      : empty('usage-tools', l10n.t('No tool calls in this range.')),
  );
}

function gauge(percent: number, label: string, valueText: string): HTMLElement {
  const fill = h('div', { class: 'gauge-fill' });
  fill.style.setProperty('--fill', String(Math.min(100, Math.max(0, percent))));
  return h(
    'div',
    {
      class: `gauge ${percent >= 95 ? 'severity-error' : percent >= 80 ? 'severity-warning' : 'severity-ok'}`,
      attrs: { role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(percent), 'aria-valuetext': valueText, 'aria-label': label },
    },
    fill,
  );
}

function renderBlock(b: UsageBlockView, now: number): HTMLElement {
  const pct = (b.elapsedFraction ?? 0) * 100;
  const projected =
    b.projectedTokens !== undefined
      ? b.projectedCostUSD !== undefined
        ? l10n.t('projected {0} tokens · {1} by {2}', formatTokens(b.projectedTokens), formatUsd(b.projectedCostUSD), clockTime().format(b.end))
        : l10n.t('projected {0} tokens by {1}', formatTokens(b.projectedTokens), clockTime().format(b.end))
      : undefined;
  return h(
    'div',
    { class: 'usage-block', testid: 'usage-block-current' },
    h(
      'div',
      { class: 'meter-head' },
      h('span', { class: 'meter-label', text: l10n.t('Current block {0}', spanText(b.start, b.end, now, false)) }),
      h('span', { class: 'meter-value', text: l10n.t('{0}% elapsed', Math.round(pct)) }),
    ),
    gauge(pct, l10n.t('Current 5-hour block'), l10n.t('{0}% of the 5 hours elapsed', Math.round(pct))),
    h('div', { class: 'meter-detail', text: l10n.t('{0} tokens · {1} · {2} requests', formatTokens(b.tokens), formatUsd(b.costUSD) + unpricedNote(b), formatCount(b.requests)) }),
    projected ? h('div', { class: 'meter-pace', text: projected }) : null,
    h('div', { class: 'meter-meta' }, h('span', { data: { tick: 'reset', at: b.end }, text: tickText('reset', b.end, now) }), ` · ${b.models.join(l10n.t(', '))}`),
  );
}

function renderBlocks(u: UsageView): HTMLElement | null {
  const { current, recent } = u.blocks;
  if (!current && recent.length === 0) return null;
  const rows = recent.map((b) =>
    h('tr', {}, h('th', { attrs: { scope: 'row' }, text: spanText(b.start, b.end, u.generatedAt, false) }), h('td', { class: 'num', text: formatTokens(b.tokens) }), costCell(b)),
  );
  return h(
    'div',
    { class: 'usage-card', testid: 'usage-blocks' },
    h('h3', { class: 'usage-h3', text: l10n.t('Claude Code 5-hour blocks') }),
    current ? renderBlock(current, u.generatedAt) : h('p', { class: 'usage-note', text: l10n.t('No active block: the next Claude Code request starts one.') }),
    rows.length ? table('usage-blocks-recent', l10n.t('Earlier blocks in the last 24 hours'), [l10n.t('Earlier blocks'), l10n.t('Tokens'), l10n.t('Cost')], rows) : null,
  );
}

function renderPlanWindow(w: UsagePlanWindowView, now: number): HTMLElement {
  const value = w.expired ? l10n.t('reset since') : `${Math.round(w.usedPercent)}%`;
  return h(
    'li',
    { class: `meter${w.expired ? ' meter--stale' : ''}` },
    h('div', { class: 'meter-head' }, h('span', { class: 'meter-label', text: l10n.t('Codex {0}', w.label) }), h('span', { class: 'meter-value', text: value })),
    w.expired ? null : gauge(w.usedPercent, l10n.t('Codex {0}', w.label), l10n.t('{0} used', `${Math.round(w.usedPercent)}%`)),
    h(
      'div',
      { class: 'meter-meta' },
      w.resetsAt !== undefined && !w.expired ? h('span', { data: { tick: 'reset', at: w.resetsAt }, text: tickText('reset', w.resetsAt, now) }) : null,
      w.resetsAt !== undefined && !w.expired ? ' · ' : null,
      h('span', { data: { tick: 'age', at: w.observedAt }, text: tickText('age', w.observedAt, now) }),
    ),
  );
}

function renderPlanWindows(u: UsageView): HTMLElement | null {
  if (u.planWindows.length === 0) return null;
  return h(
    'div',
    { class: 'usage-card', testid: 'usage-plan-windows' },
    h('h3', { class: 'usage-h3', text: l10n.t('Codex plan limits (from its logs)') }),
    h('ul', { class: 'meters' }, ...u.planWindows.map((w) => renderPlanWindow(w, u.generatedAt))),
  );
}

function section(title: string, body: HTMLElement, wide = false): HTMLElement {
  return h('div', { class: `usage-card${wide ? ' usage-card--wide' : ''}` }, h('h3', { class: 'usage-h3', text: title }), body);
}

function empty(testid: string, text: string): HTMLElement {
  return h('p', { class: 'usage-note', testid, text });
}

/** The whole "Local agents" section; the caller shows it only when `usage.visible`. */
export function renderUsageSection(u: UsageView): HTMLElement {
  const el = h(
    'section',
    { class: 'usage', testid: 'usage-section', attrs: { 'aria-labelledby': 'usage-title' } },
    h('h2', { class: 'usage-title', attrs: { id: 'usage-title' } }, icon('terminal'), h('span', { text: l10n.t('Local agents') })),
  );
  if (u.scan) {
    const n = formatCount;
    const text = u.scan.rebuild
      ? l10n.t('Rebuilding the usage index: reading your agents’ logs for the first time — {0} of {1} files. The figures below fill in as they are read.', n(u.scan.done), n(u.scan.total))
      : l10n.t('Reading your agents’ logs for the first time — {0} of {1} files. The figures below fill in as they are read.', n(u.scan.done), n(u.scan.total));
    el.append(
      h('p', { class: 'usage-note', testid: 'usage-scan', attrs: { role: 'status' }, text }),
      h('progress', { attrs: { max: String(u.scan.total), value: String(u.scan.done), 'aria-label': l10n.t('Log files read') } }),
    );
  }
  if (!u.hasData) {
    el.append(h('p', { class: 'usage-note', testid: 'usage-empty', text: l10n.t('No agent usage recorded yet. tokstat reads the Claude Code, Codex, Gemini CLI and opencode logs on this machine; nothing leaves it.') }));
    return el;
  }
  el.append(
    renderTotals(u),
    h('div', { class: 'usage-grid' }, renderBlocks(u), renderPlanWindows(u), section(l10n.t('By agent'), renderAgents(u) ?? empty('usage-agents', l10n.t('No agents.')), true)),
    h('p', { class: 'usage-range', text: l10n.t('Last {0} days ({1} – {2})', u.range.days, dayText(u.range.fromDay), dayText(u.range.toDay)) }),
    h('div', { class: 'usage-charts' }, renderDaily(u.daily, 'cost', 'usage-daily-cost'), renderDaily(u.daily, 'tokens', 'usage-daily-tokens')),
    h('div', { class: 'usage-grid' }, renderSessions(u), renderWorkspaces(u), renderTools(u)),
  );
  return el;
}

/** Rebuilds the section only when the view changed; keeps the open "Show as table" panels across rebuilds. */
export class UsageSectionController {
  private signature = '';
  private el: HTMLElement | undefined;

  constructor(private readonly parent: HTMLElement) {}

  update(u: UsageView | undefined): void {
    if (!u || !u.visible) {
      this.el?.remove();
      this.el = undefined;
      this.signature = '';
      return;
    }
    const sig = JSON.stringify(u);
    if (this.el && sig === this.signature) {
      if (!this.el.isConnected) this.parent.append(this.el);
      return;
    }
    const next = renderUsageSection(u);
    if (this.el) {
      for (const d of this.el.querySelectorAll<HTMLDetailsElement>('details[data-key]')) {
        if (!d.open) continue;
        const same = next.querySelector<HTMLDetailsElement>(`details[data-key="${d.dataset.key}"]`);
        if (same) same.open = true;
      }
      this.el.replaceWith(next);
    } else {
      this.parent.append(next);
    }
    this.el = next;
    this.signature = sig;
  }
}
