import { realTiming, type Timing } from './clock.js';
import { Engine, type EventSource } from './engine.js';
import { Firmware } from './firmware.js';
import type { PrinterLink } from './link.js';
import { Machine } from './machine.js';
import {
  resolveOptions,
  type VirtualPrinterOptions,
  type VirtualPrinterOptionsInput,
} from './options.js';
import { type ExecutedCommand, Recorder, type VirtualPrinterStats } from './recorder.js';
import { byteTimeMs, InboundWire, OutboundWire } from './wire.js';

export interface VirtualPrinterDeps {
  link: PrinterLink;
  /** Real time unless a test injects a `VirtualClock`. */
  timing?: Timing;
}

/** Why the printer stopped talking: a `disconnect` fault, or the link died under it. */
export type DisconnectReason = 'disconnect-fault' | 'link-lost';

/**
 * A Marlin-like printer on a link. Construct with options (validated, with
 * Marlin defaults), `start()` to boot, `close()` to unplug.
 */
export class VirtualPrinter {
  readonly options: VirtualPrinterOptions;
  readonly #link: PrinterLink;
  readonly #timing: Timing;
  readonly #recorder = new Recorder();
  readonly #inbound: InboundWire;
  readonly #outbound: OutboundWire;
  readonly #machine: Machine;
  readonly #firmware: Firmware;
  readonly #engine: Engine;
  readonly #disconnectListeners = new Set<(reason: DisconnectReason) => void>();
  #closed = false;

  constructor(options: VirtualPrinterOptionsInput, deps: VirtualPrinterDeps) {
    this.options = resolveOptions(options);
    this.#link = deps.link;
    this.#timing = deps.timing ?? realTiming();
    const byteMs = byteTimeMs(this.options.baud);
    this.#inbound = new InboundWire(byteMs, this.options.latencyMs);
    this.#outbound = new OutboundWire(byteMs, this.options.latencyMs);
    const now = this.#timing.now();
    this.#machine = new Machine(this.options, this.#outbound, this.#recorder, now);
    this.#firmware = new Firmware(this.#machine, () => this.#disconnect('disconnect-fault'));
    this.#engine = new Engine(this.#timing, this.#sources(), (time) => {
      this.#machine.time = time;
    });
  }

  /** Boots (`start` + banner) and starts listening to the link. */
  start(): void {
    this.#link.onReceive((chunk) => this.#receive(chunk));
    this.#link.onClosed(() => this.#disconnect('link-lost'));
    this.#machine.time = this.#timing.now();
    this.#firmware.boot();
    this.#engine.poke();
  }

  /** Every executed command in execution order (line null when unnumbered). */
  executed(): readonly ExecutedCommand[] {
    return this.#recorder.executed();
  }

  onExecuted(listener: (entry: ExecutedCommand) => void): () => void {
    return this.#recorder.onRecord(listener);
  }

  stats(): VirtualPrinterStats {
    const underruns = this.#machine.planner.underruns();
    return {
      ...structuredClone(this.#recorder.counters),
      plannerUnderruns: underruns.count,
      plannerStarvedMs: underruns.starvedMs,
    };
  }

  /** Simulated time of the last processed event. */
  get time(): number {
    return this.#engine.time;
  }

  /** Killed by M112: silent until `reset()`. */
  get halted(): boolean {
    return this.#machine.halted;
  }

  onDisconnect(listener: (reason: DisconnectReason) => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => this.#disconnectListeners.delete(listener);
  }

  /** Presses the reset button: reboots now (the only way out of M112's halt). */
  reset(): void {
    this.#engine.runUntil(this.#timing.now());
    this.#machine.time = Math.max(this.#machine.time, this.#timing.now());
    this.#firmware.reset();
    this.#engine.poke();
  }

  /** Stops the simulation and closes the link. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.stop();
    await this.#link.close('virtual printer closed');
  }

  #receive(chunk: Uint8Array): void {
    if (this.#closed || chunk.length === 0) return;
    this.#inbound.push(chunk, this.#timing.now());
    this.#engine.poke();
  }

  #disconnect(reason: DisconnectReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.stop();
    this.#inbound.clear();
    const closing =
      reason === 'link-lost' ? Promise.resolve() : this.#link.close('disconnect fault');
    void closing.finally(() => {
      for (const listener of this.#disconnectListeners) listener(reason);
    });
  }

  #sources(): EventSource[] {
    const firmware: EventSource = {
      nextDue: () => this.#firmware.nextDue(),
      run: () => this.#firmware.run(),
    };
    const inbound: EventSource = {
      nextDue: () => this.#inbound.nextDue(),
      run: () => this.#firmware.receive(this.#inbound.take()),
    };
    const outbound: EventSource = {
      nextDue: () => this.#outbound.nextDue(),
      run: (time) => {
        const text = this.#outbound.takeDue(time);
        if (text !== '') this.#link.send(text);
      },
    };
    return [firmware, inbound, outbound];
  }
}
