/**
 * The whole system on loopback, as users run it: `printos cloud`, `printos start`, a
 * virtual printer on a pty, and the CLI, each its own process. A job uploaded to the
 * cloud prints on the virtual printer; the cloud's commands reach it; the link survives
 * the cloud dying in mid-print; an account switch unlinks the printers.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import {
  jobCommands,
  startVirtualPrinter,
  type VirtualPrinterRun,
} from '../helpers/virtual-printer-process.js';
import {
  cloudApi,
  eventually,
  type LongRun,
  localApi,
  printos,
  spawnPrintos,
} from './processes.js';

/** Every entry of a zip as text. */
function unzipAll(path: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files: Record<string, string> = {};
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, async (error, stream) => {
          if (error || !stream) return reject(error);
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          files[entry.fileName] = Buffer.concat(chunks).toString('utf8');
          zip.readEntry();
        });
      });
      zip.on('end', () => resolve(files));
      zip.readEntry();
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'printos-system-'));
const clientDir = join(dir, 'client');
const cloudDir = join(dir, 'cloud');
const PASSWORD = 'correct horse 42';
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

let cloud: LongRun;
let cloudUrl = '';
let cloudPort = 0;
let service: LongRun;
let printer: VirtualPrinterRun;
let aliceToken = '';

interface CloudPrinter {
  id: number;
  name: string;
  state: string;
  online: boolean;
}
interface CloudJob {
  id: number;
  status: string;
  percent: number;
  outcome: string | null;
}

function gcode(name: string, lines: number): string {
  const path = join(dir, name);
  const body = Array.from(
    { length: lines },
    (_, i) => `G1 X${i % 100} Y${Math.floor(i / 100) % 100} E${i}`,
  );
  writeFileSync(path, `; ${name}\n${body.join('\n')}\n`);
  return path;
}

async function startCloud(port = 0): Promise<void> {
  cloud = spawnPrintos(['cloud', '--port', String(port), '--data-dir', cloudDir]);
  const [, url] = await cloud.waitFor(/listening on (http:\/\/\S+)/);
  cloudUrl = url as string;
  cloudPort = Number(new URL(cloudUrl).port);
}

/** Signs up through the cloud's page, as a person would (CSRF token and cookie included). */
async function signUp(email: string, password: string): Promise<Response> {
  const page = await fetch(`${cloudUrl}/signup`);
  const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return fetch(`${cloudUrl}/signup`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie,
      origin: cloudUrl,
    },
    body: new URLSearchParams({ _csrf: csrf, email, password, password2: password }).toString(),
  });
}

async function cloudPrinters(token = aliceToken): Promise<CloudPrinter[]> {
  return (await cloudApi(cloudUrl, token)<{ printers: CloudPrinter[] }>('GET', '/api/printers'))
    .printers;
}

async function uploadJob(file: string, printerId: number): Promise<CloudJob> {
  // The cloud starts a job only on a printer it has seen ready.
  await eventually(async () => {
    const printer = (await cloudPrinters()).find((p) => p.id === printerId);
    return printer?.state === 'ready' ? true : undefined;
  }, 'the cloud to see the printer ready');
  const form = new FormData();
  form.set('printer_id', String(printerId));
  form.set('start', 'true');
  form.set('file', new Blob([readFileSync(file)]), file.split('/').pop());
  const answer = await cloudApi(cloudUrl, aliceToken)<{ job: CloudJob; started: boolean }>(
    'POST',
    '/api/jobs',
    form,
  );
  expect(answer.started).toBe(true);
  return answer.job;
}

async function cloudJob(id: number): Promise<CloudJob | undefined> {
  const { jobs } = await cloudApi(cloudUrl, aliceToken)<{ jobs: CloudJob[] }>('GET', '/api/jobs');
  return jobs.find((j) => j.id === id);
}

async function jobReaches(id: number, status: string, timeoutMs = 60_000): Promise<CloudJob> {
  let seen: CloudJob | undefined;
  try {
    return await eventually(
      async () => {
        seen = await cloudJob(id);
        return seen?.status === status ? seen : undefined;
      },
      `job ${id} ${status}`,
      timeoutMs,
    );
  } catch (err) {
    const local = await localPrinter().catch(() => undefined);
    throw new Error(
      `${(err as Error).message}; cloud: ${JSON.stringify(seen)}; local: ${JSON.stringify(local)}; service log:\n${service.output().slice(-3000)}`,
    );
  }
}

interface LocalPrinter {
  id: string;
  state: string;
  job: { filename: string; percent: number } | null;
}

function localPrinter(): Promise<LocalPrinter | undefined> {
  return localApi(clientDir)<LocalPrinter[]>('GET', '/api/printers').then((list) => list[0]);
}

beforeAll(async () => {
  await startCloud();
  printer = await startVirtualPrinter(['--move-time', '4']);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await cloud?.stop();
  await printer?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the cloud link, whole system', () => {
  it('signs up on the cloud, adds a printer, starts the service unlinked', async () => {
    const signup = await signUp(ALICE, PASSWORD);
    expect(signup.status).toBe(303);
    const bob = await printos(
      ['cloud', 'user', 'add', BOB, '--data-dir', cloudDir],
      `${PASSWORD}\n`,
    );
    expect(bob.stderr).toBe('');
    expect(bob.code).toBe(0);
    const token = await printos(['cloud', 'token', ALICE, '--data-dir', cloudDir]);
    aliceToken = token.stdout.trim();

    const add = await printos(['printers', 'add', '--port', printer.path, '--data-dir', clientDir]);
    expect(add.code).toBe(0);
    service = spawnPrintos([
      'start',
      '--no-browser',
      '--data-dir',
      clientDir,
      '--cloud-url',
      cloudUrl,
      '--local-port',
      '0',
    ]);
    await service.waitFor(/not linked: run `printos login`/);
    await eventually(
      async () => ((await localPrinter())?.state === 'ready' ? true : undefined),
      'printer ready',
    );
  }, 60_000);

  it('refuses a wrong password and an unknown account with a clear error', async () => {
    const wrong = await printos(['login', '--email', ALICE, '--data-dir', clientDir], 'nope\n');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/LOGIN_FAILED.*email or password/);
    const unknown = await printos(
      ['login', '--email', 'nobody@example.com', '--data-dir', clientDir],
      `${PASSWORD}\n`,
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/LOGIN_FAILED/);
  }, 30_000);

  it('console login links the client; the printer appears in the cloud', async () => {
    const login = await printos(
      ['login', '--email', ALICE, '--data-dir', clientDir],
      `${PASSWORD}\n`,
    );
    expect(login.stderr).toBe('');
    expect(login.stdout).toMatch(/Linked to alice@example.com/);
    const [cloudPrinter] = await eventually(async () => {
      const list = await cloudPrinters();
      return list.length === 1 && list[0]?.state === 'ready' ? list : undefined;
    }, 'the printer in the cloud');
    expect(cloudPrinter?.online).toBe(true);
    const status = await printos(['status', '--json', '--data-dir', clientDir]);
    expect(JSON.parse(status.stdout)).toMatchObject({ account: { email: ALICE } });
  }, 60_000);

  it('prints a job uploaded to the cloud; the printer executed exactly the file', async () => {
    const [cloudPrinter] = await cloudPrinters();
    const file = gcode('first.gcode', 400);
    const job = await uploadJob(file, cloudPrinter?.id as number);
    const done = await jobReaches(job.id, 'completed');
    expect(done.percent).toBe(100);
  }, 90_000);

  it('pauses, resumes and cancels from the cloud', async () => {
    const [cloudPrinter] = await cloudPrinters();
    const id = cloudPrinter?.id as number;
    const api = cloudApi(cloudUrl, aliceToken);
    const job = await uploadJob(gcode('long.gcode', 20_000), id);
    await jobReaches(job.id, 'printing');
    await api('POST', `/api/printers/${id}/pause`);
    await eventually(
      async () => ((await localPrinter())?.state === 'paused' ? true : undefined),
      'paused locally',
    );
    await jobReaches(job.id, 'paused');
    await api('POST', `/api/printers/${id}/resume`);
    await eventually(
      async () => ((await localPrinter())?.state === 'printing' ? true : undefined),
      'resumed',
    );
    await api('POST', `/api/printers/${id}/cancel`);
    const cancelled = await jobReaches(job.id, 'cancelled');
    expect(cancelled.percent).toBeLessThan(100);
    await eventually(
      async () => ((await localPrinter())?.state === 'ready' ? true : undefined),
      'ready again',
    );
  }, 120_000);

  it('keeps printing when the cloud dies, and reports the outcome when it is back', async () => {
    const [cloudPrinter] = await cloudPrinters();
    const job = await uploadJob(gcode('survivor.gcode', 1500), cloudPrinter?.id as number);
    await jobReaches(job.id, 'printing');
    await cloud.stop('SIGKILL');
    await eventually(
      async () => {
        const p = await localPrinter();
        return p?.state === 'ready' && p.job === null ? true : undefined;
      },
      'the print to finish while the cloud is down',
      60_000,
    );
    await startCloud(cloudPort);
    const done = await jobReaches(job.id, 'completed', 60_000);
    expect(done.percent).toBe(100);
  }, 150_000);

  it('sends a support bundle to the cloud with every secret masked', async () => {
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
    const accountDirs = readdirSync(join(cloudDir, 'logs'));
    const zips = accountDirs.flatMap((d) =>
      readdirSync(join(cloudDir, 'logs', d))
        .filter((f) => f.endsWith('.zip'))
        .map((f) => join(cloudDir, 'logs', d, f)),
    );
    expect(zips).toHaveLength(1);
    const files = await unzipAll(zips[0] as string);
    expect(Object.keys(files).sort()).toEqual([
      'printers.json',
      'printos.log',
      'problem_report.txt',
      'settings.json',
      'status.json',
    ]);
    expect(files['problem_report.txt']).toMatch(/the print stopped/);
    expect(files['printos.log']).toMatch(/job finished/);
    const digest = createHash('sha256').update(PASSWORD).digest('hex');
    const apiToken = readFileSync(join(clientDir, 'api-token'), 'utf8').trim();
    for (const text of Object.values(files)) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(digest);
      expect(text).not.toContain(apiToken);
    }
  }, 30_000);

  it('switching the account needs confirmation and unlinks the printers', async () => {
    const refused = await printos(
      ['login', '--email', BOB, '--data-dir', clientDir],
      `${PASSWORD}\n`,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/CONFIRMATION_REQUIRED.*unlinks every printer/);
    const login = await printos(
      ['login', '--email', BOB, '--yes', '--data-dir', clientDir],
      `${PASSWORD}\n`,
    );
    expect(login.code).toBe(0);
    const bobToken = (await printos(['cloud', 'token', BOB, '--data-dir', cloudDir])).stdout.trim();
    await eventually(
      async () => ((await cloudPrinters(bobToken)).length === 1 ? true : undefined),
      "the printer under Bob's account",
    );
    expect(await cloudPrinters()).toHaveLength(0);
  }, 60_000);

  it('never writes a password, its digest or a token to the logs', async () => {
    const digest = createHash('sha256').update(PASSWORD).digest('hex');
    const apiToken = readFileSync(join(clientDir, 'api-token'), 'utf8').trim();
    for (const log of [service.output(), cloud.output()]) {
      expect(log).not.toContain(PASSWORD);
      expect(log).not.toContain(digest);
      expect(log).not.toContain(apiToken);
      expect(log).not.toContain(aliceToken);
    }
  });

  it('logout stops the service and forgets the login', async () => {
    const logout = await printos(['logout', '--yes', '--data-dir', clientDir]);
    expect(logout.stdout).toMatch(/Logged out/);
    expect(await service.stop()).toBe(0);
    const status = await printos(['status', '--json', '--data-dir', clientDir]);
    expect(JSON.parse(status.stdout)).toMatchObject({ service: { running: false }, account: null });
  }, 60_000);

  it('the virtual printer executed every job line of the completed job in order', async () => {
    const { executed } = await printer.stop();
    const commands = jobCommands(executed);
    const first = readFileSync(join(dir, 'first.gcode'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('G1'));
    expect(commands.slice(0, first.length)).toEqual(first);
    const survivor = readFileSync(join(dir, 'survivor.gcode'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('G1'));
    expect(commands.slice(-survivor.length)).toEqual(survivor);
  }, 30_000);
});
