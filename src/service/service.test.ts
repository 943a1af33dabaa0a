import { describe, expect, it, vi } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import type { JobFinished, PrinterSnapshot } from '../link/types.js';
import { passwordDigest } from '../streamer-api/index.js';
import {
  type AccountStore,
  ClientService,
  type LinkHandle,
  type ServiceDeps,
  type ServicePrinter,
} from './service.js';

function fakePrinter(id: string, job: string | null = null): ServicePrinter & { stopped: boolean } {
  return {
    key: id,
    identity: { VID: 'TTYS', PID: '0PTY', SNR: id },
    name: `P ${id}`,
    lastError: undefined,
    jobSeq: 0,
    lastJob: null,
    stopped: false,
    start() {},
    async stop() {
      this.stopped = true;
      return job ? { interruptedJob: job } : {};
    },
    emergencyStop() {},
    snapshot: (): PrinterSnapshot => ({ state: 'ready', temperatures: [], job: null }),
    startJob: async () => {},
    pause() {},
    resume() {},
    cancel() {},
    sendGcode() {},
    setName() {},
    onJobFinished: (_l: (e: JobFinished) => void) => () => {},
  };
}

function memoryAccounts(linked: string | null = null) {
  const state = {
    linked,
    credentials: null as { email: string; passwordDigest: string } | null,
    cloudStateForgotten: [] as Array<string | undefined>,
  };
  const store: AccountStore = {
    linkedEmail: async () => state.linked,
    saveLinked: async (email) => {
      state.linked = email;
    },
    forgetLinked: async () => {
      state.linked = null;
    },
    loadCredentials: async () => state.credentials,
    saveCredentials: async (email, passwordDigest) => {
      state.credentials = { email, passwordDigest };
    },
    forgetCredentials: async () => {
      state.credentials = null;
    },
    forgetPrinterCloudState: async (id) => {
      state.cloudStateForgotten.push(id);
    },
  };
  return { store, state };
}

function setup(
  options: { linked?: string; offline?: boolean; jobs?: Record<string, string> } = {},
) {
  const accounts = memoryAccounts(options.linked ?? null);
  const printers = [fakePrinter('a', options.jobs?.a ?? null), fakePrinter('b')];
  const links: Array<LinkHandle & { printer: string; stopped: boolean }> = [];
  let offline = options.offline ?? false;
  const shutdown = vi.fn();
  const loginUser = vi.fn(async (email: string, digest: string) => {
    if (digest !== passwordDigest('right')) {
      throw new PrintosError('LOGIN_FAILED', 'refused', { badCredentials: true });
    }
    return { userToken: `token-${email}`, login: email };
  });
  const deps: ServiceDeps = {
    log: silentLogger(),
    accounts: accounts.store,
    loadPrinterEntries: async () => printers.map((p) => ({ id: p.key, port: `/dev/${p.key}` })),
    createPrinter: (entry) => printers.find((p) => p.key === entry.id) as ServicePrinter,
    loginUser,
    createLink: (printer) => {
      const link = {
        printer: printer.key,
        stopped: false,
        start() {},
        stop() {
          link.stopped = true;
        },
        state: () => ({ linked: true }),
      };
      links.push(link);
      return link;
    },
    offline: {
      get: () => offline,
      set: async (value) => {
        offline = value;
      },
    },
    requestShutdown: shutdown,
  };
  const service = new ClientService(deps);
  return { service, accounts, printers, links, shutdown, loginUser, isOffline: () => offline };
}

describe('ClientService: the account rules of the seed', () => {
  it('links an account: every printer gets a link, Autologin keeps the credentials', async () => {
    const t = setup();
    await t.service.start();
    await t.service.login('a@example.com', 'right', { autologin: true });
    expect(t.links.map((l) => l.printer)).toEqual(['a', 'b']);
    expect(t.accounts.state.credentials?.email).toBe('a@example.com');
    expect(t.accounts.state.credentials?.passwordDigest).toBe(passwordDigest('right'));
  });

  it('without Autologin, nothing is kept for the next start', async () => {
    const t = setup();
    await t.service.start();
    await t.service.login('a@example.com', 'right', { autologin: false });
    expect(t.accounts.state.credentials).toBeNull();
    expect(t.service.account?.userToken).toBe('token-a@example.com');
  });

  it('a wrong password changes nothing', async () => {
    const t = setup({ linked: 'a@example.com' });
    await t.service.start();
    await expect(t.service.login('a@example.com', 'wrong', { autologin: true })).rejects.toThrow(
      'refused',
    );
    expect(t.links).toHaveLength(0);
    expect(t.accounts.state.linked).toBe('a@example.com');
  });

  it('switching account needs confirmation, then unlinks every printer', async () => {
    const t = setup({ linked: 'a@example.com' });
    await t.service.start();
    await t.service.login('a@example.com', 'right', { autologin: true });
    const error = await t.service
      .login('b@example.com', 'right', { autologin: true })
      .catch((e: PrintosError) => e);
    expect(error).toBeInstanceOf(PrintosError);
    expect((error as PrintosError).code).toBe('CONFIRMATION_REQUIRED');
    expect((error as PrintosError).message).toMatch(/unlinks every printer/);
    expect(t.service.account?.email).toBe('a@example.com');
    const wrong = await t.service
      .login('b@example.com', 'wrong', { autologin: true })
      .catch((e: PrintosError) => e);
    expect((wrong as PrintosError).code).toBe('LOGIN_FAILED');
    expect((wrong as PrintosError).message).not.toMatch(/a@example\.com/);

    await t.service.login('b@example.com', 'right', { autologin: true, confirmSwitch: true });
    expect(t.links.slice(0, 2).every((l) => l.stopped)).toBe(true);
    expect(t.accounts.state.cloudStateForgotten).toEqual([undefined]);
    expect(t.links.slice(2).map((l) => l.printer)).toEqual(['a', 'b']);
    expect(t.service.account?.email).toBe('b@example.com');
  });

  it('the same account in other letter case is not a switch', async () => {
    const t = setup({ linked: 'A@Example.com' });
    await t.service.start();
    await t.service.login('a@example.com', 'right', { autologin: true });
    expect(t.accounts.state.cloudStateForgotten).toEqual([]);
  });

  it('logout forgets the login, stops printers (reporting interrupted prints) and the service', async () => {
    const t = setup({ jobs: { a: 'cube.gcode' } });
    await t.service.start();
    await t.service.login('a@example.com', 'right', { autologin: true });
    const result = await t.service.logout();
    expect(result).toEqual({ stopping: true, interruptedJobs: ['cube.gcode'] });
    expect(t.printers.every((p) => p.stopped)).toBe(true);
    expect(t.links.every((l) => l.stopped)).toBe(true);
    expect(t.accounts.state.credentials).toBeNull();
    expect(t.shutdown).toHaveBeenCalledWith('logout');
  });

  it('logout from offline mode only leaves offline mode', async () => {
    const t = setup({ offline: true });
    await t.service.start();
    const result = await t.service.logout();
    expect(result.stopping).toBe(false);
    expect(t.isOffline()).toBe(false);
    expect(t.printers.some((p) => p.stopped)).toBe(false);
    expect(t.shutdown).not.toHaveBeenCalled();
  });

  it('offline mode drops the links; a login leaves it', async () => {
    const t = setup();
    await t.service.start();
    await t.service.login('a@example.com', 'right', { autologin: true });
    await t.service.enterOffline();
    expect(t.links.every((l) => l.stopped)).toBe(true);
    expect(t.isOffline()).toBe(true);
    await t.service.login('a@example.com', 'right', { autologin: true });
    expect(t.isOffline()).toBe(false);
  });

  it('autologin at start uses the saved credentials; refused ones are forgotten', async () => {
    const good = setup();
    good.accounts.state.credentials = {
      email: 'a@example.com',
      passwordDigest: passwordDigest('right'),
    };
    await good.service.start();
    await vi.waitFor(() => expect(good.service.account?.email).toBe('a@example.com'));

    const bad = setup();
    bad.accounts.state.credentials = {
      email: 'a@example.com',
      passwordDigest: passwordDigest('old'),
    };
    await bad.service.start();
    await vi.waitFor(() => expect(bad.accounts.state.credentials).toBeNull());
    expect(bad.service.autologinState).toBe('failed');
  });

  it('reloadPrinters starts new printers and stops removed ones', async () => {
    const t = setup();
    await t.service.start();
    expect(t.service.printers().map((p) => p.key)).toEqual(['a', 'b']);
    expect(() => t.service.printer('zz')).toThrow(/No printer/);
  });
});
