/**
 * Correctness of a benchmark run: the virtual printer's record (one executed
 * command per line, `<line number or ->\t<command>`), reduced to the job's
 * numbered commands, must equal the file's commands exactly. When it does
 * not, line numbers tell what went wrong: a job line never executed (gap),
 * executed twice (duplicate), executed after a later one (reorder), or a
 * line number whose command differs from the file (mismatch).
 */

export interface RecordEntry {
  /** The line number the command carried; null when it was sent unnumbered. */
  line: number | null;
  command: string;
}

/**
 * Commands hosts send for their own purposes (handshake, line numbering,
 * capabilities, temperature reporting); they are not part of the job.
 */
const PROTOCOL_COMMANDS = new Set(['M105', 'M110', 'M115', 'M155']);

/** A file line as the firmware should receive it: up to `;`, trimmed; null if nothing is left. */
export function stripComment(line: string): string | null {
  const semicolon = line.indexOf(';');
  const text = (semicolon >= 0 ? line.slice(0, semicolon) : line).trim();
  return text === '' ? null : text;
}

export function isProtocolCommand(command: string): boolean {
  const space = command.indexOf(' ');
  const word = (space >= 0 ? command.slice(0, space) : command).toUpperCase();
  return PROTOCOL_COMMANDS.has(word);
}

/** The commands a correct host makes the printer execute for these file lines, in order. */
export function expectedCommands(fileLines: Iterable<string>): string[] {
  const out: string[] = [];
  for (const raw of fileLines) {
    const command = stripComment(raw);
    if (command !== null && !isProtocolCommand(command)) out.push(command);
  }
  return out;
}

/** Parses a record file; malformed lines are kept as unnumbered so they count against the host. */
export function parseRecord(text: string): RecordEntry[] {
  const entries: RecordEntry[] = [];
  for (const row of text.split('\n')) {
    if (row === '') continue;
    const tab = row.indexOf('\t');
    if (tab < 0) {
      entries.push({ line: null, command: row });
      continue;
    }
    const head = row.slice(0, tab);
    const line = /^-?\d+$/.test(head) ? Number(head) : null;
    entries.push({ line, command: row.slice(tab + 1) });
  }
  return entries;
}

export interface JobRecord {
  /** The job's numbered commands in execution order. */
  job: RecordEntry[];
  /** Line numbers the host spent on protocol commands, ascending (they shift job numbering). */
  protocolLines: number[];
  /** Unnumbered commands that are not protocol commands: the printer ran something unchecked. */
  unnumbered: RecordEntry[];
}

/** Splits a record into the job and what the host did around it. */
export function jobOf(entries: readonly RecordEntry[]): JobRecord {
  const job: RecordEntry[] = [];
  const protocolLines: number[] = [];
  const unnumbered: RecordEntry[] = [];
  for (const entry of entries) {
    if (isProtocolCommand(entry.command)) {
      if (entry.line !== null) protocolLines.push(entry.line);
    } else if (entry.line === null) {
      unnumbered.push(entry);
    } else {
      job.push(entry);
    }
  }
  protocolLines.sort((a, b) => a - b);
  return { job, protocolLines, unnumbered };
}

export interface Verdict {
  correct: boolean;
  expected: number;
  executed: number;
  /** Job lines never executed, and in how many separate runs. */
  gaps: number;
  gapRuns: number;
  duplicates: number;
  reorders: number;
  /** Executed commands whose text differs from the file line their number stands for. */
  mismatches: number;
  /** Numbered commands outside the job's numbers, plus unnumbered non-protocol commands. */
  extras: number;
  /** First position where the executed sequence leaves the file's; null when equal. */
  firstDivergence: number | null;
}

/** Compares the executed job with the file's commands. */
export function verify(expected: readonly string[], record: JobRecord): Verdict {
  const { job } = record;
  const firstDivergence = divergence(expected, job);
  const diag = diagnose(expected, record);
  const extras = diag.outOfRange + record.unnumbered.length;
  return {
    correct: firstDivergence === null && extras === 0,
    expected: expected.length,
    executed: job.length,
    ...gapCounts(diag.seen),
    duplicates: diag.duplicates,
    reorders: diag.reorders,
    mismatches: diag.mismatches,
    extras,
    firstDivergence,
  };
}

function divergence(expected: readonly string[], job: readonly RecordEntry[]): number | null {
  const n = Math.min(expected.length, job.length);
  for (let i = 0; i < n; i++) if (job[i]?.command !== expected[i]) return i;
  return job.length === expected.length ? null : n;
}

interface Diagnosis {
  seen: Uint8Array;
  duplicates: number;
  reorders: number;
  mismatches: number;
  outOfRange: number;
}

/** Maps each executed line number to a job position and counts what is out of place. */
function diagnose(expected: readonly string[], record: JobRecord): Diagnosis {
  const seen = new Uint8Array(expected.length);
  const d: Diagnosis = { seen, duplicates: 0, reorders: 0, mismatches: 0, outOfRange: 0 };
  const base = baseLine(expected, record.job);
  let highest = -1;
  for (const entry of record.job) {
    const index = jobIndex(entry.line ?? 0, base, record.protocolLines);
    if (index < 0 || index >= expected.length) {
      d.outOfRange++;
      continue;
    }
    if (entry.command !== expected[index]) d.mismatches++;
    if (seen[index] === 1) d.duplicates++;
    else if (index < highest) d.reorders++;
    seen[index] = 1;
    highest = Math.max(highest, index);
  }
  return d;
}

/** The line number of the job's first command: where the file's first command was executed. */
function baseLine(expected: readonly string[], job: readonly RecordEntry[]): number {
  const first = job.find((entry) => entry.command === expected[0]) ?? job[0];
  return first?.line ?? 0;
}

/** Job position of line `n`: its distance from the base, minus protocol lines in between. */
function jobIndex(n: number, base: number, protocolLines: readonly number[]): number {
  return n - base - (countBelow(protocolLines, n) - countBelow(protocolLines, base));
}

/** How many values in the ascending array are < x (binary search). */
function countBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function gapCounts(seen: Uint8Array): { gaps: number; gapRuns: number } {
  let gaps = 0;
  let gapRuns = 0;
  for (let i = 0; i < seen.length; i++) {
    if (seen[i] === 1) continue;
    gaps++;
    if (i === 0 || seen[i - 1] === 1) gapRuns++;
  }
  return { gaps, gapRuns };
}

/** One line for the report: "yes", or what went wrong. */
export function describeVerdict(v: Verdict): string {
  if (v.correct) return 'yes';
  const parts = [
    v.gaps > 0 ? `${v.gaps} missing in ${v.gapRuns} gaps` : '',
    v.duplicates > 0 ? `${v.duplicates} duplicated` : '',
    v.reorders > 0 ? `${v.reorders} reordered` : '',
    v.mismatches > 0 ? `${v.mismatches} altered` : '',
    v.extras > 0 ? `${v.extras} extra` : '',
  ].filter((p) => p !== '');
  const where = v.firstDivergence === null ? '' : `, first divergence at #${v.firstDivergence}`;
  return `NO (${parts.join(', ') || `${v.executed}/${v.expected} executed`}${where})`;
}
