import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * A pseudo-terminal whose slave end (`path`) stands in for a printer's serial port.
 * A python3 child owns both ends and relays the master to its stdin/stdout, so the
 * test can play the printer. The child keeps its own slave fd open: without it the
 * master reads EIO as soon as the client under test closes, and the relay would die.
 */
export interface PtyPair {
  /** The slave device, e.g. `/dev/pts/7`. */
  readonly path: string;
  /** Sends bytes to whoever opened `path` (the printer talking). */
  write(data: Buffer | string): void;
  /** Bytes the client wrote to `path`. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Ends the relay politely (stdin EOF) and waits for it to exit. */
  close(): Promise<void>;
  /** Kills the relay outright: both pty ends close, as if the printer was unplugged. */
  kill(): Promise<void>;
}

const RELAY = `
import os, sys, tty, select
master, slave = os.openpty()
tty.setraw(slave)
out = sys.stdout.buffer
out.write(os.ttyname(slave).encode() + b"\\n")
out.flush()
stdin = sys.stdin.buffer.fileno()
while True:
    ready, _, _ = select.select([master, stdin], [], [])
    if master in ready:
        out.write(os.read(master, 4096))
        out.flush()
    if stdin in ready:
        data = os.read(stdin, 4096)
        if not data:
            break
        os.write(master, data)
`;

type Relay = ChildProcessByStdio<Writable, Readable, null>;

export async function openPtyPair(): Promise<PtyPair> {
  const child: Relay = spawn('/usr/bin/python3', ['-u', '-c', RELAY], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Settles on exit and on a failed spawn alike, so that it can never reject unobserved.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve()).once('error', () => resolve());
  });
  const { path, rest } = await readPath(child);
  return buildPair(child, path, rest, exited);
}

function buildPair(child: Relay, path: string, early: Buffer, exited: Promise<void>): PtyPair {
  const pending: Buffer[] = early.length > 0 ? [early] : [];
  let listener: ((chunk: Buffer) => void) | undefined;
  child.stdout
    .on('data', (chunk: Buffer) => (listener ? listener(chunk) : pending.push(chunk)))
    .resume();
  // A relay that died already makes stdin writes fail with EPIPE; the test sees that as silence.
  child.stdin.on('error', () => {});
  const stop = async (signal?: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (signal) child.kill(signal);
    else child.stdin.end();
    await exited;
  };
  return {
    path,
    write: (data) => void child.stdin.write(data),
    onData: (cb) => {
      listener = cb;
      for (const chunk of pending.splice(0)) cb(chunk);
    },
    close: () => stop(),
    kill: () => stop('SIGKILL'),
  };
}

/** The relay prints the slave's path on its first line; bytes after it are already data. */
function readPath(child: Relay): Promise<{ path: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const newline = head.indexOf(0x0a);
      if (newline < 0) return;
      child.stdout.off('data', onData).off('end', onEnd).pause();
      resolve({ path: head.subarray(0, newline).toString(), rest: head.subarray(newline + 1) });
    };
    const onEnd = (): void =>
      reject(new Error('pty relay exited before printing its path (is /usr/bin/python3 there?)'));
    child.once('error', reject);
    child.stdout.on('data', onData).on('end', onEnd);
  });
}
