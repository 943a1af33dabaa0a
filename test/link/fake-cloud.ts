/**
 * A scripted StreamerAPI server on 127.0.0.1: each test says what every request gets
 * (an object, garbage, a status, silence, a dropped connection), and every request
 * is captured with its parsed body for conformance checks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: unknown;
  /** The client's port: equal for two requests on one kept-alive connection. */
  remotePort: number;
}

export type Reply =
  | { json: unknown }
  | { text: string; status?: number }
  | { status: number }
  | { bytes: Buffer; headers?: Record<string, string | number> }
  | { drop: true }
  | { hang: true };

export type Script = (request: CapturedRequest, index: number) => Reply | Promise<Reply>;

export interface FakeCloud {
  url: string;
  requests: CapturedRequest[];
  /** Requests to one path, with their parsed bodies. */
  bodies(path: string): unknown[];
  script: Script;
  close(): Promise<void>;
}

export async function startFakeCloud(script: Script = () => ({ json: {} })): Promise<FakeCloud> {
  const sockets = new Set<Socket>();
  const cloud: FakeCloud = {
    url: '',
    requests: [],
    bodies: (path) => cloud.requests.filter((r) => r.path === path).map((r) => r.body),
    script,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer(async (req, res) => {
    const raw = await readAll(req);
    let body: unknown = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const captured: CapturedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      raw,
      body,
      remotePort: req.socket.remotePort ?? 0,
    };
    cloud.requests.push(captured);
    answer(res, await cloud.script(captured, cloud.requests.length - 1));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cloud.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return cloud;
}

function answer(res: ServerResponse, reply: Reply): void {
  if ('hang' in reply) return;
  if ('drop' in reply) {
    res.socket?.destroy();
    return;
  }
  if ('json' in reply) {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.json));
    return;
  }
  if ('bytes' in reply) {
    res.writeHead(200, { 'Content-Length': reply.bytes.length, ...reply.headers }).end(reply.bytes);
    return;
  }
  if ('text' in reply) {
    res.writeHead(reply.status ?? 200).end(reply.text);
    return;
  }
  res.writeHead(reply.status).end();
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
