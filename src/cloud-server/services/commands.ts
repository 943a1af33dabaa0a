/**
 * The command queue of each printer (protocol doc §1.7.3): one command per answer, in
 * order, numbered per printer. The next command waits for the acknowledgement of the
 * previous one; a delivered command never acknowledged is delivered again after a
 * timeout, at most `maxDeliveries` times in all, then dropped.
 */
import type { CommandAnswer } from '../../streamer-api/index.js';
import type { CommandRow } from '../store/commands.js';
import type { Store } from '../store/index.js';

export interface CommandQueueOptions {
  redeliverAfterMs: number;
  maxDeliveries: number;
}

export const DEFAULT_COMMAND_QUEUE: CommandQueueOptions = {
  redeliverAfterMs: 30_000,
  maxDeliveries: 3,
};

/** The answer fields of a command except `number`, which is assigned when it is queued. */
export type CommandBody = Omit<CommandAnswer, 'number' | 'error'> & { command: string };

export interface NextCommand {
  answer: CommandAnswer | null;
  /** Commands given up on this time (never acknowledged), for their jobs to fail. */
  dropped: CommandRow[];
}

export class CommandQueue {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #options: CommandQueueOptions;

  constructor(store: Store, now: () => number, options: CommandQueueOptions) {
    this.#store = store;
    this.#now = now;
    this.#options = options;
  }

  enqueue(printerId: number, body: CommandBody, jobId: number | null = null): number {
    const { printers, commands } = this.#store;
    const number = printers.takeNumber(printerId);
    commands.insert(printerId, number, body.command, JSON.stringify(body), jobId, this.#now());
    return number;
  }

  /** The command to put in this answer, if any (call inside a transaction). */
  next(printerId: number): NextCommand {
    const { commands } = this.#store;
    const dropped: CommandRow[] = [];
    const now = this.#now();
    for (let head = commands.head(printerId); head; head = commands.head(printerId)) {
      if (head.delivered_at === null) return { answer: this.#deliver(head, now), dropped };
      if (now - head.delivered_at < this.#options.redeliverAfterMs)
        return { answer: null, dropped };
      if (head.deliveries < this.#options.maxDeliveries) {
        return { answer: this.#deliver(head, now), dropped };
      }
      commands.drop(head.id, now);
      dropped.push(head);
    }
    return { answer: null, dropped };
  }

  /** Records an acknowledgement; the command acknowledged, or undefined if unknown. */
  ack(printerId: number, number: number, result: boolean): CommandRow | undefined {
    const { commands, printers } = this.#store;
    const row = commands.byNumber(printerId, number);
    if (!row || row.acked_at !== null) return undefined;
    commands.ack(row.id, result, this.#now());
    printers.setLastAcked(printerId, number);
    return row;
  }

  /** Drops the queued (undelivered or unacknowledged) commands of a job. */
  dropForJob(jobId: number): CommandRow[] {
    const rows = this.#store.commands.pendingForJob(jobId);
    for (const row of rows) this.#store.commands.drop(row.id, this.#now());
    return rows;
  }

  /** After a reconnect: what was delivered and not acknowledged is lost with the client's state. */
  dropDelivered(printerId: number): CommandRow[] {
    return this.#store.commands.dropDelivered(printerId, this.#now());
  }

  #deliver(row: CommandRow, now: number): CommandAnswer {
    this.#store.commands.markDelivered(row.id, now);
    return { ...(JSON.parse(row.body_json) as CommandBody), number: row.number };
  }
}
