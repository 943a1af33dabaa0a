/**
 * StreamerAPI conformance: client-shaped requests (built with the wire schemas) against a
 * real cloud on loopback; every answer must decode with the client's decodeAnswer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  COMMAND_ERROR,
  PRINTER_LOGIN_ERROR,
  type Report,
  STREAMER_API,
  USER_LOGIN_ERROR,
} from '../../src/streamer-api/index.js';
import {
  api,
  call,
  commandBody,
  type Harness,
  linkPrinter,
  post,
  printerLoginBody,
  startCloud,
  uploadJob,
  userLoginBody,
  withUser,
} from './harness.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const READY: Report = { state: 'ready', percent: 0, temps: [21, 22], target_temps: [0, 0] };

let h: Harness;

beforeEach(async () => {
  h = await startCloud();
  await withUser(h, ALICE);
});

afterEach(async () => {
  await h.close();
});

describe('user_login', () => {
  it('answers a user token for the right digest', async () => {
    const answer = await call(h, 'userLogin', userLoginBody(ALICE));
    expect(answer.user_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(answer.user_login).toBe(ALICE);
    expect(answer.all_profiles).toEqual([]);
    expect(answer.error).toBeUndefined();
  });

  it('answers error 3 (HTTP 200) for a wrong password and an unknown account alike', async () => {
    const wrong = await post(h, STREAMER_API.userLogin, userLoginBody(ALICE, 'wrong password'));
    const unknown = await post(h, STREAMER_API.userLogin, userLoginBody('nobody@example.com'));
    expect(wrong.status).toBe(200);
    expect(wrong.type).toMatch(/^application\/json/);
    expect(wrong.text).toBe(unknown.text);
    const decoded = await call(h, 'userLogin', userLoginBody(ALICE, 'wrong password'));
    expect(decoded.error?.code).toBe(USER_LOGIN_ERROR.BAD_CREDENTIALS);
    expect(decoded.user_token).toBeUndefined();
  });

  it('throttles after five failures, the same way for an unknown account', async () => {
    for (let i = 0; i < 5; i++) {
      await call(h, 'userLogin', userLoginBody(ALICE, 'wrong password'));
      await call(h, 'userLogin', userLoginBody('ghost@example.com', 'wrong password'));
    }
    const known = await call(h, 'userLogin', userLoginBody(ALICE));
    const ghost = await call(h, 'userLogin', userLoginBody('ghost@example.com'));
    expect(known.error?.code).toBe(USER_LOGIN_ERROR.THROTTLED);
    expect(known).toEqual(ghost);
    h.clock.t += 16 * 60_000;
    expect((await call(h, 'userLogin', userLoginBody(ALICE))).user_token).toBeDefined();
  });

  it('refuses malformed JSON with 400 and a schema mismatch with error 1', async () => {
    expect((await post(h, STREAMER_API.userLogin, '{"login":')).status).toBe(400);
    const bad = await call(h, 'userLogin', { login: { user: ALICE, password: 'plain' } });
    expect(bad.error?.code).toBe(USER_LOGIN_ERROR.BAD_REQUEST);
  });
});

describe('printer_login', () => {
  it('registers a printer and issues a fresh token at every login', async () => {
    const first = await linkPrinter(h, ALICE);
    expect(first.name).toBe('Printer VRTL:0001 VP0001');
    const again = await call(h, 'printerLogin', printerLoginBody(first.userToken));
    expect(again.printer_token).not.toBe(first.printerToken);
    const stale = await call(h, 'command', commandBody(first.printerToken, READY));
    expect(stale.error?.code).toBe(COMMAND_ERROR.BAD_TOKEN);
    const { json } = await api(h, first.userToken, 'GET', '/api/printers');
    expect(json.printers).toHaveLength(1);
  });

  it('refuses an unknown user token with error 1', async () => {
    const answer = await call(h, 'printerLogin', printerLoginBody('x'.repeat(43)));
    expect(answer.error?.code).toBe(PRINTER_LOGIN_ERROR.BAD_TOKEN);
  });

  it('an account switch on the same host unregisters the printer from the old account', async () => {
    await withUser(h, BOB);
    const alice = await linkPrinter(h, ALICE);
    const { json: job } = await uploadJob(h, alice.userToken, 1, 'G28\n');
    const bob = await linkPrinter(h, BOB);
    expect((await api(h, alice.userToken, 'GET', '/api/printers')).json.printers).toEqual([]);
    const bobPrinters = (await api(h, bob.userToken, 'GET', '/api/printers')).json.printers;
    expect(bobPrinters).toHaveLength(1);
    const history = (await api(h, alice.userToken, 'GET', '/api/jobs')).json.jobs;
    expect(history[0]).toMatchObject({ id: job.job.id, status: 'cancelled', printer_id: null });
    const old = await call(h, 'command', commandBody(alice.printerToken, READY));
    expect(old.error?.code).toBe(COMMAND_ERROR.BAD_TOKEN);
  });

  it('a printer of another account on another host is refused with 9', async () => {
    await withUser(h, BOB);
    await linkPrinter(h, ALICE, { hostMac: 'host-a' });
    const bobLogin = await call(h, 'userLogin', userLoginBody(BOB, undefined, 'host-b'));
    const answer = await call(h, 'printerLogin', printerLoginBody(bobLogin.user_token as string));
    expect(answer.error?.code).toBe(PRINTER_LOGIN_ERROR.OTHER_ACCOUNT);
  });

  it('a removed printer gets 7 once, then registers anew', async () => {
    const alice = await linkPrinter(h, ALICE);
    const { json } = await api(h, alice.userToken, 'GET', '/api/printers');
    expect(
      (await api(h, alice.userToken, 'DELETE', `/api/printers/${json.printers[0].id}`)).status,
    ).toBe(204);
    const removed = await call(h, 'command', commandBody(alice.printerToken, READY));
    expect(removed.error?.code).toBe(COMMAND_ERROR.BAD_TOKEN);
    const first = await call(h, 'printerLogin', printerLoginBody(alice.userToken));
    expect(first.error?.code).toBe(PRINTER_LOGIN_ERROR.UNLINKED);
    const second = await call(h, 'printerLogin', printerLoginBody(alice.userToken));
    expect(second.printer_token).toBeDefined();
    const after = (await api(h, alice.userToken, 'GET', '/api/printers')).json.printers;
    expect(after).toHaveLength(1);
    expect(after[0].id).not.toBe(json.printers[0].id);
  });
});

describe('command loop and jobs', () => {
  const GCODE = `; a test job\n${Array.from({ length: 50 }, (_, i) => `G1 X${i} Y${i}`).join('\n')}\n`;

  async function readyPrinter() {
    const link = await linkPrinter(h, ALICE);
    expect(await call(h, 'command', commandBody(link.printerToken, READY))).toEqual({});
    const printerId = (await api(h, link.userToken, 'GET', '/api/printers')).json.printers[0].id;
    return { ...link, printerId };
  }

  it('an uploaded job started by the API arrives as a gcodes link that serves Range requests', async () => {
    const p = await readyPrinter();
    const up = await uploadJob(h, p.userToken, p.printerId, GCODE, { start: true });
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({
      started: true,
      job: { status: 'starting', filename: 'cube.gcode' },
    });
    const cmd = await call(h, 'command', commandBody(p.printerToken, READY));
    expect(cmd).toMatchObject({
      command: 'gcodes',
      number: 1,
      is_link: true,
      filename: 'cube.gcode',
      size: Buffer.byteLength(GCODE),
      zip: false,
      job_id: up.json.job.id,
    });
    const link = cmd.payload as string;
    expect(link.startsWith(`${h.url}/streamerapi/download/${up.json.job.id}?`)).toBe(true);

    const full = await fetch(link);
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-type')).toBe('application/octet-stream');
    expect(full.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(full.headers.get('content-encoding')).toBeNull();
    expect(await full.text()).toBe(GCODE);

    const part = await fetch(link, { headers: { range: 'bytes=10-' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-${GCODE.length - 1}/${GCODE.length}`);
    expect(await part.text()).toBe(GCODE.slice(10));

    const beyond = await fetch(link, { headers: { range: `bytes=${GCODE.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${GCODE.length}`);

    const forged = await fetch(link.replace(/sig=[0-9a-f]{4}/, 'sig=0000'));
    expect(forged.status).toBe(403);
    h.clock.t += 25 * 60 * 60_000;
    expect((await fetch(link)).status).toBe(403);
  });

  it('reports move the job through downloading, printing and completed', async () => {
    const p = await readyPrinter();
    const { json } = await uploadJob(h, p.userToken, p.printerId, GCODE, { start: true });
    const id = json.job.id;
    const job = async () =>
      (await api(h, p.userToken, 'GET', '/api/jobs')).json.jobs.find(
        (j: { id: number }) => j.id === id,
      );
    const cmd = await call(h, 'command', commandBody(p.printerToken, READY));
    const ack = { command_ack: { number: cmd.number, result: true } };
    await call(
      h,
      'command',
      commandBody(p.printerToken, { state: 'downloading', percent: 40, clouds_job_id: id }, ack),
    );
    expect(await job()).toMatchObject({ status: 'downloading', percent: 40 });
    await call(
      h,
      'command',
      commandBody(p.printerToken, { state: 'printing', percent: 10, clouds_job_id: id }),
    );
    // Delta compression: the job id is omitted while unchanged.
    await call(h, 'command', commandBody(p.printerToken, { state: 'printing', percent: 55 }));
    expect(await job()).toMatchObject({ status: 'printing', percent: 55 });
    const printer = (await api(h, p.userToken, 'GET', '/api/printers')).json.printers[0];
    expect(printer).toMatchObject({ state: 'printing', percent: 55, job_id: id, online: true });
    await call(h, 'command', commandBody(p.printerToken, { state: 'printing', percent: 100 }));
    await call(h, 'command', commandBody(p.printerToken, { state: 'ready', percent: 100 }));
    expect(await job()).toMatchObject({ status: 'completed', percent: 100, outcome: 'completed' });
  });

  it('pause, resume and cancel arrive as pause, unpause and cancel, one per answer', async () => {
    const p = await readyPrinter();
    const { json } = await uploadJob(h, p.userToken, p.printerId, GCODE, { start: true });
    const id = json.job.id;
    const gcodes = await call(h, 'command', commandBody(p.printerToken, READY));
    const printing = { state: 'printing', percent: 5, clouds_job_id: id } as const;
    let ack: Record<string, unknown> = { command_ack: { number: gcodes.number, result: true } };
    expect(await call(h, 'command', commandBody(p.printerToken, printing, ack))).toEqual({});
    const seen: unknown[] = [];
    for (const action of ['pause', 'resume', 'cancel']) {
      const state = action === 'resume' ? 'paused' : 'printing';
      await call(h, 'command', commandBody(p.printerToken, { ...printing, state }));
      expect(
        (await api(h, p.userToken, 'POST', `/api/printers/${p.printerId}/${action}`)).status,
      ).toBe(202);
      const cmd = await call(h, 'command', commandBody(p.printerToken, { ...printing, state }));
      seen.push([cmd.command, cmd.number]);
      ack = { command_ack: { number: cmd.number, result: true } };
      expect(
        await call(h, 'command', commandBody(p.printerToken, { ...printing, state }, ack)),
      ).toEqual({});
    }
    expect(seen).toEqual([
      ['pause', 2],
      ['unpause', 3],
      ['cancel', 4],
    ]);
    await call(h, 'command', commandBody(p.printerToken, { state: 'cancel' }));
    const jobs = (await api(h, p.userToken, 'GET', '/api/jobs')).json.jobs;
    expect(jobs[0]).toMatchObject({ id, status: 'cancelled', outcome: 'cancelled' });
  });

  it('redelivers an unacknowledged command after the timeout, three times at most', async () => {
    const p = await readyPrinter();
    await call(h, 'command', commandBody(p.printerToken, { state: 'printing', percent: 1 }));
    await api(h, p.userToken, 'POST', `/api/printers/${p.printerId}/pause`);
    await api(h, p.userToken, 'POST', `/api/printers/${p.printerId}/cancel`);
    const printing = { state: 'printing', percent: 1 } as const;
    const first = await call(h, 'command', commandBody(p.printerToken, printing));
    expect(first).toMatchObject({ command: 'pause', number: 1 });
    h.clock.t += 29_000;
    expect(await call(h, 'command', commandBody(p.printerToken, printing))).toEqual({});
    h.clock.t += 2_000;
    expect(await call(h, 'command', commandBody(p.printerToken, printing))).toMatchObject({
      command: 'pause',
      number: 1,
    });
    h.clock.t += 31_000;
    expect(await call(h, 'command', commandBody(p.printerToken, printing))).toMatchObject({
      command: 'pause',
      number: 1,
    });
    h.clock.t += 31_000;
    // Three deliveries without an ack: given up, the next command goes out.
    expect(await call(h, 'command', commandBody(p.printerToken, printing))).toMatchObject({
      command: 'cancel',
      number: 2,
    });
  });

  it('get_queued_jobs lists the queue and start_queued_job starts one', async () => {
    const p = await readyPrinter();
    const a = (await uploadJob(h, p.userToken, p.printerId, GCODE, { filename: 'a.gcode' })).json
      .job.id;
    const b = (await uploadJob(h, p.userToken, p.printerId, GCODE, { filename: 'b.gco' })).json.job
      .id;
    const queue = await call(h, 'getQueuedJobs', { printer_token: p.printerToken });
    expect(queue).toEqual([
      { id: a, filename: 'a.gcode', printing_duration: null },
      { id: b, filename: 'b.gco', printing_duration: null },
    ]);
    const missing = await call(h, 'startQueuedJob', { printer_token: p.printerToken, job_id: 999 });
    expect(missing).toMatchObject({ error: { code: COMMAND_ERROR.JOB_NOT_FOUND } });
    expect(await call(h, 'startQueuedJob', { printer_token: p.printerToken, job_id: b })).toEqual(
      {},
    );
    const busy = await call(h, 'startQueuedJob', { printer_token: p.printerToken, job_id: a });
    expect(busy).toMatchObject({ error: { code: COMMAND_ERROR.PRINTER_BUSY } });
    const cmd = await call(h, 'command', commandBody(p.printerToken, READY));
    expect(cmd).toMatchObject({ command: 'gcodes', job_id: b, filename: 'b.gco' });
  });

  it('a reconnect (reset_job) loses the job unless the report shows it still printing', async () => {
    const p = await readyPrinter();
    const { json } = await uploadJob(h, p.userToken, p.printerId, GCODE, { start: true });
    const id = json.job.id;
    const job = async () => (await api(h, p.userToken, 'GET', '/api/jobs')).json.jobs[0];
    const gcodes = await call(h, 'command', commandBody(p.printerToken, READY));
    const ack = { command_ack: { number: gcodes.number, result: true } };
    await call(
      h,
      'command',
      commandBody(p.printerToken, { state: 'printing', percent: 20, clouds_job_id: id }, ack),
    );
    // Same job still printing after a reconnect: nothing lost.
    const relog = await call(h, 'printerLogin', printerLoginBody(p.userToken));
    const token = relog.printer_token as string;
    await call(
      h,
      'command',
      commandBody(
        token,
        { state: 'printing', percent: 30, clouds_job_id: id },
        { reset_job: true },
      ),
    );
    expect(await job()).toMatchObject({ status: 'printing', percent: 30 });
    // A reconnect that reports ready: the job is lost…
    await call(h, 'command', commandBody(token, READY, { reset_job: true }));
    expect(await job()).toMatchObject({
      status: 'failed',
      outcome: 'lost: the client reconnected',
    });
    // …unless the client later says it finished it (end events queued while the cloud was away).
    await call(h, 'command', commandBody(token, { state: 'printing', percent: 100 }));
    await call(h, 'command', commandBody(token, { state: 'ready', percent: 100 }));
    expect(await job()).toMatchObject({ status: 'completed', outcome: 'completed' });
  });

  it('a cloud restart mid-print keeps the job, and the final events complete it', async () => {
    const p = await readyPrinter();
    const { json } = await uploadJob(h, p.userToken, p.printerId, GCODE, { start: true });
    const id = json.job.id;
    const gcodes = await call(h, 'command', commandBody(p.printerToken, READY));
    const ack = { command_ack: { number: gcodes.number, result: true } };
    await call(
      h,
      'command',
      commandBody(p.printerToken, { state: 'printing', percent: 20, clouds_job_id: id }, ack),
    );
    await h.restart();
    await call(h, 'command', commandBody(p.printerToken, { state: 'printing', percent: 100 }));
    await call(h, 'command', commandBody(p.printerToken, { state: 'ready', percent: 100 }));
    const jobs = (await api(h, p.userToken, 'GET', '/api/jobs')).json.jobs;
    expect(jobs[0]).toMatchObject({ id, status: 'completed' });
  });

  it('a blocking error fails the running job with its message', async () => {
    const p = await readyPrinter();
    const { json } = await uploadJob(h, p.userToken, p.printerId, GCODE, { start: true });
    const gcodes = await call(h, 'command', commandBody(p.printerToken, READY));
    const ack = { command_ack: { number: gcodes.number, result: true } };
    await call(
      h,
      'command',
      commandBody(
        p.printerToken,
        { state: 'printing', percent: 5, clouds_job_id: json.job.id },
        ack,
      ),
    );
    const error = [{ code: 78, message: 'Printer not operational', level: 40 }];
    await call(h, 'command', commandBody(p.printerToken, { state: 'error' }, { error }));
    const jobs = (await api(h, p.userToken, 'GET', '/api/jobs')).json.jobs;
    expect(jobs[0]).toMatchObject({ status: 'failed', outcome: 'Printer not operational' });
  });

  it('camera and sendlogs answer as the client expects', async () => {
    const p = await readyPrinter();
    const camera = await call(h, 'camera', {
      user_token: p.userToken,
      camera_number: 1,
      camera_name: 'Camera1',
      file_data: 'S',
      host_mac: '0xb827eb123456L',
    });
    expect(camera).toEqual({ state: 0 });
    const form = new FormData();
    form.set('user_token', p.userToken);
    form.set('file_data', new Blob([Buffer.from('PK\u0005\u0006')]), 'logs.zip');
    const res = await fetch(`${h.url}${STREAMER_API.sendLogs}`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
  });
});
