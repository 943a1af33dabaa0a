/**
 * The repository's units, rendered as install renders them, checked by systemd itself:
 * `systemd-analyze verify` loads them with this machine's systemd and reports unknown
 * directives, bad values and a missing ExecStart binary. It exits 0 for an unknown key
 * (it only warns), so the test fails on any warning about a unit, not only on the code.
 * The PAM helper's template unit is verified through an instance name (printos-pam@0),
 * which systemd loads from printos-pam@.service beside it, and through the socket.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAM_HELPER } from '../../src/service/install/pam-helper.js';
import { renderPamService, renderPamSocket, renderUnit } from '../../src/service/install/unit.js';
import { buildHelper, buildSkipReason } from './pam-helper-build.js';

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
        const complaints = stderr.split('\n').filter((line) => line.includes('printos'));
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
    let helperPath: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'printos-unit-'));
      // A prefix whose stable/bin/printos.js is real: this checkout.
      await symlink(REPO, join(dir, 'stable'));
      template = await readFile(join(REPO, 'packaging', 'printos.service'), 'utf8');
      // ExecStart must name a real program: the helper itself when it can be built here.
      helperPath = buildSkipReason()
        ? process.execPath
        : await buildHelper(join(dir, 'printos-pam-helper'));
      await renderPam();
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
        supplementaryGroups: ['dialout'],
        pam: { socketUnit: PAM_HELPER.socketUnit, socketPath: PAM_HELPER.socketPath },
      });
      const path = join(dir, 'printos.service');
      await writeFile(path, text.replace('[Install]', `${extra}[Install]`));
      return path;
    }

    /** The socket and the helper's template unit, beside the main unit; `extra` in [Service]. */
    async function renderPam(extra = '', helper = helperPath): Promise<void> {
      const socket = await readFile(join(REPO, PAM_HELPER.socketTemplate), 'utf8');
      const service = await readFile(join(REPO, PAM_HELPER.serviceTemplate), 'utf8');
      await writeFile(
        join(dir, PAM_HELPER.socketUnit),
        renderPamSocket(socket, { group: 'root', socketPath: PAM_HELPER.socketPath }),
      );
      await writeFile(
        join(dir, PAM_HELPER.serviceUnit),
        `${renderPamService(service, { helperPath: helper })}\n${extra}`,
      );
    }

    it('passes systemd-analyze verify without a single warning', async () => {
      expect(existsSync(join(dir, 'stable', 'bin', 'printos.js'))).toBe(true);
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

    it.each([PAM_HELPER.socketUnit, 'printos-pam@0.service'])(
      'the PAM helper: %s passes without a single warning',
      async (name) => {
        await renderPam();
        expect(await verify(join(dir, name))).toEqual({ code: 0, complaints: [] });
      },
    );

    it.each([
      ['an unknown directive', 'ProtectEverything=yes\n', /Unknown key/],
      ['a bad value', 'RuntimeMaxSec=soon\n', /Failed to parse/],
    ])('the PAM helper: reports %s, through the socket too', async (_what, extra, message) => {
      await renderPam(extra);
      try {
        for (const name of [PAM_HELPER.socketUnit, 'printos-pam@0.service']) {
          expect((await verify(join(dir, name))).complaints.join('\n')).toMatch(message);
        }
      } finally {
        await renderPam();
      }
    });

    it('the PAM helper: reports a helper binary that does not exist', async () => {
      await renderPam('', join(dir, 'no-such-helper'));
      try {
        const verdict = await verify(join(dir, 'printos-pam@0.service'));
        expect(verdict.code).not.toBe(0);
        expect(verdict.complaints.join('\n')).toMatch(/no-such-helper/);
      } finally {
        await renderPam();
      }
    });

    it('reports a node binary that does not exist', async () => {
      const verdict = await verify(await render('', join(dir, 'no-such-node')));
      expect(verdict.code).not.toBe(0);
      expect(verdict.complaints.join('\n')).toMatch(/no-such-node/);
    });
  },
);
