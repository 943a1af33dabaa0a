import { PrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { frameLine } from '../gcode/framing.js';
import { LineSplitter, parseRawLine } from '../gcode/line-splitter.js';
import type { FirmwareMessage } from '../gcode/messages.js';
import type { Transport, TransportOpener } from '../transport/transport.js';
import type { FirmwareFacts } from './sender/types.js';

export interface HandshakeOptions {
  path: string;
  baudRates: number[];
  resetOnOpen: boolean;
  /** How long one baud rate gets to answer (a board reset by DTR boots for 1–2 s). */
  answerTimeoutMs: number;
  /** Hello repeated at this period until an answer (the first may be lost to boot garbage). */
  helloIntervalMs: number;
  /** How long to wait for M115's report; firmware without M115 still works. */
  infoTimeoutMs: number;
}

/** Quiet time after a repeated hello, for the earlier hello's late ok. */
const SETTLE_MS = 300;

export const DEFAULT_HANDSHAKE: Omit<HandshakeOptions, 'path' | 'baudRates'> = {
  resetOnOpen: true,
  answerTimeoutMs: 4_000,
  helloIntervalMs: 1_000,
  infoTimeoutMs: 3_000,
};

export interface Connection {
  transport: Transport;
  splitter: LineSplitter;
  baudRate: number;
  firmware: FirmwareFacts;
  /** Last line number used; the sender continues from here. */
  lastLine: number;
}

/**
 * Opens the port and finds a baud rate at which the firmware answers: the
 * hello `N0 M110 N0` (which also resets line numbering) must get an `ok`.
 * Then M115 tells the firmware's name and capabilities.
 */
export async function handshake(
  open: TransportOpener,
  options: HandshakeOptions,
  log: Logger,
): Promise<Connection> {
  const tried: string[] = [];
  for (const baudRate of options.baudRates) {
    const transport = await open({
      path: options.path,
      baudRate,
      resetOnOpen: options.resetOnOpen,
    });
    const session = new HandshakeSession(transport);
    try {
      await transport.flushInput();
      if (await session.hello(options)) {
        const { facts, lastLine } = await session.firmwareInfo(options);
        log.info({ path: options.path, baudRate, firmware: facts.name }, 'printer connected');
        return { transport, splitter: session.splitter, baudRate, firmware: facts, lastLine };
      }
      tried.push(String(baudRate));
      log.debug({ baudRate }, 'no answer at this baud rate');
    } catch (err) {
      await transport.close();
      throw err;
    }
    session.detach();
    await transport.close();
  }
  throw new PrintosError(
    'HANDSHAKE_FAILED',
    `The printer on ${options.path} did not answer at ${tried.join(', ')} baud. Check that it is switched on and that the baud rate matches its firmware (--baud).`,
  );
}

class HandshakeSession {
  readonly splitter = new LineSplitter();
  #waiter: ((message: FirmwareMessage | null) => void) | null = null;
  #closed: Error | undefined | null = null;

  constructor(private readonly transport: Transport) {
    transport.onData((chunk) => {
      for (const raw of this.splitter.push(chunk)) this.#waiter?.(parseRawLine(raw));
    });
    transport.onClose((error) => {
      this.#closed = error ?? new Error('closed');
      this.#waiter?.(null);
    });
  }

  detach(): void {
    this.#waiter = null;
  }

  /**
   * Sends `N0 M110 N0` until the firmware accepts it: an `ok` with no rejection
   * (checksum error, resend request) before it. Numbering then starts at 1.
   */
  async hello(options: HandshakeOptions): Promise<boolean> {
    const deadline = Date.now() + options.answerTimeoutMs;
    let sent = 0;
    while (Date.now() < deadline) {
      this.transport.write(`${frameLine(0, 'M110 N0')}\n`);
      sent++;
      const wait = Math.min(options.helloIntervalMs, deadline - Date.now());
      if ((await this.#answer(wait, () => true)) === 'accepted') {
        // An earlier hello may still draw its ok; let it arrive now, not in the sender's count.
        if (sent > 1) await this.#until(() => false, SETTLE_MS);
        return true;
      }
    }
    return false;
  }

  /**
   * Asks M115 for the firmware's name and capabilities. A rejected M115 (noise on
   * the line) is retried after a new hello; firmware without M115 still works.
   * Returns the facts and the last line number the firmware accepted.
   */
  async firmwareInfo(
    options: HandshakeOptions,
  ): Promise<{ facts: FirmwareFacts; lastLine: number }> {
    const facts: FirmwareFacts = { capabilities: {} };
    for (let attempt = 0; attempt < 3; attempt++) {
      this.transport.write(`${frameLine(1, 'M115')}\n`);
      const answer = await this.#answer(options.infoTimeoutMs, (m) => {
        if (m.kind === 'firmware-info') facts.name = m.name;
        if (m.kind === 'capability') facts.capabilities[m.name] = m.enabled;
        // M115's ok follows its report; a bare ok before it is not M115's.
        return facts.name !== undefined;
      });
      if (answer === 'accepted') return { facts, lastLine: 1 };
      // Rejected or unanswered: resynchronise the numbering, then retry or go on without M115.
      if (!(await this.hello(options)) || answer === 'timeout') break;
    }
    return { facts, lastLine: 0 };
  }

  /**
   * Waits for the `ok` that ends the last command, noting whether the firmware
   * rejected it first. `observe` sees every message and says whether an ok may end the wait.
   */
  async #answer(
    timeoutMs: number,
    observe: (message: FirmwareMessage) => boolean,
  ): Promise<'accepted' | 'rejected' | 'timeout'> {
    let rejected = false;
    const done = await this.#until((m) => {
      const okEnds = observe(m);
      if (m.kind === 'resend') rejected = true;
      return m.kind === 'ok' && (okEnds || rejected);
    }, timeoutMs);
    if (!done) return 'timeout';
    return rejected ? 'rejected' : 'accepted';
  }

  /** Resolves true once a message matches, false on timeout; rejects if the port closes. */
  #until(match: (message: FirmwareMessage) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (value: boolean, error?: Error) => {
        clearTimeout(timer);
        this.#waiter = null;
        if (error) reject(error);
        else resolve(value);
      };
      if (this.#closed !== null) return finish(false, portLost(this.#closed));
      this.#waiter = (message) => {
        if (message === null) finish(false, portLost(this.#closed ?? undefined));
        else if (match(message)) finish(true);
      };
    });
  }
}

function portLost(error: Error | undefined): PrintosError {
  return new PrintosError(
    'PORT_LOST',
    `The port closed during the handshake: ${error?.message ?? 'closed'}`,
  );
}
