import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { redact } from '../core/redact';

/**
 * The "tokstat" LogOutputChannel as the core's Logger; every line passes through `redact`.
 *
 * VS Code disposes an extension's subscriptions in the order they were added, so this channel, added first, would be
 * closed before everything that logs while it is disposed (the scheduler, the dashboard, …), and a closed channel
 * throws "Channel has been closed": the rest of that dispose would not run. So the channel is closed once the
 * subscriptions' disposal is over (a microtask later), and a line logged after that is dropped: logging never throws.
 */
export function createLogger(context: vscode.ExtensionContext): { channel: vscode.LogOutputChannel; log: Logger } {
  const channel = vscode.window.createOutputChannel('tokstat', { log: true });
  let closed = false;
  context.subscriptions.push({
    dispose: () =>
      queueMicrotask(() => {
        closed = true;
        channel.dispose();
      }),
  });
  const line = (write: (m: string) => void) => (m: string) => {
    if (closed) return;
    try {
      write(redact(m));
    } catch {
      // The channel went away underneath (the extension host is shutting down): nowhere left to write to.
    }
  };
  const log: Logger = {
    trace: line((m) => channel.trace(m)),
    debug: line((m) => channel.debug(m)),
    info: line((m) => channel.info(m)),
    warn: line((m) => channel.warn(m)),
    error: line((m) => channel.error(m)),
  };
  return { channel, log };
}
