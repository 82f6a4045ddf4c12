// The CLI's one network call (the price-list download) follows HTTPS_PROXY and NO_PROXY: the compiled CLI runs as a
// child process against a loopback price server, with an in-process proxy on loopback.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { FakeServer } from '../../fakes/fakeServer';
import { TestProxy } from '../../fakes/testProxy';

const CLI = path.resolve(__dirname, '../../../src/cli/main.js');

function run(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-cli-proxy-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'usage', 'daily', '--json'], { env: { PATH: process.env.PATH ?? '', HOME: h, USERPROFILE: h, TZ: 'UTC', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('CLI: the price download honours HTTPS_PROXY / NO_PROXY', () => {
  const prices = new FakeServer();
  const proxy = new TestProxy();
  before(async () => {
    prices.route('GET', '/prices.json', () => ({ json: {} }));
    await Promise.all([prices.start(), proxy.start()]);
  });
  after(() => Promise.all([prices.stop(), proxy.stop()]));
  beforeEach(() => {
    prices.clearLog();
    proxy.log.length = 0;
  });

  it('HTTPS_PROXY: the download goes through the proxy', async () => {
    const r = await run({ HTTPS_PROXY: proxy.url, TOKSTAT_PRICES_URL: `${prices.url}/prices.json` });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(proxy.log.map((e) => [e.method, e.target]), [['GET', `${prices.url}/prices.json`]]);
    assert.equal(prices.requestsTo('/prices.json')[0]?.headers.via, '1.1 testproxy');
  });

  it('NO_PROXY naming the host: the download goes direct', async () => {
    const r = await run({ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1', TOKSTAT_PRICES_URL: `${prices.url}/prices.json` });
    assert.equal(r.code, 0, r.err);
    assert.equal(proxy.log.length, 0);
    assert.equal(prices.requestsTo('/prices.json').length, 1);
    assert.equal(prices.requestsTo('/prices.json')[0]?.headers.via, undefined);
  });
});
