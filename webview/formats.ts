// The dashboard's date formats, each built on first use (numbers go through src/shared/numberFormat.ts, which needs
// no Intl). The first Intl object a webview process builds costs 40–60 ms, ICU's start-up, and the first
// DateTimeFormat ~10 ms more (measured in headless Chromium on the CI machines), so the first render builds none:
// account cards show countdowns and ages (plain arithmetic), and the absolute times behind them are formatted when a
// tooltip is about to show (main.ts) or a chart's readout or table is asked for.
import { lazy } from './dom';
import { currentLocale } from '../src/shared/l10n';

/** The user's locale (vscode.env.language, from the host), not the browser's: code-server's page may differ. */
function dtf(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(currentLocale(), options);
  } catch {
    return dtf(options);
  }
}

/** "Jun 20, 2025, 12:00 PM" in the user's locale: tooltips, chart readouts and tables. */
export const absoluteTime = lazy(() => dtf({ dateStyle: 'medium', timeStyle: 'short' }));
/** "12:00 PM": the local-agents section's block and session times. */
export const clockTime = lazy(() => dtf({ hour: '2-digit', minute: '2-digit' }));
/** "Jun 20" of a UTC calendar day (the usage rows' `day`). */
export const utcDayLabel = lazy(() => dtf({ month: 'short', day: 'numeric', timeZone: 'UTC' }));
