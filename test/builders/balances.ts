// Payload builders for the balance and coding-plan providers (provider-apis.md §7.1–7.3, §7.9, §7.12–7.15).
// Values are synthetic. Every builder returns the COMPLETE response body (envelope included) and takes shallow
// overrides; the fakes in test/fakes/balanceFakes.ts serve them as they are.

export type Json = Record<string, unknown>;

// --- DeepSeek (§7.1): amounts are strings --------------------------------------------------------------------------

export function deepSeekInfo(overrides: Json = {}): Json {
  return { currency: 'CNY', total_balance: '110.00', granted_balance: '10.00', topped_up_balance: '100.00', ...overrides };
}

/** One CNY entry: 110.00 = 10.00 granted + 100.00 topped up. */
export function deepSeekBalance(overrides: Json = {}, infos: Json[] = [deepSeekInfo()]): Json {
  return { is_available: true, balance_infos: infos, ...overrides };
}

/** Both currencies, as the doc allows. */
export function deepSeekTwoCurrencies(): Json {
  return deepSeekBalance({}, [deepSeekInfo(), deepSeekInfo({ currency: 'USD', total_balance: '5.25', granted_balance: '0.25', topped_up_balance: '5.00' })]);
}

/** An exhausted account: `is_available: false`, 0.00 left. */
export function deepSeekExhausted(): Json {
  return deepSeekBalance({ is_available: false }, [deepSeekInfo({ total_balance: '0.00', granted_balance: '0.00', topped_up_balance: '0.00' })]);
}

// --- Moonshot / Kimi (§7.2): floats, no currency field ------------------------------------------------------------

export function moonshotBalance(data: Json = {}, overrides: Json = {}): Json {
  return { code: 0, data: { available_balance: 49.58894, voucher_balance: 46.58893, cash_balance: 3.00001, ...data }, scode: '0x0', status: true, ...overrides };
}

/** Cash in debt: available = voucher. */
export function moonshotInDebt(): Json {
  return moonshotBalance({ available_balance: 20, voucher_balance: 20, cash_balance: -5.5 });
}

// --- SiliconFlow (§7.12): envelope code 20000, strings ------------------------------------------------------------

export function siliconFlowUser(data: Json = {}, overrides: Json = {}): Json {
  return {
    code: 20000,
    message: 'OK',
    status: true,
    data: {
      id: 'userid-0001',
      name: 'sf-dev',
      image: '',
      email: 'dev@example.com',
      isAdmin: false,
      balance: '0.88',
      status: 'normal',
      introduction: '',
      role: '',
      chargeBalance: '88.00',
      totalBalance: '88.88',
      ...data,
    },
    ...overrides,
  };
}

/** An error with HTTP 200. */
export function siliconFlowError(code = 30001, message = 'Account balance is insufficient'): Json {
  return { code, message, status: false, data: null };
}

// --- xAI (§7.3): negated cents string; analytics usage -------------------------------------------------------------

/** `"-1000"` = a $10.00 prepaid balance. */
export function xaiBalance(val: string | number | undefined = '-1000', overrides: Json = {}): Json {
  return { changes: [], total: val === undefined ? {} : { val }, ...overrides };
}

/** Today's usage: one series, one point per value. */
export function xaiUsage(values: Array<number | string> = [1.23], limitReached = false): Json {
  return {
    timeSeries: [{ group: [], groupLabels: [], dataPoints: values.map((v) => ({ timestamp: '2026-02-10T00:00:00Z', values: [v] })) }],
    limitReached,
  };
}

// --- Z.ai GLM Coding Plan (§7.13): code 200 + success; percentage = USED; nextResetTime in ms ----------------------

export const ZAI_RESET_5H = 1770733800000; // 2026-02-10T14:30:00Z
export const ZAI_RESET_MONTH = 1772323200000; // 2026-03-01T00:00:00Z

export function zaiTokensLimit(overrides: Json = {}): Json {
  return { type: 'TOKENS_LIMIT', unit: 3, number: 5, percentage: 34, nextResetTime: ZAI_RESET_5H, ...overrides };
}

export function zaiMcpLimit(overrides: Json = {}): Json {
  return {
    type: 'TIME_LIMIT',
    unit: 5,
    number: 1,
    usage: 1000,
    currentValue: 120,
    remaining: 880,
    percentage: 12,
    nextResetTime: ZAI_RESET_MONTH,
    usageDetails: [
      { modelCode: 'search-prime', usage: 100 },
      { modelCode: 'web-reader', usage: 20 },
    ],
    ...overrides,
  };
}

export function zaiQuota(limits: Json[] = [zaiTokensLimit(), zaiMcpLimit()], data: Json = {}): Json {
  return { code: 200, msg: 'Operation successful', success: true, data: { planName: 'GLM Coding Pro', limits, ...data } };
}

export function zaiError(code = 500, msg = 'Internal error, please retry'): Json {
  return { code, msg, success: false };
}

// --- MiniMax Coding Plan (§7.14): *_usage_count are REMAINING; base_resp errors with HTTP 200 ---------------------

export const MINIMAX_INTERVAL_START = 1770724800000; // 2026-02-10T12:00:00Z
export const MINIMAX_INTERVAL_END = 1770742800000; // 2026-02-10T17:00:00Z
export const MINIMAX_WEEK_END = 1771200000000; // 2026-02-16T00:00:00Z

export function miniMaxRow(overrides: Json = {}): Json {
  return {
    model_name: 'MiniMax-M2',
    current_interval_total_count: 300,
    current_interval_usage_count: 255, // remaining, despite the name
    current_interval_remaining_percent: 85,
    current_interval_status: 1,
    start_time: MINIMAX_INTERVAL_START,
    end_time: MINIMAX_INTERVAL_END,
    remains_time: 11_940_000,
    current_weekly_total_count: 3000,
    current_weekly_usage_count: 2400,
    current_weekly_remaining_percent: 80,
    weekly_start_time: 1770595200000,
    weekly_end_time: MINIMAX_WEEK_END,
    weekly_remains_time: 469_140_000,
    interval_boost_permill: 0,
    weekly_boost_permill: 0,
    ...overrides,
  };
}

/** Another model's row listed first (the provider must pick the MiniMax-M* row). */
export function miniMaxSpeechRow(): Json {
  return miniMaxRow({ model_name: 'speech-2.6-hd', current_interval_total_count: 50, current_interval_usage_count: 50, current_interval_remaining_percent: 100, current_weekly_total_count: 0, current_weekly_usage_count: 0, current_weekly_remaining_percent: null });
}

export function miniMaxRemains(rows: Json[] = [miniMaxSpeechRow(), miniMaxRow()], opts: { wrapped?: boolean } = {}): Json {
  const body = { model_remains: rows, base_resp: { status_code: 0, status_msg: 'success' } };
  return opts.wrapped ? { data: body } : body;
}

/** International answer: totals 0, only the remaining percentages. */
export function miniMaxPercentOnly(): Json {
  return miniMaxRemains([miniMaxRow({ current_interval_total_count: 0, current_interval_usage_count: 0, current_interval_remaining_percent: 60, current_weekly_total_count: 0, current_weekly_usage_count: 0, current_weekly_remaining_percent: 90 })]);
}

export function miniMaxStatus(code: number, msg: string): Json {
  return { base_resp: { status_code: code, status_msg: msg } };
}

// --- Hugging Face (§7.9): whoami-v2; billing usage-v2 in NANO-USD --------------------------------------------------

export const HF_PERIOD_END = 1772323200; // unix s: 2026-03-01T00:00:00Z

export function hfWhoami(overrides: Json = {}): Json {
  return {
    type: 'user',
    id: '0000fake0000',
    name: 'hf-dev',
    fullname: 'HF Developer',
    email: 'dev@example.com',
    emailVerified: true,
    isPro: true,
    canPay: true,
    avatarUrl: 'https://example.invalid/a.png',
    periodEnd: HF_PERIOD_END,
    billingMode: 'postpaid',
    orgs: [{ type: 'org', id: '0000org0', name: 'acme', fullname: 'Acme', canPay: true, periodEnd: null }],
    auth: { type: 'access_token', accessToken: { displayName: 'tokstat', role: 'fineGrained', createdAt: '2026-01-01T00:00:00.000Z' } },
    ...overrides,
  };
}

/** $1.234 used of $2.00 included, 311 requests. */
export function hfBilling(overrides: Json = {}): Json {
  return {
    usage: {
      inferenceProviders: { usedNanoUsd: 1234000000, includedNanoUsd: 2000000000, limitNanoUsd: 0, numRequests: 311, periodEnd: HF_PERIOD_END, ...overrides },
    },
  };
}

// --- Cursor Admin API (§7.15): spend in integer CENTS --------------------------------------------------------------

export function cursorMember(overrides: Json = {}): Json {
  return { userId: 1, name: 'Ada', email: 'ada@example.com', role: 'member', spendCents: 1250, fastPremiumRequests: 40, hardLimitOverrideDollars: 0, ...overrides };
}

/** Three members: 12.50 + 3.75 + 0.00 = $16.25. */
export function cursorSpend(overrides: Json = {}, members: Json[] = [cursorMember(), cursorMember({ userId: 2, name: 'Bob', email: 'bob@example.com', spendCents: 375 }), cursorMember({ userId: 3, name: 'Cy', email: 'cy@example.com', spendCents: 0 })]): Json {
  return { teamMemberSpend: members, subscriptionCycleStart: 1769904000000, totalMembers: members.length, totalPages: 1, ...overrides };
}
