// The detached placeholder render.ts puts where a meter's history goes (`renderHistoryBlock`), cloned from one
// template: the range buttons, the chart box, its text alternatives and the table disclosure. ChartManager adopts it
// once the card is in the document (manager.ts).
import { HISTORY_RANGES, RANGE_LABEL } from '../../src/shared/historyRange';
import type { Meter } from '../../src/shared/model';
import { h, hv, lazy } from '../dom';
import { DEFAULT_RANGE } from './model';
import { l10n } from '../../src/shared/l10n';
import { meterLabelText } from '../../src/shared/meterLabels';

/** "Last 24 hours": the range's words with a capital. */
function rangeTitle(r: keyof typeof RANGE_LABEL): string {
  const t = RANGE_LABEL[r];
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** The structure every history block is cloned from (built once; cloning is several times cheaper than building). */
const historyTemplate = lazy(() => {
  // The range selector: a <vscode-button-group> of five <vscode-button>s used as toggle buttons (the pressed one is a
  // primary button, the others secondary), so it reads as it did with native buttons: a named group of buttons, the
  // chosen range `aria-pressed="true"`. Role and tab stop are set up front (as render.ts's actionButton does), so each
  // is a named, focusable button from the first paint; main.ts activates them from the keyboard until they are
  // defined. The other @vscode-elements candidates were measured in Chromium's accessibility tree and rejected:
  // vscode-radio exposes a *checkbox* (its inner <input type="checkbox">), vscode-tabs a tablist without panels (and an
  // unnamed nested tablist), vscode-single-select an unnamed combobox (the host's aria-label does not reach it) that
  // the e2e helper could not click in one step. See docs/bench-dashboard.md.
  const group = hv('vscode-button-group', { class: 'range-switch', attrs: { role: 'group' } });
  for (const r of HISTORY_RANGES) {
    group.append(
      hv('vscode-button', {
        class: 'range-btn',
        testid: `range-${r}`,
        text: r,
        data: { action: 'range', range: r },
        attrs: {
          role: 'button',
          tabindex: 0,
          secondary: r === DEFAULT_RANGE ? undefined : '',
          'aria-pressed': String(r === DEFAULT_RANGE),
          title: rangeTitle(r),
          'aria-label': rangeTitle(r),
        },
      }),
    );
  }
  return h(
    'div',
    // Deferred (its rendering skipped, dashboard.css) until it comes near the viewport: see mountWithin.
    { class: 'meter-history meter-history--deferred', testid: 'meter-history' },
    group,
    h(
      'div',
      {
        class: 'chart',
        testid: 'meter-chart',
        // `deferred` until the chart comes near the viewport and asks for its series (then `loading`).
        data: { points: 0, state: 'deferred', range: DEFAULT_RANGE },
        // Focusable so the keyboard can walk the points (arrows, Home, End) and get the same readout as the tooltip.
        attrs: { role: 'figure', tabindex: 0 },
      },
      h('p', { class: 'chart-status', text: l10n.t('Loading history…') }),
    ),
    h('p', { class: 'sr-only', testid: 'chart-summary' }),
    h('p', { class: 'sr-only', attrs: { 'aria-live': 'polite' } }),
    h('details', { class: 'chart-table', testid: 'chart-table' }, h('summary', { text: l10n.t('Show as table') })),
  );
});

/**
 * Detached placeholder for one meter's history: range buttons, the chart box, its text alternatives. The children's
 * order is what `ChartManager.adopt` reads: range group, chart box (status inside), summary, live region, table.
 */
export function renderHistoryBlock(accountId: string, m: Meter): HTMLElement {
  const block = historyTemplate().cloneNode(true) as HTMLElement;
  block.setAttribute('data-account-id', accountId);
  block.setAttribute('data-meter-id', m.id);
  const label = meterLabelText(m.label);
  block.setAttribute('data-label', label);
  const [group, box] = block.children as unknown as [HTMLElement, HTMLElement];
  group.setAttribute('aria-label', l10n.t('History range for {0}', label));
  box.setAttribute('data-meter-id', m.id);
  box.setAttribute('aria-label', l10n.t('{0} history', label));
  return block;
}
