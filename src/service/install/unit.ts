/**
 * The systemd unit: packaging/printos.service is a template with @PLACEHOLDERS@; install
 * renders it for this machine. Pure functions, so every rendering is a table test, and
 * test/service/unit.test.ts runs `systemd-analyze verify` on the result.
 */
import { PrintosError } from '../../core/errors.js';

/** The template's path inside a package root. */
export const UNIT_TEMPLATE_PATH = 'packaging/printos.service';

/** Marks a unit written by install: uninstall removes only a unit that carries it. */
export const UNIT_MARKER = 'written by `printos service install`';

export interface UnitValues {
  user: string;
  group: string;
  /** Absolute path of the node binary (process.execPath at install time). */
  node: string;
  prefix: string;
  dataDir: string;
  /** Supplementary groups that exist on this machine (of dialout, shadow). */
  supplementaryGroups: readonly string[];
}

const PLACEHOLDER = /@([A-Z_]+)@/g;

/** The template with every @PLACEHOLDER@ replaced; an unknown or missing one is a bug. */
export function renderUnit(template: string, values: UnitValues): string {
  const table: Record<string, string> = {
    USER: values.user,
    GROUP: values.group,
    NODE: values.node,
    PREFIX: values.prefix,
    DATA_DIR: values.dataDir,
    SUPPLEMENTARY_GROUPS: values.supplementaryGroups.join(' '),
  };
  for (const [name, value] of Object.entries(table)) {
    // The values were validated as plain paths and names; a newline here would add directives.
    if (/[\n\r]/.test(value)) {
      throw new PrintosError('INVALID_ARGUMENT', `${name} holds a line break`);
    }
  }
  const used = new Set<string>();
  const text = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = table[name];
    if (value === undefined) {
      throw new PrintosError('INTERNAL', `The unit template has an unknown placeholder @${name}@`);
    }
    used.add(name);
    return value;
  });
  for (const required of ['USER', 'NODE', 'PREFIX', 'DATA_DIR']) {
    if (!used.has(required)) {
      throw new PrintosError('INTERNAL', `The unit template lacks @${required}@`);
    }
  }
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
    const exec = /^ExecStart=.*?\s(\/\S*)\/current\/bin\/printos\.js(\s|$)/.exec(line);
    if (exec?.[1]) result.prefix = exec[1];
  }
  return result;
}
