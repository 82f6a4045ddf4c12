// Deterministic Clock for tests: time only moves when the test says so, and timers run in due order.
import type { Clock, TimerHandle } from '../../src/core/clock';

interface FakeTimer {
  handle: TimerHandle;
  id: number;
  due: number;
  fn: () => void;
}

/** Resolves after every queued microtask (and the microtasks they queue) has run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<TimerHandle, FakeTimer>();

  /** Default start: 2026-01-01T00:00:00Z, so epoch values in failures are readable. */
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = { __timer: true } as TimerHandle;
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
    this.timers.set(handle, { handle, id: this.seq++, due: this.current + delay, fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Number of timers not yet fired nor cleared. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Due time of the earliest pending timer. */
  nextTimerAt(): number | undefined {
    return this.next()?.due;
  }

  private next(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }

  /**
   * Moves time forward by `ms`, synchronously running every timer that falls due on the way in due order
   * (including timers scheduled by those callbacks), with `now()` equal to each timer's due time while it runs.
   */
  advance(ms: number): void {
    const target = this.current + Math.max(0, ms);
    for (let t = this.next(); t && t.due <= target; t = this.next()) {
      this.timers.delete(t.handle);
      this.current = Math.max(this.current, t.due);
      t.fn();
    }
    this.current = target;
  }

  /** Sets the time to `epochMs` (forward only), running due timers like `advance`. */
  advanceTo(epochMs: number): void {
    this.advance(epochMs - this.current);
  }

  /**
   * Like `advance`, but after each timer awaits `settle` (default: flush microtasks) so that async work started by a
   * timer (fetch → store write → re-arm) completes before the next timer is considered.
   */
  async advanceAsync(ms: number, settle: () => Promise<void> = flushMicrotasks): Promise<void> {
    const target = this.current + Math.max(0, ms);
    await settle();
    for (let t = this.next(); t && t.due <= target; t = this.next()) {
      this.timers.delete(t.handle);
      this.current = Math.max(this.current, t.due);
      t.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Flushes pending microtasks; repeat `times` to let chains that cross a macrotask boundary finish. */
  async runAllMicrotasks(times = 1): Promise<void> {
    for (let i = 0; i < times; i++) await flushMicrotasks();
  }
}
