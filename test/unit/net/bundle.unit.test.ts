// The network chunk as it ships (src/features/net/chunk.ts bundled with the slim undici of build/slimUndici.js), not the full
// undici the other unit tests load: an https request through a CONNECT proxy with the test CA, and a 407. The slim
// undici must carry ProxyAgent and Dispatcher#connect for this to work.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type * as NetChunk from '../../../src/features/net/chunk';
import { TestProxy } from '../../fakes/testProxy';

const ROOT = path.resolve(__dirname, '../../../..');
const TLS_DIR = path.join(ROOT, 'test/fixtures/tls');
const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('bundled network chunk (slim undici) through a proxy', () => {
  let net: typeof NetChunk;
  let tls: https.Server;
  let target = '';
  const proxy = new TestProxy({ user: 'bundle-user', password: 'bundle-pw-123' });

  before(async () => {
    const esbuild = require('esbuild') as typeof import('esbuild');
    const { slimUndici } = require(path.join(ROOT, 'build/slimUndici.js')) as { slimUndici: import('esbuild').Plugin };
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-netchunk-')), 'net.js');
    await esbuild.build({ entryPoints: [path.join(ROOT, 'src/features/net/chunk.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [slimUndici], logLevel: 'silent' });
    net = require(out) as typeof NetChunk;
    tls = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'key.pem')), cert: fs.readFileSync(path.join(TLS_DIR, 'cert.pem')) }, (req, res) => res.end(`ok ${req.url}`));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    target = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
    tls.closeAllConnections();
    await new Promise<void>((resolve) => tls.close(() => resolve()));
  });

  const get = async (proxyUrl: string) => {
    const router = new net.ProxyRouter({ proxy: proxyUrl, strictSSL: true, support: 'override', systemCertificates: false }, { NODE_EXTRA_CA_CERTS: path.join(TLS_DIR, 'cert.pem') }, quiet);
    const client = new net.UndiciHttpClient(quiet, undefined, router);
    try {
      return await client.request({ url: `${target}/tunnel` });
    } finally {
      await client.close();
    }
  };

  it('tunnels https with the credentials of the proxy URL and trusts the CA', async () => {
    const res = await get(proxy.urlWithCredentials());
    assert.equal(res.status, 200);
    assert.equal(res.text, 'ok /tunnel');
    assert.deepEqual(proxy.log.at(-1), { method: 'CONNECT', target: target.slice('https://'.length), proxyAuthorization: `Basic ${Buffer.from('bundle-user:bundle-pw-123').toString('base64')}`, authorized: true });
  });

  it('a 407 on CONNECT is a "proxy" error', async () => {
    await assert.rejects(get(proxy.url), (e: { kind?: string; message?: string }) => e.kind === 'proxy' && /^Proxy authentication required \(407\)/.test(e.message ?? ''));
  });
});
