import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PrintosError } from '../../src/core/errors.js';
import {
  type Harness,
  JOB_FILE,
  last,
  PRINTER_TOKEN,
  startHarness,
  steps,
  USER_TOKEN,
  until,
} from './link-harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function linked(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  h = await startHarness(options);
  await h.link.step(); // printer_login
  return h;
}

const printingSnapshot = {
  state: 'printing' as const,
  temperatures: [
    { id: 'T0', current: 205.123, target: 205 },
    { id: 'B', current: 60, target: 60 },
  ],
  job: { filename: 'cube.gcode', cloudJobId: 7, percent: 10, line: 50 },
};

describe('printer_login', () => {
  it('sends every §1.6 field, valid per the shared schema, and links', async () => {
    const t = await linked();
    const [login] = t.logins();
    expect(login).toEqual({
      user_token: USER_TOKEN,
      printer: { VID: '2341', PID: '0042', SNR: 'SN1', COM: '/dev/ttyFAKE' },
      version: '0.1.0printos',
      message_time: expect.stringMatching(
        /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/,
      ),
      camera: 'Disable camera',
      verbose: false,
      no_job_fail: true,
      profiles_version: 'v2',
    });
    expect(t.link.state()).toMatchObject({
      phase: 'linked',
      linked: true,
      hasPrinterToken: true,
      cloudName: 'Shelf printer',
    });
    expect(t.cloudStates).toEqual([{ name: 'Shelf printer', connId: 'serial' }]);
  });

  it('error 8 → retries every period, re-sending the known printer type and connection', async () => {
    const t = await linked({
      deps: { cloudState: { printerType: 'PRUSA_MINI', connId: 'serial' } },
      login: (_r, i) =>
        i === 0
          ? { json: { error: { code: 8, message: 'type?' } } }
          : { json: { printer_token: 'P' } },
    });
    expect(t.link.state()).toMatchObject({ phase: 'login', linked: false });
    expect(t.link.state().lastError).toContain('type');
    expect(t.link.nextDelay()).toBeLessThanOrEqual(2000);
    await t.link.step();
    expect(t.link.state().linked).toBe(true);
    expect(t.logins()[1]).toMatchObject({
      select_printer_type: 'PRUSA_MINI',
      select_conn_id: 'serial',
    });
  });

  it.each([7, 9])('error %s → onUnlinked, and the loop stops', async (code) => {
    const t = await linked({ login: () => ({ json: { error: { code, message: 'gone' } } }) });
    expect(t.unlinked).toEqual([code]);
    expect(t.link.state()).toMatchObject({ phase: 'unlinked', linked: false });
    expect(t.printer.listeners()).toBe(0);
    await steps(t, 2);
    expect(t.cloud.requests).toHaveLength(1);
  });

  it('another error → critical stop with a clear lastError', async () => {
    const t = await linked({ login: () => ({ json: { error: { code: 42, message: 'Broken' } } }) });
    expect(t.link.state()).toMatchObject({ phase: 'failed', linked: false });
    expect(t.link.state().lastError).toMatch(/Critical error on printer login \(code 42\): Broken/);
    expect(t.unlinked).toEqual([]);
  });

  it('an unreachable cloud → retried with back-off; no token → retried too', async () => {
    const t = await linked({
      login: (_r, i) =>
        i === 0 ? { status: 502 } : i === 1 ? { json: {} } : { json: { printer_token: 'P' } },
    });
    expect(t.link.state().phase).toBe('login');
    expect(t.link.nextDelay()).toBe(2000);
    await t.link.step();
    expect(t.link.nextDelay()).toBe(4000);
    await t.link.step();
    expect(t.link.state().linked).toBe(true);
  });
});

describe('the command loop', () => {
  it('every request is valid; reset_job only on the first after login', async () => {
    const t = await linked();
    await steps(t, 3);
    const [first, second, third] = t.commands();
    expect(first).toMatchObject({
      printer_token: PRINTER_TOKEN,
      reset_job: true,
      report: { state: 'ready', percent: 0, temps: [0, 0], target_temps: [0, 0] },
    });
    expect(second?.reset_job).toBeUndefined();
    expect(third?.reset_job).toBeUndefined();
    expect(t.link.state().lastContact).toBe(t.clock.now());
  });

  it('delta compression counts only delivered reports', async () => {
    const t = await linked();
    t.printer.current = printingSnapshot;
    await t.link.step(); // delivered: line 50
    expect(last(t.commands()).report).toMatchObject({
      line_number: 50,
      filename: 'cube.gcode',
      clouds_job_id: 7,
    });
    await t.link.step(); // unchanged
    expect(last(t.commands()).report).toEqual({
      state: 'printing',
      percent: 10,
      temps: [60, 205.12],
      target_temps: [60, 205],
    });
    t.printer.current = { ...printingSnapshot, job: { ...printingSnapshot.job, line: 60 } };
    t.replies.push({ status: 500 });
    await t.link.step(); // line 60 sent, not delivered
    expect(last(t.commands()).report.line_number).toBe(60);
    await t.link.step(); // so it is sent again
    expect(last(t.commands()).report.line_number).toBe(60);
    await t.link.step();
    expect(last(t.commands()).report.line_number).toBeUndefined();
  });

  it('console lines reach the cloud once, and survive a failed request', async () => {
    const t = await linked();
    t.printer.current = { ...t.printer.current, console: ['ok T:20 /0 B:20 /0'] };
    t.replies.push({ status: 503 });
    await steps(t, 3);
    const responses = t.commands().map((c) => c.report.response);
    expect(responses).toEqual([['ok T:20 /0 B:20 /0'], ['ok T:20 /0 B:20 /0'], undefined]);
  });

  it('acks a command in the next request, kept until delivered', async () => {
    const t = await linked();
    t.replies.push({ json: { command: 'pause', number: 5 } }, { status: 500 });
    await steps(t, 4);
    expect(t.printer.calls).toEqual([{ method: 'pause', args: [] }]);
    const acks = t.commands().map((c) => c.command_ack);
    expect(acks).toEqual([
      undefined,
      { number: 5, result: true },
      { number: 5, result: true },
      undefined,
    ]);
  });

  it.each([
    ['unpause', 'resume'],
    ['resume', 'resume'],
    ['pause', 'pause'],
    ['cancel', 'cancel'],
  ])('%s → printer.%s', async (command, method) => {
    const t = await linked();
    t.replies.push({ json: { command, number: 1 } });
    await steps(t, 2);
    expect(t.printer.calls.map((c) => c.method)).toEqual([method]);
    expect(last(t.commands()).command_ack).toEqual({ number: 1, result: true });
  });

  it('unknown command → 40, bad number → 112, forbidden name → 111; none executed', async () => {
    const t = await linked();
    t.replies.push(
      { json: { command: 'self_destruct', number: 1 } },
      { json: { command: 'pause', number: 'one' } },
      { json: { command: '__class__', number: 3 } },
    );
    await steps(t, 4);
    expect(t.printer.calls).toEqual([]);
    const [, afterUnknown, afterBadNumber, afterForbidden] = t.commands();
    expect(afterUnknown?.command_ack).toEqual({ number: 1, result: false });
    expect(afterUnknown?.error).toEqual([expect.objectContaining({ code: 40, level: 20 })]);
    expect(afterBadNumber?.command_ack).toBeUndefined();
    expect(afterBadNumber?.error).toEqual([expect.objectContaining({ code: 112 })]);
    expect(afterForbidden?.command_ack).toEqual({ number: 3, result: false });
    expect(afterForbidden?.error).toEqual([expect.objectContaining({ code: 111 })]);
  });

  it('a failing command → 109 and ack false; the same code is de-duplicated until 60 s after delivery', async () => {
    const t = await linked();
    const boom = new PrintosError('PRINTER_BUSY', 'not now');
    t.printer.failNext('pause', boom);
    t.replies.push({ json: { command: 'pause', number: 1 } });
    await t.link.step();
    t.printer.failNext('pause', boom);
    t.replies.push({ json: { command: 'pause', number: 2 } });
    await t.link.step(); // carries error 109 for #1
    await t.link.step(); // #2 failed too: same code, still active → not repeated
    const [, second, third] = t.commands();
    expect(second?.error).toEqual([
      { code: 109, message: 'Command pause failed: not now', level: 20 },
    ]);
    expect(second?.command_ack).toEqual({ number: 1, result: false });
    expect(third?.error).toBeUndefined();
    expect(third?.command_ack).toEqual({ number: 2, result: false });
    t.clock.advance(60_000);
    t.printer.failNext('pause', boom);
    t.replies.push({ json: { command: 'pause', number: 3 } });
    await steps(t, 2);
    expect(last(t.commands()).error).toEqual([expect.objectContaining({ code: 109 })]);
  });

  it('console G-code: raw with number -1, base64 otherwise; bad base64 → 113', async () => {
    const t = await linked();
    t.replies.push(
      { json: { command: 'gcodes', number: -1, payload: 'G28\nM105' } },
      { json: { command: 'gcodes', number: 4, payload: Buffer.from('M114\n').toString('base64') } },
      { json: { command: 'gcodes', number: 5, payload: '###' } },
    );
    await steps(t, 4);
    expect(t.printer.calls).toEqual([
      { method: 'sendGcode', args: [['G28', 'M105']] },
      { method: 'sendGcode', args: [['M114']] },
    ]);
    expect(last(t.commands())).toMatchObject({
      command_ack: { number: 5, result: false },
      error: [expect.objectContaining({ code: 113 })],
    });
  });

  it('set_name, quit_application, upload_logs call their hooks', async () => {
    const t = await linked();
    t.replies.push(
      { json: { command: 'set_name', number: 1, payload: ['Big one'] } },
      { json: { command: 'quit_application', number: 2 } },
      { json: { command: 'upload_logs', number: 3 } },
    );
    await steps(t, 4);
    expect(t.printer.calls).toEqual([{ method: 'setName', args: ['Big one'] }]);
    expect(last(t.cloudStates)).toEqual({ name: 'Big one', connId: 'serial' });
    expect(t.link.state().cloudName).toBe('Big one');
    expect(t.quits).toBe(1);
    expect(t.uploads).toBe(1);
    expect(last(t.commands()).command_ack).toEqual({ number: 3, result: true });
  });

  it('upload_logs without a hook → 109, ack false', async () => {
    const t = await linked({ deps: { uploadLogs: undefined } });
    t.replies.push({ json: { command: 'upload_logs', number: 9 } });
    await steps(t, 2);
    expect(last(t.commands())).toMatchObject({
      command_ack: { number: 9, result: false },
      error: [expect.objectContaining({ code: 109 })],
    });
  });

  it('a BAD_TOKEN answer → printer_login again, then reset_job and a full report again', async () => {
    const t = await linked();
    t.printer.current = { ...printingSnapshot, state: 'ready', job: null };
    await t.link.step();
    t.replies.push({ json: { error: { code: 1, message: 'bad token' } } });
    await t.link.step();
    expect(t.link.state().phase).toBe('login');
    await steps(t, 2); // login, command
    expect(t.logins()).toHaveLength(2);
    const requests = t.commands();
    expect(requests).toHaveLength(3);
    expect(last(requests).reset_job).toBe(true);
  });

  it('no reset_job when a print survives the re-login (the cloud keeps its job)', async () => {
    const t = await linked();
    t.printer.current = printingSnapshot;
    await t.link.step();
    expect(last(t.commands()).reset_job).toBeUndefined();
  });

  it('a finished job: printing 100 then ready 100; cancelled: cancel; failed: error + blocking error', async () => {
    const t = await linked();
    await t.link.step();
    t.printer.finish({ outcome: 'completed', filename: 'a.gcode' });
    t.printer.finish({ outcome: 'cancelled', filename: 'b.gcode' });
    t.printer.finish({ outcome: 'failed', filename: 'c.gcode', message: 'heater' });
    await steps(t, 5);
    const reports = t
      .commands()
      .slice(1)
      .map((c) => c.report);
    expect(reports.map((r) => [r.state, r.percent])).toEqual([
      ['printing', 100],
      ['ready', 100],
      ['cancel', 0],
      ['error', 0],
      ['ready', 0],
    ]);
    expect(t.commands()[1]?.error).toEqual([
      expect.objectContaining({ code: 610, level: 40, message: expect.stringContaining('heater') }),
    ]);
  });
});

describe('cloud jobs', () => {
  it('downloads the linked job, acks at once, reports downloading, then starts the print', async () => {
    let release: (() => void) | null = null;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const t = await linked({
      files: () => gate.then(() => ({ bytes: JOB_FILE })),
    });
    t.replies.push({
      json: {
        command: 'gcodes',
        number: 11,
        is_link: true,
        payload: t.fileUrl(),
        filename: 'my part.gcode',
        size: JOB_FILE.length,
        job_id: 77,
      },
    });
    await steps(t, 2);
    const during = last(t.commands());
    expect(during.command_ack).toEqual({ number: 11, result: true });
    expect(during.report).toMatchObject({
      state: 'downloading',
      filename: 'my_part.gcode',
      clouds_job_id: 77,
    });
    (release as unknown as () => void)();
    await until(() => t.printer.jobs.length === 1);
    const [job] = t.printer.jobs;
    expect(job?.content.equals(JOB_FILE)).toBe(true);
    expect(job?.request).toMatchObject({
      filename: 'my_part.gcode',
      cloudJobId: 77,
      deleteAfter: true,
    });
    await t.link.step();
    const printing = last(t.commands()).report;
    expect(printing).toMatchObject({ state: 'printing', line_number: 0 });
    // Already delivered while downloading: delta compression leaves them out.
    expect(printing.clouds_job_id).toBeUndefined();
    expect(printing.filename).toBeUndefined();
  });

  it('a second job while downloading → 108 and ack false; cancel stops the download', async () => {
    const t = await linked({ files: () => ({ hang: true }) });
    const job = (number: number) => ({
      json: { command: 'gcodes', number, is_link: true, payload: t.fileUrl(), filename: 'a.gcode' },
    });
    t.replies.push(job(1), job(2), { json: { command: 'cancel', number: 3 } });
    await steps(t, 4);
    const [, afterFirst, afterSecond, afterCancel] = t.commands();
    expect(afterFirst?.command_ack).toEqual({ number: 1, result: true });
    expect(afterSecond).toMatchObject({
      command_ack: { number: 2, result: false },
      error: [expect.objectContaining({ code: 108 })],
    });
    expect(afterCancel?.command_ack).toEqual({ number: 3, result: true });
    expect(afterCancel?.report.state).toBe('ready');
    expect(t.printer.calls.map((c) => c.method)).not.toContain('cancel');
    await until(() => readdirSync(t.downloadsDir).length === 0);
    expect(t.printer.jobs).toEqual([]);
  });

  it('a failed download → blocking error with its code; the loop went on meanwhile', async () => {
    const t = await linked({ files: () => ({ status: 404 }) });
    t.replies.push({
      json: { command: 'gcodes', number: 1, is_link: true, payload: t.fileUrl() },
    });
    await t.link.step();
    await until(() => t.link.activeErrors().length > 0);
    await t.link.step();
    expect(last(t.commands()).error).toEqual([expect.objectContaining({ code: 68, level: 40 })]);
  });

  it('a printer that refuses the job → 604 and the file is deleted', async () => {
    const t = await linked();
    t.printer.current = { ...t.printer.current, state: 'paused' };
    t.replies.push({ json: { command: 'gcodes', number: 1, is_link: true, payload: t.fileUrl() } });
    await t.link.step();
    await until(() => t.link.activeErrors().length > 0);
    expect(t.link.activeErrors()).toEqual([expect.objectContaining({ code: 604, level: 40 })]);
    await until(() => readdirSync(t.downloadsDir).length === 0);
  });
});

describe('back-off and recovery', () => {
  it('backs off while the cloud is down (without touching the printer), then delivers the final events in order', async () => {
    const t = await linked();
    t.printer.current = printingSnapshot;
    await t.link.step();
    const delays: number[] = [];
    // A drop on a kept-alive connection is retried once at once (a stale socket), so it
    // takes the 500 after it along.
    const down = [
      { status: 503 },
      { drop: true },
      { status: 500 },
      { text: 'garbage' },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    ];
    t.replies.push(...(down as never[]));
    for (let i = 0; i < 6; i++) {
      await t.link.step();
      delays.push(t.link.nextDelay());
      if (delays.length === 3) {
        // The print ends while the cloud is away.
        t.printer.current = { ...printingSnapshot, state: 'ready', job: null };
        t.printer.finish({ outcome: 'completed', filename: 'cube.gcode', cloudJobId: 7 });
      }
    }
    expect(delays).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
    expect(t.link.state()).toMatchObject({ linked: true });
    expect(t.link.state().lastError).toMatch(/HTTP 500/);
    expect(t.printer.calls).toEqual([]);
    await steps(t, 3);
    expect(t.link.nextDelay()).toBeLessThanOrEqual(2000);
    const recovered = t.commands().slice(-3);
    expect(recovered.map((c) => [c.report.state, c.report.percent])).toEqual([
      ['printing', 100],
      ['ready', 100],
      ['ready', 0],
    ]);
    // The outage's own errors arrive with the first answered request, once per code.
    const codes = recovered[0]?.error?.map((e) => e.code).sort();
    expect(codes).toEqual([2, 8]);
    expect(recovered[0]?.reset_job).toBeUndefined();
  });

  it('a slow cloud times out and is retried', async () => {
    const t = await linked({ timeoutMs: 100 });
    t.replies.push({ hang: true });
    await t.link.step();
    expect(t.link.state().lastError).toMatch(/no answer within/);
    expect(t.link.nextDelay()).toBe(2000);
    await t.link.step();
    expect(t.link.state().lastError).toBeUndefined();
  });
});

describe('running on its timer', () => {
  it('start() loops by itself; stop() ends requests, the download and the subscription', async () => {
    h = await startHarness({ deps: { clock: undefined, periodMs: 10 } });
    const t = h;
    t.link.start();
    await until(() => t.commands().length >= 3);
    expect(t.printer.listeners()).toBe(1);
    await t.link.stop();
    const count = t.cloud.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.cloud.requests.length).toBe(count);
    expect(t.printer.listeners()).toBe(0);
    expect(t.link.state()).toMatchObject({
      phase: 'stopped',
      linked: false,
      hasPrinterToken: false,
    });
  });
});

describe('secrets', () => {
  it('no token, digest or signed link in the log, even at trace level', async () => {
    const t = await linked({ logLevel: 'trace' });
    t.replies.push(
      { json: { command: 'gcodes', number: 1, is_link: true, payload: t.fileUrl() } },
      { status: 500 },
    );
    await steps(t, 3);
    await until(() => t.printer.jobs.length === 1);
    const text = t.logText();
    expect(text).toContain('cloud request');
    expect(text).toContain('job downloaded');
    for (const secret of [USER_TOKEN, PRINTER_TOKEN, 'SIGNED-SECRET', '/files/job.gcode']) {
      expect(text).not.toContain(secret);
    }
  });
});
