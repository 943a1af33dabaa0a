/**
 * The support bundle: the service's recent log lines, a problem report, and what
 * describes this install (version, settings, printers, their state) — zipped, with every
 * secret masked again on the way in (a log line should never carry one; this is the
 * second fence). The original's bundle held the same kinds of files (§1.12).
 */
import { ZipFile } from 'yazl';
import { maskSecrets } from '../link/mask.js';

export interface BundleInput {
  logLines: readonly string[];
  report: string;
  header: { version: string; platform: string; node: string };
  settings: unknown;
  printers: unknown;
  status: unknown;
}

const SECRET_TEXT = /\b[0-9a-f]{40,}\b/gi;

/** A log line with secret fields and long hex strings (tokens, digests) masked. */
export function maskLine(line: string): string {
  try {
    return JSON.stringify(maskSecrets(JSON.parse(line))).replace(SECRET_TEXT, '***');
  } catch {
    return line.replace(SECRET_TEXT, '***');
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(maskSecrets(value), null, 2)}\n`);
}

export async function buildLogBundle(input: BundleInput): Promise<Buffer> {
  const zip = new ZipFile();
  const { version, platform, node } = input.header;
  const report = `printos ${version}, ${platform}, Node.js ${node}\n\n${input.report}\n`;
  zip.addBuffer(Buffer.from(report), 'problem_report.txt');
  zip.addBuffer(Buffer.from(`${input.logLines.map(maskLine).join('\n')}\n`), 'printos.log');
  zip.addBuffer(json(input.settings), 'settings.json');
  zip.addBuffer(json(input.printers), 'printers.json');
  zip.addBuffer(json(input.status), 'status.json');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
