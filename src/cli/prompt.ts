/**
 * Terminal prompts for the console login (the seed's headless machines): a visible
 * line, a hidden password, a yes/no confirmation. Off a terminal nothing is asked.
 */
import { createInterface } from 'node:readline';
import { PrintosError } from '../core/errors.js';

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer.trim());
    });
  });
}

/** Reads a password without echoing it. */
export function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (result: string | Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(value);
        if (ch === '\u0003') return done(new PrintosError('JOB_CANCELLED', 'Login cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The whole of standard input, for a password piped in by a script. */
export async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.length > 4096) break;
  }
  return (text.split(/\r?\n/)[0] ?? '').trimEnd();
}

export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!isInteractive()) {
    throw new PrintosError('CONFIRMATION_REQUIRED', `${question} Pass --yes to confirm.`);
  }
  const answer = (await ask(`${question} Continue? [y/N] `)).toLowerCase();
  if (answer !== 'y' && answer !== 'yes') {
    throw new PrintosError('CONFIRMATION_REQUIRED', 'Not confirmed; nothing was changed.');
  }
}
