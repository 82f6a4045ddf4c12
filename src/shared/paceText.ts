// The sentences of a pace forecast: what a person reads in the tooltips, the tree, the dashboard and the chat answer.
// The pace engine (core/forecast/pace.ts) computes the numbers and says which sentence applies (PaceSay); this module
// words it, formatting amounts and times. Pure; `now` and the time zone come from the caller.

import { formatAmount, formatPercent, hasCurrencySymbol } from './format';
import type { PaceSay, PaceSummary } from './pace';

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
      return { text: 'Unlimited' };
    case 'no-history':
      return { text: 'Not enough history yet' };
    case 'no-allowance':
      return { text: 'No allowance' };
    case 'reset-waiting':
      return { text: 'The window has reset — waiting for fresh numbers' };
    case 'dropped':
      return { text: `${say.toppedUp ? 'Topped up' : 'Usage went down'} moments ago — not enough use since to estimate a pace` };
    case 'just-reset':
      return { text: 'Just reset — not enough use yet to estimate a pace' };
    case 'over-limit': {
      const pct = formatPercent(say.percentUsed);
      return { text: p.resetsAt !== undefined ? `Over the limit: ${pct} used — resets ${when(p.resetsAt, now, timeZone)}` : `Over the limit: ${pct} used` };
    }
    case 'balance': {
      const left = formatAmount(say.remaining, say.unit);
      if (p.runOutAt === undefined) return { text: say.remaining <= 0 ? `Balance used up: ${left} left` : `No spending lately: ${left} left` };
      return {
        text: `At this pace ${left} lasts until ${when(p.runOutAt, now, timeZone)} (about ${lead(p.runOutAt - now)})`,
        detail: rateText(say.spend, say.unit, say.perHour),
      };
    }
    case 'rate': {
      let text = rateText(say.spend, say.unit, say.perHour);
      if (say.projected !== undefined && p.resetsAt !== undefined) text += ` — ≈ ${amount(say.projected, say.unit)} by ${when(p.resetsAt, now, timeZone)}`;
      return { text };
    }
    case 'limit-no-reset':
      return {
        text:
          p.runOutAt !== undefined
            ? `At this pace the limit is reached ${when(p.runOutAt, now, timeZone)} (${formatPercent(say.percentUsed)} used)`
            : `No recent use: ${formatPercent(say.percentUsed)} used`,
      };
    case 'run-out':
    case 'on-pace-elapsed':
    case 'on-pace-projected': {
      let text: string;
      if (say.kind === 'run-out' && p.runOutAt !== undefined && p.resetsAt !== undefined) {
        const budget = say.hoursLeft >= 48 ? `${amount(p.budgetPerDay, say.unit)} a day` : `${amount(p.budgetPerHour, say.unit)} an hour`;
        text = `At this pace you run out ${when(p.runOutAt, now, timeZone)}, ${lead(p.resetsAt - p.runOutAt)} before reset — stay under ${budget}`;
      } else if (say.kind === 'on-pace-elapsed' && p.elapsedFraction !== undefined) {
        text = `On pace: ${formatPercent(say.percentUsed)} used, ${formatPercent(p.elapsedFraction * 100)} of the ${windowNoun(say.windowLen, say.period)} gone`;
      } else {
        text = `On pace: ${formatPercent(say.percentUsed)} used, about ${formatPercent(p.projectedPercentAtReset ?? 0)} by the reset`;
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
        ? 'on a straight-line pace'
        : `${amount(Math.abs(p.reserve), unit)} ${p.reserve < 0 ? 'over' : 'under'} a straight-line pace`,
    );
  }
  // The hourly figure repeats a symbol ("$0.02 an hour") but not a word ("0.41 an hour", not "0.41 requests an hour").
  const sameUnit = (n: number | undefined) => amount(n, unit === '%' || hasCurrencySymbol(unit) ? unit : '');
  parts.push(
    hoursLeft >= 24
      ? `budget ${amount(p.budgetPerDay, unit)} a day, ${sameUnit(p.budgetPerHour)} an hour`
      : `budget ${amount(p.budgetPerHour, unit)} an hour`,
  );
  return parts.join(' · ');
}

function rateText(spend: boolean, unit: string, perHour: number): string {
  const perDay = perHour * 24;
  const verb = spend ? 'Spending' : 'Using';
  if (perDay <= 0) return verb === 'Spending' ? 'No spending lately' : 'No use lately';
  return perDay >= 1 || perHour === 0 ? `${verb} about ${amount(perDay, unit)} a day` : `${verb} about ${amount(perHour, unit)} an hour`;
}

function windowNoun(len: number | undefined, period: 'month' | undefined): string {
  if (period === 'month' || (len !== undefined && len >= 27 * DAY && len <= 32 * DAY)) return 'month';
  if (len !== undefined && Math.abs(len - WEEK) < HOUR) return 'week';
  if (len !== undefined && Math.abs(len - DAY) < HOUR) return 'day';
  if (len !== undefined && len < DAY) return `${Math.round(len / HOUR)}-hour window`;
  return 'window';
}

/** "3 days", "5 hours", "40 minutes" — rounded down, it is a lead time. */
function lead(ms: number): string {
  const d = Math.floor(ms / DAY);
  if (d >= 2) return `${d} days`;
  const h = Math.floor(ms / HOUR);
  if (h >= 2) return `${h} hours`;
  if (h === 1) return '1 hour';
  const m = Math.max(1, Math.floor(ms / MINUTE));
  return m === 1 ? '1 minute' : `${m} minutes`;
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
  const key = `${style}|${timeZone ?? ''}`;
  let fmt = formatters.get(key);
  if (!fmt) {
    // Building an Intl formatter costs far more than formatting: keep one per style and zone.
    fmt = new Intl.DateTimeFormat('en-US', { ...STYLES[style], ...(timeZone ? { timeZone } : {}) });
    if (formatters.size > 32) formatters.clear();
    formatters.set(key, fmt);
  }
  return fmt;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A budget a person can act on: whole units from 10 up, one decimal below; money keeps cents. */
function amount(n: number | undefined, unit: string): string {
  if (n === undefined) return 'unknown';
  if (unit === '%') return `${n >= 10 ? Math.round(n) : Math.round(n * 10) / 10}%`;
  const money = /^(USD|EUR|GBP|CNY|JPY)$/i.test(unit);
  const v = money ? n : n >= 10 ? Math.round(n) : n >= 1 ? Math.round(n * 10) / 10 : Number(n.toPrecision(2));
  return formatAmount(v, unit);
}
