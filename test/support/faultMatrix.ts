// One fault matrix for every HTTP provider, run against its loopback fake through the real UndiciHttpClient: status
// mapping, Retry-After in both forms, timeouts, resets, broken bodies, schema drift, numbers as strings, and no
// secret in any error message. Each faultMatrix*.unit.test.ts file owns its fakes, a table of targets and the
// family's own extra tests, and calls describeFaultMatrix(targets, opts) for the common cases.
import { beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { ProviderError } from '../../src/core/errors';
import type { Account, ErrorKind } from '../../src/shared/model';
import type { FetchResult, ProviderDefinition } from '../../src/core/providers/types';
import type { FakeServer, Fault } from '../fakes/fakeServer';
import { testContext } from '../fakes/providerContext';

/** The fixed "now" every matrix fetch sees. */
export const NOW = Date.UTC(2026, 1, 10, 13, 41);

type Json = Record<string, unknown>;

export interface Target {
  name: string;
  provider: ProviderDefinition;
  fake: FakeServer;
  /** What the provider gets as ctx.secret: must never reach an error. */
  secret: string;
  /** Where one-shot faults are injected (the first request of a fetch, or one chosen to exercise a later call). */
  path: string | RegExp;
  /** Installs `payload` as what the secret sees (undefined → the default valid payload). */
  serve(payload?: Json): void;
  valid(): Json;
  withExtraFields(): Json;
  missingField: { payload(): Json; field: RegExp };
  mistypedField: { payload(): Json; field: RegExp };
  numbersAsStrings: { payload(): Json; check(r: FetchResult): void };
  /** An error body that echoes `secret` (the token, when there is one) the way a careless server might. */
  echo(secret: string): unknown;

  // --- per-family knobs ---------------------------------------------------------------------------------------
  /** Default: the fake's url. */
  baseUrl?(): string;
  settings?(): Account['settings'];
  /** 'credential-file' for providers whose secret is a credential read from another tool's files. */
  authKind?: string;
  /** The access token inside a credential secret: echoed by `echo`, and must never reach an error either. */
  token?: string;
  /** Where a provider maps 401/403 differently (default: auth / forbidden). */
  kinds?: { 401?: ErrorKind; 403?: ErrorKind };
  /** An error envelope served as a one-shot HTTP-200 fault, for APIs where that can happen → bad-response. */
  http200Envelope?: unknown;
  /** An error the API answers with HTTP 200 as its normal payload, with the kind and message it must become. */
  http200Error?: { payload(secret: string): Json; kind: ErrorKind; message: RegExp };
}

export interface FaultMatrixOptions {
  /** A leading test that the valid payload works: 'meters', or 'testConnection' (which also runs testConnection). */
  validCase?: 'meters' | 'testConnection';
  /** Run before every case (e.g. to reset a per-token rate-limit gate). */
  beforeEach?: () => void;
  /** How the echo tests name what is echoed (default 'secret'). */
  secretNoun?: 'secret' | 'token';
}

export interface FetchOptions {
  timeoutMs?: number;
  timeoutOnly?: (url: string) => boolean;
  signal?: AbortSignal;
}

function contextFor(target: Target, opts: FetchOptions = {}) {
  return testContext({
    providerId: target.provider.id,
    baseUrl: target.baseUrl?.() ?? target.fake.url,
    secret: target.secret,
    now: NOW,
    settings: target.settings?.() ?? {},
    ...(target.authKind !== undefined ? { authKind: target.authKind } : {}),
    ...opts,
  });
}

export async function fetchWith(target: Target, opts: FetchOptions = {}): Promise<FetchResult> {
  const t = contextFor(target, opts);
  try {
    return await target.provider.fetchSnapshot(t.ctx);
  } finally {
    await t.close();
  }
}

/** Neither the secret nor the token inside it appears in the error's message or its snapshot form. */
export function assertNoSecret(target: Target, err: ProviderError): void {
  for (const s of target.token !== undefined ? [target.token, target.secret] : [target.secret]) {
    assert.ok(!err.message.includes(s), `secret leaked: ${err.message}`);
    assert.ok(!JSON.stringify(err.toSnapshotError()).includes(s), `secret leaked into the snapshot error: ${err.message}`);
  }
}

export async function expectError(target: Target, kind: ErrorKind, opts: FetchOptions = {}): Promise<ProviderError> {
  try {
    await fetchWith(target, opts);
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    assert.equal(err.kind, kind, `kind (message: ${err.message})`);
    assertNoSecret(target, err);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

export function describeFaultMatrix(targets: readonly Target[], opts: FaultMatrixOptions = {}): void {
  const noun = opts.secretNoun ?? 'secret';
  for (const target of targets) {
    describe(`fault matrix: ${target.name}`, () => {
      if (opts.beforeEach) beforeEach(opts.beforeEach);
      const kind401 = target.kinds?.[401] ?? 'auth';
      const kind403 = target.kinds?.[403] ?? 'forbidden';
      const failOnce = (fault: Fault) => {
        target.fake.clearFaults().clearLog();
        target.serve();
        target.fake.fail(fault, { path: target.path });
      };

      if (opts.validCase === 'meters') {
        it('valid payload → meters', async () => {
          target.fake.clearFaults();
          target.serve();
          const r = await fetchWith(target);
          assert.ok(r.meters.length > 0);
        });
      } else if (opts.validCase === 'testConnection') {
        it('the valid payload works and testConnection succeeds', async () => {
          target.fake.clearFaults();
          target.serve();
          const r = await fetchWith(target);
          assert.ok(r.meters.length > 0);
          const t = contextFor(target);
          try {
            await target.provider.testConnection(t.ctx);
          } finally {
            await t.close();
          }
        });
      }

      it(`401 → ${kind401}`, async () => {
        failOnce({ status: 401 });
        const e = await expectError(target, kind401);
        assert.equal(e.status, 401);
      });

      it(`403 → ${kind403}`, async () => {
        failOnce({ status: 403 });
        const e = await expectError(target, kind403);
        assert.equal(e.status, 403);
      });

      it('404 → not-found', async () => {
        failOnce({ status: 404 });
        const e = await expectError(target, 'not-found');
        assert.equal(e.status, 404);
      });

      it('429 with Retry-After seconds → rate-limited, retryAt = now + seconds', async () => {
        failOnce({ retryAfterSeconds: 120 });
        const e = await expectError(target, 'rate-limited');
        assert.equal(e.status, 429);
        assert.equal(e.retryAt, NOW + 120_000);
      });

      it('429 with Retry-After HTTP-date → rate-limited, retryAt = that date', async () => {
        const at = new Date(Date.UTC(2026, 1, 10, 14, 30, 0));
        failOnce({ retryAfterDate: at });
        const e = await expectError(target, 'rate-limited');
        assert.equal(e.retryAt, at.getTime());
      });

      it('500 → server', async () => {
        failOnce({ status: 500 });
        const e = await expectError(target, 'server');
        assert.equal(e.status, 500);
      });

      it('503 with Retry-After → server with retryAt', async () => {
        failOnce({ status: 503, retryAfterSeconds: 30 });
        const e = await expectError(target, 'server');
        assert.equal(e.retryAt, NOW + 30_000);
      });

      it('no answer within the timeout → timeout', async () => {
        // The server never answers (until the fake stops): only the client's 150 ms timeout can end the request. The
        // bound tells it from the 30 s default without depending on how loaded the machine is.
        failOnce({ delayMs: 600_000 });
        const started = Date.now();
        await expectError(target, 'timeout', { timeoutMs: 150 });
        assert.ok(Date.now() - started < 20_000, 'the 150 ms timeout ended the request, not the default');
      });

      it('connection reset → network', async () => {
        failOnce({ resetConnection: true });
        await expectError(target, 'network');
      });

      it('malformed JSON → bad-response', async () => {
        failOnce({ malformed: true });
        const e = await expectError(target, 'bad-response');
        assert.match(e.message, /malformed JSON/i);
      });

      it('HTML error page with 502 → server, and the message says HTML', async () => {
        failOnce({ html: true });
        const e = await expectError(target, 'server');
        assert.equal(e.status, 502);
        assert.match(e.message, /HTML page/);
      });

      it('HTML page with HTTP 200 (captive portal) → bad-response', async () => {
        failOnce({ html: true, status: 200 });
        const e = await expectError(target, 'bad-response');
        assert.match(e.message, /HTML/);
      });

      if (target.http200Envelope !== undefined) {
        const envelope = target.http200Envelope;
        it('an error envelope with HTTP 200 → bad-response carrying the server message', async () => {
          failOnce({ status: 200, body: envelope });
          const e = await expectError(target, 'bad-response');
          assert.match(e.message, /error/i);
        });
      }

      it('aborting the context signal → cancelled', async () => {
        failOnce({ delayMs: 600_000 }); // never answers: only the abort can end the request
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 50);
        await expectError(target, 'cancelled', { signal: ac.signal });
      });

      it('extra unknown fields are tolerated', async () => {
        target.fake.clearFaults();
        target.serve(target.withExtraFields());
        const r = await fetchWith(target);
        assert.ok(r.meters.length > 0);
      });

      it('a missing required field is named in the error', async () => {
        target.fake.clearFaults();
        target.serve(target.missingField.payload());
        const e = await expectError(target, 'bad-response');
        assert.match(e.message, target.missingField.field);
      });

      it('a mistyped field is named in the error', async () => {
        target.fake.clearFaults();
        target.serve(target.mistypedField.payload());
        const e = await expectError(target, 'bad-response');
        assert.match(e.message, target.mistypedField.field);
      });

      it('numbers sent as strings are accepted', async () => {
        target.fake.clearFaults();
        target.serve(target.numbersAsStrings.payload());
        target.numbersAsStrings.check(await fetchWith(target));
      });

      it('one-shot faults clear: the next call succeeds', async () => {
        failOnce({ status: 500 });
        await expectError(target, 'server');
        const r = await fetchWith(target);
        assert.ok(r.meters.length > 0);
      });

      const h200 = target.http200Error;
      if (h200) {
        it('an error inside an HTTP-200 body → error with the vendor message, secret scrubbed', async () => {
          target.fake.clearFaults();
          target.serve(h200.payload(target.secret));
          const e = await expectError(target, h200.kind);
          assert.match(e.message, h200.message);
        });
      }

      for (const status of [400, 401, 403, 404, 429, 500, 502]) {
        it(`HTTP ${status} with a body echoing the ${noun}: the ${noun} never reaches the error`, async () => {
          target.fake.clearFaults().clearLog();
          target.serve();
          target.fake.fail({ status, body: target.echo(target.token ?? target.secret) }, { path: target.path });
          try {
            await fetchWith(target);
            assert.fail('expected an error');
          } catch (err) {
            assert.ok(err instanceof ProviderError, String(err));
            assertNoSecret(target, err);
          }
        });
      }
    });
  }
}
