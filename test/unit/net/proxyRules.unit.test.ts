// The pure rules of src/core/net/proxy.ts: which proxy a request URL takes (VS Code's order: http.proxy, then
// https_proxy/HTTPS_PROXY/http_proxy/HTTP_PROXY; http.noProxy else NO_PROXY; loopback direct unless the proxy is on
// loopback too), the CA list (Node's roots + the Linux bundle + NODE_EXTRA_CA_CERTS), and redaction of proxy URLs.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { bypasses, caCertificates, chooseProxy, parseProxyUrl, proxyAuthorization, proxyLabel, withoutCredentials, type NetSettings } from '../../../src/core/net/proxy';
import { redact } from '../../../src/core/redact';

const on: NetSettings = { strictSSL: true, support: 'override', systemCertificates: true };
const via = (url: string, s: NetSettings, env: Record<string, string> = {}) => chooseProxy(url, s, env)?.url.href;

describe('chooseProxy', () => {
  it('http.proxy wins over the environment; the environment applies when the setting is empty', () => {
    assert.equal(via('https://openrouter.ai/api/v1/key', { ...on, proxy: 'http://corp:3128' }, { HTTPS_PROXY: 'http://env:8080' }), 'http://corp:3128/');
    assert.equal(chooseProxy('https://openrouter.ai/', { ...on, proxy: 'http://corp:3128' }, {})?.source, 'http.proxy');
    assert.equal(via('https://openrouter.ai/', { ...on, proxy: '  ' }, { HTTPS_PROXY: 'http://env:8080' }), 'http://env:8080/');
    assert.equal(chooseProxy('https://openrouter.ai/', on, { HTTPS_PROXY: 'http://env:8080' })?.source, 'environment');
    // VS Code's order of variables: lower case first, https before http (for every target scheme).
    assert.equal(via('https://a.example/', on, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }), 'http://lower:1/');
    assert.equal(via('https://a.example/', on, { HTTP_PROXY: 'http://plain:3' }), 'http://plain:3/');
    assert.equal(via('https://a.example/', on, {}), undefined);
  });

  it('http.proxySupport "off" sends everything direct', () => {
    assert.equal(via('https://a.example/', { ...on, support: 'off', proxy: 'http://corp:3128' }, { HTTPS_PROXY: 'http://env:1' }), undefined);
    for (const support of ['on', 'fallback', 'override'] as const) assert.equal(via('https://a.example/', { ...on, support, proxy: 'corp:3128' }), 'http://corp:3128/');
  });

  it('http.noProxy replaces NO_PROXY when it has entries', () => {
    const env = { HTTPS_PROXY: 'http://env:1', NO_PROXY: 'example.com' };
    assert.equal(via('https://api.example.com/', on, env), undefined);
    assert.equal(via('https://api.example.com/', { ...on, noProxy: ['other.org'] }, env), 'http://env:1/');
    assert.equal(via('https://x.other.org/', { ...on, noProxy: ['other.org'] }, env), undefined);
    assert.equal(via('https://api.example.com/', { ...on, noProxy: [' '] }, env), undefined, 'blank entries: NO_PROXY still applies');
    assert.equal(via('https://api.example.com/', on, { HTTPS_PROXY: 'http://env:1', no_proxy: '*' }), undefined);
  });

  it('loopback targets: direct through a remote proxy, proxied through a loopback proxy', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:9', '[::1]:9']) {
      assert.equal(via(`http://${host}/x`, { ...on, proxy: 'http://corp.example:3128' }), undefined, host);
      assert.equal(via(`http://${host}/x`, { ...on, proxy: 'http://127.0.0.1:8888' }), 'http://127.0.0.1:8888/', host);
    }
    assert.equal(via('http://127.0.0.1:8080/x', on, { HTTPS_PROXY: 'http://corp:1' }), undefined);
    assert.equal(via('http://127.0.0.1:8080/x', { ...on, proxy: 'http://localhost:8888', noProxy: ['127.0.0.1'] }), undefined);
  });

  it('parses proxy addresses; unsupported schemes and garbage are ignored', () => {
    assert.equal(parseProxyUrl('corp:3128')?.href, 'http://corp:3128/');
    assert.equal(parseProxyUrl('https://corp:443')?.protocol, 'https:');
    assert.equal(parseProxyUrl('socks5://corp:1080'), undefined);
    assert.equal(parseProxyUrl('http://'), undefined);
    assert.equal(parseProxyUrl(''), undefined);
    assert.equal(via('https://a.example/', { ...on, proxy: 'socks5://corp:1080' }, { HTTPS_PROXY: 'http://env:1' }), 'http://env:1/');
  });
});

describe('bypasses (no_proxy entries)', () => {
  it('host, domain suffix, leading dot or *., port, *', () => {
    assert.equal(bypasses(['example.com'], 'example.com', '443'), true);
    assert.equal(bypasses(['example.com'], 'API.Example.com', '443'), true);
    assert.equal(bypasses(['example.com'], 'notexample.com', '443'), false);
    assert.equal(bypasses(['.example.com'], 'a.example.com', '443'), true);
    assert.equal(bypasses(['*.example.com'], 'a.example.com', '443'), true);
    assert.equal(bypasses(['example.com:8443'], 'example.com', '443'), false);
    assert.equal(bypasses(['example.com:8443'], 'example.com', '8443'), true);
    assert.equal(bypasses(['[::1]:9'], '[::1]', '9'), true);
    assert.equal(bypasses(['*'], 'anything', '1'), true);
    assert.equal(bypasses([], 'anything', '1'), false);
  });
});

describe('proxy credentials', () => {
  const u = new URL('http://us%40er:p%3Ass@corp:3128');
  it('become a Basic Proxy-Authorization; the URL given to undici and the label carry none', () => {
    assert.equal(proxyAuthorization(u), `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    assert.equal(proxyAuthorization(new URL('http://corp:3128')), undefined);
    assert.equal(withoutCredentials(u).href, 'http://corp:3128/');
    assert.equal(proxyLabel(u), 'corp:3128');
    assert.equal(proxyLabel(new URL('http://corp')), 'corp:80');
  });
  it('redact() removes user:password@ from any URL in a log line', () => {
    assert.equal(redact('proxy http://alice:pw@corp:3128/ failed'), 'proxy http://[redacted]@corp:3128/ failed');
    assert.equal(redact('via https://tok@corp.example'), 'via https://[redacted]@corp.example');
    assert.equal(redact('mail alice@example.com'), 'mail alice@example.com');
  });
});

describe('caCertificates', () => {
  const A = '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----';
  const B = '-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----';
  const C = '-----BEGIN CERTIFICATE-----\nCCC\n-----END CERTIFICATE-----';
  const files: Record<string, string> = { '/etc/ssl/certs/ca-bundle.crt': `${B}\n`, '/tmp/extra.pem': `junk\n${C}\n` };
  const src = (platform: NodeJS.Platform) => ({
    platform,
    rootCertificates: [A],
    readFile: (p: string) => {
      if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return files[p]!;
    },
  });
  it("nothing to add: undefined (Node's default list stays)", () => {
    assert.equal(caCertificates({ systemCertificates: false }, {}, src('linux')), undefined);
    assert.equal(caCertificates({ systemCertificates: true }, {}, src('darwin')), undefined);
  });
  it('Linux with http.systemCertificates: Node roots + the first bundle found', () => {
    assert.deepEqual(caCertificates({ systemCertificates: true }, {}, src('linux')), [A, B]);
  });
  it('a certificate already in the list (other line breaks) is not added twice', () => {
    const A2 = A.replace(/\n/g, '\r\n');
    const one = { ...src('linux'), readFile: () => `${A2}\n${B}` };
    assert.deepEqual(caCertificates({ systemCertificates: true }, {}, one), [A, B]);
  });
  it('NODE_EXTRA_CA_CERTS is added (an explicit list replaces the default, which had it)', () => {
    assert.deepEqual(caCertificates({ systemCertificates: false }, { NODE_EXTRA_CA_CERTS: '/tmp/extra.pem' }, src('win32')), [A, C]);
    assert.deepEqual(caCertificates({ systemCertificates: true }, { NODE_EXTRA_CA_CERTS: '/tmp/extra.pem' }, src('linux')), [A, B, C]);
    const said: string[] = [];
    assert.equal(caCertificates({ systemCertificates: false }, { NODE_EXTRA_CA_CERTS: '/missing.pem' }, { ...src('linux'), log: (m) => void said.push(m) }), undefined);
    assert.match(said.join('\n'), /cannot be read \(ENOENT\)/);
  });
});
