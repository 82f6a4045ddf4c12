// Hostile-input suite, provider part: every provider with a loopback fake, against every way a server can answer
// hostile (fakeServer.ts HostileMode: overflowing numbers, lone surrogates, HTML, a 100 MB body, a trickling body, a
// redirect to another host), through the real fetch path (createFetcher → UndiciHttpClient → provider → scheduler →
// model boundary). Each case polls once well, then once hostile, and checks: no crash, no unhandled rejection, the
// right state (error kind / schema problem / last good value kept), and no key in the error, the log or the snapshot.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createFetcher } from '../../../src/core/fetcher';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import type { Logger } from '../../../src/core/log';
import { meterIdProblem, meterNumberProblem, type Account, type Snapshot } from '../../../src/shared/model';
import { PollScheduler } from '../../../src/core/scheduler/scheduler';
import { InMemorySnapshotStore } from '../../fakes/memoryStores';
import { AlwaysLeader } from '../../fakes/alwaysLeader';
import { resetClaudeRateLimitGate } from '../../../src/core/providers/claude';
import { FakeClock, flushMicrotasks } from '../../fakes/fakeClock';
import { FakeServer, HOSTILE_MODES, type HostileMode } from '../../fakes/fakeServer';
import { GitHubFake } from '../../fakes/githubFake';
import { OpenRouterFake } from '../../fakes/openRouterFake';
import { OpenAIFake } from '../../fakes/openAIFake';
import { AnthropicFake } from '../../fakes/anthropicFake';
import { LiteLLMFake } from '../../fakes/liteLLMFake';
import { ClaudeFake } from '../../fakes/claudeFake';
import { CodexFake } from '../../fakes/codexFake';
import { GeminiFake } from '../../fakes/geminiFake';
import { CursorAdminFake, DeepSeekFake, HuggingFaceFake, MiniMaxFake, MoonshotFake, SiliconFlowFake, XaiFake, ZaiFake } from '../../fakes/balanceFakes';
import { copilotPaid } from '../../builders/copilot';
import { orKey } from '../../builders/openrouter';
import { oaCostDays, oaCostResult, oaModel, oaUsageDays, oaUsageResult } from '../../builders/openai';
import { anCostResult, anDays, anUsageResult } from '../../builders/anthropic';
import { llKeyInfo } from '../../builders/litellm';
import { claudeUsage } from '../../builders/claude';
import { CODEX_ACCOUNT_ID, codexUsage } from '../../builders/codex';
import { geminiQuota } from '../../builders/gemini';
import { cursorSpend, deepSeekBalance, hfBilling, hfWhoami, miniMaxRemains, moonshotBalance, siliconFlowUser, xaiBalance, xaiUsage, zaiQuota } from '../../builders/balances';

const NOW = Date.UTC(2026, 1, 10, 13, 41);
const FEB1 = Date.UTC(2026, 1, 1);
const REQUEST_TIMEOUT_MS = 5_000;
/** The client's timeout for the trickling body: small, so the case ends on the client's own timer. */
const SLOW_TIMEOUT_MS = 300;

/** One provider: its fake, its credential (and the keys inside it that must never show), how to serve it well. */
interface Target {
  provider: string;
  fake: FakeServer;
  baseUrl(): string;
  secret: string;
  /** Every string that must never appear anywhere (the secret and any token inside it). */
  keys: string[];
  authKind?: string;
  settings?(): Account['settings'];
  serve(): void;
}

const gh = new GitHubFake();
const or = new OpenRouterFake();
const oa = new OpenAIFake();
const an = new AnthropicFake();
const ll = new LiteLLMFake();
const cuo = new OpenAIFake();
const cf = new ClaudeFake();
const cx = new CodexFake();
const gf = new GeminiFake();
const ds = new DeepSeekFake();
const mo = new MoonshotFake('global');
const sf = new SiliconFlowFake();
const xa = new XaiFake();
const za = new ZaiFake();
const mm = new MiniMaxFake();
const hf = new HuggingFaceFake();
const cu = new CursorAdminFake();
/** The host a redirect points at: it must never be contacted. */
const elsewhere = new FakeServer();

const bearer = (provider: string, fake: FakeServer, secret: string, serve: (secret: string) => void, extra: Partial<Target> = {}): Target => ({
  provider,
  fake,
  baseUrl: () => fake.url,
  secret,
  keys: [secret],
  serve: () => serve(secret),
  ...extra,
});

const credentialFile = (provider: string, fake: FakeServer & { baseUrl: string }, token: string, credential: Record<string, unknown>, serve: (token: string) => void): Target => ({
  provider,
  fake,
  baseUrl: () => fake.baseUrl,
  secret: JSON.stringify({ accessToken: token, ...credential }),
  keys: [token],
  authKind: 'credential-file',
  serve: () => serve(token),
});

const TARGETS: readonly Target[] = [
  bearer('copilot', gh, 'gho_hostile_test_token_0000000001', (s) => gh.addToken(s, { copilot: copilotPaid() }), { authKind: 'github-session' }),
  bearer('openrouter', or, `sk-or-v1-hostile-test-${'0'.repeat(48)}`, (s) => or.addKey(s, orKey()), { baseUrl: () => or.baseUrl }),
  bearer('openai', oa, 'sk-admin-hostile-test-000000000000000000000000', (s) =>
    oa.addAdminKey(s, { usage: oaUsageDays(FEB1 / 1000, NOW, () => [oaUsageResult()]), costs: oaCostDays(FEB1 / 1000, NOW, () => [oaCostResult(0.5)]) }), { baseUrl: () => oa.baseUrl }),
  bearer('anthropic', an, 'sk-ant-admin01-hostile-test-0000000000000000000000', (s) =>
    an.addAdminKey(s, { usage: anDays(FEB1, NOW, () => [anUsageResult()]), costs: anDays(FEB1, NOW, () => [anCostResult('1234.5')]) })),
  bearer('litellm', ll, 'sk-litellm-hostile-test-0000000000000000', (s) => ll.addKey(s, { keyInfo: llKeyInfo() }), { settings: () => ({ baseUrl: ll.url }) }),
  bearer('custom-openai', cuo, 'sk-custom-hostile-test-00000000000000000', (s) =>
    cuo.addInferenceKey(s, { models: ['m1', 'm2'], modelsReply: { json: { object: 'list', data: [oaModel('m1'), oaModel('m2')] } } }), {
    baseUrl: () => cuo.baseUrl,
    settings: () => ({ baseUrl: cuo.baseUrl, rateLimitProbe: 'on' }),
  }),
  credentialFile('claude', cf, 'sk-ant-oat01-hostile-test-token-000000001', { expiresAt: NOW + 3600_000, scopes: ['user:profile'], subscriptionType: 'pro' }, (t) => cf.addToken(t, { usage: claudeUsage() })),
  credentialFile('codex', cx, 'eyJhbGciOiJub25lIn0.eyJob3N0aWxlIjoidGVzdCJ9.hostiletestsignature00', { accountId: CODEX_ACCOUNT_ID }, (t) => cx.addToken(t, { usage: codexUsage(), accountId: CODEX_ACCOUNT_ID })),
  credentialFile('gemini-cli', gf, 'ya29.hostile-test-token-0000000000000000', { expiresAt: NOW + 3600_000, email: 'dev@example.com' }, (t) => gf.addToken(t, { quota: geminiQuota() })),
  bearer('deepseek', ds, 'sk-hostile-test-deepseek-000000000000', (s) => ds.addKey(s, deepSeekBalance())),
  bearer('moonshot', mo, 'sk-hostile-test-moonshot-000000000000', (s) => mo.addKey(s, moonshotBalance(), { region: 'global' }), { settings: () => ({ region: 'global' }) }),
  bearer('siliconflow', sf, 'sk-hostile-test-siliconflow-0000000000', (s) => sf.addKey(s, siliconFlowUser()), { settings: () => ({ region: 'china' }) }),
  bearer('xai', xa, 'xai-hostile-test-management-000000000000', (s) => xa.addKey(s, { teamId: 'team-test', balance: xaiBalance('-1000'), usage: xaiUsage([2]) }), { settings: () => ({ teamId: 'team-test' }) }),
  bearer('zai', za, `${'0'.repeat(32)}.hostiletest00000`, (s) => za.addKey(s, zaiQuota())),
  bearer('minimax', mm, 'sk-cp-hostile-test-minimax-0000000000', (s) => mm.addKey(s, miniMaxRemains())),
  bearer('huggingface', hf, 'hf_hostiletest000000000000000000000', (s) => hf.addKey(s, { whoami: hfWhoami(), billing: hfBilling() })),
  bearer('cursor-admin', cu, 'crsr_hostiletest00000000000000000000', (s) => cu.addKey(s, [cursorSpend()])),
];

const FAKES = [...new Set(TARGETS.map((t) => t.fake)), elsewhere];

/** What each mode must end in, beyond the checks every case makes. */
type Expect = (snap: Snapshot, good: Snapshot) => void;


/** The hostile poll was refused as a whole: the last good meters are shown with the error. */
const refusedWhole = (kind: string, message?: RegExp): Expect => (snap, good) => {
  assert.equal(snap.status, 'stale', JSON.stringify(snap.error));
  assert.equal(snap.error?.kind, kind, snap.error?.message);
  if (message) assert.match(snap.error!.message, message);
  assert.deepEqual(snap.meters, good.meters, 'last good meters kept');
  assert.equal(snap.lastSuccessAt, good.lastSuccessAt);
};

/** Numbers: refused as a whole (schema problem), or per meter (schema problem, last good kept), or usable values. */
const numbersHandled: Expect = (snap, good) => {
  assert.ok(snap.status === 'ok' || snap.status === 'stale', snap.status);
  if (snap.status === 'stale') {
    refusedWhole('bad-response')(snap, good);
    return;
  }
  for (const m of snap.meters) {
    assert.equal(meterNumberProblem(m, 'built'), undefined, `${m.id}: ${JSON.stringify(m)}`);
    if (m.problem) {
      assert.equal(m.problem.kind, 'bad-response');
      const last = good.meters.find((g) => g.id === m.id);
      if (last) assert.deepEqual({ ...m, problem: undefined, label: last.label }, { ...last, problem: undefined }, 'last good value kept');
      else assert.equal(m.used ?? m.limit ?? m.remaining ?? m.percentUsed, undefined, 'no previous reading: unknown, never 0');
    }
  }
};

const surrogatesHandled: Expect = (snap, good) => {
  if (snap.status === 'stale') refusedWhole('bad-response')(snap, good);
  else if (snap.status === 'auth-required') {
    // The server itself refused what it was sent back (Gemini: its own project id, now with a lone surrogate, is
    // "permission denied"): an HTTP answer, mapped as such, with the last good meters kept.
    assert.ok(snap.error?.status === 401 || snap.error?.status === 403, JSON.stringify(snap.error));
    assert.deepEqual(snap.meters, good.meters);
  } else assert.equal(snap.status, 'ok');
  for (const m of snap.meters) {
    assert.equal(meterIdProblem(m.id), undefined, JSON.stringify(m.id));
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(`${m.label}${m.unit}${m.detail ?? ''}`), JSON.stringify(m));
  }
  assert.doesNotThrow(() => encodeURIComponent(JSON.stringify(snap)));
};

const EXPECT: Record<HostileMode, Expect> = {
  'overflow-literal': numbersHandled,
  'overflow-string': numbersHandled,
  'max-double': numbersHandled,
  negative: numbersHandled,
  'nan-string': numbersHandled,
  'lone-surrogate': surrogatesHandled,
  html: refusedWhole('bad-response', /HTML page instead of JSON/),
  'huge-body': refusedWhole('bad-response', /larger than/),
  'slow-body': refusedWhole('timeout'),
  redirect: refusedWhole('bad-response', /HTTP 302/),
};

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
let tried = 0;
const outcomes = new Map<string, number>();

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  for (const f of FAKES) await f.start();
});

after(async () => {
  process.off('unhandledRejection', onUnhandled);
  for (const f of FAKES) await f.stop();
  console.log(`hostile inputs tried: ${tried}`);
  console.log(`hostile outcomes: ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}`);
});

/** One poll through the real fetch path; returns the snapshot, the log lines and the error text. */
async function pollTwice(target: Target, mode: HostileMode): Promise<{ good: Snapshot; snap: Snapshot; lines: string[] }> {
  const lines: string[] = [];
  const collect = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  const log: Logger = { trace: collect('trace'), debug: collect('debug'), info: collect('info'), warn: collect('warn'), error: collect('error') };
  const clock = new FakeClock(NOW);
  const http = new UndiciHttpClient(log);
  const account: Account = {
    id: `hostile-${target.provider}`,
    providerId: target.provider,
    name: 'hostile test',
    createdAt: 0,
    authKind: target.authKind ?? 'api-key',
    settings: target.settings?.() ?? {},
  };
  /** The short timeout is for the trickling body only: the good poll before it gets the normal one (a loaded machine). */
  let hostileNow = false;
  const fetch = createFetcher({
    getAccount: (id) => (id === account.id ? account : undefined),
    credentials: { resolve: async () => target.secret },
    endpoints: () => ({ [target.provider]: target.baseUrl() }),
    http,
    clock,
    log,
    requestTimeoutMs: () => (hostileNow && mode === 'slow-body' ? SLOW_TIMEOUT_MS : REQUEST_TIMEOUT_MS),
  });
  const scheduler = new PollScheduler({ clock, log, random: () => 0.5, fetch, intervalMs: () => 3_600_000, store: new InMemorySnapshotStore(), lease: new AlwaysLeader() });
  const settle = async (): Promise<void> => {
    await scheduler.whenIdle();
    await flushMicrotasks();
  };
  try {
    target.fake.clearFaults();
    target.serve();
    resetClaudeRateLimitGate();
    scheduler.setAccounts([account.id]);
    await settle();
    const good = scheduler.getSnapshot(account.id)!;
    assert.equal(good?.status, 'ok', `the good poll failed: ${JSON.stringify(good?.error)}`);
    assert.ok(good.meters.length > 0, 'the good poll has meters');

    await clock.advanceAsync(60_000);
    resetClaudeRateLimitGate();
    target.fake.hostile(mode, { redirectTo: elsewhere.url });
    hostileNow = true;
    const r = await scheduler.refresh(account.id);
    await settle();
    assert.equal(r.outcome, 'fetched');
    return { good, snap: scheduler.getSnapshot(account.id)!, lines };
  } finally {
    target.fake.clearFaults();
    scheduler.dispose();
    await http.close();
  }
}

for (const target of TARGETS) {
  describe(`hostile server: ${target.provider}`, () => {
    for (const mode of HOSTILE_MODES) {
      it(mode, async () => {
        tried++;
        const { good, snap, lines } = await pollTwice(target, mode);
        EXPECT[mode](snap, good);
        const kind = snap.status === 'ok' ? (snap.meters.some((m) => m.problem) ? 'meter-problem' : 'ok') : `${snap.status}:${snap.error?.kind}`;
        outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
        // No key anywhere: the error text, the log, the snapshot.
        const places = { error: snap.error?.message ?? '', log: lines.join('\n'), snapshot: JSON.stringify(snap) };
        for (const key of target.keys) {
          for (const [where, text] of Object.entries(places)) assert.ok(!text.includes(key), `the key reached the ${where}: ${text.slice(0, 500)}`);
        }
        assert.equal(elsewhere.requests.length, 0, 'the redirect target was contacted');
        assert.deepEqual(unhandled, [], 'unhandled rejection');
      });
    }
  });
}
