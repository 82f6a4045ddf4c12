// The "Local agents" section: what the coding agents on this machine spent, from `state.usage` (built on the host by
// src/core/usage/view.ts). DOM only through h() (textContent / setAttribute); bar heights and gauge fills are CSS
// custom properties set through the CSSOM, which the strict style-src CSP allows. Charts are plain DOM stacked bars:
// 30 columns do not need a canvas library, and every chart has a table alternative.
import type { UsageBlockView, UsageDailyView, UsagePlanWindowView, UsageSessionView, UsageTotalsView, UsageView } from '../src/shared/protocol';
import { formatTokens, formatUsd } from '../src/shared/usageFormat';
import { formatCount } from '../src/shared/numberFormat';
import { h, icon } from './dom';
import { tickText } from './render';
import { absoluteTime, clockTime, utcDayLabel } from './formats';

function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

const unpricedNote = (t: { costUSD?: number; unpricedRequests: number }) =>
  t.costUSD !== undefined && t.unpricedRequests > 0 ? ` (+${t.unpricedRequests} unpriced)` : '';

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
  const tip = `input ${formatTokens(t.tokens.input)} · output ${formatTokens(t.tokens.output)} · cache read ${formatTokens(t.tokens.cacheRead)} · cache write ${formatTokens(t.tokens.cacheWrite)}${
    t.tokens.reasoning ? ` · reasoning ${formatTokens(t.tokens.reasoning)}` : ''
  }`;
  return h(
    'div',
    { class: 'usage-tile' },
    h('div', { class: 'usage-tile-title', text: title }),
    h('div', { class: `usage-tile-cost${t.costUSD === undefined ? ' unpriced' : ''}`, testid: costId, text: formatUsd(t.costUSD) }),
    h('div', {
      class: 'usage-tile-tokens',
      ...(tokensId ? { testid: tokensId } : {}),
      attrs: { title: tip },
      text: `${formatTokens(t.tokens.total)} tokens · ${formatCount(t.requests)} requests`,
    }),
    t.costUSD !== undefined && t.unpricedRequests > 0 ? h('div', { class: 'usage-note', text: `${t.unpricedRequests} unpriced requests not included` }) : null,
    note ? h('div', { class: 'usage-note', text: note }) : null,
  );
}

function renderTotals(u: UsageView): HTMLElement {
  return h(
    'div',
    { class: 'usage-tiles' },
    tile('Today', u.totals.today, 'usage-today-cost', 'usage-today-tokens'),
    tile('This month', u.totals.month, 'usage-month-cost', 'usage-month-tokens'),
    u.workspace ? tile('This workspace (month)', u.workspace.month, 'usage-workspace-cost', 'usage-workspace-tokens', `today ${formatUsd(u.workspace.today.costUSD)}`) : null,
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
  return table('usage-agents', 'Usage by agent', ['Agent', 'Today', 'Tokens today', 'This month', 'Tokens this month'], rows);
}

/** Stacked DOM bars (one column per day, one segment per model) for cost or tokens. */
function renderDaily(d: UsageDailyView, kind: 'cost' | 'tokens', testid: string): HTMLElement {
  const values = d.days.map((x) => (kind === 'cost' ? x.costByModel : x.tokensByModel));
  const totals = values.map((v) => v.reduce((s, n) => s + n, 0));
  const max = Math.max(0, ...totals);
  const fmt = kind === 'cost' ? formatUsd : formatTokens;
  const title = kind === 'cost' ? 'Daily cost by model' : 'Daily tokens by model';
  const bars = h('div', { class: 'ubars', attrs: { 'aria-hidden': 'true' } });
  d.days.forEach((day, i) => {
    const col = h('div', { class: 'ubar', attrs: { title: `${dayText(day.day)}: ${kind === 'cost' ? formatUsd(day.costUSD) + unpricedNote(day) : formatTokens(day.tokens)}` } });
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
    { class: 'ulegend', attrs: { 'aria-label': 'Models' } },
    ...d.models.map((m, i) => h('li', {}, h('span', { class: `uswatch useg--${segClass(m, i)}`, attrs: { 'aria-hidden': 'true' } }), h('span', { text: m }))),
  );
  const sum = totals.reduce((s, n) => s + n, 0);
  const summary = `${title}, ${d.days.length} days${first && last ? ` from ${dayText(first.day)} to ${dayText(last.day)}` : ''}: total ${fmt(sum)}, highest day ${fmt(max)}.`;
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
      h('summary', { text: 'Show as table' }),
      rows.length ? table(`${testid}-table`, title, ['Day', ...d.models, 'Total'], rows) : h('p', { class: 'usage-note', text: 'No usage in this range.' }),
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
      h('th', { attrs: { scope: 'row', title: s.cwd || 'working folder unknown' }, text: s.workspace || 'unknown folder' }),
      h('td', { text: agentLabel.get(s.agent) ?? s.agent }),
      h('td', { attrs: { title: s.models.join(', ') }, text: s.models.length > 1 ? `${s.model} +${s.models.length - 1}` : s.model }),
      h('td', { class: 'num', text: formatTokens(s.tokens) }),
      sessionCostCell(s),
      h('td', { attrs: { title: `${absoluteTime().format(s.firstTs)} – ${absoluteTime().format(s.lastTs)}` }, text: spanText(s.firstTs, s.lastTs, u.generatedAt, true) }),
    );
    return r;
  });
  return section('Top sessions', rows.length ? table('usage-sessions', 'Top sessions by cost', ['Folder', 'Agent', 'Model', 'Tokens', 'Cost', 'When'], rows, [3, 4]) : empty('usage-sessions', 'No sessions in this range.'), true);
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
      h('th', { attrs: { scope: 'row', title: w.cwd || 'working folder unknown' }, text: w.current ? `${w.label} (this workspace)` : w.label }),
      h('td', { class: 'num', text: String(w.sessions) }),
      h('td', { class: 'num', text: formatTokens(w.tokens) }),
      costCell(w),
    ),
  );
  return section('Top workspaces', rows.length ? table('usage-workspaces', 'Top workspaces by cost', ['Folder', 'Sessions', 'Tokens', 'Cost'], rows) : empty('usage-workspaces', 'No workspaces in this range.'));
}

function renderTools(u: UsageView): HTMLElement {
  const rows = u.tools.map((t) =>
    h(
      'tr',
      {},
      h('th', { attrs: { scope: 'row' }, text: t.name }),
      h('td', { class: 'num', text: formatCount(t.count) }),
      h('td', { class: 'num', attrs: { title: `${t.timedCount} of ${t.count} calls timed` }, text: formatMs(t.avgDurationMs) }),
      h('td', { class: `num${t.errors > 0 ? ' usage-errors' : ''}`, text: formatCount(t.errors) }),
    ),
  );
  return section('Tool calls', rows.length ? table('usage-tools', 'Tool calls', ['Tool', 'Calls', 'Avg duration', 'Errors'], rows) : empty('usage-tools', 'No tool calls in this range.'));
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
      ? `projected ${formatTokens(b.projectedTokens)} tokens${b.projectedCostUSD !== undefined ? ` · ${formatUsd(b.projectedCostUSD)}` : ''} by ${clockTime().format(b.end)}`
      : undefined;
  return h(
    'div',
    { class: 'usage-block', testid: 'usage-block-current' },
    h('div', { class: 'meter-head' }, h('span', { class: 'meter-label', text: `Current block ${spanText(b.start, b.end, now, false)}` }), h('span', { class: 'meter-value', text: `${Math.round(pct)}% elapsed` })),
    gauge(pct, 'Current 5-hour block', `${Math.round(pct)}% of the 5 hours elapsed`),
    h('div', { class: 'meter-detail', text: `${formatTokens(b.tokens)} tokens · ${formatUsd(b.costUSD)}${unpricedNote(b)} · ${b.requests} requests` }),
    projected ? h('div', { class: 'meter-pace', text: projected }) : null,
    h('div', { class: 'meter-meta' }, h('span', { data: { tick: 'reset', at: b.end }, text: tickText('reset', b.end, now) }), ` · ${b.models.join(', ')}`),
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
    h('h3', { class: 'usage-h3', text: 'Claude Code 5-hour blocks' }),
    current ? renderBlock(current, u.generatedAt) : h('p', { class: 'usage-note', text: 'No active block: the next Claude Code request starts one.' }),
    rows.length ? table('usage-blocks-recent', 'Earlier blocks in the last 24 hours', ['Earlier blocks', 'Tokens', 'Cost'], rows) : null,
  );
}

function renderPlanWindow(w: UsagePlanWindowView, now: number): HTMLElement {
  const value = w.expired ? 'reset since' : `${Math.round(w.usedPercent)}%`;
  return h(
    'li',
    { class: `meter${w.expired ? ' meter--stale' : ''}` },
    h('div', { class: 'meter-head' }, h('span', { class: 'meter-label', text: `Codex ${w.label}` }), h('span', { class: 'meter-value', text: value })),
    w.expired ? null : gauge(w.usedPercent, `Codex ${w.label}`, `${Math.round(w.usedPercent)}% used`),
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
    h('h3', { class: 'usage-h3', text: 'Codex plan limits (from its logs)' }),
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
    h('h2', { class: 'usage-title', attrs: { id: 'usage-title' } }, icon('terminal'), h('span', { text: 'Local agents' })),
  );
  if (u.scan) {
    const n = (x: number) => x.toLocaleString('en-US');
    el.append(
      h('p', { class: 'usage-note', testid: 'usage-scan', attrs: { role: 'status' }, text: `${u.scan.rebuild ? 'Rebuilding the usage index: r' : 'R'}eading your agents’ logs for the first time — ${n(u.scan.done)} of ${n(u.scan.total)} files. The figures below fill in as they are read.` }),
      h('progress', { attrs: { max: String(u.scan.total), value: String(u.scan.done), 'aria-label': 'Log files read' } }),
    );
  }
  if (!u.hasData) {
    el.append(h('p', { class: 'usage-note', testid: 'usage-empty', text: 'No agent usage recorded yet. tokstat reads the Claude Code, Codex, Gemini CLI and opencode logs on this machine; nothing leaves it.' }));
    return el;
  }
  el.append(
    renderTotals(u),
    h('div', { class: 'usage-grid' }, renderBlocks(u), renderPlanWindows(u), section('By agent', renderAgents(u) ?? empty('usage-agents', 'No agents.'), true)),
    h('p', { class: 'usage-range', text: `Last ${u.range.days} days (${dayText(u.range.fromDay)} – ${dayText(u.range.toDay)})` }),
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
