// A real HTTP proxy for the end-to-end tier: Debian's tinyproxy, started on a free loopback port with a config of
// the run's own (allows 127.0.0.1 only, logs every request to a file, optional Basic authentication), stopped by the
// test. scripts/setup-system.sh installs it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const TINYPROXY = process.env.TOKSTAT_TINYPROXY || '/usr/bin/tinyproxy';
/** The name tinyproxy puts in the Via header of every request it forwards. */
export const VIA_NAME = 'tokstat-e2e-proxy';

export function tinyproxyMissing(): string | undefined {
  return fs.existsSync(TINYPROXY) ? undefined : `${TINYPROXY} missing (run scripts/setup-system.sh)`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function accepting(port: number, timeoutMs: number, what = 'tinyproxy'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export class Tinyproxy {
  port = 0;
  readonly logFile: string;
  private child: ChildProcess | undefined;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly auth?: { user: string; password: string },
  ) {
    this.logFile = path.join(dir, `${name}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  urlWithCredentials(): string {
    if (!this.auth) return this.url;
    return `http://${encodeURIComponent(this.auth.user)}:${encodeURIComponent(this.auth.password)}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    this.port = await freePort();
    const conf = path.join(this.dir, `${this.name}.conf`);
    fs.writeFileSync(
      conf,
      [
        `Port ${this.port}`,
        'Listen 127.0.0.1',
        'Timeout 30',
        `LogFile "${this.logFile}"`,
        'LogLevel Info',
        'MaxClients 20',
        'Allow 127.0.0.1',
        `ViaProxyName "${VIA_NAME}"`,
        ...(this.auth ? [`BasicAuth ${this.auth.user} ${this.auth.password}`] : []),
        '',
      ].join('\n'),
    );
    const check = spawnSync(TINYPROXY, ['-v'], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`${TINYPROXY} -v failed: ${check.stderr}`);
    const out = fs.openSync(path.join(this.dir, `${this.name}.stdout`), 'w');
    this.child = spawn(TINYPROXY, ['-d', '-c', conf], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    await accepting(this.port, 10_000);
  }

  /** The request lines of the log ("GET http://127.0.0.1:PORT/api/v1/key HTTP/1.1"), in order. */
  requests(): string[] {
    if (!fs.existsSync(this.logFile)) return [];
    return fs
      .readFileSync(this.logFile, 'utf8')
      .split('\n')
      .map((l) => /Request \(file descriptor \d+\): (.*)$/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined);
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
