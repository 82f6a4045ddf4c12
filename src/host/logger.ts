import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { redact } from '../core/redact';

/** The "tokstat" LogOutputChannel as the core's Logger; every line passes through `redact`. */
export function createLogger(context: vscode.ExtensionContext): { channel: vscode.LogOutputChannel; log: Logger } {
  const channel = vscode.window.createOutputChannel('tokstat', { log: true });
  context.subscriptions.push(channel);
  const log: Logger = {
    trace: (m) => channel.trace(redact(m)),
    debug: (m) => channel.debug(redact(m)),
    info: (m) => channel.info(redact(m)),
    warn: (m) => channel.warn(redact(m)),
    error: (m) => channel.error(redact(m)),
  };
  return { channel, log };
}
