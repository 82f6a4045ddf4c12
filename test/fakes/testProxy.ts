// A tiny in-process HTTP proxy on loopback for unit tests: CONNECT tunnels (https targets) and absolute-URI
// forwarding (plain-http targets, with a `Via` header added), optional Basic authentication (407 otherwise), and a
// log of everything it was asked for.
//
//   const proxy = new TestProxy({ user: 'alice', password: 's3cret-pw' });
//   await proxy.start();            // proxy.url = 'http://127.0.0.1:PORT'
//   proxy.log                       // [{ method: 'CONNECT', target: '127.0.0.1:443', authorized: true }, …]
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxyLogEntry {
  method: string;
  /** `host:port` for CONNECT, the absolute URL for a forwarded request. */
  target: string;
  /** The Proxy-Authorization header as received (tests assert on it; it never reaches tokstat's logs). */
  proxyAuthorization?: string;
  authorized: boolean;
}

export class TestProxy {
  readonly log: ProxyLogEntry[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;

  constructor(private readonly auth?: { user: string; password: string }) {
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.tunnel(req, socket, head));
    this.server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The proxy URL with this proxy's credentials in it. */
  urlWithCredentials(user = this.auth?.user ?? '', password = this.auth?.password ?? ''): string {
    return `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private check(req: http.IncomingMessage, target: string): boolean {
    const got = req.headers['proxy-authorization'];
    const want = this.auth ? `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}` : undefined;
    const authorized = !want || got === want;
    this.log.push({ method: req.method ?? '', target, ...(got ? { proxyAuthorization: got } : {}), authorized });
    return authorized;
  }

  private tunnel(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const target = req.url ?? '';
    socket.on('error', () => undefined);
    if (!this.check(req, target)) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host.replace(/^\[|\]$/g, ''), () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = req.url ?? '';
    if (!this.check(req, target)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': '0' });
      res.end();
      return;
    }
    if (!/^http:\/\//.test(target)) {
      res.writeHead(400).end('not a proxy request');
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers, via: '1.1 testproxy' };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = http.request(target, { method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  }
}
