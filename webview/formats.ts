// The dashboard's date formats, each built on first use (numbers go through src/shared/numberFormat.ts, which needs
// no Intl). The first Intl object a webview process builds costs 40–60 ms, ICU's start-up, and the first
// DateTimeFormat ~10 ms more (measured in headless Chromium on the CI machines), so the first render builds none:
// account cards show countdowns and ages (plain arithmetic), and the absolute times behind them are formatted when a
// tooltip is about to show (main.ts) or a chart's readout or table is asked for.
import { lazy } from './dom';

/** "Jun 20, 2025, 12:00 PM" in the webview's locale: tooltips, chart readouts and tables. */
export const absoluteTime = lazy(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
/** "12:00 PM": the local-agents section's block and session times. */
export const clockTime = lazy(() => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }));
/** "Jun 20" of a UTC calendar day (the usage rows' `day`). */
export const utcDayLabel = lazy(() => new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }));
