// "Top models this month" in an account's tooltip (src/ui/tooltip.ts) from a Copilot billing breakdown, and the pace
// engine's projection of the breakdown's days to the month's reset (src/core/forecast/breakdownPace.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountEntry } from '../../../src/core/summary';
import type { BillingBreakdown } from '../../../src/shared/model';
import type * as TooltipModule from '../../../src/ui/tooltip';
import { breakdownPace } from '../../../src/core/forecast/breakdownPace';
import { topModelsLine } from '../../../src/shared/breakdownFormat';
import { treeFakes, withVscodeStub } from '../../support/vscodeStub';

const translated: string[] = [];
const fakeVscode = { ...treeFakes, l10n: { t: (s: string) => (translated.push(s), s) } };
const { accountTooltip } = withVscodeStub(fakeVscode, () => require('../../../src/ui/tooltip') as typeof TooltipModule);

const D = 86_400_000;
const NOW = Date.UTC(2026, 11, 10, 12);

function breakdown(byDay: Array<{ day: string; quantity: number }>): Extract<BillingBreakdown, { state: 'ok' }> {
  const total = byDay.reduce((s, d) => s + d.quantity, 0);
  return {
    state: 'ok',
    unit: 'credits',
    currency: 'USD',
    scope: 'user',
    scopeName: 'octo',
    month: '2026-12',
    capturedAt: NOW,
    byModel: [
      { model: 'Claude Opus 4.5', quantity: total * 0.5 },
      { model: 'GPT-5', quantity: total * 0.3 },
      { model: 'Claude Sonnet 4.5', quantity: total * 0.15 },
      { model: 'Gemini 2.5 Pro', quantity: total * 0.05 },
    ],
    byDay,
    totalQuantity: total,
  };
}

/** 100 credits a day through December so far: nine full days, and 50 in the first half of the tenth. */
const steady = Array.from({ length: 10 }, (_, i) => ({ day: `2026-12-${String(i + 1).padStart(2, '0')}`, quantity: i === 9 ? 50 : 100 }));

test('the tooltip names the three models that used the most this month, with their share', () => {
  const b = breakdown(steady);
  const entry = {
    account: { id: 'a', providerId: 'copilot', name: 'Copilot', createdAt: 0, authKind: 'api-key', settings: {} },
    providerName: 'GitHub Copilot',
    icon: 'github',
    loading: false,
    snapshot: { accountId: 'a', takenAt: NOW, lastSuccessAt: NOW, status: 'ok', meters: [], breakdown: b },
  } as unknown as AccountEntry;
  const md = accountTooltip(entry, NOW) as unknown as { value: string };
  assert.match(md.value, /\*\*Top models this month\*\*: Claude Opus 4\\\.5 475 credits \\\(50%\\\) · GPT\\-5 285 credits \\\(30%\\\) · Claude Sonnet 4\\\.5 142\\\.5 credits \\\(15%\\\)\n/);
  assert.ok(!md.value.includes('Gemini'), 'only the top three');
  // Every text of the tooltip goes through vscode.l10n.t; the heading is one of them.
  assert.ok(translated.includes('Top models this month'), translated.join(' | '));
  assert.equal(topModelsLine({ ...b, byModel: [] }), undefined);
});

test('the projection to the reset: a steady 100 credits a day ends December near 3,100', () => {
  const pace = breakdownPace(breakdown(steady), NOW, 'UTC');
  assert.equal(pace?.status, 'no-limit');
  // 950 credits by Dec 10 12:00 at 100 a day → about 950 + 21.5 × 100 by Jan 1.
  assert.ok(pace!.projectedAtReset! > 3000 && pace!.projectedAtReset! < 3200, `projected ${pace!.projectedAtReset}`);
  assert.equal(pace!.resetsAt, Date.UTC(2027, 0, 1));
  assert.match(pace!.text, /^Using about 1\d\d credits a day — ≈ 3,\d{3} credits by /);
  assert.equal(breakdownPace({ ...breakdown(steady), byDay: undefined } as never, NOW), undefined, 'no days, no projection');
  assert.equal(breakdownPace(undefined, NOW + D), undefined);
});
