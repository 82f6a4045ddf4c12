/**
 * Runs operations one after another, in the order they were asked for. A failed operation rejects its own promise
 * and does not stop the next. For read-modify-write sequences that must not interleave (a file, a setting).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.tail.then(op, op);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every operation asked for so far has finished (failed ones included). */
  async idle(): Promise<void> {
    await this.tail;
  }
}
