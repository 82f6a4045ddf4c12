/** Minimal logger port; the host adapts it to a LogOutputChannel. Messages must never contain secrets. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const nullLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A logger that prefixes every line with its component, e.g. `[scheduler]`. */
export function scoped(log: Logger, component: string): Logger {
  const p = `[${component}] `;
  return {
    trace: (m) => log.trace(p + m),
    debug: (m) => log.debug(p + m),
    info: (m) => log.info(p + m),
    warn: (m) => log.warn(p + m),
    error: (m) => log.error(p + m),
  };
}
