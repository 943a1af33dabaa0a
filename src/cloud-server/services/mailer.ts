/**
 * Outgoing mail (password-reset links). With SMTP configured, nodemailer sends it;
 * otherwise — the documented fallback — the message goes to <dataDir>/outbox/ as an
 * .eml file (mode 0600) and its link is logged, so an administrator can pass it on.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../../core/log.js';
import { writeFileAtomic } from '../../core/files.js';

export interface SmtpOptions {
  host: string;
  port: number;
  secure?: boolean;
  user?: string;
  pass?: string;
  from: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The one link the message carries, listed by `printos cloud outbox`. */
  link: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface OutboxEntry {
  file: string;
  time: string;
  to: string;
  subject: string;
  link: string;
}

export interface MailerDeps {
  outboxDir: string;
  smtp?: SmtpOptions | undefined;
  log: Logger;
  now: () => number;
}

const DEFAULT_FROM = 'printos cloud <printos@localhost>';

/** Header values come from validated input, but a CR or LF must never split a header. */
function headerValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

export async function writeOutbox(
  dir: string,
  message: MailMessage,
  now: number,
  from = DEFAULT_FROM,
): Promise<string> {
  const date = new Date(now);
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `${stamp}-${randomBytes(4).toString('hex')}.eml`);
  const text = [
    `Date: ${date.toUTCString()}`,
    `From: ${headerValue(from)}`,
    `To: ${headerValue(message.to)}`,
    `Subject: ${headerValue(message.subject)}`,
    `X-Printos-Link: ${headerValue(message.link)}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    message.text,
    '',
  ].join('\r\n');
  await writeFileAtomic(file, text, { mode: 0o600 });
  return file;
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  const end = text.search(/\r?\n\r?\n/);
  for (const line of text.slice(0, end < 0 ? text.length : end).split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** The messages in an outbox, oldest first. A missing outbox is an empty one. */
export function readOutbox(dir: string): OutboxEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.eml'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.sort().map((name) => {
    const headers = parseHeaders(readFileSync(join(dir, name), 'utf8'));
    const date = new Date(headers.get('date') ?? '');
    return {
      file: name,
      time: Number.isNaN(date.getTime()) ? '' : date.toISOString(),
      to: headers.get('to') ?? '',
      subject: headers.get('subject') ?? '',
      link: headers.get('x-printos-link') ?? '',
    };
  });
}

export function createMailer(deps: MailerDeps): Mailer {
  const { smtp, log } = deps;
  const toOutbox = async (message: MailMessage) => {
    const file = await writeOutbox(deps.outboxDir, message, deps.now(), smtp?.from);
    log.info({ to: message.to, link: message.link, file }, 'mail written to the outbox');
  };
  if (!smtp) return { send: toOutbox };
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure ?? smtp.port === 465,
    auth: smtp.user ? { user: smtp.user, pass: smtp.pass ?? '' } : undefined,
  });
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from: smtp.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
        });
        log.info({ to: message.to }, 'mail sent');
      } catch (err) {
        // The requester sees the same page either way; the administrator finds it in the outbox.
        log.error(
          { to: message.to, err: (err as Error).message },
          'SMTP failed; mail kept in the outbox',
        );
        await toOutbox(message);
      }
    },
  };
}
