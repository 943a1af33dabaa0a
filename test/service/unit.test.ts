/**
 * The repository's unit, rendered as install renders it, checked by systemd itself:
 * `systemd-analyze verify` loads it with this machine's systemd and reports unknown
 * directives, bad values and a missing ExecStart binary. It exits 0 for an unknown key
 * (it only warns), so the test fails on any warning about the unit, not only on the code.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderUnit } from '../../src/service/install/unit.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));

interface Verdict {
  code: number;
  /** stderr lines about the unit under test (systemd may also talk about other units). */
  complaints: string[];
}

function verify(unitPath: string): Promise<Verdict> {
  return new Promise((done, fail) => {
    execFile(
      ANALYZE as string,
      ['verify', unitPath],
      {
        env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_LOG_LEVEL: 'notice' },
        timeout: 30_000,
      },
      (err, _stdout, stderr) => {
        if (err && typeof err.code === 'string') return fail(err);
        const code = err ? Number(err.code ?? -1) : 0;
        const complaints = stderr.split('\n').filter((line) => line.includes('printos.service'));
        done({ code, complaints });
      },
    );
  });
}

describe.skipIf(!ANALYZE)(
  ANALYZE ? 'the systemd unit' : 'the systemd unit [skipped: systemd-analyze is not installed]',
  () => {
    let dir: string;
    let template: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'printos-unit-'));
      // A prefix whose current/bin/printos.js is real: this checkout.
      await symlink(REPO, join(dir, 'current'));
      template = await readFile(join(REPO, 'packaging', 'printos.service'), 'utf8');
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function render(extra = '', node = process.execPath): Promise<string> {
      const text = renderUnit(template, {
        user: 'printos',
        group: 'printos',
        node,
        prefix: dir,
        dataDir: '/var/lib/printos',
        supplementaryGroups: ['dialout', 'shadow'],
      });
      const path = join(dir, 'printos.service');
      await writeFile(path, text.replace('[Install]', `${extra}[Install]`));
      return path;
    }

    it('passes systemd-analyze verify without a single warning', async () => {
      expect(existsSync(join(dir, 'current', 'bin', 'printos.js'))).toBe(true);
      const verdict = await verify(await render());
      expect(verdict).toEqual({ code: 0, complaints: [] });
    });

    // The check above is only worth something if it can fail: each of these must.
    it.each([
      ['an unknown directive', 'ProtectEverything=yes\n', /Unknown key/],
      ['a bad value', 'UMask=0778x\n', /Failed to parse/],
    ])('reports %s', async (_what, extra, message) => {
      const verdict = await verify(await render(`[Service]\n${extra}\n`));
      expect(verdict.complaints.join('\n')).toMatch(message);
    });

    it('reports a node binary that does not exist', async () => {
      const verdict = await verify(await render('', join(dir, 'no-such-node')));
      expect(verdict.code).not.toBe(0);
      expect(verdict.complaints.join('\n')).toMatch(/no-such-node/);
    });
  },
);
