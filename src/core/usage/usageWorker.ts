// Worker-thread entry (bundled as dist/usageWorker.js): runs scan jobs off the extension host's thread. The worker
// lives as long as the scanner and keeps its own copy of the file cursors, so a rescan request is a few hundred bytes
// instead of every cursor cloned again. Protocol (see WorkerRequest / WorkerReply):
//   in  { id, epoch, cursors?, job }      cursors only when the host's copy changed other than by this worker's scans
//   out { id, batch }*                     events + cursors of whole files, in order, while the scan goes on
//       { id, ok: true, output } | { id, ok: false, error }

import { parentPort } from 'node:worker_threads';
import { applyCursorChanges, runScanJob, type FileCursor, type ScanBatch, type ScanJobInput, type ScanJobOutput } from './scanJob';

export interface WorkerRequest {
  id: number;
  /** Identifies the host's cursor map; the worker answers `stale` when it holds another one and none is sent. */
  epoch: number;
  cursors?: Record<string, FileCursor>;
  job: Omit<ScanJobInput, 'cursors' | 'onBatch'>;
}

export type WorkerReply =
  | { id: number; batch: ScanBatch }
  | { id: number; ok: true; output: ScanJobOutput }
  | { id: number; ok: false; error: string; stale?: boolean };

if (parentPort) {
  const port = parentPort;
  let cursors: Record<string, FileCursor> = {};
  let epoch = -1;
  let chain: Promise<void> = Promise.resolve();
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
    const changed: Record<string, FileCursor> = {};
    try {
      const output = await runScanJob({
        ...msg.job,
        cursors,
        yieldEveryMs: undefined,
        onBatch: (batch) => {
          Object.assign(changed, batch.cursors);
          port.postMessage({ id: msg.id, batch } satisfies WorkerReply);
        },
      });
      Object.assign(changed, output.cursors);
      applyCursorChanges(cursors, changed, output.missing);
      epoch = msg.epoch;
      port.postMessage({ id: msg.id, ok: true, output } satisfies WorkerReply);
    } catch (e) {
      port.postMessage({ id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
    }
  };
  port.on('message', (msg: WorkerRequest) => {
    chain = chain.then(() => run(msg));
  });
}
