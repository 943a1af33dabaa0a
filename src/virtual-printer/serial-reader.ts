import { type EmergencyCommand, EmergencyParser } from './emergency-parser.js';
import { corruptLine, type FaultDraw, type FaultPlan, NO_FAULTS } from './faults.js';
import {
  type CheckedLine,
  checkLine,
  LINE_ERROR_TEXT,
  LineAssembler,
  type LineError,
} from './line-reader.js';
import type { Machine } from './machine.js';
import type { FaultKind } from './options.js';
import { RxBuffer } from './wire.js';

/** A validated command on its way into the command queue. */
export interface AcceptedCommand {
  line: number | null;
  command: string;
  /** drop-ok fault: execute, but never acknowledge. */
  dropOk: boolean;
  /** spurious-resend fault: after the ok, also ask for this very line again. */
  spuriousResend: boolean;
}

export interface SerialReaderDeps {
  machine: Machine;
  faults: FaultPlan;
  /** Marlin reads RX only while the command queue has a free slot. */
  queueFull(): boolean;
  accept(command: AcceptedCommand): void;
  emergency(command: EmergencyCommand): void;
  /** reset / disconnect faults: the line that triggered them is lost. */
  linkFault(kind: 'reset' | 'disconnect'): void;
}

/**
 * The receiving half of Marlin's serial handling: the RX ring, the emergency
 * parser in front of it, and get_serial_commands() behind it.
 */
export class SerialReader {
  readonly #deps: SerialReaderDeps;
  readonly #rx: RxBuffer;
  readonly #emergency = new EmergencyParser();
  readonly #assembler = new LineAssembler();
  #lastN = 0;

  constructor(deps: SerialReaderDeps) {
    this.#deps = deps;
    this.#rx = new RxBuffer(deps.machine.options.rxBufferBytes);
  }

  get lastLine(): number {
    return this.#lastN;
  }

  set lastLine(n: number) {
    this.#lastN = n;
  }

  /** Nothing waits in RX (Marlin's "no serial data available"). */
  get rxEmpty(): boolean {
    return this.#rx.length === 0;
  }

  /** A reboot: RX, partial line, emergency parser and line numbering start over. */
  reset(): void {
    this.#rx.clear();
    this.#assembler.reset();
    this.#emergency.reset();
    this.#lastN = 0;
  }

  /** One byte off the wire, as the RX interrupt sees it. */
  receive(byte: number): void {
    const counters = this.#deps.machine.recorder.counters;
    counters.bytesReceived++;
    const urgent = this.#emergency.feed(byte);
    if (!this.#rx.push(byte)) counters.rxBytesDropped++;
    if (urgent) this.#deps.emergency(urgent);
    this.pump();
  }

  /** Moves bytes from RX into lines while the queue has room (Marlin's main loop does this constantly). */
  pump(): void {
    const machine = this.#deps.machine;
    while (!machine.halted && !this.#deps.queueFull()) {
      const byte = this.#rx.shift();
      if (byte < 0) return;
      const line = this.#assembler.feed(byte);
      if (line) this.#handleLine(line);
    }
  }

  #handleLine(raw: Uint8Array): void {
    this.#deps.machine.recorder.counters.linesReceived++;
    let checked = this.#check(raw);
    // Faults hit a line the first time it would be accepted, so its resend goes through.
    const draw =
      checked.kind === 'accepted' && checked.line !== null
        ? this.#takeFaults(checked.line)
        : NO_FAULTS;
    const has = (kind: FaultKind) => draw.kinds.includes(kind);
    if (has('reset')) return this.#deps.linkFault('reset');
    if (has('disconnect')) return this.#deps.linkFault('disconnect');
    if (has('corrupt')) checked = this.#check(corruptLine(raw, draw.random));
    if (checked.kind === 'duplicate') return;
    if (checked.kind === 'rejected') return this.#lineError(checked.error);
    if (checked.line !== null) this.#lastN = checked.line;
    this.#deps.accept({
      line: checked.line,
      command: checked.command,
      dropOk: has('drop-ok'),
      spuriousResend: has('spurious-resend'),
    });
  }

  #check(line: Uint8Array): CheckedLine {
    return checkLine(line, this.#lastN, this.#deps.machine.options.skipDuplicateLines);
  }

  #takeFaults(line: number): FaultDraw {
    const draw = this.#deps.faults.take(line);
    const injected = this.#deps.machine.recorder.counters.faultsInjected;
    for (const kind of draw.kinds) injected[kind]++;
    return draw;
  }

  /** Marlin's gcode_line_error + flush_and_request_resend: error, RX flushed, Resend, plain ok. */
  #lineError(error: LineError): void {
    const machine = this.#deps.machine;
    const counters = machine.recorder.counters;
    machine.say(`Error:${LINE_ERROR_TEXT[error]}${this.#lastN}`);
    counters.rxBytesFlushed += this.#rx.clear();
    machine.say(`Resend: ${this.#lastN + 1}`);
    machine.say('ok');
    counters.errors++;
    counters.resendsRequested++;
  }
}
