// Runs an export target on a schedule without ever holding up polling or the UI: each tick collects the current
// metric families (cheap, synchronous), encodes them, queues the payload and sends the queue in the background, one
// request at a time. A dead or slow collector costs bounded memory (the queue keeps at most `maxQueue` payloads and
// `maxQueueBytes`, dropping the oldest and counting the drops), a backoff (Retry-After honoured), and one state for
// the tree: "export failing since …". Only the leader window exports (`isLeader`), so a user with three windows is
// one series, not three.
import type { Clock, TimerHandle } from '../clock';
import { Emitter, type Disposable } from '../events';
import type { HttpClient } from '../http';
import type { Logger } from '../log';
import { redact } from '../redact';
import { backoffDelay, type BackoffOptions } from '../scheduler/backoff';
import type { MetricFamily } from './metrics';
import { ExportFailure, type ExportTarget } from './targets';

export type ExportStatus = 'standby' | 'pending' | 'ok' | 'failing';

export interface ExportState {
  status: ExportStatus;
  target: 'otlp' | 'pushgateway';
  /** Where to (no credentials: export URLs may not carry any). */
  url: string;
  /** Epoch ms of the first failure of the current run of failures. */
  failingSince?: number;
  lastError?: string;
  lastSuccessAt?: number;
  /** Payloads dropped since start (queue full, or refused for good by the collector). */
  dropped: number;
  queued: number;
  queuedBytes: number;
}

export interface ExportRunnerDeps {
  target: ExportTarget;
  http: HttpClient;
  clock: Clock;
  log: Logger;
  /** The families to export now; `dropped` is this runner's drop count, to export as tokstat.export.dropped. */
  collect(dropped: number): MetricFamily[] | Promise<MetricFamily[]>;
  intervalMs: number;
  isLeader(): boolean;
  maxQueue?: number;
  maxQueueBytes?: number;
  backoff?: BackoffOptions;
  random?: () => number;
}

interface Payload {
  body: Uint8Array | string;
  bytes: number;
}

export const DEFAULT_EXPORT_BACKOFF: BackoffOptions = { baseMs: 30_000, factor: 2, maxMs: 15 * 60_000, jitter: 'equal' };

export class ExportRunner implements Disposable {
  private readonly queue: Payload[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private failures = 0;
  private retryAt = 0;
  private sending: Promise<void> | undefined;
  private ticking: Promise<void> | undefined;
  private tickTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private disposed = false;
  private st: ExportState;
  private readonly changed = new Emitter<ExportState>();
  /** Fires when the status, the error or the failing-since time changes (not on every successful tick). */
  readonly onDidChangeState = this.changed.event;
  private readonly maxQueue: number;
  private readonly maxQueueBytes: number;

  constructor(private readonly deps: ExportRunnerDeps) {
    this.maxQueue = deps.target.latestOnly ? 1 : Math.max(1, deps.maxQueue ?? 20);
    this.maxQueueBytes = Math.max(1024, deps.maxQueueBytes ?? 4 * 1024 * 1024);
    this.st = { status: 'pending', target: deps.target.kind, url: deps.target.url, dropped: 0, queued: 0, queuedBytes: 0 };
  }

  state(): ExportState {
    return { ...this.st, dropped: this.dropped, queued: this.queue.length, queuedBytes: this.queuedBytes };
  }

  /** Ticks now (after the caller's turn), then every interval. */
  start(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.disposed) return;
    if (this.tickTimer) this.deps.clock.clearTimeout(this.tickTimer);
    this.tickTimer = this.deps.clock.setTimeout(() => {
      this.tickTimer = undefined;
      const t: Promise<void> = this.tick()
        .catch((e: unknown) => this.deps.log.error(`[export] tick failed: ${redact(e instanceof Error ? e.message : String(e))}`))
        .finally(() => {
          if (this.ticking === t) this.ticking = undefined;
        });
      this.ticking = t;
      this.schedule(this.deps.intervalMs);
    }, ms);
  }

  /** One export: collect, encode, queue, and start sending (not awaited by the timer: a slow collector holds nothing). */
  async tick(): Promise<void> {
    if (this.disposed) return;
    if (!this.deps.isLeader()) {
      this.setState({ status: 'standby' });
      return;
    }
    const families = await this.deps.collect(this.dropped);
    const body = await this.deps.target.encode(families);
    this.enqueue({ body, bytes: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength });
    void this.drain();
  }

  private enqueue(p: Payload): void {
    this.queue.push(p);
    this.queuedBytes += p.bytes;
    while (this.queue.length > this.maxQueue || (this.queuedBytes > this.maxQueueBytes && this.queue.length > 1)) {
      const old = this.queue.shift()!;
      this.queuedBytes -= old.bytes;
      this.dropped++;
    }
  }

  /** Sends the queue oldest first; resolves when it is empty or a failure stops it. Never rejects. */
  drain(): Promise<void> {
    if (this.sending) return this.sending;
    if (this.deps.clock.now() < this.retryAt) return Promise.resolve();
    this.sending = this.sendAll().finally(() => {
      this.sending = undefined;
    });
    return this.sending;
  }

  /** Resolves once the scheduled tick and the sending in flight (if any) are over: tests and the CLI's --once wait on it. */
  async idle(): Promise<void> {
    while (this.ticking || this.sending) {
      await this.ticking;
      await this.sending;
    }
  }

  private async sendAll(): Promise<void> {
    while (this.queue.length && !this.disposed) {
      const p = this.queue[0]!;
      const now = this.deps.clock.now();
      try {
        await this.deps.target.send(this.deps.http, p.body, now);
        this.take(p);
        this.failures = 0;
        this.retryAt = 0;
        if (this.st.status !== 'ok') this.deps.log.info(`[export] ${this.deps.target.kind} export to ${this.deps.target.url} ok`);
        this.setState({ status: 'ok', lastSuccessAt: this.deps.clock.now(), failingSince: undefined, lastError: undefined });
      } catch (e) {
        const f = e instanceof ExportFailure ? e : new ExportFailure(e instanceof Error ? e.message : String(e), true);
        const message = redact(f.message);
        if (!f.retryable) {
          // Sending the same body again would get the same answer: drop it, count it, wait for the next tick.
          this.take(p);
          this.dropped++;
        }
        this.failures++;
        const wait = Math.max(backoffDelay(this.failures, this.deps.backoff ?? DEFAULT_EXPORT_BACKOFF, this.deps.random), (f.retryAt ?? 0) - now);
        this.retryAt = now + wait;
        const first = this.st.status !== 'failing';
        if (first || this.st.lastError !== message) this.deps.log.warn(`[export] ${this.deps.target.kind} export failed: ${message}; next try in ${Math.round(wait / 1000)} s`);
        this.setState({ status: 'failing', failingSince: first ? now : this.st.failingSince, lastError: message });
        if (f.retryable) this.scheduleRetry(wait);
        return;
      }
    }
  }

  private take(p: Payload): void {
    if (this.queue[0] === p) {
      this.queue.shift();
      this.queuedBytes -= p.bytes;
    }
  }

  private scheduleRetry(ms: number): void {
    if (this.disposed) return;
    if (this.retryTimer) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, ms);
  }

  private setState(patch: Partial<ExportState>): void {
    const next: ExportState = { ...this.st, ...patch };
    for (const k of Object.keys(next) as Array<keyof ExportState>) if (next[k] === undefined) delete next[k];
    const visible = next.status !== this.st.status || next.failingSince !== this.st.failingSince || next.lastError !== this.st.lastError;
    this.st = next;
    if (visible) this.changed.fire(this.state());
  }

  /** Stops the schedule; with `removeRemote`, also deletes this machine's group on the server (Pushgateway). */
  async stop(removeRemote: boolean): Promise<void> {
    this.dispose();
    await this.idle();
    if (removeRemote && this.deps.target.remove) await this.deps.target.remove(this.deps.http, this.deps.clock.now());
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.tickTimer) this.deps.clock.clearTimeout(this.tickTimer);
    if (this.retryTimer) this.deps.clock.clearTimeout(this.retryTimer);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.changed.dispose();
    this.deps.target.dispose().catch(() => undefined);
  }
}
