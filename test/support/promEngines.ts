// Real Prometheus engines for the team-export tests: Debian's `prometheus` (2.42) and `prometheus-pushgateway`
// (1.5.1), started on free loopback ports with a generated configuration (Prometheus scrapes the Pushgateway every
// second with honor_labels), stopped by the test. scripts/setup-system.sh installs them; under CI=true a missing
// binary fails the test instead of skipping it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accepting, freePort } from './tinyproxy';

export const PROMETHEUS = process.env.TOKSTAT_PROMETHEUS || '/usr/bin/prometheus';
export const PUSHGATEWAY = process.env.TOKSTAT_PUSHGATEWAY || '/usr/bin/prometheus-pushgateway';

/** CI=true|1|yes, as scripts/lib.js reads it: there a missing engine is a broken pipeline, not a skip. */
export const IS_CI = /^(1|true|yes)$/i.test(process.env.CI || '');

export function enginesMissing(): string | undefined {
  const missing = [PROMETHEUS, PUSHGATEWAY].filter((p) => !fs.existsSync(p));
  return missing.length ? `${missing.join(' and ')} missing (scripts/setup-system.sh installs them: apt-get install prometheus prometheus-pushgateway)` : undefined;
}

/**
 * Whether the engines are here. Without them: under CI=true the test fails (.ci/run installs them, so their absence
 * is a broken pipeline); elsewhere it is skipped with the reason, as the Chromium tiers do.
 */
export function enginesPresent(t: { skip(message?: string): void }): boolean {
  const missing = enginesMissing();
  if (!missing) return true;
  if (IS_CI) throw new Error(`team-export engines required under CI: ${missing}`);
  t.skip(`team-export engine test skipped: ${missing}`);
  return false;
}

class Engine {
  port = 0;
  private child: ChildProcess | undefined;
  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(bin: string, args: (port: number) => string[]): Promise<void> {
    this.port = await freePort();
    const out = fs.openSync(path.join(this.dir, `${this.name}.log`), 'w');
    this.child = spawn(bin, args(this.port), { stdio: ['ignore', out, out], cwd: this.dir });
    fs.closeSync(out);
    await accepting(this.port, 30_000, this.name);
    // Listening is not ready: Prometheus answers 503 on /-/ready until its TSDB is open.
    const until = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${this.url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > until) throw new Error(`${this.name} not ready within 30 s (log: ${this.log()})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, `${this.name}.log`), 'utf8').slice(-2000);
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  }
}

export class PromStack {
  readonly gateway: Engine;
  readonly prometheus: Engine;

  constructor(private readonly dir: string) {
    this.gateway = new Engine(dir, 'pushgateway');
    this.prometheus = new Engine(dir, 'prometheus');
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: a file of the run's own instead,
    // so no run sees another's groups and nothing is written outside the test's folder.
    await this.gateway.start(PUSHGATEWAY, (port) => [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${path.join(this.dir, 'pushgateway.data')}`]);
    const config = path.join(this.dir, 'prometheus.yml');
    fs.writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: pushgateway',
        '    honor_labels: true',
        '    scrape_interval: 1s',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${this.gateway.port}']`,
        '',
      ].join('\n'),
    );
    await this.prometheus.start(PROMETHEUS, (port) => [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(this.dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.console.templates=/nonexistent',
      '--web.console.libraries=/nonexistent',
    ]);
  }

  /** An instant PromQL query over Prometheus's HTTP API: the vector's samples as labels → value. */
  async query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const res = await fetch(`${this.prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const doc = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (doc.status !== 'success' || !doc.data) throw new Error(`PromQL ${promql} failed: ${doc.error ?? res.status}`);
    return doc.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Waits until the query returns `n` samples (Prometheus has scraped what was pushed); the positive wait only. */
  async waitFor(promql: string, n: number, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.query(promql).catch(() => []);
      if (r.length === n) return;
      if (Date.now() > until) throw new Error(`${promql}: ${r.length} samples after ${timeoutMs} ms, expected ${n}: ${JSON.stringify(r.map((x) => x.metric))}`);
      await new Promise((x) => setTimeout(x, 250));
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.prometheus.stop(), this.gateway.stop()]);
  }
}
