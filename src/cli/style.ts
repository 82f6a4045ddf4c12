// Colour for the CLI's tables, as terminals expect: on when writing to a terminal, off with NO_COLOR (any value) or
// --no-color, forced on with FORCE_COLOR (other than 0) or --color. JSON is never coloured.
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  warn(s: string): string;
  accent(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

export const PLAIN: Style = { bold: (s) => s, dim: (s) => s, warn: (s) => s, accent: (s) => s };
const ANSI: Style = { bold: wrap(1, 22), dim: wrap(2, 22), warn: wrap(33, 39), accent: wrap(36, 39) };

export function colourWanted(opts: { color?: boolean; noColor?: boolean; env: Record<string, string | undefined>; isTTY: boolean }): boolean {
  if (opts.noColor) return false;
  if (opts.color) return true;
  if (opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== '') return false;
  const force = opts.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return opts.isTTY;
}

export function styleFor(on: boolean): Style {
  return on ? ANSI : PLAIN;
}

/** The visible length of a string that may hold ANSI colour codes. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[\d+m/g, '').length;
}
