// GitHub device flow (real @octokit/auth-oauth-device + undici fetch) against the loopback GitHub fake.
// Each test has its own fake so the tests can run concurrently: octokit waits `interval + 7` s after `slow_down`
// and that wait cannot be shortened, so the slow_down test alone takes ~7 s.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { startDeviceFlow, type DeviceVerification } from '../../../src/core/auth/deviceFlow';
import { ProviderError } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/log';
import { copilotProvider } from '../../../src/core/providers/copilot';
import { GitHubFake, type GitHubFakeOptions } from '../../fakes/githubFake';
import { testContext } from '../../fakes/providerContext';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { nullLogger } from '../../../src/core/log';

const CLIENT_ID = 'Ov-fake-client-id-0001';

async function withFake<T>(opts: GitHubFakeOptions, fn: (gh: GitHubFake) => Promise<T>): Promise<T> {
  const gh = new GitHubFake({ clientId: CLIENT_ID, ...opts });
  await gh.start();
  try {
    return await fn(gh);
  } finally {
    await gh.stop();
  }
}

function collectingLogger(lines: string[]): Logger {
  const push = (m: string) => void lines.push(m);
  return { trace: push, debug: push, info: push, warn: push, error: push };
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected ProviderError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('GitHub device flow', { concurrency: true }, () => {
  it('pending → slow_down → success: token and scopes returned, octokit honours slow_down, nothing secret logged', async () => {
    await withFake({ deviceInterval: 0 }, async (gh) => {
      gh.scriptNextDeviceFlow(['pending', 'slow_down', 'success']);
      const lines: string[] = [];
      const seen: DeviceVerification[] = [];
      const result = await startDeviceFlow({
        clientId: CLIENT_ID,
        scopes: ['read:user'],
        oauthBaseUrl: `${gh.oauthBaseUrl}/`,
        onVerification: (v) => void seen.push(v),
        log: collectingLogger(lines),
      });
      const code = gh.deviceCodes[0]!;
      assert.equal(result.token, code.token);
      assert.match(result.token, /^gho_fake_device_token_/);
      assert.deepEqual(result.scopes, ['read:user']);
      assert.deepEqual(seen, [{ userCode: code.userCode, verificationUri: `${gh.url}/login/device`, expiresIn: 900 }]);
      assert.equal(code.scope, 'read:user');

      const polls = gh.requestsTo('/login/oauth/access_token');
      assert.equal(polls.length, 3);
      assert.ok(polls[2]!.at - polls[1]!.at >= 6_900, `slow_down must add ~7 s (was ${polls[2]!.at - polls[1]!.at} ms)`);
      for (const p of polls) assert.match(String(p.headers.accept), /application\/json/);

      const all = lines.join('\n');
      for (const secret of [code.deviceCode, code.userCode, result.token]) assert.ok(!all.includes(secret), `log leaked ${secret}`);

      // The issued token is accepted by /copilot_internal/user.
      const t = testContext({ providerId: 'copilot', baseUrl: gh.apiBaseUrl, secret: result.token });
      const info = await copilotProvider.testConnection(t.ctx);
      await t.close();
      assert.equal(info.suggestedName, 'octo-device');
    });
  });

  it('approval from the harness (approveDeviceCode) ends the polling with a token', async () => {
    await withFake({ deviceInterval: 1 }, async (gh) => {
      const result = await startDeviceFlow({
        clientId: CLIENT_ID,
        oauthBaseUrl: gh.oauthBaseUrl,
        onVerification: (v) => {
          setTimeout(() => gh.approveDeviceCode(v.userCode), 300);
        },
      });
      assert.match(result.token, /^gho_fake_device_token_/);
      assert.deepEqual(result.scopes, []);
      // The interval is kept between polls (a loaded machine only makes the gaps longer, never shorter).
      const polls = gh.requestsTo('/login/oauth/access_token');
      assert.ok(polls.length >= 1, 'polled until approved');
      for (let i = 1; i < polls.length; i++) assert.ok(polls[i]!.at - polls[i - 1]!.at >= 950, `poll ${i} came ${polls[i]!.at - polls[i - 1]!.at} ms after the previous one`);
    });
  });

  it('approval over HTTP (POST /_fake/device/approve) for a harness in another process', async () => {
    await withFake({ deviceInterval: 1 }, async (gh) => {
      const http = new UndiciHttpClient(nullLogger);
      const result = await startDeviceFlow({
        clientId: CLIENT_ID,
        oauthBaseUrl: gh.oauthBaseUrl,
        onVerification: async () => {
          const res = await http.request({ method: 'POST', url: `${gh.url}/_fake/device/approve`, body: '' });
          assert.equal(res.status, 200);
        },
      });
      await http.close();
      assert.equal(result.token, gh.deviceCodes[0]?.token);
    });
  });

  it('expired_token → auth error telling the user to start again', async () => {
    await withFake({ deviceInterval: 0 }, async (gh) => {
      gh.scriptNextDeviceFlow(['pending', 'expired_token']);
      const e = await rejection(startDeviceFlow({ clientId: CLIENT_ID, oauthBaseUrl: gh.oauthBaseUrl, onVerification: () => undefined }));
      assert.equal(e.kind, 'auth');
      assert.match(e.message, /expired/);
      assert.match(e.message, /start again/);
      assert.equal(gh.requestsTo('/login/oauth/access_token').length, 2);
    });
  });

  it('access_denied (user cancelled on GitHub) → auth error "denied"', async () => {
    await withFake({ deviceInterval: 0 }, async (gh) => {
      const e = await rejection(
        startDeviceFlow({ clientId: CLIENT_ID, oauthBaseUrl: gh.oauthBaseUrl, onVerification: () => void gh.denyDeviceCode() }),
      );
      assert.equal(e.kind, 'auth');
      assert.match(e.message, /Authorization was denied/);
    });
  });

  it('other OAuth errors carry their code', async () => {
    await withFake({ deviceInterval: 0 }, async (gh) => {
      gh.scriptNextDeviceFlow(['incorrect_device_code']);
      const e = await rejection(startDeviceFlow({ clientId: CLIENT_ID, oauthBaseUrl: gh.oauthBaseUrl, onVerification: () => undefined }));
      assert.match(e.message, /incorrect_device_code/);
    });
  });

  it('an unknown client id is reported as a configuration problem (HTTP 200 error on /login/device/code)', async () => {
    await withFake({}, async (gh) => {
      let called = false;
      const e = await rejection(startDeviceFlow({ clientId: 'wrong-client', oauthBaseUrl: gh.oauthBaseUrl, onVerification: () => void (called = true) }));
      assert.equal(e.kind, 'config');
      assert.match(e.message, /incorrect_client_credentials/);
      assert.equal(called, false);
    });
  });

  it('cancel while polling: rejects promptly with cancelled and stops polling', async () => {
    // A 5 s interval: "promptly" means long before octokit's pending wait ends, which a loaded machine cannot blur.
    await withFake({ deviceInterval: 5 }, async (gh) => {
      const ac = new AbortController();
      let abortedAt = 0;
      const p = startDeviceFlow({
        clientId: CLIENT_ID,
        oauthBaseUrl: gh.oauthBaseUrl,
        signal: ac.signal,
        onVerification: () => {
          // Abort once the first poll has reached the server (none is in flight then: octokit waits 5 s for the next).
          const check = setInterval(() => {
            if (gh.requestsTo('/login/oauth/access_token').length === 0) return;
            clearInterval(check);
            abortedAt = Date.now();
            ac.abort();
          }, 10);
        },
      });
      const e = await rejection(p);
      assert.equal(e.kind, 'cancelled');
      assert.ok(Date.now() - abortedAt < 3000, `rejected promptly, not after the 5 s wait (${Date.now() - abortedAt} ms)`);
      const pollsAtCancel = gh.requestsTo('/login/oauth/access_token').length;
      // octokit's pending 5 s wait runs out after the abort; its next poll must not reach the server.
      await new Promise((r) => setTimeout(r, 5500));
      assert.equal(gh.requestsTo('/login/oauth/access_token').length, pollsAtCancel);
    });
  });

  it('an already-aborted signal rejects without any request', async () => {
    await withFake({}, async (gh) => {
      const ac = new AbortController();
      ac.abort();
      const e = await rejection(startDeviceFlow({ clientId: CLIENT_ID, oauthBaseUrl: gh.oauthBaseUrl, signal: ac.signal, onVerification: () => undefined }));
      assert.equal(e.kind, 'cancelled');
      assert.equal(gh.requests.length, 0);
    });
  });

  it('a server error on /login/device/code maps to a server error', async () => {
    await withFake({}, async (gh) => {
      gh.fail({ status: 503 }, { path: '/login/device/code' });
      const e = await rejection(startDeviceFlow({ clientId: CLIENT_ID, oauthBaseUrl: gh.oauthBaseUrl, onVerification: () => undefined }));
      assert.equal(e.kind, 'server');
    });
  });

  it('the fake answers form-encoded without Accept: application/json, and accepts form bodies', async () => {
    await withFake({}, async (gh) => {
      const http = new UndiciHttpClient(nullLogger);
      const res = await http.request({
        method: 'POST',
        url: `${gh.url}/login/device/code`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `client_id=${CLIENT_ID}&scope=read%3Auser`,
      });
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /x-www-form-urlencoded/);
      const form = new URLSearchParams(res.text);
      assert.equal(form.get('device_code')?.length, 40);
      assert.match(form.get('user_code') ?? '', /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      const poll = await http.request({
        method: 'POST',
        url: `${gh.url}/login/oauth/access_token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: `client_id=${CLIENT_ID}&device_code=${form.get('device_code')}&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code`,
      });
      await http.close();
      assert.equal(poll.status, 200);
      assert.equal(JSON.parse(poll.text).error, 'authorization_pending');
    });
  });
});

describe('the verification address GitHub returns is opened only when it is GitHub’s own https page', () => {
  // Each builds the hostile address from the fake's own URL (http://127.0.0.1:PORT).
  const hostile: Array<(fakeUrl: string) => string> = [
    () => 'https://evil.example/login/device',
    () => 'https://github.com.evil.example/login/device',
    () => 'javascript:alert(document.cookie)',
    () => 'file:///etc/passwd',
    () => 'command:workbench.action.terminal.new',
    () => 'vscode://vscode.git/clone?url=https://evil.example/repo',
    (u) => `http://127.0.0.1:${Number(new URL(u).port) + 1}/login/device`,
    (u) => `${u.replace('://', '://user:pw@')}/login/device`,
    () => '',
    () => 'not a url',
  ];

  it('refuses every hostile address before anyone sees it, and nothing is polled after', async () => {
    for (const make of hostile) {
      await withFake({ deviceInterval: 0, verificationUri: make }, async (gh) => {
        const seen: DeviceVerification[] = [];
        const err = await rejection(startDeviceFlow({ clientId: CLIENT_ID, oauthBaseUrl: gh.oauthBaseUrl, onVerification: (v) => void seen.push(v) }));
        const uri = make(gh.url);
        assert.equal(err.kind, 'bad-response', `${uri}: ${err.message}`);
        assert.match(err.message, /not opened/);
        assert.deepEqual(seen, [], `${uri} never reaches the UI`);
        assert.equal(gh.deviceCodes.length, 1, 'the code was requested');
        assert.equal(gh.deviceCodes[0]!.polls, 0, 'no token poll follows a refused address');
      });
    }
  });

  it('accepts GitHub’s own pages (github.com, a GHE host) and a loopback fake’s own origin', async () => {
    const { checkVerificationUri } = await import('../../../src/core/auth/verificationUri');
    assert.equal(checkVerificationUri('https://github.com/login/device', 'https://github.com'), 'https://github.com/login/device');
    assert.equal(checkVerificationUri('https://GitHub.com/login/device', 'https://github.com'), 'https://github.com/login/device');
    assert.equal(checkVerificationUri('https://octo.ghe.com/login/device', 'https://octo.ghe.com'), 'https://octo.ghe.com/login/device');
    assert.equal(checkVerificationUri('http://127.0.0.1:4000/login/device', 'http://127.0.0.1:4000'), 'http://127.0.0.1:4000/login/device');
    for (const bad of ['http://github.com/login/device', 'https://api.github.com.evil.example/', 'https://octo.ghe.com/login/device', 'https://x@github.com/login/device', 42, undefined, `https://github.com/${'a'.repeat(3000)}`]) {
      assert.throws(() => checkVerificationUri(bad, 'https://github.com'), /not opened/, String(bad).slice(0, 60));
    }
  });
});
