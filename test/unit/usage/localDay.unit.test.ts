// memoLocalDay (the usage index's day bucket) gives localDay's answer for every timestamp, in time order or not,
// across DST changes, including zones whose clocks jump at midnight (America/Santiago) or by 30 minutes
// (Australia/Lord_Howe).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { localDay, memoLocalDay } from '../../../src/core/usage/usageIndex';
import { rng } from '../../support/rng';

const TZ = process.env.TZ;
after(() => {
  if (TZ === undefined) delete process.env.TZ;
  else process.env.TZ = TZ;
});

for (const zone of ['UTC', 'America/New_York', 'Europe/Berlin', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
  test(`memoLocalDay equals localDay in ${zone}`, () => {
    process.env.TZ = zone;
    const r = rng(zone.length);
    const day = memoLocalDay();
    let t = Date.UTC(2025, 0, 1);
    let checked = 0;
    while (t < Date.UTC(2027, 0, 1)) {
      // Mostly forward by a minute to three hours; now and then back by up to two days (files read out of order).
      t += r() < 0.05 ? -Math.floor(r() * 2 * 86_400_000) : Math.floor(r() * 3 * 3_600_000);
      assert.equal(day(t), localDay(t), `${new Date(t).toISOString()} in ${zone}`);
      checked++;
    }
    // Every local midnight and the millisecond before it.
    for (let d = new Date(2025, 0, 1); d.getTime() < Date.UTC(2027, 0, 1); d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1)) {
      for (const x of [d.getTime() - 1, d.getTime()]) assert.equal(day(x), localDay(x));
    }
    assert.ok(checked > 5000);
  });
}
