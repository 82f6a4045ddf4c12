// The sentences of a pace forecast: what a person reads in the tooltips, the tree, the dashboard and the chat answer.
// The pace engine (core/forecast/pace.ts) computes the numbers and says which sentence applies (PaceSay); this module
// words it, formatting amounts and times. Pure; `now` and the time zone come from the caller.

import { formatAmount, formatPercent, hasCurrencySymbol } from './format';
import type { PaceSay, PaceSummary } from './pace';
import { currentLocale, l10n } from './l10n';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** The numbers a sentence may quote (a PaceSummary without its words). */
export type PaceFigures = Omit<PaceSummary, 'text' | 'detail'>;

/** The first line (`text`) and, when there is one, the second (`detail`) for a pace. */
export function paceText(say: PaceSay, p: PaceFigures, now: number, timeZone?: string): { text: string; detail?: string } {
  switch (say.kind) {
    case 'unlimited':
      return { text: l10n.t('Unlimited') };
    case 'no-history':
      return { text: l10n.t('Not enough history yet') };
    case 'no-allowance':
      return { text: l10n.t('No allowance') };
    case 'reset-waiting':
      return { text: l10n.t('The window has reset — waiting for fresh numbers') };
    case 'dropped':
      return {
        text: say.toppedUp
          ? l10n.t('Topped up moments ago — not enough use since to estimate a pace')
          : l10n.t('Usage went down moments ago — not enough use since to estimate a pace'),
      };
    case 'just-reset':
      return { text: l10n.t('Just reset — not enough use yet to estimate a pace') };
    case 'over-limit': {
      const pct = formatPercent(say.percentUsed);
      return { text: p.resetsAt !== undefined ? l10n.t('Over the limit: {0} used — resets {1}', pct, when(p.resetsAt, now, timeZone)) : l10n.t('Over the limit: {0} used', pct) };
    }
    case 'balance': {
      const left = formatAmount(say.remaining, say.unit);
      if (p.runOutAt === undefined) return { text: say.remaining <= 0 ? l10n.t('Balance used up: {0} left', left) : l10n.t('No spending lately: {0} left', left) };
      return {
        text: l10n.t('At this pace {0} lasts until {1} (about {2})', left, when(p.runOutAt, now, timeZone), lead(p.runOutAt - now)),
        detail: rateText(say.spend, say.unit, say.perHour),
      };
    }
    case 'rate': {
      let text = rateText(say.spend, say.unit, say.perHour);
      if (say.projected !== undefined && p.resetsAt !== undefined) text = l10n.t('{0} — ≈ {1} by {2}', text, amount(say.projected, say.unit), when(p.resetsAt, now, timeZone));
      return { text };
    }
    case 'limit-no-reset':
      return {
        text:
          p.runOutAt !== undefined
            ? l10n.t('At this pace the limit is reached {0} ({1} used)', when(p.runOutAt, now, timeZone), formatPercent(say.percentUsed))
            : l10n.t('No recent use: {0} used', formatPercent(say.percentUsed)),
      };
    case 'run-out':
    case 'on-pace-elapsed':
    case 'on-pace-projected': {
      let text: string;
      if (say.kind === 'run-out' && p.runOutAt !== undefined && p.resetsAt !== undefined) {
        const budget = say.hoursLeft >= 48 ? l10n.t('{0} a day', amount(p.budgetPerDay, say.unit)) : l10n.t('{0} an hour', amount(p.budgetPerHour, say.unit));
        text = l10n.t('At this pace you run out {0}, {1} before reset — stay under {2}', when(p.runOutAt, now, timeZone), lead(p.resetsAt - p.runOutAt), budget);
      } else if (say.kind === 'on-pace-elapsed' && p.elapsedFraction !== undefined) {
        text = l10n.t('On pace: {0} used, {1} of the {2} gone', formatPercent(say.percentUsed), formatPercent(p.elapsedFraction * 100), windowNoun(say.windowLen, say.period));
      } else {
        text = l10n.t('On pace: {0} used, about {1} by the reset', formatPercent(say.percentUsed), formatPercent(p.projectedPercentAtReset ?? 0));
      }
      return { text, detail: budgetLine(p, say.unit, say.limit, say.hoursLeft) };
    }
  }
}

/** "12 requests over a straight-line pace · budget 9.8 requests a day, 0.41 an hour". */
function budgetLine(p: PaceFigures, unit: string, limit: number, hoursLeft: number): string {
  const parts: string[] = [];
  if (p.reserve !== undefined) {
    // Within half a percent of the limit is on the line, not "0.01 requests under" it.
    parts.push(
      Math.abs(p.reserve) < limit / 200
        ? l10n.t('on a straight-line pace')
        : p.reserve < 0
          ? l10n.t('{0} over a straight-line pace', amount(Math.abs(p.reserve), unit))
          : l10n.t('{0} under a straight-line pace', amount(Math.abs(p.reserve), unit)),
    );
  }
  // The hourly figure repeats a symbol ("$0.02 an hour") but not a word ("0.41 an hour", not "0.41 requests an hour").
  const sameUnit = (n: number | undefined) => amount(n, unit === '%' || hasCurrencySymbol(unit) ? unit : '');
  parts.push(
    hoursLeft >= 24
      ? l10n.t('budget {0} a day, {1} an hour', amount(p.budgetPerDay, unit), sameUnit(p.budgetPerHour))
      : l10n.t('budget {0} an hour', amount(p.budgetPerHour, unit)),
  );
  return parts.join(' · ');
}

function rateText(spend: boolean, unit: string, perHour: number): string {
  const perDay = perHour * 24;
  if (perDay <= 0) return spend ? l10n.t('No spending lately') : l10n.t('No use lately');
  if (perDay >= 1 || perHour === 0) return spend ? l10n.t('Spending about {0} a day', amount(perDay, unit)) : l10n.t('Using about {0} a day', amount(perDay, unit));
  return spend ? l10n.t('Spending about {0} an hour', amount(perHour, unit)) : l10n.t('Using about {0} an hour', amount(perHour, unit));
}

function windowNoun(len: number | undefined, period: 'month' | undefined): string {
  if (period === 'month' || (len !== undefined && len >= 27 * DAY && len <= 32 * DAY)) return l10n.t('month');
  if (len !== undefined && Math.abs(len - WEEK) < HOUR) return l10n.t('week');
  if (len !== undefined && Math.abs(len - DAY) < HOUR) return l10n.t('day');
  if (len !== undefined && len < DAY) return l10n.t('{0}-hour window', Math.round(len / HOUR));
  return l10n.t('window');
}

/** "3 days", "5 hours", "40 minutes" — rounded down, it is a lead time. */
function lead(ms: number): string {
  const d = Math.floor(ms / DAY);
  if (d >= 2) return l10n.t('{0} days', d);
  const h = Math.floor(ms / HOUR);
  if (h >= 2) return l10n.t('{0} hours', h);
  if (h === 1) return l10n.t('1 hour');
  const m = Math.max(1, Math.floor(ms / MINUTE));
  return m === 1 ? l10n.t('1 minute') : l10n.t('{0} minutes', m);
}

/** "Thu 14:00" within the coming week, else "Mar 12, 14:00", with the year when it is not this year's. */
function when(t: number, now: number, timeZone: string | undefined): string {
  const near = t - now < 6 * DAY && t - now > -DAY;
  const style = near ? 'w' : formatter('y', timeZone).format(new Date(t)) === formatter('y', timeZone).format(new Date(now)) ? 'd' : 'dy';
  return formatter(style, timeZone).format(new Date(t));
}

type Style = 'w' | 'd' | 'dy' | 'y';

const STYLES: Record<Style, Intl.DateTimeFormatOptions> = {
  w: { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  d: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  dy: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  y: { year: 'numeric' },
};

function formatter(style: Style, timeZone: string | undefined): Intl.DateTimeFormat {
  const locale = currentLocale();
  const key = `${style}|${timeZone ?? ''}|${locale}`;
  let fmt = formatters.get(key);
  if (!fmt) {
    // Building an Intl formatter costs far more than formatting: keep one per style and zone.
    fmt = dateTimeFormat(locale, { ...STYLES[style], ...(timeZone ? { timeZone } : {}) });
    if (formatters.size > 32) formatters.clear();
    formatters.set(key, fmt);
  }
  return fmt;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** In the user's locale; a tag the runtime refuses ("qps-ploc") falls back to en-US. */
function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(locale, options);
  } catch {
    return new Intl.DateTimeFormat('en-US', options);
  }
}

/** A budget a person can act on: whole units from 10 up, one decimal below; money keeps cents. */
function amount(n: number | undefined, unit: string): string {
  if (n === undefined) return l10n.t('unknown');
  if (unit === '%') return `${n >= 10 ? Math.round(n) : Math.round(n * 10) / 10}%`;
  const money = /^(USD|EUR|GBP|CNY|JPY)$/i.test(unit);
  const v = money ? n : n >= 10 ? Math.round(n) : n >= 1 ? Math.round(n * 10) / 10 : Number(n.toPrecision(2));
  return formatAmount(v, unit);
}
