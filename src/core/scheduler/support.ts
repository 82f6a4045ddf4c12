// Small pieces the poll scheduler and its leadership share: an emitter whose faulty listeners are logged (not
// rethrown), and the redacted text of an error for a log line.

import type { Logger } from '../log';
import { redact } from '../redact';
import type { Disposable } from '../state/snapshotStore';

export class LoggingEmitter<T extends unknown[]> {
  private readonly listeners = new Set<(...args: T) => void>();
  constructor(private readonly log: Logger) {}
  event = (listener: (...args: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };
  fire(...args: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(...args);
      } catch (e) {
        this.log.error(`listener threw: ${redact(e instanceof Error ? e.message : String(e))}`);
      }
    }
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export function errText(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return redact(e instanceof Error ? e.message : String(e));
}
