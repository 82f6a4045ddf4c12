// A loopback status page in each shape provider-apis.md §12 describes: Atlassian Statuspage `/api/v2/summary.json`,
// incident.io's native `/proxy/<host>` feed, RSS 2.0 `/history.rss` and Atom `/history.atom`, each with or without an
// incident, plus the failure modes a client must survive (malformed body, an HTML page, a huge page). Every answer
// carries an ETag and honours If-None-Match with a 304, so conditional requests can be counted.
//
//   const page = new StatusPageFake(clock);  await page.start();
//   page.incident = { title: 'Elevated errors on Claude API', components: ['Claude API'] };   // or undefined: all clear
//   page.mode = 'malformed' | 'html' | 'huge' | 'ok';
//   page.url + StatusPageFake.SUMMARY   /  .INCIDENT_IO  /  .RSS  /  .ATOM
import { FakeServer, type FakeReply } from './fakeServer';

export interface FakeIncident {
  title: string;
  impact?: 'minor' | 'major' | 'critical';
  status?: string;
  components?: string[];
}

export type StatusPageMode = 'ok' | 'malformed' | 'html' | 'huge';

/** Bigger than the poller's 1 MiB cap. */
export const HUGE_PAGE_BYTES = 3 * 1024 * 1024;

export class StatusPageFake extends FakeServer {
  static readonly SUMMARY = '/api/v2/summary.json';
  static readonly INCIDENT_IO = '/proxy/status.example.com';
  static readonly RSS = '/history.rss';
  static readonly ATOM = '/history.atom';

  incident: FakeIncident | undefined;
  mode: StatusPageMode = 'ok';
  constructor(private readonly now: () => number = () => Date.now()) {
    super();
    // Answers 304 to a matching If-None-Match (FakeServer's `etags`; off: always the full page).
    this.etags = true;
    this.route('GET', StatusPageFake.SUMMARY, () => this.answer(this.summary(), 'application/json'));
    this.route('GET', StatusPageFake.INCIDENT_IO, () => this.answer(this.incidentIo(), 'application/json'));
    this.route('GET', StatusPageFake.RSS, () => this.answer(this.rss(), 'application/rss+xml'));
    this.route('GET', StatusPageFake.ATOM, () => this.answer(this.atom(), 'application/atom+xml'));
  }

  private answer(body: string, type: string): FakeReply {
    if (this.mode === 'malformed') return { text: body.slice(0, Math.floor(body.length / 2)), headers: { 'content-type': type } };
    if (this.mode === 'html') return { status: 200, text: '<!doctype html><html><body><h1>Just a moment…</h1></body></html>', headers: { 'content-type': 'text/html' } };
    if (this.mode === 'huge') return { text: `{"incidents":[${'{"name":"x"},'.repeat(HUGE_PAGE_BYTES / 13)}{"name":"x"}]}`, headers: { 'content-type': type } };
    return { text: body, headers: { 'content-type': type } };
  }

  private iso(offsetMs = 0): string {
    return new Date(this.now() - offsetMs).toISOString();
  }

  summary(): string {
    const i = this.incident;
    const components = [
      { id: 'c1', name: 'Claude API', status: 'operational' },
      { id: 'c2', name: 'claude.ai', status: 'operational' },
      { id: 'c3', name: 'Copilot', status: 'operational' },
    ];
    return JSON.stringify({
      page: { id: 'fake', name: 'Fake', url: 'https://status.example.com', time_zone: 'Etc/UTC', updated_at: this.iso() },
      status: { indicator: i ? (i.impact ?? 'minor') : 'none', description: i ? 'Minor Service Outage' : 'All Systems Operational' },
      components,
      incidents: i
        ? [
            {
              id: 'inc1',
              name: i.title,
              status: i.status ?? 'investigating',
              impact: i.impact ?? 'minor',
              shortlink: 'https://stspg.io/inc1',
              created_at: this.iso(600_000),
              updated_at: this.iso(60_000),
              resolved_at: null,
              components: (i.components ?? []).map((name, k) => ({ id: `x${k}`, name, status: 'degraded_performance' })),
              incident_updates: [{ status: 'investigating', body: 'We are investigating.', created_at: this.iso(600_000) }],
              unknown_extra: { nested: true },
            },
          ]
        : [],
      scheduled_maintenances: [],
    });
  }

  incidentIo(): string {
    const i = this.incident;
    const ids = new Map((i?.components ?? ['APIs']).map((n, k) => [n, `01J${k}`]));
    return JSON.stringify({
      summary: {
        id: 'fake',
        name: 'Fake',
        structure: { items: [{ group: { id: 'g1', name: 'APIs', hidden: false, components: [...ids].map(([name, id]) => ({ component_id: id, name, hidden: false })) } }] },
        affected_components: i ? [...ids.values()].map((id) => ({ component_id: id, status: 'degraded_performance' })) : [],
        ongoing_incidents: i
          ? [{ id: 'inc1', name: i.title, status: i.status ?? 'identified', current_worst_impact: i.impact === 'critical' ? 'full_outage' : 'degraded_performance', url: 'https://status.example.com/incidents/inc1', updated_at: this.iso(60_000), affected_components: [...ids.values()].map((id) => ({ component_id: id })) }]
          : [],
      },
    });
  }

  rss(): string {
    const items = [
      `<item><title>Old outage</title><description><![CDATA[Status: RESOLVED]]></description><pubDate>${new Date(this.now() - 3 * 86_400_000).toUTCString()}</pubDate><guid>old</guid><link>https://status.example.com/old</link></item>`,
    ];
    if (this.incident) {
      items.unshift(
        `<item><title>${escapeXml(this.incident.title)}</title><description><![CDATA[<p>Status: INVESTIGATING</p>]]></description><pubDate>${new Date(this.now() - 120_000).toUTCString()}</pubDate><guid>now</guid><link>https://status.example.com/now</link></item>`,
      );
    }
    return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Fake status</title><link>https://status.example.com</link>${items.join('')}</channel></rss>`;
  }

  atom(): string {
    const entries = [
      `<entry><id>tag:old</id><title>Recovered: API latency</title><updated>${this.iso(2 * 3_600_000)}</updated><link rel="alternate" href="https://status.example.com/a"/><summary>All good again.</summary></entry>`,
    ];
    if (this.incident) {
      entries.unshift(
        `<entry><id>tag:now</id><title type="html">${escapeXml(this.incident.title)}</title><updated>${this.iso(60_000)}</updated><link rel="alternate" href="https://status.example.com/now"/><summary type="html">&lt;b&gt;Investigating&lt;/b&gt;</summary></entry>`,
      );
    }
    return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Fake status</title>${entries.join('')}</feed>`;
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
