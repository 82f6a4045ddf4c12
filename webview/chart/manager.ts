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
// The chart modules: template.ts (the placeholder), layout.ts (what a series looks like at a width), options.ts
// (uPlot's options), markers.ts (limit and reset lines), keyboard.ts (tooltip and keyboard readout), table.ts ("Show
// as table"), model.ts (the shared types); this one manages the charts' life: mounting, requests, answers, drawing.
// One room over 400 lines on purpose: mounting, requests, the batching of answers, drawing and release all read and
// write the same few maps (charts, pending, queued, cache, awaitingUPlot); split apart, each part would need them all.
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
// Types only from the protocol module (its message schemas live in protocolSchemas.ts, which main.ts loads).
import type { ChartSeries, WebviewToHost } from '../../src/shared/protocol';
import { HISTORY_RANGES, RANGE_LABEL, type HistoryRange } from '../../src/shared/historyRange';
import { h, hv } from '../dom';
import { l10n } from '../../src/shared/l10n';
import { loadUPlot, uPlotNow } from '../uplotLoader';
import { CHART_HEIGHT, DEFAULT_RANGE, cacheKey, meterKey, readTheme, type Chart, type Theme } from './model';
import { layout } from './layout';
import { chartOptions } from './options';
import { onKey } from './keyboard';
import { buildTable } from './table';

/** Used when a chart has no layout width yet (a hidden panel): about the width of a card in the narrowest grid. */
const FALLBACK_WIDTH = 280;
/** Enough for every meter of a large dashboard at all five ranges; older entries are evicted first. */
const CACHE_LIMIT = 500;
/** Charts this far above or below the viewport are requested and drawn as if they were in it. */
const NEAR_VIEWPORT_PX = 400;
/** Charts whose chosen range is remembered (in the webview state); the oldest choice is forgotten first. */
const MAX_SAVED_RANGES = 500;

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
      if (chart && ev.target === chart.box) onKey(chart, ev);
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
        if (chart && ev.target === chart.details && chart.details.open && chart.tableDirty) buildTable(chart);
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
      chart.summary.textContent = l10n.t('The {0} history loads when the chart is scrolled into view or focused.', chart.label);
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
      this.showStatus(chart, 'loading', l10n.t('Loading history…'));
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
    else this.showStatus(chart, 'loading', l10n.t('Loading history…'));
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
    const rangeText = RANGE_LABEL[chart.range];
    if (!series || series.points.length === 0) {
      this.destroyPlot(chart);
      chart.drawn = undefined;
      this.showStatus(chart, 'empty', l10n.t('No history yet'));
      chart.box.dataset.points = '0';
      chart.box.dataset.forecastPoints = '0';
      chart.box.setAttribute('aria-label', l10n.t('{0} history, {1}: no history yet', chart.label, rangeText));
      chart.summary.textContent = l10n.t('No history yet for {0}.', chart.label);
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
    box.setAttribute('aria-label', l10n.t('{0} history, {1}', chart.label, rangeText));
    chart.summary.textContent = series.summary;
    chart.status.hidden = true;
    chart.details.hidden = false;
    chart.tableDirty = true;
    if (chart.details.open) buildTable(chart);

    const data: uPlot.AlignedData = [d.xs, d.used, d.projected];
    if (chart.plot) {
      chart.plot.setData(data);
    } else if (UPlot) {
      // Built and drawn detached, then put in place: a canvas in the document resolves its `font` against its
      // computed style, so drawing the axis labels of a connected chart forces a style recalc of the page, once per
      // chart. The `then` callback runs the first draw synchronously (uPlot's batch) instead of in a microtask.
      const plot = new UPlot(chartOptions(chart, (this.theme ??= readTheme())), data, (u, init) => u.batch(init));
      chart.plot = plot;
      chart.tip = h('div', { class: 'chart-tip', attrs: { 'aria-hidden': 'true' } });
      chart.tip.hidden = true;
      plot.over.append(chart.tip);
      box.append(plot.root);
    }
    box.dataset.state = 'drawn';
  }

}
