import type { ErrorKind, SnapshotError } from '../shared/model';

/**
 * Marks a ProviderError whichever bundle made it: the HTTP client lives in a lazily loaded chunk (dist/net.js) with its
 * own copy of this class, so a plain `instanceof` in the extension's bundle would not know the chunk's errors and
 * would turn every timeout, oversized answer or proxy refusal into a "network" error. A registered symbol is the same
 * in every bundle.
 */
const BRAND = Symbol.for('tokstat.ProviderError');

/** The one error type providers throw; the scheduler maps `kind` to a snapshot status and a retry policy. */
export class ProviderError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly kind: ErrorKind;
  readonly status?: number;
  /** Epoch ms before which the server asked not to be called again (from Retry-After). */
  readonly retryAt?: number;

  constructor(kind: ErrorKind, message: string, opts: { status?: number; retryAt?: number; cause?: unknown } = {}) {
    super(message);
    this.name = 'ProviderError';
    this.kind = kind;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAt !== undefined) this.retryAt = opts.retryAt;
    if (opts.cause !== undefined) (this as { cause?: unknown }).cause = opts.cause;
  }

  toSnapshotError(): SnapshotError {
    const e: SnapshotError = { kind: this.kind, message: this.message };
    if (this.status !== undefined) e.status = this.status;
    return e;
  }
}

export function isAuthKind(kind: ErrorKind): boolean {
  return kind === 'auth' || kind === 'forbidden';
}

/** Wraps anything thrown into a ProviderError without leaking stack traces or raw bodies into messages. */
export function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err && typeof err === 'object' && (err as { name?: string }).name === 'AbortError') {
    return new ProviderError('cancelled', 'The request was cancelled.');
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError('network', message || 'Unknown error');
}
