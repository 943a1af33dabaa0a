/**
 * Marlin's EMERGENCY_PARSER: a byte-level state machine run on every byte as
 * it arrives (in the RX interrupt, before the RX buffer and even when the byte
 * is then dropped), so M108/M112/M410 act while the queue is full or blocked.
 * It fires at the end of the line, as Marlin's does.
 */
export type EmergencyCommand = 'M108' | 'M112' | 'M410';

type State =
  | 'reset'
  | 'n'
  | 'm'
  | 'm1'
  | 'm10'
  | 'm11'
  | 'm4'
  | 'm41'
  | 'ignore'
  | EmergencyCommand;

const NEXT: Readonly<Partial<Record<State, Readonly<Record<string, State>>>>> = {
  m: { '1': 'm1', '4': 'm4' },
  m1: { '0': 'm10', '1': 'm11' },
  m10: { '8': 'M108' },
  m11: { '2': 'M112' },
  m4: { '1': 'm41' },
  m41: { '0': 'M410' },
};

function isEol(c: string): boolean {
  return c === '\n' || c === '\r';
}

export class EmergencyParser {
  #state: State = 'reset';

  reset(): void {
    this.#state = 'reset';
  }

  /** Feeds one byte; returns the command to act on now, if this byte completed one. */
  feed(byte: number): EmergencyCommand | null {
    const c = String.fromCharCode(byte);
    const state = this.#state;
    if (state === 'M108' || state === 'M112' || state === 'M410') {
      if (!isEol(c)) return null;
      this.#state = 'reset';
      return state;
    }
    this.#state = step(state, c);
    return null;
  }
}

function step(state: State, c: string): State {
  switch (state) {
    case 'reset':
      if (c === ' ' || isEol(c)) return 'reset';
      return c === 'N' ? 'n' : c === 'M' ? 'm' : 'ignore';
    case 'n':
      if ((c >= '0' && c <= '9') || c === '-' || c === ' ') return 'n';
      return c === 'M' ? 'm' : 'ignore';
    case 'ignore':
      return isEol(c) ? 'reset' : 'ignore';
    case 'm':
      if (c === ' ') return 'm';
      return NEXT.m?.[c] ?? 'ignore';
    default:
      return NEXT[state]?.[c] ?? 'ignore';
  }
}
