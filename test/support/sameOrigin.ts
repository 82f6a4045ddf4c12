// Puts several code-servers behind one origin, each under its own path prefix (`/a/…` → the first, `/b/…` → the
// second): the browser then treats their workbenches as windows of one user profile (one IndexedDB, one
// BroadcastChannel), while each server keeps its own user-data-dir, i.e. its own globalStorage folder, the way a
// local window and a Remote-SSH window of one VS Code do. HTTP and WebSocket upgrades are forwarded with the prefix
// stripped and the Host header kept (code-server refuses a WebSocket whose Origin does not match its Host); code-server
// uses relative URLs, so it works under a sub-path.
import * as http from 'node:http';
import * as net from 'node:net';

export interface SameOrigin {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startSameOrigin(targets: Record<string, number>): Promise<SameOrigin> {
  const route = (url: string | undefined): { port: number; path: string } | undefined => {
    const m = /^\/([a-z0-9]+)(\/.*)?$/.exec(url ?? '');
    const port = m ? targets[m[1]!] : undefined;
    return m && port ? { port, path: m[2] ?? '/' } : undefined;
  };
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const r = route(req.url);
    if (!r) {
      res.writeHead(404).end();
      return;
    }
    const up = http.request({ host: '127.0.0.1', port: r.port, method: req.method, path: r.path, headers: req.headers }, (ur) => {
      const headers = { ...ur.headers };
      // Redirects of code-server are relative or absolute to its own root: keep them under the prefix.
      if (typeof headers.location === 'string' && headers.location.startsWith('/')) headers.location = `${req.url!.split('/').slice(0, 2).join('/')}${headers.location}`;
      res.writeHead(ur.statusCode ?? 502, headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    const r = route(req.url);
    if (!r) {
      socket.destroy();
      return;
    }
    const up = net.connect(r.port, '127.0.0.1', () => {
      const lines = [`${req.method} ${r.path} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i]!;
        lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
      }
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
