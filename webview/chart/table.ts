// The data table behind a chart's "Show as table".
import { RANGE_LABEL } from '../../src/shared/historyRange';
import { l10n } from '../../src/shared/l10n';
import { formatInUnit } from '../../src/shared/format';
import { h, hv } from '../dom';
import { absoluteTime } from '../formats';
import { endWords, type Chart } from './model';

/**
 * The data table behind "Show as table": the points drawn (measured, then projected); where the chart clips the
 * forecast, its true end instead of the clipping point. Built only when opened.
 *
 * A <vscode-table> (header, body, rows, cells). Its header cells sit in a <vscode-table-row>: the component's
 * documented markup puts them straight in the <vscode-table-header> (role rowgroup), which gives column headers
 * outside any row, so a screen reader cannot tie a cell to its header; inside a row the accessibility tree is a
 * proper table (table › rowgroup › row › columnheader / cell), measured in Chromium. The roles are also set as
 * attributes (the components set the same ones when they upgrade), so the table is a table even if it is opened
 * before the components are defined. Its name is the caption above it (aria-labelledby).
 * The disclosure stays a native <details>: <vscode-collapsible>'s header is a focusable <div> with no role and no
 * expanded state (Chromium exposes an unnamed image and a level-3 heading), and Space does not open it; a
 * <summary> is a disclosure button with its expanded state that Enter and Space toggle (docs/bench-dashboard.md).
 */
export function buildTable(chart: Chart): void {
  chart.tableDirty = false;
  const d = chart.drawn;
  chart.details.querySelector('.chart-data-caption')?.remove();
  chart.details.querySelector('.chart-data')?.remove();
  if (!d) return;
  const unit = d.series.unit;
  const rows: HTMLElement[] = [];
  const cell = (text: string) => hv('vscode-table-cell', { attrs: { role: 'cell' }, text });
  const row = (t: number, value: number, kind: string) =>
    rows.push(
      hv(
        'vscode-table-row',
        { class: kind.startsWith('projected') ? 'row--projected' : undefined, attrs: { role: 'row' } },
        cell(absoluteTime().format(t)),
        cell(formatInUnit(value, unit)),
        cell(kind),
      ),
    );
  const lastIdx = d.xs.length - 1;
  for (let i = 0; i <= lastIdx; i++) {
    const measured = d.used[i];
    const projected = d.projected[i];
    if (measured !== null && measured !== undefined) row(d.xs[i]!, measured, i === d.lastMeasured && d.series.currentReading ? l10n.t('measured (now)') : l10n.t('measured'));
    else if (projected === null || projected === undefined) continue;
    else if (i < lastIdx) row(d.xs[i]!, projected, l10n.t('projected'));
    else row(...(d.clippedEnd ?? [d.xs[i]!, projected]), l10n.t('projected, {0}', endWords(d.series)));
  }
  const captionId = `${chart.summary.id}-caption`;
  const headerCell = (text: string) => hv('vscode-table-header-cell', { attrs: { role: 'columnheader' }, text });
  const table = hv(
    'vscode-table',
    { class: 'chart-data', testid: 'chart-data', attrs: { role: 'table', 'aria-labelledby': captionId, 'bordered-rows': '' } },
    hv('vscode-table-header', { attrs: { slot: 'header', role: 'rowgroup' } }, hv('vscode-table-row', { attrs: { role: 'row' } }, headerCell(l10n.t('Time')), headerCell(l10n.t('Value')), headerCell(l10n.t('Kind')))),
    hv('vscode-table-body', { attrs: { slot: 'body', role: 'rowgroup' } }, ...rows),
  );
  chart.details.append(h('p', { class: 'chart-data-caption', text: l10n.t('{0}, {1}', chart.label, RANGE_LABEL[chart.range]), attrs: { id: captionId } }), table);
}
