import { describe, expect, it } from 'vitest';
import { commandRequestSchema, ERROR_LEVEL } from '../streamer-api/index.js';
import { ErrorList } from './error-list.js';
import { Outbox } from './outbox.js';
import type { PrinterSnapshot } from './types.js';

const ready: PrinterSnapshot = { state: 'ready', temperatures: [], job: null };
const printing: PrinterSnapshot = {
  state: 'printing',
  temperatures: [],
  job: { filename: 'a.gcode', percent: 5, line: 3 },
};

describe('ErrorList', () => {
  it('de-duplicates by code while active, forgets after the TTL from delivery', () => {
    const list = new ErrorList(60_000);
    expect(list.add(40, 'unknown', ERROR_LEVEL.info)).toBe(true);
    expect(list.add(40, 'unknown again', ERROR_LEVEL.info)).toBe(false);
    const sent = list.pending();
    expect(sent).toEqual([{ code: 40, message: 'unknown', level: 20 }]);
    list.delivered(sent, 1000);
    expect(list.pending()).toEqual([]);
    expect(list.add(40, 'still active', ERROR_LEVEL.info)).toBe(false);
    list.expire(60_999);
    expect(list.add(40, 'still active', ERROR_LEVEL.info)).toBe(false);
    list.expire(61_000);
    expect(list.add(40, 'again', ERROR_LEVEL.info)).toBe(true);
  });

  it('an undelivered error never expires', () => {
    const list = new ErrorList(10);
    list.add(5, 'down', ERROR_LEVEL.info);
    list.expire(1_000_000);
    expect(list.pending()).toHaveLength(1);
  });

  it('an error added while a request is in flight is not marked by its answer', () => {
    const list = new ErrorList(10);
    list.add(1, 'a', ERROR_LEVEL.info);
    const sent = list.pending();
    list.add(2, 'b', ERROR_LEVEL.blocking);
    list.delivered(sent, 0);
    expect(list.pending().map((e) => e.code)).toEqual([2]);
  });
});

describe('Outbox', () => {
  it('composes a valid request and changes nothing until delivered', () => {
    const outbox = new Outbox(60_000);
    outbox.newSession();
    outbox.setAck({ number: 4, result: true });
    outbox.addEvents([{ state: 'cancel' }]);
    outbox.report(109, 'boom', ERROR_LEVEL.info);
    outbox.addConsole(['ok T:20']);
    const first = outbox.compose('tok', ready, null, 0);
    expect(commandRequestSchema.parse(first.body)).toEqual(first.body);
    expect(first.body).toMatchObject({
      command_ack: { number: 4, result: true },
      error: [{ code: 109, message: 'boom', level: 20 }],
      reset_job: true,
      report: { state: 'cancel', response: ['ok T:20'] },
    });
    // Not delivered (outage): the same again.
    expect(outbox.compose('tok', ready, null, 1).body).toEqual(first.body);
    first.delivered(2);
    const second = outbox.compose('tok', ready, null, 3).body;
    expect(second).toEqual({
      printer_token: 'tok',
      report: { state: 'ready', percent: 0, temps: [0, 0], target_temps: [0, 0] },
    });
  });

  it('events go one per request, in order', () => {
    const outbox = new Outbox(60_000);
    outbox.addEvents([
      { state: 'printing', percent: 100 },
      { state: 'ready', percent: 100 },
    ]);
    const a = outbox.compose('t', ready, null, 0);
    a.delivered(0);
    const b = outbox.compose('t', ready, null, 0);
    b.delivered(0);
    const c = outbox.compose('t', ready, null, 0);
    expect([a, b, c].map((r) => r.body.report.state)).toEqual(['printing', 'ready', 'ready']);
    expect(a.body.report.percent).toBe(100);
  });

  it('no reset_job while a job survives the reconnect', () => {
    const outbox = new Outbox(60_000);
    outbox.newSession();
    const during = outbox.compose('t', printing, null, 0);
    expect(during.body.reset_job).toBeUndefined();
    during.delivered(0);
    outbox.newSession();
    expect(outbox.compose('t', ready, null, 0).body.reset_job).toBe(true);
  });

  it('a newer ack is not dropped by the delivery of an older one', () => {
    const outbox = new Outbox(60_000);
    outbox.setAck({ number: 1, result: true });
    const request = outbox.compose('t', ready, null, 0);
    outbox.setAck({ number: 2, result: false });
    request.delivered(0);
    expect(outbox.compose('t', ready, null, 0).body.command_ack).toEqual({
      number: 2,
      result: false,
    });
  });
});
