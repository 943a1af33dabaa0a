/** A tiny HTTP server for the infrastructure's own tests: records who asked, answers a page. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TinyServer {
  port: number;
  /** The socket peer of every request, in order. */
  peers: string[];
  close(): Promise<void>;
}

/**
 * GET / answers a page naming the peer; GET /form a sign-in form whose POST /form sets a
 * cookie and answers "Welcome <name>". Listens on `host` (e.g. 0.0.0.0 or 127.0.0.1).
 */
export async function startTinyServer(host: string): Promise<TinyServer> {
  const peers: string[] = [];
  const server: Server = createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    peers.push(peer);
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (req.url === '/form' && req.method === 'POST') {
      void readBody(req).then((body) => {
        const name = new URLSearchParams(body).get('name') ?? '';
        res.setHeader('set-cookie', 'session=abc; HttpOnly; SameSite=Strict; Path=/');
        res.end(`<title>in</title><h1 id="welcome">Welcome ${escapeHtml(name)}</h1>`);
      });
      return;
    }
    if (req.url === '/form') {
      res.end(
        '<title>form</title><form method="post" action="/form">' +
          '<input id="name" name="name"><button id="go" type="submit">Go</button></form>',
      );
      return;
    }
    res.end(`<title>tiny</title><h1 id="peer">peer ${escapeHtml(peer)}</h1>`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    peers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
