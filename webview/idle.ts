// Work put off until the page is idle (cards below the fold, countdown titles): never in the first frame.

/**
 * Runs `fn` once the page is idle (at the latest after `timeoutMs`); calls while one is pending are folded into it.
 * Where `requestIdleCallback` is missing, a plain timer stands in.
 */
export function whenIdle(fn: (deadline?: IdleDeadline) => void, timeoutMs: number): () => void {
  let pending = false;
  const run = (deadline?: IdleDeadline) => {
    pending = false;
    fn(deadline);
  };
  return () => {
    if (pending) return;
    pending = true;
    if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: timeoutMs });
    else window.setTimeout(run, Math.min(timeoutMs, 50));
  };
}
