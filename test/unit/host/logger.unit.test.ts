// createLogger against a minimal `vscode` whose log channel throws once disposed, as VS Code's does: lines logged while
// the extension's subscriptions are disposed (in the order they were added, the channel first) still reach the
// channel, and a line logged after the channel closed is dropped instead of throwing out of somebody's dispose().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as LoggerModule from '../../../src/host/logger';
import { OPENROUTER_KEY } from '../../fakes/secrets';
import { withVscodeStub } from '../../support/vscodeStub';

class FakeChannel {
  lines: string[] = [];
  disposed = false;
  private write(level: string, m: string) {
    if (this.disposed) throw new Error('Channel has been closed');
    this.lines.push(`${level} ${m}`);
  }
  trace = (m: string) => this.write('trace', m);
  debug = (m: string) => this.write('debug', m);
  info = (m: string) => this.write('info', m);
  warn = (m: string) => this.write('warn', m);
  error = (m: string) => this.write('error', m);
  dispose() {
    this.disposed = true;
  }
}

const channels: FakeChannel[] = [];
const fakeVscode = {
  window: {
    createOutputChannel: (name: string, opts: { log: boolean }) => {
      assert.equal(name, 'tokstat');
      assert.deepEqual(opts, { log: true });
      const c = new FakeChannel();
      channels.push(c);
      return c;
    },
  },
};
const { createLogger } = withVscodeStub(fakeVscode, () => require('../../../src/host/logger') as typeof LoggerModule);

/** As VS Code disposes an extension's subscriptions: in the order they were added, errors collected, not stopping. */
function disposeAll(subscriptions: { dispose(): unknown }[]): unknown[] {
  const errors: unknown[] = [];
  for (const d of subscriptions) {
    try {
      d.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  return errors;
}

test('lines logged while the subscriptions are disposed reach the channel; the channel is closed after them; later lines are dropped', async () => {
  const subscriptions: { dispose(): unknown }[] = [];
  const { log } = createLogger({ subscriptions } as never);
  const channel = channels.at(-1)!;
  let finished = false;
  // Added after the logger, as everything else is: it logs first and has work left after that.
  subscriptions.push({
    dispose: () => {
      log.debug('[scheduler] disposed');
      finished = true;
    },
  });
  log.info(`token ${OPENROUTER_KEY} used`);
  assert.ok(!channel.lines[0]!.includes(OPENROUTER_KEY.slice(12)), `redacted: ${channel.lines[0]}`);

  assert.deepEqual(disposeAll(subscriptions), []);
  assert.equal(finished, true, 'the later dispose ran to its end');
  assert.ok(channel.lines.includes('debug [scheduler] disposed'), channel.lines.join('\n'));
  assert.equal(channel.disposed, false, 'not yet: other subscriptions may still log');
  await Promise.resolve();
  assert.equal(channel.disposed, true, 'closed once the disposal is over');
  assert.doesNotThrow(() => log.warn('after the end'));
  assert.ok(!channel.lines.some((l) => l.includes('after the end')));
});

test('a channel closed underneath (the extension host shutting down) never makes a log call throw', () => {
  const { log } = createLogger({ subscriptions: [] } as never);
  const channel = channels.at(-1)!;
  channel.dispose();
  for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) assert.doesNotThrow(() => log[level]('x'));
});
