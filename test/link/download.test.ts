import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { downloadJob } from '../../src/link/download.js';
import { memoryLog } from './memory-log.js';

const root = mkdtempSync(join(tmpdir(), 'printos-dl-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FILE = randomBytes(300_000);
const SECRET = 'sig=TOPSECRET';

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

interface FileServer {
  url: string;
  requests: Array<{ range: string | undefined; encoding: string | undefined; url: string }>;
  close(): Promise<void>;
}

let server: FileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(handler: Handler): Promise<FileServer> {
  const sockets = new Set<Socket>();
  const requests: FileServer['requests'] = [];
  const http: Server = createServer((req, res) => {
    requests.push({
      range: req.headers.range,
      encoding: req.headers['accept-encoding'],
      url: req.url ?? '',
    });
    handler(req, res, requests.length - 1);
  });
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  server = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/jobs/7/file.gcode?${SECRET}`,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return server;
}

/** Serves FILE honouring Range; `cut` bytes in, the connection is dropped (the first `drops` times). */
function rangeServer(
  options: { cut?: number; drops?: number; ignoreRange?: boolean } = {},
): Handler {
  let drops = options.drops ?? 0;
  return (req, res) => {
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = match && !options.ignoreRange ? Number(match[1]) : 0;
    const body = FILE.subarray(start);
    if (start > 0) {
      res.writeHead(206, {
        'Content-Length': body.length,
        'Content-Range': `bytes ${start}-${FILE.length - 1}/${FILE.length}`,
      });
    } else {
      res.writeHead(200, { 'Content-Length': FILE.length });
    }
    if (drops > 0 && options.cut !== undefined) {
      drops--;
      res.write(body.subarray(0, options.cut), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  };
}

function dir(): string {
  return mkdtempSync(join(root, 'd-'));
}

const fast = { retryPauseMs: 5, timeoutMs: 1000 };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as { code: string; details?: Record<string, unknown>; message: string },
  );
}

describe('downloadJob', () => {
  it('downloads the file whole, 0600, asking for identity encoding, reporting progress', async () => {
    const s = await serve(rangeServer());
    const target = dir();
    const progress: number[] = [];
    const path = await downloadJob({
      url: s.url,
      dir: target,
      expectedSize: FILE.length,
      onProgress: (received) => progress.push(received),
      log: memoryLog().log,
      ...fast,
    });
    expect(sha(readFileSync(path))).toBe(sha(FILE));
    expect(path.endsWith('.gcode')).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(s.requests[0]?.encoding).toBe('identity');
    expect(s.requests[0]?.range).toBeUndefined();
    expect(progress.at(-1)).toBe(FILE.length);
    expect(readdirSync(target)).toEqual([path.split('/').pop()]);
  });

  it('keeps .zip for a zip job', async () => {
    const s = await serve(rangeServer());
    const path = await downloadJob({
      url: s.url,
      dir: dir(),
      zip: true,
      log: memoryLog().log,
      ...fast,
    });
    expect(path.endsWith('.zip')).toBe(true);
  });

  it('resumes with Range after the connection drops halfway; the file equals the original', async () => {
    const s = await serve(rangeServer({ cut: 100_000, drops: 2 }));
    const path = await downloadJob({ url: s.url, dir: dir(), log: memoryLog().log, ...fast });
    expect(sha(readFileSync(path))).toBe(sha(FILE));
    // Each resume starts where the file on disk had got to. That is at most where the
    // server cut: bytes the socket received but the reader had not consumed when the
    // connection broke are dropped with the stream, so the exact offset is a race.
    const [first, ...resumes] = s.requests.map((r) => r.range);
    expect(first).toBeUndefined();
    const offsets = resumes.map((range) => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1]));
    expect(offsets).toHaveLength(2);
    expect(offsets[0]).toBeGreaterThan(0);
    expect(offsets[0]).toBeLessThanOrEqual(100_000);
    expect(offsets[1]).toBeGreaterThan(offsets[0] as number);
    expect(offsets[1]).toBeLessThanOrEqual((offsets[0] as number) + 100_000);
  });

  it('a 200 answer to a Range request restarts from zero', async () => {
    const s = await serve(rangeServer({ cut: 120_000, drops: 1, ignoreRange: true }));
    const path = await downloadJob({ url: s.url, dir: dir(), log: memoryLog().log, ...fast });
    expect(readFileSync(path).equals(FILE)).toBe(true);
    // The resume offset is where the file on disk had got to (≤ the cut; see above).
    const [first, second] = s.requests.map((r) => r.range);
    expect(first).toBeUndefined();
    const offset = Number(/^bytes=(\d+)-$/.exec(second ?? '')?.[1]);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(120_000);
    expect(s.requests).toHaveLength(2);
  });

  it('gives up after the tries, with error 69, and leaves no file behind', async () => {
    const s = await serve(rangeServer({ cut: 10, drops: 100 }));
    const target = dir();
    const err = await failure(
      downloadJob({ url: s.url, dir: target, maxTries: 3, log: memoryLog().log, ...fast }),
    );
    expect(err.code).toBe('DOWNLOAD_FAILED');
    expect(err.details?.clientError).toBe(69);
    expect(s.requests).toHaveLength(3);
    expect(readdirSync(target)).toEqual([]);
  });

  it('a size different from the announced one → error 66', async () => {
    const s = await serve(rangeServer());
    const target = dir();
    const err = await failure(
      downloadJob({
        url: s.url,
        dir: target,
        expectedSize: FILE.length + 1,
        log: memoryLog().log,
        ...fast,
      }),
    );
    expect(err.code).toBe('DOWNLOAD_FAILED');
    expect(err.details?.clientError).toBe(66);
    expect(readdirSync(target)).toEqual([]);
  });

  it('more bytes than announced (no Content-Length) → error 66', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200);
      res.end(FILE);
    });
    const err = await failure(
      downloadJob({ url: s.url, dir: dir(), expectedSize: 1000, log: memoryLog().log, ...fast }),
    );
    expect(err.details?.clientError).toBe(66);
  });

  it.each([
    [404, 68, 1],
    [403, 68, 1],
    [503, 68, 2],
  ])('HTTP %s → error %s after %s tries', async (status, clientError, tries) => {
    const s = await serve((_req, res) => res.writeHead(status).end());
    const err = await failure(
      downloadJob({ url: s.url, dir: dir(), maxTries: 2, log: memoryLog().log, ...fast }),
    );
    expect(err.details?.clientError).toBe(clientError);
    expect(s.requests).toHaveLength(tries);
  });

  it('a refused connection → error 65', async () => {
    const s = await serve(rangeServer());
    const url = s.url;
    await s.close();
    server = null;
    const err = await failure(
      downloadJob({ url, dir: dir(), maxTries: 2, log: memoryLog().log, ...fast }),
    );
    expect(err.details?.clientError).toBe(65);
  });

  it('refuses plain http off loopback and non-URLs (65), without a request', async () => {
    for (const url of ['http://example.com/job.gcode', 'file:///etc/passwd', 'nonsense']) {
      const err = await failure(downloadJob({ url, dir: dir(), log: memoryLog().log, ...fast }));
      expect(err.details?.clientError).toBe(65);
    }
  });

  it('follows a redirect', async () => {
    const s = await serve((req, res, index) => {
      if (index === 0) res.writeHead(302, { Location: '/elsewhere?x=1' }).end();
      else rangeServer()(req, res, index);
    });
    const path = await downloadJob({ url: s.url, dir: dir(), log: memoryLog().log, ...fast });
    expect(readFileSync(path).equals(FILE)).toBe(true);
    expect(s.requests[1]?.url).toBe('/elsewhere?x=1');
  });

  it('is abortable: JOB_CANCELLED, and the temp file is removed', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': FILE.length });
      res.write(FILE.subarray(0, 1000)); // then nothing: the transfer hangs
    });
    const target = dir();
    const controller = new AbortController();
    const pending = failure(
      downloadJob({
        url: s.url,
        dir: target,
        signal: controller.signal,
        onProgress: () => controller.abort(),
        log: memoryLog().log,
        ...fast,
      }),
    );
    const err = await pending;
    expect(err.code).toBe('JOB_CANCELLED');
    expect(readdirSync(target)).toEqual([]);
  });

  it('a stalled transfer times out and resumes', async () => {
    let first = true;
    const s = await serve((req, res, index) => {
      if (!first) return rangeServer()(req, res, index);
      first = false;
      res.writeHead(200, { 'Content-Length': FILE.length });
      res.write(FILE.subarray(0, 5000));
    });
    const path = await downloadJob({
      url: s.url,
      dir: dir(),
      log: memoryLog().log,
      retryPauseMs: 5,
      timeoutMs: 100,
    });
    expect(readFileSync(path).equals(FILE)).toBe(true);
    expect(s.requests[1]?.range).toBe('bytes=5000-');
  });

  it('never logs the signed part of the link', async () => {
    const memory = memoryLog('trace');
    const s = await serve(rangeServer({ cut: 1000, drops: 1 }));
    await downloadJob({ url: s.url, dir: dir(), log: memory.log, ...fast });
    await failure(
      downloadJob({ url: s.url, dir: dir(), expectedSize: 5, log: memory.log, ...fast }),
    ).then((err) => expect(err.message).not.toContain('TOPSECRET'));
    expect(memory.text()).toContain('job download interrupted');
    expect(memory.text()).not.toContain('TOPSECRET');
    expect(memory.text()).not.toContain('/jobs/7');
  });
});
