import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectPamUninstall, unsafeAncestor } from './pam-facts.js';
import { UNIT_MARKER } from './unit.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-pam-facts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Ownership is the point of these checks: they need a root-owned temporary folder.
describe.skipIf(process.getuid?.() !== 0)('unsafeAncestor (root)', () => {
  async function folder(name: string, mode: number, uid = 0, gid = 0): Promise<string> {
    const path = join(dir, name);
    await mkdir(path);
    await chown(path, uid, gid);
    await chmod(path, mode);
    return path;
  }

  it.each<[string, number, number, number, boolean]>([
    ['root 0755', 0o755, 0, 0, false],
    ['world-writable', 0o777, 0, 0, true],
    ['sticky world-writable (like /tmp)', 0o1777, 0, 0, false],
    ['group-writable by root', 0o775, 0, 0, false],
    ['group-writable by a trusted group (staff)', 0o2775, 0, 50, false],
    ['group-writable by another group', 0o775, 0, 4321, true],
    ['owned by another user', 0o755, 4321, 0, true],
  ])('%s', async (_what, mode, uid, gid, unsafe) => {
    const path = await folder('f', mode, uid, gid);
    // A missing folder below is looked at through its existing parents.
    const found = await unsafeAncestor(join(path, 'missing', 'deeper'), [0, 50]);
    expect(found).toBe(unsafe ? path : undefined);
  });
});

describe('inspectPamUninstall', () => {
  const marked = (body: string) => `# ${UNIT_MARKER}\n${body}`;

  it('reads the helper path from our unit, and what else is there', async () => {
    const units = join(dir, 'units');
    const pamd = join(dir, 'pam.d');
    const libexec = join(dir, 'libexec', 'printos');
    await mkdir(units);
    await mkdir(pamd);
    await mkdir(libexec, { recursive: true });
    const helper = join(libexec, 'printos-pam-helper');
    await writeFile(helper, 'binary');
    await writeFile(join(units, 'printos-pam.socket'), marked('[Socket]\n'));
    await writeFile(
      join(units, 'printos-pam@.service'),
      marked(`[Service]\nExecStart=${helper} printos\n`),
    );
    await writeFile(join(pamd, 'printos'), '@include common-auth\n');

    const facts = await inspectPamUninstall(units, { helperPath: '/nowhere/x', configDir: pamd });
    expect(facts).toEqual({
      socketUnit: { exists: true, ours: true },
      serviceUnit: { exists: true, ours: true, helperPath: helper },
      helper: { path: helper, exists: true, dirHoldsOnlyHelper: true },
      config: { path: join(pamd, 'printos'), exists: true, ours: false },
    });

    await writeFile(join(libexec, 'other'), '');
    const again = await inspectPamUninstall(units, { helperPath: '/nowhere/x', configDir: pamd });
    expect(again.helper.dirHoldsOnlyHelper).toBe(false);
  });

  it('falls back to the default helper path without our unit', async () => {
    const facts = await inspectPamUninstall(dir, {
      helperPath: join(dir, 'printos-pam-helper'),
      configDir: dir,
    });
    expect(facts).toEqual({
      socketUnit: { exists: false, ours: false },
      serviceUnit: { exists: false, ours: false },
      helper: { path: join(dir, 'printos-pam-helper'), exists: false, dirHoldsOnlyHelper: false },
      config: { path: join(dir, 'printos'), exists: false, ours: false },
    });
  });
});
