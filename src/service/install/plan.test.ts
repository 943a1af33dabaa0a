import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PrintosError } from '../../core/errors.js';
import type { DataDirInfo, PrefixInfo } from './facts.js';
import type { PamInstallFacts, PamUninstallFacts } from './pam-helper.js';
import { parseInstallParams, parseUninstallParams } from './params.js';
import { type InstallFacts, planInstall, USER_MARKER } from './plan-install.js';
import { planUninstall, type UninstallFacts, uninstallTargets } from './plan-uninstall.js';
import { describeStep, type Step } from './steps.js';

const packaged = (name: string) =>
  readFileSync(new URL(`../../../packaging/${name}`, import.meta.url), 'utf8');
const TEMPLATE = packaged('printos.service');

const PAM_FACTS: PamInstallFacts = {
  helperPath: '/usr/local/libexec/printos/printos-pam-helper',
  configDir: '/etc/pam.d',
  compiler: true,
  headers: true,
  source: true,
  socketTemplate: packaged('printos-pam.socket'),
  serviceTemplate: packaged('printos-pam@.service'),
  config: packaged('printos.pam'),
  configDirExists: true,
  configExists: false,
  socketActive: false,
};

const NO_PREFIX: PrefixInfo = {
  exists: false,
  notDirectory: false,
  entries: [],
  hasVersions: false,
  currentNotLink: false,
  versions: [],
};
const NO_DATA: DataDirInfo = { exists: false, isDirectory: false, empty: true, hasSettings: false };

function facts(over: Partial<InstallFacts> = {}): InstallFacts {
  return {
    isRoot: true,
    systemd: true,
    serviceActive: false,
    user: { exists: false },
    groups: ['dialout'],
    node: '/usr/bin/node',
    source: {
      root: '/src/printos',
      version: '0.1.0',
      entries: ['package.json', 'bin', 'dist'],
      state: 'built',
    },
    prefix: NO_PREFIX,
    dataDir: NO_DATA,
    unitTemplate: TEMPLATE,
    pam: PAM_FACTS,
    ...over,
  };
}

function withPam(over: Partial<PamInstallFacts>): Partial<InstallFacts> {
  return { pam: { ...PAM_FACTS, ...over } };
}

/** Steps as one line each, for readable expectations. */
function lines(steps: Step[]): string[] {
  return steps.map((step) => (step.kind === 'write' ? `write ${step.path}` : describeStep(step)));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof PrintosError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return undefined;
}

describe('planInstall', () => {
  it('a first install on a systemd machine', () => {
    const steps = planInstall(parseInstallParams({}), facts());
    expect(lines(steps)).toEqual([
      `run: useradd --system --home-dir /var/lib/printos --shell /usr/sbin/nologin --user-group --comment '${USER_MARKER}' printos   (the account the service runs as)`,
      'create directory /var/lib/printos (mode 0750)',
      'run: chown -R printos:printos /var/lib/printos   (the service owns its data)',
      'create directory /opt/printos (mode 0755)',
      'create directory /opt/printos/versions (mode 0755)',
      'copy package.json bin dist from /src/printos to /opt/printos/versions/0.1.0',
      'point /opt/printos/current at versions/0.1.0',
      'point /opt/printos/stable at versions/0.1.0',
      'run: chown -R printos:printos /opt/printos   (the updater writes new versions here)',
      'create directory /etc/systemd/system (mode 0755)',
      'create directory /usr/local/libexec/printos (mode 0755)',
      'build /usr/local/libexec/printos/printos-pam-helper (cc -O2 -Wall -Wextra -D_FORTIFY_SOURCE=2 -fstack-protector-strong -Wl,-z,relro,-z,now -o /usr/local/libexec/printos/printos-pam-helper /src/printos/native/printos-pam-helper.c -lpam), owned by root, mode 0755',
      'write /etc/systemd/system/printos-pam.socket',
      'write /etc/systemd/system/printos-pam@.service',
      'write /etc/pam.d/printos',
      'write /etc/systemd/system/printos.service',
      'run: systemctl daemon-reload   (load the new unit)',
      'run: systemctl enable --now printos-pam.socket   (the PAM helper socket, now and at boot)',
      'run: systemctl enable --now printos.service   (start now and at boot)',
    ]);
    const writes = new Map(
      steps.flatMap((s) => (s.kind === 'write' ? [[s.path, s] as const] : [])),
    );
    for (const write of writes.values()) expect(write.mode).toBe(0o644);
    const unit = writes.get('/etc/systemd/system/printos.service');
    expect(unit?.content).toContain('User=printos\n');
    expect(unit?.content).toContain('Environment=PRINTOS_PAM_SOCKET=/run/printos/pam.sock\n');
    expect(unit?.content).toContain('Wants=printos-pam.socket\nAfter=printos-pam.socket\n');
    expect(unit?.content).toContain('SupplementaryGroups=dialout\n');
    expect(writes.get('/etc/systemd/system/printos-pam.socket')?.content).toContain(
      'SocketGroup=printos\n',
    );
    expect(writes.get('/etc/systemd/system/printos-pam@.service')?.content).toContain(
      'ExecStart=/usr/local/libexec/printos/printos-pam-helper printos\n',
    );
    expect(writes.get('/etc/pam.d/printos')?.content).toBe(PAM_FACTS.config);
  });

  it('a re-install of the same version: no useradd, no copy, a restart of the running service', () => {
    const steps = planInstall(
      parseInstallParams({}),
      facts({
        user: { exists: true, uid: 998, comment: USER_MARKER },
        serviceActive: true,
        prefix: {
          ...NO_PREFIX,
          exists: true,
          entries: ['current', 'versions', 'update-state.json'],
          hasVersions: true,
          versions: ['0.1.0'],
          currentTarget: 'versions/0.1.0',
        },
        dataDir: { exists: true, isDirectory: true, empty: false, hasSettings: true },
      }),
    );
    const text = lines(steps);
    expect(text.some((l) => l.includes('useradd'))).toBe(false);
    expect(text.some((l) => l.startsWith('copy'))).toBe(false);
    expect(text).toContain(
      'note: printos 0.1.0 is already in /opt/printos/versions/0.1.0: not copied',
    );
    expect(text.slice(-2)).toEqual([
      'run: systemctl enable --now printos.service   (start now and at boot)',
      'run: systemctl restart printos.service   (run the installed version)',
    ]);
  });

  it('a re-install restarts an active helper socket and keeps an existing PAM file', () => {
    const text = lines(
      planInstall(
        parseInstallParams({}),
        facts(withPam({ socketActive: true, configExists: true })),
      ),
    );
    expect(text).toContain('note: /etc/pam.d/printos exists: kept as it is');
    expect(text).not.toContain('write /etc/pam.d/printos');
    expect(text.slice(-3)).toEqual([
      'run: systemctl enable --now printos-pam.socket   (the PAM helper socket, now and at boot)',
      'run: systemctl restart printos-pam.socket   (listen with the new socket unit)',
      'run: systemctl enable --now printos.service   (start now and at boot)',
    ]);
  });

  it('--no-pam-helper: no build, no helper units, a unit without the socket, and a note', () => {
    const steps = planInstall(
      parseInstallParams({ pamHelper: false }),
      // Nothing to build with, and that is fine now.
      facts(withPam({ compiler: false, headers: false, source: false })),
    );
    const text = lines(steps);
    expect(text[0]).toBe(
      'note: no PAM helper (--no-pam-helper): remote users can sign in with the linked cloud account only: OS account passwords cannot be checked',
    );
    expect(text.filter((l) => /pam|build/i.test(l))).toEqual([text[0]]);
    const unit = steps.find((s) => s.kind === 'write');
    const directives =
      unit?.kind === 'write' ? unit.content.split('\n').filter((l) => !l.startsWith('#')) : [];
    expect(directives.filter((l) => /PAM|printos-pam|^Wants=/.test(l))).toEqual([]);
    expect(directives).toContain('After=network.target');
  });

  it("uses an existing account's primary group", () => {
    const steps = planInstall(
      parseInstallParams({ user: 'pi' }),
      facts({ user: { exists: true, uid: 1000, group: 'users' } }),
    );
    const text = lines(steps);
    expect(text).toContain('run: chown -R pi:users /var/lib/printos   (the service owns its data)');
    const unit = steps.find((s) => s.kind === 'write' && s.path.endsWith('/printos.service'));
    expect(unit?.kind === 'write' && unit.content).toContain('User=pi\nGroup=users\n');
    const socket = steps.find((s) => s.kind === 'write' && s.path.endsWith('.socket'));
    expect(socket?.kind === 'write' && socket.content).toContain('SocketGroup=users\n');
  });

  it('says where current pointed before', () => {
    const steps = planInstall(
      parseInstallParams({}),
      facts({
        prefix: {
          ...NO_PREFIX,
          exists: true,
          entries: ['current', 'versions'],
          hasVersions: true,
          versions: ['0.2.0'],
          currentTarget: 'versions/0.2.0',
        },
      }),
    );
    expect(lines(steps)).toContain('note: /opt/printos/current pointed at versions/0.2.0');
  });

  it('--no-start: daemon-reload only, and says how to start', () => {
    const text = lines(planInstall(parseInstallParams({ noStart: true }), facts()));
    expect(text.slice(-2)).toEqual([
      'run: systemctl daemon-reload   (load the new unit)',
      'note: not started (--no-start); start it with: systemctl enable --now printos-pam.socket && systemctl enable --now printos.service',
    ]);
    const without = lines(
      planInstall(parseInstallParams({ noStart: true, pamHelper: false }), facts()),
    );
    expect(without.at(-1)).toBe(
      'note: not started (--no-start); start it with: systemctl enable --now printos.service',
    );
  });

  it('without systemd: no systemctl at all, and what to run instead', () => {
    const text = lines(planInstall(parseInstallParams({}), facts({ systemd: false })));
    expect(text.some((l) => l.includes('systemctl daemon-reload   ('))).toBe(false);
    expect(text.at(-1)).toMatch(
      /^note: systemd is not running here.*systemctl enable --now printos.service$/,
    );
  });

  it('renders only the groups that exist, and says what is missing', () => {
    const steps = planInstall(parseInstallParams({}), facts({ groups: [] }));
    expect(lines(steps)[0]).toMatch(/^note: group dialout does not exist here/);
    const unit = steps.find((s) => s.kind === 'write' && s.path.endsWith('/printos.service'));
    expect(unit?.kind === 'write' && unit.content).toContain('SupplementaryGroups=\n');
  });

  it('a dry run by a non-root user plans with a note', () => {
    const text = lines(planInstall(parseInstallParams({ dryRun: true }), facts({ isRoot: false })));
    expect(text[0]).toBe('note: not root: a real install needs sudo');
  });

  it.each<[string, Record<string, unknown>, Partial<InstallFacts>, RegExp]>([
    ['not root', {}, { isRoot: false }, /^FORBIDDEN: .*must run as root/],
    [
      'a stale checkout',
      {},
      { source: { root: '/s', version: '0.1.0', entries: ['bin'], state: 'stale' } },
      /^INVALID_ARGUMENT: .*npm run build/,
    ],
    [
      'an unbuilt checkout',
      {},
      { source: { root: '/s', version: '0.1.0', entries: ['bin'], state: 'unbuilt' } },
      /npm run build/,
    ],
    [
      'a version that is not a folder name',
      {},
      { source: { root: '/s', version: '../x', entries: ['bin'], state: 'built' } },
      /no usable version/,
    ],
    [
      'nothing to copy',
      {},
      { source: { root: '/s', version: '0.1.0', entries: [], state: 'release' } },
      /no package files/,
    ],
    ['a uid 0 user', { user: 'toor' }, { user: { exists: true, uid: 0 } }, /uid 0/],
    [
      'the data dir inside the prefix',
      { dataDir: '/opt/printos/data' },
      {},
      /must not contain one another/,
    ],
    [
      'the prefix inside the data dir',
      { prefix: '/var/lib/printos/opt' },
      {},
      /must not contain one another/,
    ],
    ['the prefix inside the source', { prefix: '/src/printos/inst' }, {}, /inside the package/],
    [
      'a foreign prefix',
      {},
      { prefix: { ...NO_PREFIX, exists: true, entries: ['bin', 'versions'] } },
      /^CONFLICT: \/opt\/printos is not a printos install.*found bin/,
    ],
    [
      'a prefix whose current is a folder',
      {},
      { prefix: { ...NO_PREFIX, exists: true, entries: ['current'], currentNotLink: true } },
      /^CONFLICT: .*current \(not a link\)/,
    ],
    [
      'a file at the prefix',
      {},
      { prefix: { ...NO_PREFIX, exists: true, notDirectory: true } },
      /^CONFLICT: .*found a file/,
    ],
    [
      'a foreign data dir',
      {},
      { dataDir: { exists: true, isDirectory: true, empty: false, hasSettings: false } },
      /^CONFLICT: \/var\/lib\/printos exists and is not a printos data directory/,
    ],
    [
      'a file at the data dir',
      {},
      { dataDir: { exists: true, isDirectory: false, empty: false, hasSettings: false } },
      /^CONFLICT/,
    ],
    [
      'node in a home directory',
      {},
      { node: '/root/.nvm/versions/node/v20.0.0/bin/node' },
      /node .* lies in \/root.*install node system-wide/,
    ],
    [
      'a data dir under /home',
      { dataDir: '/home/pi/printos' },
      {},
      /--data-dir \/home\/pi\/printos lies in \/home/,
    ],
    ['a prefix in /tmp', { prefix: '/tmp/printos' }, {}, /--prefix \/tmp\/printos lies in \/tmp/],
    [
      'no C compiler',
      {},
      withPam({ compiler: false }),
      /^INVALID_ARGUMENT: The PAM helper is built at install and needs a C compiler \(cc\): apt-get install gcc libpam0g-dev, or install with --no-pam-helper \(remote users can sign in with the linked cloud account only/,
    ],
    [
      'no PAM headers',
      {},
      withPam({ headers: false }),
      /needs \/usr\/include\/security\/pam_appl.h: apt-get install gcc libpam0g-dev/,
    ],
    [
      'neither',
      {},
      withPam({ compiler: false, headers: false }),
      /needs a C compiler \(cc\) and \/usr\/include\/security\/pam_appl.h/,
    ],
    [
      'a package without the helper source',
      {},
      withPam({ source: false }),
      /lacks native\/printos-pam-helper.c, or install with --no-pam-helper/,
    ],
    [
      'a package without the helper units',
      {},
      withPam({ socketTemplate: undefined, config: undefined }),
      /lacks packaging\/printos-pam.socket, packaging\/printos.pam/,
    ],
    ['no /etc/pam.d', {}, withPam({ configDirExists: false }), /\/etc\/pam.d does not exist/],
    [
      'a helper inside the prefix',
      { prefix: '/usr/local/libexec' },
      {},
      /helper .* would lie in a folder the service user owns/,
    ],
    [
      'a helper folder others can change',
      {},
      withPam({ unsafeDir: '/usr/local/libexec' }),
      /^INVALID_ARGUMENT: \/usr\/local\/libexec is not root's alone/,
    ],
    [
      'a helper in /tmp',
      {},
      withPam({ helperPath: '/tmp/x/printos-pam-helper' }),
      /PAM helper \/tmp\/x\/printos-pam-helper lies in \/tmp/,
    ],
  ])('refuses %s', (_what, options, over, message) => {
    expect(codeOf(() => planInstall(parseInstallParams(options), facts(over)))).toMatch(message);
  });

  it('accepts an empty or printos data dir', () => {
    for (const dataDir of [
      { exists: true, isDirectory: true, empty: true, hasSettings: false },
      { exists: true, isDirectory: true, empty: false, hasSettings: true },
    ]) {
      expect(() => planInstall(parseInstallParams({}), facts({ dataDir }))).not.toThrow();
    }
  });

  it('allows hidden paths with --no-start, with a note (staging, tests)', () => {
    const text = lines(
      planInstall(
        parseInstallParams({ prefix: '/tmp/p/opt', dataDir: '/tmp/p/data', noStart: true }),
        facts(),
      ),
    );
    expect(text.filter((l) => l.includes('allowed only because of --no-start'))).toHaveLength(2);
  });

  it('refuses nothing PAM-related with a PAM file that exists, and allows a hidden helper with --no-start', () => {
    const text = lines(
      planInstall(
        parseInstallParams({ noStart: true }),
        facts(withPam({ helperPath: '/tmp/t/printos-pam-helper', configExists: true })),
      ),
    );
    expect(text).toContain(
      'note: the PAM helper /tmp/t/printos-pam-helper lies in /tmp, which its unit cannot see (PrivateTmp, ProtectHome); allowed only because of --no-start',
    );
  });
});

const UNINSTALL_FACTS: UninstallFacts = {
  isRoot: true,
  systemd: true,
  unit: { exists: true, ours: true },
  prefix: {
    ...NO_PREFIX,
    exists: true,
    entries: ['current', 'versions'],
    hasVersions: true,
    versions: ['0.1.0'],
    currentTarget: 'versions/0.1.0',
  },
  dataDir: { exists: true, isDirectory: true, empty: false, hasSettings: true },
  user: { exists: true, uid: 998, comment: USER_MARKER },
  pam: {
    socketUnit: { exists: true, ours: true },
    serviceUnit: {
      exists: true,
      ours: true,
      helperPath: '/usr/local/libexec/printos/printos-pam-helper',
    },
    helper: {
      path: '/usr/local/libexec/printos/printos-pam-helper',
      exists: true,
      dirHoldsOnlyHelper: true,
    },
    config: { path: '/etc/pam.d/printos', exists: true, ours: true },
  },
};

const NO_PAM: PamUninstallFacts = {
  socketUnit: { exists: false, ours: false },
  serviceUnit: { exists: false, ours: false },
  helper: {
    path: '/usr/local/libexec/printos/printos-pam-helper',
    exists: false,
    dirHoldsOnlyHelper: false,
  },
  config: { path: '/etc/pam.d/printos', exists: false, ours: false },
};

function withPamLeft(over: Partial<PamUninstallFacts>): Partial<UninstallFacts> {
  return { pam: { ...UNINSTALL_FACTS.pam, ...over } };
}

function uninstall(options: Record<string, unknown>, over: Partial<UninstallFacts> = {}): string[] {
  const params = parseUninstallParams(options);
  const targets = uninstallTargets(params, undefined);
  return lines(planUninstall(params, targets, { ...UNINSTALL_FACTS, ...over }));
}

describe('planUninstall', () => {
  it('keeps data and user by default', () => {
    expect(uninstall({})).toEqual([
      'run: systemctl disable --now printos.service   (stop it and keep it from starting at boot)',
      'run: systemctl disable --now printos-pam.socket   (stop the PAM helper socket)',
      'remove /etc/systemd/system/printos.service',
      'remove /etc/systemd/system/printos-pam.socket',
      'remove /etc/systemd/system/printos-pam@.service',
      'run: systemctl daemon-reload   (forget the unit)',
      'remove /opt/printos',
      'remove /usr/local/libexec/printos',
      'remove /etc/pam.d/printos',
      'note: kept the data directory /var/lib/printos and the user printos (--purge removes them)',
    ]);
  });

  it('an install without the PAM helper: nothing of it to remove, nothing said', () => {
    expect(uninstall({}, { pam: NO_PAM })).toEqual([
      'run: systemctl disable --now printos.service   (stop it and keep it from starting at boot)',
      'remove /etc/systemd/system/printos.service',
      'run: systemctl daemon-reload   (forget the unit)',
      'remove /opt/printos',
      'note: kept the data directory /var/lib/printos and the user printos (--purge removes them)',
    ]);
  });

  const HELPER = '/usr/local/libexec/printos/printos-pam-helper';
  it.each<[string, Partial<UninstallFacts>, string[], string[]]>([
    [
      'foreign helper units and PAM file',
      withPamLeft({
        socketUnit: { exists: true, ours: false },
        serviceUnit: { exists: true, ours: false },
        config: { path: '/etc/pam.d/printos', exists: true, ours: false },
      }),
      [
        'note: /etc/systemd/system/printos-pam.socket was not written by printos service install: left in place',
        'note: /etc/systemd/system/printos-pam@.service was not written by printos service install: left in place',
        'note: /etc/pam.d/printos was not written by printos service install: left in place',
      ],
      [
        'run: systemctl disable --now printos-pam.socket   (stop the PAM helper socket)',
        'remove /etc/pam.d/printos',
      ],
    ],
    [
      'a helper folder holding something else',
      withPamLeft({ helper: { path: HELPER, exists: true, dirHoldsOnlyHelper: false } }),
      [`remove ${HELPER}`],
      ['remove /usr/local/libexec/printos'],
    ],
    [
      'a unit that names another program',
      withPamLeft({
        helper: { path: '/usr/bin/passwd', exists: true, dirHoldsOnlyHelper: false },
      }),
      ['note: /usr/bin/passwd is not named like the PAM helper: left in place'],
      ['remove /usr/bin/passwd', 'remove /usr/bin'],
    ],
    [
      'a helper alone in a folder not named printos',
      withPamLeft({
        helper: { path: '/usr/lib/printos-pam-helper', exists: true, dirHoldsOnlyHelper: true },
      }),
      ['remove /usr/lib/printos-pam-helper'],
      ['remove /usr/lib'],
    ],
  ])('PAM helper: %s', (_what, over, present, absent) => {
    const text = uninstall({}, over);
    for (const line of present) expect(text).toContain(line);
    for (const line of absent) expect(text).not.toContain(line);
  });

  it('--purge removes the data dir and the user', () => {
    expect(uninstall({ purge: true }).slice(-2)).toEqual([
      'remove /var/lib/printos',
      'run: userdel printos   (the account the service ran as)',
    ]);
  });

  it('tolerates a unit systemd no longer knows', () => {
    const params = parseUninstallParams({});
    const steps = planUninstall(params, uninstallTargets(params, undefined), UNINSTALL_FACTS);
    expect(steps[0]).toMatchObject({ kind: 'run', mayFail: true });
  });

  it('without systemd: no systemctl', () => {
    expect(uninstall({}, { systemd: false }).some((l) => l.includes('systemctl'))).toBe(false);
  });

  const UNIT = 'remove /etc/systemd/system/printos.service';
  const PREFIX = 'remove /opt/printos';
  const DATA = 'remove /var/lib/printos';
  const USERDEL = 'run: userdel printos   (the account the service ran as)';
  const LEFT = 'left in place';
  it.each<[string, Partial<UninstallFacts>, string, string]>([
    [
      'a unit that is not ours',
      { unit: { exists: true, ours: false } },
      `note: /etc/systemd/system/printos.service was not written by printos service install: ${LEFT}`,
      UNIT,
    ],
    [
      'no unit',
      { unit: { exists: false, ours: false } },
      'note: no unit at /etc/systemd/system/printos.service',
      UNIT,
    ],
    [
      'a prefix without current',
      { prefix: { ...UNINSTALL_FACTS.prefix, entries: ['versions'], currentTarget: undefined } },
      `note: /opt/printos does not look like a printos install (versions/, the current link, update-state.json): ${LEFT}`,
      PREFIX,
    ],
    [
      'a prefix with other files',
      { prefix: { ...UNINSTALL_FACTS.prefix, entries: ['current', 'versions', 'etc'] } },
      `note: /opt/printos does not look like a printos install (versions/, the current link, update-state.json): ${LEFT}`,
      PREFIX,
    ],
    ['no prefix', { prefix: NO_PREFIX }, 'note: nothing installed in /opt/printos', PREFIX],
    [
      'a foreign data dir',
      { dataDir: { exists: true, isDirectory: true, empty: false, hasSettings: false } },
      `note: /var/lib/printos is not a printos data directory (no settings.json): ${LEFT}`,
      DATA,
    ],
    [
      'a system account',
      { user: { exists: true, uid: 99, comment: USER_MARKER } },
      'note: user printos is a system account (uid 99): kept',
      USERDEL,
    ],
    [
      'root',
      { user: { exists: true, uid: 0, comment: USER_MARKER } },
      'note: user printos is a system account (uid 0): kept',
      USERDEL,
    ],
    [
      'an account install did not create',
      { user: { exists: true, uid: 1000, comment: 'Pi User' } },
      'note: user printos was not created by printos service install: kept',
      USERDEL,
    ],
    ['no account', { user: { exists: false } }, 'note: no user printos', USERDEL],
  ])('--purge leaves %s', (_what, over, expected, notDone) => {
    const text = uninstall({ purge: true }, over);
    expect(text).toContain(expected);
    expect(text).not.toContain(notDone);
    // Everything else is still removed.
    for (const other of [UNIT, PREFIX, DATA, USERDEL].filter((line) => line !== notDone)) {
      expect(text).toContain(other);
    }
  });

  it('removes an empty data dir', () => {
    expect(
      uninstall(
        { purge: true },
        { dataDir: { exists: true, isDirectory: true, empty: true, hasSettings: false } },
      ),
    ).toContain('remove /var/lib/printos');
  });

  it('refuses without root, plans a dry run', () => {
    expect(codeOf(() => uninstall({}, { isRoot: false }))).toMatch(/^FORBIDDEN/);
    expect(uninstall({ dryRun: true }, { isRoot: false })[0]).toBe(
      'note: not root: a real uninstall needs sudo',
    );
  });
});

describe('uninstallTargets', () => {
  const installed = { ours: true, user: 'px', prefix: '/srv/px', dataDir: '/srv/pxdata' };
  it.each([
    [{}, undefined, { user: 'printos', prefix: '/opt/printos', dataDir: '/var/lib/printos' }],
    [{}, installed, { user: 'px', prefix: '/srv/px', dataDir: '/srv/pxdata' }],
    [
      { user: 'other', prefix: '/srv/other' },
      installed,
      { user: 'other', prefix: '/srv/other', dataDir: '/srv/pxdata' },
    ],
    [
      {},
      { ...installed, ours: false },
      { user: 'printos', prefix: '/opt/printos', dataDir: '/var/lib/printos' },
    ],
  ])('%j with %j', (options, unit, expected) => {
    expect(uninstallTargets(parseUninstallParams(options), unit)).toMatchObject(expected);
  });
});
