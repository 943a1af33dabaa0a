import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readlinkSync, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { PrintosError } from '../core/errors.js';
import type { PrinterLink } from './link.js';

const PYTHON = '/usr/bin/python3';
const STARTUP_TIMEOUT_MS = 5000;

/**
 * The relay: opens a pty pair, makes the slave raw, prints the slave's path,
 * then copies master ↔ its stdin/stdout. It keeps the slave open itself so
 * the master never sees EIO between host connections; output nobody reads is
 * buffered up to 64 KB and then dropped oldest-first, like a line no one
 * listens to. Killing it closes the master: the host sees the port vanish.
 */
const RELAY = String.raw`
import os, select, signal, sys, tty
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
master, slave = os.openpty()
tty.setraw(slave)
name = os.ttyname(slave)
link = sys.argv[1]
try:
    if link:
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(name, link)
    os.set_blocking(master, False)
    inp, out = sys.stdin.fileno(), sys.stdout.fileno()
    os.write(out, (name + "\n").encode())
    pending = b""
    while True:
        r, w, _ = select.select([master, inp], [master] if pending else [], [])
        if master in r:
            try:
                data = os.read(master, 65536)
            except (BlockingIOError, OSError):
                data = b""
            if data:
                os.write(out, data)
        if inp in r:
            data = os.read(inp, 65536)
            if not data:
                break
            pending = (pending + data)[-65536:]
        if pending:
            try:
                pending = pending[os.write(master, pending):]
            except BlockingIOError:
                pass
finally:
    if link and os.path.islink(link) and os.readlink(link) == name:
        os.unlink(link)
`;

export interface PtyLink extends PrinterLink {
  /** The slave device a host opens, e.g. `/dev/pts/7`. */
  readonly path: string;
  /** The `--link` symlink, if one was made. */
  readonly linkPath: string | undefined;
}

type Relay = ChildProcessByStdio<Writable, Readable, null>;

/** Creates a pty pair through the python relay and resolves once its path is known. */
export async function openPty(options: { linkPath?: string } = {}): Promise<PtyLink> {
  const relay: Relay = spawn(PYTHON, ['-u', '-c', RELAY, options.linkPath ?? ''], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const { path, rest } = await readPath(relay);
  return new RelayLink(relay, path, options.linkPath, rest);
}

function readPath(relay: Relay): Promise<{ path: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let seen = Buffer.alloc(0);
    const fail = (why: string) => {
      relay.kill('SIGKILL');
      reject(new PrintosError('PORT_OPEN_FAILED', `Could not create a pty with ${PYTHON}: ${why}`));
    };
    const timer = setTimeout(() => fail('the relay did not start'), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const nl = seen.indexOf(0x0a);
      if (nl < 0) return;
      cleanup();
      resolve({ path: seen.subarray(0, nl).toString(), rest: seen.subarray(nl + 1) });
    };
    const onExit = (code: number | null) => {
      cleanup();
      fail(`the relay exited with ${code}`);
    };
    const onError = (err: Error) => {
      cleanup();
      fail(err.message);
    };
    const cleanup = () => {
      clearTimeout(timer);
      relay.stdout.off('data', onData);
      relay.off('exit', onExit);
      relay.off('error', onError);
    };
    relay.stdout.on('data', onData);
    relay.once('exit', onExit);
    relay.once('error', onError);
  });
}

class RelayLink implements PtyLink {
  readonly path: string;
  readonly linkPath: string | undefined;
  readonly #relay: Relay;
  readonly #exited: Promise<void>;
  #early: Buffer | null;
  #receive: ((chunk: Uint8Array) => void) | null = null;
  #closedListener: ((error?: Error) => void) | null = null;
  #closing = false;

  constructor(relay: Relay, path: string, linkPath: string | undefined, early: Buffer) {
    this.#relay = relay;
    this.path = path;
    this.linkPath = linkPath;
    this.#early = early.length > 0 ? early : null;
    this.#exited = new Promise((resolve) => relay.once('exit', () => resolve()));
    relay.stdout.on('data', (chunk: Buffer) => this.#receive?.(chunk));
    relay.stdin.on('error', () => {}); // EPIPE when the relay dies; reported through 'exit'
    void this.#exited.then(() => this.#relayExited());
  }

  send(text: string): void {
    if (!this.#closing) this.#relay.stdin.write(Buffer.from(text, 'latin1'));
  }

  onReceive(listener: (chunk: Uint8Array) => void): void {
    this.#receive = listener;
    if (this.#early) listener(this.#early);
    this.#early = null;
  }

  onClosed(listener: (error?: Error) => void): void {
    this.#closedListener = listener;
  }

  async close(_reason: string): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#relay.kill('SIGTERM');
    }
    await this.#exited;
    this.#removeLink();
  }

  #relayExited(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#removeLink();
    this.#closedListener?.(new PrintosError('PORT_LOST', `The pty relay for ${this.path} exited`));
  }

  /** The relay removes its symlink on a clean exit; this covers SIGKILL and crashes. */
  #removeLink(): void {
    const link = this.linkPath;
    if (!link) return;
    try {
      if (readlinkSync(link) === this.path) rmSync(link, { force: true });
    } catch {
      // already gone, or not a symlink: not ours to remove
    }
  }
}
