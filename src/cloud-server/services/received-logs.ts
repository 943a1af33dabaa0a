/**
 * Log bundles received through sendlogs (protocol doc §1.12): recorded when they arrive,
 * listed for the operator (`printos cloud logs`) and for the account that sent them.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/index.js';
import type { ReceivedLogListRow } from '../store/received-logs.js';

export interface ReceivedLogView {
  id: number;
  account: string;
  receivedAt: string;
  size: number;
  /** The first line of the problem report ('' when none was sent). */
  report: string;
  /** Where the bundle is on this machine. */
  path: string;
}

/** Enough of the report to find its first line; the rest stays on disk. */
const REPORT_HEAD_BYTES = 4096;
const MAX_SUMMARY_CHARS = 200;

/**
 * The first non-empty line of a report file, with control characters removed and cut
 * to a length a list can show. An unreadable file gives ''.
 */
export async function reportSummary(path: string): Promise<string> {
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(REPORT_HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, REPORT_HEAD_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
  return summaryOf(head.toString('utf8'));
}

export function summaryOf(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const clean = line.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, ' ').trim();
  return clean.length > MAX_SUMMARY_CHARS ? `${clean.slice(0, MAX_SUMMARY_CHARS - 1)}…` : clean;
}

export function listReceivedLogs(
  store: Store,
  logsDir: string,
  options: { accountId?: number; limit?: number } = {},
): ReceivedLogView[] {
  return store.receivedLogs
    .list(options.accountId, options.limit ?? 1000)
    .map((row) => toView(row, logsDir));
}

function toView(row: ReceivedLogListRow, logsDir: string): ReceivedLogView {
  return {
    id: row.id,
    account: row.email,
    receivedAt: new Date(row.received_at).toISOString(),
    size: row.size,
    report: row.summary,
    path: join(logsDir, row.bundle),
  };
}
