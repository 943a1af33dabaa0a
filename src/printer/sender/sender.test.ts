import { describe, expect, it } from 'vitest';
import { frameLine } from '../../gcode/framing.js';
import type { FirmwareMessage } from '../../gcode/messages.js';
import { Sender } from './sender.js';
import {
  DEFAULT_SENDER_CONFIG,
  type JobLine,
  type SenderAction,
  type SenderConfig,
  type SenderEvent,
} from './types.js';

const config = (overrides: Partial<SenderConfig> = {}): SenderConfig => ({
  ...DEFAULT_SENDER_CONFIG,
  ...overrides,
});

function jobLines(commands: string[]): JobLine[] {
  let offset = 0;
  return commands.map((command, i) => {
    offset += command.length + 1;
    return { command, fileLine: i + 1, endOffset: offset };
  });
}

/** Drives a Sender like the driver does, keeping what it wrote and emitted. */
class Harness {
  readonly sender: Sender;
  readonly written: string[] = [];
  readonly events: SenderEvent[] = [];
  requests: number[] = [];
  now = 0;

  constructor(
    cfg: SenderConfig = config(),
    capabilities: Record<string, boolean> = { AUTOREPORT_TEMP: true },
  ) {
    this.sender = new Sender(cfg, { name: 'Marlin', capabilities }, 1, 0);
  }

  #take(actions: SenderAction[]): SenderAction[] {
    for (const action of actions) {
      if (action.type === 'write') this.written.push(...action.data.split('\n').filter(Boolean));
      if (action.type === 'event') this.events.push(action.event);
      if (action.type === 'request-lines') this.requests.push(action.max);
    }
    return actions;
  }

  start(commands: string[], done = true): this {
    this.#take(
      this.sender.handle({
        type: 'job-start',
        name: 'test.gcode',
        totalBytes: 1000,
        now: this.now,
      }),
    );
    return this.lines(commands, done);
  }

  lines(commands: string[], done = true): this {
    this.#take(
      this.sender.handle({ type: 'job-lines', lines: jobLines(commands), done, now: this.now }),
    );
    return this;
  }

  say(message: FirmwareMessage): this {
    this.#take(this.sender.handle({ type: 'message', message, now: this.now }));
    return this;
  }

  ok(extra: Partial<Extract<FirmwareMessage, { kind: 'ok' }>> = {}): this {
    return this.say({ kind: 'ok', ...extra });
  }

  tick(advanceMs: number): this {
    this.now += advanceMs;
    this.#take(this.sender.handle({ type: 'tick', now: this.now }));
    return this;
  }

  do(type: 'pause' | 'resume' | 'cancel' | 'emergency-stop'): this {
    this.#take(this.sender.handle({ type, now: this.now }));
    return this;
  }

  command(command: string): this {
    this.#take(this.sender.handle({ type: 'command', command, now: this.now }));
    return this;
  }

  /** Commands written, without framing. */
  commands(): string[] {
    return this.written.map((w) => w.replace(/^N\d+ /, '').replace(/\*\d+$/, ''));
  }

  numbers(): (number | null)[] {
    return this.written.map((w) => {
      const m = /^N(\d+) /.exec(w);
      return m ? Number(m[1]) : null;
    });
  }

  finished() {
    const e = this.events.find((x) => x.type === 'job-finished');
    return e?.type === 'job-finished' ? e.result : undefined;
  }
}

const moves = (n: number) => Array.from({ length: n }, (_, i) => `G1 X${i} Y${i}`);

describe('Sender flow control', () => {
  it('keeps one line in flight in ping-pong mode', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(50));
    expect(h.written.length).toBe(1);
  });

  it.each([
    // [rx buffer, slots]: lines past the first `slots` must fit in 3/4 of the RX buffer, and one more would not
    [128, 1],
    [128, 4],
    [64, 1],
    [256, 2],
  ] as const)('window, rx %d bytes, %d command slots: fills RX exactly', (rx, slots) => {
    const h = new Harness(config({ rxBufferBytes: rx, commandSlots: slots })).start(moves(50));
    const bytes = h.written.map((w) => w.length + 1);
    const inRx = bytes.slice(slots).reduce((a, b) => a + b, 0);
    const budget = Math.floor(rx * 0.75);
    const next = frameLine(h.written.length + 2, moves(50)[h.written.length] ?? '').length + 1;
    expect(inRx).toBeLessThanOrEqual(budget);
    expect(inRx + next).toBeGreaterThan(budget);
  });

  it('numbers every line after the handshake line and keeps order', () => {
    const h = new Harness().start(moves(3));
    expect(h.numbers()).toEqual([2, 3, 4]);
    expect(h.commands()).toEqual(moves(3));
  });

  it('sends one more line for each ok', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(5));
    h.ok().ok();
    expect(h.commands()).toEqual(moves(3));
  });

  it('learns the command buffer from ADVANCED_OK and fills it', () => {
    const h = new Harness().start(moves(50));
    const before = h.written.length;
    h.ok({ line: 2, plannerFree: 15, bufferFree: 3 });
    expect(h.sender.commandSlots).toBe(4);
    expect(h.written.length).toBeGreaterThan(before + 1);
  });

  it('acknowledges through the ADVANCED_OK line number, recovering a lost ok', () => {
    const h = new Harness().start(moves(50));
    const inFlight = h.sender.inFlight;
    h.ok({ line: 3, plannerFree: 15, bufferFree: 0 });
    // lines 2 and 3 are acknowledged by one ok: the ok of line 2 was lost
    expect(h.sender.progress()?.linesAcked).toBe(2);
    expect(h.sender.inFlight).toBeGreaterThanOrEqual(inFlight - 2);
  });

  it('injects host commands between job lines', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(3));
    h.command('M106 S255').ok().ok();
    expect(h.commands()).toEqual(['G1 X0 Y0', 'M106 S255', 'G1 X1 Y1']);
  });

  it('asks for more lines when its read-ahead runs low', () => {
    const h = new Harness(config({ readAheadLines: 10 }));
    h.start(moves(2), false);
    // one request at the start, one more once the two lines went out
    expect(h.requests).toEqual([10, 10]);
    h.tick(100).tick(100);
    expect(h.requests).toEqual([10, 10]);
  });
});

describe('Sender resends', () => {
  it('rewinds to the requested line and swallows the error ok', () => {
    const h = new Harness(config({ flow: 'window', commandSlots: 1 })).start(moves(20));
    const sentBefore = h.written.length; // lines 2..7
    h.say({ kind: 'error', errorClass: 'checksum', message: 'checksum mismatch, Last Line: 2' })
      .say({ kind: 'resend', line: 3 })
      .ok();
    const resent = h.numbers().slice(sentBefore);
    expect(resent[0]).toBe(3);
    expect(resent).toEqual([...resent].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  it('suppresses duplicate requests caused by lines already on the wire', () => {
    const h = new Harness().start(moves(20));
    h.say({ kind: 'resend', line: 3 }).ok();
    const afterFirst = h.written.length;
    // lines 4..7 reach the firmware after its flush: each draws "Resend: 3"
    h.say({ kind: 'resend', line: 3 }).ok().say({ kind: 'resend', line: 3 }).ok();
    expect(h.written.length).toBe(afterFirst);
    const resends = h.events.filter((e) => e.type === 'resend');
    expect(resends.map((e) => e.type === 'resend' && e.suppressed)).toEqual([false, true, true]);
  });

  it('fails the job after too many consecutive requests for one line', () => {
    const h = new Harness(config({ flow: 'ping-pong', maxConsecutiveResends: 3 })).start(moves(5));
    for (let i = 0; i < 4; i++) h.say({ kind: 'resend', line: 2 }).ok();
    expect(h.finished()?.error?.code).toBe('RESEND_LIMIT');
    expect(h.sender.state).toBe('error');
  });

  it('ignores a request for an acknowledged line unless the firmware insists', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(10));
    h.ok().ok();
    const sent = h.written.length;
    h.say({ kind: 'resend', line: 3 }).ok().say({ kind: 'resend', line: 3 }).ok();
    expect(h.written.length).toBe(sent);
    h.say({ kind: 'resend', line: 3 }).ok();
    expect(h.numbers().slice(sent)).toEqual([3]);
  });

  it('fails when the requested line is no longer in the history', () => {
    const h = new Harness(config({ flow: 'ping-pong', historySize: 4 })).start(moves(10));
    for (let i = 0; i < 6; i++) h.ok();
    for (let i = 0; i < 3; i++) h.say({ kind: 'resend', line: 2 }).ok();
    expect(h.finished()?.error?.code).toBe('RESEND_OUT_OF_HISTORY');
  });

  it('ignores a request for a line not sent yet', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(10));
    h.say({ kind: 'resend', line: 40 });
    expect(h.sender.state).toBe('printing');
  });
});

describe('Sender timeouts', () => {
  it('probes with M105 after a lost ok and never re-sends the job line', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(2));
    h.tick(1000).tick(5000);
    expect(h.commands()).toEqual(['G1 X0 Y0', 'M105']);
    // the M105 answer proves line 2 was processed too
    h.ok({ temperatures: [{ id: 'T0', current: 20 }] });
    expect(h.commands()).toEqual(['G1 X0 Y0', 'M105', 'G1 X1 Y1']);
    h.ok();
    expect(h.finished()?.outcome).toBe('completed');
  });

  it('waits longer for long commands, and busy keepalives keep it alive', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(['G28', 'G1 X1']);
    h.tick(6000);
    expect(h.commands()).toEqual(['G28']);
    h.say({ kind: 'busy', reason: 'processing' })
      .tick(2000)
      .say({ kind: 'busy', reason: 'processing' })
      .tick(2000);
    expect(h.commands()).toEqual(['G28']);
    h.tick(8000);
    expect(h.commands()).toEqual(['G28', 'M105']);
  });

  it('gives up after the probes go unanswered', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(2));
    for (let i = 0; i < 8; i++) h.tick(6000);
    expect(h.finished()?.error?.code).toBe('PRINTER_NOT_RESPONDING');
  });

  it('polls temperatures when the firmware does not autoreport', () => {
    const h = new Harness(config(), {});
    h.tick(2500);
    expect(h.commands()).toEqual(['M105']);
    h.tick(2500);
    expect(h.commands()).toEqual(['M105']);
  });

  it('does not poll when the firmware autoreports', () => {
    const h = new Harness(config(), { AUTOREPORT_TEMP: true });
    h.tick(2500).tick(2500);
    expect(h.written).toEqual([]);
  });
});

describe('Sender job control', () => {
  it('completes when every line is acknowledged, with progress', () => {
    const h = new Harness().start(moves(3));
    h.ok().ok().ok();
    const result = h.finished();
    expect(result).toMatchObject({ outcome: 'completed', linesAcked: 3, lastAckedFileLine: 3 });
    expect(h.sender.state).toBe('ready');
  });

  it('pauses after the lines in flight drain, and resumes', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(4));
    h.do('pause');
    expect(h.sender.state).toBe('pausing');
    h.ok();
    expect(h.sender.state).toBe('paused');
    expect(h.commands()).toEqual(['G1 X0 Y0']);
    h.do('resume');
    expect(h.commands()).toEqual(['G1 X0 Y0', 'G1 X1 Y1']);
  });

  it('cancels: no more job lines, then heaters off and motion stopped', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(4));
    h.do('cancel');
    expect(h.sender.state).toBe('cancelling');
    h.ok();
    for (let i = 0; i < 4; i++) h.ok();
    expect(h.commands()).toEqual(['G1 X0 Y0', 'M410', 'M104 S0', 'M140 S0', 'M107']);
    expect(h.finished()?.outcome).toBe('cancelled');
  });

  it('interrupts a heating wait when cancelled', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(['M109 S210', 'G1 X1']);
    h.do('cancel');
    expect(h.written).toContain('M108');
  });

  it('breaks each heating wait in flight in turn when cancelled, then cools down', () => {
    // Marlin ignores an M108 that arrives before a wait begins: the M109 queued behind
    // the M190 needs its own, once the M190's ok says it is the one executing.
    const h = new Harness().start(['M140 S60', 'M190 S60', 'M109 S210', 'G1 X1']);
    const m108s = () => h.commands().filter((c) => c === 'M108').length;
    h.ok(); // M140
    h.do('cancel');
    expect(m108s()).toBe(1);
    h.ok(); // the M190, broken
    expect(m108s()).toBe(2);
    h.ok().ok().ok().ok(); // the M109, G1 X1 and both M108s
    expect(h.commands().slice(-4)).toEqual(['M410', 'M104 S0', 'M140 S0', 'M107']);
    h.ok().ok().ok().ok();
    expect(h.finished()?.outcome).toBe('cancelled');
    expect(m108s()).toBe(2);
  });

  it.each([
    [true, 2],
    [false, 1],
  ])(
    'with an emergency parser (%s), repeats M108 while a wait goes on: %d sent',
    (parser, sent) => {
      const h = new Harness(config(), { AUTOREPORT_TEMP: true, EMERGENCY_PARSER: parser });
      h.start(['M109 S210', 'G1 X1']).do('cancel');
      h.tick(DEFAULT_SENDER_CONFIG.timeouts.okMs - 100);
      expect(h.commands().filter((c) => c === 'M108')).toHaveLength(1);
      h.tick(200);
      expect(h.commands().filter((c) => c === 'M108')).toHaveLength(sent);
    },
  );

  it('sends M112 at once, past a full window', () => {
    const h = new Harness().start(moves(50));
    h.do('emergency-stop');
    expect(h.written.at(-1)).toBe('M112');
    expect(h.sender.state).toBe('halted');
    expect(h.finished()?.error?.code).toBe('EMERGENCY_STOP');
  });

  it('fails cleanly on a firmware reset, naming the last acknowledged line', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(5));
    h.ok().ok().say({ kind: 'start' });
    const result = h.finished();
    expect(result?.error?.code).toBe('FIRMWARE_RESET');
    expect(result?.lastAckedFileLine).toBe(2);
    expect(result?.error?.message).toContain('file line 2');
  });

  it('halts on a kill() error', () => {
    const h = new Harness().start(moves(5));
    h.say({ kind: 'error', errorClass: 'kill', message: 'Printer halted. kill() called!' });
    expect(h.sender.state).toBe('halted');
    expect(h.finished()?.error?.code).toBe('FIRMWARE_ERROR');
  });

  it('fails on a lost link', () => {
    const h = new Harness().start(moves(5));
    h.sender.handle({
      type: 'link-lost',
      error: new (class extends Error {})('x') as never,
      now: 0,
    });
    expect(h.sender.state).toBe('disconnected');
  });

  it('refuses a line too long for the firmware, stopping safely', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start([`M117 ${'x'.repeat(100)}`]);
    expect(h.sender.state).toBe('cancelling');
    for (let i = 0; i < 4; i++) h.ok();
    expect(h.finished()?.error?.code).toBe('LINE_TOO_LONG');
  });

  it('pauses on a host action from the firmware', () => {
    const h = new Harness(config({ flow: 'ping-pong' })).start(moves(4));
    h.say({ kind: 'action', action: 'pause', argument: '' }).ok();
    expect(h.sender.state).toBe('paused');
  });
});
