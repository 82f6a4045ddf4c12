/** The `window` property dist/webview/uplot.js (webview/uplot.ts) puts uPlot's constructor under (uplotLoader.ts). */
export const UPLOT_GLOBAL = '__tokstatUPlot';
