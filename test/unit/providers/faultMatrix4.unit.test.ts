// The fault matrix for the balance and coding-plan providers (DeepSeek, Moonshot, SiliconFlow, xAI, Z.ai, MiniMax,
// Hugging Face, Cursor Admin) against their loopback fakes through the real UndiciHttpClient: status mapping,
// Retry-After in both forms, timeouts, resets, broken bodies, HTTP-200 errors, schema drift, and no secret in any
// error message. Same pattern as faultMatrix.unit.test.ts.
import { after, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { deepSeekProvider } from '../../../src/core/providers/deepseek';
import { moonshotProvider } from '../../../src/core/providers/moonshot';
import { siliconFlowProvider } from '../../../src/core/providers/siliconflow';
import { xaiProvider } from '../../../src/core/providers/xai';
import { zaiProvider } from '../../../src/core/providers/zai';
import { miniMaxProvider } from '../../../src/core/providers/minimax';
import { huggingFaceProvider } from '../../../src/core/providers/huggingface';
import { cursorAdminProvider } from '../../../src/core/providers/cursorAdmin';
import type { FakeServer } from '../../fakes/fakeServer';
import { CursorAdminFake, DeepSeekFake, HuggingFaceFake, MiniMaxFake, MoonshotFake, SiliconFlowFake, XaiFake, ZaiFake } from '../../fakes/balanceFakes';
import {
  cursorMember,
  cursorSpend,
  deepSeekBalance,
  deepSeekInfo,
  hfBilling,
  hfWhoami,
  miniMaxRemains,
  miniMaxRow,
  miniMaxStatus,
  moonshotBalance,
  siliconFlowError,
  siliconFlowUser,
  xaiBalance,
  xaiUsage,
  zaiError,
  zaiMcpLimit,
  zaiQuota,
  zaiTokensLimit,
} from '../../builders/balances';
import { describeFaultMatrix, type Target } from '../../support/faultMatrix';

const ds = new DeepSeekFake();
const mo = new MoonshotFake('global');
const sf = new SiliconFlowFake();
const xa = new XaiFake();
const za = new ZaiFake();
const mm = new MiniMaxFake();
const hf = new HuggingFaceFake();
const cu = new CursorAdminFake();
const FAKES: FakeServer[] = [ds, mo, sf, xa, za, mm, hf, cu];

const deepseek: Target = {
  name: 'deepseek',
  provider: deepSeekProvider,
  fake: ds,
  secret: 'sk-matrix-deepseek-0000000000000000',
  path: DeepSeekFake.PATH,
  serve(p) {
    ds.addKey(this.secret, p ?? this.valid());
  },
  valid: () => deepSeekBalance(),
  withExtraFields: () => deepSeekBalance({ new_flag: { a: [1] } }, [deepSeekInfo({ frozen_balance: '1.00', extra: null })]),
  missingField: { payload: () => ({ is_available: true }), field: /balance_infos/ },
  mistypedField: { payload: () => deepSeekBalance({}, [deepSeekInfo({ total_balance: 'lots' })]), field: /balance_infos\[0\]\.total_balance/ },
  numbersAsStrings: {
    payload: () => deepSeekBalance({ is_available: 'true' }, [deepSeekInfo({ total_balance: ' 110.5 ', granted_balance: '0.5' })]),
    check: (r) => {
      assert.equal(r.meters[0]?.remaining, 110.5);
      assert.equal(r.meters[0]?.detail, 'granted 0.50 · topped-up 100.00');
    },
  },
  echo: (s) => ({ error: { message: `Authentication Fails (key ${s})`, type: 'authentication_error', code: 'invalid_request_error' } }),
};

const moonshot: Target = {
  name: 'moonshot',
  provider: moonshotProvider,
  fake: mo,
  secret: 'sk-matrix-moonshot-0000000000000000',
  path: MoonshotFake.PATH,
  settings: () => ({ region: 'global' }),
  serve(p) {
    mo.addKey(this.secret, p ?? this.valid(), { region: 'global' });
  },
  valid: () => moonshotBalance(),
  withExtraFields: () => moonshotBalance({ frozen_balance: 1, nested: { x: [] } }, { trace_id: 'abc' }),
  missingField: { payload: () => moonshotBalance({ available_balance: undefined }), field: /data\.available_balance/ },
  mistypedField: { payload: () => moonshotBalance({ voucher_balance: 'plenty' }), field: /data\.voucher_balance/ },
  numbersAsStrings: {
    payload: () => moonshotBalance({ available_balance: '49.5', voucher_balance: '46.5', cash_balance: '3' }, { code: '0' }),
    check: (r) => {
      assert.equal(r.meters[0]?.remaining, 49.5);
      assert.equal(r.meters[0]?.detail, 'voucher 46.50 · cash 3.00');
    },
  },
  echo: (s) => ({ error: { message: `Invalid Authentication: ${s}`, type: 'invalid_authentication_error', code: 401 } }),
  http200Error: { payload: (s) => ({ code: 7, status: false, message: `request rejected for ${s}`, data: null }), kind: 'bad-response', message: /code 7/ },
};

const siliconflow: Target = {
  name: 'siliconflow',
  provider: siliconFlowProvider,
  fake: sf,
  secret: 'sk-matrix-siliconflow-00000000000000',
  path: SiliconFlowFake.PATH,
  settings: () => ({ region: 'china' }),
  serve(p) {
    sf.addKey(this.secret, p ?? this.valid());
  },
  valid: () => siliconFlowUser(),
  withExtraFields: () => siliconFlowUser({ vip: { level: 3 }, extra: [1, 2] }, { requestId: 'r-1' }),
  missingField: { payload: () => siliconFlowUser({ totalBalance: undefined }), field: /data\.totalBalance/ },
  mistypedField: { payload: () => siliconFlowUser({ chargeBalance: 'abc' }), field: /data\.chargeBalance/ },
  numbersAsStrings: {
    payload: () => siliconFlowUser({ totalBalance: '12.34', chargeBalance: '12', balance: '0.34' }, { code: '20000' }),
    check: (r) => assert.equal(r.meters[0]?.remaining, 12.34),
  },
  echo: (s) => ({ code: 20401, message: `Invalid token ${s}`, data: null }),
  http200Error: { payload: (s) => siliconFlowError(30011, `key ${s} is disabled`), kind: 'bad-response', message: /code 30011.*disabled/ },
};

const xai: Target = {
  name: 'xai',
  provider: xaiProvider,
  fake: xa,
  secret: 'xai-matrix-management-0000000000000',
  path: XaiFake.BALANCE,
  settings: () => ({ teamId: 'team-matrix' }),
  serve(p) {
    xa.addKey(this.secret, { teamId: 'team-matrix', balance: p ?? this.valid(), usage: xaiUsage([2]) });
  },
  valid: () => xaiBalance('-1000'),
  withExtraFields: () => xaiBalance('-1000', { changes: [{ amount: { val: '-500' }, kind: 'TOPUP' }], total: { val: '-1000', currency: 'USD' } }),
  missingField: { payload: () => ({ changes: [] }), field: /total/ },
  mistypedField: { payload: () => xaiBalance('minus ten'), field: /total\.val/ },
  numbersAsStrings: {
    payload: () => xaiBalance(' -1234 '),
    check: (r) => {
      assert.equal(r.meters[0]?.remaining, 12.34);
      assert.equal(r.meters[1]?.used, 2);
    },
  },
  echo: (s) => ({ code: 'Unauthenticated', error: `Incorrect API key provided: ${s}` }),
};

const zai: Target = {
  name: 'zai',
  provider: zaiProvider,
  fake: za,
  secret: 'zai-matrix-key-00000000000000.abcdefg',
  path: ZaiFake.PATH,
  serve(p) {
    za.addKey(this.secret, p ?? this.valid());
  },
  valid: () => zaiQuota(),
  withExtraFields: () => zaiQuota([zaiTokensLimit({ brandNew: true }), zaiMcpLimit({ usageDetails: [{ modelCode: 'x', usage: 1, extra: {} }] })], { extra: { nested: 1 } }),
  missingField: { payload: () => zaiQuota(undefined, { limits: undefined }), field: /data\.limits/ },
  mistypedField: { payload: () => zaiQuota([zaiTokensLimit({ percentage: 'high' })]), field: /data\.limits\[0\]\.percentage/ },
  numbersAsStrings: {
    payload: () => ({ ...zaiQuota([zaiTokensLimit({ unit: '3', number: '5', percentage: '34', nextResetTime: '1770733800000' })]), code: '200' }),
    check: (r) => {
      assert.equal(r.meters[0]?.id, 'tokens-5h');
      assert.equal(r.meters[0]?.percentUsed, 34);
      assert.equal(r.meters[0]?.resetsAt, 1770733800000);
    },
  },
  echo: (s) => ({ code: 401, msg: `token ${s} expired`, message: `token ${s} expired`, success: false }),
  http200Error: { payload: (s) => zaiError(500, `failure for ${s}`), kind: 'bad-response', message: /code 500.*failure/ },
};

const minimax: Target = {
  name: 'minimax',
  provider: miniMaxProvider,
  fake: mm,
  secret: 'sk-cp-matrix-minimax-00000000000000',
  path: MiniMaxFake.PATH,
  serve(p) {
    mm.addKey(this.secret, p ?? this.valid());
  },
  valid: () => miniMaxRemains(),
  withExtraFields: () => ({ ...miniMaxRemains([miniMaxRow({ brand_new: [1], interval_boost_permill: 150 })]), trace_id: 't-1' }),
  missingField: { payload: () => ({ base_resp: { status_code: 0, status_msg: 'success' } }), field: /model_remains/ },
  mistypedField: { payload: () => miniMaxRemains([miniMaxRow({ current_interval_remaining_percent: 'most' })]), field: /model_remains\[0\]\.current_interval_remaining_percent/ },
  numbersAsStrings: {
    payload: () => miniMaxRemains([miniMaxRow({ current_interval_total_count: '300', current_interval_usage_count: '255', current_interval_remaining_percent: '85', end_time: '1770742800000' })]),
    check: (r) => {
      assert.equal(r.meters[0]?.limit, 300);
      assert.equal(r.meters[0]?.remaining, 255);
      assert.equal(r.meters[0]?.percentUsed, 15);
      assert.equal(r.meters[0]?.resetsAt, 1770742800000);
    },
  },
  echo: (s) => ({ base_resp: { status_code: 1004, status_msg: `invalid api key ${s}` } }),
  http200Error: { payload: (s) => miniMaxStatus(2049, `invalid api key ${s}`), kind: 'bad-response', message: /code 2049/ },
};

const huggingface: Target = {
  name: 'huggingface',
  provider: huggingFaceProvider,
  fake: hf,
  secret: 'hf_matrixtoken00000000000000000000',
  path: HuggingFaceFake.WHOAMI,
  serve(p) {
    hf.addKey(this.secret, { whoami: p ?? this.valid(), billing: hfBilling() });
  },
  valid: () => hfWhoami(),
  withExtraFields: () => hfWhoami({ brandNew: { a: 1 }, orgs: [{ weird: true }] }),
  missingField: {
    payload: () => {
      const w = hfWhoami();
      delete w.name;
      return w;
    },
    field: /response\.name/,
  },
  mistypedField: { payload: () => hfWhoami({ isPro: 'maybe' }), field: /response\.isPro/ },
  numbersAsStrings: {
    payload: () => hfWhoami({ periodEnd: '1772323200', isPro: 'true' }),
    check: (r) => {
      assert.equal(r.plan, 'Pro · postpaid');
      assert.equal(r.meters[0]?.used, 1.234);
    },
  },
  echo: (s) => ({ error: `Invalid credentials in Authorization header (${s})` }),
};

const cursor: Target = {
  name: 'cursor-admin',
  provider: cursorAdminProvider,
  fake: cu,
  secret: 'crsr_matrix0000000000000000000000000',
  path: CursorAdminFake.PATH,
  serve(p) {
    cu.addKey(this.secret, p ?? this.valid());
  },
  valid: () => cursorSpend(),
  withExtraFields: () => cursorSpend({ brandNew: 1 }, [cursorMember({ brand_new: { x: 1 } })]),
  missingField: { payload: () => ({ subscriptionCycleStart: 1769904000000 }), field: /teamMemberSpend/ },
  mistypedField: { payload: () => cursorSpend({}, [cursorMember({ spendCents: 'ten dollars' })]), field: /teamMemberSpend\[0\]\.spendCents/ },
  numbersAsStrings: {
    payload: () => cursorSpend({ subscriptionCycleStart: '1769904000000', totalMembers: '1' }, [cursorMember({ spendCents: '1250' })]),
    check: (r) => {
      assert.equal(r.meters[0]?.used, 12.5);
      assert.equal(r.meters[0]?.detail, '1 member · cycle since 2026-02-01');
    },
  },
  echo: (s) => ({ error: `Unauthorized: ${s}` }),
};

const TARGETS = [deepseek, moonshot, siliconflow, xai, zai, minimax, huggingface, cursor];

before(async () => {
  for (const f of FAKES) await f.start();
});
after(async () => {
  for (const f of FAKES) await f.stop();
});

describeFaultMatrix(TARGETS, { validCase: 'testConnection' });
