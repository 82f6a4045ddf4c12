// Where chart/manager.ts gets uPlot from: dist/webview/uplot.js (webview/uplot.ts) puts the constructor on `window` under
// UPLOT_GLOBAL when it runs; the script is added, once, by `loadUPlot`.
import type uPlot from 'uplot';
import { loadSibling } from './lazyScript';
import { UPLOT_GLOBAL } from './uplotGlobal';

/** The constructor, once uplot.js has run; undefined before. */
export function uPlotNow(): typeof uPlot | undefined {
  return (window as unknown as Record<string, typeof uPlot | undefined>)[UPLOT_GLOBAL];
}

/** Loads uplot.js (once) and resolves with the constructor. */
export async function loadUPlot(): Promise<typeof uPlot> {
  const now = uPlotNow();
  if (now) return now;
  await loadSibling('uplot.js', { tokstatUplot: '' });
  const ctor = uPlotNow();
  if (!ctor) throw new Error('tokstat: uplot.js ran without defining uPlot');
  return ctor;
}
