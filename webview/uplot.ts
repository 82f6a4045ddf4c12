// uPlot as a bundle of its own (dist/webview/uplot.js), loaded by chart/manager.ts (webview/uplotLoader.ts) when the first
// chart starts or after the first frame, whichever comes first: the dashboard's first script does not download,
// parse or compile uPlot's ~50 KB before the first render, which draws no chart in a usual panel. Its CSS stays in
// dashboard.css (imported by chart/manager.ts), so the chart's layout styles are there from the first paint.
import uPlot from 'uplot';
import { UPLOT_GLOBAL } from './uplotGlobal';

(window as unknown as Record<string, unknown>)[UPLOT_GLOBAL] = uPlot;
