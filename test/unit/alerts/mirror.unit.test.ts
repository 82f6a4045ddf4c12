// The alert state mirrored in globalState (issue #19 §2/§3): what one host's leader said is known to the other host's
// windows and survives losing the host's files (a Codespace rebuild), validated and bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERTS_KEY, MAX_ALERT_MIRROR_CHARS, MirroredAlertStateStore, boundAlertState, mergeAlertStates, readAlertMirror } from '../../../src/core/alerts/mirror';
import { emptyAlertState, type AlertState } from '../../../src/core/alerts/types';
import { InMemoryAlertStateStore, MemoryKeyValueStore } from '../../fakes/memoryStores';

test('an alert shown by the laptop’s leader is known to the devbox (its own file empty) and after a rebuild', async () => {
  const profile = new MemoryKeyValueStore(); // globalState: one per user profile, every host
  const laptop = new MirroredAlertStateStore(new InMemoryAlertStateStore(), profile);
  await laptop.update((s) => ({ ...s, meters: { 'acc/m': { seenAt: 100, level: 90, peak: 92 } }, shown: [100] }));
  assert.ok(profile.data.has(ALERTS_KEY), 'written to globalState');
  // The devbox (or the Codespace after a rebuild: a new, empty file) sees the episode and does not repeat it.
  const devboxFile = new InMemoryAlertStateStore();
  const devbox = new MirroredAlertStateStore(devboxFile, profile);
  const seen = await devbox.load();
  assert.deepEqual(seen.meters['acc/m'], { seenAt: 100, level: 90, peak: 92 });
  assert.deepEqual(seen.shown, [100]);
  // The devbox's update lands in its file and in the mirror.
  await devbox.update((s) => ({ ...s, meters: { ...s.meters, 'acc/m': { ...s.meters['acc/m']!, seenAt: 200, snoozedUntil: 900 } } }));
  assert.equal((await devboxFile.load()).meters['acc/m']?.snoozedUntil, 900);
  assert.equal((await laptop.load()).meters['acc/m']?.snoozedUntil, 900, 'the laptop sees the devbox’s snooze');
});

test('merge: each meter from the copy that saw it last; held and shown from the mirror; no mirror → the file', () => {
  const file: AlertState = { version: 1, meters: { a: { seenAt: 5, level: 50 }, b: { seenAt: 1, level: 10 } }, shown: [1] };
  const mirror: AlertState = { version: 1, meters: { a: { seenAt: 3, level: 30 }, b: { seenAt: 9, level: 90 }, c: { seenAt: 2 } }, shown: [7, 8] };
  const m = mergeAlertStates(file, mirror);
  assert.equal(m.meters.a?.level, 50);
  assert.equal(m.meters.b?.level, 90);
  assert.ok(m.meters.c);
  assert.deepEqual(m.shown, [7, 8]);
  assert.equal(mergeAlertStates(file, undefined), file);
});

test('a damaged, foreign or oversized mirror is ignored; the mirror written is bounded (oldest meters dropped)', async () => {
  const kv = new MemoryKeyValueStore();
  for (const bad of ['x', 1, null, { version: 2, state: {} }, { version: 1, state: { version: 1, meters: { k: { seenAt: 'x' } } } }]) {
    await kv.update(ALERTS_KEY, bad);
    const r = readAlertMirror(kv);
    assert.ok(r === undefined || Object.keys(r.meters).length === 0, JSON.stringify(bad));
  }
  const huge: AlertState = emptyAlertState();
  for (let i = 0; i < 5000; i++) huge.meters[`account-${i}/meter-with-a-long-id-${i}`] = { seenAt: i, level: 80, peak: 90, last: 85, resetsAt: 1e12 };
  assert.ok(JSON.stringify(huge).length > MAX_ALERT_MIRROR_CHARS);
  await kv.update(ALERTS_KEY, { version: 1, state: huge });
  assert.equal(readAlertMirror(kv), undefined, 'an oversized mirror is not read');
  const bounded = boundAlertState(huge);
  assert.ok(JSON.stringify(bounded).length <= MAX_ALERT_MIRROR_CHARS);
  assert.ok(bounded.meters['account-4999/meter-with-a-long-id-4999'], 'the newest meter is kept');
  assert.equal(bounded.meters['account-0/meter-with-a-long-id-0'], undefined, 'the oldest is dropped');
  const store = new MirroredAlertStateStore(new InMemoryAlertStateStore(), kv);
  await store.update(() => huge);
  assert.ok(readAlertMirror(kv), 'what the store writes can be read back');
});
