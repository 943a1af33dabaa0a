/**
 * The steps an install or uninstall is made of: plain data, planned by plan-*.ts from
 * facts about the machine, printed by --dry-run and run by execute.ts.
 */

export type Step =
  /** An external command, run without a shell. */
  | { kind: 'run'; argv: [string, ...string[]]; why: string; mayFail?: boolean }
  /** A directory created when missing, then given exactly `mode`. */
  | { kind: 'mkdir'; path: string; mode: number }
  /**
   * `entries` (relative to `from`) copied with `cp -a` into a fresh directory beside `to`,
   * renamed to `to` once complete: a half-copied version never appears under its name.
   */
  | { kind: 'copy'; from: string; entries: readonly string[]; to: string }
  /** `path` made a symlink to `target` through a temporary name and a rename (atomic). */
  | { kind: 'link'; path: string; target: string }
  /** A file written atomically. */
  | { kind: 'write'; path: string; content: string; mode: number }
  /**
   * A C program built as root: `compiler flags -o <temporary> source libs` beside `output`,
   * then made root-owned with `mode` and renamed over `output` (a half-built or still
   * writable binary never appears under its name).
   */
  | {
      kind: 'compile';
      compiler: string;
      flags: readonly string[];
      source: string;
      libs: readonly string[];
      output: string;
      mode: number;
    }
  /** A file or a whole tree removed. */
  | { kind: 'remove'; path: string }
  /** Something the user must know or do; nothing is changed. */
  | { kind: 'note'; text: string };

const ENTRIES_SHOWN = 8;

export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'run':
      return `run: ${step.argv.map(shellWord).join(' ')}   (${step.why})`;
    case 'mkdir':
      return `create directory ${step.path} (mode ${octal(step.mode)})`;
    case 'copy': {
      const shown = step.entries.slice(0, ENTRIES_SHOWN).join(' ');
      const more = step.entries.length > ENTRIES_SHOWN ? ` … (${step.entries.length} in all)` : '';
      return `copy ${shown}${more} from ${step.from} to ${step.to}`;
    }
    case 'link':
      return `point ${step.path} at ${step.target}`;
    case 'write':
      return `write ${step.path} (mode ${octal(step.mode)})`;
    case 'compile': {
      const command = [step.compiler, ...step.flags, '-o', step.output, step.source, ...step.libs];
      return `build ${step.output} (${command.map(shellWord).join(' ')}), owned by root, mode ${octal(step.mode)}`;
    }
    case 'remove':
      return `remove ${step.path}`;
    case 'note':
      return `note: ${step.text}`;
  }
}

/** An argument as a person would type it (display only: commands never go through a shell). */
function shellWord(arg: string): string {
  return /^[A-Za-z0-9._+@:/=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}
