// Provider incidents (issue #20 §3): the three status-page shapes against the loopback fake, the component match,
// the poller's schedule on the fake clock (once per 5 minutes across windows, leader only, only pages the accounts
// need, off with the setting), and the pages a client must survive (malformed, HTML, huge).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../fakes/fakeClock';
import { StatusPageFake } from '../../fakes/statusPageFake';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { nullLogger, type Logger } from '../../../src/core/log';
import { incidentsFor, parseStatusPage, StatusPageError } from '../../../src/core/incidents/parse';
import { IncidentPoller, validatePageState, type PageState, type PageStateStore } from '../../../src/core/incidents/poller';
import { statusPageFor } from '../../../src/core/incidents/pages';
import { FileJsonStore } from '../../../src/core/state/snapshotStore';

const MIN = 60_000;

function memoryStore(): PageStateStore & { data: Map<string, PageState> } {
  const data = new Map<string, PageState>();
  return {
    data,
    read: async (id) => data.get(id),
    write: async (id, s) => void data.set(id, JSON.parse(JSON.stringify(s)) as PageState),
    onDidChangeExternally: () => ({ dispose: () => undefined }),
  };
}

interface Setup {
  clock: FakeClock;
  page: StatusPageFake;
  http: UndiciHttpClient;
  lines: string[];
  close(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12));
  const page = new StatusPageFake(() => clock.now());
  await page.start();
  const lines: string[] = [];
  const log: Logger = { trace: () => undefined, debug: () => undefined, info: (m) => void lines.push(`info ${m}`), warn: (m) => void lines.push(`warn ${m}`), error: (m) => void lines.push(`error ${m}`) };
  const http = new UndiciHttpClient(log, clock);
  return { clock, page, http, lines, close: async () => { await http.close(); await page.stop(); } };
}

function poller(s: Setup, o: { store?: PageStateStore; providers?: string[]; leader?: () => boolean; enabled?: () => boolean; path?: string; log?: Logger } = {}) {
  const roles = new Set<(l: boolean) => void>();
  const p = new IncidentPoller({
    clock: s.clock,
    log: o.log ?? { trace: () => undefined, debug: () => undefined, info: (m) => void s.lines.push(`info ${m}`), warn: (m) => void s.lines.push(`warn ${m}`), error: (m) => void s.lines.push(`error ${m}`) },
    http: s.http,
    store: o.store ?? memoryStore(),
    isLeader: o.leader ?? (() => true),
    onDidChangeRole: (l) => {
      roles.add(l);
      return { dispose: () => void roles.delete(l) };
    },
    enabled: o.enabled ?? (() => true),
    providers: () => o.providers ?? ['claude'],
    overrides: () => ({ anthropic: s.page.url + (o.path ?? StatusPageFake.SUMMARY), github: s.page.url + StatusPageFake.SUMMARY, openai: s.page.url + StatusPageFake.INCIDENT_IO, xai: s.page.url + StatusPageFake.RSS, huggingface: s.page.url + StatusPageFake.ATOM }),
  });
  return { p, roleChanged: (l: boolean) => { for (const f of roles) f(l); } };
}

test('each status-page shape is read: Statuspage summary, incident.io feed, RSS and Atom, with and without an incident', async () => {
  const s = await setup();
  try {
    for (const route of [StatusPageFake.SUMMARY, StatusPageFake.INCIDENT_IO, StatusPageFake.RSS, StatusPageFake.ATOM]) {
      s.page.incident = undefined;
      const clear = await s.http.request({ url: s.page.url + route });
      assert.deepEqual(parseStatusPage(clear.text, s.clock.now(), 'https://status.example.com').incidents, [], `${route}: all clear`);
      s.page.incident = { title: 'Elevated errors on <Claude API>', impact: 'major', components: ['Claude API'] };
      const res = await s.http.request({ url: s.page.url + route });
      const r = parseStatusPage(res.text, s.clock.now(), 'https://status.example.com');
      assert.equal(r.incidents.length, 1, route);
      assert.equal(r.incidents[0]!.title, 'Elevated errors on <Claude API>', route);
      assert.match(r.incidents[0]!.url ?? '', /^https:\/\/(stspg\.io|status\.example\.com)\//, route);
    }
    assert.equal(parseStatusPage(s.page.summary(), s.clock.now()).format, 'statuspage');
    assert.equal(parseStatusPage(s.page.incidentIo(), s.clock.now()).format, 'incidentio');
    assert.equal(parseStatusPage(s.page.rss(), s.clock.now()).format, 'feed');
    assert.equal(parseStatusPage(s.page.atom(), s.clock.now()).incidents[0]!.impact, 'unknown');
  } finally {
    await s.close();
  }
});

test('parsing is defensive: malformed, HTML, unknown shapes throw StatusPageError; bad entries are skipped; text is cleaned; only https links', () => {
  const now = Date.UTC(2026, 11, 7);
  assert.throws(() => parseStatusPage('{"incidents": [', now), StatusPageError);
  assert.throws(() => parseStatusPage('<!doctype html><html></html>', now), StatusPageError);
  assert.throws(() => parseStatusPage('{"hello": 1}', now), StatusPageError);
  assert.throws(() => parseStatusPage('', now), StatusPageError);
  assert.throws(() => parseStatusPage('{"incidents": {"not": "a list"}}', now), StatusPageError);
  const r = parseStatusPage(
    JSON.stringify({
      page: { url: 'javascript:alert(1)' },
      incidents: [
        { name: 42 },
        { name: 'Resolved one', status: 'resolved' },
        { name: `  Bad\u0000\u202e title ${'x'.repeat(500)}`, status: 'investigating', impact: 'catastrophic', shortlink: 'http://evil.example/' },
      ],
    }),
    now,
  );
  assert.equal(r.incidents.length, 1);
  assert.ok(r.incidents[0]!.title.startsWith('Bad title xxx'));
  assert.ok(r.incidents[0]!.title.length <= 200);
  assert.equal(r.incidents[0]!.impact, 'unknown');
  assert.equal(r.incidents[0]!.url, undefined, 'neither the http shortlink nor the javascript: page url is kept');
  // Components that are down without an incident become one.
  const d = parseStatusPage(JSON.stringify({ incidents: [], components: [{ name: 'Copilot', status: 'major_outage' }, { name: 'Actions', status: 'operational' }] }), now);
  assert.deepEqual(d.incidents.map((i) => [i.title, i.impact]), [['Copilot: major outage', 'critical']]);
});

test('an incident concerns the accounts whose components it names (or that it names none of)', () => {
  const list = [
    { title: 'API down', impact: 'major' as const, components: ['Claude API'] },
    { title: 'Web down', impact: 'minor' as const, components: ['claude.ai'] },
    { title: 'Something', impact: 'minor' as const },
  ];
  const api = statusPageFor('anthropic')!;
  const plan = statusPageFor('claude')!;
  assert.deepEqual(incidentsFor(list, api.components).map((i) => i.title), ['API down', 'Something']);
  assert.deepEqual(incidentsFor(list, plan.components).map((i) => i.title), ['Web down', 'Something']);
  assert.equal(statusPageFor('custom-openai'), undefined, 'no page: nothing polled');
  assert.equal(statusPageFor('claude', { anthropic: 'http://evil.example/x' })!.page.feeds[0], 'https://status.claude.com/api/v2/summary.json', 'plain http to a non-loopback host is refused');
});

test('the leader polls a needed page once per 5 minutes; the account shows the worst incident; off with the setting', async () => {
  const s = await setup();
  let enabled = true;
  const { p } = poller(s, { providers: ['claude', 'claude', 'copilot', 'custom-openai'], enabled: () => enabled });
  try {
    s.page.incident = { title: 'Elevated errors on claude.ai', impact: 'major', components: ['claude.ai'] };
    p.sync();
    await p.pollDue();
    // Two pages wanted (Anthropic, GitHub), both served by the fake here: one request each.
    assert.equal(s.page.requestsTo(StatusPageFake.SUMMARY).length, 2);
    assert.equal(s.page.requests.every((r) => r.headers.authorization === undefined && r.headers.cookie === undefined), true, 'keyless');
    const i = p.incidentFor('claude');
    assert.equal(i?.title, 'Elevated errors on claude.ai');
    assert.equal(i?.source, 'Anthropic');
    assert.equal(i?.impact, 'major');
    assert.equal(p.incidentFor('anthropic'), undefined, 'the API account is not concerned by a claude.ai incident (no such account either)');
    assert.equal(p.incidentFor('copilot'), undefined, 'not a Copilot component');

    // Nothing more until 5 minutes have passed; then one request per page.
    await s.clock.advance(4 * MIN);
    await p.whenIdle();
    assert.equal(s.page.requestsTo(StatusPageFake.SUMMARY).length, 2);
    await s.clock.advance(1 * MIN);
    await p.whenIdle();
    assert.equal(s.page.requestsTo(StatusPageFake.SUMMARY).length, 4);
    // Unchanged page: the second round was conditional and answered 304.
    const second = s.page.requestsTo(StatusPageFake.SUMMARY).slice(2);
    assert.ok(second.every((r) => typeof r.headers['if-none-match'] === 'string'));
    assert.equal(p.incidentFor('claude')?.title, 'Elevated errors on claude.ai', 'a 304 keeps the report');

    // Resolved.
    s.page.incident = undefined;
    await s.clock.advance(5 * MIN);
    await p.whenIdle();
    assert.equal(p.incidentFor('claude'), undefined);

    // Off: nothing shown, nothing asked.
    s.page.incident = { title: 'Again', components: ['claude.ai'] };
    enabled = false;
    p.sync();
    const before = s.page.requests.length;
    await s.clock.advance(30 * MIN);
    await p.whenIdle();
    assert.equal(s.page.requests.length, before);
    assert.equal(p.incidentFor('claude'), undefined);
  } finally {
    p.dispose();
    await s.close();
  }
});

test('a follower never polls; a malformed, HTML or huge page keeps the last good report and never throws', async () => {
  const s = await setup();
  const follower = poller(s, { leader: () => false });
  const { p } = poller(s);
  try {
    follower.p.sync();
    await s.clock.advance(20 * MIN);
    await follower.p.whenIdle();
    assert.equal(s.page.requests.length, 0, 'a follower asks nothing');

    s.page.incident = { title: 'Claude API degraded', components: ['claude.ai'] };
    p.sync();
    await p.pollDue();
    assert.equal(p.incidentFor('claude')?.title, 'Claude API degraded');
    for (const mode of ['malformed', 'html', 'huge'] as const) {
      s.page.mode = mode;
      await s.clock.advance(5 * MIN);
      await p.whenIdle();
      assert.equal(p.incidentFor('claude')?.title, 'Claude API degraded', `${mode}: the last good report stays`);
    }
    assert.ok(s.lines.some((l) => l.startsWith('warn') && l.includes('status page unreadable')), 'the failure is logged');
    // Too old to trust: no longer shown after 30 minutes without a good answer.
    await s.clock.advance(30 * MIN);
    await p.whenIdle();
    assert.equal(p.incidentFor('claude'), undefined);
    s.page.mode = 'ok';
    await s.clock.advance(5 * MIN);
    await p.whenIdle();
    assert.equal(p.incidentFor('claude')?.title, 'Claude API degraded', 'back once the page reads again');
  } finally {
    p.dispose();
    follower.p.dispose();
    await s.close();
  }
});

test('two windows over one shared store: one request per 5 minutes in all, the follower shows the leader\'s report', async () => {
  const s = await setup();
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokstat-incidents-'));
  const open = () => new FileJsonStore<PageState>({ folder: root, log: nullLogger, watch: false, rescanMs: 0, clock: s.clock, validate: validatePageState });
  const storeA = open();
  const storeB = open();
  let aLeads = true;
  const a = poller(s, { store: storeA, leader: () => aLeads });
  const b = poller(s, { store: storeB, leader: () => !aLeads });
  try {
    s.page.incident = { title: 'Slow responses', components: ['Claude Code'] };
    a.p.sync();
    b.p.sync();
    await a.p.pollDue();
    await storeB.rescan();
    await b.p.whenIdle();
    assert.equal(b.p.incidentFor('claude')?.title, 'Slow responses', 'the follower reads what the leader wrote');
    // Hand-over two minutes later: the new leader knows the page was checked and waits for the rest of the interval.
    await s.clock.advance(2 * MIN);
    aLeads = false;
    a.roleChanged(false);
    b.roleChanged(true);
    await s.clock.advance(2 * MIN);
    await b.p.whenIdle();
    assert.equal(s.page.requests.length, 1);
    await s.clock.advance(1 * MIN);
    await b.p.whenIdle();
    assert.equal(s.page.requests.length, 2, 'exactly one more, 5 minutes after the first, from the new leader');
    // A corrupt shared file is ignored, not adopted.
    await fsp.writeFile(path.join(root, 'anthropic.json'), '{"version":1,"checkedAt":"soon","incidents":[],"failures":0}');
    assert.equal(await storeA.read('anthropic'), undefined);
  } finally {
    a.p.dispose();
    b.p.dispose();
    storeA.dispose();
    storeB.dispose();
    await s.close();
  }
});

test('start-up asks nothing: the first status poll waits the start delay', async () => {
  const s = await setup();
  const { p } = poller(s);
  try {
    p.sync();
    await s.clock.advance(14_000);
    await p.whenIdle();
    assert.equal(s.page.requests.length, 0, 'nothing during start-up');
    await s.clock.advance(1_000);
    await p.whenIdle();
    assert.equal(s.page.requests.length, 1);
  } finally {
    p.dispose();
    await s.close();
  }
});
