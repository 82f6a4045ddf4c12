// Worker-thread entry (bundled as dist/usageWorker.js): runs scan jobs off the extension host's thread. Protocol:
// in  { id, job: ScanJobInput }   out { id, ok: true, output: ScanJobOutput } | { id, ok: false, error: string }

import { parentPort } from 'node:worker_threads';
import { runScanJob, type ScanJobInput } from './scanJob';

interface Request {
  id: number;
  job: ScanJobInput;
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (msg: Request) => {
    runScanJob({ ...msg.job, yieldEveryMs: undefined })
      .then((output) => port.postMessage({ id: msg.id, ok: true, output }))
      .catch((e: unknown) => port.postMessage({ id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) }));
  });
}
