/**
 * The log bundle, whole system: `printos cloud`, `printos start` writing its rotating log
 * to the data directory, an account linked through the CLI, then `printos logs send`.
 * Lines carrying every kind of secret are added to the service's log file (as a careless
 * debug line would write them: under odd keys, in free text, in headers); the zip the
 * cloud stored must hold none of them — not the user token, the printer token, the
 * local API token, the password, its digest, the session id or the CSRF token — while
 * the log lines themselves are there. A recording proxy between the client and the cloud
 * learns the tokens the cloud hands out, as they travel.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { eventually, type LongRun, printos, spawnPrintos } from './processes.js';

const dir = mkdtempSync(join(tmpdir(), 'printos-bundle-'));
const clientDir = join(dir, 'client');
const cloudDir = join(dir, 'cloud');
const logsDir = join(clientDir, 'logs');
const PASSWORD = 'correct horse 42';
const DIGEST = createHash('sha256').update(PASSWORD).digest('hex');
const EMAIL = 'maker@example.com';

let cloud: LongRun;
let service: LongRun;
let proxy: RecordingProxy;

interface RecordingProxy {
  url: string;
  /** Every token the cloud answered with, by field name (user_token, printer_token). */
  tokens: Map<string, Set<string>>;
  close(): Promise<void>;
}

/** Forwards every request to the cloud and remembers the tokens in its JSON answers. */
function recordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const tokens = new Map<string, Set<string>>();
  const remember = (value: unknown, depth = 0): void => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      if (key.endsWith('token') && typeof item === 'string') {
        tokens.set(key, (tokens.get(key) ?? new Set()).add(item));
      } else remember(item, depth + 1);
    }
  };
  const server = http.createServer((req, res) => {
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          try {
            remember(JSON.parse(body.toString('utf8')));
          } catch {
            // Not JSON (a job file): nothing to learn.
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        tokens,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function token(name: string): string {
  const [value] = proxy.tokens.get(name) ?? [];
  if (!value) throw new Error(`the cloud sent no ${name}`);
  return value;
}

/** Every entry of a zip, as raw bytes. */
function unzipRaw(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, async (error, stream) => {
          if (error || !stream) return reject(error);
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
      zip.on('end', () => resolve(files));
      zip.readEntry();
    });
  });
}

function zipsUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.zip'))
    .map((name) => join(folder, name));
}

function newestLogFile(): string {
  const files = readdirSync(logsDir)
    .map((name) => /^printos\.(\d+)\.log$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  if (!files[0]) throw new Error('no log file');
  return join(logsDir, files[0][0]);
}

/** A session of the web interface: its cookie value and the CSRF token of its form. */
async function webSession(): Promise<{ sid: string; csrf: string }> {
  const { port } = JSON.parse(readFileSync(join(clientDir, 'service.json'), 'utf8')) as {
    port: number;
  };
  const page = await fetch(`http://127.0.0.1:${port}/report`, { redirect: 'manual' });
  const cookie = page.headers.getSetCookie().find((c) => c.startsWith('printos_client='));
  const sid = /^printos_client=([^;]+)/.exec(cookie ?? '')?.[1];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!sid || !csrf) throw new Error('no web session');
  return { sid, csrf };
}

beforeAll(async () => {
  cloud = spawnPrintos(['cloud', '--port', '0', '--data-dir', cloudDir]);
  const [, url] = await cloud.waitFor(/listening on (http:\/\/\S+)/);
  proxy = await recordingProxy(url as string);
  const add = await printos(
    ['cloud', 'user', 'add', EMAIL, '--data-dir', cloudDir],
    `${PASSWORD}\n`,
  );
  expect(add.code).toBe(0);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await cloud?.stop();
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the log bundle, whole system', () => {
  it('writes the service log to rotating files of the data directory, private', async () => {
    service = spawnPrintos([
      'start',
      '--no-browser',
      '--virtual-printer',
      '--data-dir',
      clientDir,
      '--cloud-url',
      proxy.url,
      '--local-port',
      '0',
      '--log-level',
      'debug',
      '--log-file-size',
      '256k',
    ]);
    await service.waitFor(/not linked: run `printos login`/);
    expect(service.output()).toContain(`log files: ${logsDir}`);
    const login = await printos(
      ['login', '--email', EMAIL, '--data-dir', clientDir],
      `${PASSWORD}\n`,
    );
    expect(login.stderr).toBe('');
    await eventually(
      async () => (proxy.tokens.get('printer_token')?.size ? true : undefined),
      'the printer to log in to the cloud',
    );
    expect(statSync(logsDir).mode & 0o777).toBe(0o700);
    expect(statSync(newestLogFile()).mode & 0o777).toBe(0o600);
    await eventually(
      async () =>
        readFileSync(newestLogFile(), 'utf8').includes('printer linked to the cloud')
          ? true
          : undefined,
      'the link in the log file',
    );
    const path = await printos(['logs', 'path', '--data-dir', clientDir]);
    expect(path.stdout.trim()).toBe(logsDir);
    const show = await printos(['logs', 'show', '-n', '500', '--data-dir', clientDir]);
    expect(show.stdout).toMatch(
      /INFO +\S* ?linked to the cloud account account="maker@example\.com"/,
    );
  }, 90_000);

  it('sends a bundle with the log lines and not one secret', async () => {
    const userToken = token('user_token');
    const printerToken = token('printer_token');
    const apiToken = readFileSync(join(clientDir, 'api-token'), 'utf8').trim();
    const { sid, csrf } = await webSession();
    const secrets = { userToken, printerToken, apiToken, PASSWORD, DIGEST, sid, csrf };
    // What careless debug lines would write: odd keys, free text, headers, URLs.
    const leaks = [
      { level: 20, msg: 'debug dump', blob: `state ${userToken} ${printerToken}` },
      {
        level: 20,
        msg: 'request',
        headers: { cookie: `printos_client=${sid}`, authorization: `Bearer ${apiToken}` },
        url: `/streamerapi/command?user_token=${userToken}`,
        form: `_csrf=${csrf}&email=${EMAIL}`,
      },
      { level: 20, msg: `login body {"login":"${EMAIL}","password":"${PASSWORD}"}` },
      { level: 20, msg: `digest of the saved login: ${DIGEST}` },
      { level: 20, msg: 'printer answer', answer: { printer_token: printerToken } },
    ].map((leak) => JSON.stringify({ time: Date.now(), ...leak }));
    const plain = [
      `plain text Cookie: printos_client=${sid}; theme=dark`,
      `plain text password='${PASSWORD}' token=${apiToken} csrf=${csrf}`,
    ];
    appendFileSync(newestLogFile(), `${[...leaks, ...plain].join('\n')}\n`);
    const onDisk = readdirSync(logsDir)
      .filter((n) => n.startsWith('printos.'))
      .map((n) => readFileSync(join(logsDir, n), 'utf8'))
      .join('');
    // The test can fail: every secret is really in the log files.
    for (const value of Object.values(secrets)) expect(onDisk).toContain(value);

    const sent = await printos([
      'logs',
      'send',
      'the',
      'print',
      'stopped',
      '--data-dir',
      clientDir,
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toMatch(/Logs sent/);
    const zips = zipsUnder(join(cloudDir, 'logs'));
    expect(zips).toHaveLength(1);
    const entries = await unzipRaw(zips[0] as string);
    const names = [...entries.keys()];
    expect(names).toEqual(expect.arrayContaining(['problem_report.txt', 'printos.log']));
    for (const name of names) {
      expect(name).toMatch(/^(problem_report\.txt|printos\.log(\.\d+)?|\w+\.json)$/);
      expect(name).not.toMatch(/credentials|account|api-token|host-id/);
    }
    for (const [name, bytes] of entries) {
      for (const [kind, value] of Object.entries(secrets)) {
        expect(bytes.includes(Buffer.from(value)), `${kind} in ${name}`).toBe(false);
      }
    }
    const log = [...entries]
      .filter(([name]) => name.startsWith('printos.log'))
      .map(([, bytes]) => bytes.toString('utf8'))
      .join('');
    expect(log).toContain('linked to the cloud account');
    expect(log).toContain('printer linked to the cloud');
    expect(log).toContain('"msg":"debug dump","blob":"state *** ***"');
    expect(log).toContain('"cookie":"***"');
    expect(log).toContain('plain text Cookie: ***; theme=dark');
    expect(log).toContain(`"form":"_csrf=***&email=${EMAIL}"`);
    expect(entries.get('problem_report.txt')?.toString()).toMatch(/\n\nthe print stopped\n$/);
  }, 60_000);

  it('SIGTERM stops the service with its last lines in the log file', async () => {
    expect(await service.stop('SIGTERM')).toBe(0);
    const text = readFileSync(newestLogFile(), 'utf8');
    expect(text).toContain('"msg":"stopping the service"');
    expect(text.endsWith('\n')).toBe(true);
  }, 60_000);
});
