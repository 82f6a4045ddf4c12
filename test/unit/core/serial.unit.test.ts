// SerialQueue: operations run one after another in the order asked for; a failure rejects only its own promise.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { SerialQueue } from '../../../src/core/serial';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SerialQueue', () => {
  it('starts an operation only once the one before it has finished', async () => {
    const q = new SerialQueue();
    const events: string[] = [];
    const first = deferred();
    const a = q.run(async () => {
      events.push('a starts');
      await first.promise;
      events.push('a ends');
      return 'a';
    });
    const b = q.run(async () => {
      events.push('b starts');
      return 'b';
    });
    // Let every ready microtask run: b must still wait for a.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    assert.deepEqual(events, ['a starts']);
    first.resolve();
    assert.deepEqual(await Promise.all([a, b]), ['a', 'b']);
    assert.deepEqual(events, ['a starts', 'a ends', 'b starts']);
  });

  it('a failed operation rejects its own promise and the next one still runs', async () => {
    const q = new SerialQueue();
    const failing = q.run(() => Promise.reject(new Error('disk full')));
    const next = q.run(async () => 'ran');
    await assert.rejects(failing, /disk full/);
    assert.equal(await next, 'ran');
  });

  it('idle() resolves once everything asked for so far has finished, failures included', async () => {
    const q = new SerialQueue();
    const gate = deferred();
    let done = 0;
    void q.run(async () => {
      await gate.promise;
      done++;
    });
    q.run(() => Promise.reject(new Error('x'))).catch(() => undefined);
    let idle = false;
    const waiting = q.idle().then(() => (idle = true));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    assert.equal(idle, false);
    gate.resolve();
    await waiting;
    assert.equal(done, 1);
  });
});
