/**
 * The three regimes of the benchmark, as virtual-printer options. Each run
 * starts a fresh virtual printer with these, so runs cannot influence each
 * other through the simulator's state.
 */
export const REGIME_IDS = ['A', 'B', 'C'] as const;
export type RegimeId = (typeof REGIME_IDS)[number];

export interface Regime {
  id: RegimeId;
  title: string;
  /** Time each move occupies the simulated steppers; 0 = no physical limit. */
  moveTimeMs: number;
  /** Arguments for `printos virtual-printer`. */
  printerArgs: string[];
}

/** A USB-serial adapter in front of an AVR Marlin: wire time, link latency, 2 ms per move. */
const WIRE = ['--baud', '250000', '--latency', '4', '--move-time', '2'];

export function regime(id: RegimeId, seed: number): Regime {
  switch (id) {
    case 'A':
      return {
        id,
        title: 'host-bound: no wire time, no latency, execution 0',
        moveTimeMs: 0,
        // Execution 0 means heating and homing too: otherwise ~5 s of fixed
        // waiting would hide the hosts' own cost on the 20k file.
        printerArgs: [
          ...['--baud', '0', '--latency', '0', '--move-time', '0'],
          ...['--home-time', '0', '--heat-rate', '100000'],
        ],
      };
    case 'B':
      return {
        id,
        title: 'USB-serial: 250000 baud wire time, 4 ms one-way latency, 2 ms per move',
        moveTimeMs: 2,
        printerArgs: WIRE,
      };
    case 'C':
      return {
        id,
        title: 'as B, with 1% of lines corrupted on the wire (first reception only)',
        moveTimeMs: 2,
        printerArgs: [
          ...WIRE,
          ...['--fault-rate', '0.01', '--fault-kinds', 'corrupt', '--seed', String(seed)],
        ],
      };
  }
}
