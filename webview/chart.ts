// History charts, one per meter, drawn with uPlot (canvas, no eval; it styles its elements through the CSSOM, which the
// strict `style-src` CSP allows, and its stylesheet is <link>ed as dist/webview/dashboard.css).
//
// render.ts builds a detached placeholder per meter (`renderHistoryBlock`, cloned from one template); once the card
// is in the document, `ChartManager.mountWithin` starts the charts near the viewport at once (measured in one layout
// pass) and watches the others with an IntersectionObserver: a chart asks the host for its series only when it comes
// near the viewport or gets focus (so 20 accounts cost what the visible few cost). Answers are drawn together: at once
// when none is outstanding any more, else in the next animation frame. Requests carry increasing ids and each chart
// remembers only its latest: an answer to an older request (a range clicked twice quickly, a card rebuilt) is
// dropped. Series are cached per meter and range, so a card rebuilt after a poll redraws at once and then refreshes
// quietly. A chart box's `data-state` is `deferred` (not asked yet), `loading`, `drawn` or `empty`. The range chosen
// per chart is kept in the webview state (main.ts), so a page built again shows it.
//
// What a chart shows (`layout`): the x axis from the range's start to the host's "now", plus room for the forecast (at
// most a third of the range, the forecast cut there); the line broken at resets and gaps in polling; readings with no
// neighbour on the line as dots; the limit as a step line (each reading's own limit).
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
// Types only from the protocol module: a value import would pull its zod schemas (20 KB, and building them at start-up)
// into the bundle. The ranges come from their own dependency-free module.
import type { ChartSeries, WebviewToHost } from '../src/shared/protocol';
import { HISTORY_RANGES, RANGE_LABEL, type HistoryRange } from '../src/shared/historyRange';
import type { Meter } from '../src/shared/model';
import { formatInUnit } from '../src/shared/format';
import { h, hv, lazy } from './dom';
import { minMaxPerPixel } from './downsample';
import { absoluteTime } from './formats';
import { formatCompact } from '../src/shared/numberFormat';
import { loadUPlot, uPlotNow } from './uplotLoader';

export const DEFAULT_RANGE: HistoryRange = '30d';
const CHART_HEIGHT = 120;
/** Used when a chart has no layout width yet (a hidden panel): about the width of a card in the narrowest grid. */
const FALLBACK_WIDTH = 280;
/** Enough for every meter of a large dashboard at all five ranges; older entries are evicted first. */
const CACHE_LIMIT = 500;
/** Charts this far above or below the viewport are requested and drawn as if they were in it. */
const NEAR_VIEWPORT_PX = 400;
/** The y axis's width (its `size` below): what is left of the chart's width is the plot's. */
const Y_AXIS_PX = 40;
/** Past "now" the axis makes room for the forecast, up to this share of the range; the forecast is clipped there. */
const FORECAST_SHARE = 1 / 3;
/**
 * Resets closer than this (px, on average) are not drawn one by one: a break and a marker per reset would leave
 * isolated points and grey stripes (a daily meter over a year). The sawtooth is drawn unbroken instead.
 */
const RESET_MIN_PX = 6;
/** A stretch of line shorter than this (px) would not be seen: its readings are drawn as dots. */
const MIN_RUN_PX = 3;
/** Charts whose chosen range is remembered (in the webview state); the oldest choice is forgotten first. */
const MAX_SAVED_RANGES = 500;

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
          title: `Last ${RANGE_LABEL[r]}`,
          'aria-label': `Last ${RANGE_LABEL[r]}`,
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
      h('p', { class: 'chart-status', text: 'Loading history…' }),
    ),
    h('p', { class: 'sr-only', testid: 'chart-summary' }),
    h('p', { class: 'sr-only', attrs: { 'aria-live': 'polite' } }),
    h('details', { class: 'chart-table', testid: 'chart-table' }, h('summary', { text: 'Show as table' })),
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
  block.setAttribute('data-label', m.label);
  const [group, box] = block.children as unknown as [HTMLElement, HTMLElement];
  group.setAttribute('aria-label', `History range for ${m.label}`);
  box.setAttribute('data-meter-id', m.id);
  box.setAttribute('aria-label', `${m.label} history`);
  return block;
}

interface Theme {
  line: string;
  limit: string;
  reset: string;
  text: string;
  grid: string;
  font: string;
}

function readTheme(): Theme {
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
interface Drawn {
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

interface Chart {
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

export class ChartManager {
  private nextRequestId = 1;
  private nextDomId = 1;
  private readonly charts = new Map<HTMLElement, Chart>();
  private readonly pending = new Map<number, Chart>();
  /** The range chosen per meter where it is not the default (by meterKey), oldest choice first. */
  private readonly ranges = new Map<string, HistoryRange>();
  private readonly cache = new Map<string, ChartSeries>();
  private theme: Theme | undefined;
  private readonly resize: ResizeObserver;
  private readonly intersection: IntersectionObserver;
  /** Answers waiting for the next frame, by chart (a later answer replaces an earlier one). */
  private readonly queued = new Map<Chart, ChartSeries | null>();
  private frame: number | undefined;
  /**
   * Series to draw once uplot.js has run (uplotLoader.ts: uPlot is a script of its own, loaded when the first chart
   * starts or after the first frame); until then those charts keep showing "Loading history…".
   */
  private readonly awaitingUPlot = new Map<Chart, ChartSeries>();

  /**
   * @param saved the ranges chosen before (the webview state), and where to save them when one changes: a panel shown
   *   again or a reloaded window is a new page, which would otherwise show every chart at the default range.
   */
  constructor(
    private readonly post: (message: WebviewToHost) => void,
    private readonly saved: { ranges?: Readonly<Record<string, HistoryRange>>; save?(ranges: Record<string, HistoryRange>): void } = {},
  ) {
    for (const [key, range] of Object.entries(saved.ranges ?? {})) this.ranges.set(key, range);
    this.resize = new ResizeObserver((entries) => {
      for (const e of entries) {
        const chart = this.charts.get((e.target as HTMLElement).parentElement as HTMLElement);
        if (chart) this.resized(chart, Math.round(e.contentRect.width));
      }
    });
    this.intersection = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          if (!e.isIntersecting) continue;
          const chart = this.charts.get(e.target as HTMLElement);
          if (chart) this.start(chart, Math.round(e.boundingClientRect.width));
        }
      },
      // Start a little before a chart scrolls into view, so it is usually drawn by the time it is seen.
      { rootMargin: `${NEAR_VIEWPORT_PX}px 0px` },
    );
    // One listener each for all charts (`toggle` does not bubble, so it is caught on the way down).
    document.addEventListener('keydown', (ev) => {
      const chart = this.chartAt(ev.target, '.chart');
      if (chart && ev.target === chart.box) this.onKey(chart, ev);
    });
    // Keyboard (and screen reader) users may reach a chart that has not come into view: it starts then.
    document.addEventListener('focusin', (ev) => {
      const chart = this.chartAt(ev.target, '.meter-history');
      if (chart && !chart.started) {
        chart.block.classList.remove('meter-history--deferred'); // before measuring: a skipped block has no real layout
        this.start(chart, Math.round(chart.box.getBoundingClientRect().width));
      }
    });
    document.addEventListener('focusout', (ev) => {
      const chart = this.chartAt(ev.target, '.chart');
      if (chart && ev.target === chart.box) chart.plot?.setCursor({ left: -10, top: -10 });
    });
    document.addEventListener(
      'toggle',
      (ev) => {
        const chart = this.chartAt(ev.target, 'details');
        if (chart && ev.target === chart.details && chart.details.open && chart.tableDirty) this.buildTable(chart);
      },
      true,
    );
  }

  /**
   * Mounts every not-yet-mounted history block under `root` (which must be in the document): the charts near the
   * viewport ask for their series at once, the others when they scroll near it or get focus.
   *
   * Blocks start deferred (`meter-history--deferred`: the browser skips their style, layout and paint and lays them
   * out as fixed-height placeholders). One layout read finds the blocks near the viewport (cheap: every block is a
   * placeholder), those are undeferred, and a second read measures their charts' widths (the layout the next frame
   * would do anyway, done once, before it). Waiting for an IntersectionObserver's first callback instead would cost a
   * whole frame (style, layout, paint of every card) before the first request could leave. The blocks left deferred
   * are watched by the observer (their placeholders have the right place) and start when they come near.
   */
  mountWithin(root: ParentNode): void {
    const fresh: Chart[] = [];
    for (const block of root.querySelectorAll<HTMLElement>('.meter-history:not([data-mounted])')) {
      block.dataset.mounted = '1';
      const chart = this.adopt(block);
      if (!chart) continue;
      if (chart.range !== DEFAULT_RANGE) this.pressRange(chart); // the block is built with the default pressed
      fresh.push(chart);
    }
    if (fresh.length === 0) return;
    // Only the charts in the viewport start now, in this task; the ones just outside it start from the observer's
    // first callback (its margin is NEAR_VIEWPORT_PX), after the first frame, so they never delay what is seen.
    const top = 0;
    const bottom = window.innerHeight;
    // A hidden panel has no layout (width 0): the observer starts those charts once the panel is shown.
    const isNear = (r: DOMRect) => r.width > 0 && r.bottom >= top && r.top <= bottom;
    // A card the browser skips (content-visibility, dashboard.css) is measured as a whole: asking for the rect of a
    // block inside it would make the browser lay the whole card out just to answer.
    const cardNear = new Map<Element, boolean>();
    const near = fresh.filter((chart) => {
      const card = chart.block.closest('.card');
      if (card) {
        let n = cardNear.get(card);
        if (n === undefined) cardNear.set(card, (n = isNear(card.getBoundingClientRect())));
        if (!n) return false;
      }
      return isNear(chart.block.getBoundingClientRect());
    });
    for (const chart of near) chart.block.classList.remove('meter-history--deferred');
    const widths = near.map((chart) => Math.round(chart.box.getBoundingClientRect().width));
    near.forEach((chart, i) => this.start(chart, widths[i]!));
    for (const chart of near) chart.urgentRequestId = chart.requestId;
    for (const chart of fresh) {
      if (chart.started) continue;
      chart.summary.textContent = `The ${chart.label} history loads when the chart is scrolled into view or focused.`;
      this.intersection.observe(chart.block);
    }
  }

  private start(chart: Chart, width: number): void {
    this.intersection.unobserve(chart.block);
    if (chart.started) return;
    chart.started = true;
    this.preloadUPlot(); // fetched while the history request is answered
    chart.block.classList.remove('meter-history--deferred');
    chart.width = width > 0 ? width : FALLBACK_WIDTH;
    this.resize.observe(chart.box);
    const cached = this.cache.get(cacheKey(chart));
    if (cached) this.draw(chart, cached);
    else {
      this.showStatus(chart, 'loading', 'Loading history…');
      if (chart.summary.firstChild) chart.summary.textContent = ''; // the "loads when scrolled into view" note
    }
    this.request(chart);
  }

  /** Destroys the charts under `root` (a card about to be replaced or removed). */
  releaseWithin(root: ParentNode): void {
    for (const block of root.querySelectorAll<HTMLElement>('.meter-history[data-mounted]')) {
      const chart = this.charts.get(block);
      if (chart) this.release(chart);
    }
  }

  releaseAll(): void {
    for (const chart of [...this.charts.values()]) this.release(chart);
  }

  /** A range button was clicked. */
  setRange(button: HTMLElement): void {
    const block = button.closest<HTMLElement>('.meter-history');
    const chart = block ? this.charts.get(block) : undefined;
    const range = button.dataset.range as HistoryRange | undefined;
    if (!chart || !range || !(HISTORY_RANGES as readonly string[]).includes(range) || range === chart.range) return;
    chart.range = range;
    this.rememberRange(meterKey(chart), range);
    this.pressRange(chart);
    if (!chart.started) return; // requested with the new range once it comes into view
    const cached = this.cache.get(cacheKey(chart));
    if (cached) this.draw(chart, cached);
    else this.showStatus(chart, 'loading', 'Loading history…');
    this.request(chart);
  }

  private rememberRange(key: string, range: HistoryRange): void {
    this.ranges.delete(key); // re-inserted last: the most recent choice is kept longest
    if (range !== DEFAULT_RANGE) this.ranges.set(key, range);
    if (this.ranges.size > MAX_SAVED_RANGES) this.ranges.delete(this.ranges.keys().next().value as string);
    this.saved.save?.(Object.fromEntries(this.ranges));
  }

  /** The host's answer; returns false when it was stale (or for a chart that is gone) and was dropped. */
  onHistory(requestId: number, series: ChartSeries | null): boolean {
    const chart = this.pending.get(requestId);
    this.pending.delete(requestId);
    const urgent = chart !== undefined && chart.urgentRequestId === requestId;
    if (!chart || chart.requestId !== requestId || !this.charts.has(chart.block)) return false;
    // Belt and braces: an answer that is not about this meter and range is treated as "nothing".
    const fits = series !== null && series.accountId === chart.accountId && series.meterId === chart.meterId && series.range === chart.range;
    if (fits) {
      const key = cacheKey(chart);
      this.cache.delete(key);
      this.cache.set(key, series);
      if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.queued.set(chart, fits ? series : null);
    // Answers arrive as separate messages; drawing them together costs one style/layout pass instead of many. Once
    // every outstanding request is answered the batch is drawn at once (waiting for the next frame would only add
    // idle time), and so it is once the last chart that started in the viewport is answered (the charts just outside
    // it, which ask after the first frame, do not hold those back); otherwise the next frame draws what has arrived.
    if (this.pending.size === 0 || (urgent && !this.urgentPending())) this.flush();
    else this.frame ??= requestAnimationFrame(() => this.flush());
    return true;
  }

  /** Whether a chart that started in the viewport still waits for the answer to that first request. */
  private urgentPending(): boolean {
    for (const [id, chart] of this.pending) if (chart.urgentRequestId === id) return true;
    return false;
  }

  private flush(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    const batch = [...this.queued];
    this.queued.clear();
    for (const [chart, series] of batch) if (this.charts.has(chart.block)) this.draw(chart, series);
  }

  /** Body class changed (light / dark / high contrast): redraw every chart with the new colours. */
  retheme(): void {
    this.theme = undefined;
    for (const chart of this.charts.values()) {
      if (!chart.plot || !chart.drawn) continue;
      this.destroyPlot(chart);
      this.draw(chart, chart.drawn.series);
    }
  }

  dispose(): void {
    this.releaseAll();
    this.resize.disconnect();
    this.intersection.disconnect();
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
  }

  // ---------- internals ----------

  private adopt(block: HTMLElement): Chart | undefined {
    // The structure renderHistoryBlock clones; checked rather than trusted, since anything else would break later.
    const [, box, summary, live, details] = block.children as unknown as Array<HTMLElement | undefined>;
    const status = box?.firstElementChild as HTMLElement | null | undefined;
    const { accountId, meterId, label } = block.dataset;
    if (!box?.classList.contains('chart') || !status || !summary || !live || !(details instanceof HTMLDetailsElement) || !accountId || !meterId) return undefined;
    const id = `tokstat-chart-${this.nextDomId++}`;
    summary.id = `${id}-summary`;
    box.setAttribute('aria-describedby', summary.id);
    const chart: Chart = {
      block,
      box,
      status,
      summary,
      live,
      details,
      accountId,
      meterId,
      label: label ?? meterId,
      range: DEFAULT_RANGE,
      requestId: 0,
      requestedWidth: 0,
      width: FALLBACK_WIDTH,
      tableDirty: true,
      started: false,
    };
    chart.range = this.ranges.get(meterKey(chart)) ?? DEFAULT_RANGE;
    this.charts.set(block, chart);
    return chart;
  }

  /** The chart whose box (or anything inside it) is `target`. */
  private chartAt(target: EventTarget | null, selector: string): Chart | undefined {
    const el = target instanceof Element ? target.closest<HTMLElement>(selector) : null;
    const block = el?.closest<HTMLElement>('.meter-history');
    return block ? this.charts.get(block) : undefined;
  }

  private release(chart: Chart): void {
    this.destroyPlot(chart);
    this.resize.unobserve(chart.box);
    this.intersection.unobserve(chart.block);
    this.queued.delete(chart);
    this.awaitingUPlot.delete(chart);
    this.charts.delete(chart.block);
    if (chart.requestId) this.pending.delete(chart.requestId);
  }

  private request(chart: Chart): void {
    const requestId = this.nextRequestId++;
    if (chart.requestId) this.pending.delete(chart.requestId);
    chart.requestId = requestId;
    chart.requestedWidth = chart.width;
    this.pending.set(requestId, chart);
    const width = Math.min(10_000, Math.max(10, Math.round(chart.width)));
    this.post({ type: 'requestHistory', requestId, accountId: chart.accountId, meterId: chart.meterId, range: chart.range, width });
  }

  private resized(chart: Chart, width: number): void {
    // Sub-pixel differences between the observers' measurements are not worth a redraw.
    if (width <= 0 || Math.abs(width - chart.width) < 2) return;
    chart.width = width;
    chart.plot?.setSize({ width, height: CHART_HEIGHT });
    // Much wider than what the host downsampled for: ask again so the line is not visibly coarse.
    if (chart.drawn && width > chart.requestedWidth * 1.5) this.request(chart);
  }

  private pressRange(chart: Chart): void {
    for (const b of chart.block.querySelectorAll<HTMLElement>('.range-btn')) {
      const pressed = b.dataset.range === chart.range;
      b.setAttribute('aria-pressed', String(pressed));
      b.toggleAttribute('secondary', !pressed);
    }
    chart.box.dataset.range = chart.range;
  }

  private showStatus(chart: Chart, state: 'loading' | 'empty', text: string): void {
    chart.box.dataset.state = state;
    chart.status.textContent = text;
    // While the series loads, a <vscode-progress-ring> before the text (created here, only for charts that load: the
    // template stays light). Decorative: the text says it, as the card's refreshing ring (render.ts).
    if (state === 'loading') chart.status.prepend(hv('vscode-progress-ring', { class: 'loading-ring', attrs: { 'aria-hidden': 'true', role: 'presentation', 'aria-live': 'off' } }));
    chart.status.hidden = false;
  }

  private destroyPlot(chart: Chart): void {
    chart.plot?.destroy();
    chart.plot = undefined;
    chart.tip = undefined;
  }

  private preloadUPlot(): void {
    if (uPlotNow()) return;
    loadUPlot().then(
      () => {
        const waiting = [...this.awaitingUPlot];
        this.awaitingUPlot.clear();
        for (const [chart, series] of waiting) if (this.charts.has(chart.block)) this.draw(chart, series);
      },
      (err: unknown) => console.warn(`[tokstat] ${String(err)}`),
    );
  }

  private draw(chart: Chart, series: ChartSeries | null): void {
    this.awaitingUPlot.delete(chart);
    const UPlot = uPlotNow();
    if (!chart.plot && series && series.points.length > 0 && !UPlot) {
      // Drawn as soon as uplot.js has run (the latest series per chart); "Loading history…" stays until then.
      this.awaitingUPlot.set(chart, series);
      this.preloadUPlot();
      return;
    }
    const rangeText = `last ${RANGE_LABEL[chart.range]}`;
    if (!series || series.points.length === 0) {
      this.destroyPlot(chart);
      chart.drawn = undefined;
      this.showStatus(chart, 'empty', 'No history yet');
      chart.box.dataset.points = '0';
      chart.box.dataset.forecastPoints = '0';
      chart.box.setAttribute('aria-label', `${chart.label} history, ${rangeText}: no history yet`);
      chart.summary.textContent = `No history yet for ${chart.label}.`;
      chart.details.hidden = true;
      return;
    }
    const d = (chart.drawn = layout(series, chart.width));

    const box = chart.box;
    box.dataset.points = String(d.points);
    box.dataset.forecastPoints = String(d.forecastPoints);
    box.dataset.currentReading = String(series.currentReading === true);
    box.dataset.resets = String(series.resets.length);
    box.dataset.resetMarkers = String(d.resetMarkers.length);
    box.dataset.gaps = String(series.gaps.length);
    box.dataset.breaks = String(d.xs.length - d.points - d.forecastPoints); // line breaks drawn, for tests
    box.dataset.isolated = String(d.isolated.length);
    box.dataset.xMin = String(d.xMin);
    box.dataset.xMax = String(d.xMax);
    if (series.limit !== undefined) box.dataset.limit = String(series.limit);
    else delete box.dataset.limit;
    box.setAttribute('aria-label', `${chart.label} history, ${rangeText}`);
    chart.summary.textContent = series.summary;
    chart.status.hidden = true;
    chart.details.hidden = false;
    chart.tableDirty = true;
    if (chart.details.open) this.buildTable(chart);

    const data: uPlot.AlignedData = [d.xs, d.used, d.projected];
    if (chart.plot) {
      chart.plot.setData(data);
    } else if (UPlot) {
      // Built and drawn detached, then put in place: a canvas in the document resolves its `font` against its
      // computed style, so drawing the axis labels of a connected chart forces a style recalc of the page, once per
      // chart. The `then` callback runs the first draw synchronously (uPlot's batch) instead of in a microtask.
      const plot = new UPlot(this.options(chart), data, (u, init) => u.batch(init));
      chart.plot = plot;
      chart.tip = h('div', { class: 'chart-tip', attrs: { 'aria-hidden': 'true' } });
      chart.tip.hidden = true;
      plot.over.append(chart.tip);
      box.append(plot.root);
    }
    box.dataset.state = 'drawn';
  }

  private options(chart: Chart): uPlot.Options {
    const theme = (this.theme ??= readTheme());
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
        draw: [(u) => this.drawMarkers(chart, u, theme)],
        setCursor: [(u) => this.updateTip(chart, u)],
      },
    };
  }

  /** Limit line (a step line: each reading's own limit) and reset boundaries, on top of the series. */
  private drawMarkers(chart: Chart, u: uPlot, theme: Theme): void {
    const d = chart.drawn;
    if (!d) return;
    const { ctx, bbox } = u;
    const px = devicePixelRatio || 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
    ctx.clip();
    if (d.resetMarkers.length > 0) {
      ctx.strokeStyle = theme.reset;
      ctx.lineWidth = px;
      ctx.setLineDash([2 * px, 3 * px]);
      ctx.beginPath();
      for (const t of d.resetMarkers) {
        const x = Math.round(u.valToPos(t, 'x', true)) + 0.5;
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
      }
      ctx.stroke();
    }
    if (d.maxLimit !== undefined) {
      ctx.strokeStyle = theme.limit;
      ctx.lineWidth = Math.max(1, Math.round(1.5 * px));
      ctx.setLineDash([]);
      ctx.beginPath();
      const right = bbox.left + bbox.width;
      let row: number | undefined;
      let prevY: number | undefined;
      for (let i = 0; i < d.xs.length; i++) {
        const limit = d.limits[i];
        if (limit === null || limit === undefined) {
          prevY = undefined;
          continue;
        }
        const y = Math.round(u.valToPos(limit, 'y', true));
        const x0 = u.valToPos(d.xs[i]!, 'x', true);
        // Up to the next entry, but not into a gap (unknown there); the last limit (the meter's current one) holds up
        // to the axis's end ("now", or the forecast's edge).
        const next = i + 1 < d.xs.length ? (d.limits[i + 1] === null ? d.xs[i]! : d.xs[i + 1]!) : undefined;
        const x1 = next === undefined ? right : u.valToPos(next, 'x', true);
        if (prevY === undefined) ctx.moveTo(x0, y);
        else if (prevY !== y) ctx.lineTo(x0, y); // the step where the limit changed
        ctx.lineTo(x1, y);
        prevY = y;
        row = y;
      }
      ctx.stroke();
      if (row !== undefined) chart.box.dataset.limitRow = String(row); // canvas row of the current limit, for tests
    }
    ctx.restore();
  }

  private pointText(chart: Chart, idx: number): string | undefined {
    const d = chart.drawn;
    if (!d) return undefined;
    const t = d.xs[idx];
    const measured = d.used[idx];
    const value = measured ?? d.projected[idx];
    if (t === undefined || value === null || value === undefined) return undefined;
    const unit = d.series.unit;
    const time = absoluteTime().format(t);
    if (measured !== null && measured !== undefined) {
      const limit = d.limits[idx];
      const of = limit !== null && limit !== undefined ? ` of ${formatInUnit(limit, unit)}` : '';
      const now = idx === d.lastMeasured && d.series.currentReading ? ' (now)' : '';
      return `${time}: ${formatInUnit(value, unit)}${of}${now}`;
    }
    if (idx < d.xs.length - 1) return `${time}: ${formatInUnit(value, unit)} (projected)`;
    // The forecast's last drawn point: its end, or where the axis clips it (then the true end is told too).
    const end = d.clippedEnd;
    const clipped = end ? `; ${formatInUnit(end[1], unit)} ${endWords(d.series)}, ${absoluteTime().format(end[0])}` : `, ${endWords(d.series)}`;
    return `${time}: ${formatInUnit(value, unit)} (projected${clipped})`;
  }

  private updateTip(chart: Chart, u: uPlot): void {
    const tip = chart.tip;
    if (!tip) return;
    const { idx, left, top } = u.cursor;
    const text = idx === null || idx === undefined || left === undefined || left < 0 ? undefined : this.pointText(chart, idx);
    if (!text) {
      tip.hidden = true;
      return;
    }
    tip.textContent = text;
    tip.hidden = false;
    // Flip to the other side of the cursor past the middle, so the tip stays inside the plot.
    const w = u.over.clientWidth;
    const x = left! > w / 2 ? left! - tip.offsetWidth - 8 : left! + 8;
    const y = Math.max(0, Math.min((top ?? 0) - 24, u.over.clientHeight - tip.offsetHeight));
    tip.style.transform = `translate(${Math.round(Math.max(0, x))}px, ${Math.round(y)}px)`;
  }

  private onKey(chart: Chart, ev: KeyboardEvent): void {
    const u = chart.plot;
    const d = chart.drawn;
    if (!u || !d || d.xs.length === 0) return;
    const last = d.xs.length - 1;
    const cur = u.cursor.idx ?? -1;
    const hasValue = (i: number) => d.used[i] != null || d.projected[i] != null;
    let idx: number;
    switch (ev.key) {
      case 'ArrowRight':
        idx = cur < 0 ? last : Math.min(last, cur + 1);
        while (idx < last && !hasValue(idx)) idx++; // skip a break in the line
        break;
      case 'ArrowLeft':
        idx = cur < 0 ? last : Math.max(0, cur - 1);
        while (idx > 0 && !hasValue(idx)) idx--;
        break;
      case 'Home':
        idx = 0;
        break;
      case 'End':
        idx = last;
        break;
      case 'Escape':
        u.setCursor({ left: -10, top: -10 });
        return;
      default:
        return;
    }
    ev.preventDefault();
    const value = d.used[idx] ?? d.projected[idx] ?? 0;
    u.setCursor({ left: u.valToPos(d.xs[idx]!, 'x'), top: u.valToPos(value, 'y') });
    chart.live.textContent = this.pointText(chart, idx) ?? '';
  }

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
  private buildTable(chart: Chart): void {
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
      if (measured !== null && measured !== undefined) row(d.xs[i]!, measured, i === d.lastMeasured && d.series.currentReading ? 'measured (now)' : 'measured');
      else if (projected === null || projected === undefined) continue;
      else if (i < lastIdx) row(d.xs[i]!, projected, 'projected');
      else row(...(d.clippedEnd ?? [d.xs[i]!, projected]), `projected, ${endWords(d.series)}`);
    }
    const captionId = `${chart.summary.id}-caption`;
    const headerCell = (text: string) => hv('vscode-table-header-cell', { attrs: { role: 'columnheader' }, text });
    const table = hv(
      'vscode-table',
      { class: 'chart-data', testid: 'chart-data', attrs: { role: 'table', 'aria-labelledby': captionId, 'bordered-rows': '' } },
      hv('vscode-table-header', { attrs: { slot: 'header', role: 'rowgroup' } }, hv('vscode-table-row', { attrs: { role: 'row' } }, headerCell('Time'), headerCell('Value'), headerCell('Kind'))),
      hv('vscode-table-body', { attrs: { slot: 'body', role: 'rowgroup' } }, ...rows),
    );
    chart.details.append(h('p', { class: 'chart-data-caption', text: `${chart.label}, last ${RANGE_LABEL[chart.range]}`, attrs: { id: captionId } }), table);
  }
}

/** What the forecast's end is: "at the reset", "reaches the limit" or (a balance) "runs out". */
function endWords(s: ChartSeries): string {
  return s.forecastEnd === 'run-out' ? (s.limit !== undefined ? 'reaches the limit' : 'runs out') : 'at the reset';
}

/**
 * What a series looks like on a chart `width` px wide: the x extents, the measured line with its breaks, the forecast
 * clipped at the axis, the limit at every entry, and the points and reset markers to draw.
 */
function layout(series: ChartSeries, width: number): Drawn {
  // The host downsamples to the width it was given; this guard keeps a misbehaving or stale-width answer cheap.
  const maxPoints = Math.max(10, Math.round(width));
  const points = minMaxPerPixel(series.points, maxPoints);
  const n = points.length;
  const last = points[n - 1]!;
  // The axis: the range's start to "now" (the host's), and past it room for the forecast, at most a share of the
  // range: a forecast to a reset weeks away would otherwise squeeze a day's history into a few pixels.
  const xMin = Math.min(series.from, points[0]![0]);
  const now = Math.max(series.to, last[0]);
  const ahead = series.forecast ? minMaxPerPixel(series.forecast.filter((p) => p[0] > last[0]), maxPoints) : [];
  const end = ahead[ahead.length - 1];
  const xMax = Math.max(now + (end ? Math.max(0, Math.min(end[0] - now, (series.to - series.from) * FORECAST_SHARE)) : 0), xMin + 1);
  const forecast: Array<[number, number]> = [];
  let clippedEnd: [number, number] | undefined;
  let prev: readonly [number, number, ...number[]] = last;
  for (const p of ahead) {
    if (p[0] <= xMax) {
      forecast.push(p);
      prev = p;
      continue;
    }
    // Cut where the axis ends (on the line between the neighbours); the true end is kept for the texts.
    if (xMax > prev[0]) forecast.push([xMax, prev[1] + ((p[1] - prev[1]) * (xMax - prev[0])) / (p[0] - prev[0])]);
    clippedEnd = end;
    break;
  }

  // Resets a few pixels apart or closer are not drawn one by one (see RESET_MIN_PX).
  const resets = series.resets.filter((t) => t > xMin && t <= now);
  const plotPx = Math.max(1, width - Y_AXIS_PX);
  const dense = resets.length * RESET_MIN_PX > (plotPx * (now - xMin)) / (xMax - xMin);
  const resetMarkers = dense ? [] : resets;
  // The line breaks at a reset (a line falling from 95 % to 2 % would draw usage that never happened) and in a gap in
  // polling (a line across it would invent the usage of a time nothing was read). Breaks are [time, is a gap].
  const breaks: Array<[number, boolean]> = resetMarkers.map((t) => [t, false]);
  for (const [a, b] of series.gaps) breaks.push([(a + b) / 2, true]);
  breaks.sort((a, b) => a[0] - b[0]);

  const xs: number[] = [];
  const used: Array<number | null> = [];
  const projected: Array<number | null> = [];
  const limits: Array<number | null> = [];
  let maxLimit: number | undefined;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    if (i > 0) {
      const prevT = points[i - 1]![0];
      while (r < breaks.length && breaks[r]![0] <= prevT) r++;
      if (r < breaks.length && breaks[r]![0] <= p[0]) {
        let gap = false;
        const at = breaks[r]![0];
        for (; r < breaks.length && breaks[r]![0] <= p[0]; r++) gap ||= breaks[r]![1];
        xs.push(at);
        used.push(null);
        projected.push(null);
        // A reset does not change the limit; nothing is known through a gap.
        limits.push(gap ? null : (limits[limits.length - 1] ?? null));
      }
    }
    xs.push(p[0]);
    used.push(p[1]);
    projected.push(null);
    const limit = p[2] ?? null;
    limits.push(limit);
    if (limit !== null && (maxLimit === undefined || limit > maxLimit)) maxLimit = limit;
  }
  const lastMeasured = xs.length - 1;
  if (forecast.length > 0) projected[lastMeasured] = last[1];
  for (const p of forecast) {
    xs.push(p[0]);
    used.push(null);
    projected.push(p[1]);
    // The forecast assumes the current limit stays.
    limits.push(limits[lastMeasured] ?? null);
  }
  // Points drawn as dots: a reading with no neighbour on the line, and every reading of a run too short to show as a
  // line (a stored reading and the current one a few seconds apart span less than a pixel of a 30-day axis).
  const isolated: number[] = [];
  const msPerPx = (xMax - xMin) / plotPx;
  for (let i = 0; i <= lastMeasured; i++) {
    if (used[i] === null || used[i - 1] != null) continue;
    let j = i;
    while (j < lastMeasured && used[j + 1] != null) j++;
    if (xs[j]! - xs[i]! < MIN_RUN_PX * msPerPx) for (let k = i; k <= j; k++) isolated.push(k);
  }
  return { series, xs, used, projected, limits, maxLimit, lastMeasured, points: n, forecastPoints: forecast.length, clippedEnd, isolated, resetMarkers, xMin, xMax };
}

function meterKey(c: Pick<Chart, 'accountId' | 'meterId'>): string {
  return `${c.accountId}\u0000${c.meterId}`;
}

function cacheKey(c: Pick<Chart, 'accountId' | 'meterId' | 'range'>): string {
  return `${meterKey(c)}\u0000${c.range}`;
}

