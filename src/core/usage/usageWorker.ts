// Worker-thread entry (bundled as dist/usageWorker.js): runs scan jobs off the extension host's thread. The worker
// lives as long as the scanner and keeps its own copy of the file cursors, so a rescan request is a few hundred bytes
// instead of every cursor cloned again. Protocol (see WorkerRequest / WorkerReply):
//   in  { id, epoch, cursors?, job }      cursors only when the host's copy changed other than by this worker's scans
//       { ack: id }                        the host has applied one batch of request `id`
//   out { id, batch }*                     events + cursors of whole files, in order, while the scan goes on
//       { id, ok: true, output } | { id, ok: false, error }
// Backpressure: at most MAX_IN_FLIGHT batches are posted and not yet acknowledged; the worker reads the next files
// while the host applies the previous batch, and waits when the host falls behind, so neither side ever queues more
// than a couple of batches (a cold scan's events never exist all at once anywhere).

import { parentPort, workerData } from 'node:worker_threads';
import { applyCursorChanges, runScanJob, type FileCursor, type ScanBatch, type ScanJobInput, type ScanJobOutput } from './scanJob';
import { warmUp } from './parsers';
import { packEvents, type PackedEvents } from './eventCodec';

export interface WorkerRequest {
  id: number;
  /** Identifies the host's cursor map; the worker answers `stale` when it holds another one and none is sent. */
  epoch: number;
  cursors?: Record<string, FileCursor>;
  job: Omit<ScanJobInput, 'cursors' | 'onBatch'>;
}

/** The host has applied one batch of request `ack`. */
export interface WorkerAck {
  ack: number;
}

/**
 * Events travel packed (eventCodec.ts): `events` is empty and `packed` holds them; the host unpacks them before use.
 */
export type WorkerReply =
  | { id: number; batch: ScanBatch; packed?: PackedEvents }
  | { id: number; ok: true; output: ScanJobOutput; packed?: PackedEvents }
  | { id: number; ok: false; error: string; stale?: boolean };

/** Batches posted and not yet applied by the host. */
export const MAX_IN_FLIGHT = 2;

if (parentPort) {
  const port = parentPort;
  // A worker that replaces one retired after a big scan will serve small, latency-sensitive rescans: it compiles the
  // line readers before its first request (requests that arrive meanwhile wait in the port).
  if ((workerData as { warmUp?: boolean } | undefined)?.warmUp) warmUp(10);
  let cursors: Record<string, FileCursor> = {};
  let epoch = -1;
  let chain: Promise<void> = Promise.resolve();
  // Flow control of the running request.
  let current = -1;
  let unacked = 0;
  let wake: (() => void) | undefined;
  const run = async (msg: WorkerRequest): Promise<void> => {
    if (msg.cursors) {
      cursors = msg.cursors;
      epoch = msg.epoch;
    } else if (msg.epoch !== epoch) {
      port.postMessage({ id: msg.id, ok: false, error: 'stale cursors', stale: true } satisfies WorkerReply);
      return;
    }
    // Until this scan completes, the copy is not trusted (the host may have applied part of it).
    epoch = -1;
    current = msg.id;
    unacked = 0;
    const changed: Record<string, FileCursor> = {};
    try {
      const output = await runScanJob({
        ...msg.job,
        cursors,
        yieldEveryMs: undefined,
        onBatch: async (batch) => {
          Object.assign(changed, batch.cursors);
          const packed = packEvents(batch.events);
          port.postMessage({ id: msg.id, batch: { ...batch, events: [] }, packed } satisfies WorkerReply, [packed.nums.buffer]);
          unacked++;
          while (unacked >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
        },
      });
      Object.assign(changed, output.cursors);
      applyCursorChanges(cursors, changed, output.missing);
      epoch = msg.epoch;
      const packed = packEvents(output.events);
      port.postMessage({ id: msg.id, ok: true, output: { ...output, events: [] }, packed } satisfies WorkerReply, [packed.nums.buffer]);
    } catch (e) {
      port.postMessage({ id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
    } finally {
      current = -1;
    }
  };
  port.on('message', (msg: WorkerRequest | WorkerAck) => {
    if ('ack' in msg) {
      if (msg.ack !== current) return;
      unacked--;
      const w = wake;
      wake = undefined;
      w?.();
      return;
    }
    chain = chain.then(() => run(msg));
  });
}
