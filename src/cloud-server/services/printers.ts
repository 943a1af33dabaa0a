/**
 * Printers: registration by printer_login (protocol doc §1.6), and what an owner does to
 * one (pause, resume, cancel, rename, remove), each delivered as a command.
 *
 * A printer is (host of the user token, VID, PID, SNR) and belongs to one account:
 * - the same identity under another account from the same host = the user switched
 *   accounts: the old registration goes (queued jobs cancelled, history kept);
 * - removed by its owner: the next printer_login answers 7 (UNLINKED) once and forgets it;
 * - a USB serial number registered by another account from another host: 9 (OTHER_ACCOUNT).
 */
import { PrintosError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import {
  PRINTER_LOGIN_ERROR,
  type PrinterId,
  type PrinterLoginAnswer,
} from '../../streamer-api/index.js';
import { randomToken, tokenHash } from '../crypto.js';
import type { Store } from '../store/index.js';
import type { PrinterIdentity, PrinterRow } from '../store/printers.js';
import type { CommandQueue } from './commands.js';
import type { JobService } from './jobs.js';
import { type LiveState, parseJson } from './live.js';

export interface PrinterServiceDeps {
  store: Store;
  now: () => number;
  log: Logger;
  commands: CommandQueue;
  jobs: JobService;
}

export const MAX_PRINTER_NAME = 255;

type LoginResult = PrinterLoginAnswer;

function loginError(code: number, message: string): LoginResult {
  return { error: { code, message } };
}

export class PrinterService {
  readonly #deps: PrinterServiceDeps;

  constructor(deps: PrinterServiceDeps) {
    this.#deps = deps;
  }

  list(accountId: number): PrinterRow[] {
    return this.#deps.store.printers.listForAccount(accountId);
  }

  owned(accountId: number, printerId: number): PrinterRow {
    const printer = this.#deps.store.printers.byId(printerId);
    if (!printer || printer.account_id !== accountId || printer.removed_at !== null) {
      throw new PrintosError('NOT_FOUND', `There is no printer ${printerId}.`);
    }
    return printer;
  }

  /** printer_login: a fresh printer token every time (the old one stops working). */
  login(userToken: string, printer: PrinterId): LoginResult {
    const { store, now, log } = this.#deps;
    const owner = store.accounts.userToken(tokenHash(userToken), now());
    if (!owner)
      return loginError(PRINTER_LOGIN_ERROR.BAD_TOKEN, 'Unknown user token; log in again.');
    const identity: PrinterIdentity = {
      host_mac: owner.host_mac,
      vid: printer.VID,
      pid: printer.PID,
      snr: printer.SNR,
    };
    const token = randomToken();
    const result = store.transaction(() => this.#register(owner.account_id, identity, token));
    if ('error' in result) {
      log.info({ identity, code: result.error.code }, 'printer login refused');
      return loginError(result.error.code, result.error.message);
    }
    log.info({ printer: result.row.id, account: owner.account_id }, 'printer logged in');
    return {
      printer_token: token,
      name: result.row.name,
      printer_profile: {},
      current_groups: [],
      conn_id: 'serial',
    };
  }

  #register(
    accountId: number,
    identity: PrinterIdentity,
    token: string,
  ): { row: PrinterRow } | { error: { code: number; message: string } } {
    const { store, now } = this.#deps;
    const existing = store.printers.byIdentity(identity);
    if (existing && existing.account_id === accountId) {
      if (existing.removed_at !== null) {
        store.printers.delete(existing.id);
        return {
          error: {
            code: PRINTER_LOGIN_ERROR.UNLINKED,
            message: 'This printer was removed from the account.',
          },
        };
      }
      store.printers.setToken(existing.id, tokenHash(token));
      return { row: existing };
    }
    if (existing) this.#forget(existing, 'the printer was linked to another account');
    if (!existing && identity.snr !== '') {
      const moved = store.printers.bySerialElsewhere(identity);
      if (moved && moved.account_id !== accountId) {
        return {
          error: {
            code: PRINTER_LOGIN_ERROR.OTHER_ACCOUNT,
            message: 'This printer belongs to another account.',
          },
        };
      }
      if (moved) {
        store.printers.setHost(moved.id, identity.host_mac);
        store.printers.setToken(moved.id, tokenHash(token));
        return { row: { ...moved, host_mac: identity.host_mac } };
      }
    }
    const name =
      `Printer ${identity.vid}:${identity.pid}${identity.snr ? ` ${identity.snr}` : ''}`.slice(
        0,
        MAX_PRINTER_NAME,
      );
    const id = store.printers.insert(
      { ...identity, account_id: accountId, name, token_hash: tokenHash(token) },
      now(),
    );
    return { row: store.printers.byId(id) as PrinterRow };
  }

  /** Drops a registration for good; its jobs stay in the history, printer-less. */
  #forget(printer: PrinterRow, why: string): void {
    this.#deps.jobs.endAllOf(printer.id, why);
    this.#deps.store.printers.delete(printer.id);
    this.#deps.log.info({ printer: printer.id, account: printer.account_id }, why);
  }

  /** The owner removes a printer: it is told 7 (UNLINKED) at its next printer_login. */
  remove(accountId: number, printerId: number): void {
    const { store, now } = this.#deps;
    store.transaction(() => {
      const printer = this.owned(accountId, printerId);
      this.#deps.jobs.endAllOf(printer.id, 'the printer was removed');
      store.printers.markRemoved(printer.id, now());
    });
  }

  rename(accountId: number, printerId: number, name: string): PrinterRow {
    const clean = name
      .replace(/[\p{Cc}]/gu, ' ')
      .trim()
      .slice(0, MAX_PRINTER_NAME);
    if (clean === '') throw new PrintosError('INVALID_ARGUMENT', 'The name is empty.');
    const { store, commands } = this.#deps;
    return store.transaction(() => {
      const printer = this.owned(accountId, printerId);
      store.printers.rename(printer.id, clean);
      commands.enqueue(printer.id, { command: 'set_name', payload: clean });
      return { ...printer, name: clean };
    });
  }

  pause(accountId: number, printerId: number): void {
    this.#simple(accountId, printerId, 'pause', ['printing', 'downloading']);
  }

  resume(accountId: number, printerId: number): void {
    this.#simple(accountId, printerId, 'unpause', ['paused']);
  }

  /** Cancels what the printer does: its active job if it has one, else a bare `cancel`. */
  cancel(accountId: number, printerId: number): void {
    const { store } = this.#deps;
    store.transaction(() => {
      const printer = this.owned(accountId, printerId);
      const active = store.jobs.active(printer.id);
      if (active) {
        this.#deps.jobs.cancelJob(active);
        return;
      }
      this.#requireState(printer, ['printing', 'paused', 'downloading'], 'cancel');
      this.#deps.commands.enqueue(printer.id, { command: 'cancel' });
    });
  }

  #simple(accountId: number, printerId: number, command: string, states: string[]): void {
    const { store } = this.#deps;
    store.transaction(() => {
      const printer = this.owned(accountId, printerId);
      this.#requireState(printer, states, command);
      this.#deps.commands.enqueue(printer.id, { command });
    });
  }

  #requireState(printer: PrinterRow, states: string[], what: string): void {
    const live = parseJson<LiveState>(printer.live_json, {});
    if (!states.includes(live.state ?? '')) {
      throw new PrintosError(
        'CONFLICT',
        `Cannot ${what} ${printer.name}: it is ${live.state ?? 'not reporting'}.`,
      );
    }
  }
}
