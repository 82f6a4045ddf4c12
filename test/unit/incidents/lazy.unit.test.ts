// The status pages' poller loads from its own chunk (dist/incidents.js) with the first sync that needs it, not with the
// extension: not while incidents are off or there is no account; then it polls as it did, its start delay counted from
// activation (not from the load), and the model hears its changes. Under tsc the chunk is the source module
// `features/incidents/chunk`, so whether it was required is whether it is in require.cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../fakes/fakeClock';
import { StatusPageFake } from '../../fakes/statusPageFake';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { nullLogger } from '../../../src/core/log';
import { IncidentsFeature } from '../../../src/features/incidents/feature';

const chunkLoaded = () => Object.keys(require.cache).some((k) => k.endsWith(path.join('features', 'incidents', 'chunk.js')));

test('the incidents chunk loads with the first sync that has incidents on and an account; the first poll keeps the start delay from activation', async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12));
  const page = new StatusPageFake(() => clock.now());
  await page.start();
  const http = new UndiciHttpClient(nullLogger, clock);
  const folder = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-incidents-lazy-'));
  let enabled = false;
  let providers: string[] = [];
  const feature = new IncidentsFeature({
    folder,
    clock,
    log: nullLogger,
    http,
    isLeader: () => true,
    onDidChangeRole: () => ({ dispose: () => undefined }),
    enabled: () => enabled,
    providers: () => providers,
    overrides: () => ({ anthropic: page.url + StatusPageFake.SUMMARY }),
  });
  let changes = 0;
  feature.onDidChange(() => changes++);
  try {
    feature.sync();
    providers = ['claude'];
    feature.sync();
    enabled = true;
    providers = [];
    feature.sync();
    assert.equal(feature.loaded, false, 'off, or no account: nothing to poll');
    assert.equal(chunkLoaded(), false, 'the chunk was not required');
    assert.equal(feature.incidentFor('claude'), undefined);

    // Ten seconds after activation the first account arrives: the poll waits the 5 s left of the start delay.
    await clock.advance(10_000);
    providers = ['claude'];
    feature.sync();
    assert.equal(feature.loaded, true);
    assert.equal(chunkLoaded(), true, 'the chunk was required');
    assert.ok(changes > 0, 'the model hears the poller: a page is now wanted');
    await clock.advance(4_000);
    await feature.whenIdle();
    assert.equal(page.requests.length, 0, 'still inside the start delay');
    await clock.advance(1_000);
    await feature.whenIdle();
    assert.equal(page.requests.length, 1, 'polled when the start delay from activation ended');
  } finally {
    feature.dispose();
    await http.close();
    await page.stop();
    await fsp.rm(folder, { recursive: true, force: true });
  }
});
