/**
 * The systemd units: packaging/printos.service (and the PAM helper's printos-pam.socket and
 * printos-pam@.service) are templates with @PLACEHOLDERS@; install renders them for this machine. Pure functions, so every rendering is a table test, and
 * test/service/unit.test.ts runs `systemd-analyze verify` on the result.
 */
import { PrintosError } from '../../core/errors.js';

/** The template's path inside a package root. */
export const UNIT_TEMPLATE_PATH = 'packaging/printos.service';

/** Marks a unit (or PAM file) written by install: uninstall removes only one that carries it. */
export const UNIT_MARKER = 'written by `printos service install`';

export interface UnitValues {
  user: string;
  group: string;
  /** Absolute path of the node binary (process.execPath at install time). */
  node: string;
  prefix: string;
  dataDir: string;
  /** Supplementary groups that exist on this machine (of SERVICE_GROUPS). */
  supplementaryGroups: readonly string[];
  /** The PAM helper's socket; without it (--no-pam-helper) the lines naming it are left out. */
  pam?: { socketUnit: string; socketPath: string };
}

/** The template with every @PLACEHOLDER@ replaced; an unknown or missing one is a bug. */
export function renderUnit(template: string, values: UnitValues): string {
  return fillTemplate(
    template,
    {
      USER: values.user,
      GROUP: values.group,
      NODE: values.node,
      PREFIX: values.prefix,
      DATA_DIR: values.dataDir,
      SUPPLEMENTARY_GROUPS: values.supplementaryGroups.join(' '),
      PAM_SOCKET_UNIT: values.pam?.socketUnit,
      PAM_SOCKET: values.pam?.socketPath,
    },
    ['USER', 'NODE', 'PREFIX', 'DATA_DIR'],
  );
}

/** The PAM helper's socket unit (packaging/printos-pam.socket). */
export function renderPamSocket(
  template: string,
  values: { group: string; socketPath: string },
): string {
  return fillTemplate(template, { GROUP: values.group, PAM_SOCKET: values.socketPath }, [
    'GROUP',
    'PAM_SOCKET',
  ]);
}

/** The PAM helper's per-connection service (packaging/printos-pam@.service). */
export function renderPamService(template: string, values: { helperPath: string }): string {
  return fillTemplate(template, { PAM_HELPER: values.helperPath }, ['PAM_HELPER']);
}

const PLACEHOLDER = /@([A-Z_]+)@/g;

/**
 * Replaces each @NAME@ with table[NAME]. A line naming a placeholder whose value is
 * undefined is left out (an optional feature's lines); a name not in the table, a required
 * name the template lacks, or a template without the "written by" marker is a bug.
 */
function fillTemplate(
  template: string,
  table: Record<string, string | undefined>,
  required: readonly string[],
): string {
  for (const [name, value] of Object.entries(table)) {
    // The values were validated as plain paths and names; a newline here would add directives.
    if (value !== undefined && /[\n\r]/.test(value)) {
      throw new PrintosError('INVALID_ARGUMENT', `${name} holds a line break`);
    }
  }
  const used = new Set<string>();
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    let dropped = false;
    const filled = line.replace(PLACEHOLDER, (_match, name: string) => {
      if (!(name in table)) {
        throw new PrintosError(
          'INTERNAL',
          `The unit template has an unknown placeholder @${name}@`,
        );
      }
      used.add(name);
      const value = table[name];
      if (value === undefined) dropped = true;
      return value ?? '';
    });
    if (!dropped) lines.push(filled);
  }
  for (const name of required) {
    if (!used.has(name)) throw new PrintosError('INTERNAL', `The unit template lacks @${name}@`);
  }
  const text = lines.join('\n');
  if (!text.includes(UNIT_MARKER)) {
    throw new PrintosError('INTERNAL', 'The unit template lacks its "written by" marker line');
  }
  return text;
}

/** What an installed unit says about its install: uninstall's defaults come from it. */
export interface InstalledUnit {
  ours: boolean;
  user?: string;
  prefix?: string;
  dataDir?: string;
}

export function parseInstalledUnit(text: string): InstalledUnit {
  const result: InstalledUnit = { ours: text.includes(UNIT_MARKER) };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const user = /^User=(\S+)$/.exec(line);
    if (user?.[1]) result.user = user[1];
    const home = /^Environment=PRINTOS_HOME=(\S+)$/.exec(line);
    if (home?.[1]) result.dataDir = home[1];
    const exec = /^ExecStart=.*?\s(\/\S*)\/(?:stable|current)\/bin\/printos\.js(\s|$)/.exec(line);
    if (exec?.[1]) result.prefix = exec[1];
  }
  return result;
}

/** The helper an installed printos-pam@.service runs, if the unit is ours and says. */
export function parseInstalledPamService(text: string): { ours: boolean; helperPath?: string } {
  const ours = text.includes(UNIT_MARKER);
  const exec = /^ExecStart=(\/\S+)(\s|$)/m.exec(text);
  return exec?.[1] ? { ours, helperPath: exec[1] } : { ours };
}
