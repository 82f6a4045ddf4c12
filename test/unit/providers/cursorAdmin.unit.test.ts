// Cursor team Admin API provider against the loopback fake through the real UndiciHttpClient: HTTP Basic auth,
// spend in CENTS summed over members and pages, field-casing variants.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { ProviderError } from '../../../src/core/errors';
import { CURSOR_MAX_PAGES, cursorAdminProvider } from '../../../src/core/providers/cursorAdmin';
import type { Meter } from '../../../src/shared/model';
import { CursorAdminFake } from '../../fakes/balanceFakes';
import { testContext } from '../../fakes/providerContext';
import { cursorMember, cursorSpend, type Json } from '../../builders/balances';

const NOW = Date.UTC(2026, 1, 10, 13, 41);
const KEY = 'crsr_test0000000000000000000000000001';

describe('cursor-admin provider', () => {
  const fake = new CursorAdminFake();
  before(() => fake.start());
  after(() => fake.stop());
  beforeEach(() => {
    fake.clearLog().clearFaults();
  });

  async function run(pages: Json | Json[], secret = KEY) {
    fake.addKey(KEY, pages);
    const t = testContext({ providerId: 'cursor-admin', baseUrl: fake.url, secret, now: NOW });
    try {
      return { r: await cursorAdminProvider.fetchSnapshot(t.ctx), lines: t.lines };
    } finally {
      await t.close();
    }
  }

  it('describes itself', () => {
    const p = cursorAdminProvider;
    assert.equal(p.id, 'cursor-admin');
    assert.deepEqual([...p.authKinds], ['api-key']);
    assert.equal(p.authLabel, 'admin key');
    assert.equal(p.defaultBaseUrl({ settings: {} }), 'https://api.cursor.com');
    assert.equal(p.defaultPollSeconds, 3600);
    assert.equal(p.minPollSeconds, 600);
    assert.match(p.description, /team admins only/);
    assert.ok(p.keyHint!.validate('sk-x').warning);
    assert.deepEqual(p.keyHint!.validate('crsr_abc'), {});
  });

  it('sums member cents into USD; Basic auth with an empty password; POST with a page', async () => {
    const { r } = await run(cursorSpend());
    assert.deepEqual(r.meters, [
      { id: 'team-spend', label: 'Team spend this cycle', kind: 'spend', unit: 'USD', source: 'official', capturedAt: NOW, used: 16.25, detail: '3 members · cycle since 2026-02-01' },
    ] satisfies Meter[]);
    assert.equal(r.plan, 'Team');
    const req = fake.requestsTo(CursorAdminFake.PATH, 'POST')[0]!;
    assert.equal(req.headers.authorization, `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`);
    assert.deepEqual(JSON.parse(req.body), { page: 1, pageSize: 100 });
  });

  it('snake_case fields and `spend` are accepted (casing unverified); ISO cycle start', async () => {
    const { r } = await run({
      team_member_spend: [{ spend_cents: 1000 }, { spend: '250' }],
      subscription_cycle_start: '2026-01-15T00:00:00Z',
      total_members: 7,
    });
    assert.equal(r.meters[0]!.used, 12.5);
    assert.equal(r.meters[0]!.detail, '7 members · cycle since 2026-01-15');
  });

  it('follows totalPages', async () => {
    const { r } = await run([cursorSpend({ totalPages: 2, totalMembers: 4 }), cursorSpend({ totalPages: 2 }, [cursorMember({ spendCents: 9999 })])]);
    assert.equal(r.meters[0]!.used, 116.24);
    assert.equal(r.meters[0]!.detail, '4 members · cycle since 2026-02-01');
    assert.deepEqual(fake.requestsTo(CursorAdminFake.PATH).map((q) => JSON.parse(q.body).page), [1, 2]);
  });

  it('stops after the page cap with a warning', async () => {
    const page = cursorSpend({ totalPages: 999 }, [cursorMember({ spendCents: 1 })]);
    const { r, lines } = await run(Array.from({ length: 30 }, () => page));
    assert.equal(fake.requestsTo(CursorAdminFake.PATH).length, CURSOR_MAX_PAGES);
    assert.equal(r.meters[0]!.used, CURSOR_MAX_PAGES / 100);
    assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('pages')));
  });

  it('an empty team is $0 with 0 members', async () => {
    const { r } = await run(cursorSpend({ totalMembers: undefined }, []));
    assert.equal(r.meters[0]!.used, 0);
    assert.equal(r.meters[0]!.detail, '0 members · cycle since 2026-02-01');
  });

  it('a member without any spend field is named in the error', async () => {
    try {
      await run(cursorSpend({}, [cursorMember(), { email: 'x@example.com' }]));
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.kind, 'bad-response');
      assert.match(err.message, /teamMemberSpend\[1\]\.spendCents/);
    }
  });

  it('a wrong key → auth explaining that an Admin API key from a team admin is needed', async () => {
    try {
      await run(cursorSpend(), 'crsr_wrong000000000000000');
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.kind, 'auth');
      assert.match(err.message, /Admin API key/);
      assert.ok(!err.message.includes('crsr_wrong000000000000000'));
    }
  });

  it('testConnection reads one page: plan and member count', async () => {
    fake.addKey(KEY, [cursorSpend({ totalPages: 3 }), cursorSpend(), cursorSpend()]);
    const t = testContext({ providerId: 'cursor-admin', baseUrl: fake.url, secret: KEY, now: NOW });
    const info = await cursorAdminProvider.testConnection(t.ctx);
    await t.close();
    assert.deepEqual(info, { plan: 'Team', identity: '3 members' });
    assert.equal(fake.requestsTo(CursorAdminFake.PATH).length, 1);
  });
});
