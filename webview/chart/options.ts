// uPlot's options for one chart: the axes (x: the range's start to "now" and the forecast's room, y: from 0 to above
// the highest limit), the measured and the forecast series, and the hooks that draw the markers and the tooltip.
import type uPlot from 'uplot';
import { formatCompact } from '../../src/shared/numberFormat';
import { CHART_HEIGHT, Y_AXIS_PX, type Chart, type Theme } from './model';
import { drawMarkers } from './markers';
import { updateTip } from './keyboard';

export function chartOptions(chart: Chart, theme: Theme): uPlot.Options {
  const axis = (size: number): uPlot.Axis => ({
    stroke: theme.text,
    font: theme.font,
    size,
    gap: 3,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 3 },
  });
  return {
    width: chart.width,
    height: CHART_HEIGHT,
    ms: 1,
    legend: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    cursor: { y: false, drag: { x: false, y: false, setScale: false }, points: { size: 5 } },
    scales: {
      x: {
        time: true,
        // The axis spans the whole requested range up to "now" whatever the history holds: a short line then reads
        // as "tracking started recently", a line ending early as "no readings since", instead of being stretched.
        range: (_u, min, max) => (chart.drawn ? [chart.drawn.xMin, chart.drawn.xMax] : [min, Math.max(max, min + 1)]),
      },
      y: {
        range: (_u, min, max) => {
          const limit = chart.drawn?.maxLimit;
          const lo = Math.min(0, min ?? 0);
          let hi = Math.max(max ?? 0, limit ?? 0);
          if (hi <= lo) hi = lo + 1;
          return [lo, hi * 1.08];
        },
      },
    },
    axes: [axis(22), { ...axis(Y_AXIS_PX), values: (_u, splits) => splits.map((v) => formatCompact(v)) }],
    series: [
      {},
      {
        label: chart.label,
        stroke: theme.line,
        width: 1.5,
        // No dots on the line, except for a reading with a break (or an end) on both sides, which no line shows.
        points: { show: false, size: 5, width: 1, stroke: theme.line, fill: theme.line, filter: () => (chart.drawn?.isolated.length ? chart.drawn.isolated : null) },
      },
      { label: 'forecast', stroke: theme.line, width: 1.5, dash: [5, 4], points: { show: false } },
    ],
    hooks: {
      draw: [(u) => drawMarkers(chart, u, theme)],
      setCursor: [(u) => updateTip(chart, u)],
    },
  };
}

