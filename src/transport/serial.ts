/**
 * The serial implementation of Transport, and the only file that imports serialport.
 *
 * Choices, each for a printer's sake:
 * - `lock: true` (flock): one host per printer, like OctoPrint; two senders interleaving
 *   G-code on one board ruin the print.
 * - `hupcl: false` states that closing must not drop DTR (that resets Arduino-class boards,
 *   killing an SD print). bindings-cpp 13 only ever *sets* HUPCL, never clears it, so the
 *   tty keeps the kernel default (HUPCL on) unless something ran `stty -hupcl` on it.
 * - Low latency: `set({ lowLatency })` asks Linux for ASYNC_LOW_LATENCY (TIOCSSERIAL); FTDI
 *   chips otherwise hold received bytes up to 16 ms, which slows every `ok`. bindings-cpp
 *   ignores a failure of that one request, so it costs nothing where unsupported.
 */
import { closeSync, constants, openSync, read } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ReadStream as TtyReadStream } from 'node:tty';
import { SerialPort } from 'serialport';
import { type ErrorCode, PrintosError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import type { PortInfo } from './ports.js';
import type { OpenOptions, Transport, TransportOpener } from './transport.js';

/** DTR held low this long resets an ATmega board (its reset capacitor needs a clean edge). */
const RESET_PULSE_MS = 100;
/** close() waits this long for queued writes (a final M84 or M112) before cutting the port. */
const CLOSE_DRAIN_MS = 1_000;

export interface SerialOpenerOptions {
  /** Receives debug notes (modem-line failures on ptys, dropped writes). */
  log?: Logger;
}

export function createSerialOpener(options: SerialOpenerOptions = {}): TransportOpener {
  const log = options.log ?? silentLogger();
  return (open) => openSerialTransport(open, log);
}

export const openSerial: TransportOpener = createSerialOpener();

/** serialport's own listing, for platforms without sysfs (see ports.ts for why not Linux). */
export async function listSerialportPorts(): Promise<PortInfo[]> {
  const ports = await SerialPort.list();
  return ports.map((p) => ({
    path: p.path,
    vid: p.vendorId,
    pid: p.productId,
    serialNumber: p.serialNumber,
    manufacturer: p.manufacturer,
  }));
}

async function openSerialTransport(options: OpenOptions, log: Logger): Promise<Transport> {
  const port = await openPort(options);
  const description = `${options.path}@${options.baudRate}`;
  const portLog = log.child({ port: description });
  const reader = openTtyReader(options.path, portLog);
  if (!reader) reportHangups(port);
  const transport = new SerialTransport(port, reader, description, portLog);
  await configureLines(port, options.resetOnOpen === true, portLog);
  return transport;
}

async function openPort(options: OpenOptions): Promise<SerialPort> {
  try {
    const { path, baudRate } = options;
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true, hupcl: false });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(err) : resolve()));
    });
    return port;
  } catch (err) {
    throw openFailure(err, options.path);
  }
}

/**
 * The bindings' open errors are plain strings ("Error: No such file or directory, cannot
 * open …", "Error Resource temporarily unavailable Cannot lock port", Windows' "Opening
 * COM3: Access denied", which there means another process has it open).
 */
const OPEN_FAILURES: { pattern: RegExp; code: ErrorCode; advice: (path: string) => string }[] = [
  {
    pattern: /no such file|file not found|ENOENT/i,
    code: 'PORT_NOT_FOUND',
    advice: (path) => `No serial port ${path}. Run \`printos ports\` to list the ports found.`,
  },
  {
    pattern: /permission denied|EACCES/i,
    code: 'PORT_OPEN_FAILED',
    advice: (path) =>
      `Permission denied opening ${path}. Add your user to the dialout group ` +
      '(sudo usermod -aG dialout $USER), then log out and in again.',
  },
  {
    pattern: /cannot lock port|resource busy|EBUSY|access denied/i,
    code: 'PORT_OPEN_FAILED',
    advice: (path) =>
      `${path} is in use: another program holds the port (OctoPrint, a slicer, a serial ` +
      'monitor, ModemManager?). Close it and try again.',
  },
];

/** Turns an open error into one that says how to recover. */
export function openFailure(err: unknown, path: string): PrintosError {
  const reason = err instanceof Error ? err.message : String(err);
  const known = OPEN_FAILURES.find((failure) => failure.pattern.test(reason));
  const [code, message] = known
    ? [known.code, known.advice(path)]
    : (['PORT_OPEN_FAILED', `Cannot open ${path}: ${reason}`] as const);
  return new PrintosError(code, message, { path, reason }, err);
}

/**
 * Asserts DTR/RTS and requests low latency; with `reset`, first holds DTR low so the
 * re-assert resets the board. A pty has no modem lines ("Inappropriate ioctl for
 * device"), and some adapters lack them too: the port still works, so this never fails.
 */
async function configureLines(port: SerialPort, reset: boolean, log: Logger): Promise<void> {
  try {
    if (reset) {
      await setLines(port, false);
      await delay(RESET_PULSE_MS);
    }
    await setLines(port, true);
  } catch (err) {
    log.debug({ err }, 'modem lines not settable; no DTR reset or low latency');
  }
}

function setLines(port: SerialPort, asserted: boolean): Promise<void> {
  // A variable, not a literal: lowLatency is Linux-only, absent from the portable type.
  const flags = { dtr: asserted, rts: true, lowLatency: true };
  return new Promise((resolve, reject) =>
    port.set(flags, (err) => (err ? reject(err) : resolve())),
  );
}

/**
 * Reads through libuv's tty handle (epoll, straight into the event loop) instead of
 * serialport's poller, which hands every read to the thread pool: measured on a pty,
 * a round trip took 2.5× as long and cost 3× the CPU per line that way. The reader has
 * its own descriptor, so closing it leaves serialport's (and its lock) alone; termios
 * settings belong to the device, so serialport's baud rate and raw mode apply to both.
 * Returns null where the path is not a tty; serialport then reads as usual.
 */
function openTtyReader(path: string, log: Logger): TtyReadStream | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    return new TtyReadStream(fd);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    log.debug({ err }, 'no tty reader; reading through serialport');
    return null;
  }
}

type NativePort = NonNullable<SerialPort['port']>;
type UnixPort = Extract<NativePort, { poller: unknown }>;

/**
 * bindings-cpp 13 retries a read that returns 0 bytes forever (serialport/bindings-cpp#162).
 * On a non-blocking tty, 0 bytes means the line hung up (USB unplug, pty master gone):
 * the retry spins a CPU at 100% and the disconnect is never reported. Measured here: after
 * killing a pty relay mid-stream the stock read spun in 8 of 10 runs. This read is the
 * same loop with 0 bytes treated as a disconnect, which the stream turns into 'close'.
 */
function reportHangups(port: SerialPort): void {
  const native = port.port;
  if (!native || !('poller' in native)) return; // Windows reads through overlapped I/O instead
  native.read = (buffer, offset, length) => readUntilHangup(native, buffer, offset, length);
}

async function readUntilHangup(native: UnixPort, buffer: Buffer, offset: number, length: number) {
  for (;;) {
    const bytesRead = await readOnce(openFd(native), buffer, offset, length);
    if (bytesRead > 0) return { buffer, bytesRead };
    if (bytesRead === 0) throw new Error('the line hung up');
    // Checked again after the await: close() destroys the poller, and polling it then segfaults.
    openFd(native);
    await new Promise<void>((resolve, reject) => {
      native.poller.once('readable', (err) => (err ? reject(err) : resolve()));
    });
  }
}

/** The stream ignores errors marked canceled: they mean we closed the port ourselves. */
function openFd(native: UnixPort): number {
  if (native.fd === null) throw Object.assign(new Error('Port is not open'), { canceled: true });
  return native.fd;
}

/** Bytes read, 0 on hang-up, or -1 when nothing is waiting (the fd is non-blocking). */
function readOnce(fd: number, buffer: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, null, (err, bytesRead) => {
      if (!err) resolve(bytesRead);
      else if (['EAGAIN', 'EWOULDBLOCK', 'EINTR'].includes(err.code ?? '')) resolve(-1);
      else reject(err);
    });
  });
}

class SerialTransport implements Transport {
  readonly description: string;
  readonly #port: SerialPort;
  readonly #reader: TtyReadStream | null;
  readonly #log: Logger;
  /** Bytes that arrived before onData; reading from the start is what notices a hang-up. */
  #early: Buffer[] = [];
  #dataListener: ((chunk: Buffer) => void) | undefined;
  #closeListener: ((error?: Error) => void) | undefined;
  #closing = false;
  /** Set once the link ended: `{ error }` is what onClose reports. */
  #ended: { error: Error | undefined } | undefined;
  #resolveEnded: () => void = () => {};
  readonly #endedPromise = new Promise<void>((resolve) => {
    this.#resolveEnded = resolve;
  });

  constructor(port: SerialPort, reader: TtyReadStream | null, description: string, log: Logger) {
    this.#port = port;
    this.#reader = reader;
    this.description = description;
    this.#log = log;
    if (reader) {
      reader.on('data', (chunk: Buffer) => this.#deliver(chunk));
      // A vanished device shows as EIO on read, or as end of file.
      reader.on('error', (err: Error) => this.#onReaderEnded(err));
      reader.on('end', () => this.#onReaderEnded(new Error('end of file on the port')));
    } else {
      port.on('data', (chunk: Buffer) => this.#deliver(chunk));
    }
    // 'close' carries a DisconnectedError when serialport noticed the loss; a bare 'close'
    // we did not ask for (the stream destroyed after a write error) is a loss as well.
    port.on('close', (err: Error | null) => this.#onPortClosed(err));
    port.on('error', (err: Error) => this.#onPortError(err));
  }

  write(data: string | Buffer): void {
    if (this.#closing || this.#ended) {
      this.#log.debug({ bytes: data.length }, 'write after close dropped');
      return;
    }
    try {
      this.#port.write(data);
    } catch (err) {
      this.#lose(err instanceof Error ? err : new Error(String(err)));
    }
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.#dataListener = listener;
    for (const chunk of this.#early.splice(0)) listener(chunk);
  }

  onClose(listener: (error?: Error) => void): void {
    this.#closeListener = listener;
    const ended = this.#ended;
    if (ended) queueMicrotask(() => listener(ended.error));
  }

  /** Drops undelivered bytes. serialport's flush is TCIOFLUSH: unsent output goes too. */
  async flushInput(): Promise<void> {
    this.#early = [];
    if (this.#closing || this.#ended) return;
    await new Promise<void>((resolve, reject) => {
      this.#port.flush((err) => (err ? reject(this.#lostError(err)) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (!this.#closing && !this.#ended) {
      this.#closing = true;
      await this.#drainWrites();
      this.#reader?.destroy();
      this.#port.close((err) => {
        if (err) this.#log.debug({ err }, 'close reported an error; treating the port as closed');
        this.#end(undefined);
      });
    }
    return this.#endedPromise;
  }

  /** Waits for queued writes: an empty write completes after every write before it. */
  async #drainWrites(): Promise<void> {
    if (this.#port.writableLength === 0) return;
    const flushed = new Promise<void>((resolve) =>
      this.#port.write(Buffer.alloc(0), () => resolve()),
    );
    await Promise.race([flushed, delay(CLOSE_DRAIN_MS)]);
  }

  #deliver(chunk: Buffer): void {
    const listener = this.#dataListener;
    if (listener) this.#safely(() => listener(chunk));
    else this.#early.push(chunk);
  }

  /** Listeners run inside serialport's callbacks, where a throw would crash the process. */
  #safely(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#log.error({ err }, 'transport listener threw');
    }
  }

  #onPortClosed(err: Error | null): void {
    if (this.#closing) this.#end(undefined);
    else this.#lose(err ?? new Error('the port closed unexpectedly'));
  }

  #onReaderEnded(err: Error): void {
    if (this.#closing || this.#ended) return;
    this.#lose(err);
    if (this.#port.isOpen) this.#port.close(() => {});
  }

  #onPortError(err: Error): void {
    if (this.#closing || this.#ended) {
      this.#log.debug({ err }, 'port error after close ignored');
      return;
    }
    this.#lose(err);
    if (this.#port.isOpen) this.#port.close(() => {});
  }

  #lose(cause: Error): void {
    this.#reader?.destroy();
    this.#end(this.#lostError(cause));
  }

  #lostError(cause: Error): PrintosError {
    return new PrintosError(
      'PORT_LOST',
      `The printer on ${this.description} disconnected (${cause.message}). ` +
        "Check the USB cable and the printer's power.",
      { port: this.description },
      cause,
    );
  }

  #end(error: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = { error };
    this.#resolveEnded();
    const listener = this.#closeListener;
    if (listener) this.#safely(() => listener(error));
  }
}
