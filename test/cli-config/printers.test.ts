import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PrintersCliDeps, registerPrinters } from '../../src/cli/printers.js';
import { PrintosError } from '../../src/core/errors.js';
import type { ServiceClient } from '../../src/service/api-client.js';
import type { PortInfo } from '../../src/transport/ports.js';

let dataDir: string;
let out: string[];
let err: string[];
let calls: string[];
let confirms: string[];

const PORTS: PortInfo[] = [
  { path: '/dev/ttyACM0', vid: '2C99', pid: '0002', serialNumber: 'CZPX1' },
];

interface FakeService {
  /** The answer to GET /api/printers. */
  printers?: unknown;
  failReload?: boolean;
}

function fakeService(fake: FakeService): ServiceClient {
  return {
    url: 'http://127.0.0.1:1',
    request: async <T>(method: string, path: string) => {
      calls.push(`${method} ${path}`);
      if (path === '/api/printers/reload' && fake.failReload) {
        throw new PrintosError('INTERNAL', 'boom');
      }
      return (path === '/api/printers' ? (fake.printers ?? []) : { added: [], removed: [] }) as T;
    },
  };
}

function deps(
  service: FakeService | null,
  options: { interactive?: boolean } = {},
): PrintersCliDeps {
  return {
    write: (text) => out.push(text),
    warn: (text) => err.push(text),
    connectToService: async () => (service ? fakeService(service) : null),
    lookupPort: async (path) => PORTS.find((port) => port.path === path),
    confirm: async (question, yes) => {
      confirms.push(question);
      if (yes) return;
      if (!options.interactive) {
        throw new PrintosError('CONFIRMATION_REQUIRED', `${question} Pass --yes to confirm.`);
      }
    },
  };
}

async function run(args: string[], service: FakeService | null = null, interactive = false) {
  out = [];
  err = [];
  const program = new Command('printos').exitOverride();
  registerPrinters(program, deps(service, { interactive }));
  await program.parseAsync(['node', 'printos', 'printers', ...args, '--data-dir', dataDir]);
  return out.join('');
}

async function stored() {
  return JSON.parse(await readFile(join(dataDir, 'printers.json'), 'utf8')).printers as Array<{
    id: string;
    port: string;
  }>;
}

beforeEach(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'printos-cli-printers-')), 'data');
  calls = [];
  confirms = [];
});
afterEach(async () => {
  await rm(join(dataDir, '..'), { recursive: true, force: true });
});

describe('printos printers', () => {
  it('add without a service edits the list and says what it found', async () => {
    const text = await run(['add', '--port', '/dev/ttyACM0', '--baud', '115200', '--name', 'Mk4']);
    expect(text).toMatch(
      /^Added printer p-[0-9a-f]{6} on \/dev\/ttyACM0 \(USB 2C99:0002 serial CZPX1\)\.\n$/,
    );
    expect(await stored()).toMatchObject([{ port: '/dev/ttyACM0', baud: 115200, name: 'Mk4' }]);
    expect(calls).toEqual([]);
  });

  it('add of a port without USB ids tells the pseudo identity', async () => {
    const text = await run(['add', '--port', '/dev/ttyAMA0']);
    expect(text).toMatch(
      /no USB ids; identity UART:0PIN serial [0-9A-F]{16}, kept across restarts/,
    );
  });

  it('add with a service running tells it to reload', async () => {
    const text = await run(['add', '--port', '/dev/ttyACM0'], {});
    expect(calls).toEqual(['POST /api/printers/reload']);
    expect(text).toContain('taken the change up');
  });

  it('add keeps the change and warns when the reload fails', async () => {
    await run(['add', '--port', '/dev/ttyACM0'], { failReload: true });
    expect(await stored()).toHaveLength(1);
    expect(err.join('')).toMatch(/warning: .*did not reload.*boom/);
  });

  it.each<[string[], string]>([
    [['add', '--port', '/dev/ttyUSB0', '--baud', 'fast'], 'INVALID_ARGUMENT'],
    [['add', '--port', '/dev/ttyUSB0', '--baud', '12345'], 'INVALID_ARGUMENT'],
    [['add', '--port', 'ttyUSB0'], 'INVALID_ARGUMENT'],
    [['remove', 'p-000000'], 'NOT_FOUND'],
  ])('%j fails with %s', async (args, code) => {
    await expect(run(args)).rejects.toMatchObject({ code });
  });

  it('add refuses a port already listed', async () => {
    await run(['add', '--port', '/dev/ttyACM0']);
    await expect(run(['add', '--port', '/dev/ttyACM0'])).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('list prints an aligned table, without states when no service runs', async () => {
    expect(await run(['list'])).toMatch(/^No printers configured/);
    await run(['add', '--port', '/dev/ttyACM0', '--name', 'Mk4']);
    await run(['add', '--port', '/dev/pts/4', '--baud', '250000']);
    const lines = (await run(['list'])).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ID +NAME +PORT +BAUD +VID:PID +SERIAL$/);
    expect(lines[1]).toMatch(/^p-[0-9a-f]{6} +Mk4 +\/dev\/ttyACM0 +auto +2C99:0002 +CZPX1$/);
    expect(lines[2]).toMatch(/^p-[0-9a-f]{6} +- +\/dev\/pts\/4 +250000 +TTYS:0PTY +[0-9A-F]{16}$/);
    // Columns line up: every row's PORT starts where the header's does.
    const column = lines[0]?.indexOf('PORT');
    for (const line of lines.slice(1)) expect(line.indexOf('/dev/')).toBe(column);
  });

  it('list shows the live state when the service runs, and JSON for scripts', async () => {
    await run(['add', '--port', '/dev/ttyACM0']);
    const [entry] = await stored();
    const printers = [
      { id: entry?.id, state: 'printing', job: { filename: 'a.gcode', percent: 41.6 } },
    ];
    const lines = (await run(['list'], { printers })).trimEnd().split('\n');
    expect(lines[0]).toMatch(/SERIAL +STATE$/);
    expect(lines[1]).toMatch(/printing 42%$/);
    const json = JSON.parse(await run(['list', '--json'], { printers }));
    expect(json).toEqual([
      expect.objectContaining({
        id: entry?.id,
        state: 'printing',
        job: { filename: 'a.gcode', percent: 41.6 },
      }),
    ]);
    expect(JSON.parse(await run(['list', '--json']))[0]).not.toHaveProperty('state');
  });

  it('list warns and shows the file when the service answers something unexpected', async () => {
    await run(['add', '--port', '/dev/ttyACM0']);
    const text = await run(['list'], { printers: { nope: true } });
    expect(text).toContain('/dev/ttyACM0');
    expect(err.join('')).toContain('unexpected printers list');
  });

  it('remove without a service removes at once', async () => {
    await run(['add', '--port', '/dev/ttyACM0']);
    const [entry] = await stored();
    expect(await run(['remove', entry?.id ?? ''])).toBe(
      `Removed printer ${entry?.id} (/dev/ttyACM0).\n`,
    );
    expect(await stored()).toEqual([]);
    expect(confirms).toEqual([]);
  });

  it('remove of a printing printer needs confirmation off a terminal', async () => {
    await run(['add', '--port', '/dev/ttyACM0']);
    const [entry] = await stored();
    const id = entry?.id ?? '';
    const service = {
      printers: [{ id, state: 'printing', job: { filename: 'a.gcode', percent: 10 } }],
    };
    await expect(run(['remove', id], service)).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
    });
    expect(await stored()).toHaveLength(1);
    expect(confirms[0]).toMatch(/is printing a\.gcode \(10%\); removing it stops the print/);
    await run(['remove', id, '--yes'], service);
    expect(await stored()).toEqual([]);
    expect(calls).toContain('POST /api/printers/reload');
  });

  it('remove of a printing printer goes ahead once confirmed at a terminal', async () => {
    await run(['add', '--port', '/dev/ttyACM0']);
    const [entry] = await stored();
    const id = entry?.id ?? '';
    await run(['remove', id], { printers: [{ id, state: 'paused', job: null }] }, true);
    expect(confirms).toHaveLength(1);
    expect(await stored()).toEqual([]);
  });

  it('remove of an idle printer does not ask', async () => {
    await run(['add', '--port', '/dev/ttyACM0']);
    const [entry] = await stored();
    const id = entry?.id ?? '';
    await run(['remove', id], { printers: [{ id, state: 'ready', job: null }] });
    expect(confirms).toEqual([]);
    expect(await stored()).toEqual([]);
  });
});

describe('printos printers list with printers only the service knows', () => {
  it('shows them too (the virtual printer of `printos start --virtual-printer`)', async () => {
    const printers = [
      {
        id: 'virtual',
        name: 'Virtual printer',
        identity: { VID: 'VIRT', PID: '0001', SNR: 'ABC' },
        state: 'ready',
        job: null,
      },
    ];
    const lines = (await run(['list'], { printers })).trimEnd().split('\n');
    expect(lines[1]).toMatch(
      /^virtual +Virtual printer +\(service only\) +auto +VIRT:0001 +ABC +ready$/,
    );
    expect(JSON.parse(await run(['list', '--json'], { printers }))).toEqual([
      expect.objectContaining({ id: 'virtual', state: 'ready' }),
    ]);
  });
});
