/**
 * The README's run command in miniature: `printos start --virtual-printer` with the
 * embedded cloud (the default), administered with `printos cloud … --data-dir
 * <data-dir>/cloud` while it runs; then offline mode, where printers keep working and
 * logout only leaves offline mode.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, type LongRun, localApi, printos, spawnPrintos } from './processes.js';

const dir = mkdtempSync(join(tmpdir(), 'printos-embedded-'));
let service: LongRun | undefined;

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Status {
  account: { email: string } | null;
  offline: boolean;
  printers: Array<{ id: string; state: string; cloud: { linked: boolean } | null }>;
}

describe('printos start with the embedded cloud and a virtual printer', () => {
  it('runs the cloud in-process; the CLI links it; offline mode keeps printers local', async () => {
    const port = await freePort();
    const set = await printos([
      'config',
      'set',
      'cloud.embeddedPort',
      String(port),
      '--data-dir',
      dir,
    ]);
    expect(set.code).toBe(0);
    service = spawnPrintos([
      'start',
      '--no-browser',
      '--virtual-printer',
      '--local-port',
      '0',
      '--data-dir',
      dir,
    ]);
    await service.waitFor(new RegExp(`cloud: http://127\\.0\\.0\\.1:${port} \\(embedded\\)`));
    const api = localApi(dir);
    await eventually(async () => {
      const status = await api<Status>('GET', '/api/status');
      return status.printers[0]?.state === 'ready' ? true : undefined;
    }, 'the virtual printer ready');

    // The web interface on the same loopback listener: unlinked, the cloud login screen.
    const { port: localPort } = JSON.parse(readFileSync(join(dir, 'service.json'), 'utf8')) as {
      port: number;
    };
    const loginPage = await fetch(`http://127.0.0.1:${localPort}/`, { redirect: 'follow' });
    const loginHtml = await loginPage.text();
    expect(loginHtml).toMatch(/Offline mode/);
    expect(loginHtml).toMatch(new RegExp(`href="http://127\\.0\\.0\\.1:${port}/signup"`));

    const add = await printos(
      ['cloud', 'user', 'add', 'maker@example.com', '--data-dir', join(dir, 'cloud')],
      'printing is fun\n',
    );
    expect(add.code).toBe(0);
    const login = await printos(
      ['login', '--email', 'maker@example.com', '--data-dir', dir],
      'printing is fun\n',
    );
    expect(login.stdout).toMatch(/Linked to maker@example.com/);
    await eventually(async () => {
      const status = await api<Status>('GET', '/api/status');
      return status.printers[0]?.cloud?.linked ? true : undefined;
    }, 'the virtual printer linked to the embedded cloud');

    await api('POST', '/api/offline');
    const offline = await api<Status>('GET', '/api/status');
    expect(offline).toMatchObject({ offline: true, account: null });
    expect(offline.printers[0]).toMatchObject({ state: 'ready', cloud: null });
    const sent = await api<{ sent: number }>(
      'POST',
      `/api/printers/${offline.printers[0]?.id}/gcode`,
      {
        lines: ['M117 still here'],
      },
    );
    expect(sent.sent).toBe(1);

    // Printing locally through the service, which holds the port.
    const file = join(dir, 'local.gcode');
    writeFileSync(
      file,
      `${Array.from({ length: 300 }, (_, i) => `G1 X${i % 50} E${i}`).join('\n')}\n`,
    );
    const print = await printos(['print', '--printer', 'virtual', '-q', file, '--data-dir', dir]);
    expect(print.stderr).toBe('');
    expect(print.stdout).toMatch(/printed local\.gcode on Virtual printer/);
    expect(print.code).toBe(0);
    const missing = await printos(['print', '--printer', 'nope', file, '--data-dir', dir]);
    expect(missing.stderr).toMatch(/NOT_FOUND.*no printer nope/);

    const logout = await printos(['logout', '--data-dir', dir]);
    expect(logout.stdout).toMatch(/Left offline mode; the service keeps running/);
    const after = await api<Status>('GET', '/api/status');
    expect(after.offline).toBe(false);
    expect(await service.stop()).toBe(0);
  }, 90_000);
});
