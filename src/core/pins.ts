// Meters pinned to the status bar (`tokstat.statusBar.pins`): an ordered list of `account name/meter id`, left to
// right as the user arranged them. Pure list operations and the short texts the status bar shows, so the rules are
// unit-tested without VS Code.
import type { Meter } from '../shared/model';
import { formatMeterValue } from '../shared/format';
import { matchPin, type AccountEntry, type StatusPick } from './summary';

/** At most this many pins are kept: a status bar has room for a few items, and the setting is user-editable. */
export const MAX_PINS = 12;

/** The pin of one meter: `account name/meter id` (what the settings hold). */
export function pinKey(accountName: string, meterId: string): string {
  return `${accountName.trim()}/${meterId}`;
}

/** Pins as stored: strings only, trimmed, no duplicates (compared without case), at most MAX_PINS. */
export function cleanPins(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of value) {
    if (typeof v !== 'string') continue;
    const t = v.trim();
    if (!t || t.length > 500 || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
    if (out.length >= MAX_PINS) break;
  }
  return out;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function isPinned(pins: readonly string[], key: string): boolean {
  return pins.some((p) => same(p, key));
}

/** Adds a pin at the right end (a pin already there stays where it is). */
export function addPin(pins: readonly string[], key: string): string[] {
  return isPinned(pins, key) ? [...pins] : cleanPins([...pins, key]);
}

export function removePin(pins: readonly string[], key: string): string[] {
  return pins.filter((p) => !same(p, key));
}

/** Moves a pin one place left (-1) or right (+1); at either end, or not pinned, the list is unchanged. */
export function movePin(pins: readonly string[], key: string, by: -1 | 1): string[] {
  const out = [...pins];
  const i = out.findIndex((p) => same(p, key));
  const j = i + by;
  if (i < 0 || j < 0 || j >= out.length) return out;
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** A pin resolved against the accounts: what it shows, or that it matches nothing (yet). */
export interface ResolvedPin {
  key: string;
  pick?: StatusPick;
}

export function resolvePins(entries: readonly AccountEntry[], pins: readonly string[]): ResolvedPin[] {
  return pins.map((key) => {
    const pick = matchPin(entries, key);
    return pick ? { key, pick } : { key };
  });
}

const HOUR = 3_600_000;

/**
 * A meter's name in a few characters for the combined item: "5h", "wk", "day", "mo", or its label's first word
 * ("Premium", "Balance"). Ids the providers share ("five-hour", "seven-day", "weekly-opus") read as their window.
 */
export function shortMeterLabel(m: Pick<Meter, 'id' | 'label' | 'period' | 'windowMs'>): string {
  const id = m.id.toLowerCase();
  if (m.windowMs !== undefined && m.windowMs > 0 && m.windowMs < 24 * HOUR && Number.isInteger(m.windowMs / HOUR)) return `${m.windowMs / HOUR}h`;
  if (id === 'five-hour' || /^5-?hour/i.test(m.label)) return '5h';
  const weekly = /^weekly-(.+)$/.exec(id);
  if (weekly) return `wk ${weekly[1]}`;
  if (id === 'seven-day' || m.period === 'week' || m.windowMs === 7 * 24 * HOUR) return 'wk';
  if (m.period === 'day') return 'day';
  if (m.period === 'month') return 'mo';
  const word = m.label.trim().split(/[\s(]+/)[0] ?? '';
  return word.length > 16 ? `${word.slice(0, 15)}…` : word;
}

/** One pin's part of the combined item: "Claude 5h 62%", or "Claude: unknown" when it has no meter yet. */
export function pinPart(p: ResolvedPin, show: 'used' | 'remaining'): string {
  if (!p.pick) return `${p.key}: not found`;
  const name = p.pick.entry.account.name;
  if (!p.pick.meter) return `${name}: ${p.pick.entry.loading ? 'loading…' : 'unknown'}`;
  return `${name} ${shortMeterLabel(p.pick.meter)} ${formatMeterValue(p.pick.meter, show)}`;
}

/** The combined item's text: "Claude 5h 62% · Codex 41% · Copilot 30%". */
export function combinedText(pins: readonly ResolvedPin[], show: 'used' | 'remaining'): string {
  return pins.map((p) => pinPart(p, show)).join(' · ');
}
