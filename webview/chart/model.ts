// What the chart modules share: one chart's state (`Chart`), what it currently shows (`Drawn`), the theme's colours,
// the sizes every module agrees on, and the keys charts are remembered and cached by.
import { l10n } from '../../src/shared/l10n';
import type uPlot from 'uplot';
import type { ChartSeries } from '../../src/shared/protocol';
import type { HistoryRange } from '../../src/shared/historyRange';

export const DEFAULT_RANGE: HistoryRange = '30d';
export const CHART_HEIGHT = 120;
/** The y axis's width (its `size` below): what is left of the chart's width is the plot's. */
export const Y_AXIS_PX = 40;

export interface Theme {
  line: string;
  limit: string;
  reset: string;
  text: string;
  grid: string;
  font: string;
}

export function readTheme(): Theme {
  const cs = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const family = v('--vscode-font-family', 'system-ui, sans-serif');
  return {
    line: v('--vscode-charts-blue', '#3794ff'),
    limit: v('--vscode-charts-red', '#f14c4c'),
    reset: v('--vscode-descriptionForeground', v('--vscode-foreground', '#888888')),
    text: v('--vscode-editor-foreground', v('--vscode-foreground', '#cccccc')),
    grid: v('--vscode-editorWidget-border', v('--vscode-widget-border', 'rgba(128, 128, 128, 0.25)')),
    font: `11px ${family}`,
  };
}

/** What one chart currently shows, in uPlot's aligned-columns shape. */
export interface Drawn {
  series: ChartSeries;
  xs: number[];
  /** The measured series; `null` at a line break (a reset, a gap in polling) and where only the forecast has a value. */
  used: Array<number | null>;
  /** The forecast; starts at the last measured point so the dashed line continues the solid one. */
  projected: Array<number | null>;
  /** The limit in force at each entry (`null`: unknown), drawn as a step line up to the next entry. */
  limits: Array<number | null>;
  /** The highest limit drawn (the y axis reaches it). */
  maxLimit: number | undefined;
  /** Index in `xs` of the last measured point. */
  lastMeasured: number;
  points: number;
  forecastPoints: number;
  /** The forecast's true end when the drawn part stops at the axis before it: its time and value, for the texts. */
  clippedEnd: [number, number] | undefined;
  /** Measured points with no measured neighbour (a break or an end on both sides): drawn as dots, else invisible. */
  isolated: number[];
  /** Resets drawn as markers (none when they are denser than RESET_MIN_PX). */
  resetMarkers: number[];
  /** The x axis: the range's start to "now", plus room for the forecast. */
  xMin: number;
  xMax: number;
}

export interface Chart {
  block: HTMLElement;
  box: HTMLElement;
  status: HTMLElement;
  summary: HTMLElement;
  live: HTMLElement;
  details: HTMLDetailsElement;
  accountId: string;
  meterId: string;
  label: string;
  range: HistoryRange;
  /** Latest request id; answers to any other id are stale. */
  requestId: number;
  /** The request this chart made when it started in the viewport (mountWithin): its answer is drawn without waiting. */
  urgentRequestId?: number;
  /** Width (CSS px) the last request asked for. */
  requestedWidth: number;
  width: number;
  plot?: uPlot;
  tip?: HTMLElement;
  drawn?: Drawn;
  tableDirty: boolean;
  /** Came near the viewport at least once: its series has been requested. */
  started: boolean;
}

/** What the forecast's end is: "at the reset", "reaches the limit" or (a balance) "runs out". */
export function endWords(s: ChartSeries): string {
  return s.forecastEnd === 'run-out' ? (s.limit !== undefined ? l10n.t('reaches the limit') : l10n.t('runs out')) : l10n.t('at the reset');
}

export function meterKey(c: Pick<Chart, 'accountId' | 'meterId'>): string {
  return `${c.accountId}\u0000${c.meterId}`;
}

export function cacheKey(c: Pick<Chart, 'accountId' | 'meterId' | 'range'>): string {
  return `${meterKey(c)}\u0000${c.range}`;
}
