import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../fakes/fakeClock';

test('fake clock runs due timers in order, including ones scheduled by callbacks', () => {
  const c = new FakeClock(0);
  const seen: string[] = [];
  c.setTimeout(() => seen.push(`b@${c.now()}`), 20);
  c.setTimeout(() => {
    seen.push(`a@${c.now()}`);
    c.setTimeout(() => seen.push(`c@${c.now()}`), 5);
    c.setTimeout(() => seen.push(`late@${c.now()}`), 100);
  }, 10);
  const cleared = c.setTimeout(() => seen.push('never'), 1);
  c.clearTimeout(cleared);
  c.advance(30);
  assert.deepEqual(seen, ['a@10', 'c@15', 'b@20']);
  assert.equal(c.now(), 30);
  assert.equal(c.pendingTimers(), 1);
  assert.equal(c.nextTimerAt(), 110);
});

test('advanceAsync lets async work scheduled by a timer finish before the next timer', async () => {
  const c = new FakeClock(0);
  const seen: number[] = [];
  const tick = (): void => {
    void Promise.resolve().then(() => {
      seen.push(c.now());
      if (seen.length < 3) c.setTimeout(tick, 10);
    });
  };
  c.setTimeout(tick, 10);
  await c.advanceAsync(100);
  assert.deepEqual(seen, [10, 20, 30]);
  assert.equal(c.pendingTimers(), 0);
});
