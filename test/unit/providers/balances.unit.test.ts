// DeepSeek, Moonshot, SiliconFlow, xAI, Z.ai and MiniMax against their loopback fakes through the real
// UndiciHttpClient: exact meters on realistic payloads, each API's unit traps, HTTP-200 errors and testConnection.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { ProviderError } from '../../../src/core/errors';
import type { Account, ErrorKind, Meter } from '../../../src/shared/model';
import { deepSeekProvider, money, regionOf } from '../../../src/core/providers/deepseek';
import { MOONSHOT_REGIONS, moonshotProvider } from '../../../src/core/providers/moonshot';
import { siliconFlowProvider } from '../../../src/core/providers/siliconflow';
import { xaiBalanceUsd, xaiProvider } from '../../../src/core/providers/xai';
import { zaiProvider } from '../../../src/core/providers/zai';
import { miniMaxProvider, pickMiniMaxRow } from '../../../src/core/providers/minimax';
import type { ConnectionInfo, FetchResult, ProviderDefinition } from '../../../src/core/providers/types';
import { UNSUPPORTED, findUnsupported } from '../../../src/core/providers/unsupported';
import type { FakeServer } from '../../fakes/fakeServer';
import { DeepSeekFake, MiniMaxFake, MoonshotFake, SiliconFlowFake, XaiFake, ZaiFake } from '../../fakes/balanceFakes';
import { testContext } from '../../fakes/providerContext';
import {
  MINIMAX_INTERVAL_END,
  MINIMAX_WEEK_END,
  ZAI_RESET_5H,
  ZAI_RESET_MONTH,
  deepSeekBalance,
  deepSeekExhausted,
  deepSeekTwoCurrencies,
  miniMaxPercentOnly,
  miniMaxRemains,
  miniMaxRow,
  miniMaxStatus,
  moonshotBalance,
  moonshotInDebt,
  siliconFlowError,
  siliconFlowUser,
  xaiBalance,
  xaiUsage,
  zaiError,
  zaiQuota,
  zaiTokensLimit,
} from '../../builders/balances';

/** Tuesday 2026-02-10 13:41 UTC. */
const NOW = Date.UTC(2026, 1, 10, 13, 41);

interface RunOpts {
  settings?: Account['settings'];
  secret: string;
}

async function fetchFrom(p: ProviderDefinition, fake: FakeServer, o: RunOpts): Promise<{ r: FetchResult; lines: string[] }> {
  const t = testContext({ providerId: p.id, baseUrl: fake.url, secret: o.secret, now: NOW, settings: o.settings ?? {} });
  try {
    return { r: await p.fetchSnapshot(t.ctx), lines: t.lines };
  } finally {
    await t.close();
  }
}

async function connect(p: ProviderDefinition, fake: FakeServer, o: RunOpts): Promise<ConnectionInfo> {
  const t = testContext({ providerId: p.id, baseUrl: fake.url, secret: o.secret, now: NOW, settings: o.settings ?? {} });
  try {
    return await p.testConnection(t.ctx);
  } finally {
    await t.close();
  }
}

async function fetchError(p: ProviderDefinition, fake: FakeServer, o: RunOpts, kind: ErrorKind): Promise<ProviderError> {
  try {
    await fetchFrom(p, fake, o);
  } catch (err) {
    assert.ok(err instanceof ProviderError, String(err));
    assert.equal(err.kind, kind, err.message);
    assert.ok(!err.message.includes(o.secret), `secret leaked: ${err.message}`);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

function describesItself(p: ProviderDefinition, id: string, base: string, poll: [number, number]): void {
  assert.equal(p.id, id);
  assert.deepEqual([...p.authKinds], ['api-key']);
  assert.equal(p.defaultBaseUrl({ settings: {} }), base);
  assert.equal(p.defaultPollSeconds, poll[0]);
  assert.equal(p.minPollSeconds, poll[1]);
  assert.ok(p.icon && p.displayName && p.description && p.keyHint);
  assert.ok(p.endpoints.length > 0);
  const v = p.keyHint!.validate;
  assert.ok(v('').error);
  assert.ok(v('has space').error);
}

const off = { source: 'official', capturedAt: NOW } as const;
const undoc = { source: 'vendor-undocumented', capturedAt: NOW } as const;

describe('shared helpers', () => {
  it('money: two decimals, more below a cent, a real minus sign', () => {
    assert.equal(money(3.00001), '3.00');
    assert.equal(money(-5.5), '−5.50');
    assert.equal(money(0.0042, 'USD'), '0.0042 USD');
    assert.equal(money(0), '0.00');
  });
  it('regionOf falls back to the first region', () => {
    assert.equal(regionOf(MOONSHOT_REGIONS, { settings: {} }).value, 'global');
    assert.equal(regionOf(MOONSHOT_REGIONS, { settings: { region: 'CHINA' } }).value, 'china');
    assert.equal(regionOf(MOONSHOT_REGIONS, { settings: { region: 'mars' } }).value, 'global');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('deepseek provider', () => {
  const fake = new DeepSeekFake();
  const secret = 'sk-test-deepseek-000000000001';
  before(() => fake.start());
  after(() => fake.stop());

  it('describes itself', () => describesItself(deepSeekProvider, 'deepseek', 'https://api.deepseek.com', [600, 120]));

  it('one currency: strings become numbers, a balance meter without a percentage, Bearer auth', async () => {
    fake.addKey(secret, deepSeekBalance()).clearLog();
    const { r } = await fetchFrom(deepSeekProvider, fake, { secret });
    assert.deepEqual(r.meters, [
      { ...off, id: 'balance-cny', label: 'Balance', kind: 'balance', unit: 'CNY', remaining: 110, detail: 'granted 10.00 · topped-up 100.00' },
    ] satisfies Meter[]);
    assert.equal(fake.requestsTo(DeepSeekFake.PATH)[0]?.headers.authorization, `Bearer ${secret}`);
  });

  it('both currencies: one meter each, currency as reported', async () => {
    fake.addKey(secret, deepSeekTwoCurrencies());
    const { r } = await fetchFrom(deepSeekProvider, fake, { secret });
    assert.deepEqual(
      r.meters.map((m) => [m.id, m.label, m.unit, m.remaining, m.detail]),
      [
        ['balance-cny', 'Balance (CNY)', 'CNY', 110, 'granted 10.00 · topped-up 100.00'],
        ['balance-usd', 'Balance (USD)', 'USD', 5.25, 'granted 0.25 · topped-up 5.00'],
      ],
    );
  });

  it('is_available false: the detail says it cannot make calls; no made-up percentage', async () => {
    fake.addKey(secret, deepSeekExhausted());
    const { r } = await fetchFrom(deepSeekProvider, fake, { secret });
    assert.equal(r.meters[0]!.percentUsed, undefined);
    assert.equal(r.meters[0]!.limit, undefined);
    assert.deepEqual(r.meters, [
      { ...off, id: 'balance-cny', label: 'Balance', kind: 'balance', unit: 'CNY', remaining: 0, detail: 'cannot make calls · granted 0.00 · topped-up 0.00' },
    ] satisfies Meter[]);
  });

  it('an empty balance list gives no meter (never a fake 0)', async () => {
    fake.addKey(secret, deepSeekBalance({}, []));
    const { r } = await fetchFrom(deepSeekProvider, fake, { secret });
    assert.deepEqual(r.meters, []);
  });

  it('unknown key → auth with the DeepSeek message', async () => {
    const e = await fetchError(deepSeekProvider, fake, { secret: 'sk-test-unknown-key-0000' }, 'auth');
    assert.match(e.message, /Authentication Fails/);
  });

  it('testConnection succeeds (the API names no account)', async () => {
    fake.addKey(secret, deepSeekBalance());
    assert.deepEqual(await connect(deepSeekProvider, fake, { secret }), {});
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('moonshot provider', () => {
  const global = new MoonshotFake('global');
  const china = new MoonshotFake('china');
  const secret = 'sk-test-moonshot-000000000001';
  before(async () => {
    await global.start();
    await china.start();
  });
  after(async () => {
    await global.stop();
    await china.stop();
  });

  it('describes itself; the base URL follows the region', () => {
    describesItself(moonshotProvider, 'moonshot', 'https://api.moonshot.ai', [600, 120]);
    assert.equal(moonshotProvider.defaultBaseUrl({ settings: { region: 'china' } }), 'https://api.moonshot.cn');
    assert.equal(moonshotProvider.defaultBaseUrl({ settings: { region: 'global' } }), 'https://api.moonshot.ai');
    const f = moonshotProvider.accountFields?.find((x) => x.key === 'region');
    assert.equal(f?.kind, 'choice');
    assert.deepEqual(f?.choices?.map((c) => c.value), ['global', 'china']);
    assert.equal(f?.beforeKey, true, 'the key check needs the region');
  });

  it('global region: USD', async () => {
    global.addKey(secret, moonshotBalance());
    const { r } = await fetchFrom(moonshotProvider, global, { secret, settings: { region: 'global' } });
    assert.deepEqual(r.meters, [
      { ...off, id: 'balance', label: 'Available balance', kind: 'balance', unit: 'USD', remaining: 49.58894, detail: 'voucher 46.59 · cash 3.00' },
    ] satisfies Meter[]);
  });

  it('china region: the same payload is CNY', async () => {
    china.addKey(secret, moonshotBalance(), { region: 'china' });
    const { r } = await fetchFrom(moonshotProvider, china, { secret, settings: { region: 'china' } });
    assert.equal(r.meters[0]!.unit, 'CNY');
    assert.equal(r.meters[0]!.remaining, 49.58894);
  });

  it('negative cash is shown as a debt', async () => {
    global.addKey(secret, moonshotInDebt());
    const { r } = await fetchFrom(moonshotProvider, global, { secret, settings: { region: 'global' } });
    assert.equal(r.meters[0]!.remaining, 20);
    assert.equal(r.meters[0]!.detail, 'voucher 20.00 · cash −5.50 (debt)');
  });

  it('available balance at 0 says calls are blocked', async () => {
    global.addKey(secret, moonshotBalance({ available_balance: 0, voucher_balance: 0, cash_balance: 0 }));
    const { r } = await fetchFrom(moonshotProvider, global, { secret });
    assert.match(r.meters[0]!.detail!, /^calls are blocked/);
  });

  it('a key of the other region → auth, and the message explains region-bound keys', async () => {
    china.addKey(secret, moonshotBalance(), { region: 'global' });
    const e = await fetchError(moonshotProvider, china, { secret, settings: { region: 'china' } }, 'auth');
    assert.match(e.message, /region-bound/);
    assert.match(e.message, /China/);
  });

  it('an error code with HTTP 200 → bad-response', async () => {
    global.addKey(secret, { code: 5, data: null, scode: '0x5', status: false, message: 'internal' });
    const e = await fetchError(moonshotProvider, global, { secret }, 'bad-response');
    assert.match(e.message, /code 5/);
  });

  it('testConnection suggests a name with the region', async () => {
    china.addKey(secret, moonshotBalance(), { region: 'china' });
    assert.deepEqual(await connect(moonshotProvider, china, { secret, settings: { region: 'china' } }), { suggestedName: 'Moonshot (China)' });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('siliconflow provider', () => {
  const fake = new SiliconFlowFake();
  const secret = 'sk-test-siliconflow-0000000001';
  before(() => fake.start());
  after(() => fake.stop());

  it('describes itself; china is the default region', () => {
    describesItself(siliconFlowProvider, 'siliconflow', 'https://api.siliconflow.cn', [600, 120]);
    assert.equal(siliconFlowProvider.defaultBaseUrl({ settings: { region: 'global' } }), 'https://api.siliconflow.com');
  });

  it('china: CNY, strings become numbers, paid and gifted parts', async () => {
    fake.addKey(secret, siliconFlowUser());
    const { r } = await fetchFrom(siliconFlowProvider, fake, { secret, settings: { region: 'china' } });
    assert.deepEqual(r.meters, [{ ...off, id: 'balance', label: 'Balance', kind: 'balance', unit: 'CNY', remaining: 88.88, detail: 'paid 88.00 · gifted 0.88' }] satisfies Meter[]);
    assert.equal(r.identity, 'dev@example.com');
  });

  it('international: USD, flagged as unverified', async () => {
    fake.addKey(secret, siliconFlowUser());
    const { r } = await fetchFrom(siliconFlowProvider, fake, { secret, settings: { region: 'global' } });
    assert.equal(r.meters[0]!.unit, 'USD');
    assert.equal(r.meters[0]!.detail, 'paid 88.00 · gifted 0.88 · (currency unverified)');
  });

  it('a non-20000 code with HTTP 200 → error with the vendor message', async () => {
    fake.addKey(secret, siliconFlowError(30001, 'Account balance is insufficient'));
    const e = await fetchError(siliconFlowProvider, fake, { secret }, 'bad-response');
    assert.match(e.message, /code 30001/);
    assert.match(e.message, /Account balance is insufficient/);
  });

  it('testConnection: the e-mail is the suggested name', async () => {
    fake.addKey(secret, siliconFlowUser());
    assert.deepEqual(await connect(siliconFlowProvider, fake, { secret }), { suggestedName: 'dev@example.com', identity: 'dev@example.com' });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('xai provider', () => {
  const fake = new XaiFake();
  const secret = 'xai-test-management-key-000001';
  const team = 'team-0f1e2d3c';
  const settings = { teamId: team };
  before(() => fake.start());
  after(() => fake.stop());

  it('describes itself; team id is a required field', () => {
    describesItself(xaiProvider, 'xai', 'https://management-api.x.ai', [3600, 900]);
    const f = xaiProvider.accountFields?.find((x) => x.key === 'teamId');
    assert.equal(f?.required, true);
    assert.equal(f?.kind, 'text');
    assert.equal(f?.beforeKey, true, 'the key check needs the team id');
  });

  it('the ledger is negated cents: "-1000" is $10.00', () => {
    assert.equal(xaiBalanceUsd({ total: { val: -1000 } }), 10);
    assert.equal(xaiBalanceUsd({ total: { val: 2550 } }), -25.5);
    assert.equal(xaiBalanceUsd({ total: {} }), 0);
  });

  it('balance and spend today: exact meters, the analytics request of the reference', async () => {
    fake.clearLog().addKey(secret, { teamId: team, balance: xaiBalance('-1000'), usage: xaiUsage([1.23]) });
    const { r } = await fetchFrom(xaiProvider, fake, { secret, settings });
    assert.deepEqual(r.meters, [
      { ...off, id: 'balance', label: 'Prepaid balance', kind: 'balance', unit: 'USD', remaining: 10, detail: 'posted ledger · excludes spend not yet posted this cycle' },
      { ...off, id: 'spend-today', label: 'Spent today', kind: 'spend', unit: 'USD', used: 1.23, detail: 'current UTC day' },
    ] satisfies Meter[]);
    assert.equal(r.identity, `team ${team}`);
    const usageReq = fake.requestsTo(XaiFake.USAGE, 'POST')[0]!;
    assert.equal(usageReq.headers.authorization, `Bearer ${secret}`);
    assert.deepEqual(JSON.parse(usageReq.body), {
      analyticsRequest: {
        timeRange: { startTime: '2026-02-10 00:00:00', endTime: '2026-02-10 13:41:00', timezone: 'Etc/GMT' },
        timeUnit: 'TIME_UNIT_DAY',
        values: [{ name: 'usd', aggregation: 'AGGREGATION_SUM' }],
        groupBy: [],
        filters: [],
      },
    });
    assert.equal(fake.requestsTo(XaiFake.BALANCE)[0]?.path, `/v1/billing/teams/${team}/prepaid/balance`);
  });

  it('limitReached marks the spend as partial; several points are summed', async () => {
    fake.addKey(secret, { teamId: team, balance: xaiBalance('-250'), usage: xaiUsage([1, '0.25'], true) });
    const { r } = await fetchFrom(xaiProvider, fake, { secret, settings });
    assert.equal(r.meters[0]!.remaining, 2.5);
    assert.equal(r.meters[1]!.used, 1.25);
    assert.match(r.meters[1]!.detail!, /partial/);
  });

  it('an empty analytics answer (proto3 omits empty lists) is $0 spent; a positive ledger is a debt', async () => {
    fake.addKey(secret, { teamId: team, balance: xaiBalance('2550'), usage: {} });
    const { r } = await fetchFrom(xaiProvider, fake, { secret, settings });
    assert.equal(r.meters[0]!.remaining, -25.5);
    assert.match(r.meters[0]!.detail!, /debt/);
    assert.equal(r.meters[1]!.used, 0);
  });

  it('a failing usage call only drops the spend meter, with a warning', async () => {
    fake.addKey(secret, { teamId: team, balance: xaiBalance('-1000'), usage: xaiUsage() });
    fake.fail({ status: 500 }, { path: XaiFake.USAGE });
    const { r, lines } = await fetchFrom(xaiProvider, fake, { secret, settings });
    assert.deepEqual(r.meters.map((m) => m.id), ['balance']);
    assert.ok(lines.some((l) => l.startsWith('warn') && l.includes("today's spend")));
  });

  it('an inference key → auth, and the message asks for a management key', async () => {
    fake.addKey(secret, { teamId: team, balance: xaiBalance(), inference: true });
    const e = await fetchError(xaiProvider, fake, { secret, settings }, 'auth');
    assert.match(e.message, /management key/);
    assert.match(e.message, /inference/);
  });

  it('a 403 also says a management key is needed', async () => {
    fake.addKey(secret, { teamId: team, balance: xaiBalance() });
    fake.fail({ status: 403 }, { path: XaiFake.BALANCE });
    const e = await fetchError(xaiProvider, fake, { secret, settings }, 'forbidden');
    assert.match(e.message, /management key/);
  });

  it('a wrong team id → not-found naming the team', async () => {
    fake.addKey(secret, { teamId: team, balance: xaiBalance() });
    const e = await fetchError(xaiProvider, fake, { secret, settings: { teamId: 'other-team' } }, 'not-found');
    assert.match(e.message, /team "other-team"/);
  });

  it('no team id → config error without a request', async () => {
    fake.clearLog();
    await fetchError(xaiProvider, fake, { secret, settings: {} }, 'config');
    assert.equal(fake.requests.length, 0);
  });

  it('testConnection: a name from the team id', async () => {
    fake.addKey(secret, { teamId: team, balance: xaiBalance() });
    assert.deepEqual(await connect(xaiProvider, fake, { secret, settings }), { suggestedName: 'xAI team team-0f1…', identity: `team ${team}` });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('zai provider', () => {
  const fake = new ZaiFake();
  const secret = 'zai-test-key-0000000000000001.abcdef';
  before(() => fake.start());
  after(() => fake.stop());

  it('describes itself; the base URL follows the region', () => {
    describesItself(zaiProvider, 'zai', 'https://api.z.ai', [300, 120]);
    assert.equal(zaiProvider.defaultBaseUrl({ settings: { region: 'china' } }), 'https://open.bigmodel.cn');
    assert.equal(zaiProvider.endpoints[0]?.official, false);
  });

  it('5-hour tokens (percentage = USED) and monthly MCP calls; resets in epoch ms; plan name', async () => {
    fake.clearLog().addKey(secret, zaiQuota());
    const { r } = await fetchFrom(zaiProvider, fake, { secret });
    assert.deepEqual(r.meters, [
      // The window's length (unit × number) or calendar period rides along for the pace engine.
      { ...undoc, id: 'tokens-5h', label: '5-hour tokens', kind: 'quota', unit: '%', percentUsed: 34, resetsAt: ZAI_RESET_5H, windowMs: 5 * 3_600_000 },
      {
        ...undoc,
        id: 'mcp-monthly',
        label: 'Monthly tool calls (MCP)',
        kind: 'quota',
        unit: 'calls',
        limit: 1000,
        used: 120,
        remaining: 880,
        percentUsed: 12,
        resetsAt: ZAI_RESET_MONTH,
        detail: 'search-prime 100, web-reader 20',
        period: 'month',
      },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'GLM Coding Pro');
    assert.equal(fake.requestsTo(ZaiFake.PATH)[0]?.headers.authorization, `Bearer ${secret}`);
  });

  it('other windows get generic labels; unknown unit codes say so; seconds are tolerated', async () => {
    fake.addKey(
      secret,
      zaiQuota([
        zaiTokensLimit({ unit: 6, number: 1, percentage: 50 }),
        zaiTokensLimit({ unit: 9, number: 2, percentage: 7, nextResetTime: 1770733800 }),
        { type: 'CREDIT_LIMIT', unit: 1, number: 30, usage: 500, currentValue: 125, remaining: 375, percentage: 25 },
        { type: 'TOKENS_LIMIT', unit: 3, number: 5 },
        // 30 minutes cannot be a window whose reset is 49 minutes away: the length is not stated.
        zaiTokensLimit({ unit: 5, number: 30, percentage: 3 }),
      ]),
    );
    const { r } = await fetchFrom(zaiProvider, fake, { secret });
    assert.deepEqual(
      r.meters.map((m) => [m.id, m.label, m.unit, m.kind, m.percentUsed, m.resetsAt, m.detail, m.windowMs]),
      [
        ['tokens-1week', '1-week tokens', '%', 'quota', 50, ZAI_RESET_5H, 'window length from unverified unit codes', 7 * 86_400_000],
        ['tokens-9-2', 'Tokens limit', '%', 'quota', 7, ZAI_RESET_5H, 'window 2 × unit code 9', undefined],
        ['credit-30day', '30-day credits', 'credits', 'credits', 25, undefined, 'window length from unverified unit codes', 30 * 86_400_000],
        ['tokens-30minute', '30-minute tokens', '%', 'quota', 3, ZAI_RESET_5H, 'window length from unverified unit codes', undefined],
      ],
    );
    assert.equal(r.meters[2]!.remaining, 375);
  });

  it('success:false with HTTP 200 → error carrying msg', async () => {
    fake.addKey(secret, zaiError(500, 'Internal error, please retry'));
    const e = await fetchError(zaiProvider, fake, { secret }, 'bad-response');
    assert.match(e.message, /Internal error, please retry/);
  });

  it('an authentication code with HTTP 200 → auth', async () => {
    fake.addKey(secret, zaiError(1001, 'Authorization header missing'));
    await fetchError(zaiProvider, fake, { secret }, 'auth');
  });

  it('code ≠ 200 with success missing is an error too', async () => {
    fake.addKey(secret, { code: 500, msg: 'busy' });
    await fetchError(zaiProvider, fake, { secret }, 'bad-response');
  });

  it('an unknown key → HTTP 401 → auth', async () => {
    await fetchError(zaiProvider, fake, { secret: 'zai-unknown-key-000000000' }, 'auth');
  });

  it('testConnection: plan name', async () => {
    fake.addKey(secret, zaiQuota());
    assert.deepEqual(await connect(zaiProvider, fake, { secret }), { plan: 'GLM Coding Pro', suggestedName: 'GLM Coding Pro' });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('minimax provider', () => {
  const fake = new MiniMaxFake();
  const secret = 'sk-cp-test-minimax-00000000001';
  before(() => fake.start());
  after(() => fake.stop());

  const expected: Meter[] = [
    { ...undoc, id: 'interval', label: '5-hour window', kind: 'quota', unit: 'prompts', limit: 300, remaining: 255, used: 45, percentUsed: 15, resetsAt: MINIMAX_INTERVAL_END, detail: 'model MiniMax-M2', windowMs: 5 * 3_600_000 },
    { ...undoc, id: 'weekly', label: 'Weekly', kind: 'quota', unit: 'prompts', limit: 3000, remaining: 2400, used: 600, percentUsed: 20, resetsAt: MINIMAX_WEEK_END, detail: 'model MiniMax-M2', windowMs: 7 * 86_400_000 },
  ];

  it('describes itself; region base URLs; the key hint warns on a non coding-plan key', () => {
    describesItself(miniMaxProvider, 'minimax', 'https://api.minimax.io', [300, 120]);
    assert.equal(miniMaxProvider.defaultBaseUrl({ settings: { region: 'china' } }), 'https://api.minimaxi.com');
    assert.ok(miniMaxProvider.keyHint!.validate('sk-api-123').warning);
    assert.deepEqual(miniMaxProvider.keyHint!.validate('sk-cp-123'), {});
  });

  it('picks the MiniMax-M row; *_usage_count is REMAINING (not used)', async () => {
    fake.clearLog().addKey(secret, miniMaxRemains());
    const { r } = await fetchFrom(miniMaxProvider, fake, { secret });
    assert.deepEqual(r.meters, expected);
    assert.equal(r.plan, 'Coding Plan');
    assert.equal(fake.requestsTo(MiniMaxFake.PATH)[0]?.headers.authorization, `Bearer ${secret}`);
  });

  it('the payload wrapped in `data` gives the same meters', async () => {
    fake.addKey(secret, miniMaxRemains(undefined, { wrapped: true }));
    const { r } = await fetchFrom(miniMaxProvider, fake, { secret });
    assert.deepEqual(r.meters, expected);
  });

  it('totals of 0 (international): percentages only, no counts', async () => {
    fake.addKey(secret, miniMaxPercentOnly());
    const { r } = await fetchFrom(miniMaxProvider, fake, { secret });
    assert.deepEqual(
      r.meters.map((m) => [m.id, m.unit, m.percentUsed, m.limit, m.remaining, m.used]),
      [
        ['interval', '%', 40, undefined, undefined, undefined],
        ['weekly', '%', 10, undefined, undefined, undefined],
      ],
    );
  });

  it('without end_time the reset comes from remains_time; without a percent the counts decide', async () => {
    fake.addKey(secret, miniMaxRemains([miniMaxRow({ end_time: null, start_time: null, current_interval_remaining_percent: null, current_weekly_total_count: 0, current_weekly_remaining_percent: null })]));
    const { r } = await fetchFrom(miniMaxProvider, fake, { secret });
    assert.equal(r.meters.length, 1);
    const m = r.meters[0]!;
    assert.equal(m.label, '5-hour window');
    assert.equal(m.windowMs, 5 * 3_600_000, 'the plan\'s window when no start and end are reported');
    assert.equal(m.resetsAt, NOW + 11_940_000);
    assert.equal(m.remaining, 255);
    assert.equal(m.percentUsed, 15);
  });

  it('pickMiniMaxRow falls back to the first row', () => {
    assert.equal(pickMiniMaxRow([{ model_name: 'x' }, { model_name: 'y' }])?.model_name, 'x');
    assert.equal(pickMiniMaxRow([{ model_name: 'speech' }, { model_name: 'general-coding' }])?.model_name, 'general-coding');
    assert.equal(pickMiniMaxRow([]), undefined);
  });

  it('base_resp 1004 (HTTP 200) → auth: no active coding plan', async () => {
    fake.addKey(secret, miniMaxStatus(1004, 'login fail'));
    const e = await fetchError(miniMaxProvider, fake, { secret }, 'auth');
    assert.match(e.message, /no active coding plan/);
  });

  it('an unknown key gets 1004 from the fake → auth', async () => {
    await fetchError(miniMaxProvider, fake, { secret: 'sk-cp-unknown-000000000' }, 'auth');
  });

  it('another status code → error with status_msg; 1002 → rate-limited; wrapped base_resp is read too', async () => {
    fake.addKey(secret, miniMaxStatus(2013, 'invalid params'));
    const e = await fetchError(miniMaxProvider, fake, { secret }, 'bad-response');
    assert.match(e.message, /code 2013/);
    assert.match(e.message, /invalid params/);
    fake.addKey(secret, miniMaxStatus(1002, 'rate limit'));
    await fetchError(miniMaxProvider, fake, { secret }, 'rate-limited');
    fake.addKey(secret, { data: miniMaxStatus(1004, 'no plan') });
    await fetchError(miniMaxProvider, fake, { secret }, 'auth');
  });

  it('testConnection: plan and a region name', async () => {
    fake.addKey(secret, miniMaxRemains());
    assert.deepEqual(await connect(miniMaxProvider, fake, { secret, settings: { region: 'global' } }), { plan: 'Coding Plan', suggestedName: 'MiniMax (Global)' });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('unsupported providers list', () => {
  it('covers every seed name without a usable signal, each with a reason and the nearest signal', () => {
    const names = UNSUPPORTED.map((u) => u.name);
    for (const n of ['Cohere', 'Mistral', 'Together AI', 'Replicate', 'Tabnine', 'Codeium / Windsurf', 'LangSmith', 'AutoGPT', 'CrewAI', 'Groq', 'Google AI Studio (Gemini API key)', 'Perplexity', 'Fireworks AI']) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
    assert.equal(new Set(names).size, names.length);
    for (const u of UNSUPPORTED) {
      assert.ok(u.reason.length > 10 && u.nearest.length > 5, u.name);
    }
  });

  it('findUnsupported matches loosely', () => {
    assert.equal(findUnsupported('groq')?.name, 'Groq');
    assert.equal(findUnsupported('Windsurf')?.name, 'Codeium / Windsurf');
    assert.equal(findUnsupported('gemini')?.name, 'Google AI Studio (Gemini API key)');
    assert.match(findUnsupported('groq')!.nearest, /OpenAI-compatible/);
    assert.match(findUnsupported('fireworks')!.nearest, /^not yet/);
    assert.equal(findUnsupported(''), undefined);
    assert.equal(findUnsupported('deepseek'), undefined);
  });
});
