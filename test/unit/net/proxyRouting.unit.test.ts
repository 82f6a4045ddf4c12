// The real UndiciHttpClient through the real ProxyRouter against an in-process proxy: https targets through a
// CONNECT tunnel (trusting a self-signed test CA given as NODE_EXTRA_CA_CERTS), plain-http loopback targets
// forwarded, 407 from the proxy as a clear 'proxy' error, credentials from the proxy URL sent but never logged,
// NO_PROXY and http.proxySupport "off" going direct, and settings changes taking effect.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { ProxyRouter } from '../../../src/core/net/dispatcher';
import type { NetEnv, NetSettings } from '../../../src/core/net/proxy';
import { ProviderError } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/log';
import { FakeServer } from '../../fakes/fakeServer';
import { TestProxy } from '../../fakes/testProxy';

const TLS_DIR = path.resolve(__dirname, '../../../../test/fixtures/tls');
const CERT_FILE = path.join(TLS_DIR, 'cert.pem');
const USER = 'proxy-user';
const PASSWORD = 'pw-s3cret-!@:'; // characters that must be percent-encoded in the URL

function lines(): { log: Logger; lines: string[] } {
  const out: string[] = [];
  const push = (m: string) => void out.push(m);
  return { log: { trace: push, debug: push, info: push, warn: push, error: push }, lines: out };
}

const base: NetSettings = { strictSSL: true, support: 'override', systemCertificates: false };

async function withClient<T>(settings: NetSettings, env: NetEnv, fn: (c: UndiciHttpClient, l: string[], r: ProxyRouter) => Promise<T>): Promise<T> {
  const { log, lines: l } = lines();
  const router = new ProxyRouter(settings, env, log);
  const c = new UndiciHttpClient(log, undefined, router);
  try {
    return await fn(c, l, router);
  } finally {
    await c.close();
  }
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `not a ProviderError: ${String(err)}`);
    return err;
  }
  assert.fail('the request succeeded');
}

describe('requests through a proxy (ProxyRouter + UndiciHttpClient)', () => {
  let tlsServer: https.Server;
  let httpsUrl = '';
  const plain = new FakeServer();
  const open = new TestProxy();
  const locked = new TestProxy({ user: USER, password: PASSWORD });

  before(async () => {
    tlsServer = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'key.pem')), cert: fs.readFileSync(CERT_FILE) }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, via: req.headers.via ?? null }));
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    httpsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
    plain.route('GET', '/ping', (r) => ({ json: { via: r.headers.via ?? null } }));
    await Promise.all([plain.start(), open.start(), locked.start()]);
  });
  after(async () => {
    await Promise.all([plain.stop(), open.stop(), locked.stop()]);
    tlsServer.closeAllConnections();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  });
  beforeEach(() => {
    open.log.length = 0;
    locked.log.length = 0;
  });

  it('https target: a CONNECT tunnel through http.proxy, trusting the CA from NODE_EXTRA_CA_CERTS', async () => {
    await withClient({ ...base, proxy: open.url }, { NODE_EXTRA_CA_CERTS: CERT_FILE }, async (c, l) => {
      const res = await c.request({ url: `${httpsUrl}/v1/key?x=1` });
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.text), { path: '/v1/key?x=1', via: null });
      assert.deepEqual(open.log.map((e) => [e.method, e.target]), [['CONNECT', httpsUrl.slice('https://'.length)]]);
      assert.ok(l.some((x) => x.includes(`requests go through the proxy 127.0.0.1:${new URL(open.url).port} (from http.proxy)`)), l.join('\n'));
    });
  });

  it('https target without the CA: the self-signed certificate is refused (so the CA option above is what made it work)', async () => {
    await withClient({ ...base, proxy: open.url }, {}, async (c) => {
      const err = await rejection(c.request({ url: `${httpsUrl}/v1/key` }));
      assert.equal(err.kind, 'network');
      assert.match(err.message, /through the proxy 127\.0\.0\.1:\d+/);
      assert.equal(open.log.length, 1, 'the tunnel was opened; the TLS handshake failed inside it');
    });
  });

  it('direct https request with NODE_EXTRA_CA_CERTS trusts the CA too', async () => {
    await withClient(base, { NODE_EXTRA_CA_CERTS: CERT_FILE }, async (c) => {
      assert.equal((await c.request({ url: `${httpsUrl}/x` })).status, 200);
      assert.equal(open.log.length, 0);
    });
  });

  it('http.proxyStrictSSL off: certificates reached through the proxy are not verified', async () => {
    await withClient({ ...base, proxy: open.url, strictSSL: false }, {}, async (c, l) => {
      assert.equal((await c.request({ url: `${httpsUrl}/x` })).status, 200);
      assert.ok(l.some((x) => x.includes('certificates are not verified')));
    });
  });

  it('HTTPS_PROXY from the environment when http.proxy is empty; plain-http loopback target forwarded with Via', async () => {
    await withClient(base, { HTTPS_PROXY: open.url }, async (c, l) => {
      const res = await c.request({ url: `${plain.url}/ping` });
      assert.deepEqual(JSON.parse(res.text), { via: '1.1 testproxy' });
      assert.deepEqual(open.log.map((e) => [e.method, e.target]), [['GET', `${plain.url}/ping`]]);
      assert.ok(l.some((x) => x.includes('(from environment)')));
    });
  });

  it('CONNECT answered 407: a "proxy" error that names the proxy, not a network error', async () => {
    await withClient({ ...base, proxy: locked.url }, { NODE_EXTRA_CA_CERTS: CERT_FILE }, async (c) => {
      const err = await rejection(c.request({ url: `${httpsUrl}/v1/key` }));
      assert.equal(err.kind, 'proxy');
      assert.equal(err.status, 407);
      assert.match(err.message, new RegExp(`^Proxy authentication required \\(407\\) by 127\\.0\\.0\\.1:${new URL(locked.url).port}`));
      assert.deepEqual(locked.log.map((e) => e.authorized), [false]);
    });
  });

  it('forwarded request answered 407: the same "proxy" error', async () => {
    await withClient({ ...base, proxy: locked.url }, {}, async (c) => {
      const err = await rejection(c.request({ url: `${plain.url}/ping` }));
      assert.equal(err.kind, 'proxy');
      assert.match(err.message, /^Proxy authentication required \(407\) by 127\.0\.0\.1:\d+/);
    });
  });

  it('credentials in the proxy URL: sent as Basic auth (tunnel and forwarding), never in a log line or error', async () => {
    const url = locked.urlWithCredentials();
    await withClient({ ...base, proxy: url }, { NODE_EXTRA_CA_CERTS: CERT_FILE }, async (c, l) => {
      assert.equal((await c.request({ url: `${httpsUrl}/a` })).status, 200);
      assert.equal((await c.request({ url: `${plain.url}/ping` })).status, 200);
      const want = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
      assert.deepEqual(locked.log.map((e) => [e.method, e.proxyAuthorization, e.authorized]), [
        ['CONNECT', want, true],
        ['GET', want, true],
      ]);
      // A wrong password, for an error message to inspect.
      const wrong = locked.urlWithCredentials(USER, `${PASSWORD}x`);
      const text = l.join('\n');
      assert.ok(l.some((x) => x.includes('with credentials')));
      for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), USER, want.slice(6)]) assert.ok(!text.includes(secret), `log shows ${secret}`);
      await withClient({ ...base, proxy: wrong }, {}, async (c2, l2) => {
        const err = await rejection(c2.request({ url: `${plain.url}/ping` }));
        assert.equal(err.kind, 'proxy');
        const all = `${err.message}\n${l2.join('\n')}`;
        for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), USER]) assert.ok(!all.includes(secret), `error/log shows ${secret}`);
      });
    });
  });

  it('NO_PROXY / http.noProxy entries and http.proxySupport "off" go direct', async () => {
    const port = new URL(plain.url).port;
    await withClient(base, { HTTPS_PROXY: open.url, NO_PROXY: `example.com,127.0.0.1:${port}` }, async (c) => {
      assert.deepEqual(JSON.parse((await c.request({ url: `${plain.url}/ping` })).text), { via: null });
    });
    await withClient({ ...base, proxy: open.url, noProxy: ['127.0.0.1'] }, {}, async (c) => {
      assert.deepEqual(JSON.parse((await c.request({ url: `${plain.url}/ping` })).text), { via: null });
    });
    await withClient({ ...base, proxy: open.url, support: 'off' }, { HTTPS_PROXY: open.url }, async (c) => {
      assert.deepEqual(JSON.parse((await c.request({ url: `${plain.url}/ping` })).text), { via: null });
    });
    assert.equal(open.log.length, 0);
  });

  it('update(): a changed http.proxy applies to the next request', async () => {
    await withClient(base, {}, async (c, _l, router) => {
      await c.request({ url: `${plain.url}/ping` });
      assert.equal(open.log.length, 0);
      router.update({ ...base, proxy: open.url });
      assert.deepEqual(JSON.parse((await c.request({ url: `${plain.url}/ping` })).text), { via: '1.1 testproxy' });
      router.update(base);
      assert.deepEqual(JSON.parse((await c.request({ url: `${plain.url}/ping` })).text), { via: null });
      assert.equal(open.log.length, 1);
    });
  });

  it('an unreachable proxy is a network error that says which proxy', async () => {
    const down = new TestProxy();
    await down.start();
    const url = down.url;
    await down.stop();
    await withClient({ ...base, proxy: url }, {}, async (c) => {
      const err = await rejection(c.request({ url: `${plain.url}/ping` }));
      assert.equal(err.kind, 'network');
      assert.match(err.message, /through the proxy 127\.0\.0\.1:\d+ \(ECONNREFUSED/);
    });
  });

  it('an http.proxy tokstat cannot use (SOCKS) is logged once without its credentials, and ignored', async () => {
    await withClient({ ...base, proxy: `socks5://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:1080` }, {}, async (c, l) => {
      assert.deepEqual(JSON.parse((await c.request({ url: `${plain.url}/ping` })).text), { via: null });
      const warned = l.filter((x) => x.includes('is not an http(s) proxy address'));
      assert.equal(warned.length, 1, l.join('\n'));
      assert.match(warned[0]!, /"socks5:\/\/\[redacted\]@127\.0\.0\.1:1080"/);
    });
  });

  it('the CA list is parsed into one TLS context per settings, shared by direct and proxied connections', async () => {
    const { log } = lines();
    let contexts = 0;
    const router = new ProxyRouter({ ...base, proxy: open.url, noProxy: ['localhost'] }, { NODE_EXTRA_CA_CERTS: CERT_FILE }, log, undefined, (o) => {
      contexts++;
      return tls.createSecureContext(o);
    });
    const c = new UndiciHttpClient(log, undefined, router);
    try {
      const port = new URL(httpsUrl).port;
      for (let i = 0; i < 3; i++) {
        assert.equal((await c.request({ url: `${httpsUrl}/p${i}` })).status, 200); // through the proxy
        assert.equal((await c.request({ url: `https://localhost:${port}/d${i}` })).status, 200); // direct (noProxy)
      }
      assert.equal(contexts, 1);
      router.update({ ...base, proxy: open.url });
      assert.equal((await c.request({ url: `${httpsUrl}/again` })).status, 200);
      assert.equal(contexts, 2);
    } finally {
      await c.close();
    }
  });
});
