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
        const firmware = await session.firmwareInfo(options.infoTimeoutMs);
        log.info({ path: options.path, baudRate, firmware: firmware.name }, 'printer connected');
        return { transport, splitter: session.splitter, baudRate, firmware, lastLine: 1 };
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

  async hello(options: HandshakeOptions): Promise<boolean> {
    const deadline = Date.now() + options.answerTimeoutMs;
    while (Date.now() < deadline) {
      this.transport.write(`${frameLine(0, 'M110 N0')}\n`);
      const wait = Math.min(options.helloIntervalMs, deadline - Date.now());
      const answer = await this.#until((m) => m.kind === 'ok', wait);
      if (answer) return true;
    }
    return false;
  }

  async firmwareInfo(timeoutMs: number): Promise<FirmwareFacts> {
    const facts: FirmwareFacts = { capabilities: {} };
    this.transport.write(`${frameLine(1, 'M115')}\n`);
    await this.#until((m) => {
      if (m.kind === 'firmware-info') facts.name = m.name;
      if (m.kind === 'capability') facts.capabilities[m.name] = m.enabled;
      // A repeated hello may still owe an ok; only the ok after the report ends it.
      return m.kind === 'ok' && facts.name !== undefined;
    }, timeoutMs);
    return facts;
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
